"""The browser's side of the wire form (patch.js, events.js, narration-table.js, state.js) under Node.

The narration table the browser renders from is generated from the engine's (a stale copy fails here); for every
template the browser's text equals `narrate`'s; patches apply as `apply_patch` does; and a recorded rolling update's
wire frames, replayed through state.js, give the engine's own snapshot. Skipped, with the reason, without `node`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests import node
from tests.visualizer.test_js_modules import canonical
from visualizer.engine import Cluster, apply_diff
from visualizer.engine.event_wire import TABLE, js_module
from visualizer.engine.narration import TEMPLATES, narrate
from visualizer.engine.patch import diff_values
from visualizer.live_cluster import LiveCluster

ROOT = Path(__file__).resolve().parents[2]
JS = ROOT / "static" / "js" / "visualizer"


def test_the_browser_s_narration_table_is_generated_from_the_engine_s():
    """`python scripts/narration_table.py` rewrites it after a change to narration.py or event_wire.SHAPES."""
    assert (JS / "narration-table.js").read_text(encoding="utf-8") == js_module()


@node.needs_node
def test_every_template_renders_in_the_browser_exactly_as_narrate_does():
    cases = []
    for key in TEMPLATES:
        fields = {name: f"{name}-값 {i}" for i, name in enumerate(TABLE[key]["fields"])}
        fields |= {name: i * 7 for i, name in enumerate(TABLE[key]["fields"]) if i % 2}  # numbers render too
        cases.append({"key": key, "fields": fields, "want": list(narrate(key, **fields))})
    out = node.run_node(
        """
        import { narrate } from "./events.js";
        console.log(JSON.stringify(DATA.map((c) => narrate(c.key, c.fields))));
        """,
        cases,
        cwd=JS,
    )
    assert out == [c["want"] for c in cases]


@node.needs_node
def test_patches_apply_in_the_browser_as_in_python():
    pairs = [
        ({"a": 1, "b": 2, "ip": None}, {"a": 1, "ip": "10.0.0.1", "c": None}),
        ({"l": list(range(30))}, {"l": [-1, *range(10), *range(12, 30), 99]}),
        (
            {"e": [{"p": "a", "r": False}, {"p": "b", "r": False}]},
            {"e": [{"p": "a", "r": True}, {"p": "b", "r": False}]},
        ),
        (
            {"v": '{"kind":"Pod","nodeName":"worker-2","phase":"Pending"}'},
            {"v": '{"kind":"Pod","phase":"Running"}'},
        ),
        ({"m": {"x": {"y": 1}}}, {"m": {"x": {"y": 2, "z": [1]}}}),
    ]
    cases = [{"old": old, "ops": diff_values(old, new)} for old, new in pairs]
    out = node.run_node(
        """
        import { applyPatch } from "./patch.js";
        console.log(JSON.stringify(DATA.map((c) => applyPatch(c.old, c.ops))));
        """,
        cases,
        cwd=JS,
    )
    assert [canonical(x) for x in out] == [canonical(new) for _, new in pairs]


def rolling_update_demo(name: str, seed: int) -> tuple[LiveCluster, dict]:
    """A small demo (3 workers, 6 pods behind a Service, settled) as a live cluster at 8×, and the state of the
    first snapshot a viewer is sent."""
    c = Cluster(workers=3, seed=seed)
    assert c.run("kubectl create deployment web --image=nginx:1.20 --replicas=6").ok
    assert c.run("kubectl expose deployment web --port=80").ok
    c.advance(60)
    live = LiveCluster(name, c, speed=8)
    return live, json.loads(live.snapshot_frame("view"))["state"]


def play_rolling_update(live: LiveCluster, before_step: Callable[[int], None] = lambda i: None) -> list[dict]:
    """Run a rolling update with traffic (40 steps of a command and a 0.1 s tick; `before_step(i)` first) and
    return the diff frames the live cluster broadcasts, in order."""
    frames = []
    for i in range(40):
        before_step(i)
        text = "kubectl set image deployment/web nginx=nginx:1.21" if i == 0 else "sim traffic web 2"
        for out in (live.command(i, text, None), live.tick(0.1)):
            frames += [json.loads(f) for f in out.broadcast if f.startswith('{"v":1,"type":"diff"')]
    return frames


def recorded_wire() -> tuple[dict, list[dict], dict]:
    """The demo through a rolling update, as a live cluster broadcasts it: the first snapshot, the diff frames,
    and the snapshot after the last one."""
    live, start = rolling_update_demo("wire-test", seed=4)
    frames = play_rolling_update(live)
    final = live.engine.snapshot()
    final["now"] = frames[-1]["diff"]["now"]
    return start, frames, final


@node.needs_node
def test_state_js_applies_a_rolling_update_s_wire_frames_exactly_like_the_engine():
    start, frames, final = recorded_wire()
    python = start
    for f in frames:
        python = apply_diff(python, f["diff"], f["to"])
    assert canonical(python) == canonical(final)
    sections = [s for f in frames for s in f["diff"].get("sections", {}).values()]
    assert all(any(kind in s for s in sections) for kind in ("set", "patch", "same", "copy", "remove"))
    assert any(isinstance(e, list) for f in frames for e in f["diff"].get("events", []))
    out = node.run_node(
        """
        import { createClusterState } from "./state.js";
        const s = createClusterState();
        s.receive({type: "snapshot", version: DATA.start.version, role: "view", clock: {now: 0, speed: 8, paused: false},
                   state: DATA.start});
        const kinds = DATA.frames.map((f) => s.receive(f).kind);
        console.log(JSON.stringify({state: s.state, version: s.version, kinds, clock: s.clock}));
        """,
        {"start": start, "frames": frames},
        cwd=JS,
    )
    assert set(out["kinds"]) == {"diff"}
    assert out["version"] == final["version"]
    assert canonical(out["state"]) == canonical(final)
    assert out["clock"]["now"] == final["now"] and out["clock"]["speed"] == 8


@node.needs_node
def test_a_patch_that_does_not_fit_asks_for_a_snapshot_instead_of_drawing_a_wrong_state():
    start, frames, _ = recorded_wire()
    patched = next(f for f in frames if any("patch" in s for s in f["diff"].get("sections", {}).values()))
    section = next(k for k, s in patched["diff"]["sections"].items() if "patch" in s)
    ident = next(iter(patched["diff"]["sections"][section]["patch"]))
    held = json.loads(json.dumps(start))
    held["version"] = patched["from"]
    held[section].pop(ident, None)
    out = node.run_node(
        """
        import { createClusterState } from "./state.js";
        const s = createClusterState();
        s.receive({type: "snapshot", version: DATA.held.version, role: "view", clock: {now: 0, speed: 1, paused: false},
                   state: DATA.held});
        const r = s.receive(DATA.frame);
        console.log(JSON.stringify({kind: r.kind, resync: r.resync, version: s.version}));
        """,
        {"held": held, "frame": patched},
        cwd=JS,
    )
    assert out == {"kind": "ignored", "resync": True, "version": patched["from"]}


@node.needs_node
@pytest.mark.parametrize("history", [True, False])
def test_state_js_applies_a_slow_viewer_s_catch_up_diff_exactly_and_the_diffs_after_it(history):
    """A viewer that skipped most of a rolling update gets one coalesced diff from the version it holds
    (LiveCluster.catch_up_frame: patches of the items it held while the encoder's history reaches back, else
    whole items; copies of the pod before; events as templates), then the broadcast diffs again; the page ends
    with the engine's snapshot."""
    live, start = rolling_update_demo("catch-up-test", seed=5)
    caught: list[dict] = []

    def catch_up_at_30(i: int) -> None:
        if i == 30:
            if not history:
                live.wire.undo.clear()  # as when more than MAX_UNDO items were replaced since
            caught.append(json.loads(live.catch_up_frame(start["version"])))

    broadcast = play_rolling_update(live, catch_up_at_30)
    (catch_up,) = caught
    after = [f for f in broadcast if f["from"] >= catch_up["to"]]
    assert after and after[0]["from"] == catch_up["to"]
    sections = catch_up["diff"]["sections"].values()
    assert any("copy" in s for s in sections) and any("remove" in s for s in sections)
    # With the history, what it held travels as patches; without, nothing is patched (it may not hold it).
    assert any("patch" in s for s in sections) is history
    final = live.engine.snapshot()
    final["now"] = after[-1]["diff"]["now"]
    python = apply_diff(start, catch_up["diff"], catch_up["to"])
    for f in after:
        python = apply_diff(python, f["diff"], f["to"])
    assert canonical(python) == canonical(final)
    out = node.run_node(
        """
        import { createClusterState } from "./state.js";
        const s = createClusterState();
        s.receive({type: "snapshot", version: DATA.start.version, role: "view", clock: {now: 0, speed: 8, paused: false},
                   state: DATA.start});
        const kinds = [DATA.catchUp, ...DATA.after].map((f) => s.receive(f).kind);
        console.log(JSON.stringify({state: s.state, version: s.version, kinds}));
        """,
        {"start": start, "catchUp": catch_up, "after": after},
        cwd=JS,
    )
    assert set(out["kinds"]) == {"diff"}
    assert out["version"] == final["version"]
    assert canonical(out["state"]) == canonical(final)
