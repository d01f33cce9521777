"""The kubeconfig a person downloads to drive a cluster with their own kubectl ("내 kubectl로 연결").

Which token it carries follows the page's roles (visualizer.identity): whoever controls the cluster (a
sandbox's owner, a class demo's instructor) gets its api_token; a viewer with the share link gets the share
token, which the API accepts read-only (writes answer 403 Forbidden). The server address is the host the
browser used, on the API's TLS port, so a classroom laptop gets the LAN address the page was opened on.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from visualizer.identity import CONTROL
from visualizer.kubeapi import kubeconfig, tls
from visualizer.models import ClusterRecord


def api_server_url(request: HttpRequest, record: ClusterRecord) -> str:
    """Returns `https://<host the page was opened on>:<KUBEAPI_PORT>/k8s/<cluster>`."""
    host = request.get_host()
    if host.startswith("["):
        name = host[: host.index("]") + 1]
    else:
        name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    return f"https://{name}:{settings.KUBEAPI_PORT}/k8s/{record.public_id}"


def file_name(record: ClusterRecord, role: str = CONTROL) -> str:
    """Returns the download's file name, e.g. `orchestra-sandbox.kubeconfig`, or
    `orchestra-sandbox-readonly.kubeconfig` for the read-only token (two downloads never collide)."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in record.name)[:40] or "cluster"
    return f"orchestra-{safe}{'' if role == CONTROL else '-readonly'}.kubeconfig"


def kubeconfig_text(request: HttpRequest, record: ClusterRecord, role: str) -> str:
    """Returns the kubeconfig YAML for `role` ("control": the api_token; otherwise the read-only token)."""
    bundle = tls.ensure(settings.KUBEAPI_TLS_DIR, [])
    control = role == CONTROL
    return kubeconfig.build(
        server=api_server_url(request, record),
        ca_pem=bundle.ca_pem,
        token=record.api_token if control else record.share_token,
        name=f"orchestra-{record.name}" if control else f"orchestra-{record.name}-readonly",
        user=("instructor" if record.kind == ClusterRecord.Kind.DEMO else "student") if control else "viewer",
    )
