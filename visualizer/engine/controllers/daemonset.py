"""DaemonSet controller: one pod per eligible node, rolling updates node by node.

Follows kubernetes `pkg/controller/daemon` and docs concepts/workloads/controllers/daemonset.md:
- A node is eligible when it matches the template's `nodeSelector` (and required node affinity the
  scheduler understands) and every NoSchedule/NoExecute taint is tolerated by the pod's tolerations plus the
  ones the controller adds (`NodeShouldRunDaemonPod`). Cordoning does not matter: the pods tolerate
  `node.kubernetes.io/unschedulable`.
- Each pod is pinned with a required node affinity `matchFields metadata.name In [<node>]` and bound by the
  default scheduler (since v1.12 the controller no longer sets `nodeName`).
- Automatic tolerations: not-ready and unreachable `NoExecute` without tolerationSeconds (never evicted),
  disk-pressure, memory-pressure, pid-pressure and unschedulable `NoSchedule` (`util.AddOrUpdateDaemonPodTolerations`).
- Rolling update (defaults maxUnavailable 1, maxSurge 0): old pods are deleted while at most maxUnavailable
  nodes are without an available pod; a node gets its new pod once the old one is gone. `OnDelete` replaces
  only pods the user deletes. Failed pods are deleted and recreated.
- Status: desired/current/ready/updated/available/unavailable/misscheduled, observedGeneration.
Pods carry `controller-revision-hash` and `pod-template-generation` labels; revisions are ControllerRevisions.
"""

from __future__ import annotations

import math

from ..objects import omit_zero, with_status
from ..scheduler import tolerates
from ..store import pod_active, pod_ready
from .ownership import REVISION_HASH, pinned_nodes, pod_from_template, sync_revisions
from .replicaset import is_available
from .workload_narration import narrate_workload

COMPONENT = "controller-manager/daemonset-controller"
TEMPLATE_GENERATION = "pod-template-generation"
DAEMON_TOLERATIONS = [
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/pid-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"},
]


def _pin(spec: dict, node: str) -> None:
    """Replaces the required node selector terms with one `matchFields metadata.name In [node]` term
    (ReplaceDaemonSetPodNodeNameNodeAffinity: the controller already checked the template's own terms)."""
    aff = spec.setdefault("affinity", {}).setdefault("nodeAffinity", {})
    aff["requiredDuringSchedulingIgnoredDuringExecution"] = {
        "nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node]}]}]
    }


def _add_tolerations(spec: dict) -> None:
    tolerations = spec.setdefault("tolerations", [])
    for t in DAEMON_TOLERATIONS:
        if not any(x.get("key") == t["key"] and x.get("effect") == t["effect"] for x in tolerations):
            tolerations.append(dict(t))


def should_run(ds: dict, node: dict, effects: tuple[str, ...] = ("NoSchedule", "NoExecute")) -> bool:
    """Returns True when the DaemonSet wants a pod on this node (nodeSelector, node affinity, taints).

    With `effects=("NoExecute",)` it answers NodeShouldRunDaemonPod's `shouldContinueRunning`: a pod already
    there stays unless a NoExecute taint it does not tolerate appears (a new NoSchedule taint only stops new
    pods).
    """
    spec = ds["spec"]["template"]["spec"]
    labels = node["metadata"].get("labels") or {}
    if any(labels.get(k) != v for k, v in (spec.get("nodeSelector") or {}).items()):
        return False
    if not node_affinity_matches(spec, node):
        return False
    probe = {"spec": {"tolerations": list(spec.get("tolerations") or []) + DAEMON_TOLERATIONS}}
    for taint in node["spec"].get("taints") or []:
        if taint.get("effect") in effects and not tolerates(probe, taint):
            return False
    return True


def _requirement_ok(req: dict, value: str | None) -> bool:
    op, values = req.get("operator"), list(req.get("values") or [])
    if op == "In":
        return value is not None and value in values
    if op == "NotIn":
        return value is None or value not in values
    if op == "Exists":
        return value is not None
    if op == "DoesNotExist":
        return value is None
    if op in ("Gt", "Lt") and value is not None and values:
        try:
            a, b = int(value), int(values[0])
        except ValueError:
            return False
        return a > b if op == "Gt" else a < b
    return False


def node_affinity_matches(pod_spec: dict, node: dict) -> bool:
    """Returns True when the node satisfies the template's required node affinity (terms ORed, requirements
    ANDed; `matchFields` only on `metadata.name`) — NodeShouldRunDaemonPod's NodeAffinity check."""
    req = ((pod_spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution"
    )
    terms = (req or {}).get("nodeSelectorTerms") or []
    if not terms:
        return True
    labels = node["metadata"].get("labels") or {}
    for term in terms:
        exprs = (term or {}).get("matchExpressions") or []
        fields = (term or {}).get("matchFields") or []
        if not exprs and not fields:
            continue
        if all(_requirement_ok(r, labels.get(r.get("key"))) for r in exprs) and all(
            _requirement_ok(f, node["metadata"]["name"] if f.get("key") == "metadata.name" else None)
            for f in fields
        ):
            return True
    return False


def _resolve(value, total: int, round_up: bool) -> int:
    if isinstance(value, int):
        return value
    pct = int(str(value).rstrip("%"))
    exact = pct * total / 100
    return math.ceil(exact) if round_up else math.floor(exact)


class DaemonSetController:
    """Reconciles DaemonSets."""

    def __init__(self, cluster):
        self.c = cluster

    def sync(self, key: str) -> None:
        """Creates, deletes and replaces pods so that every eligible node runs one current pod; writes status."""
        c = self.c
        ds = c.store.get(key)
        if ds is None or ds["metadata"].get("deletionTimestamp"):
            return
        uid = ds["metadata"]["uid"]
        template = ds["spec"]["template"]
        h, _rev = sync_revisions(c, ds, template, COMPONENT)
        nodes = c.store.list("Node")
        eligible = {n["metadata"]["name"] for n in nodes if should_run(ds, n)}
        staying = {n["metadata"]["name"] for n in nodes if should_run(ds, n, ("NoExecute",))}
        by_node: dict[str, list[dict]] = {}
        for p in c.store.owned(uid, "Pod"):
            target = p["spec"].get("nodeName") or (pinned_nodes(p) or [None])[0]
            by_node.setdefault(target, []).append(p)
        min_ready = ds["spec"].get("minReadySeconds", 0)
        now = c.clock.now
        strategy = ds["spec"].get("updateStrategy") or {}
        rolling = strategy.get("type", "RollingUpdate") == "RollingUpdate"
        ru = strategy.get("rollingUpdate") or {}
        max_unavailable = _resolve(ru.get("maxUnavailable", 1), len(eligible), False) if rolling else 0
        if rolling and max_unavailable == 0 and _resolve(ru.get("maxSurge", 0), len(eligible), True) == 0:
            max_unavailable = 1
        to_create: list[str] = []
        to_delete: list[dict] = []
        for node in sorted(set(by_node) | eligible, key=lambda n: n or ""):
            pods = by_node.get(node, [])
            live = [p for p in pods if not p["metadata"].get("deletionTimestamp")]
            failed = [p for p in live if p.get("status", {}).get("phase") == "Failed"]
            to_delete += failed
            live = [p for p in live if p not in failed]
            if node not in eligible:
                if node not in staying:
                    to_delete += live
                continue
            if not pods or (not live and len(failed) == len(pods)):
                to_create.append(node)
            elif len(live) > 1:
                # Keep the oldest pod, delete the duplicates (as the real controller does).
                to_delete += sorted(live, key=lambda p: p["metadata"]["creationTimestamp"])[1:]
        if rolling:
            to_delete += self._rolling_victims(
                by_node, eligible, h, max_unavailable, min_ready, now, to_delete
            )
        for node in to_create:
            self._create(ds, node, h)
        seen: set[str] = set()
        for pod in to_delete:
            if pod["metadata"]["name"] in seen:
                continue
            seen.add(pod["metadata"]["name"])
            c.api.delete(pod, COMPONENT)
            _event(c, ds, "SuccessfulDelete", f"Deleted pod: {pod['metadata']['name']}")
        self._status(key, h, eligible, staying, min_ready)

    def _rolling_victims(self, by_node, eligible, h, max_unavailable, min_ready, now, already) -> list[dict]:
        """Returns old-revision pods to delete now: unavailable ones first, then as the budget allows."""
        gone = {p["metadata"]["name"] for p in already}
        unavailable = 0
        old_available, old_unavailable = [], []
        for node in sorted(eligible):
            live = [
                p
                for p in by_node.get(node, [])
                if not p["metadata"].get("deletionTimestamp") and p["metadata"]["name"] not in gone
            ]
            if not live:
                unavailable += 1
                continue
            pod = live[0]
            avail = pod_active(pod) and is_available(pod, min_ready, now)
            if not avail:
                unavailable += 1
            if (pod["metadata"].get("labels") or {}).get(REVISION_HASH) != h:
                (old_available if avail else old_unavailable).append(pod)
        victims = list(old_unavailable)
        budget = max_unavailable - unavailable
        for pod in old_available:
            if budget <= 0:
                break
            victims.append(pod)
            budget -= 1
        return victims

    def _create(self, ds: dict, node: str, h: str) -> None:
        c = self.c
        labels = {REVISION_HASH: h, TEMPLATE_GENERATION: str(ds["metadata"].get("generation", 1))}
        pod = pod_from_template(ds, ds["spec"]["template"], labels=labels)
        _pin(pod["spec"], node)
        _add_tolerations(pod["spec"])
        try:
            created = c.api.create(pod, COMPONENT)
        except Exception:  # noqa: BLE001 - namespace vanished; the next sync retries
            return
        _event(c, ds, "SuccessfulCreate", f"Created pod: {created['metadata']['name']}")

    def _status(self, key: str, h: str, eligible: set[str], staying: set[str], min_ready: int) -> None:
        c = self.c
        ds = c.store.get(key)
        now = c.clock.now
        current = ready = updated = available = misscheduled = 0
        nxt = None
        seen_nodes: set[str] = set()
        for p in c.store.owned(ds["metadata"]["uid"], "Pod"):
            if p["metadata"].get("deletionTimestamp") or not pod_active(p):
                continue
            node = p["spec"].get("nodeName") or (pinned_nodes(p) or [None])[0]
            if node not in staying:
                misscheduled += 1
                continue
            if node in seen_nodes:
                continue
            seen_nodes.add(node)
            current += 1
            if pod_ready(p):
                ready += 1
                if is_available(p, min_ready, now):
                    available += 1
                elif min_ready:
                    from .replicaset import ready_since

                    at = (ready_since(p) or now) + min_ready
                    nxt = at if nxt is None else min(nxt, at)
            if (p["metadata"].get("labels") or {}).get(REVISION_HASH) == h:
                updated += 1
        if nxt is not None:
            c.clock.wake("daemonset", key, nxt)
        desired = len(eligible)
        status = {
            "currentNumberScheduled": current,
            "desiredNumberScheduled": desired,
            "numberMisscheduled": misscheduled,
            "numberReady": ready,
            "observedGeneration": ds["metadata"].get("generation", 1),
            "updatedNumberScheduled": updated,
            "numberAvailable": available,
        }
        if desired - available > 0:
            status["numberUnavailable"] = desired - available
        # DaemonSetStatus: observedGeneration, updatedNumberScheduled, numberAvailable are `omitempty`
        omit_zero(status, "observedGeneration", "updatedNumberScheduled", "numberAvailable")
        if (ds.get("status") or {}) != status:
            c.api.update_status(with_status(ds, status), COMPONENT)


def _event(c, ds: dict, reason: str, message: str) -> None:
    pod = message.split(": ", 1)[1]
    step, ko, en = narrate_workload(
        "created" if reason == "SuccessfulCreate" else "deleted", "DaemonSet", f"pod/{pod}"
    )
    c.emit(
        "Normal",
        reason,
        f"daemonset/{ds['metadata']['name']}",
        COMPONENT,
        message,
        ko,
        en,
        step,
        namespace=ds["metadata"]["namespace"],
    )


def daemonset_pod(pod: dict) -> bool:
    """Returns True when a pod's controller is a DaemonSet (drain refuses or skips such pods)."""
    return any(
        o.get("controller") and o.get("kind") == "DaemonSet"
        for o in pod["metadata"].get("ownerReferences") or []
    )
