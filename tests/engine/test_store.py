"""etcd stand-in: resourceVersions, watch notifications and indexes, observed through the public API."""

from .conftest import get, ok, web


def test_every_write_gets_a_higher_resource_version(cluster):
    """Each write stores a new, larger metadata.resourceVersion (etcd's revision)."""
    ok(cluster, "kubectl apply -f -", web(1))
    first = int(get(cluster, "deployment web")[0]["metadata"]["resourceVersion"])
    ok(cluster, "kubectl scale deployment web --replicas=2")
    second = int(get(cluster, "deployment web")[0]["metadata"]["resourceVersion"])
    assert second > first


def test_generation_grows_only_when_the_spec_changes(cluster):
    """metadata.generation goes up on spec changes, not on status writes or label edits."""
    ok(cluster, "kubectl apply -f -", web(1))
    cluster.advance(10)
    assert get(cluster, "deployment web")[0]["metadata"]["generation"] == 1
    ok(cluster, "kubectl label deployment web team=blue")
    assert get(cluster, "deployment web")[0]["metadata"]["generation"] == 1
    ok(cluster, "kubectl scale deployment web --replicas=2")
    assert get(cluster, "deployment web")[0]["metadata"]["generation"] == 2


def test_the_etcd_view_lists_keys_with_resource_versions(cluster):
    """snapshot()['etcd'] shows real etcd keys (/registry/...) with their resourceVersion."""
    ok(cluster, "kubectl apply -f -", web(1))
    etcd = cluster.snapshot()["etcd"]
    entry = etcd["/registry/deployments/default/web"]
    assert entry["resourceVersion"] == get(cluster, "deployment web")[0]["metadata"]["resourceVersion"]
    assert "/registry/minions/worker-1" in etcd


def test_version_increases_on_every_change_and_not_on_reads(cluster):
    """cluster.version grows with state changes and stays put for read-only commands."""
    v0 = cluster.version
    ok(cluster, "kubectl get pods")
    assert cluster.version == v0
    ok(cluster, "kubectl apply -f -", web(1))
    assert cluster.version > v0


def _index_view(store):
    return {
        "owner_stats": {k: list(v) for k, v in store.owner_stats.items() if v != [0, 0]},
        "node_usage": {k: list(v) for k, v in store.node_usage.items() if any(v)},
        "owner_node_count": dict(store.owner_node_count),
        "unscheduled": set(store.unscheduled),
        "pods_by_node": {k: set(v) for k, v in store.pods_by_node.items() if v},
        "pod_labels": {k: set(v) for k, v in store.pod_labels.items() if v},
        "by_owner": {k: set(v) for k, v in store.by_owner.items() if v},
    }


def test_incremental_indexes_match_indexes_rebuilt_from_scratch():
    """After rollouts, crashes, evictions and deletions the live indexes equal a fresh rebuild."""
    from visualizer.engine import Cluster

    c = Cluster(workers=3, seed=4)
    ok(c, "kubectl apply -f -", web(4).replace("cpu: 100m", "cpu: 300m"))
    c.advance(15)
    ok(c, "kubectl set image deployment/web nginx=nginx:1.21")
    c.advance(5)
    ok(c, "kubectl run once --image=busybox:1.36 --restart=Never -- echo hi")
    ok(c, "sim fail-node worker-1")
    c.advance(400)
    ok(c, "kubectl scale deployment web --replicas=9")
    c.advance(30)
    ok(c, "kubectl delete deployment web")
    c.advance(5)
    rebuilt = Cluster.from_dict(c.to_dict())
    assert _index_view(c.store) == _index_view(rebuilt.store)
