"""One running cluster in memory: the engine, its shared clock, and the frames that describe its changes.

Plain synchronous Python: every method returns the text frames to send, and the host (visualizer.host)
decides who receives them. Frames are serialised once here and fanned out as the same string to every
viewer (putting Python objects in a broadcast costs each viewer a deep copy and a serialisation).
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from visualizer import protocol
from visualizer.engine.wire import WireEncoder

if TYPE_CHECKING:
    from visualizer.engine import Cluster

# A broadcast entry meaning "a fresh snapshot, built for each viewer's role" (reset, or a diff too old to build).
SNAPSHOT = "__snapshot__"
MAX_TICK = 0.5  # real seconds; after a stall the clock jumps at most this far, times the speed
STEP_SECONDS = 1.0
DEFAULT_WORKERS = 3
# While an action is observed (the classroom's predict → observe), every visible change stays on screen this
# many real seconds before the clock moves on, whatever the speed: nginx stops in 0.5 simulated seconds, so at
# 8× a deleted pod would be Terminating for 60 ms of wall time, less than one animation frame of the picture.
OBSERVE_DWELL = 3.0
MAX_OBSERVE_STEPS = 10_000  # timers fired while looking for the next visible change in one tick


def _clock_key(clock: dict) -> tuple:
    """The clock as a viewer holds it between frames, without `now` (which every diff carries)."""
    return (clock["speed"], clock["paused"], clock["hold"], clock["observing"])


def visible_state(engine: Cluster) -> tuple:
    """Return what a viewer reads off the picture: each pod's STATUS, READY and node, each node's STATUS.

    Two engine states with the same value look the same to the class; a timer that changes nothing of this
    (a probe, a heartbeat, a controller's resync) is not a change worth holding on screen.
    """
    from visualizer.engine.kubectl.printers import node_status, pod_ready_column, pod_status

    pods = sorted(
        (
            p["metadata"]["namespace"],
            p["metadata"]["name"],
            pod_status(p),
            pod_ready_column(p),
            p["spec"].get("nodeName") or "",
        )
        for p in engine.store.list("Pod", None)
    )
    nodes = sorted((n["metadata"]["name"], node_status(n)) for n in engine.store.list("Node", None))
    return tuple(pods), tuple(nodes)


def fresh_engine(seed: int = 7) -> Cluster:
    from visualizer.engine import Cluster

    return Cluster(workers=DEFAULT_WORKERS, seed=seed)


def restore_engine(state: dict | None) -> Cluster:
    """Return the engine saved as `state` (Cluster.to_dict()), or a fresh one."""
    if not state:
        return fresh_engine()
    from visualizer.engine import Cluster

    return Cluster.from_dict(state)


@dataclass
class Outcome:
    """What an action produced: a reply for the caller and frames for every viewer."""

    reply: list[str] = field(default_factory=list)
    broadcast: list[str] = field(default_factory=list)
    changed: bool = False  # the state to persist changed


class LiveCluster:
    def __init__(
        self,
        public_id: str,
        engine: Cluster,
        *,
        speed: float = 1.0,
        paused: bool = False,
        scenario: dict | None = None,
        scenario_state: dict | None = None,
    ):
        self.public_id = public_id
        self.engine = engine
        self.speed = speed
        self.paused = paused
        self.scenario = scenario  # the Scenario definition as a plain dict, when one runs
        self.scenario_state = scenario_state or {}
        # In a side-by-side scenario this cluster plays `side` ("a" or "b") and `partner` plays the other;
        # both then share one scenario_state, since a step may look at either cluster.
        self.side = "a"
        self.partner: LiveCluster | None = None
        self._recorded: set[str] = set()
        self._completed: str | None = None
        self.sent_version = engine.version
        # What every viewer holds beyond the version: the items and trace last sent (engine/wire.py) and the
        # clock without its `now` (a diff repeats the clock only when that changed).
        self.wire = WireEncoder()
        self._clock_sent: tuple | None = None
        self._progress_text: str | None = None
        # Observing an action: until simulated time `observe_until` the clock moves from one visible change to
        # the next and `hold` (real seconds) keeps each on screen (see `observe`). Not persisted: a process
        # taking the cluster over simply plays on at the set speed.
        self.observe_until: float | None = None
        self.hold = 0.0
        # The Kubernetes REST face (visualizer.kubeapi): its watch cache follows this engine; open streams
        # (watches, followed logs, exec sessions) live here, in the owner process, polled by the transport.
        self._api = None
        self.streams: dict[str, list] = {}  # id -> [stream or session, last used (monotonic seconds)]
        self._state_cache: tuple | None = None  # (engine, (version, now), snapshot, its JSON)

    # ------------------------------------------------------------------ frames
    def clock(self) -> dict:
        """Return the shared clock. `hold`: real seconds from now during which simulated time stands still
        (a change being shown while observing); `observing`: an observed action is playing."""
        return {
            "now": round(self.engine.now, 3),
            "speed": self.speed,
            "paused": self.paused,
            "hold": round(self.hold, 2),
            "observing": self.observe_until is not None,
        }

    def snapshot_frame(self, role: str) -> str:
        """Return the `snapshot` frame for a viewer of `role` (text).

        The state part (the engine's whole picture, the costly part: 0.75 MB at 1,000 pods) is serialised
        once per engine state (`_state`), however many viewers or `resync` requests ask for it; the clock
        and the scenario progress around it are current.
        """
        state, text = self._state()
        if self.engine.version == self.sent_version and self.wire.version != self.sent_version:
            # Exactly what every viewer holds at the version the next diff starts from: later diffs patch it.
            self.wire.hold(state)
        head = protocol.build(
            "snapshot",
            cluster=self.public_id,
            role=role,
            version=self.engine.version,
            clock=self.clock(),
            scenario=self.scenario_progress(),
            state=None,
        )
        assert head.endswith(',"state":null}')
        return f"{head[: -len('null}')]}{text}}}"

    def catch_up_frame(self, version: int) -> str | None:
        """Return one `diff` frame from `version` (what a viewer that skipped frames holds) to now, or None when
        a snapshot must do instead: the change log no longer reaches back (the API server's 410 Gone, a
        re-list) or the diff would not be smaller than the snapshot.

        The diff is the engine's `diff_since(version)` (every item touched since, as it is now) in the wire form
        of a `WireEncoder` that holds what the viewers held at `version` (`WireEncoder.items_at`, from the
        broadcast encoder's recent history): an item they held travels as a patch of it, once however often it
        changed; others whole, or as a copy of one sent before it in the same diff; events and trace as template
        id + parameters. When the history no longer reaches back, every item travels whole. `apply_diff(snapshot at version, it) == snapshot now` holds exactly, as for any diff
        (tests/visualizer/test_catch_up.py); it always carries the clock, which the viewer may have missed.
        Must be called when `sent_version` is the engine's version (between broadcasts): the diffs broadcast
        next start from its `to`.
        """
        engine = self.engine
        diff = engine.diff_since(version)
        if diff is None:
            return None
        # What every viewer held at `version` of the items touched since (the broadcast encoder's recent
        # history): those travel as patches of it, the rest whole.
        touched = {section: list(change["set"]) for section, change in diff["sections"].items()}
        encoder = WireEncoder()
        held = self.wire.items_at(version, touched)
        if held is not None:
            encoder.items, encoder.version = held, version
        text = protocol.build(
            "diff",
            **{"from": version},
            to=engine.version,
            clock=self.clock(),
            ts=round(time.time(), 3),
            diff=encoder.encode(diff),
        )
        # Against the snapshot's size: the last one built when the diff is less than half of it (a cluster
        # rarely halves between two looks; building a snapshot of 1,000 pods costs tens of milliseconds), else
        # exactly, building it now (cached for the snapshot that may follow).
        cached = self._state_cache
        if cached is not None and cached[0] is engine and 2 * len(text) < len(cached[3]):
            return text
        return text if len(text) < len(self.state_text()) else None

    def state_text(self) -> str:
        """Return `engine.snapshot()` as compact JSON, cached per (engine, version, simulated now)."""
        return self._state()[1]

    def _state(self) -> tuple[dict, str]:
        """Return `engine.snapshot()` and its compact JSON, cached per (engine, version, simulated now): two
        calls without a change in between build and serialise it once."""
        engine = self.engine
        cached = self._state_cache
        if cached is None or cached[0] is not engine or cached[1] != (engine.version, engine.now):
            state = engine.snapshot()
            text = json.dumps(state, ensure_ascii=False, separators=(",", ":"))
            cached = self._state_cache = (engine, (engine.version, engine.now), state, text)
        return cached[2], cached[3]

    def clock_frame(self) -> str:
        """Return a `clock` frame for every viewer (and remember the clock they now hold)."""
        clock = self.clock()
        self._clock_sent = _clock_key(clock)
        return protocol.build("clock", cluster=self.public_id, clock=clock)

    def _changes(self) -> list[str]:
        """Return the diff (and scenario progress) since the last frame sent, if anything changed.

        The diff is the wire form (engine/wire.py): items the viewers hold travel as patches, events as
        template id + parameters. `clock` is left out when only its `now` moved (then `hold` is 0 and `now`
        is the diff's own), see docs/protocol.md.
        """
        frames: list[str] = []
        if self.engine.version != self.sent_version:
            diff = self.engine.diff_since(self.sent_version)
            if diff is None:
                self.wire.forget()
                frames.append(SNAPSHOT)
            else:
                # No `cluster`: a socket watches one cluster (its snapshot names it), and every byte here goes
                # to every viewer ten times a second.
                fields: dict = {"from": self.sent_version, "to": self.engine.version}
                clock = self.clock()
                key = _clock_key(clock)
                if key != self._clock_sent or clock["hold"]:
                    fields["clock"] = clock
                    self._clock_sent = key
                fields["ts"] = round(time.time(), 3)
                fields["diff"] = self.wire.encode(diff)
                frames.append(protocol.build("diff", **fields))
            self.sent_version = self.engine.version
            frames += self._scenario_frames()
        return frames

    # ------------------------------------------------------------------ time
    def tick(self, real_seconds: float) -> Outcome:
        """Advance the clock by `real_seconds` × speed (if running) and return the change frames."""
        if self.paused or real_seconds <= 0:
            return Outcome()
        seconds = min(real_seconds, MAX_TICK)
        if self.observe_until is None:
            self.engine.advance(seconds * self.speed)
            frames = self._changes()
            return Outcome(broadcast=frames, changed=bool(frames))
        if self.hold > 0:
            self.hold = max(0.0, self.hold - seconds)
            return Outcome()
        self._advance_observed(seconds * self.speed)
        frames = self._changes()
        if self.observe_until is None:
            frames.append(self.clock_frame())
        return Outcome(broadcast=frames, changed=bool(frames))

    def _advance_observed(self, budget: float) -> None:
        """Advance up to `budget` simulated seconds, stopping at the first timer that changes the picture
        (then hold it for OBSERVE_DWELL real seconds). Simulated time and every rule of the engine are
        unchanged; only how fast simulated time passes on the wall clock differs."""
        engine = self.engine
        end = min(round(engine.now + budget, 6), self.observe_until)
        before = visible_state(engine)
        for _ in range(MAX_OBSERVE_STEPS):
            due = engine.clock.next_time()
            stop = end if due is None or due > end else due
            engine.advance(max(0.0, stop - engine.now))
            if visible_state(engine) != before:
                self.hold = OBSERVE_DWELL
                return
            if stop >= end:
                break
        if engine.now >= self.observe_until:
            self.observe_until = None

    def observe(self, window: float) -> None:
        """Show the next `window` simulated seconds one visible change at a time, each held OBSERVE_DWELL
        real seconds; the change an action just made (already sent) is held first."""
        self.observe_until = round(self.engine.now + max(0.0, window), 6)
        self.hold = OBSERVE_DWELL

    # ------------------------------------------------------------------ actions
    def command(self, ref: object, text: str, stdin: str | None, defer_changes: bool = False) -> Outcome:
        """Run one console command; reply with its result and broadcast what changed.

        `defer_changes`: leave the change frames for a later `changes()` call, which then sends what several
        commands changed as one diff (the host's group commit applies a batch of commands, then broadcasts).
        """
        before = self.engine.version
        # The console prints timestamps in the real clock with the REST face's offset (engine/wallclock.py).
        self.engine.wall_offset = self.api.offset()
        result = self.engine.run(text, stdin=stdin)
        data = result.to_dict()
        reply = protocol.build(
            "result",
            id=ref,
            ok=data["ok"],
            output=data["output"],
            error=data["error"],
            events=data["events"][-50:],
        )
        frames = [] if defer_changes else self._changes()
        return Outcome(reply=[reply], broadcast=frames, changed=self.engine.version != before)

    def changes(self) -> list[str]:
        """Return the frames for everything changed since the last frame sent (the diff, scenario progress):
        what commands run with `defer_changes` left unsent, as one diff."""
        return self._changes()

    def control(self, action: str, value: float | None) -> Outcome:
        frames: list[str] = []
        if action == "pause":
            self.paused = True
        elif action == "play":
            self.paused = False
        elif action == "speed" and value is not None:
            self.speed = float(value)
        elif action == "observe":
            # Server-side only (the classroom's predict → observe); browsers cannot send it (protocol.py).
            self.observe(float(value or 0))
        elif action == "step":
            self.engine.advance(STEP_SECONDS)
            frames = self._changes()
        elif action == "reset":
            self.engine = fresh_engine()
            self.observe_until, self.hold = None, 0.0
            self.scenario_state = {}
            if self.scenario:
                self._run_setup()
            # Everyone gets a fresh snapshot; diffs continue from the new engine's version.
            self.sent_version = self.engine.version
            self.wire.forget()
            return Outcome(broadcast=[SNAPSHOT], changed=True)
        frames.append(self.clock_frame())
        return Outcome(broadcast=frames, changed=True)

    def complete(self, ref: object, prefix: str) -> Outcome:
        return Outcome(
            reply=[protocol.build("completions", id=ref, items=self.engine.completions(prefix)[:50])]
        )

    # ------------------------------------------------------------------ the REST face
    @property
    def api(self):
        """The REST face's context (visualizer.kubeapi.context.ApiContext) over the current engine."""
        from visualizer.kubeapi.context import ApiContext

        if self._api is None:
            self._api = ApiContext(self.engine)
        self._api.sync(self.engine)
        return self._api

    def api_request(self, fields: dict) -> Outcome:
        """Answer one Kubernetes API request (fields: method, path, query, headers, body (base64), role, user).

        The reply is one JSON text: status, content_type, headers, body (base64), and `stream` (an id to poll
        with `api_poll`) for a watch or a followed log. A write's effects reach every viewer as the same
        command typed in the console would (diff frames with its trace and events).
        """
        from visualizer.kubeapi.http import ApiRequest
        from visualizer.kubeapi.server import handle

        req = ApiRequest(
            method=fields["method"],
            path=fields["path"],
            query=fields.get("query") or {},
            headers=fields.get("headers") or {},
            body=base64.b64decode(fields.get("body") or ""),
            role=fields.get("role", "view"),
            user=fields.get("user", "system:anonymous"),
        )
        before = self.engine.version
        resp = handle(self.api, req)
        stream_id = None
        if resp.stream is not None and not resp.stream.finished:
            stream_id = secrets.token_hex(8)
            self.streams[stream_id] = [resp.stream, time.monotonic()]
        reply = json.dumps(
            {
                "type": "api.response",
                "status": resp.status,
                "content_type": resp.content_type,
                "headers": resp.headers,
                "body": base64.b64encode(resp.body).decode(),
                "stream": stream_id,
                "timeout": resp.timeout,
            }
        )
        frames = self._changes()
        return Outcome(reply=[reply], broadcast=frames, changed=self.engine.version != before)

    def api_poll(self, stream_id: str) -> Outcome:
        """Return what an open stream produced since the last poll: `{"chunks": [base64…], "finished"}`;
        an unknown (expired, or taken over by another process) stream is finished."""
        entry = self.streams.get(stream_id)
        if entry is None:
            return Outcome(reply=[json.dumps({"type": "api.chunks", "chunks": [], "finished": True})])
        stream = entry[0]
        entry[1] = time.monotonic()
        chunks = stream.poll(self.api)
        if stream.finished:
            self.streams.pop(stream_id, None)
        reply = json.dumps(
            {
                "type": "api.chunks",
                "chunks": [base64.b64encode(c).decode() for c in chunks],
                "finished": stream.finished,
            }
        )
        return Outcome(reply=[reply])

    def api_close(self, stream_id: str) -> Outcome:
        """Forget a stream whose client went away."""
        entry = self.streams.pop(stream_id, None)
        if entry is not None and hasattr(entry[0], "close"):
            entry[0].close()
        return Outcome(reply=[json.dumps({"type": "api.closed"})])

    def exec_open(self, fields: dict) -> Outcome:
        """Start an exec or attach session (fields: namespace, pod, query, attach) — kubeapi.execute.

        Reply `{"type":"api.refused", status, content_type, body}` when the upgrade is refused, else
        `{"type":"api.exec", "stream": id, "frames": [[channel, base64]…], "finished"}`. A session may change the
        cluster (a shell's `exit` ends an attached container): those changes reach the viewers.
        """
        from visualizer.kubeapi.execute import ExecSession

        before = self.engine.version
        session = ExecSession(
            self.api,
            fields["namespace"],
            fields["pod"],
            fields.get("query") or {},
            attach=bool(fields.get("attach")),
        )
        opened = session.open(self.api)
        if not isinstance(opened, list):
            reply = {
                "type": "api.refused",
                "status": opened.status,
                "content_type": opened.content_type,
                "body": base64.b64encode(opened.body).decode(),
            }
            return Outcome(reply=[json.dumps(reply)])
        stream_id = None
        if not session.finished:
            stream_id = secrets.token_hex(8)
            self.streams[stream_id] = [session, time.monotonic()]
        return self._exec_reply(stream_id, opened, session.finished, before)

    def exec_step(self, fields: dict) -> Outcome:
        """Feed a client frame to a session (`channel`, `data` base64) or, without one, poll it."""
        entry = self.streams.get(fields["stream"])
        if entry is None:
            return Outcome(reply=[json.dumps({"type": "api.exec", "frames": [], "finished": True})])
        before = self.engine.version
        session = entry[0]
        entry[1] = time.monotonic()
        if fields.get("channel") is None:
            frames = session.poll(self.api)
        else:
            frames = session.feed(
                self.api, int(fields["channel"]), base64.b64decode(fields.get("data") or "")
            )
        if session.finished:
            self.streams.pop(fields["stream"], None)
        return self._exec_reply(fields["stream"], frames, session.finished, before)

    def exec_close(self, stream_id: str) -> Outcome:
        """End a session whose client went away."""
        entry = self.streams.pop(stream_id, None)
        if entry is not None and hasattr(entry[0], "close"):
            entry[0].close(self.api)
        return Outcome(reply=[json.dumps({"type": "api.closed"})])

    def _exec_reply(self, stream_id, frames, finished: bool, before: int) -> Outcome:
        reply = {
            "type": "api.exec",
            "stream": stream_id,
            "frames": [[channel, base64.b64encode(data).decode()] for channel, data in frames],
            "finished": finished,
        }
        changes = self._changes()
        return Outcome(reply=[json.dumps(reply)], broadcast=changes, changed=self.engine.version != before)

    def expire_streams(self, idle: float = 60.0) -> None:
        """Drop streams nobody polled for `idle` seconds (a transport that died without closing them)."""
        now = time.monotonic()
        for key, (_, used) in list(self.streams.items()):
            if now - used > idle:
                self.streams.pop(key, None)

    # ------------------------------------------------------------------ scenarios
    def start_scenario(self, definition: dict) -> Outcome:
        self.scenario = definition
        self.scenario_state = {}
        self._progress_text = None
        self._run_setup()
        frames = self._changes() + self._scenario_frames(force=True)
        return Outcome(broadcast=frames, changed=True)

    def stop_scenario(self) -> Outcome:
        self.scenario = None
        self.scenario_state = {}
        self._progress_text = None
        return Outcome(broadcast=[protocol.build("scenario", scenario=None)], changed=True)

    def _run_setup(self) -> None:
        from visualizer.scenario_checks import apply_setup

        apply_setup(self.scenario or {}, self.engine, side=self.side)

    def link_partner(self, partner: LiveCluster) -> None:
        """Pair this cluster with the other side of a side-by-side scenario (both now share one progress)."""
        self.partner, partner.partner = partner, self
        first, second = (self, partner) if self.side == "a" else (partner, self)
        if not first.scenario_state and second.scenario_state:
            first.scenario_state.update(second.scenario_state)
        second.scenario_state = first.scenario_state
        if first.scenario and not second.scenario:
            second.scenario = first.scenario

    def _engines(self):
        if (self.scenario or {}).get("layout") != "pair":
            return self.engine
        sides = {self.side: self.engine}
        if self.partner is not None:
            sides[self.partner.side] = self.partner.engine
        return sides

    def scenario_progress(self) -> dict | None:
        if not self.scenario:
            return None
        from visualizer.scenario_checks import progress

        return progress(self.scenario, self._engines(), self.scenario_state)

    def partner_scenario_frames(self) -> list[str]:
        """Return the partner's scenario frame if this cluster's change moved the shared progress."""
        return self.partner._scenario_frames() if self.partner is not None and self.partner.scenario else []

    def take_completion(self) -> str | None:
        """Return the scenario's slug once, the first time its progress is complete (evidence to record)."""
        slug, self._completed = self._completed, None
        return slug

    def _scenario_frames(self, force: bool = False) -> list[str]:
        if not self.scenario:
            return []
        payload = self.scenario_progress()
        if payload and payload.get("complete") and self.scenario.get("slug") not in self._recorded:
            self._recorded.add(self.scenario["slug"])
            self._completed = self.scenario["slug"]
        text = protocol.build("scenario", scenario=payload)
        if text == self._progress_text and not force:
            return []
        self._progress_text = text
        return [text]

    # ------------------------------------------------------------------ persistence
    def record_fields(self) -> dict:
        """Return what the database keeps of this cluster (see visualizer.models.ClusterRecord and records.save):
        the engine's state as a `delta` since the last save, or as a new base `state` (the first save, after a
        load, or when the deltas outweigh the base; see visualizer/engine/saving.py). The engine counts it
        as saved: if writing it fails, call `self.engine.saving.invalidate()`."""
        text, is_base = self.engine.saving.save_text(self.engine)
        return {
            ("state" if is_base else "delta"): text,
            "version": self.engine.version,
            "speed": self.speed,
            "paused": self.paused,
            "scenario": (self.scenario or {}).get("slug", ""),
            "scenario_state": self.scenario_state or None,
        }
