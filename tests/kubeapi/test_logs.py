"""pods/log through the real kubectl v1.37 (reference §A3b `logs`, §A3c log params): the same lines as the
console's `kubectl logs`, `-f` following simulated time, `--tail`, `--timestamps`, `--since`, `--limit-bytes`,
`-c`, `-p` and the kubelet's refusals; plus the REST answers kubectl never asks for (no container given)."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

import pytest

from visualizer.kubeapi import server
from visualizer.kubeapi.http import ApiRequest

from .harness import ApiHarness
from .streaming import Running

COUNTER = "kubectl run counter --image=busybox -- sh -c 'i=0; while true; do echo \"$i: tick\"; i=$((i+1)); sleep 1; done'"
TWO = """apiVersion: v1
kind: Pod
metadata:
  name: two
spec:
  initContainers:
  - name: setup
    image: busybox
    command: ["sh", "-c", "echo prepared"]
  containers:
  - name: a
    image: busybox
    command: ["sh", "-c", "echo from a; sleep 3600"]
  - name: b
    image: busybox
    command: ["sh", "-c", "echo from b; sleep 3600"]
"""


@pytest.fixture
def api():
    with ApiHarness(speed=1.0) as api:
        yield api


def _log(api, *args):
    return api.kubectl("logs", *args)


def test_logs_equal_the_console_and_tail(api):
    api.speed = 0  # the clock stands still between the console's and kubectl's reading
    assert api.console(COUNTER).ok
    api.advance(8)
    console = api.console("kubectl logs counter --tail=4").output
    rc, out, err = _log(api, "counter", "--tail=4")
    assert (rc, err) == (0, "")
    assert out == console + "\n"
    assert len(out.splitlines()) == 4
    assert re.fullmatch(r"\d+: tick", out.splitlines()[0])


def test_logs_whole_log_is_the_console_text(api):
    assert api.console("kubectl run once --image=busybox --restart=Never -- sh -c 'echo one; echo two'").ok
    api.advance(10)
    rc, out, err = _log(api, "once")
    assert (rc, out, err) == (0, "one\ntwo\n", "")
    assert api.console("kubectl logs once").output == "one\ntwo"


def test_logs_follow_streams_new_lines_and_ends_with_the_container(api):
    assert api.console(
        "kubectl run steps --image=busybox --restart=Never -- sh -c 'for i in 1 2 3 4; do echo step $i; sleep 1; done'"
    ).ok
    api.advance(1.5)  # started: the first line is there, the rest comes while kubectl follows (speed 1)
    with Running(api, "logs", "-f", "steps") as k:
        rc = k.wait_exit(30)
    assert rc == 0
    assert k.lines == ["step 1", "step 2", "step 3", "step 4"]
    assert any("follow=true" in p for _, p, _ in api.requests)


def test_logs_follow_prints_lines_as_simulated_time_passes(api):
    api.speed = 0
    assert api.console(COUNTER).ok
    api.advance(5)
    with Running(api, "logs", "-f", "counter", "--tail=1") as k:
        first = k.wait_for(lambda ls: len(ls) >= 1)
        assert len(first) == 1
        n = int(first[0].split(":")[0])
        api.advance(3)
        lines = k.wait_for(lambda ls: len(ls) >= 4)
    assert lines[:4] == [f"{n + i}: tick" for i in range(4)]


def test_logs_timestamps_since_and_limit_bytes(api):
    api.speed = 0
    assert api.console(COUNTER).ok
    api.advance(10)
    rc, out, err = _log(api, "counter", "--timestamps", "--tail=3")
    assert rc == 0, err
    stamps = [line.split(" ", 1) for line in out.splitlines()]
    assert len(stamps) == 3
    for stamp, _ in stamps:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z", stamp)
    # in the client's clock (timeshift.py): the newest line is at most ~1 simulated second old
    seconds = [_unix(s) for s, _ in stamps]
    assert [round(b - a, 6) for a, b in zip(seconds, seconds[1:], strict=False)] == [1.0, 1.0]
    assert -3 <= time.time() - seconds[-1] <= 3
    rc, out, _ = _log(api, "counter", "--since=3s")
    assert rc == 0 and len(out.splitlines()) in (3, 4)
    since = datetime.fromtimestamp(time.time() - 3.2, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")  # client clock
    rc, out, err = _log(api, "counter", f"--since-time={since}")
    assert rc == 0 and len(out.splitlines()) in (3, 4), (out, err)
    rc, out, _ = _log(api, "counter", "--limit-bytes=5")
    assert (rc, out) == (0, "0: ti")


def test_logs_previous_without_restart_is_the_kubelet_refusal(api):
    assert api.console(COUNTER).ok
    api.advance(5)
    rc, out, err = _log(api, "counter", "-p")
    assert (rc, out) == (1, "")
    assert err == (
        'Error from server (BadRequest): previous terminated container "counter" in pod "counter" not found\n'
    )
    assert api.console("kubectl logs counter -p").output == err.rstrip("\n")


def test_logs_previous_after_a_restart(api):
    assert api.console("kubectl run flaky --image=busybox -- sh -c 'echo starting; sleep 2; exit 1'").ok
    api.speed = 0
    api.advance(30)
    rc, out, err = _log(api, "flaky", "-p")
    assert (rc, out, err) == (0, "starting\n", "")


def test_logs_container_choice(api):
    assert api.console("kubectl apply -f -", stdin=TWO).ok
    api.advance(15)
    assert _log(api, "two", "-c", "b") == (0, "from b\n", "")
    assert _log(api, "two", "-c", "setup") == (0, "prepared\n", "")
    rc, out, err = _log(api, "two")
    assert (rc, out) == (0, "from a\n")
    assert err == 'Defaulted container "a" out of: a, b, setup (init)\n'
    rc, out, err = _log(api, "two", "-c", "zzz")
    # kubectl's own check (pkg/cmd/util/podcmd), before any log request
    assert (rc, out, err) == (
        1,
        "",
        "error: container zzz is not valid for pod two out of: a, b, setup (init)\n",
    )


def test_logs_of_a_container_waiting_to_start(api):
    api.speed = 0
    assert api.console("kubectl run slow --image=nginx").ok
    api.advance(1)
    rc, out, err = _log(api, "slow")
    assert (rc, out) == (1, "")
    assert err == api.console("kubectl logs slow").output + "\n"
    assert err.startswith(
        'Error from server (BadRequest): container "slow" in pod "slow" is waiting to start: '
    )


def test_rest_answers_without_container_and_for_unknown_pods(api):
    assert api.console("kubectl apply -f -", stdin=TWO).ok
    api.advance(15)

    def get(path, **q):
        return server.handle(api.ctx, ApiRequest("GET", path, query={k: [v] for k, v in q.items()}))

    resp = get("/api/v1/namespaces/default/pods/two/log")
    assert resp.status == 400
    assert resp.json()["message"] == (
        "a container name must be specified for pod two, choose one of: [a b] or one of the init containers: [setup]"
    )
    resp = get("/api/v1/namespaces/default/pods/nope/log")
    assert (resp.status, resp.json()["message"]) == (404, 'pods "nope" not found')
    resp = get("/api/v1/namespaces/default/pods/two/log", container="a", tailLines="x")
    assert resp.status == 400 and resp.stream is None
    resp = get("/api/v1/namespaces/default/pods/two/log", container="a")
    assert (resp.status, resp.content_type, resp.body) == (200, "text/plain", b"from a\n")


def test_unscheduled_pod_has_no_log_location_and_answers_empty(api):
    """LogLocation returns no location for a pod without a node; the LocationStreamer then answers an empty
    200 (kubernetes pkg/registry/core/pod/strategy.go, apiserver pkg/registry/generic/rest/streamer.go)."""
    api.speed = 0
    pinned = 'kubectl run lost --image=nginx --overrides=\'{"spec":{"nodeSelector":{"disk":"none"}}}\''
    assert api.console(pinned).ok
    api.advance(5)
    assert not api.cluster.store.get("/registry/pods/default/lost")["spec"].get("nodeName")
    assert _log(api, "lost") == (0, "", "")


def _unix(stamp: str) -> float:
    return datetime.fromisoformat(stamp[:26] + "+00:00").timestamp()
