"""Real-world cases for the workload kinds: DaemonSet, StatefulSet, Job, CronJob, ReplicaSet/ReplicationController
ownership, and cascading deletion — each modelled on the kubernetes.io page it cites.

Images: every page's image is in the registry catalogue; `_image()` would fall back to an nginx tag if one
were removed from it (what is asserted does not depend on which nginx build serves). The perl π Job and the
busybox CronJob run their real programs.
"""

import pytest

from tests.engine.conftest import get, ok, pods
from tests.engine.world.examples import HELLO_CRONJOB as HELLO
from tests.engine.world.examples import NGINX_DEPLOYMENT, PI_JOB, WEB_STATEFULSET
from tests.engine.world.helpers import table
from visualizer.engine import Cluster
from visualizer.engine.registry import parse_image


def _image(wanted: str, fallback: str = "nginx:1.25") -> str:
    """Returns the page's image when the catalogue has it, else a catalogue nginx (see the module docstring)."""
    ref = parse_image(wanted)
    return wanted if not isinstance(ref, str) and ref.exists else fallback


def _events(c, reason=None, obj=None):
    return [
        e
        for e in c.events
        if not e["synthetic"]
        and (reason is None or e["reason"] == reason)
        and (obj is None or e["object"] == obj)
    ]


# ---------------------------------------------------------------------------------------------- DaemonSet
FLUENTD = """
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: fluentd-elasticsearch
  namespace: kube-system
  labels:
    k8s-app: fluentd-logging
spec:
  selector:
    matchLabels:
      name: fluentd-elasticsearch
  template:
    metadata:
      labels:
        name: fluentd-elasticsearch
    spec:
      tolerations:
      # these tolerations are to have the daemonset runnable on control plane nodes
      # remove them if your control plane nodes should not run pods
      - key: node-role.kubernetes.io/control-plane
        operator: Exists
        effect: NoSchedule
      - key: node-role.kubernetes.io/master
        operator: Exists
        effect: NoSchedule
      containers:
      - name: fluentd-elasticsearch
        image: quay.io/fluentd_elasticsearch/fluentd:v5.0.1
        resources:
          limits:
            memory: 200Mi
          requests:
            cpu: 100m
            memory: 200Mi
        volumeMounts:
        - name: varlog
          mountPath: /var/log
      terminationGracePeriodSeconds: 30
      volumes:
      - name: varlog
        hostPath:
          path: /var/log
"""


@pytest.mark.cites("https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/")
def test_fluentd_daemonset_runs_one_pod_on_every_node_control_plane_included(cluster):
    """The docs' fluentd-elasticsearch DaemonSet tolerates the control-plane taint: 4 nodes, 4 pods, one each,
    each pinned by node affinity `matchFields metadata.name` and given the automatic tolerations."""
    assert ok(cluster, "kubectl apply -f -", FLUENTD).output == "daemonset.apps/fluentd-elasticsearch created"
    rows = table(cluster, "kubectl get ds fluentd-elasticsearch -n kube-system")
    assert rows[0] == [
        "NAME",
        "DESIRED",
        "CURRENT",
        "READY",
        "UP-TO-DATE",
        "AVAILABLE",
        "NODE",
        "SELECTOR",
        "AGE",
    ]
    assert rows[1][:3] == ["fluentd-elasticsearch", "4", "4"] and rows[1][5:7] == ["0", "<none>"]
    ds_pods = [p for p in get(cluster, "pods -n kube-system") if p["metadata"]["name"].startswith("fluentd-")]
    nodes = sorted(p["spec"]["nodeName"] for p in ds_pods)
    assert nodes == ["control-plane", "worker-1", "worker-2", "worker-3"]
    for p in ds_pods:
        term = p["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
        assert term["nodeSelectorTerms"] == [
            {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [p["spec"]["nodeName"]]}]}
        ]
        tolerated = {(t.get("key"), t.get("effect")) for t in p["spec"]["tolerations"]}
        assert ("node.kubernetes.io/unschedulable", "NoSchedule") in tolerated
        assert ("node.kubernetes.io/not-ready", "NoExecute") in tolerated
        # DaemonSet pods are never evicted from a not-ready node: no tolerationSeconds.
        assert all("tolerationSeconds" not in t for t in p["spec"]["tolerations"])
        assert p["metadata"]["ownerReferences"][0]["kind"] == "DaemonSet"
    ds = get(cluster, "ds fluentd-elasticsearch -n kube-system")[0]
    assert ds["spec"]["updateStrategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1},
    }


@pytest.mark.cites("https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/")
def test_daemonset_without_the_tolerations_skips_the_control_plane_but_not_a_cordoned_node(cluster):
    """ "Remove them if your control plane nodes should not run pods": 3 pods on the workers; a cordoned worker
    still gets its pod back after it is deleted (DaemonSet pods tolerate node.kubernetes.io/unschedulable)."""
    manifest = (
        FLUENTD.split("      tolerations:")[0] + "      containers:" + FLUENTD.split("      containers:")[1]
    )
    ok(cluster, "kubectl apply -f -", manifest)
    rows = table(cluster, "kubectl get ds -n kube-system fluentd-elasticsearch")
    assert rows[1][1:3] == ["3", "3"]
    ok(cluster, "kubectl cordon worker-2")
    victim = next(
        p["metadata"]["name"]
        for p in get(cluster, "pods -n kube-system")
        if p["metadata"]["name"].startswith("fluentd-") and p["spec"]["nodeName"] == "worker-2"
    )
    ok(cluster, f"kubectl delete pod {victim} -n kube-system")
    cluster.advance(40)
    on_nodes = sorted(
        p["spec"]["nodeName"]
        for p in get(cluster, "pods -n kube-system")
        if p["metadata"]["name"].startswith("fluentd-")
    )
    assert on_nodes == ["worker-1", "worker-2", "worker-3"]


@pytest.mark.cites("https://kubernetes.io/docs/concepts/overview/components/")
def test_kube_proxy_is_a_daemonset_with_a_pod_on_every_node(cluster):
    """kube-proxy runs on each node: kubeadm installs it as the `kube-proxy` DaemonSet in kube-system."""
    rows = table(cluster, "kubectl get ds -n kube-system")
    assert rows[1] == ["kube-proxy", "4", "4", "4", "4", "4", "kubernetes.io/os=linux", "0s"]
    wide = table(cluster, "kubectl get pods -n kube-system -l k8s-app=kube-proxy -o wide")
    assert sorted(r[6] for r in wide[1:]) == ["control-plane", "worker-1", "worker-2", "worker-3"]
    assert all(r[0].startswith("kube-proxy-") and r[1:3] == ["1/1", "Running"] for r in wide[1:])
    # The student's default namespace stays empty of them.
    assert ok(cluster, "kubectl get pods").output == "No resources found in default namespace."


@pytest.mark.cites("https://kubernetes.io/docs/tasks/administer-cluster/safely-drain-node/")
def test_drain_refuses_daemonset_pods_without_ignore_daemonsets(cluster):
    """`kubectl drain` stops at the kube-proxy pod and names the flag; with --ignore-daemonsets it leaves the
    DaemonSet pod where it is and evicts the rest."""
    from tests.engine.conftest import web

    ok(cluster, "kubectl apply -f -", web(3))
    cluster.advance(15)
    proxy = next(
        p["metadata"]["name"]
        for p in get(cluster, "pods -n kube-system")
        if p["spec"]["nodeName"] == "worker-1"
    )
    result = cluster.run("kubectl drain worker-1")
    assert not result.ok
    assert (
        f"error: cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): kube-system/{proxy}"
        in result.output
    )
    # The refused drain left the node cordoned, as kubectl does; the second drain finds it so.
    out = ok(cluster, "kubectl drain worker-1 --ignore-daemonsets").output.splitlines()
    assert out[:2] == [
        "node/worker-1 already cordoned",
        f"Warning: ignoring DaemonSet-managed Pods: kube-system/{proxy}",
    ]
    assert out[-1] == "node/worker-1 drained"
    assert all(proxy not in line for line in out[2:])
    cluster.advance(15)
    assert proxy in [p["metadata"]["name"] for p in get(cluster, "pods -n kube-system")]


# ---------------------------------------------------------------------------------------------- StatefulSet
def _web(c, replicas=2):
    # The page's image, or a catalogue nginx if the catalogue lost it (see the module docstring).
    text = WEB_STATEFULSET.replace(
        "registry.k8s.io/nginx-slim:0.24", _image("registry.k8s.io/nginx-slim:0.24")
    ).replace("replicas: 2", f"replicas: {replicas}")
    out = ok(c, "kubectl apply -f -", text).output
    assert out == "service/nginx created\nstatefulset.apps/web created"


def _running_ready(c, name):
    for p in pods(c, name):
        conds = {cd["type"]: cd["status"] for cd in p["status"].get("conditions", [])}
        if (
            p["metadata"]["name"] == name
            and p["status"]["phase"] == "Running"
            and conds.get("Ready") == "True"
        ):
            return True
    return False


@pytest.mark.cites("https://kubernetes.io/docs/tutorials/stateful-application/basic-stateful-set/")
def test_statefulset_tutorial_starts_web_0_then_web_1_with_their_own_claims(cluster):
    """web-1 is not created until web-0 is Running and Ready (and, with minReadySeconds 10, available);
    each pod gets its claim www-web-N, Bound to a provisioned 1Gi volume."""
    _web(cluster)
    assert [p["metadata"]["name"] for p in pods(cluster, "web-")] == ["web-0"]
    for _ in range(60):
        cluster.advance(1)
        if pods(cluster, "web-1"):
            break
    assert _running_ready(cluster, "web-0")
    ready_at = next(
        cd["lastTransitionTime"]
        for cd in pods(cluster, "web-0")[0]["status"]["conditions"]
        if cd["type"] == "Ready"
    )
    assert pods(cluster, "web-1")[0]["metadata"]["creationTimestamp"] >= ready_at
    cluster.advance(40)
    assert table(cluster, "kubectl get sts web")[1][:2] == ["web", "2/2"]
    pvc = table(cluster, "kubectl get pvc")
    assert [r[:2] for r in pvc[1:]] == [["www-web-0", "Bound"], ["www-web-1", "Bound"]]
    assert all(r[3:6] == ["1Gi", "RWO", "standard"] for r in pvc[1:])
    web0 = pods(cluster, "web-0")[0]
    assert web0["spec"]["hostname"] == "web-0" and web0["spec"]["subdomain"] == "nginx"
    assert {"name": "www", "persistentVolumeClaim": {"claimName": "www-web-0"}} in web0["spec"]["volumes"]
    assert web0["metadata"]["labels"]["statefulset.kubernetes.io/pod-name"] == "web-0"
    messages = [e["message"] for e in _events(cluster, obj="statefulset/web")]
    assert messages == [
        "create Claim www-web-0 Pod web-0 in StatefulSet web success",
        "create Pod web-0 in StatefulSet web successful",
        "create Claim www-web-1 Pod web-1 in StatefulSet web success",
        "create Pod web-1 in StatefulSet web successful",
    ]


@pytest.mark.cites("https://kubernetes.io/docs/tutorials/stateful-application/basic-stateful-set/")
def test_statefulset_scales_down_from_the_highest_ordinal_and_keeps_the_claims(cluster):
    """Scaling 5 → 3 deletes web-4 then web-3; their PersistentVolumeClaims stay (5 claims)."""
    _web(cluster)
    cluster.advance(60)
    assert ok(cluster, "kubectl scale sts web --replicas=5").output == "statefulset.apps/web scaled"
    cluster.advance(120)
    assert table(cluster, "kubectl get sts web")[1][1] == "5/5"
    ok(cluster, "kubectl scale sts web --replicas=3")
    cluster.advance(60)
    assert [p["metadata"]["name"] for p in pods(cluster, "web-")] == ["web-0", "web-1", "web-2"]
    deletes = [e["message"] for e in _events(cluster, "SuccessfulDelete", "statefulset/web")]
    assert deletes == [
        "delete Pod web-4 in StatefulSet web successful",
        "delete Pod web-3 in StatefulSet web successful",
    ]
    assert [r[0] for r in table(cluster, "kubectl get pvc")[1:]] == [f"www-web-{i}" for i in range(5)]


@pytest.mark.cites("https://kubernetes.io/docs/tutorials/stateful-application/basic-stateful-set/")
def test_a_deleted_statefulset_pod_comes_back_with_its_name_and_its_claim(cluster):
    """Pods in a StatefulSet have a sticky identity: web-0 is recreated as web-0 and mounts www-web-0 again."""
    _web(cluster)
    cluster.advance(60)
    volume = get(cluster, "pvc www-web-0")[0]["spec"]["volumeName"]
    old_uid = pods(cluster, "web-0")[0]["metadata"]["uid"]
    ok(cluster, "kubectl delete pod web-0")
    cluster.advance(60)
    new = pods(cluster, "web-0")[0]
    assert new["metadata"]["uid"] != old_uid and _running_ready(cluster, "web-0")
    assert {"name": "www", "persistentVolumeClaim": {"claimName": "www-web-0"}} in new["spec"]["volumes"]
    assert get(cluster, "pvc www-web-0")[0]["spec"]["volumeName"] == volume


@pytest.mark.cites("https://kubernetes.io/docs/tutorials/stateful-application/basic-stateful-set/")
def test_statefulset_partitioned_rolling_update_updates_only_ordinals_at_or_above_the_partition(cluster):
    """With partition 2 an image change reaches web-2 only; rollout status reports the partitioned roll out."""
    _web(cluster, replicas=3)
    cluster.advance(90)
    sts = get(cluster, "sts web")[0]
    old_image = sts["spec"]["template"]["spec"]["containers"][0]["image"]
    text = WEB_STATEFULSET.replace("registry.k8s.io/nginx-slim:0.24", "nginx:1.26").replace(
        "replicas: 2", "replicas: 3"
    )
    text = text.replace(
        "  minReadySeconds: 10\n",
        "  minReadySeconds: 10\n  updateStrategy:\n    type: RollingUpdate\n"
        "    rollingUpdate:\n      partition: 2\n",
    )
    ok(cluster, "kubectl apply -f -", text)
    cluster.advance(60)
    images = {p["metadata"]["name"]: p["spec"]["containers"][0]["image"] for p in pods(cluster, "web-")}
    assert images == {"web-0": old_image, "web-1": old_image, "web-2": "nginx:1.26"}
    assert (
        ok(cluster, "kubectl rollout status sts/web").output
        == "partitioned roll out complete: 1 new pods have been updated..."
    )
    history = ok(cluster, "kubectl rollout history statefulset/web").output.splitlines()
    assert history[0] == "statefulset.apps/web " and [r.split()[0] for r in history[2:]] == ["1", "2"]


# ---------------------------------------------------------------------------------------------- Job
@pytest.mark.cites("https://kubernetes.io/docs/concepts/workloads/controllers/job/")
def test_pi_job_completes_and_its_pod_log_holds_pi():
    """The docs' pi Job: `kubectl get jobs` shows Complete 1/1 and the pod's log starts 3.14159265358979."""
    c = Cluster(workers=3, seed=7)
    ok(c, "kubectl apply -f -", PI_JOB)
    c.advance(120)
    rows = table(c, "kubectl get jobs")
    assert rows[1][:3] == ["pi", "Complete", "1/1"]
    assert ok(c, "kubectl logs job/pi").output.startswith("3.14159265358979")


@pytest.mark.cites("https://kubernetes.io/docs/concepts/workloads/controllers/job/")
def test_pi_job_manifest_gets_the_job_defaults_and_labels(cluster):
    """The API server defaults the pi Job (completions 1, parallelism 1, NonIndexed) and labels its pod
    template with the generated controller-uid selector and the job name."""
    ok(cluster, "kubectl apply -f -", PI_JOB)
    job = get(cluster, "job pi")[0]
    spec, uid = job["spec"], job["metadata"]["uid"]
    assert (spec["completions"], spec["parallelism"], spec["backoffLimit"], spec["completionMode"]) == (
        1,
        1,
        4,
        "NonIndexed",
    )
    assert spec["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
    pod = pods(cluster, "pi-")[0]
    assert pod["metadata"]["labels"]["batch.kubernetes.io/job-name"] == "pi"
    assert pod["metadata"]["labels"]["job-name"] == "pi"
    assert pod["metadata"]["ownerReferences"][0]["kind"] == "Job"
    assert [e["message"] for e in _events(cluster, "SuccessfulCreate", "job/pi")] == [
        f"Created pod: {pod['metadata']['name']}"
    ]


@pytest.mark.cites("https://kubernetes.io/docs/concepts/workloads/controllers/job/")
def test_a_job_template_must_restart_never_or_on_failure(cluster):
    """ "Only a RestartPolicy equal to Never or OnFailure is allowed": without one, the API server refuses."""
    result = cluster.run("kubectl apply -f -", PI_JOB.replace("      restartPolicy: Never\n", ""))
    assert not result.ok
    assert result.output == (
        'The Job "pi" is invalid: spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", '
        '"Never"'
    )
    assert ok(cluster, "kubectl get jobs").output == "No resources found in default namespace."


@pytest.mark.cites("https://kubernetes.io/docs/concepts/workloads/controllers/job/")
def test_a_job_with_completions_runs_pods_until_three_succeed(cluster):
    """completions 3, parallelism 1 (a busybox that exits 0): three pods one after another, then Complete 3/3."""
    manifest = """
apiVersion: batch/v1
kind: Job
metadata:
  name: count
spec:
  completions: 3
  template:
    spec:
      containers:
      - name: c
        image: busybox:1.36
        command: ["sh", "-c", "exit 0"]
      restartPolicy: Never
"""
    ok(cluster, "kubectl apply -f -", manifest)
    assert len(pods(cluster, "count-")) == 1
    cluster.advance(60)
    rows = table(cluster, "kubectl get jobs")
    assert rows[0] == ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"]
    assert rows[1][:3] == ["count", "Complete", "3/3"]
    finished = table(cluster, "kubectl get pods")
    assert len(finished) == 4 and all(r[1:3] == ["0/1", "Completed"] for r in finished[1:])
    job = get(cluster, "job count")[0]
    types = [cd["type"] for cd in job["status"]["conditions"]]
    assert types == ["SuccessCriteriaMet", "Complete"]
    assert job["status"]["conditions"][1]["reason"] == "CompletionsReached"
    assert job["status"]["succeeded"] == 3 and "completionTime" in job["status"]
    assert [e["message"] for e in _events(cluster, "Completed", "job/count")] == ["Job completed"]


@pytest.mark.cites("https://kubernetes.io/docs/concepts/workloads/controllers/job/")
def test_pod_backoff_failure_policy_fails_the_job_after_backoff_limit(cluster):
    """A failing container with backoffLimit 2: pods are replaced after 10 s then 20 s of back-off, and after
    the third failure the Job is Failed with reason BackoffLimitExceeded; the failed pods are kept."""
    manifest = (
        PI_JOB.replace("perl:5.34.0", "busybox:1.36")
        .replace('["perl",  "-Mbignum=bpi", "-wle", "print bpi(2000)"]', '["sh", "-c", "exit 1"]')
        .replace("backoffLimit: 4", "backoffLimit: 2")
    )
    ok(cluster, "kubectl apply -f -", manifest)
    cluster.advance(120)
    created = [e for e in _events(cluster, "SuccessfulCreate", "job/pi")]
    assert len(created) == 3
    failed_pods = table(cluster, "kubectl get pods")[1:]
    assert len(failed_pods) == 3 and all(r[2] == "Error" for r in failed_pods)
    # The replacement delays grow: 10 s after the first failure, 20 s after the second.
    gaps = [b["time"] - a["time"] for a, b in zip(created, created[1:], strict=False)]
    assert 10 <= gaps[0] < 15 and 20 <= gaps[1] < 25
    job = get(cluster, "job pi")[0]
    failed = job["status"]["conditions"][-1]
    assert (failed["type"], failed["reason"], failed["message"]) == (
        "Failed",
        "BackoffLimitExceeded",
        "Job has reached the specified backoff limit",
    )
    assert table(cluster, "kubectl get jobs")[1][:3] == ["pi", "Failed", "0/1"]
    assert [e["type"] for e in _events(cluster, "BackoffLimitExceeded", "job/pi")] == ["Warning"]


@pytest.mark.cites("https://kubernetes.io/docs/concepts/workloads/controllers/job/")
def test_active_deadline_seconds_terminates_a_job_that_runs_too_long(cluster):
    """pi-with-timeout (activeDeadlineSeconds 100, a long-running container): at 100 s the Job is Failed with
    reason DeadlineExceeded and its running pod is terminated."""
    manifest = """
apiVersion: batch/v1
kind: Job
metadata:
  name: pi-with-timeout
spec:
  backoffLimit: 5
  activeDeadlineSeconds: 100
  template:
    spec:
      containers:
      - name: pi
        image: busybox:1.36
        command: ["sh", "-c", "sleep 3600"]
      restartPolicy: Never
"""
    ok(cluster, "kubectl apply -f -", manifest)
    cluster.advance(99)
    assert table(cluster, "kubectl get jobs")[1][1] == "Running"
    cluster.advance(2)
    job = get(cluster, "job pi-with-timeout")[0]
    assert job["status"]["conditions"][-1]["reason"] == "DeadlineExceeded"
    assert job["status"]["conditions"][-1]["message"] == "Job was active longer than specified deadline"
    assert all(p["metadata"].get("deletionTimestamp") for p in pods(cluster, "pi-with-timeout-"))


@pytest.mark.cites("https://kubernetes.io/docs/concepts/workloads/controllers/job/")
def test_ttl_seconds_after_finished_deletes_the_job_and_its_pods(cluster):
    """pi-with-ttl (ttlSecondsAfterFinished 100): the finished Job and its pod are gone 100 s after it completes."""
    manifest = (
        PI_JOB.replace("name: pi\n", "name: pi-with-ttl\n")
        .replace("spec:\n  template:", "spec:\n  ttlSecondsAfterFinished: 100\n  template:")
        .replace("perl:5.34.0", "busybox:1.36")
        .replace('["perl",  "-Mbignum=bpi", "-wle", "print bpi(2000)"]', '["sh", "-c", "exit 0"]')
    )
    ok(cluster, "kubectl apply -f -", manifest)
    cluster.advance(20)
    assert table(cluster, "kubectl get jobs")[1][:2] == ["pi-with-ttl", "Complete"]
    cluster.advance(95)
    assert ok(cluster, "kubectl get jobs").output == "No resources found in default namespace."
    cluster.advance(5)
    assert pods(cluster, "pi-with-ttl-") == []


@pytest.mark.cites("https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/")
def test_hello_cronjob_creates_a_job_named_after_the_scheduled_minute(cluster):
    """`* * * * *` starts a Job at the next minute, named hello-<Unix minutes>; get cronjob shows its columns."""
    assert ok(cluster, "kubectl apply -f -", HELLO).output == "cronjob.batch/hello created"
    rows = table(cluster, "kubectl get cronjob hello")
    assert rows[0] == ["NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST", "SCHEDULE", "AGE"]
    assert rows[1] == ["hello", "*", "*", "*", "*", "*", "<none>", "False", "0", "<none>", "0s"]
    cluster.advance(61)  # the cluster starts at 09:00:00 UTC, 3 March 2025 (Unix 1740992400)
    jobs = get(cluster, "jobs")
    assert [j["metadata"]["name"] for j in jobs] == [f"hello-{(1740992400 + 60) // 60}"]
    assert jobs[0]["metadata"]["ownerReferences"][0]["kind"] == "CronJob"
    assert table(cluster, "kubectl get cronjob hello")[1][-3:] == ["1", "1s", "61s"]
    assert [e["message"] for e in _events(cluster, "SuccessfulCreate", "cronjob/hello")] == [
        "Created job hello-29016541"
    ]


@pytest.mark.cites("https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/")
def test_hello_cronjob_prints_hello_and_keeps_three_successful_jobs():
    """Each run logs "Hello from the Kubernetes cluster"; after five runs only the last 3 Jobs are kept."""
    c = Cluster(workers=3, seed=7)
    ok(c, "kubectl apply -f -", HELLO)
    c.advance(5 * 60 + 30)
    jobs = [j["metadata"]["name"] for j in get(c, "jobs")]
    assert len(jobs) == 3
    assert "Hello from the Kubernetes cluster" in ok(c, f"kubectl logs job/{jobs[-1]}").output


@pytest.mark.cites("https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/")
def test_forbid_concurrency_skips_a_run_while_the_previous_job_is_active(cluster):
    """concurrencyPolicy Forbid: a Job that runs for ten minutes blocks the next runs (JobAlreadyActive)."""
    manifest = (
        HELLO.replace("  schedule:", "  concurrencyPolicy: Forbid\n  schedule:")
        .replace("busybox:1.28", "busybox:1.36")
        .replace("date; echo Hello from the Kubernetes cluster", "sleep 600")
    )
    ok(cluster, "kubectl apply -f -", manifest)
    cluster.advance(4 * 60)
    assert len(get(cluster, "jobs")) == 1
    assert table(cluster, "kubectl get cronjob")[1][8] == "1"  # ACTIVE
    assert _events(cluster, "JobAlreadyActive", "cronjob/hello")


# ---------------------------------------------------------------------------------------------- ownership
FRONTEND = """
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: frontend
  labels:
    app: guestbook
    tier: frontend
spec:
  # modify replicas according to your case
  replicas: 3
  selector:
    matchLabels:
      tier: frontend
  template:
    metadata:
      labels:
        tier: frontend
    spec:
      containers:
      - name: php-redis
        image: us-docker.pkg.dev/google-samples/containers/gke/gb-frontend:v5
"""
POD_RS = """
apiVersion: v1
kind: Pod
metadata:
  name: pod1
  labels:
    tier: frontend
spec:
  containers:
  - name: hello1
    image: gcr.io/google-samples/hello-app:2.0
---
apiVersion: v1
kind: Pod
metadata:
  name: pod2
  labels:
    tier: frontend
spec:
  containers:
  - name: hello2
    image: gcr.io/google-samples/hello-app:1.0
"""


@pytest.mark.cites("https://kubernetes.io/docs/concepts/workloads/controllers/replicaset/")
def test_frontend_replicaset_owns_three_pods(cluster):
    """frontend.yaml: three pods frontend-xxxxx whose controller ownerReference is the ReplicaSet."""
    ok(cluster, "kubectl apply -f -", FRONTEND)
    rows = table(cluster, "kubectl get rs")
    assert rows[1][:4] == ["frontend", "3", "3", "0"]
    uid = get(cluster, "rs frontend")[0]["metadata"]["uid"]
    owned = pods(cluster, "frontend-")
    assert len(owned) == 3
    for p in owned:
        assert p["metadata"]["ownerReferences"] == [
            {
                "apiVersion": "apps/v1",
                "blockOwnerDeletion": True,
                "controller": True,
                "kind": "ReplicaSet",
                "name": "frontend",
                "uid": uid,
            }
        ]


@pytest.mark.cites("https://kubernetes.io/docs/concepts/workloads/controllers/replicaset/")
def test_bare_pods_created_first_are_acquired_by_the_replicaset(cluster):
    """pod-rs.yaml before frontend.yaml: the ReplicaSet adopts pod1 and pod2 and creates only one new pod."""
    ok(cluster, "kubectl apply -f -", POD_RS)
    ok(cluster, "kubectl apply -f -", FRONTEND)
    names = sorted(p["metadata"]["name"] for p in pods(cluster))
    assert len(names) == 3 and names[-2:] == ["pod1", "pod2"] and names[0].startswith("frontend-")
    uid = get(cluster, "rs frontend")[0]["metadata"]["uid"]
    for name in ("pod1", "pod2"):
        refs = get(cluster, f"pod {name}")[0]["metadata"]["ownerReferences"]
        assert [(r["kind"], r["name"], r["uid"], r["controller"]) for r in refs] == [
            ("ReplicaSet", "frontend", uid, True)
        ]


@pytest.mark.cites("https://kubernetes.io/docs/concepts/workloads/controllers/replicaset/")
def test_bare_pods_created_after_the_replicaset_are_acquired_and_terminated(cluster):
    """frontend.yaml then pod-rs.yaml: the new pods are acquired and then deleted, the RS being over its count."""
    ok(cluster, "kubectl apply -f -", FRONTEND)
    cluster.advance(5)
    ok(cluster, "kubectl apply -f -", POD_RS)
    active = [p["metadata"]["name"] for p in pods(cluster) if not p["metadata"].get("deletionTimestamp")]
    assert len(active) == 3 and all(n.startswith("frontend-") for n in active)
    deleted = [e["message"] for e in _events(cluster, "SuccessfulDelete", "replicaset/frontend")]
    assert sorted(deleted) == ["Deleted pod: pod1", "Deleted pod: pod2"]


@pytest.mark.cites("https://kubernetes.io/docs/concepts/workloads/controllers/replicaset/")
def test_isolating_a_pod_by_relabelling_orphans_it_and_the_replicaset_replaces_it(cluster):
    """ "Pods may be removed from a ReplicaSet's target set by changing their labels": the relabelled pod loses
    its ownerReference and keeps running, a replacement is created; labelling it back lets the ReplicaSet
    adopt it again and delete one surplus pod."""
    from tests.engine.conftest import web

    ok(cluster, "kubectl apply -f -", web(3))
    cluster.advance(15)
    victim = pods(cluster, "web-")[0]["metadata"]["name"]
    assert ok(cluster, f"kubectl label pod {victim} app=debug --overwrite").output == f"pod/{victim} labeled"
    isolated = get(cluster, f"pod {victim}")[0]
    assert "ownerReferences" not in isolated["metadata"]
    assert len(get(cluster, "pods -l app=web")) == 3
    cluster.advance(15)
    assert isolated["status"]["phase"] == "Running"
    assert table(cluster, "kubectl get rs")[1][1:4] == ["3", "3", "3"]
    ok(cluster, f"kubectl label pod {victim} app=web --overwrite")
    live = [p for p in get(cluster, "pods -l app=web") if not p["metadata"].get("deletionTimestamp")]
    assert len(live) == 3
    assert len(_events(cluster, "SuccessfulDelete")) == 1


@pytest.mark.cites("https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/")
def test_replicationcontroller_keeps_three_nginx_pods(cluster):
    """The docs' replication.yaml: `kubectl get rc nginx` shows 3 desired, 3 current, 3 ready; pods are owned
    by the ReplicationController and one deleted pod is replaced."""
    manifest = """
apiVersion: v1
kind: ReplicationController
metadata:
  name: nginx
spec:
  replicas: 3
  selector:
    app: nginx
  template:
    metadata:
      name: nginx
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx
        ports:
        - containerPort: 80
"""
    assert ok(cluster, "kubectl apply -f -", manifest).output == "replicationcontroller/nginx created"
    cluster.advance(30)
    assert table(cluster, "kubectl get rc")[1][:4] == ["nginx", "3", "3", "3"]
    owned = pods(cluster, "nginx-")
    assert {p["metadata"]["ownerReferences"][0]["kind"] for p in owned} == {"ReplicationController"}
    ok(cluster, f"kubectl delete pod {owned[0]['metadata']['name']}")
    assert len([p for p in pods(cluster, "nginx-") if not p["metadata"].get("deletionTimestamp")]) == 3


@pytest.mark.cites("https://kubernetes.io/docs/tasks/administer-cluster/use-cascading-deletion/")
def test_delete_with_cascade_orphan_leaves_the_replicaset_and_pods(cluster):
    """`kubectl delete deployment nginx-deployment --cascade=orphan`: the ReplicaSet and its 3 pods remain,
    the ReplicaSet without an ownerReference."""
    ok(cluster, "kubectl apply -f -", NGINX_DEPLOYMENT.replace("nginx:1.14.2", _image("nginx:1.14.2")))
    cluster.advance(20)
    ok(cluster, "kubectl delete deployment nginx-deployment --cascade=orphan")
    cluster.advance(20)
    assert ok(cluster, "kubectl get deployments").output == "No resources found in default namespace."
    rs = get(cluster, "rs")
    assert len(rs) == 1 and "ownerReferences" not in rs[0]["metadata"]
    assert len(get(cluster, "pods -l app=nginx")) == 3


@pytest.mark.cites("https://kubernetes.io/docs/concepts/architecture/garbage-collection/")
def test_foreground_cascading_deletion_keeps_the_owner_until_its_dependents_are_gone(cluster):
    """--cascade=foreground: the Deployment stays, with a deletionTimestamp and the foregroundDeletion
    finalizer, while the garbage collector deletes its ReplicaSet and pods; then it disappears."""
    ok(cluster, "kubectl apply -f -", NGINX_DEPLOYMENT.replace("nginx:1.14.2", _image("nginx:1.14.2")))
    cluster.advance(20)
    ok(cluster, "kubectl delete deployment nginx-deployment --cascade=foreground")
    d = get(cluster, "deployment nginx-deployment")[0]
    assert d["metadata"]["finalizers"] == ["foregroundDeletion"] and d["metadata"]["deletionTimestamp"]
    assert all(p["metadata"].get("deletionTimestamp") for p in get(cluster, "pods -l app=nginx"))
    cluster.advance(40)
    assert ok(cluster, "kubectl get deployments,rs,pods").output == "No resources found in default namespace."


@pytest.mark.cites("https://kubernetes.io/docs/concepts/architecture/garbage-collection/")
def test_background_deletion_of_a_statefulset_keeps_its_claims(cluster):
    """Deleting a StatefulSet (background) removes its pods through the garbage collector; the claims made from
    its volumeClaimTemplates have no owner and stay (retention policy Retain)."""
    _web(cluster)
    cluster.advance(60)
    ok(cluster, "kubectl delete sts web")
    cluster.advance(30)
    assert pods(cluster, "web-") == []
    assert [r[:2] for r in table(cluster, "kubectl get pvc")[1:]] == [
        ["www-web-0", "Bound"],
        ["www-web-1", "Bound"],
    ]
    assert ok(cluster, "kubectl get controllerrevisions").output == "No resources found in default namespace."


@pytest.mark.cites("https://kubernetes.io/docs/tasks/manage-daemon/update-daemon-set/")
def test_updating_a_daemonset_replaces_one_node_at_a_time(cluster):
    """RollingUpdate with maxUnavailable 1: after `kubectl set image`, never more than one node is without an
    available fluentd pod; `rollout status` waits, then reports success; history has two revisions."""
    old, new = (
        _image("quay.io/fluentd_elasticsearch/fluentd:v4.2.2"),
        _image("quay.io/fluentd_elasticsearch/fluentd:v5.0.1", "nginx:1.26"),
    )
    ok(cluster, "kubectl apply -f -", FLUENTD.replace("quay.io/fluentd_elasticsearch/fluentd:v5.0.1", old))
    cluster.advance(30)
    assert table(cluster, "kubectl get ds -n kube-system fluentd-elasticsearch")[1][3] == "4"
    ok(cluster, f"kubectl set image ds/fluentd-elasticsearch fluentd-elasticsearch={new} -n kube-system")
    status = ok(cluster, "kubectl rollout status ds/fluentd-elasticsearch -n kube-system").output
    assert status == (
        'Waiting for daemon set "fluentd-elasticsearch" rollout to finish: 0 out of 4 new pods have been updated...'
    )
    for _ in range(120):
        cluster.advance(1)
        ds = get(cluster, "ds fluentd-elasticsearch -n kube-system")[0]["status"]
        assert ds["numberAvailable"] >= 3
    assert (
        ok(cluster, "kubectl rollout status ds/fluentd-elasticsearch -n kube-system").output
        == 'daemon set "fluentd-elasticsearch" successfully rolled out'
    )
    images = {
        p["spec"]["containers"][0]["image"]
        for p in get(cluster, "pods -n kube-system")
        if p["metadata"]["name"].startswith("fluentd-")
    }
    assert images == {new}
    history = ok(
        cluster, "kubectl rollout history ds/fluentd-elasticsearch -n kube-system"
    ).output.splitlines()
    assert history[0] == "daemonset.apps/fluentd-elasticsearch " and [r.split()[0] for r in history[2:]] == [
        "1",
        "2",
    ]


@pytest.mark.cites("https://kubernetes.io/docs/concepts/workloads/controllers/deployment/")
def test_deployment_pods_belong_to_a_replicaset_that_belongs_to_the_deployment(cluster):
    """nginx-deployment: the ReplicaSet `nginx-deployment-<pod-template-hash>` is owned by the Deployment, its
    pods carry the same pod-template-hash and are owned by it; deleting the Deployment removes all of them."""
    ok(cluster, "kubectl apply -f -", NGINX_DEPLOYMENT.replace("nginx:1.14.2", _image("nginx:1.14.2")))
    cluster.advance(20)
    dep = get(cluster, "deployment nginx-deployment")[0]
    rs = get(cluster, "rs")[0]
    h = rs["metadata"]["labels"]["pod-template-hash"]
    assert rs["metadata"]["name"] == f"nginx-deployment-{h}"
    assert [(o["kind"], o["uid"]) for o in rs["metadata"]["ownerReferences"]] == [
        ("Deployment", dep["metadata"]["uid"])
    ]
    owned = get(cluster, "pods -l app=nginx")
    assert len(owned) == 3
    assert all(p["metadata"]["labels"]["pod-template-hash"] == h for p in owned)
    assert all(p["metadata"]["ownerReferences"][0]["uid"] == rs["metadata"]["uid"] for p in owned)
    ok(cluster, "kubectl delete deployment nginx-deployment")
    assert ok(cluster, "kubectl get rs").output == "No resources found in default namespace."
    cluster.advance(40)
    assert ok(cluster, "kubectl get pods").output == "No resources found in default namespace."
