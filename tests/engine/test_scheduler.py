"""Scheduler: filters (cordon, taints, resources), spreading, and the FailedScheduling message."""

from visualizer.engine import Cluster

from .conftest import get, ok, pods, web


def test_pods_spread_over_the_workers_and_never_land_on_the_control_plane(cluster):
    """Three replicas land on three different workers; the control plane's taint keeps them off it."""
    ok(cluster, "kubectl apply -f -", web(3))
    nodes = sorted(p["spec"]["nodeName"] for p in pods(cluster, "web-"))
    assert nodes == ["worker-1", "worker-2", "worker-3"]


def test_scheduled_events_name_the_node_and_narrate_the_choice(cluster):
    """Each binding emits a Scheduled event from the scheduler with Korean and English narration (step 3)."""
    events = ok(cluster, "kubectl apply -f -", web(1)).events
    ev = next(e for e in events if e["reason"] == "Scheduled")
    assert ev["component"] == "scheduler" and ev["step"] == 3
    assert ev["message"].startswith("Successfully assigned default/web-")
    assert "스케줄러가" in ev["ko"] and "배치했습니다" in ev["ko"]


def test_nothing_is_scheduled_on_a_cordoned_node(cluster):
    """After cordoning two workers every new pod goes to the remaining one."""
    ok(cluster, "kubectl cordon worker-1")
    ok(cluster, "kubectl cordon worker-2")
    ok(cluster, "kubectl apply -f -", web(3))
    assert {p["spec"]["nodeName"] for p in pods(cluster, "web-")} == {"worker-3"}
    assert "Ready,SchedulingDisabled" in ok(cluster, "kubectl get nodes").output


def test_a_pod_that_fits_nowhere_stays_pending_with_the_real_message():
    """Requests larger than any node leave the pod Pending with FailedScheduling in the real format."""
    c = Cluster(workers=2, seed=1, cpu="1")
    result = ok(c, "kubectl apply -f -", web(1).replace("cpu: 100m", "cpu: '3'"))
    failed = [e for e in result.events if e["reason"] == "FailedScheduling"]
    assert failed[0]["type"] == "Warning"
    assert failed[0]["message"] == (
        "0/3 nodes are available: 1 node(s) had untolerated taint(s), "
        "2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, "
        "2 No preemption victims found for incoming pod."
    )
    pod = pods(c, "web-")[0]
    assert pod["status"]["phase"] == "Pending" and "nodeName" not in pod["spec"]
    assert "Pending" in ok(c, "kubectl get pods").output


def test_uncordoning_a_node_lets_a_pending_pod_schedule(cluster):
    """A pod Pending because every worker is cordoned gets scheduled once one is uncordoned."""
    for n in (1, 2, 3):
        ok(cluster, f"kubectl cordon worker-{n}")
    ok(cluster, "kubectl apply -f -", web(1))
    assert "nodeName" not in pods(cluster, "web-")[0]["spec"]
    ok(cluster, "kubectl uncordon worker-2")
    assert pods(cluster, "web-")[0]["spec"]["nodeName"] == "worker-2"


def test_node_selector_restricts_placement(cluster):
    """nodeSelector keeps pods on nodes carrying the label."""
    ok(cluster, "kubectl label node worker-3 disk=ssd")
    text = web(2).replace("      containers:", "      nodeSelector: {disk: ssd}\n      containers:")
    ok(cluster, "kubectl apply -f -", text)
    assert {p["spec"]["nodeName"] for p in get(cluster, "pods")} == {"worker-3"}


def test_node_capacity_is_parsed_once_per_allocatable_and_a_bad_one_is_left_to_the_checks():
    """The scheduler reads a node's pod, CPU and memory capacity from a cache keyed by its (never mutated)
    allocatable map; an allocatable that does not parse is not cached, so the filter checks it field by field
    in the real plugin order (Too many pods before a bad CPU value)."""
    from visualizer.engine import scheduler

    alloc = {"cpu": "2", "memory": "1Gi", "pods": "3"}
    first = scheduler._capacity(alloc)
    assert first == (alloc, 3, 2000, 1024**3)
    assert scheduler._capacity(alloc) is first  # cached
    assert scheduler._capacity({"cpu": "2", "memory": "1Gi", "pods": "3"}) is not first  # another map
    bad = {"cpu": "lots", "memory": "1Gi", "pods": "1"}
    assert scheduler._capacity(bad) is None
    c = Cluster(workers=1, seed=1)
    node = next(n for n in c.store.list("Node") if n["metadata"]["name"] == "worker-1")
    full = dict(node, status=dict(node["status"], allocatable=bad))
    c.store.node_usage["worker-1"] = [0, 0, 1, 0, 0]
    pod = {"metadata": {"name": "p", "namespace": "default"}, "spec": {"containers": []}}
    assert c.scheduler.filter_reason(pod, full, 0, 0) == "Too many pods"
