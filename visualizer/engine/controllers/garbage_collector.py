"""Garbage collector: deletes the dependents of deleted owners (cascading deletion by ownerReferences).

Source: docs concepts/architecture/garbage-collection.md and tasks/administer-cluster/use-cascading-deletion.md;
kubernetes `pkg/controller/garbagecollector`.
- **Background** (the default of `kubectl delete`): the owner is removed at once; the collector then deletes
  every object whose controller reference points at the vanished uid (a Deployment's ReplicaSets, then their
  pods; a Job's pods; a StatefulSet's pods and ControllerRevisions …). PersistentVolumeClaims made from a
  StatefulSet's claim templates have no owner and stay.
- **Foreground** (`--cascade=foreground`): the owner gets a `deletionTimestamp` and the `foregroundDeletion`
  finalizer and stays visible while the collector deletes its dependents (dependents that own objects
  themselves are deleted in the foreground too); once none is left the finalizer is removed and the owner
  disappears.
- **Orphan** (`--cascade=orphan`): kubectl's delete strips the ownerReferences first, so nothing is collected.
Work keys: an owner uid (background) or `fg:<uid>` (an owner waiting for its dependents).
"""

from __future__ import annotations

from ..narration import narrate
from ..objects import clone, ref

COMPONENT = "controller-manager/garbage-collector"
FOREGROUND = "foregroundDeletion"


def waiting_for_dependents(obj: dict) -> bool:
    """Returns True for an owner being deleted in the foreground (finalizer `foregroundDeletion`)."""
    return FOREGROUND in (obj["metadata"].get("finalizers") or ())


class GarbageCollector:
    """Deletes dependents of deleted owners."""

    def __init__(self, cluster):
        self.c = cluster

    def sync(self, key: str) -> None:
        """Background: deletes the dependents of a vanished owner uid. `fg:<uid>`: advances a foreground delete."""
        if key.startswith("fg:"):
            self._foreground(key[3:])
            return
        c = self.c
        uid = key
        if c.store.by_uid_key(uid) is not None:
            return
        for child in c.store.owned(uid):
            if child["metadata"].get("deletionTimestamp"):
                continue
            c.api.delete(child, COMPONENT)
            self._event(child)

    def delete_foreground(self, obj: dict) -> None:
        """Starts a foreground deletion: deletionTimestamp + `foregroundDeletion`, dependents first."""
        c = self.c
        if obj["kind"] == "Pod" or not c.store.owned(obj["metadata"]["uid"]):
            c.api.delete(obj, COMPONENT)
            return
        if waiting_for_dependents(obj):
            return
        from ..clock import stamp

        upd = clone(obj)
        upd["metadata"]["deletionTimestamp"] = stamp(c.clock.now)
        upd["metadata"]["deletionGracePeriodSeconds"] = 0
        upd["metadata"]["finalizers"] = list(upd["metadata"].get("finalizers") or []) + [FOREGROUND]
        c.api.update_status(upd, COMPONENT)
        c.enqueue("gc", "fg:" + obj["metadata"]["uid"])

    def _foreground(self, uid: str) -> None:
        c = self.c
        key = c.store.by_uid_key(uid)
        owner = c.store.get(key) if key else None
        if owner is None or not waiting_for_dependents(owner):
            return
        children = c.store.owned(uid)
        for child in children:
            if child["metadata"].get("deletionTimestamp"):
                continue
            if child["kind"] != "Pod" and c.store.owned(child["metadata"]["uid"]):
                self.delete_foreground(child)
            else:
                c.api.delete(child, COMPONENT)
            self._event(child)
        if not c.store.owned(uid):
            # Every dependent is gone: the finalizer is removed and the owner disappears.
            c.store.delete(key)

    def _event(self, child: dict) -> None:
        step, ko, en = narrate("gc", obj=ref(child))
        self.c.emit(
            "Normal",
            "GarbageCollected",
            ref(child),
            COMPONENT,
            f"Deleted {ref(child)}: its owner is gone",
            ko,
            en,
            step,
            namespace=child["metadata"].get("namespace", ""),
            quiet=True,
        )
