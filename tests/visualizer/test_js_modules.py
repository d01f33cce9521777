"""The pure browser modules (static/js/visualizer) run under Node against real engine output.

`state.js` must apply the engine's diffs exactly as `apply_diff` does (snapshot(t) + diffs == snapshot(t+n)),
drop a diff with a gap and ask for a resync; `layout.js` must keep every pod card inside its node and apart
from the others for a classroom cluster; the YAML tokenizer, the flow-step picker and the back-off are checked
as plain functions. Skipped, with the reason, when `node` is not installed.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests import node
from visualizer.engine import Cluster, apply_diff

ROOT = Path(__file__).resolve().parents[2]
JS = ROOT / "static" / "js" / "visualizer"
pytestmark = node.needs_node


def run_node(script: str, data: object) -> object:
    """Run an ES module script (in JS) with `DATA` bound to `data`; return what it prints as JSON."""
    return node.run_node(script, data, cwd=JS)


def _plain(value: object) -> object:
    # JSON from JavaScript writes 6.0 as 6: compare numbers, not their spelling.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def canonical(value: object) -> str:
    return json.dumps(_plain(value), sort_keys=True, ensure_ascii=False)


def recorded_history() -> tuple[dict, list[dict], dict]:
    """A snapshot, the diffs of a rolling update with traffic and a crash, and the final snapshot."""
    c = Cluster(workers=3, seed=3)
    start = c.snapshot()
    version = c.version
    diffs = []
    steps = [
        ("kubectl create deployment web --image=nginx:1.20 --replicas=3", 3),
        ("kubectl expose deployment web --port=80", 2),
        ("sim traffic web 12", 1),
        ("kubectl set image deployment/web nginx=nginx:1.21", 2),
        ("docker run -d --name legacy nginx:1.20", 4),
        ("kubectl create secret generic db --from-literal=pw=x", 20),
    ]
    for command, seconds in steps:
        assert c.run(command).ok, command
        for _ in range(int(seconds)):
            c.advance(1.0)
            diff = c.diff_since(version)
            diffs.append(diff)
            version = c.version
    return start, diffs, c.snapshot()


def test_state_applies_engine_diffs_exactly_like_apply_diff():
    """Replaying the engine's diffs through state.js gives the engine's own later snapshot."""
    start, diffs, final = recorded_history()
    python = start
    for diff in diffs:
        python = apply_diff(python, diff)
    assert canonical(python) == canonical(final)
    frames = [
        {
            "type": "diff",
            "from": d["from"],
            "to": d["to"],
            "clock": {"now": d["now"], "speed": 1, "paused": False},
            "diff": d,
        }
        for d in diffs
    ]
    out = run_node(
        """
        import { createClusterState } from "./state.js";
        const s = createClusterState();
        s.receive({type: "snapshot", version: DATA.start.version, role: "control", clock: {now: 0, speed: 1, paused: false},
                   state: DATA.start});
        const kinds = DATA.frames.map((f) => s.receive(f).kind);
        console.log(JSON.stringify({state: s.state, version: s.version, kinds}));
        """,
        {"start": start, "frames": frames},
    )
    assert set(out["kinds"]) == {"diff"}
    assert out["version"] == final["version"]
    assert canonical(out["state"]) == canonical(final)


def test_state_asks_for_a_resync_after_a_gap_and_ignores_diffs_until_the_snapshot():
    """A diff whose `from` is not the held version is dropped with resync=true; later diffs wait for a snapshot."""
    start, diffs, _ = recorded_history()
    frames = [{"type": "diff", "from": d["from"], "to": d["to"], "clock": None, "diff": d} for d in diffs[:3]]
    out = run_node(
        """
        import { createClusterState } from "./state.js";
        const s = createClusterState();
        const early = s.receive(DATA.frames[0]);
        s.receive({type: "snapshot", version: DATA.start.version, role: "view", clock: {now: 0, speed: 2, paused: false},
                   state: DATA.start});
        const gap = s.receive(DATA.frames[1]);
        const after = s.receive(DATA.frames[2]);
        console.log(JSON.stringify({early: early.kind, gap, after: after.kind, version: s.version, role: s.role}));
        """,
        {"start": start, "frames": frames},
    )
    assert out["early"] == "ignored"
    assert out["gap"]["resync"] is True and out["gap"]["kind"] == "ignored"
    assert out["after"] == "ignored"
    assert out["version"] == start["version"] and out["role"] == "view"


def test_layout_keeps_thirty_pods_on_five_workers_inside_their_nodes_and_apart():
    """Every card lies inside its node's box and no two cards overlap, at projector and phone widths."""
    c = Cluster(workers=5, seed=1)
    c.run("kubectl create deployment web --image=nginx:1.20 --replicas=24")
    c.run("kubectl create deployment api --image=httpd:2.4 --replicas=6")
    c.run("docker run -d --name legacy nginx:1.20")
    c.advance(20)
    out = run_node(
        """
        import { buildModel } from "./model.js";
        import { computeLayout } from "./layout.js";
        const model = buildModel(DATA);
        console.log(JSON.stringify([1040, 370].map((width) => ({width, model: {pods: model.pods.length},
          layout: computeLayout(model, {width})}))));
        """,
        c.snapshot(),
    )
    for case in out:
        layout = case["layout"]
        assert case["model"]["pods"] == 31
        nodes = {n["name"]: n for n in layout["nodes"]}
        cards = list(layout["pods"].values())
        assert len(cards) == 31
        for card in cards:
            node = nodes[card["node"]]
            assert node["x"] <= card["x"] and card["x"] + card["w"] <= node["x"] + node["w"]
            assert node["y"] <= card["y"] and card["y"] + card["h"] <= node["y"] + node["h"]
            assert card["x"] + card["w"] <= case["width"]
        for i, a in enumerate(cards):
            for b in cards[i + 1 :]:
                apart = (
                    a["x"] + a["w"] <= b["x"]
                    or b["x"] + b["w"] <= a["x"]
                    or a["y"] + a["h"] <= b["y"]
                    or b["y"] + b["h"] <= a["y"]
                )
                assert apart, (a, b)
        assert layout["height"] > 0 and card["w"] >= 150


def test_model_marks_docker_containers_and_versions_and_counts_requests():
    """Bare docker containers are flagged, versions come from the image tag, Service requests land on pods."""
    c = Cluster(workers=2, seed=5)
    c.run("kubectl create deployment web --image=nginx:1.21 --replicas=2")
    c.run("kubectl expose deployment web --port=80")
    c.run("docker run -d --name legacy redis:7.2")
    c.advance(20)
    c.run("sim traffic web 10")
    out = run_node(
        """
        import { buildModel, imageVersion, statusGroup } from "./model.js";
        const m = buildModel(DATA);
        console.log(JSON.stringify({pods: m.pods.map((p) => [p.docker, p.version, p.requests]),
          svc: m.services.map((s) => [s.name, s.total]),
          v: [imageVersion("nginx"), imageVersion("localhost:5000/app:2"), imageVersion("nginx:1.27")],
          g: ["Running", "ContainerCreating", "CrashLoopBackOff", "ImagePullBackOff", "Terminating", "Exited (1)"].map(statusGroup)}));
        """,
        c.snapshot(),
    )
    assert sorted(p[0] for p in out["pods"]) == [False, False, True]
    assert {p[1] for p in out["pods"]} == {"1.21", "7.2"}
    assert sum(p[2] for p in out["pods"]) == 10
    assert out["svc"] == [["web", 10]]
    assert out["v"] == ["latest", "2", "1.27"]
    assert out["g"] == ["ok", "progress", "bad", "bad", "leaving", "leaving"]


def test_yaml_tokenizer_flow_steps_and_backoff():
    """Keys, values and comments are told apart; flow steps collapse repeats; back-off grows, is capped, jitters."""
    out = run_node(
        """
        import { tokenizeLine } from "./yaml-editor.js";
        import { stepsFromEvents } from "./flow.js";
        import { backoffDelay } from "./socket.js";
        import { commonPrefix } from "./console.js";
        const lines = ["  replicas: 3  # three", "- name: web", "---", "    image: 'nginx:1.20'"].map(tokenizeLine);
        const steps = stepsFromEvents([{step: 1, component: "apiserver"}, {step: 2}, {step: 2}, {step: null},
          {step: 4, component: "kubelet/worker-2"}, {step: 4, component: "kubelet/worker-3"}]);
        const delays = [0, 1, 2, 3, 10, 20].map((a) => [backoffDelay(a, {random: () => 0}), backoffDelay(a, {random: () => 1})]);
        console.log(JSON.stringify({lines, steps, delays, prefix: commonPrefix(["kubectl get nodes", "kubectl get no"])}));
        """,
        None,
    )
    first = out["lines"][0]
    assert ["y-key", "replicas"] in first and ["y-num", "3"] in first and ["y-comment", "# three"] in first
    assert ["y-dash", "- "] in out["lines"][1] and ["y-key", "name"] in out["lines"][1]
    assert out["lines"][2] == [["y-doc", "---"]]
    assert ["y-quoted", "'nginx:1.20'"] in out["lines"][3]
    # Every line's tokens put together give the line back: the overlay lines up with the textarea.
    for source, tokens in zip(
        ["  replicas: 3  # three", "- name: web", "---", "    image: 'nginx:1.20'"], out["lines"], strict=True
    ):
        assert "".join(t for _, t in tokens) == source
    assert [(s["step"], s["node"]) for s in out["steps"]] == [
        (1, None),
        (2, None),
        (4, "worker-2"),
        (4, "worker-3"),
    ]
    low, high = zip(*out["delays"], strict=True)
    assert list(low) == sorted(low) and high[-1] == 15000 and low[-1] == 7500
    assert all(lo < hi for lo, hi in out["delays"])
    assert out["prefix"] == "kubectl get no"


def test_a_4008_close_shows_the_servers_reason_until_the_socket_reopens_then_reconnects():
    """docs/protocol.md: a viewer closed with 4008 (too slow) sees the server's Korean reason, not the generic
    "reconnecting", while the page reconnects as for any other close; another close code still says
    "reconnecting". A fake WebSocket and timer queue stand in for the browser."""
    from visualizer import viewer_buffer

    out = run_node(
        """
        const sockets = [];
        class FakeSocket {
          static OPEN = 1;
          constructor(url) { this.url = url; this.readyState = 0; this.listeners = {}; sockets.push(this); }
          addEventListener(type, fn) { (this.listeners[type] ||= []).push(fn); }
          emit(type, event = {}) { for (const fn of this.listeners[type] || []) fn(event); }
          send() {}
          close() {}
        }
        const timers = [];
        globalThis.WebSocket = FakeSocket;
        globalThis.location = { protocol: "http:", host: "example.test" };
        globalThis.setTimeout = (fn) => { timers.push(fn); return timers.length; };
        globalThis.clearTimeout = () => {};
        globalThis.setInterval = () => 0;
        globalThis.clearInterval = () => {};
        const { connect, STATUS_TEXT } = await import("./socket.js");
        const seen = [];
        connect("/ws/clusters/x/", { onFrame: () => {}, onStatus: (s) => seen.push(s) });
        sockets[0].readyState = 1; sockets[0].emit("open");
        sockets[0].emit("close", { code: 4008, reason: DATA.reason });
        const afterSlow = seen.slice();
        timers.shift()();  // the back-off elapses: a new socket, still showing why
        const whileReconnecting = seen.at(-1);
        sockets[1].readyState = 1; sockets[1].emit("open");
        sockets[1].emit("close", { code: 1006, reason: "" });
        console.log(JSON.stringify({ afterSlow, whileReconnecting, seen, sockets: sockets.length,
          slow: STATUS_TEXT.slow }));
        """,
        {"reason": viewer_buffer.CLOSE_REASON},
    )
    assert out["afterSlow"] == ["connecting", "open", "slow"]
    assert out["whileReconnecting"] == "slow" and out["sockets"] == 2  # reconnected as before
    assert out["seen"][-2:] == ["open", "reconnecting"]  # a plain drop is still "reconnecting"
    assert (
        out["slow"][0]
        == viewer_buffer.CLOSE_REASON
        == "연결이 느려 화면을 따라가지 못했습니다. 다시 연결합니다."
    )
    assert out["slow"][1] == "The connection was too slow to keep up. Reconnecting."


def test_version_colours_follow_the_clusters_image_order_not_the_pages():
    """Two pages that meet the images in different orders (a projector open since the start, a page opened
    after the rolling update) colour each image alike: by its index in the snapshot's `images`. An image the
    list lacks gets a colour from its name, the same on both pages."""
    out = run_node(
        """
        import { createVersionColours, VERSION_PALETTE } from "./model.js";
        const order = ["nginx:1.20", "nginx:1.21", "redis:7"];
        const projector = createVersionColours();
        projector.use(order);
        const early = ["nginx:1.20", "nginx:1.21", "redis:7", "busybox:1.36"].map(projector);
        const fresh = createVersionColours(order);
        const late = ["busybox:1.36", "redis:7", "nginx:1.21", "nginx:1.20"].map(fresh).reverse();
        console.log(JSON.stringify({ early, late, palette: VERSION_PALETTE }));
        """,
        None,
    )
    palette = out["palette"]
    assert out["early"][:3] == [palette[0], palette[1], palette[2]]
    assert out["late"] == out["early"]
    assert out["early"][3] in palette
