"""ReplicaSet controller: keeps `spec.replicas` active pods matching the template (the self-healing loop).

Level-triggered: every sync compares the number of active pods it owns (not terminal, no deletionTimestamp)
with `spec.replicas` and creates or deletes the difference – creating at most 500 per sync (burstReplicas),
deleting the lowest-ranked pods first as `ActivePodsWithRanks` does: unscheduled before scheduled, Pending
before Running, not-ready before ready, pods doubled up on a node first, recently ready first, more restarts
first, newer first. Terminating pods are not counted, so replacements start while old pods still terminate.
"""

from __future__ import annotations

from ..clock import parse_stamp
from ..narration import narrate
from ..objects import clone, with_status
from ..store import controller_uid, pod_active, pod_ready

BURST_REPLICAS = 500
COMPONENT = "controller-manager/replicaset-controller"


def ready_since(pod: dict) -> float | None:
    """Returns when the pod's Ready condition last became True, or None."""
    for cd in pod.get("status", {}).get("conditions", ()):
        if cd["type"] == "Ready" and cd["status"] == "True":
            return parse_stamp(cd["lastTransitionTime"])
    return None


def is_available(pod: dict, min_ready: int, now: float) -> bool:
    """Returns True when the pod has been Ready for at least minReadySeconds."""
    since = ready_since(pod)
    return since is not None and since + min_ready <= now


class ReplicaSetController:
    """Reconciles ReplicaSets."""

    def __init__(self, cluster):
        self.c = cluster

    def sync(self, key: str) -> None:
        """Creates or deletes pods until the active count equals spec.replicas, then writes status."""
        c = self.c
        rs = c.store.get(key)
        if rs is None or rs["metadata"].get("deletionTimestamp"):
            return
        uid = rs["metadata"]["uid"]
        want = rs["spec"].get("replicas", 1)
        active, _ready = c.store.owner_stats.get(uid, [0, 0])
        diff = active - want
        name = rs["metadata"]["name"]
        ns = rs["metadata"]["namespace"]
        if diff < 0:
            count = min(-diff, BURST_REPLICAS)
            # A replica lost while the spec did not change is a replacement: the lesson's step 6.
            replacing = rs["metadata"].get("generation") == rs.get("status", {}).get(
                "observedGeneration"
            ) and (rs.get("status", {}).get("replicas", 0) >= want)
            for _ in range(count):
                pod = self._new_pod(rs)
                try:
                    created = c.api.create(pod, COMPONENT)
                except Exception as exc:  # noqa: BLE001 - refused (quota, terminating namespace); retried later
                    # The real controller records the API server's refusal [S replica_set.go manageReplicas].
                    text = (
                        str(exc).split("): ", 1)[-1] if str(exc).startswith("Error from server") else str(exc)
                    )
                    c.emit_once(
                        f"failedcreate:{key}",
                        "Warning",
                        "FailedCreate",
                        f"replicaset/{name}",
                        COMPONENT,
                        f"Error creating: {text}",
                        f"레플리카셋 {name} 이 파드를 만들지 못했습니다: API 서버가 거절했습니다",
                        f"ReplicaSet {name} could not create a pod: the API server refused it",
                        5,
                        namespace=ns,
                    )
                    break
                pname = created["metadata"]["name"]
                step, ko, en = narrate(
                    "pod-replaced" if replacing else "pod-created", pod=pname, want=want, have=active
                )
                c.emit(
                    "Normal",
                    "SuccessfulCreate",
                    f"replicaset/{name}",
                    COMPONENT,
                    f"Created pod: {pname}",
                    ko,
                    en,
                    step,
                    namespace=ns,
                )
                active += 1
        elif diff > 0:
            pods = [p for p in c.store.owned(uid, "Pod") if pod_active(p)]
            for pod in self._rank(pods, uid)[:diff]:
                c.api.delete(pod, COMPONENT)
                pname = pod["metadata"]["name"]
                step, ko, en = narrate("pod-deleted", pod=pname, want=want, have=active)
                c.emit(
                    "Normal",
                    "SuccessfulDelete",
                    f"replicaset/{name}",
                    COMPONENT,
                    f"Deleted pod: {pname}",
                    ko,
                    en,
                    step,
                    namespace=ns,
                )
                active -= 1
        self._update_status(key)

    def _new_pod(self, rs: dict) -> dict:
        template = rs["spec"]["template"]
        meta = clone(template.get("metadata") or {})
        meta.pop("name", None)
        meta["generateName"] = rs["metadata"]["name"] + "-"
        meta["namespace"] = rs["metadata"]["namespace"]
        meta["ownerReferences"] = [
            {
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "name": rs["metadata"]["name"],
                "uid": rs["metadata"]["uid"],
                "controller": True,
                "blockOwnerDeletion": True,
            }
        ]
        return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": clone(template["spec"])}

    def _rank(self, pods: list[dict], uid: str) -> list[dict]:
        """Returns pods in deletion order (first = deleted first), as ActivePodsWithRanks sorts them."""
        now = self.c.clock.now
        phase_rank = {"Pending": 0, "Unknown": 1, "Running": 2}

        def restarts(p):
            return max(
                (cs.get("restartCount", 0) for cs in p.get("status", {}).get("containerStatuses", ())),
                default=0,
            )

        def rank(p):
            node = p["spec"].get("nodeName")
            since = ready_since(p)
            return (
                1 if node else 0,
                phase_rank.get(p.get("status", {}).get("phase"), 0),
                1 if pod_ready(p) else 0,
                -self.c.store.owner_node_count.get((uid, node), 0) if node else 0,
                -(now - since) if since is not None else 0,
                -restarts(p),
                -(parse_stamp(p["metadata"]["creationTimestamp"]) or 0),
                p["metadata"]["name"],
            )

        return sorted(pods, key=rank)

    def _update_status(self, key: str) -> None:
        c = self.c
        rs = c.store.get(key)
        uid = rs["metadata"]["uid"]
        active, ready = c.store.owner_stats.get(uid, [0, 0])
        min_ready = rs["spec"].get("minReadySeconds", 0)
        if min_ready:
            available = 0
            nxt = None
            for p in c.store.owned(uid, "Pod"):
                if not pod_active(p):
                    continue
                since = ready_since(p)
                if since is None:
                    continue
                if since + min_ready <= c.clock.now:
                    available += 1
                else:
                    nxt = since + min_ready if nxt is None else min(nxt, since + min_ready)
            if nxt is not None:
                c.clock.wake("replicaset", key, nxt)
        else:
            available = ready
        status = {
            "replicas": active,
            "fullyLabeledReplicas": active,
            "readyReplicas": ready,
            "availableReplicas": available,
            "observedGeneration": rs["metadata"].get("generation", 1),
        }
        old = rs.get("status") or {}
        if any(old.get(k, 0) != v for k, v in status.items()) or set(old) - set(status) - {"conditions"}:
            c.api.update_status(with_status(rs, status), COMPONENT)


def owner_key(c, obj: dict) -> str | None:
    """Returns the store key of the object's controller owner, if it still exists."""
    uid = controller_uid(obj)
    return c.store.by_uid_key(uid) if uid else None
