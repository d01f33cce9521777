"""Workload kinds: what the API server refuses, and controller behaviour the corpus does not cover."""

import json

from tests.engine.conftest import get, ok, pods, web
from visualizer.engine import Cluster

JOB = """
apiVersion: batch/v1
kind: Job
metadata: {name: j}
spec:
  template:
    spec:
      containers: [{name: c, image: busybox:1.36, command: [sh, -c, "sleep 600"]}]
      restartPolicy: Never
"""

CRON = """
apiVersion: batch/v1
kind: CronJob
metadata: {name: tick}
spec:
  schedule: "*/2 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{name: c, image: busybox:1.36, command: [sh, -c, "sleep 600"]}]
          restartPolicy: OnFailure
"""


def _fails(c, stdin, text):
    result = c.run("kubectl apply -f -", stdin=stdin)
    assert not result.ok and result.output == text, result.output


def test_cronjob_schedule_errors_use_the_cron_parser_words(cluster):
    """A 4-field schedule is refused with robfig/cron's message; a TZ prefix with the API server's."""
    _fails(
        cluster,
        CRON.replace('"*/2 * * * *"', '"* * * *"'),
        'The CronJob "tick" is invalid: spec.schedule: Invalid value: "* * * *": expected exactly 5 fields, '
        "found 4: [* * * *]",
    )
    _fails(
        cluster,
        CRON.replace('"*/2 * * * *"', '"TZ=UTC */2 * * * *"'),
        'The CronJob "tick" is invalid: spec.schedule: Invalid value: "TZ=UTC */2 * * * *": cannot use TZ or '
        "CRON_TZ in schedule, use timeZone field instead",
    )
    _fails(
        cluster,
        CRON.replace("  schedule:", "  concurrencyPolicy: Sometimes\n  schedule:"),
        'The CronJob "tick" is invalid: spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: '
        '"Allow", "Forbid", "Replace"',
    )


def test_fields_the_simulator_cannot_honour_are_refused(cluster):
    """Indexed Jobs, DaemonSet surge and StatefulSet claim deletion are refused, never silently dropped."""
    _fails(
        cluster,
        JOB.replace("spec:\n  template:", "spec:\n  completionMode: Indexed\n  completions: 3\n  template:"),
        'The Job "j" is invalid: spec.completionMode: Forbidden: Indexed Jobs are not supported by the simulator',
    )
    ds = """
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: d}
spec:
  selector: {matchLabels: {app: d}}
  updateStrategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  template:
    metadata: {labels: {app: d}}
    spec: {containers: [{name: c, image: nginx:1.25}]}
"""
    _fails(
        cluster,
        ds,
        'The DaemonSet "d" is invalid: spec.updateStrategy.rollingUpdate.maxSurge: Forbidden: surge pods are not '
        "supported by the simulator (use the default 0)",
    )
    assert ok(cluster, "kubectl get ds,jobs").output == "No resources found in default namespace."


def test_job_suspend_deletes_running_pods_and_resume_starts_again(cluster):
    """suspend: true → running pods deleted, condition Suspended; false again → a new pod."""
    ok(cluster, "kubectl apply -f -", JOB)
    cluster.advance(10)
    ok(
        cluster,
        "kubectl apply -f -",
        JOB.replace("spec:\n  template:", "spec:\n  suspend: true\n  template:"),
    )
    assert all(p["metadata"].get("deletionTimestamp") for p in pods(cluster, "j-"))
    job = get(cluster, "job j")[0]
    assert [(c["type"], c["reason"]) for c in job["status"]["conditions"]] == [("Suspended", "JobSuspended")]
    cluster.advance(40)
    assert cluster.run("kubectl get jobs").output.splitlines()[1].split()[1] == "Suspended"
    ok(cluster, "kubectl apply -f -", JOB)
    assert [p for p in pods(cluster, "j-") if not p["metadata"].get("deletionTimestamp")]


def test_cronjob_replace_deletes_the_running_job(cluster):
    """concurrencyPolicy Replace: the next run deletes the still-running Job and starts its own."""
    ok(
        cluster,
        "kubectl apply -f -",
        CRON.replace("  schedule:", "  concurrencyPolicy: Replace\n  schedule:"),
    )
    cluster.advance(125)
    first = [j["metadata"]["name"] for j in get(cluster, "jobs")]
    cluster.advance(120)
    second = [
        j["metadata"]["name"] for j in get(cluster, "jobs") if not j["metadata"].get("deletionTimestamp")
    ]
    assert len(first) == 1 and len(second) == 1 and first != second
    messages = [e["message"] for e in cluster.events if e["reason"] == "SuccessfulDelete"]
    assert f"Deleted job {first[0]}" in messages


def test_replicationcontroller_selector_defaults_to_the_template_labels(cluster):
    """An RC without a selector gets the template's labels as selector and as its own labels."""
    rc = """
apiVersion: v1
kind: ReplicationController
metadata: {name: r}
spec:
  replicas: 2
  template:
    metadata: {labels: {app: r}}
    spec: {containers: [{name: c, image: nginx:1.25}]}
"""
    ok(cluster, "kubectl apply -f -", rc)
    obj = get(cluster, "rc r")[0]
    assert obj["spec"]["selector"] == {"app": "r"} and obj["metadata"]["labels"] == {"app": "r"}
    assert len(pods(cluster, "r-")) == 2


def test_daemonset_rollout_undo_returns_to_the_previous_controllerrevision(cluster):
    """set image creates revision 2; undo goes back to revision 1's template, which becomes revision 3."""
    ok(
        cluster,
        "kubectl set image ds/kube-proxy kube-proxy=registry.k8s.io/kube-proxy:v1.37.0 -n kube-system",
    )
    cluster.advance(60)
    assert (
        "successfully rolled out" in ok(cluster, "kubectl rollout status ds/kube-proxy -n kube-system").output
    )
    out = ok(cluster, "kubectl rollout undo ds/kube-proxy -n kube-system").output
    assert out == "daemonset.apps/kube-proxy rolled back"
    revisions = sorted(r["revision"] for r in get(cluster, "controllerrevisions -n kube-system"))
    assert revisions == [2, 3]
    ds = get(cluster, "ds kube-proxy -n kube-system")[0]
    assert ds["spec"]["template"]["spec"]["containers"][0]["image"] == "registry.k8s.io/kube-proxy:v1.37.1"


def test_foreground_delete_of_a_job_waits_for_its_pods(cluster):
    """--cascade=foreground on a Job: it stays with the finalizer until its pod has terminated."""
    ok(cluster, "kubectl apply -f -", JOB)
    cluster.advance(10)
    ok(cluster, "kubectl delete job j --cascade=foreground")
    assert get(cluster, "job j")[0]["metadata"]["finalizers"] == ["foregroundDeletion"]
    cluster.advance(40)
    assert ok(cluster, "kubectl get jobs,pods").output == "No resources found in default namespace."


def test_a_restored_cluster_continues_workloads_identically():
    """to_dict/from_dict mid-way through StatefulSet, Job and CronJob work continues exactly as the original."""
    sts = """
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: s}
spec:
  replicas: 3
  selector: {matchLabels: {app: s}}
  template:
    metadata: {labels: {app: s}}
    spec: {containers: [{name: c, image: nginx:1.25}]}
"""
    a = Cluster(workers=2, seed=3)
    for doc in (sts, JOB, CRON, web(2)):
        ok(a, "kubectl apply -f -", doc)
    a.advance(7)
    b = Cluster.from_dict(json.loads(json.dumps(a.to_dict())))
    for c in (a, b):
        c.advance(200)
        ok(c, "kubectl scale sts s --replicas=1")
        c.advance(30)
    assert a.to_dict()["store"] == b.to_dict()["store"]


def test_describe_job_and_statefulset_print_kubectls_sections(cluster):
    """describe job: Parallelism … Pods Statuses; describe sts: Replicas, Update Strategy, Volume Claims."""
    ok(cluster, "kubectl apply -f -", JOB.replace("sleep 600", "exit 0"))
    cluster.advance(20)
    text = ok(cluster, "kubectl describe job j").output.splitlines()
    assert text[0] == "Name:             j"
    assert "Pods Statuses:    0 Active (0 Ready) / 1 Succeeded / 0 Failed" in text
    assert "Completion Mode:  NonIndexed" in text and "Backoff Limit:    6" in text
    assert text[-1].endswith("Job completed")
    job = get(cluster, "job j")[0]
    assert job["metadata"]["labels"]["batch.kubernetes.io/job-name"] == "j"
    sts = """
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: s}
spec:
  replicas: 1
  selector: {matchLabels: {app: s}}
  template:
    metadata: {labels: {app: s}}
    spec: {containers: [{name: c, image: nginx:1.25}]}
"""
    ok(cluster, "kubectl apply -f -", sts)
    text = ok(cluster, "kubectl describe sts s").output.splitlines()
    # the real kubectl v1.37 (tests/kubeapi/test_reads_kubectl.py): the defaulted policies are printed too
    assert "Pod Management Policy:  OrderedReady" in text
    assert "Replicas:               1 desired | 1 total" in text
    assert "Update Strategy:        RollingUpdate" in text and "  Partition:            0" in text
    assert "Persistent Volume Claim Retention Policy:" in text and "  WhenDeleted:  Retain" in text
    assert "Volume Claims:     <none>" in text  # aligned with the pod template block (tabwriter)


def test_a_cronjob_resumed_after_three_hours_reports_too_many_missed_times(cluster):
    """Suspended for 3 h at `* * * * *` then resumed: 180 missed times > 100 → Warning TooManyMissedTimes,
    and only the most recent time runs."""
    every_minute = CRON.replace('"*/2 * * * *"', '"* * * * *"')
    ok(cluster, "kubectl apply -f -", every_minute)
    cluster.advance(61)
    ok(
        cluster,
        "kubectl apply -f -",
        every_minute.replace("spec:\n  schedule", "spec:\n  suspend: true\n  schedule"),
    )
    cluster.advance(3 * 3600)
    assert len(get(cluster, "jobs")) == 1
    ok(cluster, "kubectl apply -f -", every_minute)
    warnings = [e["message"] for e in cluster.events if e["reason"] == "TooManyMissedTimes"]
    assert warnings == [
        "too many missed start times: 180. Set or decrease .spec.startingDeadlineSeconds or check clock skew"
    ]
    assert len(get(cluster, "jobs")) == 2


def test_a_cronjob_runs_in_its_time_zone(cluster):
    """timeZone Asia/Seoul, `0 19 * * *`: the first run is at 10:00 UTC (19:00 KST), shown in TIMEZONE."""
    ok(
        cluster,
        "kubectl apply -f -",
        CRON.replace('"*/2 * * * *"', '"0 19 * * *"').replace(
            "  schedule:", "  timeZone: Asia/Seoul\n  schedule:"
        ),
    )
    assert cluster.run("kubectl get cj").output.splitlines()[1].split()[6] == "Asia/Seoul"
    cluster.advance(3599)
    assert get(cluster, "jobs") == []
    cluster.advance(2)
    assert [j["metadata"]["name"] for j in get(cluster, "jobs")] == [f"tick-{(1740992400 + 3600) // 60}"]
