"""Garbage collector: background cascading deletion, and --cascade=orphan keeping the children."""

from .conftest import get, ok, pods, web


def test_deleting_a_replicaset_deletes_its_pods(cluster):
    """Pods owned by a deleted ReplicaSet are deleted by the garbage collector."""
    ok(cluster, "kubectl apply -f -", web(2))
    cluster.advance(10)
    rs = get(cluster, "rs")[0]["metadata"]["name"]
    ok(cluster, "kubectl delete deployment web --cascade=orphan")
    events = ok(cluster, f"kubectl delete rs {rs}").events
    assert any(e["component"] == "controller-manager/garbage-collector" for e in events)
    cluster.advance(10)
    assert pods(cluster, "web-") == []


def test_orphan_cascade_keeps_children_without_owner(cluster):
    """--cascade=orphan deletes the Deployment but keeps its ReplicaSet and pods, now without an owner."""
    ok(cluster, "kubectl apply -f -", web(2))
    cluster.advance(10)
    ok(cluster, "kubectl delete deployment web --cascade=orphan")
    cluster.advance(10)
    rs = get(cluster, "rs")
    assert len(rs) == 1 and "ownerReferences" not in rs[0]["metadata"]
    assert len(pods(cluster, "web-")) == 2
