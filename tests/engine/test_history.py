"""A seed gives the same history, event by event and pod by pod: speed work on the engine changes no behaviour.

The fixture (tests/engine/fixtures/history.json) was recorded before the engine was made faster; see
tests/engine/history.py for what a line holds and how to re-record it when a behaviour change is intended.
"""

import json

import pytest

from tests.engine.history import FIXTURE, NEW_IMAGE, SCENARIOS, dump

EXPECTED = json.loads(FIXTURE.read_text())


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_history_matches_the_recording(name):
    got = SCENARIOS[name]()
    want = EXPECTED[name]
    for i, (g, w) in enumerate(zip(got, want, strict=False)):
        assert g == w, f"{name}: line {i} (t={w.get('t')}) differs"
    assert len(got) == len(want)
    # Byte for byte, as the fixture file writes it.
    assert dump({name: got}) == dump({name: want})


@pytest.mark.parametrize("name", ["classroom_rollout/7", "classroom_rollout/12"])
def test_the_recorded_rollout_runs_to_completion(name):
    # The history covers a whole rolling update: every pod ends on the new image, none left Terminating.
    pods: dict[str, dict] = {}
    for line in EXPECTED[name]:
        pods.update(line.get("pods", {}))
        for gone in line.get("gone", []):
            pods.pop(gone)
    web = {k: v for k, v in pods.items() if k.startswith("default/web0-")}
    assert len(web) == 30
    assert all(p["image"] == [NEW_IMAGE] and p["deleting"] is None for p in web.values())
    assert all(p["status"]["phase"] == "Running" for p in web.values())


def test_the_histories_hold_events_and_pod_changes():
    for name, lines in EXPECTED.items():
        assert sum(len(line.get("events", [])) for line in lines) > 100, name
        assert sum(len(line.get("pods", {})) for line in lines) > 30, name
