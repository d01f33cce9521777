"""The wire form of diffs (engine/patch.py, event_wire.py, wire.py): exact, and small.

`apply_diff(held, wire_diff) == snapshot` must hold exactly for every frame of a recorded rolling update, every
event and trace entry must come back byte for byte, and the sizes the issue aims at (issue 12 §1) are checked on
deterministic output: the mean diff frame of the classroom rolling update (the workload of bench/visualizer.py)
and the 1,000-pod ratio to a snapshot.
"""

from __future__ import annotations

import json

import pytest

from visualizer.engine import Cluster, apply_diff, event_wire
from visualizer.engine.narration import TEMPLATES, narrate
from visualizer.engine.patch import apply_patch, diff_values, same
from visualizer.engine.wire import WireEncoder


def canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


# ---------------------------------------------------------------------------------------------------- patches
@pytest.mark.parametrize(
    ("old", "new"),
    [
        ({"a": 1, "b": 2}, {"a": 1, "b": 3}),
        ({"a": 1, "b": 2}, {"a": 1}),
        ({"a": 1}, {"a": 1, "c": None}),
        ({"ip": None}, {"ip": "10.0.0.1"}),
        ({"ip": "10.0.0.1"}, {"ip": None}),
        ({"n": 1}, {"n": True}),
        ({"n": 1}, {"n": 1.0}),
        ({"l": [1, 2, 3, 4, 5]}, {"l": [1, 2, 9, 4, 5, 6]}),
        (
            {"l": [{"p": "a", "r": False}, {"p": "b", "r": False}]},
            {"l": [{"p": "a", "r": True}, {"p": "b", "r": False}]},
        ),
        ({"l": list(range(40))}, {"l": [-1, *range(10), *range(12, 40), 99]}),
        (
            {"v": '{"kind":"Pod","nodeName":"worker-2","phase":"Pending"}'},
            {"v": '{"kind":"Pod","nodeName":"worker-2","phase":"Running"}'},
        ),
        (
            {"v": "파드 web-1 이 아직 준비되지 않았습니다 (대기 중)"},
            {"v": "파드 web-1 이 준비되었습니다 (대기 끝)"},
        ),
        ({"m": {"x": {"y": 1}}}, {"m": {"x": {"y": 2, "z": [1]}}}),
        ([1, 2], {"a": 1}),
    ],
)
def test_a_patch_turns_the_old_value_into_the_new_one_exactly(old, new):
    ops = diff_values(old, new)
    assert ops, "a change must give a patch"
    out = apply_patch(old, ops)
    assert same(out, new), (ops, out)
    assert json.dumps(out) == json.dumps(new)


def test_the_same_value_gives_no_patch_and_applying_does_not_touch_the_input():
    old = {"a": [1, {"b": None}], "c": "x"}
    assert diff_values(old, json.loads(json.dumps(old))) == []
    frozen = canonical(old)
    apply_patch(old, [["c", "y"], [["a", 1, "b"], 5]])
    assert canonical(old) == frozen


def test_a_patch_made_for_another_value_raises_rather_than_guessing():
    with pytest.raises((KeyError, IndexError, TypeError)):
        apply_patch({"a": 1}, [[["b", "c"], 1]])
    with pytest.raises((KeyError, IndexError, TypeError)):
        apply_patch({"a": 1}, [["a", 0, 1, [2]]])


# ---------------------------------------------------------------------------------------------------- events
def _rollout_cluster(workers: int = 5, replicas: int = 30) -> Cluster:
    c = Cluster(workers=workers, seed=1, cpu="8", memory="16Gi")
    assert c.run(f"kubectl create deployment web --image=nginx:1.20 --replicas={replicas}").ok
    assert c.run("kubectl expose deployment web --port=80").ok
    c.advance(120)
    return c


def test_every_event_of_a_rolling_update_travels_as_a_template_and_comes_back_byte_for_byte():
    c = _rollout_cluster()
    first = c.event_seq
    assert c.run("kubectl set image deployment/web nginx=nginx:1.21").ok
    for _ in range(40):
        c.run("sim traffic web 2")
        c.advance(0.8)
    events = [e for e in c.events if e["seq"] > first]
    assert len(events) > 200
    wire = event_wire.encode_list(events, event_wire.EVENT_KEYS)
    assert canonical(event_wire.decode_list(wire, event_wire.EVENT_KEYS)) == canonical(events)
    whole = [item for item in wire if isinstance(item, dict)]
    assert whole == [], "every event of a rollout has a template and a shape"
    # Only the first event names its seq and time; the rest follow from the one before.
    assert sum(1 for item in wire if len(item) > 2) <= 40
    size = len(json.dumps(wire, ensure_ascii=False, separators=(",", ":")).encode())
    text = len(json.dumps(events, ensure_ascii=False, separators=(",", ":")).encode())
    assert size * 4 < text


def test_a_record_no_template_describes_travels_whole_and_still_decodes():
    record = {
        "step": 1,
        "component": "user",
        "reason": "Command",
        "object": "",
        "ko": "사용자가 `x` 를 실행했습니다",
        "en": "The user ran `x`",
    }
    wire = event_wire.encode_list([record], event_wire.TRACE_KEYS)
    assert wire == [record]
    assert event_wire.decode_list(wire, event_wire.TRACE_KEYS) == [record]


def test_a_shape_that_does_not_fit_sends_the_differing_fields_not_wrong_text():
    step, ko, en = narrate("killing", node="worker-1", pod="web-1", container="nginx")
    record = {
        "seq": 7,
        "time": 1.5,
        "type": "Normal",
        "reason": "Killing",
        "object": "pod/web-1",
        "namespace": "prod",
        "component": "kubelet/worker-1",
        "message": "Container nginx definition changed, will be restarted",
        "ko": ko,
        "en": en,
        "step": step,
        "synthetic": False,
    }
    item = event_wire.encode(record, event_wire.EVENT_KEYS, {"seq": 6, "time": 1.5})
    assert item[0] == "killing"
    assert item[2] == {
        "namespace": "prod",
        "message": "Container nginx definition changed, will be restarted",
    }
    assert event_wire.decode(item, event_wire.EVENT_KEYS, {"seq": 6, "time": 1.5}) == record


def test_every_template_decodes_to_narrate_s_texts():
    for key in TEMPLATES:
        spec = event_wire.TABLE[key]
        fields = {name: f"<{name}>" for name in spec["fields"]}
        given = {
            k: "x" for k in event_wire.EVENT_KEYS if k not in spec["texts"] and k not in ("ko", "en", "step")
        }
        rec = event_wire.decode([key, [fields[f] for f in spec["fields"]], given], event_wire.EVENT_KEYS, {})
        assert (rec["step"], rec["ko"], rec["en"]) == narrate(key, **fields), key


# ---------------------------------------------------------------------------------------------------- diffs
def test_an_unchanged_item_is_not_sent_and_a_changed_one_is_a_patch():
    c = _rollout_cluster(workers=2, replicas=2)
    enc = WireEncoder()
    snap = c.snapshot()
    enc.hold(snap)
    v = c.version
    c.run("sim traffic web 1")
    wire = enc.encode(c.diff_since(v))
    assert set(wire.get("sections", {})) == {"services"}
    assert set(wire["sections"]["services"]) == {"patch"}
    assert "from" not in wire and "to" not in wire
    assert canonical(apply_diff(snap, wire, c.version)) == canonical(c.snapshot())


def test_after_forget_items_travel_whole_again():
    c = _rollout_cluster(workers=2, replicas=2)
    enc = WireEncoder()
    enc.hold(c.snapshot())
    enc.forget()
    v = c.version
    c.run("sim traffic web 1")
    wire = enc.encode(c.diff_since(v))
    assert set(wire["sections"]["services"]) == {"set"}


def test_items_with_the_same_patch_name_the_first_and_new_siblings_are_copies():
    c = _rollout_cluster(workers=3, replicas=6)
    enc = WireEncoder()
    snap = c.snapshot()
    enc.hold(snap)
    v = c.version
    assert c.run("kubectl scale deployment web --replicas=12").ok
    c.advance(0.5)
    wire = enc.encode(c.diff_since(v))
    pods = wire["sections"]["pods"]
    assert len(pods.get("copy", [])) >= 4
    assert any(base is None for _id, base, _ops in pods["copy"]), "a run of copies chains on the one before"
    assert canonical(apply_diff(snap, wire, c.version)) == canonical(c.snapshot())
    held, v = c.snapshot(), c.version
    c.advance(10)
    wire = enc.encode(c.diff_since(v))
    pods = wire["sections"]["pods"]
    assert any(len(others) >= 2 and first in pods["patch"] for first, others in pods.get("same", {}).items())
    assert canonical(apply_diff(held, wire, c.version)) == canonical(c.snapshot())


def test_the_encoder_tells_what_the_viewers_held_at_a_recent_version_within_its_bound(monkeypatch):
    """`items_at` undoes the diffs encoded since: what every viewer held then (a slow viewer's catch-up patches
    it), None once the kept history no longer reaches back or the encoder forgot."""
    from visualizer.engine import wire

    c = Cluster(workers=3, seed=2)
    assert c.run("kubectl create deployment web --image=nginx:1.20 --replicas=4").ok
    c.advance(30)
    encoder = WireEncoder()
    snapshots = {c.version: c.snapshot()}
    encoder.hold(snapshots[c.version])
    version = c.version
    steps = ["kubectl set image deployment/web nginx=nginx:1.21", "kubectl scale deployment web --replicas=6"]
    for text in steps + ["kubectl delete deployment web"]:
        assert c.run(text).ok
        c.advance(5)
        encoder.encode(c.diff_since(version))
        version = c.version
        snapshots[version] = c.snapshot()
    for at, snap in snapshots.items():
        wanted = {section: list(snap[section]) + ["default/nothing"] for section in ("pods", "deployments")}
        held = encoder.items_at(at, wanted)
        assert held == {section: snap[section] for section in ("pods", "deployments")}, at
    first = min(snapshots)
    assert encoder.items_at(first - 1, {"pods": []}) is None  # before the history starts
    monkeypatch.setattr(wire, "MAX_UNDO", 1)
    c.advance(5)
    assert c.run("kubectl create deployment db --image=nginx --replicas=2").ok
    c.advance(5)
    encoder.encode(c.diff_since(version))
    assert len(encoder.undo) <= 1 and encoder.items_at(first, {"pods": []}) is None
    encoder.forget()
    assert encoder.items_at(c.version, {"pods": []}) is None
