"""Node lifecycle controller: notices silent kubelets, taints their nodes, and evicts pods on schedule.

Every 5 s (node-monitor-period) it checks each node's lease. A kubelet renews it every 10 s; after 50 s of
silence (node-monitor-grace-period) the node's Ready condition becomes Unknown (kubectl shows NotReady), the
node gets the `node.kubernetes.io/unreachable` taints (NoSchedule and NoExecute) and its pods are marked not
ready, which drops them from Service endpoints. A pod tolerates the NoExecute taint for its
`tolerationSeconds` (300 s by default, added by the DefaultTolerationSeconds admission plugin); then it is
deleted (and, with no kubelet to confirm, stays Terminating) while its ReplicaSet creates a replacement.
Cordoned nodes get the `node.kubernetes.io/unschedulable:NoSchedule` taint. Any NoExecute taint — the
unreachable one or one added with `kubectl taint` — evicts the pods that do not tolerate it at once and the
tolerating ones when their `tolerationSeconds` run out (event `TaintManagerEviction`,
`Marking for deletion Pod <ns>/<name>`).
"""

from __future__ import annotations

from ..affinity import toleration_matches
from ..clock import parse_stamp, stamp
from ..narration import narrate
from ..objects import clone

COMPONENT = "controller-manager/node-controller"
MONITOR_PERIOD = 5.0
GRACE_PERIOD = 50.0
UNREACHABLE = "node.kubernetes.io/unreachable"
UNSCHEDULABLE = "node.kubernetes.io/unschedulable"


def node_ready(node: dict) -> bool:
    """Returns True when the node's Ready condition is True."""
    for cd in node.get("status", {}).get("conditions", ()):
        if cd["type"] == "Ready":
            return cd["status"] == "True"
    return False


class NodeLifecycleController:
    """Monitors node leases and runs taint-based eviction."""

    def __init__(self, cluster):
        self.c = cluster

    def sync(self, key: str) -> None:
        """`monitor` runs the periodic check; a node name reconciles that node's cordon taint."""
        if key == "monitor":
            self._monitor()
            if self._needs_watching():
                self.c.clock.wake("node-lifecycle", "monitor", self.c.clock.now + MONITOR_PERIOD)
            return
        node = self.c.api.get("Node", None, key)
        if node is None:
            return
        taints = node["spec"].get("taints") or []
        has = any(t["key"] == UNSCHEDULABLE for t in taints)
        want = bool(node["spec"].get("unschedulable"))
        if has != want:
            upd = clone(node)
            if want:
                upd["spec"]["taints"] = taints + [
                    {"key": UNSCHEDULABLE, "effect": "NoSchedule", "timeAdded": stamp(self.c.clock.now)}
                ]
            else:
                upd["spec"]["taints"] = [t for t in taints if t["key"] != UNSCHEDULABLE]
                if not upd["spec"]["taints"]:
                    upd["spec"].pop("taints")
            self.c.api.update(upd, COMPONENT)
            return  # the update re-queues this node
        self._no_execute(node)

    def _needs_watching(self) -> bool:
        """Returns True while a machine is down or a node is not Ready (pending NotReady or evictions).

        With every machine up and every node Ready the periodic check would find nothing, so the simulator
        lets it sleep until `sim fail-node` wakes it; this keeps long idle stretches of simulated time cheap.
        """
        if any(not n["up"] for n in self.c.runtime.data["nodes"].values()):
            return True
        return any(not node_ready(n) for n in self.c.store.list("Node"))

    def wake_up(self) -> None:
        """Resumes the 5-second monitoring, on the next multiple of the period."""
        now = self.c.clock.now
        self.c.clock.wake("node-lifecycle", "monitor", (int(now // MONITOR_PERIOD) + 1) * MONITOR_PERIOD)

    def lease_renewed(self, name: str) -> float:
        """Returns when the node's kubelet last renewed its lease (every 10 s while the machine is up)."""
        rn = self.c.runtime.node(name)
        if rn is None:
            return self.c.clock.now
        if rn["up"]:
            return self.c.clock.now
        return rn["since"]

    def _monitor(self) -> None:
        c = self.c
        now = c.clock.now
        for node in c.store.list("Node"):
            name = node["metadata"]["name"]
            silent = now - self.lease_renewed(name)
            ready = node_ready(node)
            if ready and silent > GRACE_PERIOD:
                self._set_unreachable(node, True)
                c.kubelet.mark_pods_not_ready(name)
                step, ko, en = narrate("node-not-ready", node=name, grace=int(GRACE_PERIOD))
                c.emit(
                    "Normal",
                    "NodeNotReady",
                    f"node/{name}",
                    COMPONENT,
                    f"Node {name} status is now: NodeNotReady",
                    ko,
                    en,
                    step,
                    namespace="",
                )
            elif not ready and silent <= GRACE_PERIOD:
                self._set_unreachable(node, False)
                step, ko, en = narrate("node-ready", node=name)
                c.emit(
                    "Normal",
                    "NodeReady",
                    f"node/{name}",
                    f"kubelet/{name}",
                    f"Node {name} status is now: NodeReady",
                    ko,
                    en,
                    step,
                    namespace="",
                )
            self._no_execute(c.api.get("Node", None, name))

    def _set_unreachable(self, node: dict, unreachable: bool) -> None:
        c = self.c
        upd = clone(node)
        ts = stamp(c.clock.now)
        taints = [t for t in upd["spec"].get("taints") or [] if t["key"] != UNREACHABLE]
        if unreachable:
            taints += [
                {"key": UNREACHABLE, "effect": "NoSchedule", "timeAdded": ts},
                {"key": UNREACHABLE, "effect": "NoExecute", "timeAdded": ts},
            ]
        if taints:
            upd["spec"]["taints"] = taints
        else:
            upd["spec"].pop("taints", None)
        for cd in upd["status"]["conditions"]:
            if unreachable:
                cd.update(
                    status="Unknown",
                    reason="NodeStatusUnknown",
                    message="Kubelet stopped posting node status.",
                    lastTransitionTime=ts,
                )
            elif cd["type"] == "Ready":
                cd.update(
                    status="True",
                    reason="KubeletReady",
                    message="kubelet is posting ready status",
                    lastTransitionTime=ts,
                    lastHeartbeatTime=ts,
                )
            else:
                cd.update(
                    status="False",
                    reason=f"KubeletHas{'Sufficient' if cd['type'] != 'Ready' else ''}"
                    f"{cd['type'].removesuffix('Pressure').removesuffix('Unavailable')}",
                    lastTransitionTime=ts,
                    lastHeartbeatTime=ts,
                )
        c.api.update(upd, COMPONENT)

    def _no_execute(self, node: dict) -> None:
        """Taint-based eviction for one node: deletes the pods that do not tolerate every NoExecute taint, and
        those whose `tolerationSeconds` ran out; asks for a wake-up at the next expiry.

        As the taint-eviction controller: a pod is kept only if, for each NoExecute taint, one of its
        tolerations matches; the shortest `tolerationSeconds` among the matching tolerations (counted from
        when the taint was added, or from when the pod was bound if later) is how long it stays; no seconds
        means forever [S kubernetes pkg/controller/tainteviction/taint_eviction.go `processPodOnNode`,
        `getMinTolerationTime`; D concepts/scheduling-eviction/taint-and-toleration.md]."""
        c = self.c
        now = c.clock.now
        taints = [t for t in node["spec"].get("taints") or () if t["effect"] == "NoExecute"]
        if not taints:
            return
        name = node["metadata"]["name"]
        next_due = None
        for pod in c.store.pods_on(name):
            if pod["metadata"].get("deletionTimestamp"):
                continue
            tolerations = pod["spec"].get("tolerations") or ()
            deadline = None  # None: forever
            evict_now = False
            bound = _bound_at(pod)
            for taint in taints:
                matching = [t for t in tolerations if toleration_matches(t, taint)]
                if not matching:
                    evict_now = True
                    break
                added = parse_stamp(taint.get("timeAdded")) or now
                start = max(added, bound) if bound is not None else added
                for t in matching:
                    secs = t.get("tolerationSeconds")
                    if secs is not None:
                        end = start + max(0, secs)
                        deadline = end if deadline is None else min(deadline, end)
            if not evict_now and (deadline is None or deadline > now):
                if deadline is not None:
                    next_due = deadline if next_due is None else min(next_due, deadline)
                continue
            self._evict_pod(node, pod, taints)
        if next_due is not None:
            c.clock.wake("node-lifecycle", name, next_due)

    def _evict_pod(self, node: dict, pod: dict, taints: list[dict]) -> None:
        c = self.c
        name, ns = pod["metadata"]["name"], pod["metadata"]["namespace"]
        node_name = node["metadata"]["name"]
        component = "controller-manager/taint-eviction-controller"
        if any(t["key"] == UNREACHABLE for t in taints):
            seconds = max((t.get("tolerationSeconds") or 0) for t in pod["spec"].get("tolerations") or [{}])
            step, ko, en = narrate("evicted", node=node_name, pod=name, seconds=seconds)
        else:
            keys = ", ".join(sorted({t["key"] for t in taints}))
            step = 6
            ko = f"{node_name} 의 NoExecute 테인트({keys})를 {name} 가 견디지 못해 축출됩니다"
            en = f"{name} does not tolerate the NoExecute taint ({keys}) of {node_name} and is evicted"
        # Since v1.26 the controller first marks the pod with the DisruptionTarget condition.
        upd = clone(pod)
        status = upd.setdefault("status", {})
        status["conditions"] = [
            cd for cd in status.get("conditions", []) if cd["type"] != "DisruptionTarget"
        ] + [
            {
                "type": "DisruptionTarget",
                "status": "True",
                "lastProbeTime": None,
                "lastTransitionTime": stamp(c.clock.now),
                "reason": "DeletionByTaintManager",
                "message": "Taint manager: deleting due to NoExecute taint",
            }
        ]
        pod = c.api.update_status(upd, component)
        c.emit(
            "Normal",
            "TaintManagerEviction",
            f"pod/{name}",
            component,
            f"Marking for deletion Pod {ns}/{name}",
            ko,
            en,
            step,
            namespace=ns,
        )
        c.api.delete(pod, component)


def _bound_at(pod: dict) -> float | None:
    """Returns when the pod was bound to its node (its PodScheduled=True transition), or None."""
    for cd in (pod.get("status") or {}).get("conditions", ()):
        if cd["type"] == "PodScheduled" and cd["status"] == "True":
            return parse_stamp(cd.get("lastTransitionTime"))
    return None
