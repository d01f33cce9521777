"""Node Leases (`coordination.k8s.io/v1`, namespace `kube-node-lease`), computed from the node heartbeats.

Each kubelet holds a Lease named after its node, renewed every 10 s with a 40 s duration (kubelet
pkg/kubelet/nodelease; D concepts/architecture/nodes.md §Node heartbeats); `kubectl describe node` reads it
(`GET /apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/<node>`) for its `Lease:` section. The
engine does not store Leases (a write per node every 10 s); `visualizer.engine.node_heartbeat` derives the
renew time from the clock, as the console's describe does, and this module shapes it as the object:

    {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
     "metadata": {"name": "worker-1", "namespace": "kube-node-lease", "ownerReferences": [<the Node>], …},
     "spec": {"holderIdentity": "worker-1", "leaseDurationSeconds": 40, "renewTime": "…T…:10.000000Z"}}

`renewTime` is a MicroTime (RFC 3339 with six fractional digits, apimachinery pkg/apis/meta/v1
micro_time.go). Leases are read-only here.
"""

from __future__ import annotations

import uuid

from visualizer.engine.node_heartbeat import lease_renew_time

from . import selectors, status, tables
from .http import ApiResponse, json_response

NAMESPACE = "kube-node-lease"
LEASE_DURATION_SECONDS = 40  # kubelet nodelease.NewController(…, leaseDurationSeconds=40)
_NS = uuid.UUID("1f0e7d6c-5b4a-4938-8271-6a5b4c3d2e1f")


def micro_time(stamp: str | None) -> str | None:
    """Returns an API timestamp (`2025-03-03T09:00:10Z`) as a MicroTime (`2025-03-03T09:00:10.000000Z`)."""
    if not stamp:
        return None
    return stamp[:-1] + ".000000Z" if stamp.endswith("Z") and "." not in stamp else stamp


def node_lease(cluster, node: dict) -> dict:
    """Returns the Lease the node's kubelet holds now."""
    meta = node["metadata"]
    name = meta["name"]
    return {
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": {
            "name": name,
            "namespace": NAMESPACE,
            "uid": str(uuid.uuid5(_NS, meta.get("uid") or name)),
            "resourceVersion": str(cluster.store.revision),
            "creationTimestamp": meta.get("creationTimestamp"),
            "ownerReferences": [
                {"apiVersion": "v1", "kind": "Node", "name": name, "uid": meta.get("uid", "")}
            ],
        },
        "spec": {
            "holderIdentity": name,
            "leaseDurationSeconds": LEASE_DURATION_SECONDS,
            "renewTime": micro_time(lease_renew_time(cluster, node)),
        },
    }


def _leases(cluster, namespace: str | None) -> list[dict]:
    if namespace not in (None, NAMESPACE):
        return []
    nodes = sorted(cluster.store.list("Node"), key=lambda n: n["metadata"]["name"])
    return [node_lease(cluster, n) for n in nodes]


def _table(cluster, req, leases: list[dict], rv: str, version: str) -> dict:
    from visualizer.engine.kubectl.printers import age

    columns = tables.column_definitions("Lease")
    now = cluster.clock.now
    items = [(ls, [ls["metadata"]["name"], ls["spec"]["holderIdentity"], age(ls, now)]) for ls in leases]
    return tables.table(columns, items, rv, req, version)


def list_(ctx, req, served, target) -> ApiResponse:
    """Answers a list of Leases (the node Leases in kube-node-lease; empty in any other namespace)."""
    wanted = tables.negotiate(req)
    if wanted is None:
        return tables.not_acceptable()
    match = selectors.matcher(req, served)
    leases = [ls for ls in _leases(ctx.cluster, target.namespace) if match(ls)]
    rv = str(ctx.cluster.store.revision)
    if wanted.as_ == "Table":
        return json_response(_table(ctx.cluster, req, leases, rv, wanted.version))
    from .reads import typed_list

    return json_response(typed_list(served, leases, rv))


def get(ctx, req, served, target) -> ApiResponse:
    """Answers GET of one Lease; 404 `leases.coordination.k8s.io "x" not found` for any other name."""
    wanted = tables.negotiate(req)
    if wanted is None:
        return tables.not_acceptable()
    if target.namespace is None:
        return status.page_not_found()
    lease = next(
        (ls for ls in _leases(ctx.cluster, target.namespace) if ls["metadata"]["name"] == target.name), None
    )
    if lease is None:
        return status.not_found(served.qualified, target.name, served.plural, served.group)
    if wanted.as_ == "Table":
        return json_response(
            _table(ctx.cluster, req, [lease], lease["metadata"]["resourceVersion"], wanted.version)
        )
    return json_response(lease)
