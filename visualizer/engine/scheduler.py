"""The scheduler: picks a node for every pod without one, then binds it (step 3).

Filters (a node must pass all, first failure wins): NodeUnschedulable (cordon), TaintToleration
(NoSchedule/NoExecute taints such as the control plane's or an unreachable node's), NodeAffinity
(`nodeSelector` and required node affinity), NodeResourcesFit (sum of requests ≤ allocatable, at most 110
pods), InterPodAffinity (required pod affinity / anti-affinity, and existing pods' anti-affinity) and bound
volumes. Scores: LeastAllocated (weight 1, containers without requests count as 100m / 200Mi),
BalancedAllocation (1), the system PodTopologySpread default that spreads a ReplicaSet's pods over nodes (2),
TaintToleration (3, PreferNoSchedule), NodeAffinity (2, preferred terms) and InterPodAffinity (2, preferred
terms). Ties are broken by the cluster's seeded RNG. The rules themselves are in `affinity.py`.

When nothing fits, the pod stays Pending with PodScheduled=False and a FailedScheduling event in the real
v1.35 format (`0/4 nodes are available: 1 node(s) had untolerated taint(s), 3 Insufficient cpu. preemption:
...`). It is retried when the cluster changes (a node recovers, is relabelled or uncordoned, a pod goes away).
"""

from __future__ import annotations

from .affinity import (
    REASON_NODE_AFFINITY,
    REASON_TAINT,
    InterPodAffinity,
    node_affinity_ok,
    preferred_node_affinity,
    tolerates,
)
from .clock import stamp
from .controllers.ownership import pinned_nodes
from .narration import narrate
from .objects import (
    BY_KIND,
    clone,
    etcd_key,
    parse_bytes,
    parse_cpu,
    pod_nonzero_requests,
    pod_requests,
    with_status,
)
from .store import controller_uid, pod_active

COMPONENT = "scheduler"
_UNSET = object()  # filter_reason's "pinned nodes not passed in: read them from the pod"
MAX_PODS = 110
# Filter failures that preemption cannot fix (the plugins return UnschedulableAndUnresolvable); the others
# (resources, pod anti-affinity) send the pod through DefaultPreemption, which finds no victims because every
# pod here has priority 0 [S kubernetes pkg/scheduler/framework/preemption, plugins/*/ Filter statuses].
UNRESOLVABLE = {
    "node(s) were unschedulable",
    REASON_TAINT,
    REASON_NODE_AFFINITY,
    "node(s) didn't match pod affinity rules",
}
__all__ = ["Scheduler", "tolerates"]


nonzero_requests = pod_nonzero_requests


def pod_affinity_kinds(pod: dict) -> bool:
    """Returns True when the pod has podAffinity or podAntiAffinity terms of its own."""
    affinity = pod["spec"].get("affinity")
    return bool(affinity) and bool(affinity.get("podAffinity") or affinity.get("podAntiAffinity"))


_NO_USAGE = (0, 0, 0, 0, 0)  # node_usage of a node without pods (read-only)
# id(allocatable) -> (allocatable, pods, cpu millicores, memory bytes): a pure cache keyed by the identity of a
# stored node's (never mutated) allocatable map, which holds it so that its id is not reused; every pod is
# filtered and scored against every node.
_CAPACITY: dict[int, tuple[dict, int, int, int]] = {}


def _capacity(alloc: dict) -> tuple[dict, int, int, int] | None:
    """Returns (alloc, max pods, cpu millicores, memory bytes) of a node's allocatable, or None when one of
    them does not parse (the caller then checks them one by one, as before, and raises where it fails)."""
    hit = _CAPACITY.get(id(alloc))
    if hit is not None and hit[0] is alloc:
        return hit
    try:
        hit = (alloc, int(alloc.get("pods", MAX_PODS)), parse_cpu(alloc["cpu"]), parse_bytes(alloc["memory"]))
    except Exception:  # noqa: BLE001 - whatever it is, the caller's one-by-one checks raise it at the same point
        return None
    if len(_CAPACITY) >= 1024:
        _CAPACITY.clear()
    _CAPACITY[id(alloc)] = hit
    return hit


class Scheduler:
    """Filter → score → bind, one pod at a time."""

    def __init__(self, cluster):
        self.c = cluster

    def _node_scored_usage(self, node: str) -> tuple[int, int]:
        u = self.c.store.node_usage.get(node)
        return (u[3], u[4]) if u else (0, 0)

    def filter_reason(
        self,
        pod: dict,
        node: dict,
        cpu: int,
        mem: int,
        inter: InterPodAffinity | None = None,
        pinned: list[str] | None | object = _UNSET,
    ) -> str | None:
        """Returns why the node cannot take the pod (the reason text the real plugins use), or None.

        Plugins run in the default order and the first failure wins: NodeUnschedulable, TaintToleration
        (NoSchedule/NoExecute), NodeAffinity (nodeSelector + required node affinity), NodeResourcesFit,
        InterPodAffinity [S kubernetes pkg/scheduler/apis/config/v1/default_plugins.go]."""
        spec = node["spec"]
        if spec.get("unschedulable") and not tolerates(
            pod, {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}
        ):
            return "node(s) were unschedulable"
        for taint in spec.get("taints") or ():
            blocking = (
                taint["effect"] in ("NoSchedule", "NoExecute")
                and taint["key"] != "node.kubernetes.io/unschedulable"
            )
            if blocking and not tolerates(pod, taint):
                return REASON_TAINT
        pspec = pod["spec"]
        if (pspec.get("nodeSelector") or pspec.get("affinity")) and not node_affinity_ok(pod, node):
            return REASON_NODE_AFFINITY
        if pinned is _UNSET:  # sync reads it once per pod rather than once per node
            pinned = pinned_nodes(pod)  # a DaemonSet pod's `matchFields metadata.name In [node]` (workloads)
        if pinned is not None and node["metadata"]["name"] not in pinned:
            return REASON_NODE_AFFINITY
        alloc = node["status"]["allocatable"]
        used = self.c.store.node_usage.get(node["metadata"]["name"], _NO_USAGE)
        cap = _capacity(alloc)
        if cap is None:  # an allocatable that does not parse: checked in order, raising where it fails
            if used[2] + 1 > int(alloc.get("pods", MAX_PODS)):
                return "Too many pods"
            if used[0] + cpu > parse_cpu(alloc["cpu"]):
                return "Insufficient cpu"
            if used[1] + mem > parse_bytes(alloc["memory"]):
                return "Insufficient memory"
        else:
            if used[2] + 1 > cap[1]:
                return "Too many pods"
            if used[0] + cpu > cap[2]:
                return "Insufficient cpu"
            if used[1] + mem > cap[3]:
                return "Insufficient memory"
        if inter is not None:
            return inter.filter_reason(node)
        return None

    def _inter_pod_affinity(self, pod: dict, nodes: list[dict]) -> InterPodAffinity | None:
        """Builds the InterPodAffinity state when the pod has pod (anti-)affinity or a placed pod has required
        anti-affinity; None otherwise (the common case costs nothing)."""
        store = self.c.store
        own = pod_affinity_kinds(pod)
        if not own and not store.affinity_pods:
            return None
        labels = {n["metadata"]["name"]: n["metadata"].get("labels") or {} for n in nodes}
        keys = store.by_kind["Pod"] if own else store.affinity_pods
        placed = []
        for key in keys:
            other = store.objects[key]
            node = other["spec"].get("nodeName")
            if node in labels and not other["metadata"].get("deletionTimestamp") and pod_active(other):
                placed.append((other, labels[node]))
        if not own and not placed:
            return None
        return InterPodAffinity(pod, placed, store.list("Namespace"))

    def _volume_problem(self, pod: dict) -> str | None:
        ns = pod["metadata"]["namespace"]
        for v in pod["spec"].get("volumes") or []:
            claim = (v.get("persistentVolumeClaim") or {}).get("claimName")
            if claim is None:
                continue
            pvc = self.c.api.get("PersistentVolumeClaim", ns, claim)
            if pvc is None:
                return f'persistentvolumeclaim "{claim}" not found'
            if (pvc.get("status") or {}).get("phase") != "Bound":
                sc = self.c.api.get("StorageClass", None, pvc["spec"].get("storageClassName") or "")
                if sc is not None and sc.get("volumeBindingMode") == "WaitForFirstConsumer":
                    # This pod is the claim's first consumer: the VolumeBinding plugin lets the PV controller
                    # bind or provision now (PreBind) instead of refusing the pod.
                    self.c.enqueue("pv", f"claim:/registry/persistentvolumeclaims/{ns}/{claim}")
                    continue
                return "pod has unbound immediate PersistentVolumeClaims"
        return None

    def sync(self, pod_key: str) -> None:
        """Schedules one pod if it is still unscheduled."""
        c = self.c
        pod = c.store.get(pod_key)
        if pod is None or pod["spec"].get("nodeName") or pod["metadata"].get("deletionTimestamp"):
            return
        if pod["spec"].get("schedulerName", "default-scheduler") != "default-scheduler":
            return
        nodes = c.store.list("Node")
        total = len(nodes)
        problem = self._volume_problem(pod)
        if problem:
            self._unschedulable(
                pod,
                f"0/{total} nodes are available: {problem}. preemption: 0/{total} nodes are "
                f"available: {total} Preemption is not helpful for scheduling.",
            )
            return
        cpu, mem = pod_requests(pod)
        ncpu, nmem = nonzero_requests(pod)
        inter = self._inter_pod_affinity(pod, nodes)
        feasible, reasons = [], {}
        pinned = pinned_nodes(pod)
        for node in nodes:
            why = self.filter_reason(pod, node, cpu, mem, inter, pinned)
            if why is None:
                feasible.append(node)
            else:
                reasons[why] = reasons.get(why, 0) + 1
        if not feasible:
            parts = sorted(f"{n} {r}" for r, n in reasons.items())
            resolvable = sum(n for r, n in reasons.items() if r not in UNRESOLVABLE)
            other = total - resolvable
            pre = []
            if other:
                pre.append(f"{other} Preemption is not helpful for scheduling")
            if resolvable:
                pre.append(f"{resolvable} No preemption victims found for incoming pod")
            pre.sort()
            msg = (
                f"0/{total} nodes are available: {', '.join(parts)}. preemption: 0/{total} nodes are available: "
                f"{', '.join(pre)}."
            )
            self._unschedulable(pod, msg)
            return
        owner = controller_uid(pod)
        counts = (
            {
                n["metadata"]["name"]: c.store.owner_node_count.get((owner, n["metadata"]["name"]), 0)
                for n in feasible
            }
            if owner
            else {}
        )
        max_count = max(counts.values(), default=0)
        extra = self._plugin_scores(pod, feasible, inter)
        scored = []
        for node in feasible:
            name = node["metadata"]["name"]
            alloc = node["status"]["allocatable"]
            cap = _capacity(alloc)
            acpu, amem = (
                (cap[2], cap[3])
                if cap is not None
                else (parse_cpu(alloc["cpu"]), parse_bytes(alloc["memory"]))
            )
            ucpu, umem = self._node_scored_usage(name)
            fc = min(1.0, (ucpu + ncpu) / acpu) if acpu else 1.0
            fm = min(1.0, (umem + nmem) / amem) if amem else 1.0
            least = ((1 - fc) * 100 + (1 - fm) * 100) / 2
            balanced = (1 - abs(fc - fm) / 2) * 100
            spread = 100.0 if not max_count else 100.0 * (max_count - counts.get(name, 0)) / max_count
            total_score = int(least) + int(balanced) + 2 * int(spread) + extra.get(name, 0)
            scored.append((total_score, name, node, 1 - fc, counts.get(name, 0)))
        best = max(s[0] for s in scored)
        top = [s for s in scored if s[0] == best]
        choice = top[0] if len(top) == 1 else top[c.rng.randrange(len(top))]
        _, node_name, _, free_cpu, same = choice
        if counts and same < max(counts.values()) and len(feasible) > 1:
            why_ko, why_en = "같은 워크로드의 파드가 가장 적은 노드", "fewest pods of the same workload"
        elif free_cpu >= max(s[3] for s in scored):
            why_ko, why_en = "남은 CPU 가장 많음", "most CPU left"
        else:
            why_ko, why_en = "점수가 가장 높음", "highest score"
        self.bind(pod, node_name, why_ko, why_en)

    def _plugin_scores(
        self, pod: dict, feasible: list[dict], inter: InterPodAffinity | None
    ) -> dict[str, int]:
        """Returns the weighted, normalised scores of TaintToleration (3), NodeAffinity (2) and InterPodAffinity
        (2) per node name; empty when the pod and the nodes give them nothing to tell apart.

        TaintToleration counts untolerated PreferNoSchedule taints (fewer is better); NodeAffinity sums the
        weights of matching preferred terms; InterPodAffinity sums the weights of preferred (anti-)affinity
        terms matched by pods in the node's topology domain. Each is normalised to 0–100 as the framework's
        DefaultNormalizeScore does [S kubernetes pkg/scheduler/framework/plugins/helper/normalize_score.go]."""
        affinity = pod["spec"].get("affinity") or {}
        if inter is None and not (affinity.get("nodeAffinity") or {}).get(
            "preferredDuringSchedulingIgnoredDuringExecution"
        ):
            for n in feasible:  # loops, not any(generator): this runs for every pod scheduled
                for t in n["spec"].get("taints") or ():
                    if t["effect"] == "PreferNoSchedule":
                        break
                else:
                    continue
                break
            else:
                return {}  # every node would get the same score from these plugins
        taints = {
            n["metadata"]["name"]: sum(
                1
                for t in n["spec"].get("taints") or ()
                if t["effect"] == "PreferNoSchedule" and not tolerates(pod, t)
            )
            for n in feasible
        }
        prefs = {n["metadata"]["name"]: preferred_node_affinity(pod, n) for n in feasible}
        inter_raw = {n["metadata"]["name"]: inter.score(n) for n in feasible} if inter is not None else {}
        out: dict[str, int] = {}
        tmax, pmax = max(taints.values(), default=0), max(prefs.values(), default=0)
        imax, imin = max(inter_raw.values(), default=0), min(inter_raw.values(), default=0)
        for name in taints:
            score = 0
            if tmax:
                score += 3 * (100 - taints[name] * 100 // tmax)
            if pmax:
                score += 2 * (prefs[name] * 100 // pmax)
            if imax > imin:
                score += 2 * ((inter_raw[name] - imin) * 100 // (imax - imin))
            out[name] = score
        return out

    def bind(self, pod: dict, node_name: str, why_ko: str = "", why_en: str = "") -> None:
        """Writes the Binding: sets spec.nodeName and PodScheduled=True."""
        c = self.c
        upd = with_status(pod, dict(pod.get("status") or {"phase": "Pending"}))
        upd["spec"] = dict(pod["spec"])
        upd["spec"]["nodeName"] = node_name
        status = upd["status"]
        conds = [cd for cd in status.get("conditions", []) if cd["type"] != "PodScheduled"]
        conds.append(
            {
                "type": "PodScheduled",
                "status": "True",
                "lastProbeTime": None,
                "lastTransitionTime": stamp(c.clock.now),
            }
        )
        status["conditions"] = conds
        c.api.update_status(upd, COMPONENT)
        if c.store.affinity_pods:
            # A newly placed pod can satisfy a waiting pod's affinity (the real queue moves pods that failed
            # InterPodAffinity back to active on an assigned-pod add).
            for key in c.store.affinity_pods:
                if key in c.store.unscheduled:
                    c.enqueue("scheduler", key)
        node = c.store.get(etcd_key(BY_KIND["Node"], None, node_name))
        taints = node["spec"].get("taints") if node is not None else None
        if taints and any(t["effect"] == "NoExecute" for t in taints):
            # The taint-eviction controller starts this pod's tolerationSeconds clock now.
            c.enqueue("node-lifecycle", node_name)
        name, ns = pod["metadata"]["name"], pod["metadata"]["namespace"]
        step, ko, en = narrate(
            "scheduled",
            pod=name,
            node=node_name,
            why_ko=why_ko or "직접 지정",
            why_en=why_en or "set directly",
        )
        c.emit(
            "Normal",
            "Scheduled",
            f"pod/{name}",
            COMPONENT,
            f"Successfully assigned {ns}/{name} to {node_name}",
            ko,
            en,
            step,
            namespace=ns,
        )

    def _unschedulable(self, pod: dict, message: str) -> None:
        c = self.c
        cond = next(
            (cd for cd in pod.get("status", {}).get("conditions", ()) if cd["type"] == "PodScheduled"), None
        )
        if cond is not None and cond.get("message") == message:
            return
        upd = clone(pod)
        status = upd.setdefault("status", {"phase": "Pending"})
        status["conditions"] = [cd for cd in status.get("conditions", []) if cd["type"] != "PodScheduled"] + [
            {
                "type": "PodScheduled",
                "status": "False",
                "lastProbeTime": None,
                "lastTransitionTime": stamp(c.clock.now),
                "reason": "Unschedulable",
                "message": message,
            }
        ]
        c.api.update_status(upd, COMPONENT)
        name, ns = pod["metadata"]["name"], pod["metadata"]["namespace"]
        step, ko, en = narrate("failed-scheduling", pod=name, why=message.split(". preemption")[0])
        c.emit("Warning", "FailedScheduling", f"pod/{name}", COMPONENT, message, ko, en, step, namespace=ns)
