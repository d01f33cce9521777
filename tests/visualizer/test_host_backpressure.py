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
