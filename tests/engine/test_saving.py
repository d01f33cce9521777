"""Incremental saves (saving.py): a base plus deltas rebuilds to_dict() exactly, and a delta's size follows what
changed, not the cluster's size."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from visualizer.engine import Cluster
from visualizer.engine.saving import SaveTracker, apply_delta

from .conftest import SERVICE, ok, web
from .test_fuzz import VALID_COMMANDS, fresh


def with_deployments(count: int, replicas: int = 4) -> Cluster:
    c = Cluster(workers=4, seed=5)
    for i in range(count):
        ok(c, "kubectl apply -f -", web(replicas=replicas).replace("web", f"web{i}"))
        ok(c, "kubectl apply -f -", SERVICE.replace("web", f"web{i}"))
    c.advance(60)
    return c


def rebuilt(texts: list[str]) -> dict:
    """The state stored as a base and the deltas after it, loaded as records.load_state does."""
    state = json.loads(texts[0])
    for text in texts[1:]:
        apply_delta(state, json.loads(text))
    return state


def test_base_plus_deltas_is_to_dict_through_a_busy_hour():
    """Rollouts, crashes, deletions, Docker containers, a node failure and quiet ticks, saved as they happen."""
    c = with_deployments(2)
    text, base = c.saving.save_text(c)
    assert base
    texts = [text]
    deltas = 0
    steps = [
        "kubectl set image deployment/web0 nginx=nginx:1.21",
        "sim crash web1",
        "docker run -d --name box --restart always nginx:1.21",
        "kubectl create secret generic s --from-literal=a=b",
        "sim fail-node worker-2",
        "kubectl delete deployment web1",
        "sim recover-node worker-2",
        "kubectl scale deployment web0 --replicas=2",
        "docker rm -f box",
    ]
    for i, command in enumerate(steps):
        c.run(command)
        for _ in range(5):
            c.advance(0.7 * (i + 1))
            text, base = c.saving.save_text(c)
            texts = [text] if base else [*texts, text]  # a base replaces the deltas (compaction)
            deltas += not base
            assert rebuilt(texts) == c.to_dict()
    assert deltas > 30 and len(texts) > 1
    assert json.dumps(rebuilt(texts)) == json.dumps(c.to_dict())
    restored = Cluster.from_dict(rebuilt(texts))
    assert restored.advance(120) == c.advance(120)
    assert json.dumps(restored.to_dict()) == json.dumps(c.to_dict())


def delta_after_pod_delete(c: Cluster) -> int:
    c.saving.save_text(c)
    pod = c.store.pods_matching("default", {"app": "web0"})[0]["metadata"]["name"]
    ok(c, f"kubectl delete pod {pod}")
    text, base = c.saving.save_text(c)
    assert not base
    return len(text)


def test_a_delta_after_one_pod_change_does_not_grow_with_the_cluster():
    small, large = with_deployments(2), with_deployments(12)
    full_large = len(json.dumps(large.to_dict()))
    d_small, d_large = delta_after_pod_delete(small), delta_after_pod_delete(large)
    assert d_large < full_large / 10
    assert d_large <= d_small * 1.15  # only the event/trace text differs (names of the same length)


def test_a_quiet_save_writes_almost_nothing():
    c = with_deployments(3)
    c.saving.save_text(c)
    text, base = c.saving.save_text(c)
    delta = json.loads(text)
    assert not base
    assert delta["store"]["writes"] == [] and delta["runtime"]["sandboxes"] == {} and delta["parts"] == {}
    assert len(text) < 400


def test_reading_the_state_is_not_a_change():
    """to_dict (an export, the bench) and a snapshot read every sandbox; the next save still writes nothing."""
    c = with_deployments(3)
    c.saving.save_text(c)
    c.to_dict()
    c.snapshot()
    text, _ = c.saving.save_text(c)
    assert json.loads(text)["runtime"]["sandboxes"] == {}


def test_deltas_are_compacted_into_a_base_once_they_outweigh_it():
    c = with_deployments(1, replicas=2)
    tracker = c.saving
    _, base = tracker.save_text(c)
    assert base
    bases = 0
    for i in range(200):
        c.run(f"kubectl scale deployment web0 --replicas={2 + i % 3}")
        c.advance(5)
        _, base = tracker.save_text(c)
        bases += base
        assert tracker.delta_bytes <= tracker.base_bytes
    assert bases >= 1


def test_a_restored_or_failed_save_starts_again_from_a_base():
    c = with_deployments(1)
    assert c.saving.save_text(c)[1]
    assert not c.saving.save_text(c)[1]
    c.saving.invalidate()
    assert c.saving.save_text(c)[1]
    assert Cluster.from_dict(c.to_dict()).saving.save_text(c)[1]
    assert isinstance(SaveTracker().saved, bool)


def test_a_rolled_back_command_leaves_nothing_to_save():
    c = with_deployments(1)
    c.saving.save_text(c)
    assert not c.run("kubectl apply -f -", "kind: ConfigMap\napiVersion: v1\nmetadata: [").ok
    delta = json.loads(c.saving.save_text(c)[0])
    assert delta["store"]["writes"] == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.sampled_from(VALID_COMMANDS), st.sampled_from([0.0, 0.3, 2.0, 15.0]), st.booleans()),
        min_size=1,
        max_size=8,
    )
)
def test_any_script_of_commands_and_saves_rebuilds_exactly(script):
    """Every console command of the fuzz corpus, time passing and saves at random points: base + deltas is
    always `to_dict()`, text for text."""
    c = fresh()
    texts = [c.saving.save_text(c)[0]]
    for command, seconds, save in script:
        c.run(command)
        c.advance(seconds)
        if save:
            text, base = c.saving.save_text(c)
            texts = [text] if base else [*texts, text]
            assert json.dumps(rebuilt(texts)) == json.dumps(c.to_dict())
    text, base = c.saving.save_text(c)
    texts = [text] if base else [*texts, text]
    assert json.dumps(rebuilt(texts)) == json.dumps(c.to_dict())


def test_a_damaged_delta_is_refused_with_value_error():
    c = with_deployments(1)
    base = json.loads(c.saving.save_text(c)[0])
    for bad in ({}, {"delta": 1}, {"delta": 1, "parts": {}, "store": {"writes": [[1]]}}, {"delta": 99}):
        with pytest.raises(ValueError):
            apply_delta(json.loads(json.dumps(base)), bad)


def test_the_rng_travels_as_its_position_between_twists():
    """Python's Mersenne Twister rewrites its 624 words once per 624 outputs: in between a delta carries only
    the position (a few bytes), and after a twist the whole state; both rebuild to_dict() exactly."""
    c = with_deployments(1)
    texts = [c.saving.save_text(c)[0]]
    c.rng.random()
    text, base = c.saving.save_text(c)
    delta = json.loads(text)
    assert not base and "rng" not in delta["parts"]
    assert len(json.dumps(delta["rng_pos"])) < 20
    texts.append(text)
    for _ in range(700):  # at least one twist
        c.rng.random()
    text, base = c.saving.save_text(c)
    assert not base and len(json.loads(text)["parts"]["rng"][1]) == 625
    texts.append(text)
    assert json.dumps(rebuilt(texts)) == json.dumps(c.to_dict())


def test_dict_parts_travel_as_per_key_changes_in_their_order():
    """kube-proxy's counters gain a pod at a time: the delta names the changed keys only; a reordered dict
    travels whole (at its own level), and the rebuilt text (key order included) equals to_dict()'s."""
    c = with_deployments(1)
    texts = [c.saving.save_text(c)[0]]
    counts = c.kube_proxy.counts
    counts.setdefault("svc-a", {})["pod-1"] = 1
    counts["svc-b"] = {"pod-9": 3}
    text, _ = c.saving.save_text(c)
    texts.append(text)
    delta = json.loads(text)
    assert "proxy" not in delta["parts"] and delta["ops"]["proxy"][0] == "d"
    counts["svc-a"]["pod-2"] = 5
    counts["svc-a"]["pod-1"] += 1
    text, _ = c.saving.save_text(c)
    texts.append(text)
    assert "svc-b" not in text  # only the changed service's changed pods
    assert json.dumps(rebuilt(texts)) == json.dumps(c.to_dict())
    counts["svc-a"] = counts.pop("svc-a")  # svc-a now after svc-b: same keys, new order, sent whole
    text, _ = c.saving.save_text(c)
    texts.append(text)
    assert json.loads(text)["ops"]["proxy"][1]["counts"][0] == "="  # the reordered dict, whole
    assert json.dumps(rebuilt(texts)) == json.dumps(c.to_dict())


def test_a_sandbox_read_but_unchanged_is_not_written_again():
    c = with_deployments(1)
    texts = [c.saving.save_text(c)[0]]
    pod = c.store.pods_matching("default", {"app": "web0"})[0]
    node = c.runtime.data["nodes"][pod["spec"]["nodeName"]]["sandboxes"]
    key = next(iter(dict.keys(node)))
    node[key]["marker"] = 1  # changed: written
    text, _ = c.saving.save_text(c)
    texts.append(text)
    assert '"marker":1' in text
    _ = node[key]  # read only: touched, not changed
    text, _ = c.saving.save_text(c)
    texts.append(text)
    assert '"marker"' not in text
    node[key]["marker"] = 2
    text, _ = c.saving.save_text(c)
    texts.append(text)
    assert '"marker":2' in text
    assert json.dumps(rebuilt(texts)) == json.dumps(c.to_dict())


def test_leaves_equal_in_python_but_not_in_json_still_travel():
    """1, 1.0 and True are equal in Python; 0.0 and -0.0 too: their JSON texts differ, so each is a change."""
    c = with_deployments(1)
    counts = c.kube_proxy.counts.setdefault("svc-x", {"pod-a": 0})
    texts = [c.saving.save_text(c)[0]]
    for value in (1, 1.0, True, 0.0, -0.0, "1", None, 1):
        counts["pod-a"] = value
        text, base = c.saving.save_text(c)
        assert not base
        texts.append(text)
        assert json.loads(text)["ops"]["proxy"][1]["counts"][1]["svc-x"][1] == {"pod-a": ["=", value]}
        assert json.dumps(rebuilt(texts)) == json.dumps(c.to_dict())


def test_a_changed_part_compares_its_unchanged_leaves_without_encoding_them(monkeypatch):
    """One counter of 2,000 changes: its delta encodes a handful of values, not one per leaf (each encoding
    cost ~3.5 µs; the classroom demo's kube-proxy counters made that most of a delta's CPU, issue 12 §4)."""
    from visualizer.engine import saving

    c = with_deployments(1)
    c.kube_proxy.counts["svc-big"] = {f"pod-{i}": i for i in range(2000)}
    c.saving.save_text(c)
    c.kube_proxy.counts["svc-big"]["pod-7"] = -1
    encoded = []
    dump = saving._DUMP
    monkeypatch.setattr(saving, "_DUMP", lambda value: encoded.append(value) or dump(value))
    text, base = c.saving.save_text(c)
    assert not base and json.loads(text)["ops"]["proxy"][1]["counts"][1]["svc-big"] == [
        "d",
        {"pod-7": ["=", -1]},
        [],
    ]
    assert len(encoded) < 100


def test_an_unchanged_trace_is_not_encoded_again(monkeypatch):
    """A command replaces the trace whole (never in place), so the same list needs no encoding to compare; a
    new one travels."""
    from visualizer.engine import saving

    c = with_deployments(1)
    ok(c, "kubectl scale deployment web0 --replicas=3")
    texts = [c.saving.save_text(c)[0]]
    assert len(c.trace) > 1
    encoded = []
    dump = saving._DUMP
    monkeypatch.setattr(saving, "_DUMP", lambda value: encoded.append(value) or dump(value))
    c.advance(1)
    text, _ = c.saving.save_text(c)
    texts.append(text)
    assert not any(value is c.trace for value in encoded) and "trace" not in json.loads(text)["parts"]
    ok(c, "kubectl scale deployment web0 --replicas=2")
    text, _ = c.saving.save_text(c)
    texts.append(text)
    assert json.loads(text)["parts"]["trace"] == c.trace
    assert json.dumps(rebuilt(texts)) == json.dumps(c.to_dict())


def test_a_base_is_encoded_from_the_live_objects_without_copying_them(monkeypatch):
    """A base save encodes the state at once, so it needs no copy of it (the copies were ~45 % of a base's CPU
    on the classroom demo); the text is `to_dict()`'s, and reading the sandboxes marks none as changed."""
    from visualizer.engine import objects, runtime

    c = with_deployments(2)
    ok(c, "docker run -d --name box nginx:1.21")
    c.advance(5)
    copies = []
    clone, untracked = objects.clone, runtime.clone_untracked
    monkeypatch.setattr(objects, "clone", lambda value: copies.append(1) or clone(value))
    monkeypatch.setattr(runtime, "clone_untracked", lambda value: copies.append(1) or untracked(value))
    c.saving.invalidate()
    text, base = c.saving.save_text(c)
    assert base and copies == []
    monkeypatch.undo()
    assert text == json.dumps(c.to_dict(), separators=(",", ":"))
    assert all(not m.touched for m in c.runtime.sandbox_maps().values())
