"""The API server's request dispatch: route, authorise, negotiate, hand to the module that owns the verb.

`handle(ctx, request)` never raises: every failure is a `Status` (reference §A5), an unexpected fault a 500
`InternalError` Status that names no internals. Verbs follow apiserver pkg/endpoints/request/requestinfo.go:
GET on a collection is `list` (`watch` with `?watch=true`), GET on an object `get`, POST `create`, PUT
`update`, PATCH `patch`, DELETE `delete` (`deletecollection` on a collection).
"""

from __future__ import annotations

import dataclasses
import json
import logging

from visualizer.engine import object_quota, wallclock
from visualizer.engine.apiserver import ApiError
from visualizer.engine.body_limits import loads_json
from visualizer.engine.objects import BY_KIND, etcd_key

from . import catalog, status
from .context import ApiContext
from .http import MAX_BODY_BYTES, ApiRequest, ApiResponse, dumps
from .router import Special, Target, route

log = logging.getLogger(__name__)

WRITE_VERBS = {"create", "update", "patch", "delete", "deletecollection"}


def verb_of(req: ApiRequest, target: Target) -> str:
    """Returns the Kubernetes verb of a request (requestinfo.go), e.g. `list`, `watch`, `patch`."""
    method = req.method.upper()
    if method in ("GET", "HEAD"):
        if target.subresource:
            return "get"
        if req.flag("watch"):
            return "watch"
        return "get" if target.name else "list"
    if method == "POST":
        return "create"
    if method == "PUT":
        return "update"
    if method == "PATCH":
        return "patch"
    if method == "DELETE":
        return "delete" if target.name else "deletecollection"
    return method.lower()


def handle(ctx: ApiContext, req: ApiRequest) -> ApiResponse:
    """Answers one request against `ctx.cluster` (see the module docstring).

    Timestamps cross the boundary in the client's clock (visualizer/engine/wallclock.py): moved back in a JSON body that comes
    in, forward in every JSON answer and watch event that goes out.
    """
    seconds = ctx.offset()
    try:
        resp = _handle(ctx, _incoming(req, -seconds))
    except ApiError as err:
        return status.from_api_error(err)
    except Exception:  # noqa: BLE001 - last line of defence: a fault answers a Status, never a traceback
        log.exception("kubeapi: %s %s failed", req.method, req.path)
        return _internal_error()
    return _outgoing(resp, seconds)


def _internal_error() -> ApiResponse:
    return status.failure(
        500,
        "InternalError",
        "Internal error occurred: the simulator could not handle this request; nothing was changed",
    )


_JSON_BODIES = (
    "application/json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
    "application/json-patch+json",
    "application/apply-patch+yaml",
)


def _incoming(req: ApiRequest, seconds: float) -> ApiRequest:
    """Returns the request with the timestamps of a JSON body moved into simulated time."""
    if not req.body or req.content_type not in _JSON_BODIES or req.body.lstrip()[:1] not in (b"{", b"["):
        return req
    try:
        data = loads_json(req.body)  # bounded (body_limits.py): a hostile body must not raise RecursionError
    except ValueError:
        return req  # the handler answers the decode error
    moved = wallclock.shift(data, seconds)
    if moved is data:
        return req
    return dataclasses.replace(req, body=dumps(moved))


def _outgoing(resp: ApiResponse, seconds: float) -> ApiResponse:
    """Returns the answer with its timestamps in the client's clock (body, and each event of a watch)."""
    if "json" not in resp.content_type:
        return resp
    if resp.body:
        resp.body = _shift_lines(resp.body, seconds)
    if resp.stream is not None:
        resp.stream = _ShiftedStream(resp.stream)
    return resp


def _shift_lines(body: bytes, seconds: float) -> bytes:
    """Shifts one JSON document, or newline-delimited JSON events (a watch's first chunk)."""
    out = []
    for line in body.split(b"\n"):
        if not line.strip():
            out.append(line)
            continue
        try:
            data = json.loads(line)
        except ValueError:
            return body  # not JSON lines (pretty-printed or partial): leave it as it is
        moved = wallclock.shift(data, seconds)
        out.append(line if moved is data else dumps(moved))
    return b"\n".join(out)


class _ShiftedStream:
    """A watch stream whose events carry client-clock timestamps (the offset is taken at each poll)."""

    def __init__(self, inner):
        self.inner = inner

    @property
    def finished(self) -> bool:
        return self.inner.finished

    def poll(self, ctx) -> list[bytes]:
        seconds = ctx.offset()
        return [_shift_lines(chunk, seconds) for chunk in self.inner.poll(ctx)]

    def close(self) -> None:
        if hasattr(self.inner, "close"):
            self.inner.close()


def _handle(ctx: ApiContext, req: ApiRequest) -> ApiResponse:
    if len(req.body) > MAX_BODY_BYTES:
        return status.failure(
            413, "RequestEntityTooLarge", f"Request entity too large: limit is {MAX_BODY_BYTES}"
        )
    where = route(req.path)
    if where is None:
        return status.page_not_found()
    if isinstance(where, Special):
        return _special(ctx, req, where)
    if where.group == "metrics.k8s.io":
        from . import metrics

        return metrics.handle(ctx, req, where)
    served = catalog.find(where.group, where.version, where.resource)
    if served is None:
        return status.page_not_found()
    verb = verb_of(req, where)
    if where.subresource and served.sub(where.subresource) is None:
        return status.page_not_found()
    allowed = served.sub(where.subresource).verbs if where.subresource else served.verbs
    if verb not in allowed and not (verb == "get" and where.subresource in ("exec", "attach", "portforward")):
        return status.method_not_allowed(verb, served.qualified)
    if served.group in ("authentication.k8s.io", "authorization.k8s.io"):
        from . import authz  # the self reviews every authenticated user may create (system:basic-user)

        return authz.create(ctx, req, served)
    if verb in WRITE_VERBS and req.role != "control":
        return status.forbidden(
            req.user, verb, served.plural, served.group, where.namespace, where.name, where.subresource or ""
        )
    if verb in ("update", "patch", "delete") and _is_object_quota(ctx, served, where):
        return status.failure(
            403,
            "Forbidden",
            object_quota.read_only_message(),
            {"name": where.name, "kind": "resourcequotas"},
        )
    if where.subresource:
        from . import subresources

        return subresources.handle(ctx, req, served, where, verb)
    if verb == "watch":
        from . import watch

        return watch.start(ctx, req, served, where)
    if verb in ("get", "list"):
        from . import reads

        return reads.get(ctx, req, served, where) if verb == "get" else reads.list_(ctx, req, served, where)
    from . import writes

    return getattr(writes, verb)(ctx, req, served, where)


def _is_object_quota(ctx: ApiContext, served, where) -> bool:
    """True when the request names the simulator's read-only `simulator-limits` ResourceQuota (built at read
    time, engine object_quota.py; a stored quota of that name from an old save is an ordinary object)."""
    if not object_quota.is_object_quota(served.kind, where.name) or where.namespace is None:
        return False
    key = etcd_key(BY_KIND["ResourceQuota"], where.namespace, where.name)
    return ctx.cluster.store.get(key) is None


def _special(ctx: ApiContext, req: ApiRequest, where: Special) -> ApiResponse:
    from . import discovery, openapi

    if req.method.upper() not in ("GET", "HEAD"):
        return status.failure(
            405, "MethodNotAllowed", "the server does not allow this method on the requested resource"
        )
    what = where.what
    if what in ("healthz", "livez", "readyz"):
        return ApiResponse(200, b"ok", "text/plain; charset=utf-8")
    if what == "version":
        return discovery.version(ctx, req)
    if what == "api":
        return discovery.api(req)
    if what == "apis":
        return discovery.apis(req)
    if what == "group":
        return discovery.group(req, where.group)
    if what == "group_version":
        return discovery.group_version(req, where.group, where.version)
    if what == "openapi_v2":
        return openapi.v2(req)
    if what == "openapi_v3":
        return openapi.index(req)
    if what == "openapi_v3_gv":
        return openapi.document(req, where.gv)
    return discovery.root(req)
