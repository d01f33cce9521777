"""Watching Events and node Leases, which the engine keeps outside its store.

Events (`kubectl get events -w`, core/v1 and events.k8s.io/v1): the engine keeps its events
outside the store (`Cluster.events`, a ring of emissions aggregated into Event objects by
visualizer.engine.kubectl.events), so changes are found by comparing the aggregated Events with the ones
already sent: a new Event is ADDED, a repeated occurrence (count and lastTimestamp moving, as the real event
recorder PATCHes its Event) MODIFIED, one that left the ring DELETED (as a real Event expiring after its TTL).
Everything else — options, bookmarks, timeout, Table events, a replaced store — is watch.WatchStream's.
"""

from __future__ import annotations

from visualizer.engine.kubectl import events

from .watch import WatchStream

RECHECK = 0.5  # real seconds between two comparisons while new events keep coming


class EventWatch(WatchStream):
    """A WatchStream over the engine's aggregated events (see the module docstring)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sent: dict[str, tuple] = {}  # event name -> (count, last) as last sent
        self.records: dict[str, dict] = {}  # event name -> aggregated record (for Table cells)
        self.seq = -1
        self.checked = float("-inf")

    def _snapshot(self, ctx) -> list[tuple[str, dict, dict]]:
        """Returns (name, record, served object) of every matching Event, in etcd key order."""
        from .events_api import _served

        c = ctx.cluster
        records = events.key_order(
            [r for r in events.aggregate(c.events) if events.in_namespace(r, self.namespace)]
        )
        out = []
        for r in records:
            obj = _served(c, self.served, r)
            if self.match(obj):
                out.append((obj["metadata"]["name"], r, obj))
        return out

    def initial(self, ctx) -> bytes:
        """The first chunk: ADDED per current Event (and the initial-events-end bookmark of a watch-list),
        or nothing for a watch from a given resourceVersion (later Events only), or the 410 ERROR."""
        self.rv = ctx.cache.revision
        if self.wants_initial():
            out = [self._event("ADDED", obj) for _, _, obj in self._take(ctx)]
            if self.send_initial is not None and self.bookmarks:
                out.append(self._bookmark(self.rv, end=True))
            return b"".join(out)
        asked = int(self.rv_text)
        if asked < ctx.cache.floor:
            self.finished = True
            return self._expired(asked, ctx.cache.floor)
        self._take(ctx)
        return b""

    def _take(self, ctx) -> list[tuple[str, dict, dict]]:
        snap = self._snapshot(ctx)
        self.sent = {name: (r["count"], r["last"]) for name, r, _ in snap}
        self.records = {name: r for name, r, _ in snap}
        self.seq = ctx.cluster.event_seq
        self.checked = self.clock()
        return snap

    def _changes(self, ctx) -> list[bytes]:
        self.rv = max(self.rv, ctx.cache.revision)
        c = ctx.cluster
        if c.event_seq == self.seq or self.clock() - self.checked < RECHECK:
            return []
        snap = self._snapshot(ctx)
        self.seq, self.checked = c.event_seq, self.clock()
        changed = []
        seen = set()
        for name, r, obj in snap:
            seen.add(name)
            self.records[name] = r
            before = self.sent.get(name)
            now = (r["count"], r["last"])
            if before != now:
                changed.append((r["last"], r["seq"], "ADDED" if before is None else "MODIFIED", obj))
            self.sent[name] = now
        changed.sort(key=lambda x: (x[0], x[1]))  # in the order they happened, as a watch delivers writes
        out = [self._event(etype, obj) for _, _, etype, obj in changed]
        for name in [n for n in self.sent if n not in seen]:
            del self.sent[name]
            r = self.records.pop(name, None)
            if r is not None:
                from .events_api import _served

                out.append(self._event("DELETED", _served(c, self.served, r)))
        return out

    def _table(self, obj: dict) -> dict:
        from . import events_api, tables

        first = not self._columns_sent
        self._columns_sent = True
        record = self.records.get(obj["metadata"]["name"])
        cells = events.wide_cells(record, self._ctx.cluster.clock.now) if record else []
        rv = obj["metadata"].get("resourceVersion", "")
        table = tables.table(events_api.column_definitions(), [(obj, cells)], rv, self.req, self.version)
        if not first:
            table["columnDefinitions"] = None
        return table


class LeaseWatch(WatchStream):
    """Node Leases (kube-node-lease), derived from the nodes' heartbeats (leases.py): a new node's Lease is
    ADDED, a renewal (`spec.renewTime` moving, as the kubelet's every 10 s) MODIFIED, a removed node's DELETED."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sent: dict[str, dict] = {}
        self.checked = float("-inf")

    def _snapshot(self, ctx) -> list[dict]:
        from .leases import _leases

        return [ls for ls in _leases(ctx.cluster, self.namespace) if self.match(ls)]

    def initial(self, ctx) -> bytes:
        """As EventWatch.initial: ADDED per Lease (watch-list bookmark), or nothing, or the 410 ERROR."""
        self.rv = ctx.cache.revision
        snap = self._snapshot(ctx)
        if self.wants_initial():
            self.sent = {ls["metadata"]["name"]: ls for ls in snap}
            out = [self._event("ADDED", ls) for ls in snap]
            if self.send_initial is not None and self.bookmarks:
                out.append(self._bookmark(self.rv, end=True))
            return b"".join(out)
        asked = int(self.rv_text)
        if asked < ctx.cache.floor:
            self.finished = True
            return self._expired(asked, ctx.cache.floor)
        self.sent = {ls["metadata"]["name"]: ls for ls in snap}
        return b""

    def _changes(self, ctx) -> list[bytes]:
        # renewals follow the simulated clock, not store writes: compare at most every RECHECK seconds
        self.rv = max(self.rv, ctx.cache.revision)
        if self.clock() - self.checked < RECHECK:
            return []
        self.checked = self.clock()
        out = []
        now = {ls["metadata"]["name"]: ls for ls in self._snapshot(ctx)}
        for name, ls in now.items():
            before = self.sent.get(name)
            if before is None:
                out.append(self._event("ADDED", ls))
            elif before["spec"] != ls["spec"]:
                out.append(self._event("MODIFIED", ls))
        for name, ls in self.sent.items():
            if name not in now:
                out.append(self._event("DELETED", ls))
        self.sent = now
        return out

    def _table(self, obj: dict) -> dict:
        from .leases import _table

        first = not self._columns_sent
        self._columns_sent = True
        rv = obj["metadata"].get("resourceVersion", "")
        table = _table(self._ctx.cluster, self.req, [obj], rv, self.version)
        if not first:
            table["columnDefinitions"] = None
        return table
