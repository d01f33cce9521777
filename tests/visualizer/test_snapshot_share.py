"""A follower process's viewers share one snapshot request to the owner (visualizer.snapshot_share + host).

The relay is a fake that holds the request until the test lets it go, so frames relayed meanwhile can be
placed exactly; the two-host test over a real Redis layer is in test_two_processes.py.
"""

import asyncio
import json

from visualizer import protocol
from visualizer.host import ClusterHost, Connection, Hosted
from visualizer.live_cluster import SNAPSHOT, LiveCluster, fresh_engine
from visualizer.snapshot_share import SnapshotShares
from visualizer.viewer_buffer import ViewerBuffer


class FakeOutlet:
    direct = True

    def __init__(self) -> None:
        self.frames: list[dict] = []

    def pending(self) -> int:
        return 0

    def write(self, frame) -> None:
        self.frames.append(json.loads(frame.text))

    async def send(self, frame) -> None:
        self.write(frame)

    async def close(self, code: int, reason: str) -> None:
        raise AssertionError("no viewer is closed here")

    def seen(self) -> list[tuple]:
        return [
            ("snapshot", f["version"]) if f["type"] == "snapshot" else (f["type"], f.get("from"), f.get("to"))
            for f in self.frames
        ]


class HeldRelay:
    """Answers `resync` with `snapshot` once `release` is set; counts the requests."""

    def __init__(self, snapshot: str) -> None:
        self.snapshot = snapshot
        self.release = asyncio.Event()
        self.calls: list[tuple[str, str]] = []

    async def call(self, public_id: str, kind: str, fields: dict, role: str) -> list[str]:
        self.calls.append((kind, role))
        await self.release.wait()
        return [self.snapshot]


def diff(start: int, to: int) -> str:
    return protocol.build("diff", cluster="c1", **{"from": start}, to=to, clock={}, diff={}, ts=0.0)


def follower() -> tuple[ClusterHost, Hosted, HeldRelay, int]:
    live = LiveCluster("c1", fresh_engine())
    version = live.engine.version
    host = ClusterHost()
    relay = HeldRelay(live.snapshot_frame("view"))
    host.relay = relay
    hosted = host.clusters["c1"] = Hosted("c1")  # no `live`: another process owns it
    return host, hosted, relay, version


def new_viewer(host: ClusterHost, hosted: Hosted) -> tuple[Connection, FakeOutlet]:
    outlet = FakeOutlet()

    async def unused(text):
        raise AssertionError("the outlet carries every frame")

    conn = Connection(next(host._ids), "c1", "view", unused, outlet=outlet, buffer=ViewerBuffer(host.limits))
    hosted.viewers[conn.id] = conn
    return conn, outlet


async def relay_frames(host: ClusterHost, hosted: Hosted, texts: list[str]) -> None:
    """What visualizer.relay does with a `vz.frames` message on a follower."""
    hosted.shares.relayed(texts, SNAPSHOT)
    await host.fan_out(hosted, texts)


async def test_viewers_attaching_together_cause_one_request_and_each_gets_what_came_meanwhile():
    host, hosted, relay, v = follower()
    first, out1 = new_viewer(host, hosted)
    task1 = asyncio.create_task(host._send_first_snapshot(hosted, first))
    await asyncio.sleep(0)
    # Frames relayed while the request is out: one the snapshot already holds, one after it.
    await relay_frames(host, hosted, [diff(v - 1, v)])
    await relay_frames(host, hosted, [diff(v, v + 1)])
    later = [new_viewer(host, hosted) for _ in range(20)]
    tasks = [asyncio.create_task(host._send_first_snapshot(hosted, conn)) for conn, _ in later]
    await asyncio.sleep(0)
    relay.release.set()
    await asyncio.gather(task1, *tasks)

    assert relay.calls == [("resync", "view")]
    expected = [("snapshot", v), ("diff", v, v + 1)]
    assert out1.seen() == expected
    assert [out.seen() for _, out in later] == [expected] * 20
    assert all(conn.ready for conn, _ in [(first, out1), *later])


async def test_a_viewer_after_the_reply_is_served_from_it_plus_the_frames_since_without_asking():
    host, hosted, relay, v = follower()
    relay.release.set()
    conn, _ = new_viewer(host, hosted)
    await host._send_first_snapshot(hosted, conn)
    await relay_frames(host, hosted, [diff(v, v + 1)])
    await relay_frames(host, hosted, [diff(v + 1, v + 2)])
    late, out = new_viewer(host, hosted)
    await host._send_first_snapshot(hosted, late)
    assert relay.calls == [("resync", "view")]
    assert out.seen() == [("snapshot", v), ("diff", v, v + 1), ("diff", v + 1, v + 2)]


async def test_a_long_tail_or_a_reset_makes_the_next_viewer_ask_again():
    host, hosted, relay, v = follower()
    relay.release.set()
    hosted.shares = SnapshotShares(max_frames=2)
    conn, _ = new_viewer(host, hosted)
    await host._send_first_snapshot(hosted, conn)
    for n in range(3):
        await relay_frames(host, hosted, [diff(v + n, v + n + 1)])
    await host._send_first_snapshot(hosted, new_viewer(host, hosted)[0])
    assert len(relay.calls) == 2
    hosted.shares.relayed([SNAPSHOT], SNAPSHOT)
    await host._send_first_snapshot(hosted, new_viewer(host, hosted)[0])
    assert len(relay.calls) == 3


async def test_a_reply_that_predates_a_reset_is_asked_for_again_by_its_waiters():
    host, hosted, relay, v = follower()
    conn, out = new_viewer(host, hosted)
    task = asyncio.create_task(host._send_first_snapshot(hosted, conn))
    await asyncio.sleep(0)
    hosted.shares.relayed([SNAPSHOT], SNAPSHOT)
    relay.release.set()
    await task
    assert len(relay.calls) == 2
    assert [f["type"] for f in out.frames] == ["snapshot", "snapshot"]


async def test_a_busy_reply_is_not_kept():
    host, hosted, relay, v = follower()
    relay.snapshot = protocol.error("busy", "잠시 후 다시 시도하세요.")
    relay.release.set()
    conn, out = new_viewer(host, hosted)
    await host._send_first_snapshot(hosted, conn)
    assert [f["code"] for f in out.frames] == ["busy"]
    await host._send_first_snapshot(hosted, new_viewer(host, hosted)[0])
    assert len(relay.calls) == 2


async def test_a_resync_on_the_follower_joins_the_shared_request_and_replays_what_came_meanwhile():
    host, hosted, relay, v = follower()
    relay.release.set()
    conn, out = new_viewer(host, hosted)
    await host._send_first_snapshot(hosted, conn)
    await relay_frames(host, hosted, [diff(v, v + 1)])
    out.frames.clear()
    conn.buffer.sent_snapshot(0)  # nothing on its way: the resync is not coalesced
    assert await host.handle(conn, "resync", {}) == []
    assert relay.calls == [("resync", "view")]
    assert out.seen() == [("snapshot", v), ("diff", v, v + 1)]
    assert conn.ready


def test_shares_are_bounded_by_bytes_and_forgotten_only_when_current():
    loop = asyncio.new_event_loop()
    try:
        shares = SnapshotShares(max_frames=100, max_bytes=10)
        old = shares.start("view", loop.create_future())
        new = shares.start("view", loop.create_future())
        shares.forget(old)
        assert shares.joinable("view") is new
        shares.relayed(["x" * 6], SNAPSHOT)
        assert shares.joinable("view") is new and new.tail == ["x" * 6]
        shares.relayed(["y" * 6], SNAPSHOT)
        assert shares.joinable("view") is None and not new.reset
    finally:
        loop.close()
