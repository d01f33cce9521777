"""A node's heartbeats as the API would show them now, computed from the clock on read.

A real kubelet renews its Lease in `kube-node-lease` every 10 s and posts its node status when something
changed, or else every `nodeStatusReportFrequency` = 5 min, which is when the conditions' `lastHeartbeatTime`
moves [S kubelet config/v1beta1/types.go `nodeStatusUpdateFrequency`, `nodeStatusReportFrequency`;
D concepts/architecture/nodes.md §Node heartbeats]. The simulator writes neither every 10 s (that would be a
store write per node per 10 s in `Cluster.advance`); instead, reads that show them (`kubectl describe node`)
ask this module, which derives them from when the machine last came up (or went down) and the simulated clock.
The store, and so `Cluster.to_dict`, stays as it was: deterministic and free of per-tick writes.
"""

from __future__ import annotations

import math

from .clock import parse_stamp, stamp

LEASE_RENEW_SECONDS = 10.0  # kubelet renews its node Lease every 10 s (lease duration 40 s)
NODE_STATUS_REPORT_SECONDS = 300.0  # status posted at least every 5 min even when nothing changed


def _last_tick(start: float, end: float, period: float) -> float:
    """Returns the latest start + k·period (k ≥ 0) that is ≤ end."""
    if end <= start:
        return start
    return start + math.floor((end - start) / period) * period


def lease_renew_time(c, node: dict) -> str | None:
    """Returns the node Lease's `renewTime` (API timestamp): the last 10 s renewal while the machine was up."""
    rn = c.runtime.node(node["metadata"]["name"])
    if rn is None:
        return _ready_heartbeat(node)
    if rn["up"]:
        return stamp(_last_tick(rn["since"], c.clock.now, LEASE_RENEW_SECONDS))
    return stamp(_last_tick(0.0, rn["since"], LEASE_RENEW_SECONDS))  # renewals stopped when it went down


def condition_heartbeats(c, node: dict) -> dict[str, str | None]:
    """Returns {condition type: lastHeartbeatTime (API timestamp)}: the stored value, or the last 5-minute
    status report since the kubelet last posted, whichever is later (a stopped kubelet posts nothing)."""
    rn = c.runtime.node(node["metadata"]["name"])
    out: dict[str, str | None] = {}
    for cd in (node.get("status") or {}).get("conditions") or []:
        stored = parse_stamp(cd.get("lastHeartbeatTime"))
        value = cd.get("lastHeartbeatTime")
        if rn is not None and stored is not None:
            end = c.clock.now if rn["up"] else rn["since"]
            start = rn["since"] if rn["up"] else 0.0
            report = _last_tick(max(start, stored), end, NODE_STATUS_REPORT_SECONDS)
            if report > stored:
                value = stamp(report)
        out[cd["type"]] = value
    return out


def _ready_heartbeat(node: dict) -> str | None:
    conds = (node.get("status") or {}).get("conditions") or []
    return next((cd.get("lastHeartbeatTime") for cd in conds if cd.get("type") == "Ready"), None)


def with_heartbeats(c, node: dict) -> dict:
    """Returns the Node as a read shows it now: its conditions' `lastHeartbeatTime` from
    `condition_heartbeats` (a copy; the stored object is unchanged). `kubectl get node -o yaml`, the REST
    face's GET and `kubectl describe node` all read nodes through this."""
    beats = condition_heartbeats(c, node)
    conds = (node.get("status") or {}).get("conditions") or []
    if all(beats.get(cd["type"]) == cd.get("lastHeartbeatTime") for cd in conds):
        return node
    status = dict(node["status"])
    status["conditions"] = [dict(cd, lastHeartbeatTime=beats.get(cd["type"])) for cd in conds]
    return dict(node, status=status)
