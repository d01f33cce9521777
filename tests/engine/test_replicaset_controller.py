"""ReplicaSet controller: real pod names, self-healing, scale-down order, garbage collection."""

import re

from .conftest import get, ok, pods, running_ready, web

POD_NAME = re.compile(r"^web-[bcdfghjklmnpqrstvwxz2456789]{6,10}-[bcdfghjklmnpqrstvwxz2456789]{5}$")


def test_pod_names_are_deployment_hash_and_five_safe_characters(cluster):
    """Pods are named <deploy>-<pod-template-hash>-<5 chars from the safe alphabet>."""
    ok(cluster, "kubectl apply -f -", web(3))
    rs = get(cluster, "rs")[0]
    pod_hash = rs["metadata"]["labels"]["pod-template-hash"]
    for p in pods(cluster, "web-"):
        assert POD_NAME.match(p["metadata"]["name"])
        assert p["metadata"]["name"].startswith(f"web-{pod_hash}-")
        owner = p["metadata"]["ownerReferences"][0]
        assert (owner["kind"], owner["name"], owner["controller"]) == (
            "ReplicaSet",
            rs["metadata"]["name"],
            True,
        )


def test_a_deleted_pod_is_replaced_at_once(cluster):
    """Deleting a pod makes the ReplicaSet create a replacement immediately (step 6 narration)."""
    ok(cluster, "kubectl apply -f -", web(3))
    cluster.advance(15)
    victim = running_ready(cluster, "web-")[0]
    events = ok(cluster, f"kubectl delete pod {victim}").events
    created = [e for e in events if e["reason"] == "SuccessfulCreate"]
    assert len(created) == 1 and created[0]["step"] == 6
    assert "대신할" in created[0]["ko"]
    cluster.advance(15)
    names = running_ready(cluster, "web-")
    assert len(names) == 3 and victim not in names


def test_scale_down_removes_not_ready_pods_first(cluster):
    """Scaling down deletes a pod that is not ready before ready ones."""
    ok(cluster, "kubectl apply -f -", web(3))
    cluster.advance(15)
    ok(cluster, "kubectl scale deployment web --replicas=4")
    new = [p["metadata"]["name"] for p in pods(cluster, "web-") if p["status"]["phase"] == "Pending"]
    ok(cluster, "kubectl scale deployment web --replicas=3")
    deleting = [
        p["metadata"]["name"] for p in pods(cluster, "web-") if p["metadata"].get("deletionTimestamp")
    ]
    assert deleting == new or not [p for p in pods(cluster, "web-") if p["metadata"]["name"] in new]


def test_deleting_a_deployment_cascades_to_replica_sets_and_pods(cluster):
    """kubectl delete deployment removes its ReplicaSets and pods (background cascading)."""
    ok(cluster, "kubectl apply -f -", web(2))
    cluster.advance(15)
    # kubectl 1.37 names the namespace (the real kubectl's line: tests/kubeapi/test_console_oracle.py)
    assert (
        ok(cluster, "kubectl delete deployment web").output
        == 'deployment.apps "web" deleted from default namespace'
    )
    cluster.advance(10)
    assert get(cluster, "rs") == [] or not get(cluster, "rs")
    assert ok(cluster, "kubectl get pods").output == "No resources found in default namespace."
