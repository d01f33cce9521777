"""delete and deletecollection [apiserver pkg/endpoints/handlers/delete.go; registry/generic/registry/store.go].

DeleteOptions come from the JSON body or the query: `propagationPolicy` Background (the default: the owner goes
at once and the garbage collector removes its dependents), Foreground (the owner stays, with the
`foregroundDeletion` finalizer, until its dependents are gone) or Orphan (the dependents lose their
ownerReference and stay); `gracePeriodSeconds` (0 removes a pod at once: `--force`); `preconditions` (uid,
resourceVersion: 409 when they do not match); `dryRun`. The engine does the deletion (`c.api.delete`, the
garbage collector), inside `ctx.write`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from visualizer.engine.body_limits import DecodeLimitError, loads_json
from visualizer.engine.clock import stamp
from visualizer.engine.objects import BY_KIND, clone, etcd_key

from . import status
from .http import ApiRequest, ApiResponse, json_response
from .write_support import (
    Refused,
    check_preconditions,
    command_of,
    guard,
    live_object,
    not_found,
    request_line,
    served_view,
)

if TYPE_CHECKING:
    from .catalog import Served
    from .context import ApiContext
    from .router import Target


# ---------------------------------------------------------------------------------------------- delete
def delete_options(req: ApiRequest) -> dict:
    """Returns the DeleteOptions of a request: the JSON body, else the query parameters."""
    opts: dict = {}
    if req.body.strip():
        try:
            body = loads_json(req.body)
        except DecodeLimitError as exc:
            raise Refused(status.bad_request(exc.message)) from None
        except (UnicodeDecodeError, ValueError) as exc:
            from .patch import go_json_error

            raise Refused(status.bad_request(go_json_error(req.body, exc))) from None
        if not isinstance(body, dict):
            raise Refused(status.bad_request("json: cannot unmarshal into Go value of type v1.DeleteOptions"))
        opts.update(body)
    for key in ("gracePeriodSeconds", "propagationPolicy", "orphanDependents"):
        if key not in opts and req.param(key) is not None:
            value = req.param(key)
            if key == "gracePeriodSeconds":
                try:
                    value = int(value)
                except ValueError:
                    raise Refused(
                        status.bad_request(f'strconv.ParseInt: parsing "{value}": invalid syntax')
                    ) from None
            if key == "orphanDependents":
                value = value.lower() in ("true", "1")
            opts[key] = value
    if req.query.get("dryRun"):
        opts["dryRun"] = req.query["dryRun"]
    policy = opts.get("propagationPolicy")
    if policy is not None and policy not in ("Foreground", "Background", "Orphan"):
        raise Refused(
            status.failure(
                422,
                "Invalid",
                f'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "{policy}": '
                'supported values: "Foreground", "Background", "Orphan", "nil"',
                {"group": "meta.k8s.io", "kind": "DeleteOptions"},
            )
        )
    for v in opts.get("dryRun") or []:
        if v != "All":
            raise Refused(
                status.failure(
                    422,
                    "Invalid",
                    f'DeleteOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: "{v}": supported values: "All"',
                    {"group": "meta.k8s.io", "kind": "DeleteOptions"},
                )
            )
    grace = opts.get("gracePeriodSeconds")
    if grace is not None and (not isinstance(grace, int) or isinstance(grace, bool)):
        raise Refused(
            status.bad_request(
                "json: cannot unmarshal into Go struct field DeleteOptions.gracePeriodSeconds of type int64"
            )
        )
    return opts


def _policy(opts: dict) -> str:
    if opts.get("propagationPolicy"):
        return opts["propagationPolicy"]
    if opts.get("orphanDependents") is True:
        return "Orphan"
    return "Background"


@guard
def delete(ctx: ApiContext, req: ApiRequest, served: Served, target: Target) -> ApiResponse:
    """DELETE an object. A pod that terminates gracefully (and an owner deleted in the foreground, a namespace
    that starts terminating) is answered with the object as it now is; an object removed at once with a
    `Status` Success naming it [apiserver registry/generic/registry/store.go `Delete`, `finalizeDelete`]."""
    c = ctx.cluster
    opts = delete_options(req)
    live = live_object(c, served, target.namespace, target.name)
    if live is None:
        raise not_found(served, target.name)
    refusal = _undeletable(served, live)
    if refusal is not None:
        return refusal
    pre = opts.get("preconditions") or {}
    if pre:
        check_preconditions({"metadata": pre}, live, served, target.name)
    dry = bool(opts.get("dryRun"))
    if dry:
        after = _dry_delete(c, live, opts)
    else:
        after = ctx.write(
            command_of(req), request_line(req, served, target), lambda: delete_object(c, live, opts)
        )
    if after is not None:
        return json_response(served_view(after, served), 200)
    return deleted_status(live, served)


def _undeletable(served: Served, live: dict) -> ApiResponse | None:
    name = live["metadata"]["name"]
    if served.kind == "Node":
        return status.failure(
            403,
            "Forbidden",
            f'nodes "{name}" is forbidden: nodes are managed by the simulator (use `sim fail-node` to break a node)',
            {"name": name, "kind": "nodes"},
        )
    if served.kind == "Namespace" and name in ("default", "kube-system", "kube-public", "kube-node-lease"):
        # NamespaceLifecycle admission [kubernetes plugin/pkg/admission/namespace/lifecycle].
        return status.failure(
            403,
            "Forbidden",
            f'namespaces "{name}" is forbidden: this namespace may not be deleted',
            {"name": name, "kind": "namespaces"},
        )
    return None


def deleted_status(live: dict, served: Served) -> ApiResponse:
    """The Status Success of an object removed at once (`details.kind` is the resource, as the registry sets it)."""
    details = {"name": live["metadata"]["name"]}
    if served.group:
        details["group"] = served.group
    details["kind"] = served.plural
    details["uid"] = live["metadata"]["uid"]
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details}
    return json_response(body, 200)


def _dry_delete(c, live: dict, opts: dict) -> dict | None:
    grace = opts.get("gracePeriodSeconds")
    if live["kind"] == "Pod" and live["spec"].get("nodeName") and grace != 0:
        view = clone(live)
        period = (
            live["spec"].get("terminationGracePeriodSeconds", 30) if grace is None or grace < 0 else grace
        )
        view["metadata"].setdefault("deletionTimestamp", stamp(c.clock.now + period))
        view["metadata"].setdefault("deletionGracePeriodSeconds", period)
        return view
    return None


def delete_object(c, live: dict, opts: dict) -> dict | None:
    """Deletes `live` with DeleteOptions `opts` through the engine; returns the object when it still exists
    (terminating), None when it is gone. Orphan strips the dependents' ownerReferences first (what the
    garbage collector's orphan finalizer does); Foreground leaves the owner until its dependents are gone."""
    policy = _policy(opts)
    grace = opts.get("gracePeriodSeconds")
    uid = live["metadata"]["uid"]
    if policy == "Orphan":
        for child in c.store.owned(uid):
            upd = clone(child)
            refs = [o for o in upd["metadata"].get("ownerReferences", []) if o.get("uid") != uid]
            if refs:
                upd["metadata"]["ownerReferences"] = refs
            else:
                upd["metadata"].pop("ownerReferences", None)
            c.api.update(upd, "kubectl")
    if policy == "Foreground" and live["kind"] not in ("Pod", "Namespace") and c.store.owned(uid):
        c.emit_request("delete", live)
        c.gc.delete_foreground(live)
    elif live["kind"] == "Pod" and grace == 0:
        c.api.delete(live, "kubectl", user=True, force=True)
    else:
        c.api.delete(live, "kubectl", user=True, grace=grace)
    if live["kind"] == "HorizontalPodAutoscaler":
        c.hpa_history.pop(
            etcd_key(BY_KIND[live["kind"]], live["metadata"]["namespace"], live["metadata"]["name"]), None
        )
    res = BY_KIND[live["kind"]]
    return c.store.get(etcd_key(res, live["metadata"].get("namespace"), live["metadata"]["name"]))


@guard
def deletecollection(ctx: ApiContext, req: ApiRequest, served: Served, target: Target) -> ApiResponse:
    """DELETE a collection: every object matching `labelSelector`/`fieldSelector` is deleted; the answer is the
    `<Kind>List` of what was deleted [registry store.go `DeleteCollection`]."""
    c = ctx.cluster
    opts = delete_options(req)
    match = _matcher(req, served)
    objs = [
        o
        for o in c.store.list(served.engine_kind, target.namespace if served.namespaced else None)
        if match(o)
    ]
    objs = [o for o in objs if _undeletable(served, o) is None]
    if served.kind == "Service":
        objs = [o for o in objs if o["metadata"]["name"] != "kubernetes"]
    items = []
    if opts.get("dryRun"):
        items = [served_view(o, served) for o in objs]
    else:

        def run():
            for o in objs:
                after = delete_object(c, o, opts)
                items.append(served_view(after or o, served))

        ctx.write(command_of(req), request_line(req, served, target), run)
    body = {
        "kind": f"{served.kind}List",
        "apiVersion": served.group_version,
        "metadata": {"resourceVersion": str(c.store.revision)},
        "items": items,
    }
    return json_response(body, 200)


def _matcher(req: ApiRequest, served: Served):
    """labelSelector + fieldSelector (reads' selectors.matcher when present; else labels and metadata.name)."""
    try:
        from . import selectors

        return selectors.matcher(req, served)
    except ImportError:
        from visualizer.engine.objects import matches, parse_selector

        reqs = parse_selector(req.param("labelSelector") or "")
        field = req.param("fieldSelector") or ""
        name = field.removeprefix("metadata.name=") if field.startswith("metadata.name=") else None
        return lambda o: (
            matches(reqs, o["metadata"].get("labels")) and (name is None or o["metadata"]["name"] == name)
        )
