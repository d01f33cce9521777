"""Subresources: scale, status, eviction, binding (log is streams' logs.py; exec/attach/portforward upgrade).

- `*/scale` answers an `autoscaling/v1 Scale` for GET, PUT and PATCH: `spec.replicas`, `status.replicas`
  and `status.selector` as a label-selector string [kubernetes pkg/registry/apps/deployment/storage/storage.go
  `ScaleREST`, `scaleFromDeployment`]. kubectl's `scale` PATCHes it with a merge patch and needs a Scale back
  (a Status made kubectl panic, reference §A3b).
- `*/status` reads the object and writes only its `status` [registry strategies' `PrepareForUpdate` of the
  status REST].
- `pods/eviction` (POST `policy/v1 Eviction`) deletes the pod gracefully and answers 201 Status Success
  [pkg/registry/core/pod/storage/eviction.go]; the engine models no PodDisruptionBudget, so none blocks.
- `pods/binding` (POST `v1 Binding`) sets `spec.nodeName` of an unscheduled pod [pod/storage `BindingREST`].
- `pods|services|nodes/proxy` forward the request to the backend's HTTP server (proxy.py).
- `pods/exec|attach|portforward` reached without a protocol upgrade: 400 `Upgrade request required`, what
  kube-apiserver answers a plain request (apimachinery pkg/util/httpstream `handshake`).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from visualizer.engine.clock import stamp
from visualizer.engine.objects import clone, selector_string

from . import deletes, managed_fields, status
from . import write_support as ws
from .http import ApiRequest, ApiResponse, json_response
from .patch import (
    APPLY,
    JSON_PATCH,
    MERGE,
    PATCH_TYPES,
    STRATEGIC,
    PatchError,
    apply_json_patch,
    merge_patch,
    parse_json,
    strategic_merge,
)
from .patch_schema import root

if TYPE_CHECKING:
    from .catalog import Served
    from .context import ApiContext
    from .router import Target


def handle(ctx: ApiContext, req: ApiRequest, served: Served, target: Target, verb: str) -> ApiResponse:
    """Answers a request for `target.subresource` of `served` (verbs already checked by server.py)."""
    sub = target.subresource
    if sub == "log":
        from . import logs

        return logs.handle(ctx, req, served, target)
    if sub in ("exec", "attach"):
        # Reached without a websocket: kubectl's SPDY fallback after a refused upgrade (exec.go). Answer with the
        # session's own refusal, so kubectl prints why; a session that could run needs the upgrade.
        from .execute import ExecSession

        refused = ExecSession(ctx, target.namespace, target.name, req.query, attach=sub == "attach").refusal(
            ctx
        )
        return refused if refused is not None else status.bad_request("Upgrade request required")
    if sub == "portforward":
        # Not simulated: say so in words kubectl prints after `error upgrading connection: `.
        return status.bad_request(
            "port forwarding is not available in this simulated cluster: use `kubectl exec` to run a command in "
            "the pod, or a Service and `curl` from another pod"
        )
    if sub == "proxy":
        from . import proxy

        return proxy.handle(ctx, req, served, target)
    if sub == "scale":
        return scale(ctx, req, served, target, verb)
    if sub == "status":
        return status_sub(ctx, req, served, target, verb)
    if sub == "eviction":
        return eviction(ctx, req, served, target)
    if sub == "binding":
        return binding(ctx, req, served, target)
    return status.page_not_found()


# ---------------------------------------------------------------------------------------------- scale
def scale_of(obj: dict) -> dict:
    """Returns the autoscaling/v1 Scale of a Deployment, ReplicaSet, StatefulSet or ReplicationController."""
    meta = obj["metadata"]
    spec = obj.get("spec") or {}
    selector = spec.get("selector")
    if obj["kind"] == "ReplicationController":
        text = ",".join(f"{k}={v}" for k, v in sorted((selector or {}).items()))
    else:
        text = selector_string(selector)
    scale_meta = {
        k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp") if k in meta
    }
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": scale_meta,
        "spec": {"replicas": spec.get("replicas", 1)},
        "status": {"replicas": (obj.get("status") or {}).get("replicas", 0), "selector": text},
    }


@ws.guard
def scale(ctx: ApiContext, req: ApiRequest, served: Served, target: Target, verb: str) -> ApiResponse:
    """GET/PUT/PATCH `<resource>/<name>/scale`."""
    c = ctx.cluster
    live = ws.live_object(c, served, target.namespace, target.name)
    if live is None:
        raise ws.not_found(served, target.name)
    current = scale_of(live)
    if verb == "get":
        return json_response(current)
    dry = ws.dry_run(req)
    if verb == "update":
        if req.content_type not in ws.JSON_TYPES + ws.YAML_TYPES:
            return ws.unsupported_media_type(["application/json", "application/yaml"])
        body = _json_or_yaml(req)
    else:
        body = _patched(req, current)
        if isinstance(body, ApiResponse):
            return body
    if not isinstance(body, dict) or body.get("kind", "Scale") != "Scale":
        return status.bad_request("the body of a scale request must be an autoscaling/v1 Scale")
    meta = body.get("metadata") or {}
    if not isinstance(meta, dict) or not isinstance(body.get("spec") or {}, dict):
        return status.bad_request(
            'Scale in version "v1" cannot be handled as a Scale: json: cannot unmarshal into Go struct field '
            "Scale.metadata of type v1.ObjectMeta"
        )
    if meta.get("name") not in (None, target.name):
        return status.bad_request(
            f"the name of the object ({meta.get('name')}) does not match the name on the URL ({target.name})"
        )
    rv = meta.get("resourceVersion")
    if verb == "update" and rv not in (None, "") and rv != live["metadata"]["resourceVersion"]:
        return status.failure(
            409,
            "Conflict",
            f'Operation cannot be fulfilled on {served.qualified} "{target.name}": the object has been modified; '
            "please apply your changes to the latest version and try again",
            {"name": target.name, "group": served.group, "kind": served.plural},
        )
    replicas = (body.get("spec") or {}).get("replicas", 0)
    if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
        cause = f"Invalid value: {json.dumps(replicas)}: must be greater than or equal to 0"
        return status.failure(
            422,
            "Invalid",
            f'Scale.autoscaling "{target.name}" is invalid: spec.replicas: {cause}',
            {
                "name": target.name,
                "group": "autoscaling",
                "kind": "Scale",
                "causes": [{"reason": "FieldValueInvalid", "message": cause, "field": "spec.replicas"}],
            },
        )
    upd = clone(live)
    upd["spec"]["replicas"] = replicas
    ws.limit_pods(c, [upd], served, target.name)
    if upd["spec"] == live["spec"]:
        return json_response(current)
    manager = ws.field_manager(req, "kubectl")
    managed_fields.on_update(
        live, upd, manager, served.group_version, stamp(c.clock.now), subresource="scale"
    )
    if dry:
        return json_response(scale_of(upd))
    stored = ctx.write(
        ws.command_of(req),
        ws.request_line(req, served, target),
        lambda: c.api.update(upd, "kubectl", user=True, verb="scale"),
    )
    return json_response(scale_of(stored))


def _json_or_yaml(req: ApiRequest):
    import yaml

    from visualizer.engine.body_limits import load_yaml, loads_json

    try:
        if req.content_type in ws.YAML_TYPES:
            return load_yaml(req.body)
        return loads_json(req.body)
    except (UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        raise ws.Refused(status.bad_request(f"couldn't get version/kind; json parse error: {exc}")) from None


def _patched(req: ApiRequest, current: dict, node=None):
    """Applies a PATCH body of any of the four types to `current` (a Scale unless `node` says otherwise; apply
    is taken as a merge of its fields)."""
    ctype = req.content_type
    if ctype not in PATCH_TYPES:
        return ws.unsupported_media_type(PATCH_TYPES)
    try:
        if ctype == MERGE:
            body = parse_json(req.body)
            if not isinstance(body, dict):
                raise PatchError(
                    400, "BadRequest", "json: cannot unmarshal into Go value of type map[string]interface {}"
                )
            return merge_patch(current, body)
        if ctype == JSON_PATCH:
            return apply_json_patch(current, req.body)
        if ctype == STRATEGIC:
            body = parse_json(req.body)
            if not isinstance(body, dict):
                raise PatchError(
                    400, "BadRequest", "json: cannot unmarshal into Go value of type map[string]interface {}"
                )
            return strategic_merge(clone(current), body, node or root("autoscaling/v1", "Scale"))
        if ctype == APPLY:
            body = _json_or_yaml(req)
            return merge_patch(current, body if isinstance(body, dict) else {})
    except PatchError as err:
        return ws.patch_error(err)
    return current


# ---------------------------------------------------------------------------------------------- status
@ws.guard
def status_sub(ctx: ApiContext, req: ApiRequest, served: Served, target: Target, verb: str) -> ApiResponse:
    """GET/PUT/PATCH `<resource>/<name>/status`: only `status` changes on a write."""
    c = ctx.cluster
    live = ws.live_object(c, served, target.namespace, target.name)
    if live is None:
        raise ws.not_found(served, target.name)
    view = clone(ws.served_view(live, served))
    if verb == "get":
        return json_response(view)
    dry = ws.dry_run(req)
    if verb == "update":
        body = ws.decode_body(req, served)
    else:
        if req.content_type not in PATCH_TYPES:
            return ws.unsupported_media_type(PATCH_TYPES)
        if req.content_type == APPLY:
            body = merge_patch(view, _json_or_yaml(req) or {})
        else:
            body = _patched(req, view, root(served.group_version, served.kind))
            if isinstance(body, ApiResponse):
                return body
    if not isinstance(body, dict):
        return status.bad_request("the body is not an object")
    ws.check_preconditions(ws.with_type(body, served), live, served, target.name)
    new_status = body.get("status")
    if new_status is not None and not isinstance(new_status, dict):
        return status.bad_request(
            f'{served.kind} in version "{served.version}" cannot be handled as a {served.kind}: json: cannot '
            f"unmarshal into Go struct field {served.kind}.status"
        )
    upd = clone(live)
    if new_status is None:
        upd.pop("status", None)
    else:
        upd["status"] = new_status
    if dry or upd == live:
        return json_response(ws.served_view(upd, served))
    stored = ctx.write(
        ws.command_of(req),
        ws.request_line(req, served, target),
        lambda: c.api.update_status(upd, "kubectl"),
    )
    return json_response(ws.served_view(stored, served))


# ---------------------------------------------------------------------------------------------- eviction
@ws.guard
def eviction(ctx: ApiContext, req: ApiRequest, served: Served, target: Target) -> ApiResponse:
    """POST `pods/<name>/eviction`: the pod is deleted gracefully (its Eviction's deleteOptions apply)."""
    c = ctx.cluster
    body = _json_or_yaml(req) if req.body.strip() else {}
    meta = body.get("metadata") if isinstance(body, dict) else None
    opts = body.get("deleteOptions") if isinstance(body, dict) else None
    if (
        not isinstance(body, dict)
        or not isinstance(meta or {}, dict)
        or not isinstance(opts or {}, dict)
        or not isinstance((opts or {}).get("preconditions") or {}, dict)
        or not isinstance((opts or {}).get("gracePeriodSeconds", 0), int)
    ):
        return status.bad_request(
            'Eviction in version "v1" cannot be handled as a Eviction: the body is not a policy/v1 Eviction'
        )
    name = (meta or {}).get("name")
    if name not in (None, "", target.name):
        return status.bad_request("name in URL does not match name in Eviction object")
    live = ws.live_object(c, served, target.namespace, target.name)
    if live is None:
        raise ws.not_found(served, target.name)
    opts = opts or {}
    if opts.get("dryRun") or req.query.get("dryRun"):
        return status.success(code=201)
    pre = opts.get("preconditions") or {}
    if pre:
        ws.check_preconditions({"metadata": pre}, live, served, target.name)
    if not live["metadata"].get("deletionTimestamp"):
        ctx.write(
            ws.command_of(req),
            ws.request_line(req, served, target),
            lambda: deletes.delete_object(
                c, live, {k: v for k, v in opts.items() if k == "gracePeriodSeconds"}
            ),
        )
    return status.success(code=201)


# ---------------------------------------------------------------------------------------------- binding
@ws.guard
def binding(ctx: ApiContext, req: ApiRequest, served: Served, target: Target) -> ApiResponse:
    """POST `pods/<name>/binding`: assigns the pod to `target.name` (a Node) once."""
    c = ctx.cluster
    body = _json_or_yaml(req)
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("target"), dict)
        or not isinstance(body["target"].get("name", ""), str)
    ):
        return status.bad_request("the body of a binding must be a v1 Binding with a target")
    live = ws.live_object(c, served, target.namespace, target.name)
    if live is None:
        raise ws.not_found(served, target.name)
    node = body["target"].get("name") or ""
    if live["spec"].get("nodeName"):
        return status.failure(
            409,
            "Conflict",
            f'Operation cannot be fulfilled on pods/binding "{target.name}": pod {target.name} is already '
            f'assigned to node "{live["spec"]["nodeName"]}"',
            {"name": target.name, "kind": "pods/binding"},
        )
    if c.api.get("Node", None, node) is None:
        return status.not_found("nodes", node)
    upd = clone(live)
    upd["spec"]["nodeName"] = node
    ctx.write(
        ws.command_of(req),
        ws.request_line(req, served, target),
        lambda: c.api.update(upd, "kubectl", user=True),
    )
    return status.success(code=201)
