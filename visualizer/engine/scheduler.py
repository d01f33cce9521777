"""The scheduler: picks a node for every pod without one, then binds it (step 3).

Filters (a node must pass all): NodeUnschedulable (cordon), TaintToleration (NoSchedule/NoExecute taints such
as the control plane's or an unreachable node's), NodeAffinity via `nodeSelector`, NodeResourcesFit (sum of
requests ≤ allocatable, at most 110 pods) and bound volumes. Scores: LeastAllocated (weight 1, containers
without requests count as 100m / 200Mi), BalancedAllocation (1) and the system PodTopologySpread default that
spreads a ReplicaSet's pods over nodes (2). Ties are broken by the cluster's seeded RNG.

When nothing fits, the pod stays Pending with PodScheduled=False and a FailedScheduling event in the real
format (`0/4 nodes are available: 1 node(s) had untolerated taint {...}, 3 Insufficient cpu. ...`). It is
retried when the cluster changes (a node recovers or is uncordoned, a pod goes away).
"""

from __future__ import annotations

from .clock import stamp
from .narration import narrate
from .objects import clone, parse_bytes, parse_cpu, pod_nonzero_requests, pod_requests, with_status
from .store import controller_uid

COMPONENT = "scheduler"
MAX_PODS = 110


def tolerates(pod: dict, taint: dict) -> bool:
    """Returns True when one of the pod's tolerations matches the taint."""
    for t in pod["spec"].get("tolerations") or []:
        if t.get("effect") and t["effect"] != taint["effect"]:
            continue
        if t.get("operator") == "Exists":
            if not t.get("key") or t["key"] == taint["key"]:
                return True
        elif t.get("key") == taint["key"] and t.get("value", "") == taint.get("value", ""):
            return True
    return False


nonzero_requests = pod_nonzero_requests


class Scheduler:
    """Filter → score → bind, one pod at a time."""

    def __init__(self, cluster):
        self.c = cluster

    def _node_scored_usage(self, node: str) -> tuple[int, int]:
        u = self.c.store.node_usage.get(node)
        return (u[3], u[4]) if u else (0, 0)

    def filter_reason(self, pod: dict, node: dict, cpu: int, mem: int) -> str | None:
        """Returns why the node cannot take the pod (the reason text the real plugins use), or None."""
        spec = node["spec"]
        if spec.get("unschedulable") and not tolerates(
            pod, {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}
        ):
            return "node(s) were unschedulable"
        for taint in spec.get("taints") or []:
            blocking = (
                taint["effect"] in ("NoSchedule", "NoExecute")
                and taint["key"] != "node.kubernetes.io/unschedulable"
            )
            if blocking and not tolerates(pod, taint):
                return f"node(s) had untolerated taint {{{taint['key']}: {taint.get('value', '')}}}"
        selector = pod["spec"].get("nodeSelector") or {}
        labels = node["metadata"].get("labels") or {}
        if any(labels.get(k) != v for k, v in selector.items()):
            return "node(s) didn't match Pod's node affinity/selector"
        alloc = node["status"]["allocatable"]
        used = self.c.store.node_usage.get(node["metadata"]["name"], [0, 0, 0])
        if used[2] + 1 > int(alloc.get("pods", MAX_PODS)):
            return "Too many pods"
        if used[0] + cpu > parse_cpu(alloc["cpu"]):
            return "Insufficient cpu"
        if used[1] + mem > parse_bytes(alloc["memory"]):
            return "Insufficient memory"
        return None

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
        feasible, reasons = [], {}
        for node in nodes:
            why = self.filter_reason(pod, node, cpu, mem)
            if why is None:
                feasible.append(node)
            else:
                reasons[why] = reasons.get(why, 0) + 1
        if not feasible:
            parts = sorted(f"{n} {r}" for r, n in reasons.items())
            resource = sum(n for r, n in reasons.items() if r.startswith(("Insufficient", "Too many")))
            other = total - resource
            pre = []
            if other:
                pre.append(f"{other} Preemption is not helpful for scheduling")
            if resource:
                pre.append(f"{resource} No preemption victims found for incoming pod")
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
        scored = []
        for node in feasible:
            name = node["metadata"]["name"]
            alloc = node["status"]["allocatable"]
            acpu, amem = parse_cpu(alloc["cpu"]), parse_bytes(alloc["memory"])
            ucpu, umem = self._node_scored_usage(name)
            fc = min(1.0, (ucpu + ncpu) / acpu) if acpu else 1.0
            fm = min(1.0, (umem + nmem) / amem) if amem else 1.0
            least = ((1 - fc) * 100 + (1 - fm) * 100) / 2
            balanced = (1 - abs(fc - fm) / 2) * 100
            spread = 100.0 if not max_count else 100.0 * (max_count - counts.get(name, 0)) / max_count
            total_score = int(least) + int(balanced) + 2 * int(spread)
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
