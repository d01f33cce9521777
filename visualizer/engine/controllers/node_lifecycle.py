"""Node lifecycle controller: notices silent kubelets, taints their nodes, and evicts pods on schedule.

Every 5 s (node-monitor-period) it checks each node's lease. A kubelet renews it every 10 s; after 50 s of
silence (node-monitor-grace-period) the node's Ready condition becomes Unknown (kubectl shows NotReady), the
node gets the `node.kubernetes.io/unreachable` taints (NoSchedule and NoExecute) and its pods are marked not
ready, which drops them from Service endpoints. A pod tolerates the NoExecute taint for its
`tolerationSeconds` (300 s by default, added by the DefaultTolerationSeconds admission plugin); then it is
deleted (and, with no kubelet to confirm, stays Terminating) while its ReplicaSet creates a replacement.
Cordoned nodes get the `node.kubernetes.io/unschedulable:NoSchedule` taint.
"""

from __future__ import annotations

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
            node = c.api.get("Node", None, name)
            for taint in node["spec"].get("taints") or []:
                if taint["effect"] == "NoExecute":
                    self._evict(node, taint)

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

    def _evict(self, node: dict, taint: dict) -> None:
        c = self.c
        now = c.clock.now
        added = parse_stamp(taint.get("timeAdded")) or now
        for pod in c.store.pods_on(node["metadata"]["name"]):
            if pod["metadata"].get("deletionTimestamp"):
                continue
            seconds = None
            tolerated = False
            for t in pod["spec"].get("tolerations") or []:
                if t.get("effect") not in (None, "", "NoExecute"):
                    continue
                if t.get("operator") == "Exists" and not t.get("key") or t.get("key") == taint["key"]:
                    tolerated = True
                    if t.get("tolerationSeconds") is not None:
                        seconds = (
                            t["tolerationSeconds"]
                            if seconds is None
                            else min(seconds, t["tolerationSeconds"])
                        )
            if tolerated and seconds is None:
                continue
            seconds = seconds or 0
            if added + seconds > now:
                continue
            name = pod["metadata"]["name"]
            step, ko, en = narrate("evicted", node=node["metadata"]["name"], pod=name, seconds=seconds)
            c.emit(
                "Normal",
                "TaintManagerEviction",
                f"pod/{name}",
                "controller-manager/taint-eviction-controller",
                f"Marking for deletion Pod {pod['metadata']['namespace']}/{name}",
                ko,
                en,
                step,
                namespace=pod["metadata"]["namespace"],
            )
            c.api.delete(pod, "controller-manager/taint-eviction-controller")
