"""ReplicaSet controller: keeps `spec.replicas` active pods matching the template (the self-healing loop).

Level-triggered: every sync compares the number of active pods it owns (not terminal, no deletionTimestamp)
with `spec.replicas` and creates or deletes the difference – creating at most 500 per sync (burstReplicas),
deleting the lowest-ranked pods first as `ActivePodsWithRanks` does: unscheduled before scheduled, Pending
before Running, not-ready before ready, pods doubled up on a node first, recently ready first, more restarts
first, newer first. Terminating pods are not counted, so replacements start while old pods still terminate.
"""

from __future__ import annotations

import math

from ..clock import parse_stamp
from ..narration import narrate
from ..objects import omit_zero, with_status
from ..store import controller_uid, pod_active, pod_ready
from .ownership import pod_from_template

BURST_REPLICAS = 500
COMPONENT = "controller-manager/replicaset-controller"
RC_COMPONENT = "controller-manager/replicationcontroller-controller"


def ready_since(pod: dict) -> float | None:
    """Returns when the pod's Ready condition last became True, or None."""
    for cd in pod.get("status", {}).get("conditions", ()):
        if cd["type"] == "Ready" and cd["status"] == "True":
            return parse_stamp(cd["lastTransitionTime"])
    return None


_PHASE_RANK = {"Pending": 0, "Unknown": 1, "Running": 2}


def _own_rank(p: dict) -> tuple:
    """Returns the parts of a pod's deletion rank that depend on the pod alone: (node, phase rank, ready,
    Ready since, uid when ready, minus restarts, minus creation time, name)."""
    ready = pod_ready(p)
    restarts = max(
        (cs.get("restartCount", 0) for cs in p.get("status", {}).get("containerStatuses", ())), default=0
    )
    return (
        p["spec"].get("nodeName"),
        _PHASE_RANK.get(p.get("status", {}).get("phase"), 0),
        ready,
        ready_since(p) if ready else None,
        p["metadata"].get("uid", "") if ready else "",
        -restarts,
        -(parse_stamp(p["metadata"]["creationTimestamp"]) or 0),
        p["metadata"]["name"],
    )


def is_available(pod: dict, min_ready: int, now: float) -> bool:
    """Returns True when the pod has been Ready for at least minReadySeconds."""
    since = ready_since(pod)
    return since is not None and since + min_ready <= now


class ReplicaSetController:
    """Reconciles ReplicaSets."""

    def __init__(self, cluster):
        self.c = cluster
        # id(pod) -> (pod, the parts of its deletion rank that depend on the pod alone) for the pods of the last
        # ranking: a pure cache (stored pods are never mutated, and the entry keeps the pod alive so that its id
        # is not reused), replaced at every ranking so that it never holds more than one ReplicaSet's pods.
        self._rank_parts: dict[int, tuple] = {}
        # key -> (ReplicaSet object, active, ready) of a ReplicaSet without minReadySeconds whose stored status
        # was last found equal to what those counts give: a pure cache (the status written is a function of the
        # stored object and the two counts alone), so a pass that would find nothing to write stops early.
        self._settled: dict[str, tuple[dict, int, int]] = {}

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
        obj_ref = f"{rs['kind'].lower()}/{name}"
        component = COMPONENT if rs["kind"] == "ReplicaSet" else RC_COMPONENT
        if diff < 0:
            count = min(-diff, BURST_REPLICAS)
            # A replica lost while the spec did not change is a replacement: the lesson's step 6.
            replacing = rs["metadata"].get("generation") == rs.get("status", {}).get(
                "observedGeneration"
            ) and (rs.get("status", {}).get("replicas", 0) >= want)
            for _ in range(count):
                pod = self._new_pod(rs)
                try:
                    created = c.api.create(pod, component)
                except Exception as exc:  # noqa: BLE001 - refused (quota, terminating namespace); retried later
                    # The real controller records the API server's refusal [S replica_set.go manageReplicas].
                    text = (
                        str(exc).split("): ", 1)[-1] if str(exc).startswith("Error from server") else str(exc)
                    )
                    c.emit_once(
                        f"failedcreate:{key}",
                        "Warning",
                        "FailedCreate",
                        obj_ref,
                        component,
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
                    obj_ref,
                    component,
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
                c.api.delete(pod, component)
                pname = pod["metadata"]["name"]
                step, ko, en = narrate("pod-deleted", pod=pname, want=want, have=active)
                c.emit(
                    "Normal",
                    "SuccessfulDelete",
                    obj_ref,
                    component,
                    f"Deleted pod: {pname}",
                    ko,
                    en,
                    step,
                    namespace=ns,
                )
                active -= 1
        self._update_status(key)

    def _new_pod(self, rs: dict) -> dict:
        # A ReplicationController (v1) makes its pods exactly as a ReplicaSet does, owned by kind
        # ReplicationController.
        return pod_from_template(rs, rs["spec"]["template"])

    def _rank(self, pods: list[dict], uid: str) -> list[dict]:
        """Returns pods in deletion order (first = deleted first), as ActivePodsWithRanks sorts them."""
        now = self.c.clock.now
        node_count = self.c.store.owner_node_count
        cache = self._rank_parts
        fresh: dict[int, tuple] = {}
        self._rank_parts = fresh

        def rank(p):
            hit = cache.get(id(p))
            if hit is None or hit[0] is not p:
                hit = (p, *_own_rank(p))
            fresh[id(p)] = hit
            _, node, phase, ready, since, uid_key, restarts, created, name = hit
            # Rule 6 with LogarithmicScaleDown: the pod Ready for less time goes first, compared on a log2
            # scale of nanoseconds (logarithmicRankDiff), ties within a bucket broken by UID.
            bucket = int(math.log2((now - since) * 1e9)) if since is not None and now > since else -1
            return (
                1 if node else 0,
                phase,
                1 if ready else 0,
                -node_count.get((uid, node), 0) if node else 0,
                bucket if ready else 0,
                uid_key,
                restarts,
                created,
                name,
            )

        return sorted(pods, key=rank)

    def _update_status(self, key: str) -> None:
        c = self.c
        rs = c.store.get(key)
        uid = rs["metadata"]["uid"]
        active, ready = c.store.owner_stats.get(uid, [0, 0])
        min_ready = rs["spec"].get("minReadySeconds", 0)
        if not min_ready:
            settled = self._settled.get(key)
            if settled is not None and settled[0] is rs and settled[1] == active and settled[2] == ready:
                return
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
        # ReplicaSetStatus: `replicas` is always written, the other counts are `omitempty` (apps/v1 types.go)
        omit_zero(status, "fullyLabeledReplicas", "readyReplicas", "availableReplicas", "observedGeneration")
        old = rs.get("status") or {}
        changed = False
        for k, v in status.items():
            if old.get(k, 0) != v:
                changed = True
                break
        if changed or set(old) - set(status) - {"conditions"}:
            rs = c.api.update_status(with_status(rs, status), COMPONENT)
        if not min_ready:
            if len(self._settled) > 10_000:
                self._settled.clear()
            self._settled[key] = (rs, active, ready)


def owner_key(c, obj: dict) -> str | None:
    """Returns the store key of the object's controller owner, if it still exists."""
    uid = controller_uid(obj)
    return c.store.by_uid_key(uid) if uid else None
