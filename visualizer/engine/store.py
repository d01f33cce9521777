"""etcd: a versioned key-value store with watch notifications and the informer indexes components read.

Every write bumps the store revision and stamps it into `metadata.resourceVersion`, as etcd's revision is in
a real cluster. Watchers are called synchronously with (event type, key, old, new) – the simulator's form of
an informer's ADDED / MODIFIED / DELETED stream. Only the API server writes here.

Objects handed out by `get` and `list` are shared, never copies: callers must not mutate them (write a
modified `clone` back through the API server instead), exactly as a controller must not mutate its cache.

The indexes (pods by node, by owner, by label; per-owner counters; per-node requested resources) are derived
data rebuilt on load. They let controllers answer "pods of this ReplicaSet" or "CPU requested on worker-2"
without scanning every pod, which keeps the cost per event independent of the cluster size.

The write path also records what it did: the keys written since the last save (`dirty`, read by saving.py
for incremental saves) and, during a console command, a checkpoint of the maps taken at the first write
(`open_undo`/`close_undo`, used by undo.py to roll a failed command back).
"""

from __future__ import annotations

from .journal import mark_written
from .objects import BY_KIND, key_of, pod_nonzero_requests, pod_requests

DIRTY_MAX = 20_000  # more keys written than this between two saves: the next save writes the whole state
_NO_STATUS: dict = {}  # read-only default for pods without a status (no empty dict built per call)
_TERMINAL = ("Succeeded", "Failed")


def pod_active(pod: dict) -> bool:
    """Returns True for a pod the ReplicaSet controller counts: not terminal and not being deleted."""
    return not pod["metadata"].get("deletionTimestamp") and pod.get("status", _NO_STATUS).get(
        "phase"
    ) not in (
        "Succeeded",
        "Failed",
    )


def pod_ready(pod: dict) -> bool:
    """Returns True when the pod's Ready condition is True."""
    for c in pod.get("status", _NO_STATUS).get("conditions", ()):
        if c["type"] == "Ready":
            return c["status"] == "True"
    return False


def _name_of(obj: dict) -> str:
    return obj["metadata"]["name"]


def controller_uid(obj: dict) -> str | None:
    """Returns the uid of the controlling owner (ownerReferences[].controller == true), if any."""
    for o in obj["metadata"].get("ownerReferences") or ():
        if o.get("controller"):
            return o["uid"]
    return None


def _status_only(old: dict, new: dict) -> bool:
    """Returns True when a pod write changed nothing but status (same spec, labels, owners, deletion)."""
    om, nm = old["metadata"], new["metadata"]
    return (
        old["spec"] is new["spec"]
        and om.get("labels") is nm.get("labels")
        and om.get("ownerReferences") is nm.get("ownerReferences")
        and om.get("deletionTimestamp") == nm.get("deletionTimestamp")
        and om.get("uid") == nm.get("uid")
    )


class Store:
    """The etcd stand-in: objects by key, a revision counter, watchers and derived indexes."""

    def __init__(self):
        self.objects: dict[str, dict] = {}
        self.revision = 0
        self.epoch = 0  # bumped when a rollback or a load rewinds the revision (not persisted)
        self.encrypted: dict[str, bool] = {}  # secret key -> stored encrypted (encryption at rest)
        self.watchers: list = []
        self._reset_indexes()
        # Keys written since the last save -> True when inserted or removed (position in `objects` changed):
        # what an incremental save writes (saving.py). `dirty_overflow`: too many to list, save everything.
        self.dirty: dict[str, bool] = {}
        self.dirty_overflow = False
        # A console command's undo journal: None outside one, False until its first write, then a copy of the
        # objects map and the indexes as they were (objects themselves are never mutated in place, so a shallow
        # copy of the maps is an exact checkpoint).
        self._undo: dict | bool | None = None
        # While watchers are notified of a pod write that changed nothing but status (`_status_only`): the
        # pod's readiness before and after and its controller's uid, (ready_old, ready_new, owner); None during
        # every other notification. The busiest watcher (Cluster._on_change) then takes _pod_status_changed,
        # which skips the spec/metadata checks and the readiness scans.
        self.status_write: tuple[bool, bool, str | None] | None = None

    def _reset_indexes(self):
        self.by_kind: dict[str, dict[str, None]] = {k: {} for k in BY_KIND}
        self.pods_by_node: dict[str, dict[str, None]] = {}
        self.by_owner: dict[str, dict[str, None]] = {}
        self.by_uid: dict[str, str] = {}
        self.pod_labels: dict[tuple, dict[str, None]] = {}
        self.owner_stats: dict[str, list[int]] = {}  # uid -> [active, ready]
        # node -> [cpu m, mem bytes, pod count, scoring cpu m, scoring mem bytes] of non-terminal pods
        self.node_usage: dict[str, list[int]] = {}
        self.unscheduled: dict[str, None] = {}  # active pods without a node
        self._request_cache: dict[str, tuple[int, int, int, int]] = {}
        self.owner_node_count: dict[tuple, int] = {}  # (owner uid, node) -> active pods
        self.affinity_pods: dict[str, None] = {}  # pods with spec.affinity pod (anti-)affinity (scheduler)

    # ------------------------------------------------------------------------------------------ reading
    def get(self, key: str) -> dict | None:
        """Returns the stored object (shared; do not mutate) or None."""
        return self.objects.get(key)

    def list(self, kind: str, namespace: str | None = None) -> list[dict]:
        """Returns every object of a kind, optionally in one namespace, in creation order."""
        out = []
        for k in self.by_kind[kind]:
            obj = self.objects[k]
            if namespace is None or obj["metadata"].get("namespace") == namespace:
                out.append(obj)
        return out

    def by_uid_key(self, uid: str) -> str | None:
        """Returns the key of the object with this uid."""
        return self.by_uid.get(uid)

    def owned(self, uid: str, kind: str | None = None) -> list[dict]:
        """Returns objects whose controller ownerReference points at uid, sorted by name."""
        keys = self.by_owner.get(uid, {})
        objs = [self.objects[k] for k in keys]
        if kind:
            objs = [o for o in objs if o["kind"] == kind]
        objs.sort(key=_name_of)
        return objs

    def pods_on(self, node: str) -> list[dict]:
        """Returns the pods bound to a node, sorted by namespace/name."""
        keys = sorted(self.pods_by_node.get(node, {}))
        return [self.objects[k] for k in keys]

    def pods_matching(self, namespace: str, match_labels: dict) -> list[dict]:
        """Returns pods in a namespace carrying all the given labels (sorted by name)."""
        if not match_labels:
            return []
        best = None
        for k, v in match_labels.items():
            bucket = self.pod_labels.get((namespace, k, v))
            if not bucket:
                return []
            if best is None or len(bucket) < len(best):
                best = bucket
        objects = self.objects
        if len(match_labels) == 1:
            # One label: its bucket holds exactly the pods carrying it.
            keys = sorted(best)
        else:
            items = match_labels.items()
            keys = []
            for key in best:
                labels = objects[key]["metadata"].get("labels") or {}
                for k, v in items:
                    if labels.get(k) != v:
                        break
                else:
                    keys.append(key)
            keys.sort()
        # Keys are `/registry/pods/<namespace>/<name>` in one namespace, so key order is name order.
        return [objects[key] for key in keys]

    # ------------------------------------------------------------------------------------------ writing
    def put(self, obj: dict, encrypted: bool = False) -> dict:
        """Stores obj (taking ownership), stamps a new resourceVersion, updates indexes, notifies watchers."""
        kind = obj["kind"]
        meta = obj["metadata"]
        res = BY_KIND[kind]
        # key_of(obj), inlined (the same text as objects.etcd_key): every write computes it.
        if res.namespaced:
            key = f"/registry/{res.etcd}/{meta.get('namespace')}/{meta['name']}"
        else:
            key = f"/registry/{res.etcd}/{meta['name']}"
        old = self.objects.get(key)
        if self._undo is False:
            self._undo = self._checkpoint()
        if old is None or key not in self.dirty:
            self._mark(key, old is None)
        self.revision += 1
        meta["resourceVersion"] = str(self.revision)
        # An update that keeps the uid, the ownerReferences and the labels objects (a binding, a deletion mark, a
        # status write, a controller's spec write) leaves the uid and label maps as they are: removing and
        # re-adding the key would only move it inside maps nothing reads in order (lookups, sorted lists).
        same = False
        if old is not None:
            om = old["metadata"]
            same = (
                om.get("uid") == meta.get("uid")
                and om.get("ownerReferences") is meta.get("ownerReferences")
                and om.get("labels") is meta.get("labels")
            )
            if (
                same
                and kind == "Pod"
                and old["spec"] is obj["spec"]
                and om.get("deletionTimestamp") == meta.get("deletionTimestamp")
            ):
                # `_status_only(old, obj)`, inlined (the kubelet's writes): only the phase/readiness counters move
                self.objects[key] = obj
                self.status_write = self._reindex_status(key, old, obj)
                try:
                    for w in self.watchers:
                        w("MODIFIED", key, old, obj)
                finally:
                    self.status_write = None
                return obj
            self._unindex(key, old, same, update=True)
        self.objects[key] = obj
        if kind == "Secret":
            self.encrypted[key] = encrypted
        self._index(key, obj, same)
        self.status_write = None  # (a write made by a watcher of a status-only write is not one itself)
        for w in self.watchers:
            w("MODIFIED" if old is not None else "ADDED", key, old, obj)
        return obj

    def delete(self, key: str) -> dict | None:
        """Removes the object at key and notifies watchers; returns what was removed."""
        if self._undo is False and key in self.objects:
            self._undo = self._checkpoint()
        old = self.objects.pop(key, None)
        if old is None:
            return None
        self._mark(key, True)
        self.revision += 1
        self.encrypted.pop(key, None)
        self._unindex(key, old)
        self.status_write = None
        for w in self.watchers:
            w("DELETED", key, old, None)
        return old

    # ------------------------------------------------------------------------------------------ indexes
    def _index(self, key: str, obj: dict, same: bool = False) -> None:
        # same: the uid and label entries of this key are still in place and its owner entry is moved (see put)
        kind = obj["kind"]
        self.by_kind[kind][key] = None
        meta = obj["metadata"]
        # controller_uid(obj), inlined: every write indexes
        owner = None
        for o in meta.get("ownerReferences") or ():
            if o.get("controller"):
                owner = o["uid"]
                break
        if not same and meta.get("uid"):
            self.by_uid[meta["uid"]] = key
        # get-then-insert rather than setdefault(x, {}), which builds a throwaway dict on every call.
        if owner:
            bucket = self.by_owner.get(owner)
            if bucket is None:
                bucket = self.by_owner[owner] = {}
            elif same:
                # An update still moves the key to the end of its owner's bucket, as removing and re-adding it
                # did: `owned` sorts by name, and keeps this order between dependents of different kinds that
                # share a name (the garbage collector deletes in that order).
                bucket.pop(key, None)
            bucket[key] = None
        if kind != "Pod":
            return
        if not same:
            ns = meta.get("namespace")
            pod_labels = self.pod_labels
            for k, v in (meta.get("labels") or _NO_STATUS).items():
                bucket = pod_labels.get((ns, k, v))
                if bucket is None:
                    bucket = pod_labels[(ns, k, v)] = {}
                bucket[key] = None
        spec = obj["spec"]
        node = spec.get("nodeName")
        if node:
            bucket = self.pods_by_node.get(node)
            if bucket is None:
                bucket = self.pods_by_node[node] = {}
            bucket[key] = None
        affinity = spec.get("affinity")
        if affinity and ("podAntiAffinity" in affinity or "podAffinity" in affinity):
            self.affinity_pods[key] = None
        status = obj.get("status", _NO_STATUS)
        phase = status.get("phase")
        active = not meta.get("deletionTimestamp") and phase not in _TERMINAL  # pod_active(obj), inlined
        if active and owner:
            st = self.owner_stats.get(owner)
            if st is None:  # not setdefault(owner, [0, 0]): that builds a list on every write
                st = self.owner_stats[owner] = [0, 0]
            st[0] += 1
            for c in status.get("conditions", ()):  # pod_ready(obj), inlined
                if c["type"] == "Ready":
                    st[1] += c["status"] == "True"
                    break
            if node:
                self.owner_node_count[(owner, node)] = self.owner_node_count.get((owner, node), 0) + 1
        if node and phase not in _TERMINAL:
            cpu, mem, ncpu, nmem = self._requests(obj)
            u = self.node_usage.get(node)
            if u is None:
                u = self.node_usage[node] = [0, 0, 0, 0, 0]
            u[0] += cpu
            u[1] += mem
            u[2] += 1
            u[3] += ncpu
            u[4] += nmem
        if not node and active:
            self.unscheduled[key] = None

    def _reindex_status(self, key: str, old: dict, new: dict) -> tuple[bool, bool, str | None]:
        # Only a pod's status changed (the kubelet's most common write): adjust the counters that depend on
        # phase and readiness, leave the label/owner/node maps alone. Returns (ready_old, ready_new, owner uid).
        s_old = old.get("status", _NO_STATUS)
        s_new = new.get("status", _NO_STATUS)
        # pod_ready of both versions, inlined (two calls per kubelet write otherwise)
        r_old = r_new = False
        for c in s_old.get("conditions", ()):
            if c["type"] == "Ready":
                r_old = c["status"] == "True"
                break
        for c in s_new.get("conditions", ()):
            if c["type"] == "Ready":
                r_new = c["status"] == "True"
                break
        owner = controller_uid(new)
        node = new["spec"].get("nodeName")
        # pod_active of both versions, inlined: a status-only write keeps deletionTimestamp (_status_only), so
        # only the phases can differ.
        p_old = s_old.get("phase")
        p_new = s_new.get("phase")
        deleting = new["metadata"].get("deletionTimestamp")
        a_old = not deleting and p_old not in _TERMINAL
        a_new = not deleting and p_new not in _TERMINAL
        if owner:
            st = self.owner_stats.get(owner)
            if st is None:  # not setdefault(owner, [0, 0]): that builds a list on every write
                st = self.owner_stats[owner] = [0, 0]
            st[0] += a_new - a_old
            st[1] += (a_new and r_new) - (a_old and r_old)
            if node and a_new != a_old:
                count = self.owner_node_count.get((owner, node), 0) + (a_new - a_old)
                if count:
                    self.owner_node_count[(owner, node)] = count
                else:
                    self.owner_node_count.pop((owner, node), None)
        t_old = p_old in _TERMINAL
        t_new = p_new in _TERMINAL
        if node and t_old != t_new:
            sign = -1 if t_new else 1
            cpu, mem, ncpu, nmem = self._requests(new)
            u = self.node_usage.setdefault(node, [0, 0, 0, 0, 0])
            u[0] += sign * cpu
            u[1] += sign * mem
            u[2] += sign
            u[3] += sign * ncpu
            u[4] += sign * nmem
        if not node:
            if a_new:
                self.unscheduled[key] = None
            else:
                self.unscheduled.pop(key, None)
        return r_old, r_new, owner

    def _requests(self, pod: dict) -> tuple[int, int, int, int]:
        # A pod's requests never change, so they are parsed once per pod uid.
        uid = pod["metadata"].get("uid", "")
        hit = self._request_cache.get(uid)
        if hit is None:
            hit = pod_requests(pod) + pod_nonzero_requests(pod)
            if len(self._request_cache) > 50_000:
                self._request_cache.clear()
            self._request_cache[uid] = hit
        return hit

    def _unindex(self, key: str, obj: dict, same: bool = False, update: bool = False) -> None:
        # same: the next version keeps this key's uid, owner and label entries (see put), so they stay (_index
        # moves the owner entry). update: the key keeps its place in `by_kind`, so `list` stays in creation
        # order, the order a cluster restored from `to_dict` rebuilds (a cordoned then uncordoned node moved to
        # the end, and the scheduler's tie-break differed after a restore: found by test_properties)
        kind = obj["kind"]
        if not update:
            self.by_kind[kind].pop(key, None)
        meta = obj["metadata"]
        owner = None  # controller_uid(obj), inlined
        for o in meta.get("ownerReferences") or ():
            if o.get("controller"):
                owner = o["uid"]
                break
        if not same:
            if meta.get("uid"):
                self.by_uid.pop(meta["uid"], None)
            if owner and owner in self.by_owner:
                self.by_owner[owner].pop(key, None)
                if not self.by_owner[owner]:
                    del self.by_owner[owner]
        if kind != "Pod":
            return
        if not same:
            ns = meta.get("namespace")
            for k, v in (meta.get("labels") or _NO_STATUS).items():
                bucket = self.pod_labels.get((ns, k, v))
                if bucket is not None:
                    bucket.pop(key, None)
                    if not bucket:
                        del self.pod_labels[(ns, k, v)]
        node = obj["spec"].get("nodeName")
        if node and node in self.pods_by_node:
            self.pods_by_node[node].pop(key, None)
        self.affinity_pods.pop(key, None)
        status = obj.get("status", _NO_STATUS)
        phase = status.get("phase")
        if owner and not meta.get("deletionTimestamp") and phase not in _TERMINAL:  # pod_active(obj), inlined
            st = self.owner_stats.get(owner)
            if st:
                st[0] -= 1
                for c in status.get("conditions", ()):  # pod_ready(obj), inlined
                    if c["type"] == "Ready":
                        st[1] -= c["status"] == "True"
                        break
            if node:
                self.owner_node_count[(owner, node)] -= 1
                if not self.owner_node_count[(owner, node)]:
                    del self.owner_node_count[(owner, node)]
        if node and phase not in _TERMINAL:
            cpu, mem, ncpu, nmem = self._requests(obj)
            u = self.node_usage[node]
            u[0] -= cpu
            u[1] -= mem
            u[2] -= 1
            u[3] -= ncpu
            u[4] -= nmem
        self.unscheduled.pop(key, None)

    # ------------------------------------------------------------------------------------------ journal
    def _mark(self, key: str, moved: bool) -> None:
        if mark_written(self.dirty, key, moved, DIRTY_MAX):
            self.dirty_overflow = True

    def reset_dirty(self) -> None:
        """Forgets which keys were written (called once a save has written them)."""
        self.dirty = {}
        self.dirty_overflow = False

    _INDEXES = (
        "by_kind",
        "pods_by_node",
        "by_owner",
        "pod_labels",
        "unscheduled",
        "owner_node_count",
        "affinity_pods",
        "by_uid",
    )

    def _checkpoint(self) -> dict:
        nested = {name: {k: dict(v) for k, v in getattr(self, name).items()} for name in self._INDEXES[:4]}
        flat = {name: dict(getattr(self, name)) for name in self._INDEXES[4:]}
        return {
            "objects": dict(self.objects),
            "revision": self.revision,
            "encrypted": dict(self.encrypted),
            "owner_stats": {k: list(v) for k, v in self.owner_stats.items()},
            "node_usage": {k: list(v) for k, v in self.node_usage.items()},
            "dirty": (dict(self.dirty), self.dirty_overflow),
            **nested,
            **flat,
        }

    def open_undo(self) -> None:
        """Starts a console command: the first write from now on checkpoints the maps (see `_undo`)."""
        self._undo = False

    def close_undo(self, rollback: bool) -> None:
        """Ends a console command; with rollback, puts back the objects, revision and indexes of open_undo.

        Watchers are not called: the cluster restores their derived state itself (undo.Checkpoint).
        """
        saved, self._undo = self._undo, None
        if not rollback or not saved:
            return
        self.dirty, self.dirty_overflow = saved.pop("dirty")
        for name, value in saved.items():
            setattr(self, name, value)
        # The revision goes back too, so the next writes reuse revision numbers with other contents: readers
        # that memoise by revision (the Deployment controller's owned-ReplicaSet list) key on the epoch too.
        self.epoch += 1

    # ------------------------------------------------------------------------------------------ persistence
    def to_dict(self, *, copy: bool = True) -> dict:
        """Returns the store as JSON-ready data (objects in insertion order); `copy=False` shares the objects
        (for encoding at once, Cluster.to_dict)."""
        from .objects import clone

        return {
            "revision": self.revision,
            "objects": [clone(o) for o in self.objects.values()] if copy else list(self.objects.values()),
            "encrypted": dict(self.encrypted),
        }

    def load(self, data: dict) -> None:
        """Replaces the contents with to_dict output and rebuilds the indexes (watchers are not called)."""
        from .objects import clone

        self.objects = {}
        self.epoch += 1
        self._reset_indexes()
        for obj in data["objects"]:
            obj = clone(obj)
            key = key_of(obj)
            self.objects[key] = obj
            self._index(key, obj)
        self.revision = data["revision"]
        self.encrypted = dict(data["encrypted"])
        self.reset_dirty()
