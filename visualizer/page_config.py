"""What `static/js/visualizer/page.js` needs to mount a cluster panel, for any page that shows one.

The visualizer's own pages and the classroom's dashboard and projector (which embed the class's demo)
build the panel's configuration here, so its shape has one definition.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from visualizer.identity import CONTROL
from visualizer.kubeconfig_view import file_name
from visualizer.models import ClusterRecord


def page_config(request: HttpRequest, record: ClusterRecord, role: str, share: str | None = None) -> dict:
    """Return the panel configuration: the cluster, the viewer's role, the socket and export addresses."""
    suffix = f"?share={share}" if share else ""
    return {
        "cluster": record.public_id,
        "kind": record.kind,
        "name": record.name,
        "title": record.title,
        "role": role,
        "ws": f"/ws/cluster/{record.public_id}/{suffix}",
        "shareUrl": request.build_absolute_uri(reverse("visualizer:shared", args=[record.share_token]))
        if role == CONTROL
        else None,
        "exportUrl": reverse("visualizer:export", args=[record.public_id]) + suffix,
        # "내 kubectl로 연결": the kubeconfig for this viewer's role (visualizer.kubeconfig_view).
        "kubeconfigUrl": reverse("visualizer:kubeconfig", args=[record.public_id]) + suffix,
        "kubeconfigFile": file_name(record, role),
    }
