"""get and list, as objects or as a server-side printed Table.

`get` answers `GET …/<plural>/<name>`: the stored object as-is (the console's `-o json` prints the same
dict), or a one-row Table; a missing object is 404 `pods "x" not found` / `deployments.apps "x" not found`
(apimachinery pkg/api/errors `NewNotFound`; the real server answers that for a missing namespace too).
`list_` answers `GET …/<plural>` in one namespace (`/api/v1/namespaces/default/pods`), across all
namespaces (`/api/v1/pods`, `kubectl get -A`) or for a cluster-scoped kind: a typed `<Kind>List` tagged with
the group-version asked for and `metadata.resourceVersion` = the store revision, items in etcd key order
(namespace, then name), filtered by `labelSelector` / `fieldSelector` (selectors.py). `limit` is honoured by
returning everything at once, which the API conventions allow (reference §A3b; api-concepts.md "Retrieving
large results sets in chunks": a server may ignore limit and send no `continue`).

ResourceQuotas include `simulator-limits` in every namespace, built at read time (engine object_quota.py).
Events, Leases and metrics are not engine kinds: events_api.py, leases.py and metrics.py answer them.
HorizontalPodAutoscalers are stored as autoscaling/v2; at autoscaling/v1 they are converted (hpa_v1).
"""

from __future__ import annotations

from visualizer.engine import object_quota
from visualizer.engine.node_heartbeat import with_heartbeats
from visualizer.engine.objects import BY_KIND

from . import selectors, status, tables
from .http import ApiResponse, json_response

# kube-apiserver marks core/v1 Endpoints deprecated from v1.33 (KEP-4974) and says so on every request; kubectl
# prints the header as `Warning: <text>` on stderr (client-go rest/warnings.go).
ENDPOINTS_WARNING = (
    "Warning",
    '299 - "v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice"',
)


def _answer(served, data) -> ApiResponse:
    """Returns a 200 JSON answer, with the deprecation warning for Endpoints."""
    return json_response(data, headers=[ENDPOINTS_WARNING] if served.kind == "Endpoints" else None)


def _bad_scope(served, target) -> bool:
    """True when the path's scope does not fit the resource (a namespace on a cluster-scoped kind, or a
    namespaced object named without one): the real server has no such route (404)."""
    if not served.namespaced and target.namespace is not None:
        return True
    return bool(served.namespaced and target.name and target.namespace is None)


def get(ctx, req, served, target) -> ApiResponse:
    """Answers GET of one object (JSON object or Table); 404 NotFound when it does not exist."""
    if served.engine_kind is None:
        return _delegate(ctx, req, served, target, "get")
    if _bad_scope(served, target):
        return status.page_not_found()
    wanted = tables.negotiate(req)
    if wanted is None:
        return tables.not_acceptable()
    res = BY_KIND[served.engine_kind]
    # a stored object, or the simulator's `simulator-limits` ResourceQuota built as of now (object_quota.py)
    obj = object_quota.lookup(
        ctx.cluster, res.kind, target.namespace if res.namespaced else None, target.name
    )
    if obj is None:
        return status.not_found(served.qualified, target.name, served.plural, served.group)
    obj = served_form(obj, served, ctx.cluster)
    if wanted.as_ == "Table":
        rv = obj["metadata"].get("resourceVersion", "")
        return _answer(served, tables.engine_table(ctx.cluster, req, obj["kind"], [obj], rv, wanted.version))
    if wanted.as_.startswith("PartialObjectMetadata"):
        return _answer(served, tables.partial(obj, wanted.version))
    return _answer(served, obj)


def list_(ctx, req, served, target) -> ApiResponse:
    """Answers GET of a collection (a `<Kind>List` or a Table), filtered by the request's selectors."""
    if served.engine_kind is None:
        return _delegate(ctx, req, served, target, "list")
    if _bad_scope(served, target):
        return status.page_not_found()
    wanted = tables.negotiate(req)
    if wanted is None:
        return tables.not_acceptable()
    match = selectors.matcher(req, served)
    objs = collect(ctx.cluster, served, target.namespace, match)
    rv = str(ctx.cluster.store.revision)
    if wanted.as_ == "Table":
        return _answer(served, tables.engine_table(ctx.cluster, req, served.kind, objs, rv, wanted.version))
    if wanted.as_.startswith("PartialObjectMetadata"):
        return _answer(
            served,
            {
                "kind": "PartialObjectMetadataList",
                "apiVersion": f"meta.k8s.io/{wanted.version}",
                "metadata": {"resourceVersion": rv},
                "items": [tables.partial(o, wanted.version) for o in objs],
            },
        )
    return _answer(served, typed_list(served, objs, rv))


def collect(cluster, served, namespace: str | None, match=None) -> list[dict]:
    """Returns the served form of the engine objects of `served` in `namespace` (None: every namespace, or a
    cluster-scoped kind) that `match`, in etcd key order (namespace, name)."""
    res = BY_KIND[served.engine_kind]
    where = namespace if res.namespaced else None
    objs = object_quota.with_object_quotas(cluster, res.kind, where, cluster.store.list(res.kind, where))
    objs = sorted(objs, key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))
    out = []
    for o in objs:
        o = served_form(o, served, cluster)
        if match is None or match(o):
            out.append(o)
    return out


def typed_list(served, items: list[dict], resource_version: str) -> dict:
    """Returns the `<Kind>List` of items with the served group-version (`apps/v1` `ReplicaSetList`)."""
    return {
        "kind": f"{served.kind}List",
        "apiVersion": served.group_version,
        "metadata": {"resourceVersion": resource_version},
        "items": items,
    }


def served_form(obj: dict, served, cluster=None) -> dict:
    """Returns the object as `served`'s group-version shows it: itself, an HPA converted to v1, or (with
    `cluster`) a Node with its heartbeats as of now (node_heartbeat.with_heartbeats, as the console reads it)."""
    if served.kind == "HorizontalPodAutoscaler" and served.version == "v1":
        return hpa_v1(obj)
    if served.kind == "Node" and cluster is not None:
        return with_heartbeats(cluster, obj)
    return obj


def hpa_v1(hpa: dict) -> dict:
    """Returns an autoscaling/v2 HPA in its autoscaling/v1 shape (kubernetes pkg/apis/autoscaling/v1
    conversion.go): the CPU Utilization target becomes `targetCPUUtilizationPercentage`, the current CPU
    utilisation `currentCPUUtilizationPercentage`. Other metrics are not carried over (the real conversion
    keeps them in the `autoscaling.alpha.kubernetes.io/*` annotations; not simulated)."""
    spec = hpa.get("spec") or {}
    st = hpa.get("status") or {}
    out_spec = {
        "scaleTargetRef": spec.get("scaleTargetRef"),
        "minReplicas": spec.get("minReplicas", 1),
        "maxReplicas": spec.get("maxReplicas"),
    }
    for m in spec.get("metrics") or ():
        r = m.get("resource") or {}
        target = r.get("target") or {}
        if m.get("type") == "Resource" and r.get("name") == "cpu" and target.get("type") == "Utilization":
            out_spec["targetCPUUtilizationPercentage"] = target.get("averageUtilization")
    out_status = {
        k: st[k]
        for k in ("observedGeneration", "lastScaleTime", "currentReplicas", "desiredReplicas")
        if k in st
    }
    out_status.setdefault("currentReplicas", 0)
    out_status.setdefault("desiredReplicas", 0)
    for m in st.get("currentMetrics") or ():
        r = m.get("resource") or {}
        if m.get("type") == "Resource" and r.get("name") == "cpu":
            util = (r.get("current") or {}).get("averageUtilization")
            if util is not None:
                out_status["currentCPUUtilizationPercentage"] = util
    meta = hpa["metadata"]
    return {
        "kind": "HorizontalPodAutoscaler",
        "apiVersion": "autoscaling/v1",
        "metadata": meta,
        "spec": out_spec,
        "status": out_status,
    }


def _delegate(ctx, req, served, target, verb: str) -> ApiResponse:
    if served.kind == "Event":
        from . import events_api

        return (
            events_api.get(ctx, req, served, target)
            if verb == "get"
            else events_api.list_(ctx, req, served, target)
        )
    if served.kind == "EndpointSlice":
        from . import endpointslices

        if verb == "get":
            return endpointslices.get(ctx, req, served, target)
        return endpointslices.list_(ctx, req, served, target)
    if served.kind == "Lease":
        from . import leases

        return (
            leases.get(ctx, req, served, target) if verb == "get" else leases.list_(ctx, req, served, target)
        )
    return status.page_not_found()
