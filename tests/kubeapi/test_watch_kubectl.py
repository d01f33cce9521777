"""Watches driven by the real kubectl v1.37 (reference §A3b `get -w`, `rollout status`, `delete` waiting,
§A7): the commands that stream, against the harness's TLS server, while the cluster changes underneath."""

from __future__ import annotations

import time

import pytest

from visualizer.kubeapi import watch

from .harness import ApiHarness
from .streaming import Running


@pytest.fixture
def api():
    with ApiHarness(speed=1.0) as api:
        assert api.console("kubectl create deployment web --image=nginx --replicas=2").ok
        api.advance(30)
        yield api


def _rows(lines: list[str], name: str) -> list[list[str]]:
    return [line.split() for line in lines if line.split()[:1] == [name]]


def test_get_pods_watch_prints_rows_of_a_pod_created_meanwhile(api):
    with Running(api, "get", "pods", "-w") as k:
        lines = k.wait_for(lambda ls: len(ls) >= 3)
        assert lines[0].split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
        assert [r[1:4] for r in (x.split() for x in lines[1:3])] == [["1/1", "Running", "0"]] * 2
        assert api.console("kubectl run solo --image=nginx").ok
        lines = k.wait_for(lambda ls: any(r[2] == "ContainerCreating" for r in _rows(ls, "solo")))
    rows = _rows(lines, "solo")
    # ADDED (unscheduled), MODIFIED (bound to a node), MODIFIED (the kubelet's ContainerCreating)
    assert rows[:3] == [
        ["solo", "0/1", "Pending", "0", "0s"],
        ["solo", "0/1", "Pending", "0", "0s"],
        ["solo", "0/1", "ContainerCreating", "0", "0s"],
    ]
    # the watch continued from the list's resourceVersion: no initial ADDED replay of the web pods
    assert len([x for x in lines if x.startswith("web-")]) == 2
    watches = [p for m, p, _ in api.requests if "watch=true" in p]
    assert watches and "resourceVersion=" in watches[0] and "resourceVersion=0" not in watches[0]


def test_get_pods_watch_output_watch_events_and_deletion(api):
    assert api.console("kubectl run solo --image=nginx").ok
    api.advance(10)
    with Running(api, "get", "pods", "-w", "--output-watch-events") as k:
        k.wait_for(lambda ls: len(ls) >= 4)
        assert api.console("kubectl delete pod solo --grace-period=0 --force").ok
        lines = k.wait_for(lambda ls: any(x.split()[:2] == ["DELETED", "solo"] for x in ls))
    assert lines[0].split() == ["EVENT", "NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert lines[1].split()[:4] == ["ADDED", "solo", "1/1", "Running"]
    assert [x.split()[0] for x in lines[1:4]] == ["ADDED"] * 3


def test_get_one_pod_watch_starts_from_resource_version_zero(api):
    """kubectl prints the GET's row, then watches from resourceVersion 0 and suppresses the first event,
    expecting the server's synthetic ADDED (kubectl pkg/cmd/get/get.go `watch`): the label's row only
    appears if that ADDED was sent first."""
    assert api.console("kubectl run solo --image=nginx").ok
    api.advance(10)
    with Running(api, "get", "pod", "solo", "-w") as k:
        k.wait_for(lambda ls: len(_rows(ls, "solo")) >= 1)
        time.sleep(1)
        assert len(_rows(k.lines, "solo")) == 1
        assert api.console("kubectl label pod solo tier=front").ok
        lines = k.wait_for(lambda ls: len(_rows(ls, "solo")) >= 2)
    assert [r[:4] for r in _rows(lines, "solo")] == [["solo", "1/1", "Running", "0"]] * 2
    watches = [p for m, p, _ in api.requests if "watch=true" in p]
    assert "fieldSelector=metadata.name%3Dsolo" in watches[0] and "resourceVersion=0" in watches[0]


def test_get_watch_ends_when_the_server_closes_the_stream(api, monkeypatch):
    monkeypatch.setattr(watch, "DEFAULT_TIMEOUT", 1.5)
    with Running(api, "get", "deploy", "-w") as k:
        assert k.wait_exit(15) == 0
    assert k.lines[0].split() == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    assert k.lines[1].split()[:4] == ["web", "2/2", "2", "2"]


def test_rollout_status_follows_a_rollout_to_its_end(api):
    assert api.console("kubectl set image deploy/web nginx=nginx:1.26").ok
    api.speed = 4  # simulated seconds per real second: the rollout takes ~12 simulated seconds
    with Running(api, "rollout", "status", "deploy/web") as k:
        assert k.wait_exit(90) == 0
    assert k.lines[-1] == 'deployment "web" successfully rolled out'
    assert k.lines[0].startswith('Waiting for deployment "web" rollout to finish: ')
    watches = [p for m, p, _ in api.requests if "watch=true" in p]
    assert any("sendInitialEvents=true" in p and "resourceVersionMatch=NotOlderThan" in p for p in watches)
    assert (
        api.console("kubectl rollout status deploy/web").output == 'deployment "web" successfully rolled out'
    )


def test_rollout_status_of_a_finished_rollout_returns_at_once(api):
    start = time.monotonic()
    rc, out, err = api.kubectl("rollout", "status", "deploy/web", timeout=20)
    assert (rc, out, err) == (0, 'deployment "web" successfully rolled out\n', "")
    assert time.monotonic() - start < 10


def test_delete_waits_for_the_deleted_event(api):
    assert api.console("kubectl run solo --image=nginx").ok
    api.advance(10)
    rc, out, err = api.kubectl("delete", "pod", "solo", timeout=60)
    assert (rc, out, err) == (0, 'pod "solo" deleted from default namespace\n', "")
    assert api.cluster.store.get("/registry/pods/default/solo") is None
    paths = [p for m, p, _ in api.requests]
    i = next(i for i, (m, p, _) in enumerate(api.requests) if m == "DELETE")
    assert any("watch=true" in p and "metadata.name%3Dsolo" in p for p in paths[i:])


def test_kubectl_wait_for_condition_available(api):
    rc, out, err = api.kubectl("wait", "--for=condition=Available", "deploy/web", "--timeout=20s", timeout=30)
    assert (rc, out, err) == (0, "deployment.apps/web condition met\n", "")


def test_get_events_watch_prints_new_events(api):
    with Running(api, "get", "events", "-w") as k:
        k.wait_for(lambda ls: len(ls) >= 2)
        before = len(k.lines)
        assert api.console("kubectl scale deploy web --replicas=3").ok
        lines = k.wait_for(lambda ls: any("Scaled up replica set" in x for x in ls[before:]))
    assert lines[0].split() == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    new = [x.split(None, 4) for x in lines[before:]]
    assert new[0][:4] == ["0s", "Normal", "ScalingReplicaSet", "deployment/web"]
    assert new[0][4].startswith("Scaled up replica set web-") and new[0][4].endswith(" from 2 to 3")


def test_label_selector_watch_shows_pods_entering_and_leaving(api):
    assert api.console("kubectl run solo --image=nginx").ok
    api.advance(10)
    with Running(api, "get", "pods", "-l", "tier=front", "-w", "--output-watch-events") as k:
        time.sleep(1)
        assert k.lines == []  # "No resources found" goes to stderr
        assert api.console("kubectl label pod solo tier=front").ok
        k.wait_for(lambda ls: any(x.split()[:2] == ["ADDED", "solo"] for x in ls))
        assert api.console("kubectl label pod solo tier-").ok
        lines = k.wait_for(lambda ls: any(x.split()[:2] == ["DELETED", "solo"] for x in ls))
    assert [x.split()[:2] for x in lines[1:]] == [["ADDED", "solo"], ["DELETED", "solo"]]
    assert lines[0].split()[0] == "EVENT"
