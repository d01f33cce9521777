"""`kubectl describe` in the engine prints what the real kubectl v1.37.1 prints for the same objects.

The stand-in server of tests/kubectl_oracle.py serves the engine's own objects (plus the fields a real API
server defaults that the engine does not store: `priority: 0` and `serviceAccountName: default` on pods) and
the lists each describer reads (ReplicaSets, pods, EndpointSlices, the node Lease). Events are served empty:
their AGE is computed by kubectl from the wall clock, so the comparison stops at the `Events:` line.
"""

import json

import pytest

from tests.engine.conftest import SERVICE, ok, web
from tests.kubectl_oracle import Oracle
from visualizer.engine import Cluster

EMPTY_EVENTS = {"kind": "EventList", "apiVersion": "v1", "metadata": {}, "items": []}


@pytest.fixture(scope="module")
def oracle():
    """The real kubectl with the stand-in server (skips when the wheel is missing)."""
    o = Oracle()
    o.serve_path("/api/v1/namespaces/default/events", EMPTY_EVENTS)
    o.serve_path("/api/v1/events", EMPTY_EVENTS)
    yield o
    o.close()


@pytest.fixture(scope="module")
def world():
    """A cluster running the `web` Deployment (2 pods) and its Service, 60 s after apply."""
    c = Cluster(workers=2, seed=7)
    ok(c, "kubectl apply -f -", stdin=web(2))
    ok(c, "kubectl apply -f -", stdin=SERVICE)
    ok(c, "kubectl label deployment web tier=frontend")
    c.advance(60)
    return c


def _items(c, what):
    return json.loads(ok(c, f"kubectl get {what} -o json").output)["items"]


def _as_real_server_stores(pod: dict) -> dict:
    pod = json.loads(json.dumps(pod))
    pod["spec"].setdefault("priority", 0)
    pod["spec"].setdefault("serviceAccountName", "default")
    pod["spec"].setdefault("serviceAccount", "default")
    return pod


def _serve_lists(oracle, c):
    pods = [_as_real_server_stores(p) for p in _items(c, "pods")]
    for p in pods:
        oracle.serve(p)
    oracle.serve_path(
        "/api/v1/namespaces/default/pods",
        {"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": pods},
    )
    oracle.serve_path("/api/v1/pods", {"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": pods})
    rses = _items(c, "replicasets")
    oracle.serve_path(
        "/apis/apps/v1/namespaces/default/replicasets",
        {"kind": "ReplicaSetList", "apiVersion": "apps/v1", "metadata": {}, "items": rses},
    )
    for obj in _items(c, "deployments") + rses + _items(c, "services"):
        oracle.serve(obj)
    return pods


def _until_events(text: str) -> str:
    return text[: text.index("\nEvents:")] if "\nEvents:" in text else text


def _compare(oracle, c, words: list[str]):
    code, out, err = oracle.run(words, server=True)
    assert code == 0, err
    engine = ok(c, "kubectl " + " ".join(words)).output
    assert _until_events(engine) == _until_events(out.rstrip("\n"))


def test_describe_pod_matches_real_kubectl(oracle, world):
    """describe pod: header fields, IPs block, container block, conditions with trailing spaces, tolerations."""
    pods = _serve_lists(oracle, world)
    _compare(oracle, world, ["describe", "pod", pods[0]["metadata"]["name"]])


def test_describe_deployment_matches_real_kubectl(oracle, world):
    """describe deployment: RollingUpdateStrategy, the Pod Template block, conditions, New/OldReplicaSets."""
    _serve_lists(oracle, world)
    _compare(oracle, world, ["describe", "deployment", "web"])


def test_describe_replicaset_matches_real_kubectl(oracle, world):
    """describe replicaset: Controlled By, Replicas, Pods Status and the template."""
    _serve_lists(oracle, world)
    rs = _items(world, "replicasets")[0]["metadata"]["name"]
    _compare(oracle, world, ["describe", "replicaset", rs])


def test_describe_service_matches_real_kubectl(oracle, world):
    """describe service: IP families, IPs, port lines and the endpoints from the EndpointSlice."""
    _serve_lists(oracle, world)
    endpoints = json.loads(ok(world, "kubectl get endpoints web -o json").output)
    subset = (endpoints.get("subsets") or [{}])[0]
    ready = [a["ip"] for a in subset.get("addresses") or []]
    port = (subset.get("ports") or [{"port": 80}])[0]["port"]
    oracle.serve_path(
        "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices",
        {
            "kind": "EndpointSliceList",
            "apiVersion": "discovery.k8s.io/v1",
            "metadata": {},
            "items": [
                {
                    "metadata": {"name": "web-abcde", "namespace": "default"},
                    "addressType": "IPv4",
                    "ports": [{"name": "", "port": port, "protocol": "TCP"}],
                    "endpoints": [{"addresses": [ip], "conditions": {"ready": True}} for ip in ready],
                }
            ],
        },
    )
    _compare(oracle, world, ["describe", "service", "web"])


def test_describe_node_without_pods_matches_real_kubectl(oracle):
    """describe node (one with no pods; pod ages come from kubectl's wall clock): conditions table, Lease,
    capacity, system info and allocated resources."""
    c = Cluster(workers=2, seed=7)
    node = next(n for n in _items(c, "nodes") if n["metadata"]["name"] == "worker-1")
    oracle.serve_path("/api/v1/events", EMPTY_EVENTS)
    oracle.serve_path("/api/v1/namespaces/default/events", EMPTY_EVENTS)
    oracle.serve_path(f"/api/v1/nodes/{node['metadata']['name']}", node)
    oracle.serve_path("/api/v1/pods", {"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": []})
    ready = next(cd for cd in node["status"]["conditions"] if cd["type"] == "Ready")
    oracle.serve_path(
        f"/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/{node['metadata']['name']}",
        {
            "kind": "Lease",
            "apiVersion": "coordination.k8s.io/v1",
            "metadata": {"name": node["metadata"]["name"], "namespace": "kube-node-lease"},
            "spec": {
                "holderIdentity": node["metadata"]["name"],
                "renewTime": ready["lastHeartbeatTime"].replace("Z", ".000000Z"),
            },
        },
    )
    assert not c.store.pods_on("worker-1")
    _compare(oracle, c, ["describe", "node", "worker-1"])


def _v1_events(c, kind: str, name: str, namespace: str = "default") -> dict:
    """Returns the engine's events about one object as a v1 EventList whose timestamps are the same ages
    before the wall clock (kubectl computes AGE from its own clock)."""
    import datetime

    from visualizer.engine.kubectl.describe import _source

    wall = datetime.datetime.now(datetime.UTC)
    items = []
    for i, e in enumerate(
        ev for ev in c.events if not ev.get("synthetic") and ev["object"] == f"{kind}/{name}"
    ):
        at = (wall - datetime.timedelta(seconds=int(c.clock.now - e["time"]))).strftime("%Y-%m-%dT%H:%M:%SZ")
        items.append(
            {
                "metadata": {"name": f"{name}.{i}", "namespace": namespace},
                "involvedObject": {"kind": kind.capitalize(), "name": name, "namespace": namespace},
                "reason": e["reason"],
                "message": e["message"],
                "type": e["type"],
                "source": {"component": _source(e["component"])},
                "firstTimestamp": at,
                "lastTimestamp": at,
                "count": 1,
            }
        )
    return {"kind": "EventList", "apiVersion": "v1", "metadata": {}, "items": items}


def test_describe_pod_events_table_matches_real_kubectl(oracle):
    """The Events table (Type, Reason, Age, From, Message) is flushed and aligned on its own, as kubectl does.

    Ages are hours old so the second or so between the two clocks cannot change the printed minute.
    """
    c = Cluster(workers=2, seed=7)
    ok(c, "kubectl run web --image=nginx:1.20")
    c.advance(4 * 3600 + 1800)
    pod = _as_real_server_stores(_items(c, "pods")[0])
    oracle.serve(pod)
    oracle.serve_path("/api/v1/namespaces/default/events", _v1_events(c, "pod", "web"))
    try:
        code, out, err = oracle.run(["describe", "pod", "web"], server=True)
    finally:
        oracle.serve_path("/api/v1/namespaces/default/events", EMPTY_EVENTS)
    assert code == 0, err
    engine = ok(c, "kubectl describe pod web").output
    assert "\nEvents:\n  Type    Reason     Age    From               Message\n" in engine
    assert engine == out.rstrip("\n")


def test_describe_several_pods_sorted_and_two_blank_lines_apart(oracle, world):
    """`kubectl describe pods` describes every pod in name order, separated by two blank lines."""
    _serve_lists(oracle, world)
    code, out, err = oracle.run(["describe", "pods"], server=True)
    assert code == 0, err
    engine = ok(world, "kubectl describe pods").output
    real_parts = out.rstrip("\n").split("\n\n\nName:")
    engine_parts = engine.split("\n\n\nName:")
    assert len(engine_parts) == len(real_parts) == 2
    for mine, theirs in zip(engine_parts, real_parts, strict=True):
        assert _until_events(mine) == _until_events(theirs)
