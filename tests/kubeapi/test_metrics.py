"""metrics.k8s.io and `kubectl top`: the real kubectl prints what the console prints, from one usage model."""

from __future__ import annotations

import shlex

import pytest

from tests.kubeapi.harness import ApiHarness, require_kubectl
from visualizer.engine.kubectl import top
from visualizer.kubeapi import server
from visualizer.kubeapi.http import ApiRequest


@pytest.fixture(scope="module")
def api():
    require_kubectl()
    with ApiHarness(speed=0) as h:
        assert h.console("kubectl create deployment web --image=nginx --replicas=3").ok
        assert h.console("kubectl autoscale deployment web --min=3 --max=6 --cpu-percent=50").ok
        h.advance(30)
        assert h.console("sim load web 450").ok
        h.advance(60)
        yield h


def both(api, command: str) -> tuple[str, str]:
    rc, out, err = api.kubectl(*shlex.split(command))
    assert rc == 0, err
    result = api.console("kubectl " + command)
    assert result.ok, result.error
    return out, result.output


@pytest.mark.parametrize(
    "command",
    [
        "top pods",
        "top pods --containers",
        "top pods -A",
        "top nodes",
        "top pods -l app=web",
        "top pods --sum",
        "top pods --containers --sum",
        "top pods -A --sort-by=cpu",
        "top pods -A --sort-by=memory",
        "top nodes --sort-by=cpu",
        "top nodes --sort-by=memory",
        "top nodes --show-capacity",
    ],
)
def test_top_prints_the_same_both_ways(api, command):
    out, console = both(api, command)
    assert out.rstrip("\n") == console.rstrip("\n")


def test_top_pods_lines_and_padding(api):
    out, _ = both(api, "top pods")
    lines = out.splitlines()
    # kubectl's top printer ends every cell with a tab, so even the last column is padded
    assert lines[0] == "NAME                  CPU(cores)   MEMORY(bytes)   "
    usage = {
        p["metadata"]["name"]: api.cluster.pod_cpu_usage(p)
        for p in api.cluster.store.list("Pod", "default")
        if p["status"].get("phase") == "Running"
    }
    assert len(lines) == 1 + len(usage) and len(usage) >= 3
    for line in lines[1:]:
        name, cpu, mem = line.split()
        # nanocores rounded up to millicores (Quantity.MilliValue)
        assert cpu == f"{-(-round(usage[name] * 1e6) // 1_000_000)}m" and mem == "12Mi"
    assert any(int(line.split()[1][:-1]) > 1 for line in lines[1:])  # the load shows


def test_top_nodes_percentages_of_allocatable(api):
    out, _ = both(api, "top nodes")
    rows = {line.split()[0]: line.split() for line in out.splitlines()[1:]}
    node = api.cluster.store.get("/registry/minions/worker-1")
    cpu_nano, mem = top.node_usage(api.cluster, node)
    alloc_cpu = int(node["status"]["allocatable"]["cpu"]) * 1000
    cpu_milli = -(-cpu_nano // 1_000_000)
    assert rows["worker-1"][1] == f"{cpu_milli}m"
    assert rows["worker-1"][2] == f"{int(cpu_milli / alloc_cpu * 100)}%"
    assert rows["worker-1"][3] == f"{mem // (1024 * 1024)}Mi"


def test_top_errors(api):
    rc, out, err = api.kubectl("top", "pod", "nope")
    assert rc == 1
    assert err.strip() == 'Error from server (NotFound): podmetrics.metrics.k8s.io "nope" not found'
    assert api.console("kubectl top pod nope").error["message"] == err.strip()
    rc, out, err = api.kubectl("top", "pods", "-n", "kube-public")
    assert rc == 0 and err.strip() == "No resources found in kube-public namespace."


def test_metrics_objects_shapes(api):
    ctx = api.ctx
    with api.lock:
        resp = server.handle(ctx, ApiRequest("GET", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods"))
    data = resp.json()
    assert resp.status == 200 and data["kind"] == "PodMetricsList"
    assert data["apiVersion"] == "metrics.k8s.io/v1beta1"
    first = data["items"][0]
    assert first["kind"] == "PodMetrics" and first["window"] == "15s"
    assert first["metadata"]["labels"]["app"] == "web"
    assert first["containers"][0]["name"] == "nginx"
    assert first["containers"][0]["usage"]["memory"] == "12288Ki"
    assert first["containers"][0]["usage"]["cpu"].endswith("n")
    with api.lock:
        resp = server.handle(ctx, ApiRequest("GET", "/apis/metrics.k8s.io/v1beta1/nodes/worker-2"))
    node = resp.json()
    assert (
        node["kind"] == "NodeMetrics" and node["window"] == "20s" and set(node["usage"]) == {"cpu", "memory"}
    )
    with api.lock:
        resp = server.handle(ctx, ApiRequest("DELETE", "/apis/metrics.k8s.io/v1beta1/nodes/worker-2"))
    assert resp.status == 405
    with api.lock:
        resp = server.handle(
            ctx,
            ApiRequest(
                "GET",
                "/apis/metrics.k8s.io/v1beta1/nodes",
                query={"fieldSelector": ["metadata.name=worker-3"]},
            ),
        )
    assert [i["metadata"]["name"] for i in resp.json()["items"]] == ["worker-3"]


def test_node_without_a_machine_has_no_metrics():
    from visualizer.engine import Cluster

    c = Cluster(workers=2, seed=3)
    c.advance(20)
    assert c.run("sim fail-node worker-2").ok
    c.advance(5)
    text = c.run("kubectl top nodes").output
    assert text.splitlines()[-1].split() == ["worker-2", "<unknown>", "<unknown>", "<unknown>", "<unknown>"]
    node = c.store.get("/registry/minions/worker-2")
    assert top.node_usage(c, node) is None
