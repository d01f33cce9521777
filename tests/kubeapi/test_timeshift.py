"""Timestamps reach the client in its own clock, so the ages kubectl computes are simulated ages."""

from __future__ import annotations

import re

from tests.kubeapi.harness import ApiHarness
from visualizer.engine.wallclock import offset, shift


def test_only_timestamp_fields_move_and_the_input_is_untouched():
    data = {
        "metadata": {
            "creationTimestamp": "2025-03-03T09:00:30Z",
            "annotations": {"kubectl.kubernetes.io/restartedAt": "2025-03-03T09:00:30Z"},
            "managedFields": [{"manager": "kubectl", "time": "2025-03-03T09:00:30Z"}],
        },
        "status": {"conditions": [{"lastTransitionTime": "2025-03-03T09:00:31Z", "message": "x"}]},
        "eventTime": "2025-03-03T09:00:31.123456Z",
        "startTime": None,
    }
    moved = shift(data, 36 * 3600)
    assert moved["metadata"]["creationTimestamp"] == "2025-03-04T21:00:30Z"
    assert moved["metadata"]["annotations"] == data["metadata"]["annotations"]  # data, not a timestamp
    assert moved["metadata"]["managedFields"][0]["time"] == "2025-03-04T21:00:30Z"
    assert moved["status"]["conditions"][0]["lastTransitionTime"] == "2025-03-04T21:00:31Z"
    assert moved["eventTime"] == "2025-03-04T21:00:31.123456Z"
    assert data["metadata"]["creationTimestamp"] == "2025-03-03T09:00:30Z"
    assert shift(moved, -36 * 3600) == data
    unchanged = {"spec": {"replicas": 3}}
    assert shift(unchanged, 100) is unchanged


def test_offset_maps_simulated_now_to_wall_now():
    # 2025-03-03T09:00:00Z is 1740992400 in Unix seconds: simulated second 100 is then "now".
    assert offset(100.0, 1740992400.0 + 100.0) == 0.0
    assert offset(0.0, 1740992400.0 + 86400.0) == 86400.0


def test_describe_shows_event_ages_in_simulated_time():
    with ApiHarness(speed=0) as api:
        api.console("kubectl create deployment web --image=nginx --replicas=2")
        api.advance(90)
        rc, out, err = api.kubectl("describe", "deployment", "web")
        assert rc == 0, err
        event = next(line for line in out.splitlines() if "ScalingReplicaSet" in line)
        # Created at simulated second 0, described at 90: kubectl's own arithmetic says 90s.
        assert re.search(r"ScalingReplicaSet\s+(89|90|91)s\s+deployment-controller", event), event
        rc, out, _ = api.kubectl("get", "deployment", "web", "-o", "jsonpath={.metadata.creationTimestamp}")
        assert not out.startswith("2025-03-03")
