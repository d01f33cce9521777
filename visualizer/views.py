"""Visualizer pages: fetch the cluster record, decide the role, render. The live work happens over the socket."""

from __future__ import annotations

import functools

from csp.decorators import csp_replace
from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from visualizer.identity import CONTROL, client_address, existing_owner_key, owner_key_for, role_for
from visualizer.models import ClusterRecord, Scenario
from visualizer.page_config import page_config
from visualizer.ratelimit import limits, parse_spec


class TooManyClusters(Exception):
    """Too many new visitors from this address lately; `seconds` until another may get a cluster."""

    def __init__(self, seconds: int):
        super().__init__(seconds)
        self.seconds = seconds


def request_address(request: HttpRequest) -> str:
    """Return the client's address (REMOTE_ADDR, or the proxy's last X-Forwarded-For hop when trusted)."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    return client_address(
        [request.META.get("REMOTE_ADDR")],
        [(b"x-forwarded-for", forwarded.encode("latin-1", "replace"))] if forwarded else [],
        trust_forwarded=getattr(settings, "TRUST_X_FORWARDED_FOR", False),
    )


def refuses_too_many(view):
    """Answer TooManyClusters with the Korean 429 page and Retry-After (never a 500)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except TooManyClusters as refused:
            response = render(request, "visualizer/too_many.html", {"seconds": refused.seconds}, status=429)
            response["Retry-After"] = str(refused.seconds)
            return response

    return wrapped


def _role(request: HttpRequest, record: ClusterRecord, share: str | None) -> str | None:
    return role_for(
        kind=record.kind,
        record_owner=record.owner_key,
        share_token=record.share_token,
        viewer_key=existing_owner_key(request.user, request.session),
        is_superuser=request.user.is_superuser,
        offered_token=share,
    )


def _own_cluster(request: HttpRequest, name: str, title: str = "") -> ClusterRecord:
    """Return this person's cluster `name`, creating it (and, for a new visitor, the visitor id in the session).

    A new visitor (no login, no visitor id yet) spends from the address's budget (settings.
    RATE_LIMIT_SANDBOX_ADDRESS, ratelimit "sandbox"); over it, raise TooManyClusters before anything is written:
    no cluster, no session. A visit without the session cookie is a new visitor each time (a script without a
    cookie jar made 1,000 clusters), so the budget bounds those; a browser that keeps its cookie is known and
    creates its sandbox and scenario clusters freely (a fixed handful per person).
    """
    owner = existing_owner_key(request.user, request.session)
    if owner is None:
        _spend_new_visitor(request)
        owner = owner_key_for(request.user, request.session)
    record, _ = ClusterRecord.objects.get_or_create(owner_key=owner, name=name, defaults={"title": title})
    return record


def _spend_new_visitor(request: HttpRequest) -> None:
    spec = parse_spec(getattr(settings, "RATE_LIMIT_SANDBOX_ADDRESS", "60/600"))
    if spec is None:
        return
    limits.configure("sandbox", *spec)
    address = f"addr:{request_address(request)}"
    if not limits.allow("sandbox", address):
        raise TooManyClusters(limits.retry_after("sandbox", address))


@refuses_too_many
def sandbox(request: HttpRequest) -> HttpResponse:
    record = _own_cluster(request, "sandbox", "내 클러스터")
    return render(
        request,
        "visualizer/cluster.html",
        {"record": record, "config": page_config(request, record, CONTROL)},
    )


@xframe_options_sameorigin
@csp_replace({"frame-ancestors": ["'self'"]})
@refuses_too_many
def sandbox_embed(request: HttpRequest) -> HttpResponse:
    """The student's own sandbox without the site's chrome, for a frame on this site's own pages.

    The lesson's runnable code blocks (static/js/course/runnable.js) show it beside the text and drive it
    through static/js/visualizer/embed-bridge.js. Same cluster and identity as `sandbox`: loading this
    page creates the visitor id in the session when there is none, which the websocket cannot do.
    Only this view may be framed, and only by this origin (X-Frame-Options SAMEORIGIN, CSP
    frame-ancestors 'self'); every other page keeps DENY / 'none'.
    """
    record = _own_cluster(request, "sandbox", "내 클러스터")
    return render(
        request,
        "visualizer/embed.html",
        {"record": record, "config": {**page_config(request, record, CONTROL), "embed": True}},
    )


def cluster(request: HttpRequest, public_id: str) -> HttpResponse:
    record = get_object_or_404(ClusterRecord, public_id=public_id)
    role = _role(request, record, None)
    if role is None:
        return render(request, "visualizer/forbidden.html", status=403)
    return render(
        request, "visualizer/cluster.html", {"record": record, "config": page_config(request, record, role)}
    )


def shared(request: HttpRequest, token: str) -> HttpResponse:
    record = get_object_or_404(ClusterRecord, share_token=token)
    role = _role(request, record, token) or "view"
    return render(
        request,
        "visualizer/cluster.html",
        {"record": record, "config": page_config(request, record, role, token)},
    )


@staff_member_required
@require_POST
def new_demo(request: HttpRequest) -> HttpResponse:
    owner = owner_key_for(request.user, request.session)
    name = (request.POST.get("name") or "demo")[:40]
    record, _ = ClusterRecord.objects.get_or_create(
        owner_key=owner, name=name, defaults={"kind": ClusterRecord.Kind.DEMO, "title": "수업 데모 클러스터"}
    )
    return redirect(record.get_absolute_url())


def scenarios(request: HttpRequest) -> HttpResponse:
    return render(request, "visualizer/scenarios.html", {"scenarios": Scenario.objects.all()})


@refuses_too_many
def scenario(request: HttpRequest, slug: str) -> HttpResponse:
    found = get_object_or_404(Scenario, slug=slug)
    names = [f"scenario-{slug}-a", f"scenario-{slug}-b"] if found.layout == "pair" else [f"scenario-{slug}"]
    records = [_own_cluster(request, name, found.title) for name in names]
    configs = [{**page_config(request, r, CONTROL), "scenario": found.slug} for r in records]
    return render(
        request, "visualizer/scenario.html", {"scenario": found, "records": records, "configs": configs}
    )


def _kubeconfig_response(request: HttpRequest, record: ClusterRecord, role: str) -> HttpResponse:
    from visualizer.kubeconfig_view import file_name, kubeconfig_text

    response = HttpResponse(kubeconfig_text(request, record, role), content_type="application/yaml")
    response["Content-Disposition"] = f'attachment; filename="{file_name(record, role)}"'
    response["Cache-Control"] = "no-store"  # it carries a secret token
    return response


@refuses_too_many
def own_kubeconfig(request: HttpRequest) -> HttpResponse:
    """`GET /cluster/kubeconfig`: the kubeconfig of this browser session's own sandbox (created if none)."""
    return _kubeconfig_response(request, _own_cluster(request, "sandbox", "내 클러스터"), CONTROL)


def cluster_kubeconfig(request: HttpRequest, public_id: str) -> HttpResponse:
    """A cluster's kubeconfig for whoever may see it: the controlling token for its owner or instructor, the
    read-only one for a viewer (with `?share=<token>` from a share link)."""
    record = get_object_or_404(ClusterRecord, public_id=public_id)
    role = _role(request, record, request.GET.get("share"))
    if role is None:
        return render(request, "visualizer/forbidden.html", status=403)
    return _kubeconfig_response(request, record, role)


async def export(request: HttpRequest, public_id: str) -> HttpResponse:
    """Return the cluster's object graph and last command trace as mermaid text.

    The live cluster when this process runs it (so the export matches the picture), else the saved state.
    """
    from asgiref.sync import sync_to_async

    from visualizer.host import get_host
    from visualizer.mermaid_export import export_cluster

    def load() -> tuple[ClusterRecord | None, str | None]:
        record = ClusterRecord.objects.filter(public_id=public_id).first()
        return record, (_role(request, record, request.GET.get("share")) if record else None)

    record, role = await sync_to_async(load)()
    if record is None or role is None:
        raise Http404("no such cluster")
    state = get_host().live_state(public_id)
    return JsonResponse(export_cluster(state if state is not None else record.state_dict))
