"""Node lifecycle: NotReady after 50 s of silence, eviction after the 300 s toleration, recovery, drain."""

from .conftest import get, ok, pods, running_ready, web


def _node_status(c, name):
    line = next(row for row in ok(c, "kubectl get nodes").output.splitlines() if row.startswith(name))
    return line.split()[1]


def test_a_failed_node_turns_not_ready_after_the_grace_period(cluster):
    """The node stays Ready for 50 s after failing, then shows NotReady with unreachable taints."""
    ok(cluster, "sim fail-node worker-2")
    cluster.advance(45)
    assert _node_status(cluster, "worker-2") == "Ready"
    events = cluster.advance(15)
    assert _node_status(cluster, "worker-2") == "NotReady"
    assert any(e["reason"] == "NodeNotReady" and e["component"].endswith("node-controller") for e in events)
    node = get(cluster, "node worker-2")[0]
    assert {(t["key"], t["effect"]) for t in node["spec"]["taints"]} == {
        ("node.kubernetes.io/unreachable", "NoSchedule"),
        ("node.kubernetes.io/unreachable", "NoExecute"),
    }


def test_pods_on_a_dead_node_are_evicted_after_three_hundred_seconds(cluster):
    """Pods on the dead node become unready at NotReady and are replaced about 5m50s after the failure."""
    ok(cluster, "kubectl apply -f -", web(3))
    cluster.advance(15)
    victim = next(p["metadata"]["name"] for p in pods(cluster, "web-") if p["spec"]["nodeName"] == "worker-2")
    ok(cluster, "sim fail-node worker-2")
    cluster.advance(60)
    assert victim not in running_ready(cluster, "web-")
    assert len(pods(cluster, "web-")) == 3
    cluster.advance(280)
    assert not pods(cluster, victim)[0]["metadata"].get("deletionTimestamp")
    events = cluster.advance(30)
    assert any(e["reason"] == "TaintManagerEviction" and e["step"] == 6 for e in events)
    assert pods(cluster, victim)[0]["metadata"].get("deletionTimestamp")  # stuck Terminating: no kubelet
    cluster.advance(15)
    ready = running_ready(cluster, "web-")
    assert len(ready) == 3 and all(
        p["spec"]["nodeName"] != "worker-2" for p in pods(cluster, "web-") if p["metadata"]["name"] in ready
    )


def test_a_recovered_node_becomes_ready_and_cleans_up(cluster):
    """After recover-node the node is Ready again and its evicted pods finish terminating."""
    ok(cluster, "kubectl apply -f -", web(3))
    cluster.advance(15)
    ok(cluster, "sim fail-node worker-1")
    cluster.advance(400)
    ok(cluster, "sim recover-node worker-1")
    cluster.advance(10)
    assert _node_status(cluster, "worker-1") == "Ready"
    assert all(not p["metadata"].get("deletionTimestamp") for p in pods(cluster, "web-"))
    assert len(running_ready(cluster, "web-")) == 3


def test_drain_cordons_and_evicts(cluster):
    """drain cordons the node and evicts its pods, which come back elsewhere."""
    ok(cluster, "kubectl apply -f -", web(3))
    cluster.advance(15)
    # The kube-proxy DaemonSet pod on every node blocks a drain without --ignore-daemonsets, as on kubeadm.
    out = ok(cluster, "kubectl drain worker-1 --ignore-daemonsets").output.splitlines()
    assert out[0] == "node/worker-1 cordoned" and out[-1] == "node/worker-1 drained"
    assert out[1].startswith("Warning: ignoring DaemonSet-managed Pods: kube-system/kube-proxy-")
    assert any(line.startswith("evicting pod default/web-") for line in out)
    cluster.advance(15)
    assert all(p["spec"]["nodeName"] != "worker-1" for p in pods(cluster, "web-"))
    assert len(running_ready(cluster, "web-")) == 3


def test_drain_refuses_bare_pods_without_force(cluster):
    """A pod without a controller blocks drain unless --force is given; like kubectl, the cordon made before
    the refusal stays (the node is Ready,SchedulingDisabled) and the pod keeps running."""
    ok(cluster, "kubectl run solo --image=nginx:1.20")
    cluster.advance(10)
    node = pods(cluster, "solo")[0]["spec"]["nodeName"]
    result = cluster.run(f"kubectl drain {node} --ignore-daemonsets")
    assert not result.ok
    assert result.output.splitlines()[0] == f"node/{node} cordoned"
    assert result.output.splitlines()[-1] == (
        "error: cannot delete Pods that declare no controller (use --force to override): default/solo"
    )
    assert get(cluster, f"node {node}")[0]["spec"]["unschedulable"] is True
    row = next(r for r in ok(cluster, "kubectl get nodes").output.splitlines() if r.startswith(node))
    assert row.split()[1] == "Ready,SchedulingDisabled"
    assert pods(cluster, "solo")[0]["spec"]["nodeName"] == node
    again = cluster.run(f"kubectl drain {node} --ignore-daemonsets")
    assert again.output.splitlines()[0] == f"node/{node} already cordoned"
