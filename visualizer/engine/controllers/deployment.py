"""Deployment controller: ReplicaSets per template, rolling updates, Recreate, revisions, progress deadline.

This follows kubernetes/pkg/controller/deployment closely (see ../shared/reference/cluster-semantics.md §1):
- `maxSurge` rounds up and `maxUnavailable` rounds down; if both resolve to 0, maxUnavailable becomes 1.
- One rolling pass: get or create the new RS; scale it up if the surge allows and stop; otherwise scale old
  ReplicaSets down (first their unhealthy replicas, then as far as `minAvailable` allows); clean up history.
- Recreate: scale old ReplicaSets to 0, wait until none of their pods is left, then scale the new one up.
- A scaling event during a rollout spreads the change proportionally over the active ReplicaSets.
- Status: replicas, updated, ready, available; conditions Available and Progressing (NewReplicaSetCreated,
  ReplicaSetUpdated, NewReplicaSetAvailable, ProgressDeadlineExceeded, DeploymentPaused, DeploymentResumed).
"""

from __future__ import annotations

import math

from ..clock import parse_stamp, stamp
from ..narration import narrate
from ..objects import clone, omit_zero, template_hash, with_status

COMPONENT = "controller-manager/deployment-controller"
REVISION = "deployment.kubernetes.io/revision"
REVISION_HISTORY = "deployment.kubernetes.io/revision-history"
DESIRED = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS = "deployment.kubernetes.io/max-replicas"
CHANGE_CAUSE = "kubernetes.io/change-cause"
HASH_LABEL = "pod-template-hash"


_SCALED: dict[tuple, int] = {}  # ("25%", total, round_up) -> value: every sync resolves the same few


def scaled_value(value, total: int, round_up: bool) -> int:
    """Returns an int-or-percent resolved against total (GetScaledValueFromIntOrPercent)."""
    if isinstance(value, int):
        return value
    key = (value, total, round_up) if type(value) is str else None
    if key is not None:
        hit = _SCALED.get(key)
        if hit is not None:
            return hit
    pct = int(str(value).rstrip("%"))
    exact = pct * total / 100
    result = math.ceil(exact) if round_up else math.floor(exact)
    if key is not None:
        if len(_SCALED) > 10_000:
            _SCALED.clear()
        _SCALED[key] = result
    return result


# Pure caches keyed by object identity, each entry holding the object so that its id cannot be reused. Stored
# objects are never mutated in place (store.py), and a status write shares the unchanged spec (with_status), so
# a Deployment's spec or a ReplicaSet's template is the same object across the many syncs of a rollout.
_IDENTITY_CACHE_MAX = 512  # small: an entry keeps a spec or a template alive until the cache is cleared
_FENCEPOSTS: dict[int, tuple[dict, tuple[int, int]]] = {}
_TEMPLATES_EQUAL: dict[tuple[int, int], tuple[dict, dict, bool]] = {}


def fenceposts(d: dict) -> tuple[int, int]:
    """Returns (maxSurge, maxUnavailable) for a Deployment as ResolveFenceposts does (0 for Recreate)."""
    spec = d["spec"]
    hit = _FENCEPOSTS.get(id(spec))
    if hit is not None and hit[0] is spec:
        return hit[1]
    result = _fenceposts(spec)
    if len(_FENCEPOSTS) >= _IDENTITY_CACHE_MAX:
        _FENCEPOSTS.clear()
    _FENCEPOSTS[id(spec)] = (spec, result)
    return result


def _fenceposts(spec: dict) -> tuple[int, int]:
    replicas = spec.get("replicas", 1)
    strategy = spec.get("strategy") or {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        return 0, 0
    ru = strategy.get("rollingUpdate") or {}
    surge = scaled_value(ru.get("maxSurge", "25%"), replicas, True)
    unavailable = scaled_value(ru.get("maxUnavailable", "25%"), replicas, False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    if replicas == 0:
        unavailable = 0
    return surge, min(unavailable, replicas)


def revision_of(rs: dict) -> int:
    """Returns the RS's revision annotation as an int (0 when missing)."""
    try:
        return int((rs["metadata"].get("annotations") or {}).get(REVISION, "0"))
    except ValueError:
        return 0


def templates_equal(rs_template: dict, template: dict) -> bool:
    """Returns True when two pod templates are equal ignoring the pod-template-hash label (no copying).

    Both must be stored (never mutated) objects: the answer is remembered per pair of objects."""
    ident = (id(rs_template), id(template))
    hit = _TEMPLATES_EQUAL.get(ident)
    if hit is not None and hit[0] is rs_template and hit[1] is template:
        return hit[2]
    result = _templates_equal(rs_template, template)
    if len(_TEMPLATES_EQUAL) >= _IDENTITY_CACHE_MAX:
        _TEMPLATES_EQUAL.clear()
    _TEMPLATES_EQUAL[ident] = (rs_template, template, result)
    return result


def _templates_equal(rs_template: dict, template: dict) -> bool:
    if rs_template.get("spec") != template.get("spec"):
        return False
    a, b = rs_template.get("metadata") or {}, template.get("metadata") or {}
    if {k: v for k, v in a.items() if k != "labels"} != {k: v for k, v in b.items() if k != "labels"}:
        return False
    la, lb = a.get("labels") or {}, b.get("labels") or {}
    return {k: v for k, v in la.items() if k != HASH_LABEL} == {
        k: v for k, v in lb.items() if k != HASH_LABEL
    }


def strip_hash(template: dict) -> dict:
    """Returns a copy of a pod template without the pod-template-hash label."""
    t = clone(template)
    labels = (t.get("metadata") or {}).get("labels")
    if labels:
        labels.pop(HASH_LABEL, None)
    return t


class DeploymentController:
    """Reconciles Deployments by writing ReplicaSets."""

    def __init__(self, cluster):
        self.c = cluster
        # The last owned-ReplicaSet list (store revision, uid, list) and the last _split (d, rses, result):
        # a sync that wrote nothing reads the same objects again for its status (pure caches).
        self._owned_memo: tuple | None = None
        self._split_memo: tuple | None = None

    def _owned_replicasets(self, uid: str) -> list[dict]:
        """Returns store.owned(uid, "ReplicaSet"), reused while the store revision has not moved (the epoch
        tells a rolled-back revision from a new one of the same number)."""
        store = self.c.store
        memo = self._owned_memo
        stamp = (store.epoch, store.revision)
        if memo is not None and memo[0] == stamp and memo[1] == uid:
            return memo[2]
        rses = store.owned(uid, "ReplicaSet")
        self._owned_memo = (stamp, uid, rses)
        return rses

    # ------------------------------------------------------------------------------------------ entry
    def sync(self, key: str) -> None:
        """Runs one reconcile pass for a Deployment."""
        c = self.c
        d = c.store.get(key)
        if d is None or d["metadata"].get("deletionTimestamp"):
            return
        d = self._check_paused_condition(d)
        rses = self._owned_replicasets(d["metadata"]["uid"])
        if d["spec"].get("paused"):
            self._sync_only(d, rses)
            return
        if self._is_scaling_event(d, rses):
            self._sync_only(d, rses)
            return
        if (d["spec"].get("strategy") or {}).get("type") == "Recreate":
            self._rollout_recreate(d, rses)
        else:
            self._rollout_rolling(d, rses)

    # ------------------------------------------------------------------------------------------ helpers
    def _split(self, d: dict, rses: list[dict]) -> tuple[dict | None, list[dict]]:
        """Returns (new RS whose template equals the Deployment's, old RSes oldest first). The lists are
        shared with a memo of the last call: callers must not mutate them."""
        memo = self._split_memo
        if memo is not None and memo[0] is d and memo[1] is rses:
            return memo[2]
        result = self._split_now(d, rses)
        self._split_memo = (d, rses, result)
        return result

    def _split_now(self, d: dict, rses: list[dict]) -> tuple[dict | None, list[dict]]:
        want = d["spec"]["template"]
        new = None
        olds = []
        for rs in sorted(rses, key=_created_then_name):
            if new is None and templates_equal(rs["spec"]["template"], want):
                new = rs
            else:
                olds.append(rs)
        return new, olds

    def _new_rs_replicas(self, d: dict, all_rs: list[dict], new_rs: dict | None) -> int:
        """Returns the size the new RS should have now (NewRSNewReplicas)."""
        replicas = d["spec"].get("replicas", 1)
        if (d["spec"].get("strategy") or {}).get("type") == "Recreate":
            return replicas
        surge, _ = fenceposts(d)
        current = sum(rs["spec"].get("replicas", 0) for rs in all_rs)
        new_spec = new_rs["spec"].get("replicas", 0) if new_rs else 0
        if current >= replicas + surge:
            return new_spec
        return new_spec + min(replicas + surge - current, replicas - new_spec)

    def _get_or_create_new(self, d: dict, new_rs: dict | None, olds: list[dict], create: bool) -> dict | None:
        """Returns the new RS with its revision and annotations synced, creating it when allowed."""
        c = self.c
        max_old = None  # max(revision_of(rs) for rs in olds, default=0), without a generator
        for rs in olds:
            rev = revision_of(rs)
            if max_old is None or rev > max_old:
                max_old = rev
        if max_old is None:
            max_old = 0
        new_revision = max_old + 1
        surge, _ = fenceposts(d)
        replicas = d["spec"].get("replicas", 1)
        cause = (d["metadata"].get("annotations") or {}).get(CHANGE_CAUSE)
        if new_rs is not None:
            ann = new_rs["metadata"].get("annotations") or {}
            wanted = dict(ann)
            old_rev = revision_of(new_rs)
            if old_rev < new_revision:
                # Rolling back to this RS: it becomes the newest revision and remembers its old number.
                wanted[REVISION] = str(new_revision)
                if old_rev:
                    history = [h for h in ann.get(REVISION_HISTORY, "").split(",") if h]
                    wanted[REVISION_HISTORY] = ",".join(history + [str(old_rev)])
            if cause is not None:
                wanted[CHANGE_CAUSE] = cause
            # desired/max-replicas of an existing RS change only when the RS is scaled (proportional
            # scaling reads the old values).
            if wanted != ann:
                upd = clone(new_rs)
                upd["metadata"]["annotations"] = wanted
                new_rs = c.api.update(upd, COMPONENT)
            self._set_deploy_revision(d, new_rs)
            return new_rs
        if not create:
            return None
        collision = (d.get("status") or {}).get("collisionCount", 0)
        for _ in range(5):
            h = template_hash(d["spec"]["template"], collision)
            name = f"{d['metadata']['name']}-{h}"
            existing = c.api.get("ReplicaSet", d["metadata"]["namespace"], name)
            if existing is None:
                break
            collision += 1
        template = clone(d["spec"]["template"])
        template.setdefault("metadata", {}).setdefault("labels", {})[HASH_LABEL] = h
        selector = clone(d["spec"]["selector"])
        selector.setdefault("matchLabels", {})[HASH_LABEL] = h
        annotations = {
            DESIRED: str(replicas),
            MAX_REPLICAS: str(replicas + surge),
            REVISION: str(new_revision),
        }
        if cause is not None:
            annotations[CHANGE_CAUSE] = cause
        all_rs = olds
        size = self._new_rs_replicas(d, all_rs, None)
        rs = {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "name": name,
                "namespace": d["metadata"]["namespace"],
                "labels": dict(template["metadata"]["labels"]),
                "annotations": annotations,
                "ownerReferences": [
                    {
                        "apiVersion": "apps/v1",
                        "kind": "Deployment",
                        "name": d["metadata"]["name"],
                        "uid": d["metadata"]["uid"],
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
            "spec": omit_zero(
                {
                    "replicas": size,
                    "minReadySeconds": d["spec"].get("minReadySeconds", 0),
                    "selector": selector,
                    "template": template,
                },
                "minReadySeconds",
            ),
            "status": {"replicas": 0},
        }
        created = c.api.create(rs, COMPONENT)
        ns = d["metadata"]["namespace"]
        step, ko, en = narrate("created-rs", rs=name, rev=new_revision)
        c.emit(
            "Normal",
            "ScalingReplicaSet",
            f"deployment/{d['metadata']['name']}",
            COMPONENT,
            f"Scaled up replica set {name} from 0 to {size}",
            ko,
            en,
            step,
            namespace=ns,
        )
        cur = c.store.get(_dkey(d))
        upd = clone(cur)
        st = upd.setdefault("status", {})
        if collision != (st.get("collisionCount") or 0):
            st["collisionCount"] = collision
        _set_condition(
            st,
            "Progressing",
            "True",
            "NewReplicaSetCreated",
            f'Created new replica set "{name}"',
            c.clock.now,
        )
        c.api.update_status(upd, COMPONENT)
        self._set_deploy_revision(c.store.get(_dkey(d)), created)
        return created

    def _set_deploy_revision(self, d: dict, rs: dict) -> None:
        rev = (rs["metadata"].get("annotations") or {}).get(REVISION)
        cur = self.c.store.get(_dkey(d))
        if rev and (cur["metadata"].get("annotations") or {}).get(REVISION) != rev:
            upd = clone(cur)
            upd["metadata"].setdefault("annotations", {})[REVISION] = rev
            self.c.api.update_status(upd, COMPONENT)

    def _scale(self, d: dict, rs: dict, size: int) -> dict:
        """Sets an RS's replicas (and the desired/max annotations), emitting ScalingReplicaSet."""
        c = self.c
        d = c.store.get(_dkey(d)) or d
        surge, _ = fenceposts(d)
        replicas = d["spec"].get("replicas", 1)
        ann = rs["metadata"].get("annotations") or {}
        old = rs["spec"].get("replicas", 0)
        want_ann = dict(ann) | {DESIRED: str(replicas), MAX_REPLICAS: str(replicas + surge)}
        if old == size and want_ann == ann:
            return rs
        # Copy only the levels that change: the template, selector and status are shared with the stored
        # version, which is never mutated (a deep clone of the pod template was most of a scale's cost).
        upd = dict(rs)
        upd["metadata"] = dict(rs["metadata"])
        upd["spec"] = dict(rs["spec"])
        upd["spec"]["replicas"] = size
        upd["metadata"]["annotations"] = want_ann
        stored = c.api.update(upd, COMPONENT)
        if old != size:
            name = rs["metadata"]["name"]
            up = size > old
            step, ko, en = narrate("scaled-up-rs" if up else "scaled-down-rs", rs=name, a=old, b=size)
            c.emit(
                "Normal",
                "ScalingReplicaSet",
                f"deployment/{d['metadata']['name']}",
                COMPONENT,
                f"Scaled {'up' if up else 'down'} replica set {name} from {old} to {size}",
                ko,
                en,
                step,
                namespace=d["metadata"]["namespace"],
            )
        return stored

    # ------------------------------------------------------------------------------------------ rolling
    def _rollout_rolling(self, d: dict, rses: list[dict]) -> None:
        new_rs, olds = self._split(d, rses)
        new_rs = self._get_or_create_new(d, new_rs, olds, create=True)
        d = self.c.store.get(_dkey(d))
        all_rs = olds + [new_rs]
        if self._reconcile_new(d, all_rs, new_rs):
            self._sync_status(d)
            return
        new_rs = self.c.store.get(_rskey(new_rs))
        active_olds = [
            rs for rs in (self.c.store.get(_rskey(o)) for o in olds) if rs and rs["spec"].get("replicas")
        ]
        if self._reconcile_old(d, active_olds, olds, new_rs):
            self._sync_status(d)
            return
        if self._complete(d, d.get("status") or {}):
            self._cleanup(d, olds)
        self._sync_status(d)

    def _reconcile_new(self, d, all_rs, new_rs) -> bool:
        replicas = d["spec"].get("replicas", 1)
        spec = new_rs["spec"].get("replicas", 0)
        if spec == replicas:
            return False
        if spec > replicas:
            self._scale(d, new_rs, replicas)
            return True
        size = self._new_rs_replicas(d, all_rs, new_rs)
        if size == spec:
            return False
        self._scale(d, new_rs, size)
        return True

    def _reconcile_old(self, d, active_olds, olds, new_rs) -> bool:
        if not active_olds:
            return False
        replicas = d["spec"].get("replicas", 1)
        _, max_unavailable = fenceposts(d)
        min_available = replicas - max_unavailable
        all_now = [self.c.store.get(_rskey(r)) for r in olds] + [new_rs]
        all_count = sum(r["spec"].get("replicas", 0) for r in all_now if r)
        new_unavailable = new_rs["spec"].get("replicas", 0) - (new_rs.get("status") or {}).get(
            "availableReplicas", 0
        )
        max_scaled_down = all_count - min_available - new_unavailable
        if max_scaled_down <= 0:
            return False
        total = 0
        # a) remove unhealthy (not available) replicas of old RSes first, oldest RS first
        for i, rs in enumerate(active_olds):
            if total >= max_scaled_down:
                break
            spec = rs["spec"].get("replicas", 0)
            avail = (rs.get("status") or {}).get("availableReplicas", 0)
            if spec == 0 or spec == avail:
                continue
            count = min(max_scaled_down - total, spec - avail)
            active_olds[i] = self._scale(d, rs, spec - count)
            total += count
        # b) scale down old RSes as far as minAvailable allows
        all_now = [self.c.store.get(_rskey(r)) for r in olds] + [new_rs]
        available = sum((r.get("status") or {}).get("availableReplicas", 0) for r in all_now if r)
        if available > min_available:
            budget = available - min_available
            done = 0
            for i, rs in enumerate(active_olds):
                if done >= budget:
                    break
                spec = rs["spec"].get("replicas", 0)
                if spec == 0:
                    continue
                count = min(spec, budget - done)
                active_olds[i] = self._scale(d, rs, spec - count)
                done += count
            total += done
        return total > 0

    # ------------------------------------------------------------------------------------------ recreate
    def _rollout_recreate(self, d: dict, rses: list[dict]) -> None:
        c = self.c
        new_rs, olds = self._split(d, rses)
        new_rs = self._get_or_create_new(d, new_rs, olds, create=False)
        scaled = False
        for rs in olds:
            if rs["spec"].get("replicas", 0):
                self._scale(d, rs, 0)
                scaled = True
        if scaled:
            self._sync_status(d)
            return
        for rs in olds:
            for pod in c.store.owned(rs["metadata"]["uid"], "Pod"):
                if pod.get("status", {}).get("phase") not in ("Succeeded", "Failed"):
                    self._sync_status(d)
                    return
        if new_rs is None:
            new_rs = self._get_or_create_new(d, None, olds, create=True)
        d = c.store.get(_dkey(d))
        if new_rs["spec"].get("replicas", 0) != d["spec"].get("replicas", 1):
            self._scale(d, new_rs, d["spec"].get("replicas", 1))
        if self._complete(d, d.get("status") or {}):
            self._cleanup(d, olds)
        self._sync_status(d)

    # ------------------------------------------------------------------------------------------ scaling
    def _is_scaling_event(self, d: dict, rses: list[dict]) -> bool:
        replicas = str(d["spec"].get("replicas", 1))
        for rs in rses:
            if rs["spec"].get("replicas", 0) > 0:
                desired = (rs["metadata"].get("annotations") or {}).get(DESIRED)
                if desired is not None and desired != replicas:
                    return True
        return False

    def _sync_only(self, d: dict, rses: list[dict]) -> None:
        """Scales without rolling (paused Deployments and scaling events), then syncs status."""
        new_rs, olds = self._split(d, rses)
        new_rs = self._get_or_create_new(d, new_rs, olds, create=False)
        d = self.c.store.get(_dkey(d))
        self._proportional_scale(d, new_rs, olds)
        if d["spec"].get("paused"):
            self._cleanup(d, olds)
        self._sync_status(d)

    def _proportional_scale(self, d: dict, new_rs: dict | None, olds: list[dict]) -> None:
        replicas = d["spec"].get("replicas", 1)
        everyone = ([new_rs] if new_rs else []) + olds
        active = [rs for rs in everyone if rs["spec"].get("replicas", 0) > 0]
        if len(active) == 1 or not active:
            target = active[0] if active else (new_rs or (olds[-1] if olds else None))
            if target is not None and target["spec"].get("replicas", 0) != replicas:
                self._scale(d, target, replicas)
            elif target is not None:
                self._scale(d, target, replicas)  # refresh annotations
            return
        if (
            new_rs is not None
            and new_rs["spec"].get("replicas", 0) == replicas
            and ((new_rs.get("status") or {}).get("availableReplicas", 0) == replicas)
        ):
            for rs in olds:
                if rs["spec"].get("replicas", 0):
                    self._scale(d, rs, 0)
            return
        if (d["spec"].get("strategy") or {}).get("type") == "Recreate":
            return
        surge, _ = fenceposts(d)
        allowed = replicas + surge if replicas > 0 else 0
        current = sum(rs["spec"].get("replicas", 0) for rs in active)
        to_add = allowed - current
        if to_add > 0:
            active.sort(
                key=lambda r: (
                    -r["spec"].get("replicas", 0),
                    -(parse_stamp(r["metadata"]["creationTimestamp"]) or 0),
                )
            )
        elif to_add < 0:
            active.sort(
                key=lambda r: (
                    -r["spec"].get("replicas", 0),
                    parse_stamp(r["metadata"]["creationTimestamp"]) or 0,
                )
            )
        added = 0
        sizes = {}
        for rs in active:
            size = rs["spec"].get("replicas", 0)
            if to_add != 0 and to_add != added and size:
                annotated = (rs["metadata"].get("annotations") or {}).get(MAX_REPLICAS)
                annotated = (
                    int(annotated)
                    if annotated and annotated.isdigit()
                    else (d.get("status") or {}).get("replicas", 0) or size
                )
                if replicas == 0:
                    fraction = -size
                else:
                    fraction = int(math.floor(size * (replicas + surge) / annotated + 0.5)) - size
                room = to_add - added
                prop = min(fraction, room) if to_add > 0 else max(fraction, room)
            else:
                prop = 0
            sizes[rs["metadata"]["name"]] = size + prop
            added += prop
        for i, rs in enumerate(active):
            name = rs["metadata"]["name"]
            if i == 0 and to_add != 0:
                sizes[name] = max(0, sizes[name] + to_add - added)
            self._scale(d, rs, sizes[name])

    # ------------------------------------------------------------------------------------------ status
    def _complete(self, d: dict, status: dict) -> bool:
        replicas = d["spec"].get("replicas", 1)
        return (
            status.get("updatedReplicas", 0) == replicas
            and status.get("replicas", 0) == replicas
            and status.get("availableReplicas", 0) == replicas
            and status.get("observedGeneration", 0) >= d["metadata"].get("generation", 1)
        )

    def _cleanup(self, d: dict, olds: list[dict]) -> None:
        limit = d["spec"].get("revisionHistoryLimit", 10)
        dead = []
        for rs in olds:
            cur = self.c.store.get(_rskey(rs))
            if cur and not cur["spec"].get("replicas") and not (cur.get("status") or {}).get("replicas"):
                dead.append(cur)
        excess = len(dead) - limit
        if excess <= 0:
            return
        dead.sort(key=revision_of)
        for rs in dead[:excess]:
            self.c.api.delete(rs, COMPONENT)

    def _check_paused_condition(self, d: dict) -> dict:
        st = d.get("status") or {}
        cond = _progressing_condition(st.get("conditions", ()))
        paused = bool(d["spec"].get("paused"))
        if paused and (cond is None or cond.get("reason") != "DeploymentPaused"):
            reason, msg = "DeploymentPaused", "Deployment is paused"
        elif not paused and cond is not None and cond.get("reason") == "DeploymentPaused":
            reason, msg = "DeploymentResumed", "Deployment is resumed"
        else:
            return d
        upd = clone(d)
        _set_condition(upd.setdefault("status", {}), "Progressing", "Unknown", reason, msg, self.c.clock.now)
        return self.c.api.update_status(upd, COMPONENT)

    def _sync_status(self, d: dict) -> None:
        c = self.c
        d = c.store.get(_dkey(d))
        if d is None:
            return
        rses = self._owned_replicasets(d["metadata"]["uid"])
        new_rs, _ = self._split(d, rses)
        replicas = d["spec"].get("replicas", 1)
        old = d.get("status") or {}
        total = available = ready = 0
        for r in rses:
            st = r.get("status") or {}
            total += st.get("replicas", 0)
            available += st.get("availableReplicas", 0)
            ready += st.get("readyReplicas", 0)
        updated = (new_rs.get("status") or {}).get("replicas", 0) if new_rs else 0
        status = {
            "observedGeneration": d["metadata"].get("generation", 1),
            "replicas": total,
            "updatedReplicas": updated,
            "readyReplicas": ready,
            "availableReplicas": available,
            "unavailableReplicas": max(0, replicas - available),
            # Conditions are flat dicts of strings (only _set_condition writes them): a shallow copy each is
            # a full copy, and _set_condition may then update them in place.
            "conditions": [dict(cd) for cd in old.get("conditions", [])],
        }
        if old.get("collisionCount"):
            status["collisionCount"] = old["collisionCount"]
        _, max_unavailable = fenceposts(d)
        now = c.clock.now
        if available >= replicas - max_unavailable:
            _set_condition(
                status,
                "Available",
                "True",
                "MinimumReplicasAvailable",
                "Deployment has minimum availability.",
                now,
            )
        else:
            _set_condition(
                status,
                "Available",
                "False",
                "MinimumReplicasUnavailable",
                "Deployment does not have minimum availability.",
                now,
            )
        cur = _progressing_condition(status["conditions"])
        name = new_rs["metadata"]["name"] if new_rs else ""
        complete_now = (
            status["replicas"] == status["updatedReplicas"]
            and cur is not None
            and cur.get("reason") == "NewReplicaSetAvailable"
        )
        deadline = d["spec"].get("progressDeadlineSeconds", 600)
        if not complete_now and not d["spec"].get("paused"):
            if self._complete(d, status) and new_rs is not None:
                _set_condition(
                    status,
                    "Progressing",
                    "True",
                    "NewReplicaSetAvailable",
                    f'ReplicaSet "{name}" has successfully progressed.',
                    now,
                    force=True,
                )
            elif self._progressing(old, status) and new_rs is not None:
                _set_condition(
                    status,
                    "Progressing",
                    "True",
                    "ReplicaSetUpdated",
                    f'ReplicaSet "{name}" is progressing.',
                    now,
                    force=True,
                )
            elif (
                cur is not None
                and cur.get("reason") != "ProgressDeadlineExceeded"
                and cur.get("lastUpdateTime")
                and parse_stamp(cur["lastUpdateTime"]) + deadline < now
                and new_rs is not None
            ):
                _set_condition(
                    status,
                    "Progressing",
                    "False",
                    "ProgressDeadlineExceeded",
                    f'ReplicaSet "{name}" has timed out progressing.',
                    now,
                )
        cur = _progressing_condition(status["conditions"])
        if (
            cur is not None
            and cur.get("reason")
            not in ("NewReplicaSetAvailable", "ProgressDeadlineExceeded", "DeploymentPaused")
            and cur.get("lastUpdateTime")
        ):
            c.clock.wake("deployment", _dkey(d), parse_stamp(cur["lastUpdateTime"]) + deadline + 1)
        status["conditions"].sort(key=_available_first)
        # DeploymentStatus's counts are all `omitempty` (apps/v1 types.go)
        omit_zero(
            status,
            "observedGeneration",
            "replicas",
            "updatedReplicas",
            "readyReplicas",
            "availableReplicas",
            "unavailableReplicas",
        )
        if status != old:
            c.api.update_status(with_status(d, status), COMPONENT)

    @staticmethod
    def _progressing(old: dict, new: dict) -> bool:
        old_old = old.get("replicas", 0) - old.get("updatedReplicas", 0)
        new_old = new.get("replicas", 0) - new.get("updatedReplicas", 0)
        return (
            new.get("updatedReplicas", 0) > old.get("updatedReplicas", 0)
            or new_old < old_old
            or new.get("readyReplicas", 0) > old.get("readyReplicas", 0)
            or new.get("availableReplicas", 0) > old.get("availableReplicas", 0)
        )


# Module-level helpers rather than lambdas and generators built on every sync.
def _progressing_condition(conditions) -> dict | None:
    """Returns the first condition of type Progressing, or None."""
    for cd in conditions:
        if cd["type"] == "Progressing":
            return cd
    return None


def _available_first(cd: dict) -> int:
    return 0 if cd["type"] == "Available" else 1


def _created_then_name(rs: dict) -> tuple:
    return parse_stamp(rs["metadata"]["creationTimestamp"]), rs["metadata"]["name"]


def _set_condition(
    status: dict, ctype: str, value: str, reason: str, message: str, now: float, force: bool = False
) -> None:
    conds = status.setdefault("conditions", [])
    ts = stamp(now)
    for cd in conds:
        if cd["type"] == ctype:
            if (
                cd["status"] == value
                and cd.get("reason") == reason
                and cd.get("message") == message
                and not force
            ):
                return
            transition = cd["lastTransitionTime"] if cd["status"] == value else ts
            cd.update(
                status=value, reason=reason, message=message, lastUpdateTime=ts, lastTransitionTime=transition
            )
            return
    conds.append(
        {
            "type": ctype,
            "status": value,
            "lastUpdateTime": ts,
            "lastTransitionTime": ts,
            "reason": reason,
            "message": message,
        }
    )


def _dkey(d: dict) -> str:
    return f"/registry/deployments/{d['metadata']['namespace']}/{d['metadata']['name']}"


def _rskey(rs: dict) -> str:
    return f"/registry/replicasets/{rs['metadata']['namespace']}/{rs['metadata']['name']}"
