"""The host's send path with bounded viewer buffers (visualizer.host + viewer_buffer), without a server.

Viewers here are fake direct outlets whose unsent bytes the test sets, as Daphne's transport would report
them; the cluster is a real LiveCluster (no database: nothing here saves).
"""

import asyncio
import json
import time

import pytest

from visualizer import protocol
from visualizer.host import ClusterHost, Connection, Hosted, frame_header
from visualizer.live_cluster import SNAPSHOT, LiveCluster, fresh_engine
from visualizer.viewer_buffer import CLOSE_CODE, CLOSE_REASON, ViewerBuffer

KIB = 1024


class FakeOutlet:
    """A direct outlet: records what it was given; `held` plays the transport's unsent bytes."""

    direct = True

    def __init__(self) -> None:
        self.held = 0
        self.frames: list[dict] = []
        self.closed: tuple[int, str] | None = None

    def pending(self) -> int:
        return self.held

    def write(self, frame) -> None:
        self.frames.append(json.loads(frame.text))

    async def send(self, frame) -> None:
        self.write(frame)

    async def close(self, code: int, reason: str) -> None:
        self.closed = (code, reason)

    def types(self) -> list[str]:
        return [f["type"] for f in self.frames]


@pytest.fixture
async def setup():
    host = ClusterHost(viewer_high_water=16 * KIB, viewer_low_water=4 * KIB, viewer_hard_cap=256 * KIB)
    hosted = Hosted("c1")
    hosted.live = LiveCluster("c1", fresh_engine())
    host.clusters["c1"] = hosted

    def viewer(role: str = "view") -> tuple[Connection, FakeOutlet]:
        outlet = FakeOutlet()

        async def unused(text):  # the outlet carries every frame
            raise AssertionError("send must not be used when an outlet exists")

        conn = Connection(
            next(host._ids), "c1", role, unused, ready=True, outlet=outlet, buffer=ViewerBuffer(host.limits)
        )
        hosted.viewers[conn.id] = conn
        return conn, outlet

    yield host, hosted, viewer
    if host._laggard_watch is not None:
        host._laggard_watch.cancel()


def diff(start: int, to: int) -> str:
    return protocol.build("diff", cluster="c1", **{"from": start}, to=to, clock={}, diff={}, ts=0.0)


def test_frame_header_reads_type_and_version_as_protocol_builds_them():
    live = LiveCluster("c1", fresh_engine())
    snapshot = live.snapshot_frame("view")
    assert frame_header(snapshot) == ("snapshot", json.loads(snapshot)["version"])
    assert frame_header(diff(7, 9)) == ("diff", 7)
    assert frame_header(protocol.build("pong")) == ("pong", None)
    assert frame_header(protocol.error("busy", "잠시 후")) == ("error", None)
    assert frame_header("not json") == (None, None)


async def test_viewers_that_keep_up_get_every_frame_and_one_behind_gets_none(setup):
    host, hosted, viewer = setup
    _, fast = viewer()
    _, slow = viewer()
    slow.held = 16 * KIB + 1
    await host.fan_out(hosted, [diff(1, 2), diff(2, 3)])
    assert [(f["from"], f["to"]) for f in fast.frames] == [(1, 2), (2, 3)]
    assert slow.frames == []


async def test_a_viewer_that_drained_gets_one_fresh_snapshot_instead_of_what_it_missed(setup):
    host, hosted, viewer = setup
    conn, slow = viewer()
    slow.held = 100 * KIB
    await host.fan_out(hosted, [diff(1, 2), diff(2, 3), diff(3, 4)])
    slow.held = 1 * KIB
    version = hosted.live.engine.version
    await host.fan_out(hosted, [diff(4, version)])
    assert slow.types() == ["snapshot"]
    assert slow.frames[0]["version"] == version
    assert not conn.buffer.behind
    # Diffs the snapshot already holds are dropped; the next one is sent.
    await host.fan_out(hosted, [diff(version - 1, version), diff(version, version + 1)])
    assert slow.types() == ["snapshot", "diff"]
    assert slow.frames[1]["from"] == version


async def test_one_snapshot_per_role_is_built_for_all_the_viewers_that_catch_up(setup, monkeypatch):
    host, hosted, viewer = setup
    outlets = [viewer(role)[1] for role in ("view", "view", "control")]
    for outlet in outlets:
        outlet.held = 100 * KIB
    await host.fan_out(hosted, [diff(1, 2)])
    built = []
    original = hosted.live.snapshot_frame
    monkeypatch.setattr(hosted.live, "snapshot_frame", lambda role: built.append(role) or original(role))
    for outlet in outlets:
        outlet.held = 0
    await host.fan_out(hosted, [diff(2, 3)])
    assert sorted(built) == ["control", "view"]
    assert [o.frames[0]["role"] for o in outlets] == ["view", "view", "control"]


async def test_a_viewer_behind_too_long_is_closed_with_the_reason_and_detached(setup):
    host, hosted, viewer = setup
    conn, slow = viewer()
    _, fast = viewer()
    slow.held = 100 * KIB
    await host.fan_out(hosted, [diff(1, 2)])
    conn.buffer.behind_since = time.monotonic() - host.limits.behind_seconds - 1
    await host.fan_out(hosted, [diff(2, 3)])
    assert slow.closed == (CLOSE_CODE, CLOSE_REASON)
    assert conn.id not in hosted.viewers and conn.closed
    await host.fan_out(hosted, [diff(3, 4)])
    assert slow.frames == []
    assert len(fast.frames) == 3


async def test_past_the_hard_cap_even_an_answer_closes_the_viewer(setup):
    host, hosted, viewer = setup
    conn, outlet = viewer()
    outlet.held = 256 * KIB + 1
    await host.reply(hosted, conn, protocol.build("pong"))
    assert outlet.closed == (CLOSE_CODE, CLOSE_REASON)
    assert outlet.frames == [] and conn.id not in hosted.viewers


async def test_answers_reach_a_viewer_that_is_behind(setup):
    host, hosted, viewer = setup
    conn, outlet = viewer()
    outlet.held = 100 * KIB
    await host.fan_out(hosted, [diff(1, 2)])
    await host.reply(hosted, conn, protocol.build("pong"))
    assert outlet.types() == ["pong"]


async def test_resync_is_coalesced_with_a_snapshot_owed_or_on_its_way(setup):
    host, hosted, viewer = setup
    conn, outlet = viewer()
    first = await host.handle(conn, "resync", {})
    assert frame_header(first[0])[0] == "snapshot"
    await host.reply(hosted, conn, first[0])
    outlet.held = 8 * KIB  # the snapshot has not left yet
    assert await host.handle(conn, "resync", {}) == []
    outlet.held = 100 * KIB  # now behind: a snapshot is owed
    await host.fan_out(hosted, [diff(1, 2)])
    assert await host.handle(conn, "resync", {}) == []
    outlet.held = 0
    assert outlet.types() == ["snapshot"]
    assert frame_header((await host.handle(conn, "resync", {}))[0])[0] == "snapshot"


async def test_a_reset_gives_everyone_a_snapshot_through_their_buffers(setup):
    host, hosted, viewer = setup
    _, fast = viewer()
    _, slow = viewer()
    slow.held = 100 * KIB
    await host.fan_out(hosted, [SNAPSHOT])
    assert fast.types() == ["snapshot"]
    assert slow.types() == []  # owed, once drained


async def test_a_behind_viewer_gets_its_snapshot_when_it_drains_while_nothing_is_broadcast(setup):
    host, hosted, viewer = setup
    conn, slow = viewer()
    slow.held = 100 * KIB
    await host.fan_out(hosted, [diff(1, 2)])
    slow.held = 0
    async with asyncio.timeout(5):
        while not slow.frames:
            await asyncio.sleep(0.05)
    assert slow.types() == ["snapshot"]
    assert conn not in host._laggards


async def test_a_new_viewers_backlog_is_bounded_and_replaced_by_a_fresher_snapshot(setup):
    host, hosted, viewer = setup
    conn, outlet = viewer()
    conn.ready = False
    big = protocol.build(
        "diff", cluster="c1", **{"from": 1}, to=2, clock={}, diff={"x": "y" * 20_000}, ts=0.0
    )
    await host.fan_out(hosted, [big])
    assert conn.backlog == [] and conn.backlog_overflowed
    await host._send_first_snapshot(hosted, conn)
    assert outlet.types() == ["snapshot"] and conn.ready


async def test_a_snapshot_is_built_once_per_role_and_state(setup, monkeypatch):
    host, hosted, _viewer = setup
    built = []
    original = hosted.live.snapshot_frame
    monkeypatch.setattr(hosted.live, "snapshot_frame", lambda role: built.append(role) or original(role))
    first = await host._snapshot_for(hosted, "view")
    assert await host._snapshot_for(hosted, "view") == first
    await host._snapshot_for(hosted, "control")
    assert built == ["view", "control"]
    hosted.live.engine.run("kubectl create deployment web --image=nginx --replicas=1")
    changed = await host._snapshot_for(hosted, "view")
    assert changed != first and built == ["view", "control", "view"]
    hosted.live.speed = 2.0  # the clock is part of the picture
    await host._snapshot_for(hosted, "view")
    assert built[-1] == "view" and len(built) == 4
    hosted.live.engine = fresh_engine()  # a reset: same version number, another cluster
    hosted.live.engine.version = json.loads(changed[0])["version"]
    await host._snapshot_for(hosted, "view")
    assert len(built) == 5


async def _first_snapshot(host, hosted, conn, outlet) -> dict:
    """Send a viewer its first snapshot through the host; return the state it then holds."""
    text = (await host._snapshot_for(hosted, conn.role))[0]
    await host.reply(hosted, conn, text, requested=False)
    assert outlet.types()[-1] == "snapshot" and conn.version == json.loads(text)["version"]
    return json.loads(text)["state"]


async def _slow_and_fast(host, hosted, viewer) -> tuple:
    """Two viewers with their first snapshot: (the one to slow down's connection, its outlet, the other's
    outlet, the state the first holds)."""
    conn, slow = viewer()
    other, fast = viewer()
    held = await _first_snapshot(host, hosted, conn, slow)
    await _first_snapshot(host, hosted, other, fast)
    return conn, slow, fast, held


async def _play(host, hosted, command: str, ticks: int) -> None:
    """Run a command and some ticks on the real cluster, broadcasting each change as the host does."""
    live = hosted.live
    await host.broadcast(hosted, live.command(1, command, None))
    for _ in range(ticks):
        await host.broadcast(hosted, live.tick(0.5))


async def test_a_drained_viewer_gets_a_coalesced_diff_that_makes_it_exactly_the_servers_state(setup):
    from visualizer.engine.snapshot import apply_diff

    host, hosted, viewer = setup
    conn, slow, fast, held = await _slow_and_fast(host, hosted, viewer)
    slow.held = 100 * KIB  # behind from the first diff on
    await _play(host, hosted, "kubectl create deployment web --image=nginx:1.20 --replicas=6", 20)
    await _play(host, hosted, "kubectl set image deployment/web nginx=nginx:1.21", 20)
    assert slow.types() == ["snapshot"] and conn.buffer.behind
    skipped = [f for f in fast.frames if f["type"] == "diff"]
    assert len(skipped) >= 5
    slow.held = 0
    await _play(host, hosted, "kubectl scale deployment web --replicas=7", 1)
    catch_up = slow.frames[1]
    # After a long lag (two rollouts), one coalesced frame from its version to the latest, not a replay.
    assert catch_up["type"] == "diff" and catch_up["from"] == skipped[0]["from"]
    assert catch_up["to"] == hosted.live.engine.version and len(slow.frames) == 2
    assert "clock" in catch_up  # it may have missed a change of speed or a pause
    # One frame in place of everything it missed, much smaller than them together and than a snapshot.
    size = len(json.dumps(catch_up))
    assert size < sum(len(json.dumps(f)) for f in skipped)
    assert size < len(hosted.live.state_text())
    # It holds exactly the server's state at the catch-up's version, and the diffs after it apply on top.
    state = apply_diff(held, catch_up["diff"], catch_up["to"])
    for frame in slow.frames[2:]:
        assert frame["type"] == "diff" and frame["from"] == state["version"]
        state = apply_diff(state, frame["diff"], frame["to"])
    server = json.loads(hosted.live.state_text())
    # Simulated time moves on between diffs (a tick that changes nothing): the page extrapolates it (clock).
    assert state.pop("now") <= server.pop("now")
    assert state == server
    assert not conn.buffer.behind and conn.version == hosted.live.engine.version


async def test_a_viewer_whose_version_is_unknown_or_too_old_catches_up_with_a_snapshot(setup, monkeypatch):
    host, hosted, viewer = setup
    asked, unknown = viewer(), viewer()
    await _first_snapshot(host, hosted, *asked)
    await _first_snapshot(host, hosted, *unknown)
    assert await host.handle(unknown[0], "resync", {}) != []  # the page dropped its state: version unknown
    for _conn, outlet in (asked, unknown):
        outlet.held = 100 * KIB
    await _play(host, hosted, "kubectl create deployment web --image=nginx --replicas=3", 4)
    # The change log no longer reaches back to the first one's version (the API server's 410 Gone).
    monkeypatch.setattr(hosted.live.engine, "diff_since", lambda version: None)
    for _conn, outlet in (asked, unknown):
        outlet.held = 0
    await _play(host, hosted, "kubectl scale deployment web --replicas=4", 1)
    for conn, outlet in (asked, unknown):
        assert outlet.types()[:2] == ["snapshot", "snapshot"], outlet.types()
        assert conn.version == hosted.live.engine.version


async def test_after_a_reset_a_viewer_behind_gets_a_snapshot_not_a_diff(setup):
    host, hosted, viewer = setup
    conn, slow = viewer()
    await _first_snapshot(host, hosted, conn, slow)
    slow.held = 100 * KIB
    await _play(host, hosted, "kubectl create deployment web --image=nginx --replicas=3", 2)
    await host.broadcast(hosted, hosted.live.control("reset", None))
    assert conn.version is None  # a new engine: its versions may repeat the old one's
    slow.held = 0
    await _play(host, hosted, "kubectl create deployment db --image=nginx --replicas=1", 1)
    assert slow.types()[:2] == ["snapshot", "snapshot"]


async def test_after_a_short_lag_the_catch_up_patches_what_the_viewer_held(setup):
    from visualizer.engine.snapshot import apply_diff

    host, hosted, viewer = setup
    conn, slow, fast, held = await _slow_and_fast(host, hosted, viewer)
    await _play(host, hosted, "kubectl create deployment web --image=nginx:1.20 --replicas=20", 30)
    await _play(host, hosted, "kubectl expose deployment web --port=80", 4)
    await _play(host, hosted, "sim traffic web 2", 0)
    got = len(slow.frames)
    slow.held = 100 * KIB
    await _play(host, hosted, "sim traffic web 2", 0)
    await host.broadcast(hosted, hosted.live.control("speed", 2.0))  # a clock frame it skips too
    await _play(host, hosted, "sim traffic web 2", 0)
    slow.held = 0
    await _play(host, hosted, "sim traffic web 2", 0)
    assert [f["type"] for f in fast.frames[got:]] == ["diff", "clock", "diff", "diff"]
    # One diff in place of the four frames, smaller than them together: the Service it held (20 endpoints)
    # travels as a patch, once, not whole; the clock it skipped comes with it.
    (catch_up,) = slow.frames[got:]
    assert catch_up["from"] == fast.frames[got]["from"] and catch_up["to"] == fast.frames[-1]["to"]
    assert catch_up["clock"]["speed"] == 2.0
    assert "patch" in catch_up["diff"]["sections"]["services"]
    assert len(json.dumps(catch_up)) < sum(len(json.dumps(f)) for f in fast.frames[got:])
    state = held
    for frame in slow.frames[1:]:
        if frame["type"] == "diff":
            state = apply_diff(state, frame["diff"], frame["to"])
    server = json.loads(hosted.live.state_text())
    assert state.pop("now") <= server.pop("now")
    assert state == server
    assert conn.version == hosted.live.engine.version and not conn.buffer.behind


async def test_kept_frames_are_bounded_and_forgotten_at_a_reset(setup):
    from visualizer import host as host_module

    host, hosted, viewer = setup
    viewer()
    for n in range(host_module.RECENT_FRAMES + 10):
        await host.fan_out(hosted, [diff(n, n + 1)])
    assert len(hosted.recent) == host_module.RECENT_FRAMES
    assert hosted.recent[0][1] == 10 and hosted.recent_bytes == sum(e[3].size for e in hosted.recent)
    big = protocol.build(
        "diff", cluster="c1", **{"from": 900}, to=901, clock={}, diff={"x": "y" * 200_000}, ts=0.0
    )
    await host.fan_out(hosted, [big, diff(901, 902)])
    assert hosted.recent_bytes <= host_module.RECENT_BYTES and hosted.recent[-1][2] == 902
    await host.fan_out(hosted, [SNAPSHOT])
    assert not hosted.recent and hosted.recent_bytes == 0


async def test_a_process_that_does_not_own_the_cluster_replays_the_frames_it_relayed(setup):
    host, hosted, viewer = setup
    conn, slow = viewer()
    hosted.live = None  # another process owns it: the frames below came through the relay
    conn.version = 10  # as after a snapshot at version 10
    await host.fan_out(hosted, [diff(10, 11)])
    slow.held = 100 * KIB
    await host.fan_out(
        hosted, [diff(11, 12), protocol.build("clock", cluster="c1", clock={"speed": 2}), diff(12, 13)]
    )
    slow.held = 0
    await host.fan_out(hosted, [diff(13, 14)])
    assert [(f["type"], f.get("from")) for f in slow.frames] == [
        ("diff", 10),
        ("diff", 11),
        ("clock", None),
        ("diff", 12),
        ("diff", 13),
    ]
    assert conn.version == 14 and not conn.buffer.behind
    # Its version no longer among the kept frames: nothing to replay, a snapshot is owed (here: `busy`).
    conn.version = 3
    slow.held = 100 * KIB
    await host.fan_out(hosted, [diff(14, 15)])
    slow.held = 0
    await host.fan_out(hosted, [diff(15, 16)])
    assert len(slow.frames) == 5 and conn.buffer.behind
