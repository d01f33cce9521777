"""Deployment controller: fenceposts, the rolling-update sequence, Recreate, revisions, pause, undo, deadline."""

import pytest

from visualizer.engine.controllers.deployment import fenceposts

from .conftest import deployment, get, ok, pods, running_ready, web


@pytest.mark.parametrize(("replicas", "surge", "unavailable"), [(1, 1, 0), (3, 1, 0), (4, 1, 1), (10, 3, 2)])
def test_default_fenceposts_round_surge_up_and_unavailable_down(replicas, surge, unavailable):
    """25 % surge rounds up and 25 % unavailable rounds down, as in the reference table."""
    d = {"spec": {"replicas": replicas, "strategy": {"type": "RollingUpdate", "rollingUpdate": {}}}}
    assert fenceposts(d) == (surge, unavailable)


def test_both_fenceposts_resolving_to_zero_force_one_unavailable():
    """maxUnavailable 1 % with 2 replicas and maxSurge 0 resolves to unavailable = 1."""
    d = {"spec": {"replicas": 2, "strategy": {"rollingUpdate": {"maxSurge": 0, "maxUnavailable": "1%"}}}}
    assert fenceposts(d) == (0, 1)


def _scaling(events):
    return [e["message"] for e in events if e["reason"] == "ScalingReplicaSet"]


def test_rolling_update_of_four_replicas_follows_the_worked_example(cluster):
    """v1 → v2 with 4 replicas: new 0→1 and old 4→3 at once, then new 1→2, then alternating to the end."""
    ok(cluster, "kubectl apply -f -", web(4))
    cluster.advance(20)
    first = _scaling(ok(cluster, "kubectl set image deployment/web nginx=nginx:1.21").events)
    assert [m.split(" from ")[1] for m in first] == ["0 to 1", "4 to 3", "1 to 2"]
    assert first[0].startswith("Scaled up") and first[1].startswith("Scaled down")
    assert (
        "2 out of 4 new replicas have been updated" in ok(cluster, "kubectl rollout status deploy/web").output
    )
    cluster.advance(60)
    d = deployment(cluster)
    assert d["status"]["updatedReplicas"] == d["status"]["availableReplicas"] == 4
    assert (
        ok(cluster, "kubectl rollout status deployment/web").output
        == 'deployment "web" successfully rolled out'
    )
    assert all(p["spec"]["containers"][0]["image"] == "nginx:1.21" for p in pods(cluster, "web-"))


def test_rolling_update_keeps_availability_and_the_surge_bound(cluster):
    """During a 4-replica rollout there are never more than 5 pods nor fewer than 3 available ones."""
    ok(cluster, "kubectl apply -f -", web(4))
    cluster.advance(20)
    ok(cluster, "kubectl set image deployment/web nginx=nginx:1.21")
    for _ in range(40):
        live = [p for p in pods(cluster, "web-") if not p["metadata"].get("deletionTimestamp")]
        assert len(live) <= 5
        assert len(running_ready(cluster, "web-")) >= 3
        cluster.advance(0.5)


def test_a_bad_image_stalls_the_rollout_without_taking_the_service_down(cluster):
    """With nginx:1.99 the rollout stops at old 3 + new 2 (ImagePullBackOff) and 3 pods keep serving."""
    ok(cluster, "kubectl apply -f -", web(4))
    cluster.advance(20)
    ok(cluster, "kubectl set image deployment/web nginx=nginx:1.99")
    cluster.advance(60)
    rs = {
        r["spec"]["template"]["spec"]["containers"][0]["image"]: r["spec"]["replicas"]
        for r in get(cluster, "rs")
    }
    assert rs == {"nginx:1.20": 3, "nginx:1.99": 2}
    assert len(running_ready(cluster, "web-")) == 3
    assert "ImagePullBackOff" in ok(cluster, "kubectl get pods").output


def test_the_progress_deadline_marks_a_stalled_rollout(cluster):
    """After progressDeadlineSeconds without progress, Progressing is False/ProgressDeadlineExceeded."""
    ok(
        cluster,
        "kubectl apply -f -",
        web(2).replace("spec:\n  replicas", "spec:\n  progressDeadlineSeconds: 30\n  replicas"),
    )
    cluster.advance(15)
    ok(cluster, "kubectl set image deployment/web nginx=nginx:1.99")
    cluster.advance(60)
    cond = next(c for c in deployment(cluster)["status"]["conditions"] if c["type"] == "Progressing")
    assert (cond["status"], cond["reason"]) == ("False", "ProgressDeadlineExceeded")
    result = cluster.run("kubectl rollout status deployment/web")
    assert not result.ok and result.output == 'error: deployment "web" exceeded its progress deadline'


def test_rollout_undo_goes_back_and_renumbers_the_revision(cluster):
    """History 1,2 then undo gives 2,3 and the pods run the first image again."""
    ok(cluster, "kubectl apply -f -", web(2))
    cluster.advance(15)
    ok(cluster, "kubectl set image deployment/web nginx=nginx:1.99")
    cluster.advance(15)
    assert ok(cluster, "kubectl rollout undo deployment/web").output == "deployment.apps/web rolled back"
    cluster.advance(30)
    history = ok(cluster, "kubectl rollout history deployment/web").output.splitlines()
    assert [line.split()[0] for line in history[2:]] == ["2", "3"]
    assert {p["spec"]["containers"][0]["image"] for p in pods(cluster, "web-")} == {"nginx:1.20"}


def test_undo_errors_match_kubectl(cluster):
    """Undo with one revision, or to a missing revision, prints kubectl's errors."""
    ok(cluster, "kubectl apply -f -", web(1))
    assert cluster.run("kubectl rollout undo deployment/web").output == (
        'error: no rollout history found for deployment "web"'
    )
    assert cluster.run("kubectl rollout undo deployment/web --to-revision=7").output == (
        "error: unable to find specified revision 7 in history"
    )


def test_pause_holds_template_changes_until_resume(cluster):
    """While paused a template change creates no new ReplicaSet; resume starts the rollout."""
    ok(cluster, "kubectl apply -f -", web(2))
    cluster.advance(15)
    assert ok(cluster, "kubectl rollout pause deployment/web").output == "deployment.apps/web paused"
    # pause.go's Pauser refuses a paused Deployment (the real kubectl v1.37 prints this and exits 1)
    again = cluster.run("kubectl rollout pause deployment/web")
    assert (again.ok, again.output) == (False, 'error: deployments.apps "web" is already paused')
    ok(cluster, "kubectl set image deployment/web nginx=nginx:1.21")
    cluster.advance(15)
    assert len(get(cluster, "rs")) == 1
    assert (
        "you cannot rollback a paused deployment" in cluster.run("kubectl rollout undo deployment/web").output
    )
    ok(cluster, "kubectl rollout resume deployment/web")
    cluster.advance(30)
    assert len(get(cluster, "rs")) == 2
    assert {p["spec"]["containers"][0]["image"] for p in pods(cluster, "web-")} == {"nginx:1.21"}


def test_rollout_restart_replaces_every_pod(cluster):
    """rollout restart sets restartedAt on the template, so all pods are replaced by a new ReplicaSet."""
    ok(cluster, "kubectl apply -f -", web(2))
    cluster.advance(15)
    before = {p["metadata"]["name"] for p in pods(cluster, "web-")}
    assert ok(cluster, "kubectl rollout restart deployment/web").output == "deployment.apps/web restarted"
    cluster.advance(30)
    after = set(running_ready(cluster, "web-"))
    assert len(after) == 2 and not after & before


def test_recreate_stops_every_old_pod_before_starting_new_ones(cluster):
    """With Recreate no old and new pods ever run together."""
    ok(
        cluster,
        "kubectl apply -f -",
        web(3).replace("spec:\n  replicas", "spec:\n  strategy: {type: Recreate}\n  replicas"),
    )
    cluster.advance(15)
    ok(cluster, "kubectl set image deployment/web nginx=nginx:1.21")
    for _ in range(40):
        images = {p["spec"]["containers"][0]["image"] for p in pods(cluster, "web-")}
        assert len(images) <= 1
        cluster.advance(0.5)
    assert len(running_ready(cluster, "web-")) == 3


def test_scaling_does_not_create_a_revision(cluster):
    """kubectl scale changes replicas without a new ReplicaSet or revision."""
    ok(cluster, "kubectl apply -f -", web(2))
    ok(cluster, "kubectl scale deployment web --replicas=5")
    cluster.advance(15)
    assert len(get(cluster, "rs")) == 1
    assert len(running_ready(cluster, "web-")) == 5


def test_revision_history_limit_prunes_old_replica_sets(cluster):
    """revisionHistoryLimit 1 keeps only one old ReplicaSet after several rollouts."""
    ok(
        cluster,
        "kubectl apply -f -",
        web(1).replace("spec:\n  replicas", "spec:\n  revisionHistoryLimit: 1\n  replicas"),
    )
    for tag in ("1.21", "1.22", "1.23"):
        cluster.advance(15)
        ok(cluster, f"kubectl set image deployment/web nginx=nginx:{tag}")
    cluster.advance(30)
    assert len(get(cluster, "rs")) == 2


def test_scaling_during_a_stuck_rollout_is_proportional(cluster):
    """The docs example: 10 replicas stuck at old 8 + new 5, scaled to 15, gives old 11 + new 7."""
    text = web(10).replace(
        "spec:\n  replicas",
        "spec:\n  strategy: {rollingUpdate: {maxSurge: 3, maxUnavailable: 2}}\n  replicas",
    )
    ok(cluster, "kubectl apply -f -", text)
    cluster.advance(20)
    ok(cluster, "kubectl set image deployment/web nginx=nginx:1.99")
    cluster.advance(30)
    sizes = {
        r["spec"]["template"]["spec"]["containers"][0]["image"]: r["spec"]["replicas"]
        for r in get(cluster, "rs")
    }
    assert sizes == {"nginx:1.20": 8, "nginx:1.99": 5}
    ok(cluster, "kubectl scale deployment web --replicas=15")
    sizes = {
        r["spec"]["template"]["spec"]["containers"][0]["image"]: r["spec"]["replicas"]
        for r in get(cluster, "rs")
    }
    assert sizes == {"nginx:1.20": 11, "nginx:1.99": 7}


def test_min_ready_seconds_delays_availability(cluster):
    """With minReadySeconds 20 a Ready pod counts as available only 20 s later; READY leads AVAILABLE."""
    ok(
        cluster,
        "kubectl apply -f -",
        web(2).replace("spec:\n  replicas", "spec:\n  minReadySeconds: 20\n  replicas"),
    )
    cluster.advance(10)
    status = deployment(cluster)["status"]
    assert status["readyReplicas"] == 2 and status.get("availableReplicas", 0) == 0
    assert "2/2     2            0" in ok(cluster, "kubectl get deploy web").output
    cluster.advance(25)
    assert deployment(cluster)["status"]["availableReplicas"] == 2
