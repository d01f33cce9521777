"""snapshot(), diff_since() and apply_diff(): the visualizer's view and its diff contract."""

import json

from visualizer.engine import Cluster, apply_diff
from visualizer.engine.undo import Checkpoint

from .conftest import SERVICE, ok, web


def test_snapshot_is_json_ready_and_has_every_section(cluster):
    """The snapshot serialises to JSON and has the documented sections."""
    ok(cluster, "kubectl apply -f -", web(2) + "---\n" + SERVICE)
    cluster.advance(10)
    snap = json.loads(json.dumps(cluster.snapshot()))
    for key in (
        "version",
        "now",
        "nodes",
        "pods",
        "deployments",
        "replicasets",
        "services",
        "hpas",
        "secrets",
        "pvs",
        "pvcs",
        "storageclasses",
        "etcd",
        "events",
        "trace",
    ):
        assert key in snap
    node = snap["nodes"]["worker-1"]
    assert node["role"] == "worker" and node["status"] == "Ready"
    assert {c["name"] for c in node["components"]} >= {"kubelet", "kube-proxy"}
    assert snap["nodes"]["control-plane"]["role"] == "control-plane"
    pod = next(iter(snap["pods"].values()))
    assert pod["owner"]["kind"] == "ReplicaSet" and pod["status"] == "Running" and pod["bare"] is False


def test_the_trace_follows_the_six_steps(cluster):
    """The last command's trace runs user → apiserver → etcd → controllers → scheduler → kubelet."""
    ok(cluster, "kubectl apply -f -", web(1))
    trace = cluster.snapshot()["trace"]
    components = [t["component"] for t in trace]
    assert components[:3] == ["user", "apiserver", "etcd"]
    assert "scheduler" in components and any(c.startswith("kubelet/") for c in components)
    assert {t["step"] for t in trace} >= {1, 2, 3, 4, 5}


def _replay(cluster, actions):
    base = cluster.snapshot()
    v0 = cluster.version
    for action in actions:
        action()
    diff = cluster.diff_since(v0)
    assert diff is not None
    assert apply_diff(base, diff) == cluster.snapshot()
    json.dumps(diff)


def test_apply_diff_reproduces_the_later_snapshot_through_a_busy_history(cluster):
    """snapshot(v) + diff_since(v) equals snapshot(now) across rollouts, traffic, crashes, docker and secrets."""
    ok(cluster, "kubectl apply -f -", web(3) + "---\n" + SERVICE)
    _replay(cluster, [lambda: cluster.advance(12)])
    _replay(
        cluster,
        [
            lambda: ok(cluster, "kubectl set image deployment/web nginx=nginx:1.21"),
            lambda: cluster.advance(3),
            lambda: ok(cluster, "sim traffic web 20"),
            lambda: ok(cluster, "docker run -d --name api --restart always nginx:1.20"),
            lambda: ok(cluster, "sim crash api"),
            lambda: cluster.advance(30),
        ],
    )
    _replay(
        cluster,
        [
            lambda: ok(cluster, "kubectl create secret generic db --from-literal=p=x"),
            lambda: ok(cluster, "sim encrypt-at-rest on"),
            lambda: ok(cluster, "sim fail-node worker-3"),
            lambda: cluster.advance(70),
            lambda: ok(cluster, "kubectl delete deployment web"),
            lambda: cluster.advance(40),
        ],
    )


def test_an_empty_diff_only_moves_the_clock(cluster):
    """With no change the diff has no sections and apply_diff still matches (now moved)."""
    cluster.advance(1)
    base, v0 = cluster.snapshot(), cluster.version
    cluster.advance(1)
    diff = cluster.diff_since(v0)
    assert diff["sections"] == {} and apply_diff(base, diff) == cluster.snapshot()


def test_diff_since_a_version_that_is_too_old_or_unknown_is_none():
    """A restored cluster has no change log: older versions need a resync (None); so do future versions."""
    c = Cluster(seed=3)
    ok(c, "kubectl apply -f -", web(1))
    restored = Cluster.from_dict(c.to_dict())
    assert restored.diff_since(0) is None
    assert restored.diff_since(restored.version + 5) is None
    assert restored.diff_since(restored.version) is not None


def test_the_etcd_view_shows_base64_or_encrypted_secrets(cluster):
    """Secrets appear in etcd as base64 JSON until encryption at rest is on, then as k8s:enc:aescbc."""
    ok(cluster, "kubectl create secret generic db --from-literal=password=s3cret")
    entry = cluster.snapshot()["etcd"]["/registry/secrets/default/db"]
    assert "czNjcmV0" in entry["value"] and not entry["encrypted"]
    ok(cluster, "sim encrypt-at-rest on")
    entry = cluster.snapshot()["etcd"]["/registry/secrets/default/db"]
    assert entry["value"].startswith("k8s:enc:aescbc:v1:key1:") and "czNjcmV0" not in entry["value"]
    assert entry["encrypted"]
    assert "czNjcmV0" in ok(cluster, "kubectl get secret db -o yaml").output


def test_images_keep_the_order_the_cluster_first_ran_them_and_diffs_carry_it(cluster):
    """The page colours versions by `images` (static/js/visualizer/model.js): the order in which the cluster
    first ran each image, not the order a page first saw it, so every page agrees. Kubeadm's add-ons (CoreDNS,
    kube-proxy) are not in it; a Deployment's new template image is appended by `kubectl set image` before its
    pods exist; `docker run` appends too; a diff carries the list only when it grew, and apply_diff keeps
    snapshot(from) + diff == snapshot(to)."""
    assert cluster.snapshot()["images"] == []
    start = cluster.snapshot()
    ok(cluster, "kubectl create deployment web --image=nginx:1.20 --replicas=2")
    cluster.advance(3)
    diff = cluster.diff_since(start["version"])
    assert diff["images"] == ["nginx:1.20"]
    assert apply_diff(start, diff) == cluster.snapshot()
    middle = cluster.snapshot()
    cluster.advance(2)
    assert "images" not in cluster.diff_since(middle["version"])  # unchanged: not sent
    ok(cluster, "kubectl set image deployment/web nginx=nginx:1.21")
    ok(cluster, "docker run -d --name legacy redis:7")
    ok(cluster, "kubectl run solo --image=nginx:1.20")  # known already: no new entry
    cluster.advance(5)
    diff = cluster.diff_since(middle["version"])
    assert diff["images"] == ["nginx:1.20", "nginx:1.21", "redis:7"]
    assert apply_diff(middle, diff) == cluster.snapshot()
    assert cluster.snapshot()["images"] == ["nginx:1.20", "nginx:1.21", "redis:7"]


def test_images_survive_a_save_and_a_rollback_takes_back_what_it_added(cluster):
    """A reloaded cluster (to_dict/from_dict) keeps the order, so a page opened after a restart colours as
    before; what the undo journal rolls back leaves no image behind."""
    ok(cluster, "kubectl create deployment web --image=nginx:1.21")
    ok(cluster, "kubectl create deployment old --image=nginx:1.20")
    restored = Cluster.from_dict(json.loads(json.dumps(cluster.to_dict())))
    assert restored.snapshot()["images"] == ["nginx:1.21", "nginx:1.20"]
    state = cluster.to_dict()
    del state["images"]  # saved before the list existed: rebuilt from the stored objects in creation order
    assert Cluster.from_dict(state).images == {"nginx:1.21": None, "nginx:1.20": None}
    before = cluster.snapshot()
    checkpoint = Checkpoint(cluster)  # what a console command that fails inside the engine rolls back
    cluster.note_images(["busybox:1.36"])  # as a Deployment created by that command would
    assert list(cluster.images) == ["nginx:1.21", "nginx:1.20", "busybox:1.36"]
    checkpoint.rollback()
    assert list(cluster.images) == ["nginx:1.21", "nginx:1.20"]
    assert cluster.snapshot() == before
