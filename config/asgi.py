"""ASGI entry point: Django first (so apps are loaded), then websocket routes behind origin checking.

Each websocket route carries its own identity middleware (config/routing.py).
"""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from config.routing import websocket_urlpatterns  # noqa: E402
from visualizer.kubeapi import transport as kubeapi_transport  # noqa: E402

site = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(URLRouter(websocket_urlpatterns)),
    }
)


async def application(scope, receive, send):
    """Routes `/k8s/<cluster>/…` to the clusters' Kubernetes API (visualizer.kubeapi.transport), the rest to
    the site. The API authenticates by bearer token, not by cookie or Origin (kubectl sends neither), so it
    sits outside Django's host and origin checks, as a real API server is reached by any name or address.
    The API's own TLS port serves nothing but the API: there a path without the prefix is an API path of the
    cluster its token names (`kubectl proxy`), never a page of the site."""
    web = scope["type"] in ("http", "websocket")
    prefixed = scope.get("path", "").startswith("/k8s/")
    if web and not prefixed and (scope.get("server") or (None, None))[1] == settings.KUBEAPI_PORT:
        return await kubeapi_transport.root_app(scope, receive, send)
    if web and prefixed:
        if scope["type"] == "http":
            return await kubeapi_transport.app(scope, receive, send)
        from visualizer.kubeapi import exec_socket

        return await exec_socket.app(scope, receive, send)
    return await site(scope, receive, send)


# The OpenAPI documents of the clusters' API (about 1.5 s to build from kubernetes-validate's schemas) are built
# now, not by the first `kubectl apply` of a class, which would hold the event loop that long.
from visualizer.kubeapi import openapi as kubeapi_openapi  # noqa: E402

kubeapi_openapi.documents()

# Everything allocated at start-up (Django, Twisted, the apps) is moved out of the collector's reach, so full
# collections only scan what the running server creates: shorter pauses in the middle of a broadcast.
gc.collect()
gc.freeze()
# Full collections (the oldest generation) every 100 collections of the middle one instead of 10: they scan
# every live cluster and connection and took 20-200 ms each on a loaded 2-core machine, ten times in a
# 30-second run of `python -m bench visualizer` (500 viewers), three times with this threshold. Almost all the
# server's garbage is freed by reference counting; cycles still go in the young generations' collections.
_gen0, _gen1, _ = gc.get_threshold()
gc.set_threshold(_gen0, _gen1, 100)
