"""metrics.k8s.io for `kubectl top`: PodMetrics and NodeMetrics from the engine's simulated usage.

The usage model is the console's (visualizer.engine.kubectl.top: `pod_usage`, `node_usage`), so the real
kubectl and the console print the same numbers. Shapes as metrics-server serves them and kubectl v1.37
accepted them (reference §A3d; sigs.k8s.io/metrics pkg/apis/metrics/v1beta1/types.go):

    {"kind": "PodMetrics", "apiVersion": "metrics.k8s.io/v1beta1",
     "metadata": {"name", "namespace", "labels", "creationTimestamp"}, "timestamp": …, "window": "15s",
     "containers": [{"name": "nginx", "usage": {"cpu": "23700000n", "memory": "12288Ki"}}]}
    {"kind": "NodeMetrics", …, "window": "20s", "usage": {"cpu": "…n", "memory": "…Ki"}}

Lists are `PodMetricsList` / `NodeMetricsList`; `labelSelector` and `fieldSelector` (`metadata.name`,
`metadata.namespace`) filter them; a pod or node without metrics (not Running, machine down) is absent from
lists and 404 `podmetrics.metrics.k8s.io "x" not found` when asked for by name. The group is read-only:
other verbs answer 405.
"""

from __future__ import annotations

from dataclasses import dataclass

from visualizer.engine.clock import stamp
from visualizer.engine.kubectl import top

from . import selectors, status, tables
from .http import ApiResponse, json_response

GROUP = "metrics.k8s.io"
VERSIONS = ("v1beta1", "v1")


@dataclass(frozen=True)
class _Res:
    """What selectors.matcher needs of a served resource."""

    group: str
    plural: str


def cpu_quantity(nanocores: int) -> str:
    """Returns CPU usage as metrics-server writes it (nanocores: `23700000n`)."""
    return f"{nanocores}n"


def memory_quantity(nbytes: int) -> str:
    """Returns memory usage as metrics-server writes it (`12288Ki`; bytes when not whole KiB)."""
    return f"{nbytes // 1024}Ki" if nbytes % 1024 == 0 else str(nbytes)


def _meta(cluster, obj: dict) -> dict:
    meta = {"name": obj["metadata"]["name"]}
    if obj["metadata"].get("namespace"):
        meta["namespace"] = obj["metadata"]["namespace"]
    if obj["metadata"].get("labels"):
        meta["labels"] = dict(obj["metadata"]["labels"])
    meta["creationTimestamp"] = stamp(cluster.clock.now)
    return meta


def pod_metrics(cluster, pod: dict, version: str = "v1beta1") -> dict | None:
    """Returns the PodMetrics of a pod, None when it has none."""
    usage = top.pod_usage(cluster, pod)
    if usage is None:
        return None
    return {
        "kind": "PodMetrics",
        "apiVersion": f"{GROUP}/{version}",
        "metadata": _meta(cluster, pod),
        "timestamp": stamp(cluster.clock.now),
        "window": top.POD_WINDOW,
        "containers": [
            {"name": name, "usage": {"cpu": cpu_quantity(cpu), "memory": memory_quantity(mem)}}
            for name, cpu, mem in usage
        ],
    }


def node_metrics(cluster, node: dict, version: str = "v1beta1") -> dict | None:
    """Returns the NodeMetrics of a node, None when it has none."""
    usage = top.node_usage(cluster, node)
    if usage is None:
        return None
    cpu, mem = usage
    return {
        "kind": "NodeMetrics",
        "apiVersion": f"{GROUP}/{version}",
        "metadata": _meta(cluster, node),
        "timestamp": stamp(cluster.clock.now),
        "window": top.NODE_WINDOW,
        "usage": {"cpu": cpu_quantity(cpu), "memory": memory_quantity(mem)},
    }


def handle(ctx, req, target) -> ApiResponse:
    """Answers `GET /apis/metrics.k8s.io/<v>/[namespaces/<ns>/]pods[/<name>]` and `…/nodes[/<name>]`."""
    if target.version not in VERSIONS or target.resource not in ("pods", "nodes") or target.subresource:
        return status.page_not_found()
    if target.resource == "nodes" and target.namespace is not None:
        return status.page_not_found()
    kind = "PodMetrics" if target.resource == "pods" else "NodeMetrics"
    if req.method.upper() not in ("GET", "HEAD") or req.flag("watch"):
        verb = "watch" if req.flag("watch") else req.method.lower()
        return status.method_not_allowed(verb, f"{target.resource}.{GROUP}")
    wanted = tables.negotiate(req)
    if wanted is None:
        return tables.not_acceptable()
    c = ctx.cluster
    if target.resource == "pods":
        if target.name and target.namespace is None:
            return status.page_not_found()
        sources = c.store.list("Pod", target.namespace)
        build = pod_metrics
    else:
        sources = c.store.list("Node")
        build = node_metrics
    sources = sorted(sources, key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))
    if target.name:
        obj = next((o for o in sources if o["metadata"]["name"] == target.name), None)
        metrics = build(c, obj, target.version) if obj is not None else None
        if metrics is None:
            plural = f"{target.resource.rstrip('s')}metrics"  # metrics-server's NotFound names `podmetrics`
            return status.not_found(f"{plural}.{GROUP}", target.name, plural, GROUP)
        if wanted.as_ == "Table":
            return json_response(_table(req, [metrics], wanted.version))
        return json_response(metrics)
    match = selectors.matcher(req, _Res(GROUP, target.resource))
    items = [m for m in (build(c, o, target.version) for o in sources) if m is not None and match(m)]
    if wanted.as_ == "Table":
        return json_response(_table(req, items, wanted.version))
    return json_response(
        {
            "kind": f"{kind}List",
            "apiVersion": f"{GROUP}/{target.version}",
            "metadata": {},
            "items": items,
        }
    )


def _table(req, items: list[dict], version: str) -> dict:
    """The default table (Name, Created At) for `kubectl get podmetrics` and the like."""
    columns = tables.column_definitions(items[0]["kind"] if items else "PodMetrics")
    rows = [(m, [m["metadata"]["name"], m["metadata"]["creationTimestamp"]]) for m in items]
    return tables.table(columns, rows, "", req, version)
