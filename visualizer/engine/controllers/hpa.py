"""HorizontalPodAutoscaler controller (autoscaling/v2, CPU utilisation), synced every 15 s.

The replica calculation follows pkg/controller/podautoscaler/replica_calculator.go:
- utilisation = Σ usage / Σ requests over pods with metrics, ratio = utilisation / target;
- within tolerance 0.1 nothing changes; otherwise desired = ceil(ratio × ready pods);
- pods without metrics count as 100 % of target on a scale-down and 0 % on a scale-up, unready pods as 0 % on
  a scale-up; if that flips the direction or lands in tolerance, nothing changes;
- a container without a CPU request makes utilisation undefined (`<unknown>`, no scaling);
- scale-down stabilisation keeps the highest recommendation of the last 300 s; scale-up is limited to
  max(+4 pods, +100 %) per sync period; the result is clamped to [minReplicas, maxReplicas].
Simulated usage comes from `sim load` (a constant demand spread over the running pods).
"""

from __future__ import annotations

import math

from ..clock import stamp
from ..narration import narrate
from ..objects import BY_KIND, clone, etcd_key, parse_cpu
from ..quantity import canonical
from ..store import pod_ready

COMPONENT = "hpa"
SYNC_PERIOD = 15.0
TOLERANCE = 0.1
DOWNSCALE_WINDOW = 300.0


def pod_cpu_request(pod: dict) -> int | None:
    """Returns the pod's total CPU request in millicores, or None when a container has none."""
    total = 0
    for ctr in pod["spec"]["containers"]:
        req = ((ctr.get("resources") or {}).get("requests") or {}).get("cpu")
        if req is None:
            return None
        total += parse_cpu(req)
    return total


class HPAController:
    """Reconciles HorizontalPodAutoscalers; keeps recommendation history in cluster state."""

    def __init__(self, cluster):
        self.c = cluster

    def usage(self, target_key: str, pods: list[dict]) -> dict[str, float]:
        """Returns simulated CPU usage (millicores) per running pod name: the `sim load` demand split evenly."""
        demand = self.c.runtime.data["load"].get(target_key, 0.0)
        running = [
            p
            for p in pods
            if p.get("status", {}).get("phase") == "Running" and not p["metadata"].get("deletionTimestamp")
        ]
        if not running:
            return {}
        share = demand / len(running)
        return {p["metadata"]["name"]: share for p in running}

    def sync(self, key: str) -> None:
        """Runs one HPA evaluation and schedules the next one 15 s later."""
        c = self.c
        hpa = c.store.get(key)
        if hpa is None:
            c.hpa_history.pop(key, None)
            return
        c.clock.wake("hpa", key, c.clock.now + SYNC_PERIOD)
        spec = hpa["spec"]
        ns = hpa["metadata"]["namespace"]
        ref = spec["scaleTargetRef"]
        target_kind = {"Deployment": "Deployment", "ReplicaSet": "ReplicaSet"}.get(ref.get("kind"))
        target = c.api.get(target_kind, ns, ref.get("name")) if target_kind else None
        target_ref = f"{ref.get('kind')}/{ref.get('name')}"
        metric = (spec.get("metrics") or [{}])[0]
        target_util = ((metric.get("resource") or {}).get("target") or {}).get("averageUtilization", 80)
        status = {"currentReplicas": 0, "desiredReplicas": 0, "currentMetrics": None, "conditions": []}
        old = hpa.get("status") or {}
        if old.get("lastScaleTime"):
            status["lastScaleTime"] = old["lastScaleTime"]
        if target is None:
            qualified = BY_KIND.get(target_kind or "Deployment").qualified
            why = f'{qualified} "{ref.get("name")}" not found'
            self._conditions(
                status,
                able=(
                    "False",
                    "FailedGetScale",
                    f"the HPA controller was unable to get the target's current scale: {why}",
                ),
            )
            self._warn(hpa, "FailedGetScale", why, target_ref, old, status)
            self._write(hpa, status)
            return
        current = target["spec"].get("replicas", 1)
        status["currentReplicas"] = current
        status["desiredReplicas"] = current
        if current == 0:
            self._conditions(
                status,
                active=(
                    "False",
                    "ScalingDisabled",
                    "scaling is disabled since the replica count of the target is zero",
                ),
            )
            self._write(hpa, status)
            return
        selector = (target["spec"].get("selector") or {}).get("matchLabels") or {}
        pods = [
            p
            for p in c.store.pods_matching(ns, selector)
            if not p["metadata"].get("deletionTimestamp") and p.get("status", {}).get("phase") != "Failed"
        ]
        target_key = etcd_key(BY_KIND[target_kind], ns, ref["name"])
        usage = self.usage(target_key, pods)
        requests = {}
        for p in pods:
            req = pod_cpu_request(p)
            if req is None:
                ctr = next(
                    (
                        x["name"]
                        for x in p["spec"]["containers"]
                        if "cpu" not in ((x.get("resources") or {}).get("requests") or {})
                    ),
                    "?",
                )
                why = (
                    f"failed to get cpu utilization: missing request for cpu in container {ctr} of Pod "
                    f"{p['metadata']['name']}"
                )
                self._conditions(
                    status,
                    active=(
                        "False",
                        "FailedGetResourceMetric",
                        f"the HPA was unable to compute the replica count: {why}",
                    ),
                )
                self._warn(hpa, "FailedGetResourceMetric", why, target_ref, old, status)
                self._write(hpa, status)
                return
            requests[p["metadata"]["name"]] = req
        desired, utilization = self._calculate(pods, usage, requests, target_util, current)
        if utilization is None:
            why = "failed to get cpu utilization: did not receive metrics for targeted pods (pods might be unready)"
            self._conditions(
                status,
                active=(
                    "False",
                    "FailedGetResourceMetric",
                    f"the HPA was unable to compute the replica count: {why}",
                ),
            )
            self._write(hpa, status)
            return
        status["currentMetrics"] = [
            {
                "type": "Resource",
                "resource": {
                    "name": "cpu",
                    "current": {
                        "averageUtilization": utilization,
                        # a Quantity, stored in its canonical text (`0m` → `0`, `1500m` → `1500m`, `2000m` → `2`)
                        "averageValue": canonical(f"{int(sum(usage.values()) / max(1, len(usage)))}m"),
                    },
                },
            }
        ]
        # Scale-down stabilisation: use the highest recommendation of the last 300 s.
        # A new HPA starts its history with the current size (as the controller does), so it cannot scale
        # down before the window has passed.
        if key not in c.hpa_history:
            c.hpa_history[key] = [[c.clock.now, current]]
        history = [h for h in c.hpa_history[key] if h[0] > c.clock.now - DOWNSCALE_WINDOW]
        stabilized = current
        down = max([desired] + [h[1] for h in history])
        if desired > current:
            stabilized = desired
        elif down < current:
            stabilized = down
        history.append([c.clock.now, desired])
        c.hpa_history[key] = history[-40:]
        # Scale-up rate limit: max(+4 pods, +100 %) per period.
        limit_up = max(current + 4, current * 2)
        final = min(stabilized, limit_up)
        # The simulator's cluster-wide pod limit also bounds what the HPA may add.
        room = c.config["max_pods"] - sum(c.desired_pods().values()) + current
        final = min(final, max(current, room))
        mn, mx = spec.get("minReplicas", 1), spec["maxReplicas"]
        limited = None
        if final > mx:
            final, limited = (
                mx,
                (
                    "True",
                    "TooManyReplicas",
                    "the desired replica count is more than the maximum replica count",
                ),
            )
        elif final < mn:
            final, limited = (
                mn,
                (
                    "True",
                    "TooFewReplicas",
                    "the desired replica count is less than the minimum replica count",
                ),
            )
        self._conditions(
            status,
            active=(
                "True",
                "ValidMetricFound",
                "the HPA was able to successfully calculate a "
                "replica count from cpu resource utilization (percentage of request)",
            ),
            limited=limited
            or ("False", "DesiredWithinRange", "the desired count is within the acceptable range"),
        )
        status["desiredReplicas"] = final
        if final != current:
            upd = clone(target)
            upd["spec"]["replicas"] = final
            c.api.update(upd, COMPONENT)
            status["lastScaleTime"] = stamp(c.clock.now)
            direction = "above" if final > current else "below"
            reason = (
                "cpu resource utilization (percentage of request) above target"
                if direction == "above"
                else "All metrics below target"
            )
            step, ko, en = narrate(
                "rescaled", current=utilization, target=target_util, target_ref=target_ref, a=current, b=final
            )
            c.emit(
                "Normal",
                "SuccessfulRescale",
                f"horizontalpodautoscaler/{hpa['metadata']['name']}",
                COMPONENT,
                f"New size: {final}; reason: {reason}",
                ko,
                en,
                step,
                namespace=ns,
            )
        self._write(hpa, status)

    def _calculate(self, pods, usage, requests, target_util, current):
        """Returns (desired replicas, current utilisation %) as GetResourceReplicas computes them."""
        metrics = {}
        ready_count = 0
        unready, missing = [], []
        for p in pods:
            name = p["metadata"]["name"]
            if p.get("status", {}).get("phase") == "Pending":
                unready.append(name)
                continue
            if name not in usage:
                missing.append(name)
                continue
            if not pod_ready(p):
                unready.append(name)
                continue
            metrics[name] = usage[name]
            ready_count += 1
        if not metrics:
            if not pods:
                return current, None
            return current, None

        def ratio(ms):
            total_use = sum(ms.values())
            total_req = sum(requests[n] for n in ms)
            util = int(total_use * 100 / total_req) if total_req else 0
            return (util / target_util if target_util else 0.0), util

        usage_ratio, utilization = ratio(metrics)
        scale_up_unready = bool(unready) and usage_ratio > 1.0
        if not scale_up_unready and not missing:
            if abs(1.0 - usage_ratio) <= TOLERANCE:
                return current, utilization
            return math.ceil(usage_ratio * ready_count), utilization
        if missing:
            for n in missing:
                metrics[n] = requests[n] * max(100, target_util) / 100 if usage_ratio < 1.0 else 0
        if scale_up_unready:
            for n in unready:
                metrics[n] = 0
        new_ratio, _ = ratio(metrics)
        if (
            abs(1.0 - new_ratio) <= TOLERANCE
            or (usage_ratio < 1.0 < new_ratio)
            or (usage_ratio > 1.0 > new_ratio)
        ):
            return current, utilization
        new_replicas = math.ceil(new_ratio * len(metrics))
        if (new_ratio < 1.0 and new_replicas > current) or (new_ratio > 1.0 and new_replicas < current):
            return current, utilization
        return new_replicas, utilization

    def _conditions(
        self,
        status,
        able=("True", "ReadyForNewScale", "recommended size matches current size"),
        active=None,
        limited=None,
    ):
        ts = stamp(self.c.clock.now)
        status["conditions"] = [
            {
                "type": "AbleToScale",
                "status": able[0],
                "reason": able[1],
                "message": able[2],
                "lastTransitionTime": ts,
            }
        ]
        if active:
            status["conditions"].append(
                {
                    "type": "ScalingActive",
                    "status": active[0],
                    "reason": active[1],
                    "message": active[2],
                    "lastTransitionTime": ts,
                }
            )
        if limited:
            status["conditions"].append(
                {
                    "type": "ScalingLimited",
                    "status": limited[0],
                    "reason": limited[1],
                    "message": limited[2],
                    "lastTransitionTime": ts,
                }
            )

    def _warn(self, hpa, reason, why, target_ref, old, status):
        old_reasons = {cd.get("reason") for cd in old.get("conditions", ())}
        if reason in old_reasons:
            return
        step, ko, en = narrate("hpa-unknown", target_ref=target_ref, why=why)
        self.c.emit(
            "Warning",
            reason,
            f"horizontalpodautoscaler/{hpa['metadata']['name']}",
            COMPONENT,
            why,
            ko,
            en,
            step,
            namespace=hpa["metadata"]["namespace"],
        )

    def _write(self, hpa: dict, status: dict) -> None:
        old = hpa.get("status") or {}

        def strip(s):
            s = dict(s)
            s["conditions"] = [
                {k: v for k, v in cd.items() if k != "lastTransitionTime"} for cd in s.get("conditions", [])
            ]
            return s

        if strip(old) == strip(status):
            return
        prev = {cd["type"]: cd for cd in old.get("conditions", ())}
        for cd in status["conditions"]:
            p = prev.get(cd["type"])
            if p and p["status"] == cd["status"]:
                cd["lastTransitionTime"] = p["lastTransitionTime"]
        upd = clone(hpa)
        upd["status"] = status
        self.c.api.update_status(upd, COMPONENT)
