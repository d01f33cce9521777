"""The watch cache: every change of the engine's store since some resourceVersion, for watches to replay.

kube-apiserver serves watches from its cacher (apiserver pkg/storage/cacher): a bounded history of events
per resource, from which a watch starting at resourceVersion N gets every change after N, or `410 Expired`
(`too old resource version: N (M)`) when N fell out of the window. This cache listens to the engine's store
(`Store.watchers`) and keeps the last `capacity` events of all kinds; it is not persisted: a process that
takes a cluster over starts an empty window, and older watches are told to relist, as after an apiserver
restart.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

# Changes kept per cluster. kube-apiserver keeps 100 to 100*1024 events per resource (watch_cache.go
# defaultLowerBoundCapacity/defaultUpperBoundCapacity) for one cluster per process; here one process serves
# hundreds of clusters, so the window is a fixed 5,000 changes (a few MB of object versions at most).
CAPACITY = 5_000


@dataclass(frozen=True)
class Change:
    """One event: `rv` the store revision that made it, `type` ADDED/MODIFIED/DELETED, `obj` the object
    (for DELETED its last state, stamped with the deletion's resourceVersion as the real watch sends it),
    `old` the object before the change (None for ADDED): a selector watch needs it to turn a MODIFIED into
    ADDED/DELETED when the object starts/stops matching (apiserver pkg/storage/cacher/cache_watcher.go)."""

    rv: int
    type: str
    obj: dict
    old: dict | None = None


class WatchCache:
    """The last `capacity` changes of one engine's store. Re-attaches itself when the engine replaces its
    store (a reset), moving its window start past everything seen. A failed console command rolls the store
    back in place (engine/undo.py): its changes, newer than the restored revision, never happened and are
    dropped before the next read or write."""

    def __init__(self, cluster, capacity: int = CAPACITY):
        self.capacity = capacity
        self.changes: deque[Change] = deque(maxlen=capacity)
        self.cluster = cluster
        self.store = None
        self.floor = 0  # watches from a resourceVersion below this get 410 Expired
        self.attach(cluster)

    def attach(self, cluster) -> None:
        """Starts listening to `cluster`'s store (again); history before now is no longer complete."""
        if self.store is not None and self._on_change in self.store.watchers:
            self.store.watchers.remove(self._on_change)
        self.cluster = cluster
        self.store = cluster.store
        self.store.watchers.append(self._on_change)
        self.changes.clear()
        self.floor = self.store.revision

    def check(self, cluster) -> None:
        """Re-attaches if the engine or its store was replaced since the last call."""
        if cluster is not self.cluster or cluster.store is not self.store:
            self.attach(cluster)

    def _drop_undone(self) -> None:
        """Forgets changes newer than the store's revision (a rolled-back command's); O(1) when there are none."""
        changes, revision = self.changes, self.store.revision
        while changes and changes[-1].rv > revision:
            changes.pop()

    def _on_change(self, etype: str, key: str, old: dict | None, new: dict | None) -> None:
        rv = self.store.revision
        changes = self.changes
        while changes and changes[-1].rv >= rv:  # revisions reused after a rollback
            changes.pop()
        if new is not None:
            obj = new
        else:
            obj = dict(old)
            obj["metadata"] = dict(old["metadata"], resourceVersion=str(rv))
        if len(self.changes) == self.capacity:
            self.floor = self.changes[0].rv
        self.changes.append(Change(rv, etype, obj, old))

    @property
    def revision(self) -> int:
        """The current resourceVersion of the whole store (a list's `metadata.resourceVersion`)."""
        return self.store.revision

    def since(self, rv: int) -> list[Change] | None:
        """Returns the changes after `rv` in order, or None when `rv` is older than the window (410)."""
        self._drop_undone()
        if rv < self.floor:
            return None
        if not self.changes or self.changes[-1].rv <= rv:
            return []
        out = []
        for change in reversed(self.changes):
            if change.rv <= rv:
                break
            out.append(change)
        out.reverse()
        return out
