"""The per-process host of live clusters: viewers, the ticking clock, persistence, and ownership.

Exactly one process advances a cluster: the one holding its lease (visualizer.records). That owner keeps
the engine in memory, ticks it while anyone watches, saves it after every command or group of commands
(before answering; `ClusterHost.execute`) and every second while it changes, and fans each frame out as one
pre-serialised string: directly to its own viewers, and through the channel layer once per other process
(visualizer.relay), which relays it to theirs. Other processes forward commands to the owner. When an owner dies its lease expires and a process
that still has viewers takes over from the last saved state.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import re
import secrets
import socket
import time
import weakref
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from channels.db import database_sync_to_async

from visualizer import protocol, records
from visualizer.live_cluster import SNAPSHOT, LiveCluster, Outcome, restore_engine
from visualizer.saver import Saver
from visualizer.snapshot_share import SnapshotShares
from visualizer.viewer_buffer import CLOSE_CODE, CLOSE_REASON, BufferLimits, Verdict, ViewerBuffer
from visualizer.ws_transport import Frame, Outlet, outlet_for

log = logging.getLogger(__name__)

Send = Callable[[str], Awaitable[None]]

# Requests of the Kubernetes REST face (visualizer.kubeapi.transport), carried like console commands.
API_KINDS = {"api", "api.poll", "api.close", "exec.open", "exec.step", "exec.close"}
# How long a cluster keeps running after its last API request when no browser shows it (real seconds): long
# enough for a student's next command, short enough that a forgotten cluster pauses.
API_ACTIVE_SECONDS = 120.0


# How often viewers that fell behind are looked at while nothing is broadcast (seconds).
LAGGARD_CHECK_SECONDS = 0.25
# Frames a new viewer may collect while its first snapshot is on its way (the bytes are bounded by high water).
BACKLOG_FRAMES = 500
# The broadcast frames a cluster keeps for viewers that fall behind (`Hosted.recent`): at most this many, and
# this many bytes (per cluster, not per viewer: the API server's watch cache, a cyclic buffer of events).
RECENT_FRAMES = 256
RECENT_BYTES = 256 * 1024

_HEADER_TYPE = re.compile(r'"type":"([a-z.]+)"')
_HEADER_VERSION = re.compile(r'"(?:version|from)":(\d+)')
_HEADER_TO = re.compile(r'"to":(\d+)')


def frame_header(text: str) -> tuple[str | None, int | None]:
    """Return (type, version) of a server frame, read from its first 256 characters without decoding it.

    `version` is a snapshot's `version` or a diff's `from` (the version the diff applies to), else None. The
    one place that knows where frames keep them (visualizer.protocol.build writes `v`, `type`, then the
    fields in order: `cluster`, `role`, `version` for a snapshot; `cluster`, `from`, `to` for a diff).
    """
    head = text[:256]
    kind = _HEADER_TYPE.search(head)
    if kind is None:
        return None, None
    version = _HEADER_VERSION.search(head) if kind.group(1) in ("snapshot", "diff") else None
    return kind.group(1), int(version.group(1)) if version else None


def diff_end(text: str) -> int | None:
    """Return a `diff` frame's `to` (the version a viewer holds after it), read as `frame_header` reads."""
    found = _HEADER_TO.search(text[:256])
    return int(found.group(1)) if found else None


@dataclass(eq=False)
class Connection:
    """One viewer: its websocket outlet (visualizer.ws_transport) and its bounded buffer (viewer_buffer)."""

    id: int
    public_id: str
    role: str
    send: Send
    # Until its first snapshot is out, frames for a new viewer wait here, so none arrives before it.
    ready: bool = False
    backlog: list[str] = field(default_factory=list)
    backlog_bytes: int = 0
    backlog_overflowed: bool = False
    outlet: Outlet | None = None
    buffer: ViewerBuffer = field(default_factory=lambda: ViewerBuffer(BufferLimits()))
    # The version of the latest snapshot or catch-up written: diffs that start before it are already in it.
    floor: int | None = None
    # The version the viewer holds once it has read what was written to it (the latest snapshot's, or the
    # `to` of the diffs after it); None when unknown (nothing yet, a gap, a `resync`, a reset): then its
    # catch-up must be a snapshot.
    version: int | None = None
    closed: bool = False


@dataclass(eq=False)
class _Request:
    """One request for the owned cluster, queued for the committer (ClusterHost.execute); `done` gets its reply
    frames once the save covering it is written, or the error that failed it."""

    kind: str
    fields: dict
    done: asyncio.Future


@dataclass(eq=False)
class Hosted:
    """What this process knows of one cluster."""

    public_id: str
    viewers: dict[int, Connection] = field(default_factory=dict)
    live: LiveCluster | None = None  # set while this process owns the cluster
    ticker: asyncio.Task | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    dirty: bool = False
    last_saved: float = 0.0
    remote: dict[str, tuple[int, float]] = field(default_factory=dict)  # process -> (viewers, expires)
    idle_since: float | None = None
    # Until this monotonic time the cluster counts as watched although no browser shows it: a real kubectl
    # is using its API (visualizer.kubeapi), so rollouts go on and `rollout status` / `get -w` finish.
    api_until: float = 0.0
    # The latest snapshot frame per role, with what it was built from (see ClusterHost._snapshot_for).
    snapshots: dict[str, tuple[object, tuple, str]] = field(default_factory=dict)
    # While another process owns it: the snapshot requests this process's viewers share (snapshot_share),
    # whether this process has joined the cluster's relay group, and whether it told the owner it watches.
    shares: SnapshotShares = field(default_factory=SnapshotShares)
    followed: bool = False
    told_watching: bool = False
    # When this process last failed to take the lease (monotonic seconds): viewers attaching after that do not
    # try again (one UPDATE each, contending with the owner's saves); housekeeping does, for a dead owner.
    lease_refused_at: float | None = None
    # The latest broadcast frames (diff, clock, scenario) in order, as (type, from, to, frame), and their bytes:
    # what a viewer that fell behind skipped, replayed when no coalesced diff can be made here (the API
    # server's watch cache serves a watch from a recent resource version the same way).
    recent: deque = field(default_factory=deque)
    recent_bytes: int = 0
    # Requests waiting for the committer task (ClusterHost.execute: group commit), and that task while it runs.
    pending: list = field(default_factory=list)
    committer: asyncio.Task | None = None

    def remember(self, kind: str | None, start: int | None, end: int | None, frame: Frame) -> None:
        """Keep a broadcast frame in `recent`, dropping the oldest beyond RECENT_FRAMES or RECENT_BYTES."""
        self.recent.append((kind, start, end, frame))
        self.recent_bytes += frame.size
        while self.recent and (len(self.recent) > RECENT_FRAMES or self.recent_bytes > RECENT_BYTES):
            self.recent_bytes -= self.recent.popleft()[3].size

    def forget_recent(self) -> None:
        """Drop the kept frames (a reset: no viewer can continue from them)."""
        self.recent.clear()
        self.recent_bytes = 0

    def watched(self, now: float) -> bool:
        return (
            bool(self.viewers)
            or self.api_until > now
            or any(n > 0 and exp > now for n, exp in self.remote.values())
        )


class ClusterHost:
    def __init__(
        self,
        *,
        relay_layer=None,
        tick: float = 0.1,
        lease_ttl: float = 15.0,
        housekeeping: float = 5.0,
        save_every: float = 1.0,
        idle_timeout: float = 30.0,
        rpc_timeout: float = 3.0,
        viewer_high_water: int = BufferLimits.high_water,
        viewer_low_water: int = BufferLimits.low_water,
        viewer_hard_cap: int = BufferLimits.hard_cap,
        viewer_behind_seconds: float = BufferLimits.behind_seconds,
        viewer_max_lag: float = BufferLimits.max_lag,
        viewer_drain_lead: float = BufferLimits.drain_lead,
        viewer_sndbuf: int | None = 128 * 1024,
    ):
        self.process = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self.tick_interval = tick
        self.lease_ttl = lease_ttl
        self.housekeeping_interval = housekeeping
        self.save_every = save_every
        self.idle_timeout = idle_timeout
        self.rpc_timeout = rpc_timeout
        self.limits = BufferLimits(
            high_water=viewer_high_water,
            low_water=viewer_low_water,
            hard_cap=viewer_hard_cap,
            behind_seconds=viewer_behind_seconds,
            max_lag=viewer_max_lag,
            drain_lead=viewer_drain_lead,
        )
        self.viewer_sndbuf = viewer_sndbuf
        self.clusters: dict[str, Hosted] = {}
        self._laggards: set[Connection] = set()
        self._laggard_watch: asyncio.Task | None = None
        self._ids = itertools.count(1)
        self._housekeeper: asyncio.Task | None = None
        # Saves keep their own database connection between them (visualizer/saver.py).
        self.saver = Saver()
        self.relay = None
        if relay_layer is not None:
            from visualizer.relay import Relay

            self.relay = Relay(relay_layer, self)

    # ------------------------------------------------------------------ viewers
    async def attach(self, public_id: str, role: str, send: Send) -> Connection:
        """Register a viewer and send it the current snapshot.

        `send` is the consumer's `send_text` (or an ASGI `send`): its connection's outlet is found from it
        (visualizer.ws_transport.outlet_for), and every frame to the viewer goes through its bounded buffer.

        If that fails (the database or the channel layer raised, or the connection was cancelled), the viewer
        is detached before the error propagates: a socket that never got going keeps no cluster watched.
        """
        self._start_housekeeping()
        hosted = self.clusters.setdefault(public_id, Hosted(public_id))
        conn = Connection(
            next(self._ids),
            public_id,
            role,
            send,
            outlet=outlet_for(send, sndbuf=self.viewer_sndbuf),
            buffer=ViewerBuffer(self.limits),
        )
        hosted.viewers[conn.id] = conn
        hosted.idle_since = None
        try:
            async with hosted.lock:
                refused = hosted.lease_refused_at
                may_try = refused is None or time.monotonic() - refused >= self.housekeeping_interval
                if hosted.live is None and may_try and not await self._try_to_own(hosted):
                    hosted.lease_refused_at = time.monotonic()
            if self.relay is not None and hosted.live is None:
                # Once per cluster, not per viewer: a class attaching at once would otherwise send the owner
                # one `vz.watching` each, filling its channel (capacity 100) ahead of the snapshot request.
                if not hosted.followed:
                    await self.relay.follow(public_id)
                    hosted.followed = True
                if not hosted.told_watching:
                    hosted.told_watching = True
                    await self.relay.watching(public_id, len(hosted.viewers))
            await self._send_first_snapshot(hosted, conn)
        except BaseException:
            await asyncio.shield(self.detach(conn))
            raise
        return conn

    async def _send_first_snapshot(self, hosted: Hosted, conn: Connection) -> None:
        """Send a new viewer its snapshot, then what was broadcast meanwhile (diffs it already holds dropped).

        Frames broadcast while the snapshot is on its way wait in `conn.backlog` (at most BACKLOG_FRAMES and
        high water bytes; past that they are dropped and the viewer gets a fresher snapshot instead).
        """
        for _ in range(3):
            conn.backlog_overflowed = False
            for text in await self._snapshot_for(hosted, conn.role, conn):
                await self.reply(hosted, conn, text, requested=False)
            if not conn.backlog_overflowed:
                break
        now = time.monotonic()
        while conn.backlog and not conn.closed:
            backlog, conn.backlog, conn.backlog_bytes = conn.backlog, [], 0
            for text in backlog:
                await self._offer(hosted, conn, Frame(text), now, {})
        conn.ready = True

    async def reply(
        self, hosted: Hosted | None, conn: Connection, text: str, *, requested: bool = True
    ) -> None:
        """Send a viewer an answer to its own request (result, error, pong, or a snapshot).

        A snapshot goes through `ViewerBuffer.want_snapshot` (coalesced with one owed or on its way when
        `requested`); anything else is always sent, unless the viewer is past its hard cap (then closed).
        """
        if conn.closed:
            return
        hosted = hosted or self.clusters.get(conn.public_id)
        frame = Frame(text)
        kind, version = frame_header(text)
        pending = conn.outlet.pending() if conn.outlet is not None else None
        if kind == "snapshot":
            verdict = conn.buffer.want_snapshot(pending, time.monotonic(), coalesce=requested)
            if verdict in (Verdict.SEND, Verdict.SNAPSHOT):
                await self._write(conn, frame)
                conn.buffer.sent_snapshot(frame.size)
                conn.floor = conn.version = version
                self._laggards.discard(conn)
                return
            if verdict is Verdict.SKIP:
                if conn.buffer.behind:
                    self._watch(conn)
                return
        else:
            verdict = conn.buffer.must_send(pending, time.monotonic())
            if verdict is Verdict.SEND:
                await self._write(conn, frame)
                return
        if hosted is not None:
            await self._close_laggard(hosted, conn)

    def snapshot_coalesced(self, conn: Connection) -> bool:
        """True when a `resync` from this viewer needs no snapshot built: one is owed or still on its way."""
        pending = conn.outlet.pending() if conn.outlet is not None else None
        return conn.buffer.snapshot_covered(pending)

    async def detach(self, conn: Connection) -> None:
        self._laggards.discard(conn)
        hosted = self.clusters.get(conn.public_id)
        if hosted is None or hosted.viewers.pop(conn.id, None) is None:
            return
        if not hosted.viewers:
            hosted.idle_since = time.monotonic()
            if self.relay is not None and hosted.live is None:
                hosted.told_watching = False
                await self.relay.watching(conn.public_id, 0)

    async def handle(self, conn: Connection, kind: str, fields: dict) -> list[str]:
        """Carry out a client's request and return the frames that answer it (broadcasts go out here)."""
        hosted = self.clusters[conn.public_id]
        if kind == "ping":
            return [protocol.build("pong")]
        if kind == "resync":
            conn.version = None  # the page drops diffs until a snapshot: a catch-up diff would be ignored
            if self.snapshot_coalesced(conn):
                return []  # coalesced with the snapshot this viewer is owed or that is on its way
            if hosted.live is None and self.relay is not None and conn.ready:
                # From the owner through a shared request: the viewer takes frames as a new one does until
                # the snapshot is out, then those it lacks (a re-list, as a watcher told 410 Gone does).
                conn.ready, conn.backlog, conn.backlog_bytes = False, [], 0
                try:
                    await self._send_first_snapshot(hosted, conn)
                finally:
                    conn.ready = True
                return []
            return await self._snapshot_for(hosted, conn.role)
        if hosted.live is None:
            if self.relay is None:
                return [
                    protocol.error(
                        "busy", "클러스터를 불러오지 못했습니다. 잠시 후 다시 시도하세요.", fields.get("id")
                    )
                ]
            return await self.relay.call(conn.public_id, kind, fields, conn.role)
        return await self.execute(hosted, kind, fields)

    def live_state(self, public_id: str) -> dict | None:
        """Return the cluster's current state if this process runs it, else None (read the saved state)."""
        hosted = self.clusters.get(public_id)
        return hosted.live.engine.to_dict() if hosted is not None and hosted.live is not None else None

    async def drive(self, public_id: str, kind: str, fields: dict) -> list[str]:
        """Carry out a request on a cluster from server code (e.g. the classroom pausing the demo cluster).

        Works wherever the cluster lives: here if this process owns it or can take it, else through the
        owner process. Returns the reply frames (a `result` for a command, nothing for a control).
        """
        hosted = self.clusters.setdefault(public_id, Hosted(public_id))
        if not hosted.viewers and hosted.idle_since is None:
            hosted.idle_since = time.monotonic()  # nobody watches: let it go after the idle timeout
        if hosted.live is None:
            async with hosted.lock:
                if hosted.live is None:
                    await self._try_to_own(hosted)
        if hosted.live is not None:
            return await self.execute(hosted, kind, fields)
        if self.relay is not None:
            return await self.relay.call(public_id, kind, fields, "control")
        return [protocol.error("busy", "클러스터를 불러오지 못했습니다.")]

    # ------------------------------------------------------------------ owner side
    async def execute(self, hosted: Hosted, kind: str, fields: dict) -> list[str]:
        """Run a request on the cluster this process owns; broadcast its effects; return the reply.

        Group commit (as databases and etcd batch their log writes): requests are queued and carried out in
        order by one committer task per cluster (`_commit`), which applies every request queued by then and
        saves once for all of them. Requests that arrive while a save is being written wait for the next
        batch, so a burst of N commands costs one or two saves instead of N. Every reply still goes out only
        after the save that covers its state (read-only requests too: they may read what the batch changed).
        """
        if hosted.live is None:
            return [self._busy(fields)]
        request = _Request(kind, fields, asyncio.get_running_loop().create_future())
        hosted.pending.append(request)
        if hosted.committer is None:
            hosted.committer = asyncio.get_running_loop().create_task(self._commit(hosted))
        return await request.done

    @staticmethod
    def _busy(fields: dict) -> str:
        return protocol.error(
            "busy", "이 클러스터의 담당 프로세스가 바뀌었습니다. 다시 시도하세요.", fields.get("id")
        )

    async def _commit(self, hosted: Hosted) -> None:
        """Carry out the queued requests batch by batch until none is left (the cluster's committer task)."""
        try:
            while hosted.pending:
                await self._commit_batch(hosted)
        finally:
            hosted.committer = None

    async def _commit_batch(self, hosted: Hosted) -> None:
        """Apply every queued request in order, save once if any changed the cluster, broadcast, then answer.

        A failed save fails every request of the batch that changed the cluster, with the save's error (the
        next save is a whole base, `_save`), as it failed the one command it covered before; the others get
        their replies. A request that raises fails alone.
        """
        results: list[tuple[_Request, Outcome | None, BaseException | None]] = []
        batch: list[_Request] = []
        try:
            async with hosted.lock:
                batch, hosted.pending = hosted.pending, []
                # One diff for a run of commands (`defer_changes`), not one per command: the batch's frames
                # go out back to back, and a second diff right behind the first finds a viewer's socket
                # still busy with it (its buffer then skips it and catches the viewer up later).
                deferred: int | None = None  # index in `results` of the last command whose frames wait
                for request in batch:
                    if request.kind != "command" and deferred is not None:
                        results[deferred] = self._flush_changes(hosted, results[deferred])
                        deferred = None
                    try:
                        outcome = await self._apply(hosted, request.kind, request.fields, defer=True)
                        results.append((request, outcome, None))
                        if request.kind == "command":
                            deferred = len(results) - 1
                    except Exception as exc:  # noqa: BLE001 - handed to the request's caller
                        results.append((request, None, exc))
                if deferred is not None:
                    results[deferred] = self._flush_changes(hosted, results[deferred])
                if any(outcome is not None and outcome.changed for _r, outcome, _e in results):
                    hosted.dirty = True
                    try:
                        await self._save(hosted)  # persisted before anyone is told: a crash cannot lose it
                    except Exception as exc:  # noqa: BLE001 - handed to the requests it covered
                        results = [
                            (r, None, exc) if outcome is not None and outcome.changed else (r, outcome, error)
                            for r, outcome, error in results
                        ]
            frames = [
                frame for _r, outcome, _e in results if outcome is not None for frame in outcome.broadcast
            ]
            try:
                await self.broadcast(hosted, Outcome(broadcast=frames))
                self._ensure_ticker(hosted)
            except Exception as exc:  # noqa: BLE001 - as when each command broadcast on its own
                results = [(r, None, error or exc) for r, _outcome, error in results]
            for request, outcome, error in results:
                if request.done.done():
                    continue  # its caller went away
                if error is not None:
                    request.done.set_exception(error)
                else:
                    request.done.set_result(outcome.reply)
        finally:
            # Cancelled or broken part-way: no caller may wait for ever.
            for request in batch:
                if not request.done.done():
                    request.done.cancel()

    @staticmethod
    def _flush_changes(hosted: Hosted, result: tuple) -> tuple:
        """Add what the batch's deferred commands changed, as one diff, to the broadcast of `result` (the last
        of them); if building it fails, that request fails with the error (its change stays unsent, and the
        next frame's diff carries it)."""
        request, outcome, _error = result
        if hosted.live is None:
            return result
        try:
            outcome.broadcast.extend(hosted.live.changes())
        except Exception as exc:  # noqa: BLE001 - handed to the request's caller
            return (request, None, exc)
        return result

    async def _apply(self, hosted: Hosted, kind: str, fields: dict, defer: bool = False) -> Outcome:
        """Carry out one request on the owned cluster (under its lock); the caller saves and broadcasts.
        `defer`: a command leaves its change frames for `LiveCluster.changes()` (see `_commit_batch`)."""
        live = hosted.live
        if live is None:
            return Outcome(reply=[self._busy(fields)])
        if kind == "command":
            return live.command(fields["id"], fields["text"], fields["stdin"], defer_changes=defer)
        if kind == "control":
            return live.control(fields["action"], fields["value"])
        if kind == "complete":
            return live.complete(fields["id"], fields["prefix"])
        if kind == "scenario.start":
            definition = await database_sync_to_async(records.scenario_definition)(fields["scenario"])
            if definition is None:
                return Outcome(
                    reply=[
                        protocol.error("unknown_scenario", f"없는 시나리오입니다: {fields['scenario'][:40]}")
                    ]
                )
            await self._pair_up(hosted)
            if hosted.live is not live:
                return Outcome(reply=[self._busy(fields)])
            return live.start_scenario(definition)
        if kind == "scenario.stop":
            return live.stop_scenario()
        if kind in API_KINDS:
            hosted.api_until = time.monotonic() + API_ACTIVE_SECONDS
            if kind == "api":
                return live.api_request(fields)
            if kind == "api.poll":
                return live.api_poll(fields["stream"])
            if kind == "api.close":
                return live.api_close(fields["stream"])
            if kind == "exec.open":
                return live.exec_open(fields)
            if kind == "exec.step":
                return live.exec_step(fields)
            return live.exec_close(fields["stream"])
        return Outcome(reply=[protocol.error("unknown_type", f"알 수 없는 요청입니다: {kind}")])

    async def broadcast(self, hosted: Hosted, outcome: Outcome) -> None:
        if not outcome.broadcast:
            return
        for live in (hosted.live, hosted.live.partner if hosted.live else None):
            slug = live.take_completion() if live is not None else None
            if slug:
                await database_sync_to_async(records.record_completion)(live.public_id, slug)
        await self.fan_out(hosted, outcome.broadcast)
        if self.relay is not None:
            await self.relay.publish(hosted.public_id, outcome.broadcast)
        live = hosted.live
        partner = self.clusters.get(live.partner.public_id) if live is not None and live.partner else None
        if partner is not None and partner.live is live.partner:
            frames = live.partner_scenario_frames()
            if frames:
                await self.broadcast(partner, Outcome(broadcast=frames))

    async def _pair_up(self, hosted: Hosted) -> None:
        """Link the two clusters of a side-by-side scenario when this process owns both."""
        side, partner_id = await database_sync_to_async(records.scenario_side)(hosted.public_id)
        live = hosted.live
        if live is None:
            return
        live.side = side
        partner = self.clusters.get(partner_id) if partner_id else None
        if partner is not None and partner.live is not None and live.partner is not partner.live:
            partner.live.side = "b" if side == "a" else "a"
            live.link_partner(partner.live)

    async def fan_out(self, hosted: Hosted, frames: list[str]) -> None:
        """Send frames to this process's viewers of the cluster (a SNAPSHOT marker becomes one per role).

        Each frame is encoded and framed once (ws_transport.Frame) and written to every viewer's transport
        without a task switch; each viewer's ViewerBuffer decides first: send, skip (it is behind, a snapshot
        will replace what it misses), a fresh snapshot (it was behind and has drained), or close.
        """
        snapshots: dict[str, Frame] = {}
        for text in frames:
            if text == SNAPSHOT:
                hosted.forget_recent()
                for conn in list(hosted.viewers.values()):
                    # A reset or a diff too old to build: what every viewer holds is of no use any more (a new
                    # engine's versions may even repeat the old one's), so no catch-up diff may start from it.
                    conn.version = None
                    if conn.ready:  # else its first snapshot is already on the way
                        await self._write_snapshot(hosted, conn, snapshots, requested=False)
                continue
            await self._fan_out_frame(hosted, Frame(text), snapshots)

    async def _fan_out_frame(self, hosted: Hosted, frame: Frame, snapshots: dict[str, Frame]) -> None:
        now = time.monotonic()
        kind, start = frame_header(frame.text)
        stale_from = start if kind == "diff" else None
        end = diff_end(frame.text) if kind == "diff" else None
        hosted.remember(kind, start, end, frame)
        later: list[tuple[Connection, Verdict]] = []
        for conn in list(hosted.viewers.values()):
            if not conn.ready:
                self._hold_back(conn, frame)
                continue
            if stale_from is not None and conn.floor is not None and stale_from < conn.floor:
                continue  # the viewer's snapshot already holds this diff
            outlet = conn.outlet
            verdict = conn.buffer.offer(outlet.pending(), now)
            if verdict is Verdict.SEND:
                if outlet.direct:
                    sent = outlet.write(frame)  # the fast path: no await
                    conn.buffer.wrote(frame.size if sent is None else sent)
                else:
                    await self._write(conn, frame)
                if end is not None:
                    conn.version = end if conn.version == stale_from else None
            elif verdict is Verdict.SKIP:
                if conn not in self._laggards:
                    self._watch(conn)
            else:
                later.append((conn, verdict))
        for conn, verdict in later:
            if verdict is Verdict.SNAPSHOT:
                await self._catch_up(hosted, conn, snapshots)
            else:
                await self._close_laggard(hosted, conn)

    def _hold_back(self, conn: Connection, frame: Frame) -> None:
        """Keep a frame for a viewer whose first snapshot is on its way (bounded; past that, a fresh one)."""
        if len(conn.backlog) >= BACKLOG_FRAMES or conn.backlog_bytes + frame.size > self.limits.high_water:
            conn.backlog, conn.backlog_bytes, conn.backlog_overflowed = [], 0, True
            return
        conn.backlog.append(frame.text)
        conn.backlog_bytes += frame.size

    async def _offer(
        self, hosted: Hosted, conn: Connection, frame: Frame, now: float, snapshots: dict
    ) -> None:
        """Send one broadcast frame to one viewer through its buffer (the slow path of `_fan_out_frame`)."""
        kind, start = frame_header(frame.text)
        if kind == "diff" and conn.floor is not None and start is not None and start < conn.floor:
            return
        verdict = conn.buffer.offer(conn.outlet.pending() if conn.outlet else None, now)
        if verdict is Verdict.SEND:
            await self._write(conn, frame)
            if kind == "diff":
                end = diff_end(frame.text)
                conn.version = end if start is not None and conn.version == start else None
        elif verdict is Verdict.SKIP:
            self._watch(conn)
        elif verdict is Verdict.SNAPSHOT:
            await self._catch_up(hosted, conn, snapshots)
        else:
            await self._close_laggard(hosted, conn)

    async def _write_snapshot(
        self, hosted: Hosted, conn: Connection, snapshots: dict[str, Frame], *, requested: bool
    ) -> None:
        """Send a viewer a fresh snapshot (built once per role per broadcast, in `snapshots`)."""
        frame = snapshots.get(conn.role)
        if frame is None:
            texts = await self._snapshot_for(hosted, conn.role)
            if not texts or frame_header(texts[0])[0] != "snapshot":
                return  # the owner did not answer (`busy`): a viewer that is owed one stays so, and is retried
            frame = snapshots[conn.role] = Frame(texts[0])
        await self.reply(hosted, conn, frame.text, requested=requested)

    async def _catch_up(self, hosted: Hosted, conn: Connection, frames: dict) -> None:
        """Bring a viewer that fell behind and has drained up to date in one coalesced frame where possible.

        With what applies to the version it holds (`conn.version`):
        - on the owner, one coalesced `diff` from its version to now (LiveCluster.catch_up_frame: each item
          touched since once, as a patch of what it held where the encoder's history reaches back);
        - elsewhere (another process owns the cluster), or when the change log no longer reaches back, the
          frames it skipped, replayed from `hosted.recent` (the watch cache's way);
        - else a fresh snapshot: the version is unknown (a `resync`, a reset), nothing reaches back to it, or
          the diff would not be smaller than a snapshot (a watcher whose resource version is too old, 410 Gone,
          re-lists).
        A slow link that caught up pays for what changed while it lagged, not for the whole cluster: on a
        4 KiB/s link an 80 KB snapshot is 20 s more of lag. Either way the clock and the scenario's progress end
        as the server's.

        `frames` caches what is built during one broadcast or look: a snapshot per role (`_write_snapshot`),
        and per ("catch-up", version) the coalesced diff's texts (None: not possible).
        """
        live = hosted.live
        version = conn.version
        if conn.closed or version is None:
            await self._write_snapshot(hosted, conn, frames, requested=False)
            return
        coalesced = None
        if live is not None:
            key = ("catch-up", version)
            if key not in frames:
                text = live.catch_up_frame(version)
                extra = (
                    [protocol.build("scenario", scenario=live.scenario_progress())] if live.scenario else []
                )
                frames[key] = None if text is None else [Frame(text), *(Frame(t) for t in extra)]
            coalesced = frames[key]
        replay = self._replay(hosted, conn) if coalesced is None else None
        if coalesced is not None:
            chosen, reached = coalesced, diff_end(coalesced[0].text)
        elif replay is not None:
            chosen, reached = replay
        else:
            await self._write_snapshot(hosted, conn, frames, requested=False)
            return
        for frame in chosen:
            await self._write(conn, frame)
        conn.buffer.caught_up()
        conn.floor = conn.version = reached
        self._laggards.discard(conn)

    def _replay(self, hosted: Hosted, conn: Connection) -> tuple[list[Frame], int] | None:
        """Return the kept broadcast frames a viewer at `conn.version` lacks, in order, and the version they
        bring it to; None when they do not reach back to its version.

        Exact when the diff that brought the viewer to its version is still kept: everything after it. Else
        (its version came with a snapshot) from the diff that starts at its version, on the owner, followed by
        the current clock and scenario progress (what was broadcast between its snapshot and that diff is not
        known to be kept). A viewer already at the latest version lacks only the clock and the progress.
        """
        version = conn.version
        live = hosted.live
        recent = list(hosted.recent)
        tail: list[tuple] | None = None
        exact = False
        for i, (kind, start, end, _frame) in enumerate(recent):
            if kind != "diff":
                continue
            if end == version:
                tail, exact = recent[i + 1 :], True
                break
            if start == version:
                tail = recent[i:]
                break
        if tail is None:
            # Nothing kept starts at its version: it lacks no diff only if it holds the latest (owner).
            if live is None or version != live.engine.version:
                return None
            tail = []
        reached = next((end for kind, _start, end, _f in reversed(tail) if kind == "diff"), version)
        replay = [entry[3] for entry in tail]
        if not exact:
            if live is None:
                return None
            replay.append(Frame(protocol.build("clock", cluster=hosted.public_id, clock=live.clock())))
            if live.scenario:
                replay.append(Frame(protocol.build("scenario", scenario=live.scenario_progress())))
        return replay, reached

    async def _write(self, conn: Connection, frame: Frame) -> None:
        """Write one frame to a viewer and record its bytes in the viewer's buffer."""
        try:
            if conn.outlet is None:
                await conn.send(frame.text)
                sent = frame.size
            elif conn.outlet.direct:
                sent = conn.outlet.write(frame)
            else:
                sent = await conn.outlet.send(frame)
        except Exception:  # noqa: BLE001 - a viewer that went away must not stop the others
            log.debug("dropping a frame for a closed viewer of %s", conn.public_id)
            return
        conn.buffer.wrote(frame.size if sent is None else sent)

    # ------------------------------------------------------------------ viewers that fall behind
    def _watch(self, conn: Connection) -> None:
        """Look at a viewer that fell behind until it has drained (then a snapshot) or is closed."""
        self._laggards.add(conn)
        if self._laggard_watch is None or self._laggard_watch.done():
            self._laggard_watch = asyncio.get_running_loop().create_task(self._watch_laggards())

    async def _watch_laggards(self) -> None:
        while self._laggards:
            await asyncio.sleep(LAGGARD_CHECK_SECONDS)
            now = time.monotonic()
            snapshots: dict[str, dict] = {}  # per cluster: its frames built during this look
            for conn in list(self._laggards):
                hosted = self.clusters.get(conn.public_id)
                if conn.closed or hosted is None or conn.id not in hosted.viewers or not conn.buffer.behind:
                    self._laggards.discard(conn)
                    continue
                verdict = conn.buffer.check(conn.outlet.pending() if conn.outlet else None, now)
                if verdict is Verdict.SNAPSHOT:
                    per_cluster = snapshots.setdefault(conn.public_id, {})
                    await self._catch_up(hosted, conn, per_cluster)
                elif verdict is Verdict.CLOSE:
                    await self._close_laggard(hosted, conn)

    async def _close_laggard(self, hosted: Hosted, conn: Connection) -> None:
        """Close a viewer that fell behind for too long or past the hard cap, and detach it at once."""
        if conn.closed:
            return
        conn.closed = True
        self._laggards.discard(conn)
        buffer = conn.buffer
        await self.detach(conn)
        log.warning(
            "closed a viewer of %s (%s): %d bytes unsent, peak %d, %d frames skipped; %d viewers left",
            conn.public_id,
            buffer.cause.value if buffer.cause else "?",
            (conn.outlet.pending() if conn.outlet else None) or 0,
            buffer.peak,
            buffer.skipped,
            len(hosted.viewers),
        )
        if conn.outlet is not None:
            try:
                await conn.outlet.close(CLOSE_CODE, CLOSE_REASON)
            except Exception:  # noqa: BLE001 - it may have gone already
                log.debug("closing a viewer of %s failed", conn.public_id)

    async def _snapshot_for(self, hosted: Hosted, role: str, conn: Connection | None = None) -> list[str]:
        """Return the snapshot frame for `role` (a `busy` error when the owner cannot be reached).

        The owner builds it at most once per role and state: viewers connecting or resyncing together (a
        class reconnecting at once, sockets spamming `resync`) share the text. A snapshot is a function of
        the engine (a reset makes a new one), its version, the clock and the scenario's progress.

        Another process's viewers share one request to the owner per role (visualizer.snapshot_share). A
        `conn` not yet ready (its first snapshot, a re-list) gets the frames relayed since that request was
        sent as its backlog, and is marked overflowed (ask again) when a reset came after it.
        """
        live = hosted.live
        if live is not None:
            progress = live.scenario_progress() if live.scenario else None
            key = (live.engine.version, tuple(live.clock().items()), repr(progress))
            cached = hosted.snapshots.get(role)
            if cached is None or cached[0] is not live.engine or cached[1] != key:
                cached = hosted.snapshots[role] = (live.engine, key, live.snapshot_frame(role))
            return [cached[2]]
        if self.relay is not None:
            return await self._shared_snapshot(hosted, role, conn)
        return [protocol.error("busy", "클러스터를 불러오지 못했습니다.")]

    async def _shared_snapshot(self, hosted: Hosted, role: str, conn: Connection | None) -> list[str]:
        """Join (or start) this process's request to the owner for `role`'s snapshot; return its reply."""
        share = hosted.shares.joinable(role)
        if share is None:
            request = asyncio.get_running_loop().create_task(
                self.relay.call(hosted.public_id, "resync", {}, role)
            )
            share = hosted.shares.start(role, request)
            shares = hosted.shares

            def done(task: asyncio.Task, share=share) -> None:
                texts = None if task.cancelled() or task.exception() else task.result()
                if not texts or frame_header(texts[0])[0] != "snapshot":
                    shares.forget(share)  # a `busy` is not kept: the next viewer asks again

            request.add_done_callback(done)
        if conn is not None and not conn.ready:
            # No await since the request was joined: the tail holds exactly the frames relayed since it left.
            conn.backlog, conn.backlog_bytes = list(share.tail), share.tail_bytes
            conn.backlog_overflowed = False
        texts = await asyncio.shield(share.future)
        if conn is not None and share.reset:
            conn.backlog_overflowed = True  # the reply may predate a reset: `_send_first_snapshot` asks again
        return texts

    async def _try_to_own(self, hosted: Hosted) -> bool:
        """Take the lease and load the cluster from its last saved state; return whether this process owns it."""
        acquired = await database_sync_to_async(records.acquire_lease)(
            hosted.public_id, self.process, self.lease_ttl
        )
        if not acquired:
            return False
        record = await database_sync_to_async(records.load)(hosted.public_id)
        if record is None:
            return False
        # `state_dict` reads the saved deltas from the database: not from the event loop's thread.
        engine = restore_engine(await database_sync_to_async(lambda: record.state_dict)())
        scenario = None
        if record.scenario:
            scenario = await database_sync_to_async(records.scenario_definition)(record.scenario)
        hosted.live = LiveCluster(
            hosted.public_id,
            engine,
            speed=record.speed,
            paused=record.paused,
            scenario=scenario,
            scenario_state=record.scenario_state,
        )
        if scenario is not None:
            await self._pair_up(hosted)
        hosted.last_saved = time.monotonic()
        if not record.state:
            hosted.dirty = True
            await self._save(hosted)
        if self.relay is not None:
            await self.relay.own(hosted.public_id)
        self._ensure_ticker(hosted)
        return True

    async def _save(self, hosted: Hosted) -> None:
        if hosted.live is None or not hosted.dirty:
            return
        live = hosted.live
        fields = live.record_fields()
        try:
            written = await self.saver.call(records.save, hosted.public_id, fields, self.process)
        except BaseException:
            # The delta was not stored: the next save must be a whole base, or a change would be lost.
            live.engine.saving.invalidate()
            raise
        hosted.dirty = False
        hosted.last_saved = time.monotonic()
        if not written:
            log.warning("lost the lease of %s while saving; another process owns it now", hosted.public_id)
            await self._demote(hosted)

    async def _demote(self, hosted: Hosted) -> None:
        hosted.live = None
        if hosted.ticker is not None:
            hosted.ticker.cancel()
            hosted.ticker = None
        if self.relay is not None:
            await self.relay.disown(hosted.public_id)
            await self.relay.follow(hosted.public_id)
            hosted.followed = True

    # ------------------------------------------------------------------ the clock
    def _ensure_ticker(self, hosted: Hosted) -> None:
        if hosted.live is not None and (hosted.ticker is None or hosted.ticker.done()):
            hosted.ticker = asyncio.get_running_loop().create_task(self._run_clock(hosted))

    async def _run_clock(self, hosted: Hosted) -> None:
        last = time.monotonic()
        while hosted.live is not None:
            await asyncio.sleep(self.tick_interval)
            now = time.monotonic()
            elapsed, last = now - last, now
            if not hosted.watched(now):
                continue  # the clock runs only while someone watches
            try:
                async with hosted.lock:
                    live = hosted.live
                    before = live.engine.now if live else None
                    outcome = live.tick(elapsed) if live else Outcome()
                    # Simulated time passed even when nothing visible changed: save it too, or a cluster that
                    # comes back from the database would be younger than what its users (kubectl) last saw.
                    if outcome.changed or (live is not None and live.engine.now != before):
                        hosted.dirty = True
                await self.broadcast(hosted, outcome)
                # Saved after the viewers were told, unlike a command: a tick is simulated time passing, which
                # a process taking over replays (a few seconds at most), so its frames need not wait.
                if hosted.dirty and now - hosted.last_saved >= self.save_every:
                    async with hosted.lock:
                        await self._save(hosted)
            except Exception:  # noqa: BLE001 - one bad tick must not stop the clock for the class
                log.exception("tick failed for %s", hosted.public_id)

    # ------------------------------------------------------------------ housekeeping
    def _start_housekeeping(self) -> None:
        if self._housekeeper is None or self._housekeeper.done():
            self._housekeeper = asyncio.get_running_loop().create_task(self._housekeep_forever())
            if self.relay is not None:
                self.relay.start()

    async def _housekeep_forever(self) -> None:
        while True:
            await asyncio.sleep(self.housekeeping_interval)
            try:
                await self.housekeep()
            except Exception:  # noqa: BLE001
                log.exception("housekeeping failed")

    async def housekeep(self) -> None:
        """Renew leases, save, let idle clusters go, and take over clusters whose owner went quiet."""
        now = time.monotonic()
        for public_id, hosted in list(self.clusters.items()):
            if hosted.live is not None:
                async with hosted.lock:
                    hosted.live.expire_streams()
                    await self._save(hosted)
                if hosted.live is None:
                    continue
                renewed = await database_sync_to_async(records.acquire_lease)(
                    public_id, self.process, self.lease_ttl
                )
                if not renewed:
                    await self._demote(hosted)
                elif (
                    not hosted.watched(now)
                    and hosted.idle_since
                    and now - hosted.idle_since > self.idle_timeout
                ):
                    await self._let_go(hosted)
            elif hosted.viewers:
                if self.relay is not None:
                    await self.relay.watching(public_id, len(hosted.viewers))
                async with hosted.lock:
                    took_over = hosted.live is None and await self._try_to_own(hosted)
                if took_over:
                    log.info("took over cluster %s", public_id)
                    await self.broadcast(hosted, Outcome(broadcast=[SNAPSHOT]))
            elif hosted.idle_since and now - hosted.idle_since > self.idle_timeout:
                if self.relay is not None:
                    await self.relay.unfollow(public_id)
                    hosted.followed = False
                self.clusters.pop(public_id, None)

    async def _let_go(self, hosted: Hosted) -> None:
        if hosted.ticker is not None:
            hosted.ticker.cancel()
        hosted.live = None
        await database_sync_to_async(records.release_lease)(hosted.public_id, self.process)
        if self.relay is not None:
            await self.relay.disown(hosted.public_id)
        self.clusters.pop(hosted.public_id, None)

    async def shutdown(self) -> None:
        """Save every owned cluster, release its lease (a clean stop hands clusters over at once), stop tasks."""
        for hosted in list(self.clusters.values()):
            if hosted.live is not None:
                hosted.dirty = True
                async with hosted.lock:
                    await self._save(hosted)
                await self._let_go(hosted)
        relay_tasks = (
            [self.relay._reader, self.relay.fanout and self.relay.fanout._worker] if self.relay else []
        )
        for task in [self._housekeeper, self._laggard_watch, *relay_tasks]:
            if task is not None:
                task.cancel()
        self.clusters.clear()


_hosts: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def get_host() -> ClusterHost:
    """Return this event loop's host (one per process in production; tests get one per loop)."""
    loop = asyncio.get_running_loop()
    host = _hosts.get(loop)
    if host is None:
        from channels.layers import InMemoryChannelLayer, get_channel_layer
        from django.conf import settings

        layer = get_channel_layer()
        host = ClusterHost(
            relay_layer=None if layer is None or isinstance(layer, InMemoryChannelLayer) else layer,
            **getattr(settings, "VISUALIZER_HOST", {}),
        )
        _hosts[loop] = host
    return host
