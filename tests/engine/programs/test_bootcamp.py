"""The kubernetes-bootcamp image of the Kubernetes Basics tutorials behaves like the real one.

Sources: https://kubernetes.io/docs/tutorials/kubernetes-basics/explore/explore-intro/ (`kubectl logs`,
`kubectl exec $POD_NAME -- env`, `cat server.js`, `curl http://localhost:8080` inside the container) and
https://kubernetes.io/docs/tutorials/kubernetes-basics/update/update-intro/ (v2 answers `v=2`). The image is
FROM node:6.3.1 with `CMD node server.js`; server.js logs its start and one line per request.
"""

import re
from datetime import datetime

from tests.engine.conftest import ok, pods
from visualizer.engine import Cluster
from visualizer.engine.programs.images import _js_number, bootcamp_source
from visualizer.engine.registry import parse_image

ISO = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"


def _bootcamp(c, image="gcr.io/google-samples/kubernetes-bootcamp:v1"):
    ok(c, f"kubectl create deployment kubernetes-bootcamp --image={image}")
    c.advance(60)
    return pods(c, "kubernetes-bootcamp")[0]["metadata"]["name"]


def _when(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")


def test_the_app_answers_curl_inside_the_pod_and_logs_each_request():
    c = Cluster(workers=3, seed=7)
    pod = _bootcamp(c)
    first = ok(c, f"kubectl exec {pod} -- curl -s http://localhost:8080").output
    assert first == f"Hello Kubernetes bootcamp! | Running on: {pod} | v=1"
    c.advance(2.5)
    ok(c, f"kubectl exec {pod} -- curl -s localhost:8080/anything")
    lines = ok(c, f"kubectl logs {pod}").output.split("\n")
    start = re.fullmatch(rf"Kubernetes Bootcamp App Started At: ({ISO}) \| Running On:  {pod} ", lines[0])
    assert start, lines[0]
    assert lines[1] == ""  # console.log(…, "\n") ends the start line with an empty one
    served = [
        re.fullmatch(
            rf"Running On: {pod} \| Total Requests: (\d+) \| App Uptime: ([\d.]+) seconds \| Log Time: ({ISO})",
            line,
        )
        for line in lines[2:]
    ]
    assert all(served) and [m.group(1) for m in served] == ["1", "2"], lines
    for m in served:
        uptime = (_when(m.group(3)) - _when(start.group(1))).total_seconds()
        assert abs(float(m.group(2)) - uptime) < 0.0015
    assert abs(float(served[1].group(2)) - float(served[0].group(2)) - 2.5) < 1e-9


def test_server_js_env_and_node_of_the_image():
    c = Cluster(workers=3, seed=7)
    pod = _bootcamp(c)
    assert ok(c, f"kubectl exec {pod} -- cat server.js").output + "\n" == bootcamp_source(
        parse_image("gcr.io/google-samples/kubernetes-bootcamp:v1")
    )
    source = ok(c, f"kubectl exec {pod} -- cat /server.js").output
    assert 'response.write("Hello Kubernetes bootcamp! | Running on: ");' in source
    assert 'response.end(" | v=1\\n");' in source
    env = ok(c, f"kubectl exec {pod} -- env").output.split("\n")
    assert env[:2] == ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", f"HOSTNAME={pod}"]
    assert env[-3:] == ["NPM_CONFIG_LOGLEVEL=info", "NODE_VERSION=6.3.1", "HOME=/root"]
    assert ok(c, f"kubectl exec {pod} -- node --version").output == "v6.3.1"


def test_the_pods_env_overrides_the_images():
    c = Cluster(workers=3, seed=7)
    pod = _bootcamp(c)
    ok(c, "kubectl set env deployment/kubernetes-bootcamp NODE_VERSION=custom")
    c.advance(60)
    pod = [p for p in pods(c, "kubernetes-bootcamp") if p["metadata"]["name"] != pod][0]["metadata"]["name"]
    env = ok(c, f"kubectl exec {pod} -- env").output.split("\n")
    assert "NODE_VERSION=custom" in env and "NODE_VERSION=6.3.1" not in env


def test_v2_answers_v2_through_a_service():
    c = Cluster(workers=3, seed=7)
    _bootcamp(c, "docker.io/jocatalin/kubernetes-bootcamp:v2")
    ok(c, "kubectl expose deployment/kubernetes-bootcamp --port 8080")
    c.advance(5)
    ok(c, "kubectl run client --image=busybox -- sleep 3600")
    c.advance(30)
    out = ok(c, "kubectl exec client -- wget -qO- kubernetes-bootcamp:8080").output
    pod = pods(c, "kubernetes-bootcamp")[0]["metadata"]["name"]
    assert out == f"Hello Kubernetes bootcamp! | Running on: {pod} | v=2"
    assert 'response.end(" | v=2\\n");' in ok(c, f"kubectl exec {pod} -- cat server.js").output


def test_js_numbers_print_as_console_log_does():
    assert [_js_number(x) for x in (1611.113, 58.92, 5.0, 0.0, 0.1004)] == [
        "1611.113",
        "58.92",
        "5",
        "0",
        "0.1",
    ]
