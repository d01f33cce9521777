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

from config.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(URLRouter(websocket_urlpatterns)),
    }
)

# Everything allocated at start-up (Django, Twisted, the apps) is moved out of the collector's reach, so full
# collections only scan what the running server creates: shorter pauses in the middle of a broadcast.
gc.collect()
gc.freeze()
