"""The snapshot's workload sections (statefulsets, daemonsets, jobs, cronjobs) and kube-system objects.

The toy cluster page draws an owner card for every workload kind with the pods it owns; these tests check the
items it draws from, and that `apply_diff` keeps reproducing `snapshot()` while those objects change (their
sections are rebuilt from the etcd keys every write touches).
"""

import json

from tests import node
from tests.engine.conftest import ok
from tests.engine.world.examples import HELLO_CRONJOB as HELLO_CJ
from tests.engine.world.examples import PI_JOB as PI
from tests.engine.world.test_world_workloads import FLUENTD
from tests.visualizer.test_js_modules import run_node
from visualizer.engine import Cluster, apply_diff

# kubernetes.io/docs/concepts/workloads/controllers/statefulset/ (trimmed to the StatefulSet, no PVC template)
WEB_STS = """
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: nginx
  serviceName: nginx
  replicas: 3
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: registry.k8s.io/nginx-slim:0.24
        ports:
        - containerPort: 80
"""


def _snap(c: Cluster) -> dict:
    return json.loads(json.dumps(c.snapshot()))


def test_user_daemonset_in_kube_system_shows_but_the_clusters_kube_proxy_does_not():
    c = Cluster(workers=3, seed=3)
    assert c.snapshot()["daemonsets"] == {}
    assert not any(i.startswith("kube-system/") for i in c.snapshot()["pods"])
    ok(c, "kubectl apply -f -", FLUENTD)
    c.advance(300)
    snap = _snap(c)
    ds = snap["daemonsets"]["kube-system/fluentd-elasticsearch"]
    # kubectl get ds: DESIRED 4 CURRENT 4 (the control plane is tolerated).
    assert (ds["desired"], ds["current"]) == (4, 4)
    assert ds["images"] == ["quay.io/fluentd_elasticsearch/fluentd:v5.0.1"]
    owned = [
        p
        for p in snap["pods"].values()
        if p["owner"] == {"kind": "DaemonSet", "name": "fluentd-elasticsearch"}
    ]
    assert sorted(p["node"] for p in owned) == ["control-plane", "worker-1", "worker-2", "worker-3"]
    assert all(p["namespace"] == "kube-system" for p in owned)
    assert ds["ready"] == sum(p["ready"] for p in owned)
    assert "kube-system/kube-proxy" not in snap["daemonsets"]
    assert len([i for i in snap["pods"] if i.startswith("kube-system/")]) == 4


def test_statefulset_job_and_cronjob_items_match_kubectl_get():
    c = Cluster(workers=3, seed=7)
    ok(c, "kubectl apply -f -", WEB_STS)
    ok(c, "kubectl apply -f -", PI)
    ok(c, "kubectl apply -f -", HELLO_CJ)
    c.advance(150)
    snap = _snap(c)
    sts = snap["statefulsets"]["default/web"]
    assert (sts["replicas"], sts["ready"], sts["serviceName"]) == (3, 3, "nginx")
    assert sorted(
        p["name"] for p in snap["pods"].values() if p["owner"] == {"kind": "StatefulSet", "name": "web"}
    ) == [
        "web-0",
        "web-1",
        "web-2",
    ]
    pi = snap["jobs"]["default/pi"]
    assert (pi["status"], pi["succeeded"], pi["completions"], pi["owner"]) == ("Complete", 1, 1, None)
    pi_pod = next(p for p in snap["pods"].values() if p["owner"] == {"kind": "Job", "name": "pi"})
    # kubectl get pods: READY 0/1, STATUS Completed; the pod is not Ready (phase Succeeded).
    assert (pi_pod["phase"], pi_pod["status"], pi_pod["ready"], pi_pod["readyText"]) == (
        "Succeeded",
        "Completed",
        False,
        "0/1",
    )
    cj = snap["cronjobs"]["default/hello"]
    assert cj["schedule"] == "* * * * *" and cj["lastScheduleTime"] is not None
    hello_jobs = [j for j in snap["jobs"].values() if j["owner"] == {"kind": "CronJob", "name": "hello"}]
    assert hello_jobs and all(j["name"].startswith("hello-") for j in hello_jobs)


def test_apply_diff_reproduces_the_snapshot_through_workload_changes():
    c = Cluster(workers=3, seed=11)
    base = c.snapshot()
    version = c.version
    steps = [
        ("kubectl apply -f -", WEB_STS),
        ("kubectl apply -f -", FLUENTD),
        ("kubectl apply -f -", PI),
        ("kubectl scale sts web --replicas=1", None),
        ("kubectl delete ds fluentd-elasticsearch -n kube-system", None),
        ("kubectl delete job pi", None),
    ]
    for command, stdin in steps:
        ok(c, command, stdin)
        for _ in range(4):
            c.advance(7)
            diff = c.diff_since(version)
            base = apply_diff(base, diff)
            version = diff["to"]
            assert base == c.snapshot()
    assert base["statefulsets"]["default/web"]["replicas"] == 1
    assert base["daemonsets"] == {} and base["jobs"] == {}


@node.needs_node
def test_page_model_gives_each_owner_its_pods_and_lays_out_the_control_plane_pods():
    """model.js/layout.js under Node: StatefulSet pods by ordinal (web-10 after web-9), DaemonSet pods on the
    control plane in a box of their own (not "Pending"), a finished Job pod badged Completed."""
    c = Cluster(workers=2, seed=5)
    ok(c, "kubectl apply -f -", WEB_STS.replace("replicas: 3", "replicas: 11"))
    ok(c, "kubectl apply -f -", FLUENTD)
    ok(c, "kubectl apply -f -", PI)
    c.advance(400)
    out = run_node(
        """
        import { buildModel, podBadge } from "./model.js";
        import { computeLayout } from "./layout.js";
        const m = buildModel(DATA);
        const L = computeLayout(m, { width: 1000 });
        const ds = m.daemonsets[0];
        console.log(JSON.stringify({
          sts: m.statefulsets.map((s) => s.pods.map((p) => p.name)),
          ds: [ds.name, ds.namespace, ds.pods.length],
          jobs: m.jobs.map((j) => [j.name, j.status, j.pods.map((p) => podBadge(p).text)]),
          boxes: L.nodes.map((n) => [n.name, Boolean(n.controlPlane)]),
          pending: L.pending,
          cpPods: Object.values(L.pods).filter((r) => r.node === "control-plane").length,
          band: Object.keys(L.bandItems).map((k) => k.split(":")[0]),
        }));
        """,
        c.snapshot(),
    )
    assert out["sts"] == [[f"web-{i}" for i in range(11)]]
    assert out["ds"] == ["fluentd-elasticsearch", "kube-system", 3]
    assert out["jobs"] == [["pi", "Complete", ["✓ Completed"]]]
    assert out["boxes"] == [["worker-1", False], ["worker-2", False], ["control-plane", True]]
    assert out["pending"] is None and out["cpPods"] == 1
    assert out["band"] == ["statefulset", "daemonset", "job"]
