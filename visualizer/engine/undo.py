"""Rolling back a failed console command exactly, at a cost in proportion to what the command touched.

A command that changes state used to run against a full checkpoint (`Cluster.to_dict()`, ~70 ms at 1,000
pods). A `Checkpoint` instead remembers, when the command starts:

- the small parts by value: RNG state, clock (time, tie counter, the timer heap and due map as shallow copies:
  heap entries are never mutated), events (a ring of at most EVENT_RING entries, never mutated), counters,
  trace, HPA history, kube-proxy counters, the work queues and the kubelet's status-write memo;
- the store lazily: its first write copies the objects map and the indexes shallowly (objects are never
  mutated in place, store.py), so a read-only path that turns out to write nothing costs nothing;
- the runtime's node records without their sandboxes, while each sandbox journals itself on first access
  (journal.TrackedDict).

`rollback()` puts every part back, truncates the change log to the old version and drops pure caches
derived from the store. The Kubernetes API server commits each object write separately (there is no
multi-object transaction in etcd's API as the apiserver uses it); this all-or-nothing rollback is a teaching
simplification so a typo never leaves a half-applied manifest behind (docs/engine.md).
"""

from __future__ import annotations

import bisect
from operator import itemgetter

from .objects import clone

_VERSION_OF = itemgetter(0)


class Checkpoint:
    """The state of a cluster before a console command, restorable with `rollback()`; close it exactly once.

    Raises RuntimeError if another checkpoint of the same cluster is still open (commands do not nest).
    """

    def __init__(self, cluster):
        c = self.c = cluster
        if c.store._undo is not None:
            raise RuntimeError("a console command is already running on this cluster")
        clock = c.clock
        self.rng = c.rng.getstate()
        self.clock = (clock.now, clock._seq, list(clock._heap), dict(clock._due))
        self.events = list(c.events)
        self.scalars = {
            name: getattr(c, name)
            for name in ("event_seq", "version", "encrypt_at_rest", "docker_host", "trace")
        }
        self.hpa_history = clone(c.hpa_history)
        self.once = dict(c.once)
        self.images = dict(c.images)
        self.proxy = (clone(c.kube_proxy.counts), dict(c.kube_proxy.rules))
        self.queues = {name: dict(q) for name, q in c.queues.items()}
        self.kubelet_seen = dict(c.kubelet._seen)
        c.store.open_undo()
        c.runtime.open_undo()

    def release(self) -> None:
        """Keeps what the command did (it succeeded, or failed part-way as kubectl's partial successes do)."""
        self.c.store.close_undo(rollback=False)
        self.c.runtime.close_undo(rollback=False)

    def rollback(self) -> None:
        """Puts the cluster back exactly as it was when the checkpoint was taken."""
        c = self.c
        c.store.close_undo(rollback=True)
        c.runtime.close_undo(rollback=True)
        c.rng.setstate(self.rng)
        clock = c.clock
        clock.now, clock._seq, clock._heap, clock._due = self.clock
        c.events = self.events
        for name, value in self.scalars.items():
            setattr(c, name, value)
        c.hpa_history = self.hpa_history
        c.once = self.once
        c.images = self.images
        c.kube_proxy.counts, c.kube_proxy.rules = self.proxy
        for name, q in self.queues.items():
            # In place: the drain loop holds the queue objects themselves (Cluster._pending).
            live = c.queues[name]
            live.clear()
            live.update(q)
        c.kubelet._seen = self.kubelet_seen
        # The change log keeps its floor: if the command's touches made it drop its older half, viewers behind
        # the new floor re-list (diff_since answers None), as a watcher older than the window would.
        keep = bisect.bisect_right(c._log, c.version, key=_VERSION_OF)
        del c._log[keep:]
        c._log_floor = min(c._log_floor, c.version)
        # Pure caches that may describe objects the command wrote.
        c._svc_selectors.clear()
        c._svc_links.clear()
        # The store is back to an earlier state whose Endpoints a user may have left stale: no Service counts
        # as settled until a pass looks at it again.
        c.endpoints.forget_settled()
        c._event_now = None
