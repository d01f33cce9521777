"""Garbage collector: deletes objects whose controlling owner is gone (background cascading deletion).

Deleting a Deployment removes it at once; the collector then deletes its ReplicaSets, and their deletion in
turn lets the collector delete their pods (which terminate gracefully). `kubectl delete --cascade=orphan`
instead strips the ownerReferences so nothing is collected.
"""

from __future__ import annotations

from ..narration import narrate
from ..objects import ref

COMPONENT = "controller-manager/garbage-collector"


class GarbageCollector:
    """Deletes dependents of deleted owners."""

    def __init__(self, cluster):
        self.c = cluster

    def sync(self, uid: str) -> None:
        """Deletes every object whose controller owner has this uid, if that owner no longer exists."""
        c = self.c
        if c.store.by_uid_key(uid) is not None:
            return
        for child in c.store.owned(uid):
            if child["metadata"].get("deletionTimestamp"):
                continue
            c.api.delete(child, COMPONENT)
            step, ko, en = narrate("gc", obj=ref(child))
            c.emit(
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
