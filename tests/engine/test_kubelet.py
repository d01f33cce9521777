"""kubelet: image pulls, container start, CrashLoopBackOff timing, ImagePullBackOff, probes."""

from .conftest import ok, pods, reasons, running_ready, web


def _status(c, name):
    out = ok(c, "kubectl get pods").output
    line = next(row for row in out.splitlines() if row.startswith(name))
    return line.split()[2]


def test_pods_go_from_container_creating_to_running(cluster):
    """A new pod shows ContainerCreating, then Running and Ready after the pull and start."""
    ok(cluster, "kubectl apply -f -", web(1))
    name = pods(cluster, "web-")[0]["metadata"]["name"]
    assert _status(cluster, name) == "ContainerCreating"
    events = cluster.advance(10)
    assert {"Pulling", "Pulled", "Created", "Started"} <= set(reasons(events))
    assert running_ready(cluster, "web-") == [name]


def test_crash_loop_back_off_doubles_from_ten_seconds(cluster):
    """After crashes the restarts wait 0 s, then 10 s, then 20 s (CrashLoopBackOff in between)."""
    ok(cluster, "kubectl apply -f -", web(1))
    cluster.advance(10)
    name = pods(cluster, "web-")[0]["metadata"]["name"]
    ok(cluster, f"sim crash {name}")
    assert pods(cluster, "web-")[0]["status"]["containerStatuses"][0]["restartCount"] == 1
    ok(cluster, f"sim crash {name}")
    assert _status(cluster, name) == "CrashLoopBackOff"
    cluster.advance(9.5)
    assert _status(cluster, name) == "CrashLoopBackOff"
    cluster.advance(1)
    assert _status(cluster, name) == "Running"
    ok(cluster, f"sim crash {name}")
    cluster.advance(19.5)
    assert _status(cluster, name) == "CrashLoopBackOff"
    cluster.advance(1)
    assert _status(cluster, name) == "Running"
    status = pods(cluster, "web-")[0]["status"]["containerStatuses"][0]
    assert status["restartCount"] == 3
    assert status["lastState"]["terminated"]["exitCode"] == 1


def test_an_unknown_tag_goes_err_image_pull_then_image_pull_back_off(cluster):
    """nginx:1.99 does not exist: ErrImagePull, then ImagePullBackOff, retried with back-off."""
    ok(cluster, "kubectl apply -f -", web(1, image="nginx:1.99"))
    name = pods(cluster, "web-")[0]["metadata"]["name"]
    events = cluster.advance(4)
    assert _status(cluster, name) in ("ErrImagePull", "ImagePullBackOff")
    failed = [e for e in events if e["reason"] == "Failed"]
    assert any('Failed to pull image "nginx:1.99"' in e["message"] for e in failed)
    cluster.advance(3)
    assert _status(cluster, name) == "ImagePullBackOff"


def test_a_one_shot_image_without_command_completes_and_crash_loops(cluster):
    """busybox with no command exits at once; under restartPolicy Always it ends in CrashLoopBackOff."""
    ok(cluster, "kubectl create deployment box --image=busybox:1.36")
    cluster.advance(40)
    name = pods(cluster, "box-")[0]["metadata"]["name"]
    assert _status(cluster, name) in ("CrashLoopBackOff", "Completed")
    assert pods(cluster, "box-")[0]["status"]["containerStatuses"][0]["restartCount"] >= 2


def test_a_missing_secret_key_blocks_the_container_with_create_container_config_error(cluster):
    """env from a Secret that does not exist gives CreateContainerConfigError until it is created."""
    pod = """
apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers:
  - name: app
    image: nginx:1.20
    env:
    - name: PASSWORD
      valueFrom: {secretKeyRef: {name: db, key: password}}
"""
    ok(cluster, "kubectl apply -f -", pod)
    cluster.advance(8)
    assert _status(cluster, "app") == "CreateContainerConfigError"
    ok(cluster, "kubectl create secret generic db --from-literal=password=pw")
    cluster.advance(5)
    assert _status(cluster, "app") == "Running"


def test_deleting_a_pod_terminates_it_gracefully(cluster):
    """A deleted pod shows Terminating, gets a Killing event, then disappears."""
    ok(cluster, "kubectl run solo --image=nginx:1.20")
    cluster.advance(10)
    events = ok(cluster, "kubectl delete pod solo").events
    assert _status(cluster, "solo") == "Terminating"
    events += cluster.advance(5)
    assert "Killing" in reasons(events)
    assert "solo" not in ok(cluster, "kubectl get pods").output


def test_changing_a_pods_image_restarts_its_container_with_the_new_image(cluster):
    """set image on a bare pod kills the container and starts the new image in the same pod."""
    ok(cluster, "kubectl run solo --image=nginx:1.20")
    cluster.advance(10)
    events = ok(cluster, "kubectl set image pod/solo solo=nginx:1.21").events
    assert any("definition changed" in e["message"] for e in events)
    cluster.advance(10)
    status = pods(cluster, "solo")[0]["status"]["containerStatuses"][0]
    assert status["image"] == "nginx:1.21" and status["restartCount"] == 1 and "running" in status["state"]
