"""Diff frames on the wire (live_cluster + engine/wire.py): exact, and small, for the bench's workload.

The classroom demo of bench/visualizer.py without a server — 5 workers, 30 nginx pods behind a Service, the demo
at 8×, a rolling update every 4 s, requests through the Service ten times a second, the host ticking every
0.1 s. Every frame applied to what a viewer holds gives the engine's snapshot, and the mean diff frame is
measured in bytes (issue 12 §1; deterministic output at a fixed seed, not a timing).
"""

from __future__ import annotations

import json

from visualizer.engine import Cluster, apply_diff
from visualizer.live_cluster import LiveCluster


def canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _rollout_cluster(workers: int = 5, replicas: int = 30) -> Cluster:
    c = Cluster(workers=workers, seed=1, cpu="8", memory="16Gi")
    assert c.run(f"kubectl create deployment web --image=nginx:1.20 --replicas={replicas}").ok
    assert c.run("kubectl expose deployment web --port=80").ok
    c.advance(120)
    return c


def _held_apply(held: dict, frame: dict) -> dict:
    return apply_diff(held, frame["diff"], frame["to"])


def classroom_frames(updates: int = 3, seconds: float = 12.0) -> tuple[dict, list[dict], list[int], object]:
    """The bench's workload (bench/visualizer.py) without a server: the demo at 8×, a rolling update every 4 s
    and requests through the Service ten times a second; the host ticks every 0.1 s. Returns the snapshot the
    viewers got first, the diff frames, their sizes in bytes, and the live cluster."""
    live = LiveCluster("demo-cluster-0123456789", _rollout_cluster(), speed=8)
    start = json.loads(live.snapshot_frame("view"))["state"]
    frames, sizes, n = [], [], 0
    for i in range(int(seconds / 0.1)):
        if i % 40 == 0 and n < updates:
            text = f"kubectl set image deployment/web nginx={['nginx:1.21', 'nginx:1.20'][n % 2]}"
            n += 1
        else:
            text = "sim traffic web 2"
        for out in (live.command(i, text, None), live.tick(0.1)):
            for f in out.broadcast:
                if f.startswith('{"v":1,"type":"diff"'):
                    frames.append(json.loads(f))
                    sizes.append(len(f.encode()))
    return start, frames, sizes, live


def test_wire_diffs_of_a_rolling_update_rebuild_the_engine_s_snapshot_exactly():
    start, frames, _sizes, live = classroom_frames(updates=1, seconds=6.0)
    held = start
    for frame in frames:
        assert frame["from"] == held["version"]
        held = _held_apply(held, frame)
    expected = live.engine.snapshot()
    assert held["version"] == expected["version"]
    expected["now"] = held["now"]  # the clock moved on after the last change; `now` travels in every diff
    assert canonical(held) == canonical(expected)
    assert any("patch" in s for f in frames for s in f["diff"].get("sections", {}).values())
    assert any("copy" in s for f in frames for s in f["diff"].get("sections", {}).values())


def test_the_mean_diff_frame_of_the_classroom_rolling_update_is_at_most_one_kib():
    """Issue 12 §1: 30 pods, 10 frames/s, rolling updates with traffic — mean ≤ 1,024 bytes per diff frame."""
    _start, frames, sizes, _live = classroom_frames()
    assert len(frames) > 100
    # Before the wire form the same frames averaged ~8,100 bytes (the engine's whole items and event texts).
    assert sum(sizes) / len(sizes) <= 1024, sum(sizes) / len(sizes)


def test_at_a_thousand_pods_a_rolling_update_s_diff_frames_average_under_a_tenth_of_a_snapshot():
    """Issue 12 §1: bench/engine.py's large cluster (20 workers, ten Deployments of 100 pods) rolling all ten."""
    from bench.engine import build_cluster, layout

    plan = layout(1000)
    cluster, _ = build_cluster(20, plan, 1, 0.1)
    live = LiveCluster("large-cluster-012345678", cluster, speed=8)
    snapshot = len(live.snapshot_frame("view").encode())
    held = json.loads(live.snapshot_frame("view"))["state"]
    sizes = []
    for name, _ in plan:
        out = live.command(name, f"kubectl set image deployment/{name} nginx=nginx:1.21", None)
        sizes += [len(f.encode()) for f in out.broadcast if f.startswith('{"v":1,"type":"diff"')]
        held = _apply_all(held, out.broadcast)
    for _ in range(30):
        out = live.tick(0.1)
        sizes += [len(f.encode()) for f in out.broadcast if f.startswith('{"v":1,"type":"diff"')]
        held = _apply_all(held, out.broadcast)
    assert len(sizes) > 10
    assert sum(sizes) / len(sizes) <= snapshot / 10, (sizes, snapshot)
    assert held["version"] == live.engine.version
    assert len(held["pods"]) == len(live.engine.snapshot()["pods"])


def _apply_all(held: dict, texts: list[str]) -> dict:
    for text in texts:
        frame = json.loads(text)
        if frame["type"] == "diff":
            held = apply_diff(held, frame["diff"], frame["to"])
    return held


def test_a_diff_repeats_the_clock_only_when_more_than_its_now_changed():
    live = LiveCluster("clock-cluster-0123456789", _rollout_cluster(workers=2, replicas=2), speed=1)
    json.loads(live.snapshot_frame("view"))
    first = [json.loads(f) for f in live.command(1, "sim traffic web 1", None).broadcast]
    assert first[0]["type"] == "diff" and first[0]["clock"]["speed"] == 1  # nothing sent yet: the clock goes
    second = [json.loads(f) for f in live.command(2, "sim traffic web 1", None).broadcast]
    assert "clock" not in second[0] and second[0]["diff"]["now"] == live.engine.now
    clock = [json.loads(f) for f in live.control("speed", 4.0).broadcast]
    assert clock[-1]["type"] == "clock" and clock[-1]["clock"]["speed"] == 4.0
    third = [json.loads(f) for f in live.command(3, "sim traffic web 1", None).broadcast]
    assert "clock" not in third[0], "the speed change already reached every viewer in the clock frame"
    live.observe(5.0)  # a held change: hold > 0 must travel with the diff
    held = [json.loads(f) for f in live.command(4, "sim traffic web 1", None).broadcast]
    assert held[0]["clock"]["hold"] > 0 and held[0]["clock"]["observing"] is True
