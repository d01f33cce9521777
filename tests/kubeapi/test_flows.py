"""Write flows driven by the real kubectl v1.37.1 through the TLS harness, checked in the engine afterwards.

Each test runs the commands a lesson uses (reference §A3b) against a fresh cluster whose clock only moves when
the test advances it (`speed=0`), asserts kubectl's exact output, the requests it sent, and what the engine then
holds (the console's `kubectl get` or the store). Where the console has the same command, its output is
compared with the real kubectl's.

The Deployment is kubernetes.io's `controllers/nginx-deployment.yaml`
(https://kubernetes.io/docs/concepts/workloads/controllers/deployment/), held in tests/engine/world/examples.py.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.engine.world.examples import NGINX_DEPLOYMENT
from tests.kubeapi.harness import ApiHarness
from visualizer.engine.kubectl.apply import LAST_APPLIED

NAME = "nginx-deployment"


@pytest.fixture
def api():
    with ApiHarness(speed=0) as harness:
        yield harness


def ok(api, *args, stdin=None, **kw) -> str:
    """Runs kubectl; asserts success and no stderr; returns stdout."""
    rc, out, err = api.kubectl(*args, stdin=stdin, **kw)
    assert rc == 0, (args, out, err)
    assert err == "", (args, err)
    return out


def deployment(api, name: str = NAME) -> dict:
    return api.cluster.api.get("Deployment", "default", name)


def pods_of(api, prefix: str = NAME) -> list[dict]:
    return [
        p
        for p in api.cluster.store.list("Pod", "default")
        if p["metadata"]["name"].startswith(prefix) and not p["metadata"].get("deletionTimestamp")
    ]


def images(api, prefix: str = NAME) -> set[str]:
    return {p["spec"]["containers"][0]["image"] for p in pods_of(api, prefix)}


def sent(api, method: str, fragment: str) -> list[tuple[str, str, str]]:
    return [r for r in api.requests if r[0] == method and fragment in r[1]]


# ---------------------------------------------------------------------------------------------- create
def test_create_f_posts_json_and_the_deployment_runs_in_the_engine(api):
    assert ok(api, "create", "-f", "-", stdin=NGINX_DEPLOYMENT) == f"deployment.apps/{NAME} created\n"
    post = sent(api, "POST", "/apis/apps/v1/namespaces/default/deployments")
    assert post == [
        (
            "POST",
            "/apis/apps/v1/namespaces/default/deployments?fieldManager=kubectl-create&fieldValidation=Strict",
            "application/json",
        )
    ]
    api.advance(30)
    assert len(pods_of(api)) == 3
    out = api.console("kubectl get deploy").output
    assert out.splitlines()[1].split()[:4] == [NAME, "3/3", "3", "3"]
    managers = [(e["manager"], e["operation"]) for e in deployment(api)["metadata"]["managedFields"]]
    assert managers == [("kubectl-create", "Update")]


def test_create_of_an_existing_object_is_already_exists_with_the_file_named(api):
    ok(api, "create", "-f", "-", stdin=NGINX_DEPLOYMENT)
    rc, out, err = api.kubectl("create", "-f", "-", stdin=NGINX_DEPLOYMENT)
    assert rc == 1
    assert err == (
        'Error from server (AlreadyExists): error when creating "STDIN": deployments.apps "nginx-deployment" '
        "already exists\n"
    )
    console = api.console("kubectl create -f -", stdin=NGINX_DEPLOYMENT)
    assert console.output.strip() == err.strip()


def test_create_with_an_unknown_field_is_the_servers_strict_decoding_error(api):
    bad = NGINX_DEPLOYMENT.replace("  replicas: 3", "  replica: 3")
    rc, out, err = api.kubectl("create", "-f", "-", stdin=bad)
    assert rc == 1
    assert err == (
        'Error from server (BadRequest): error when creating "STDIN": Deployment in version "v1" cannot be '
        'handled as a Deployment: strict decoding error: unknown field "spec.replica"\n'
    )
    assert deployment(api) is None
    rc, out, err = api.kubectl("create", "-f", "-", "--validate=warn", stdin=bad)
    assert rc == 0
    assert err == 'Warning: unknown field "spec.replica"\n'
    assert deployment(api)["spec"]["replicas"] == 1


def test_create_dry_run_server_persists_nothing(api):
    before = api.cluster.store.revision
    out = ok(api, "create", "-f", "-", "--dry-run=server", stdin=NGINX_DEPLOYMENT)
    assert out == f"deployment.apps/{NAME} created (server dry run)\n"
    assert sent(api, "POST", "dryRun=All")
    assert deployment(api) is None
    assert api.cluster.store.revision == before


def test_typed_create_deployment_is_protobuf_and_creates_it(api):
    assert ok(api, "create", "deployment", "d2", "--image=nginx:1.25") == "deployment.apps/d2 created\n"
    post = sent(api, "POST", "/deployments")
    assert post[0][2] == "application/vnd.kubernetes.protobuf"
    assert deployment(api, "d2")["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.25"


def test_run_creates_a_pod_that_runs(api):
    out = ok(api, "run", "tmp", "--image=busybox", "--restart=Never", "--", "sleep", "10")
    assert out == "pod/tmp created\n"
    pod = api.cluster.api.get("Pod", "default", "tmp")
    assert pod["metadata"]["labels"] == {"run": "tmp"}
    assert pod["spec"]["containers"][0]["args"] == ["sleep", "10"]
    assert pod["spec"]["restartPolicy"] == "Never"
    api.advance(5)
    assert api.cluster.api.get("Pod", "default", "tmp")["status"]["phase"] == "Running"


def test_expose_creates_a_service_with_a_cluster_ip(api):
    ok(api, "create", "-f", "-", stdin=NGINX_DEPLOYMENT)
    assert ok(api, "expose", "deploy", NAME, "--port=80") == f"service/{NAME} exposed\n"
    svc = api.cluster.api.get("Service", "default", NAME)
    assert svc["spec"]["selector"] == {"app": "nginx"}
    assert svc["spec"]["ports"] == [{"port": 80, "protocol": "TCP", "targetPort": 80}]
    assert svc["spec"]["clusterIP"].startswith("10.96.")


# ---------------------------------------------------------------------------------------------- apply
def test_apply_new_then_unchanged_then_configured_with_the_annotation(api):
    assert ok(api, "apply", "-f", "-", stdin=NGINX_DEPLOYMENT) == f"deployment.apps/{NAME} created\n"
    live = deployment(api)
    text = live["metadata"]["annotations"][LAST_APPLIED]
    assert text.endswith("}\n") and text.startswith('{"apiVersion":"apps/v1","kind":"Deployment","metadata":')
    annotation = json.loads(text)
    assert annotation["spec"]["replicas"] == 3
    assert annotation["metadata"] == {
        "annotations": {},
        "labels": {"app": "nginx"},
        "name": NAME,
        "namespace": "default",
    }
    assert ok(api, "apply", "-f", "-", stdin=NGINX_DEPLOYMENT) == f"deployment.apps/{NAME} unchanged\n"
    assert not sent(api, "PATCH", "/deployments/")
    changed = NGINX_DEPLOYMENT.replace("  replicas: 3\n", "").replace("nginx:1.14.2", "nginx:1.25")
    assert ok(api, "apply", "-f", "-", stdin=changed) == f"deployment.apps/{NAME} configured\n"
    patch = sent(api, "PATCH", f"/deployments/{NAME}")
    assert patch == [
        (
            "PATCH",
            f"/apis/apps/v1/namespaces/default/deployments/{NAME}?fieldManager=kubectl-client-side-apply"
            "&fieldValidation=Strict",
            "application/strategic-merge-patch+json",
        )
    ]
    live = deployment(api)
    # replicas left the file: the patch sent null and the server defaulted it back to 1 (reference §B8)
    assert live["spec"]["replicas"] == 1
    assert live["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.25"
    assert "replicas" not in json.loads(live["metadata"]["annotations"][LAST_APPLIED])["spec"]
    api.advance(60)
    assert images(api) == {"nginx:1.25"}
    assert len(pods_of(api)) == 1


def test_apply_server_side_conflicts_then_forces(api):
    ok(api, "apply", "-f", "-", stdin=NGINX_DEPLOYMENT)
    four = NGINX_DEPLOYMENT.replace("replicas: 3", "replicas: 4")
    rc, out, err = api.kubectl("apply", "--server-side", "-f", "-", stdin=four)
    assert rc == 1
    assert err.splitlines()[0] == (
        'error: Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: '
        ".spec.replicas"
    )
    assert (
        err.splitlines()[-1]
        == "See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts"
    )
    assert deployment(api)["spec"]["replicas"] == 3
    out = ok(api, "apply", "--server-side", "--force-conflicts", "-f", "-", stdin=four)
    assert out == f"deployment.apps/{NAME} serverside-applied\n"
    assert sent(api, "PATCH", "force=true")[0][2] == "application/apply-patch+yaml"
    live = deployment(api)
    assert live["spec"]["replicas"] == 4
    # the client-side annotation follows what `kubectl` applied server-side (lastappliedupdater.go)
    assert json.loads(live["metadata"]["annotations"][LAST_APPLIED])["spec"]["replicas"] == 4
    owners = {e["manager"]: e for e in live["metadata"]["managedFields"]}
    assert owners["kubectl"]["operation"] == "Apply"
    assert "f:replicas" in owners["kubectl"]["fieldsV1"]["f:spec"]
    assert "f:replicas" not in owners["kubectl-client-side-apply"]["fieldsV1"]["f:spec"]
    api.advance(30)
    assert len(pods_of(api)) == 4


def test_apply_server_side_creates_and_reapplies_without_conflict(api):
    out = ok(api, "apply", "--server-side", "-f", "-", stdin=NGINX_DEPLOYMENT)
    assert out == f"deployment.apps/{NAME} serverside-applied\n"
    live = deployment(api)
    assert [(e["manager"], e["operation"]) for e in live["metadata"]["managedFields"]] == [
        ("kubectl", "Apply")
    ]
    assert live["spec"]["strategy"]["type"] == "RollingUpdate"  # server defaults applied
    # dropping `replicas` from the applied configuration removes it (the applier owned it alone): defaulted to 1
    out = ok(api, "apply", "--server-side", "-f", "-", stdin=NGINX_DEPLOYMENT.replace("  replicas: 3\n", ""))
    assert out == f"deployment.apps/{NAME} serverside-applied\n"
    assert deployment(api)["spec"]["replicas"] == 1


def test_replace_puts_the_whole_object(api):
    ok(api, "create", "-f", "-", stdin=NGINX_DEPLOYMENT)
    out = ok(api, "replace", "-f", "-", stdin=NGINX_DEPLOYMENT.replace("replicas: 3", "replicas: 2"))
    assert out == f"deployment.apps/{NAME} replaced\n"
    assert sent(api, "PUT", f"/deployments/{NAME}")
    assert deployment(api)["spec"]["replicas"] == 2
    api.advance(30)
    assert len(pods_of(api)) == 2


# ---------------------------------------------------------------------------------------------- scale, set, rollout
def test_scale_patches_the_scale_subresource_and_pods_appear(api):
    ok(api, "create", "-f", "-", stdin=NGINX_DEPLOYMENT)
    api.advance(20)
    out = ok(api, "scale", f"deploy/{NAME}", "--replicas=5")
    assert out == f"deployment.apps/{NAME} scaled\n"
    assert sent(api, "PATCH", f"/deployments/{NAME}/scale")[0][2] == "application/merge-patch+json"
    api.advance(20)
    assert len(pods_of(api)) == 5
    console = api.console(f"kubectl scale deploy/{NAME} --replicas=4")
    assert console.output == out.rstrip("\n")


def test_scale_with_current_replicas_puts_the_scale(api):
    ok(api, "create", "-f", "-", stdin=NGINX_DEPLOYMENT)
    assert ok(api, "scale", f"deploy/{NAME}", "--current-replicas=3", "--replicas=2") == (
        f"deployment.apps/{NAME} scaled\n"
    )
    assert sent(api, "PUT", f"/deployments/{NAME}/scale")
    assert deployment(api)["spec"]["replicas"] == 2
    rc, out, err = api.kubectl("scale", f"deploy/{NAME}", "--current-replicas=3", "--replicas=1")
    assert rc == 1
    assert "Expected replicas to be 3, was 2" in err


def test_set_image_rolls_out_and_undo_goes_back(api):
    ok(api, "create", "-f", "-", stdin=NGINX_DEPLOYMENT)
    api.advance(30)
    assert (
        ok(api, "set", "image", f"deploy/{NAME}", "nginx=nginx:1.26")
        == f"deployment.apps/{NAME} image updated\n"
    )
    assert sent(api, "PATCH", "fieldManager=kubectl-set")[0][2] == "application/strategic-merge-patch+json"
    api.advance(90)
    assert images(api) == {"nginx:1.26"}
    assert ok(api, "rollout", "history", f"deploy/{NAME}") == (
        f"deployment.apps/{NAME} \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n"
    )
    uid = deployment(api)["metadata"]["uid"]
    for rs in api.cluster.store.list("ReplicaSet", "default"):  # what `rollout undo` selects by (§A3b)
        owner = rs["metadata"]["ownerReferences"][0]
        assert (owner["kind"], owner["uid"], owner["controller"]) == ("Deployment", uid, True)
        assert rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"] in ("1", "2")
    assert ok(api, "rollout", "undo", f"deploy/{NAME}") == f"deployment.apps/{NAME} rolled back\n"
    assert sent(api, "PATCH", f"/deployments/{NAME}")[-1][2] == "application/json-patch+json"
    api.advance(90)
    assert images(api) == {"nginx:1.14.2"}
    live = deployment(api)
    assert live["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"
    # the rolled-back template equals revision 3's: a second undo to it is skipped
    rc, out, err = api.kubectl("rollout", "undo", f"deploy/{NAME}", "--to-revision=3")
    assert (rc, out) == (
        0,
        f"deployment.apps/{NAME} skipped rollback (current template already matches revision 3)\n",
    )


def test_rollout_restart_pause_resume(api):
    ok(api, "create", "-f", "-", stdin=NGINX_DEPLOYMENT)
    api.advance(30)
    first = {p["metadata"]["name"] for p in pods_of(api)}
    assert ok(api, "rollout", "restart", f"deploy/{NAME}") == f"deployment.apps/{NAME} restarted\n"
    annotations = deployment(api)["spec"]["template"]["metadata"]["annotations"]
    assert "kubectl.kubernetes.io/restartedAt" in annotations
    api.advance(90)
    assert not first & {p["metadata"]["name"] for p in pods_of(api)}
    assert ok(api, "rollout", "pause", f"deploy/{NAME}") == f"deployment.apps/{NAME} paused\n"
    assert deployment(api)["spec"]["paused"] is True
    rc, out, err = api.kubectl("rollout", "pause", f"deploy/{NAME}")
    assert (rc, err) == (1, f'error: deployments.apps "{NAME}" is already paused\n')
    assert ok(api, "rollout", "resume", f"deploy/{NAME}") == f"deployment.apps/{NAME} resumed\n"
    assert not deployment(api)["spec"].get("paused")
    assert all(
        r[1].endswith("fieldManager=kubectl-rollout") for r in sent(api, "PATCH", f"/deployments/{NAME}")
    )


def test_rollout_status_follows_the_engine(api):
    ok(api, "create", "-f", "-", stdin=NGINX_DEPLOYMENT)
    api.advance(30)
    out = ok(api, "rollout", "status", f"deploy/{NAME}", timeout=30)
    assert out == f'deployment "{NAME}" successfully rolled out\n'


# ---------------------------------------------------------------------------------------------- label, annotate
def test_label_and_annotate_merge_patch_metadata(api):
    ok(api, "create", "-f", "-", stdin=NGINX_DEPLOYMENT)
    assert ok(api, "label", f"deploy/{NAME}", "tier=web") == f"deployment.apps/{NAME} labeled\n"
    assert sent(api, "PATCH", "fieldManager=kubectl-label")[0][2] == "application/merge-patch+json"
    assert deployment(api)["metadata"]["labels"] == {"app": "nginx", "tier": "web"}
    assert ok(api, "annotate", f"deploy/{NAME}", "note=hi") == f"deployment.apps/{NAME} annotated\n"
    assert deployment(api)["metadata"]["annotations"]["note"] == "hi"
    assert ok(api, "label", f"deploy/{NAME}", "tier-") == f"deployment.apps/{NAME} unlabeled\n"
    assert deployment(api)["metadata"]["labels"] == {"app": "nginx"}
    rc, out, err = api.kubectl("label", f"deploy/{NAME}", "app=other")
    assert rc == 1
    assert err == "error: 'app' already has a value (nginx), and --overwrite is false\n"
    assert ok(api, "label", f"deploy/{NAME}", "tier=db", "--dry-run=server") == (
        f"deployment.apps/{NAME} labeled (server dry run)\n"
    )
    assert "tier" not in deployment(api)["metadata"]["labels"]


# ---------------------------------------------------------------------------------------------- nodes
def test_cordon_uncordon_and_taint(api):
    assert ok(api, "cordon", "worker-1") == "node/worker-1 cordoned\n"
    assert api.cluster.api.get("Node", None, "worker-1")["spec"]["unschedulable"] is True
    assert ok(api, "cordon", "worker-1") == "node/worker-1 already cordoned\n"
    assert len(sent(api, "PATCH", "/nodes/worker-1")) == 1
    line = next(
        ln for ln in api.console("kubectl get nodes").output.splitlines() if ln.startswith("worker-1")
    )
    assert line.split()[1] == "Ready,SchedulingDisabled"
    assert ok(api, "uncordon", "worker-1") == "node/worker-1 uncordoned\n"
    assert not api.cluster.api.get("Node", None, "worker-1")["spec"].get("unschedulable")
    assert ok(api, "taint", "nodes", "worker-2", "k=v:NoSchedule") == "node/worker-2 tainted\n"
    assert api.cluster.api.get("Node", None, "worker-2")["spec"]["taints"] == [
        {"key": "k", "value": "v", "effect": "NoSchedule"}
    ]
    assert ok(api, "taint", "nodes", "worker-2", "k:NoSchedule-") == "node/worker-2 untainted\n"
    assert not api.cluster.api.get("Node", None, "worker-2")["spec"].get("taints")


def test_drain_evicts_the_pods_and_they_come_back_elsewhere(api):
    ok(api, "create", "-f", "-", stdin=NGINX_DEPLOYMENT)
    api.advance(30)
    node = pods_of(api)[0]["spec"]["nodeName"]
    on_node = sorted(p["metadata"]["name"] for p in pods_of(api) if p["spec"]["nodeName"] == node)
    api.speed = 20  # the drain waits for the evicted pods to be gone; let their grace period pass
    rc, out, err = api.kubectl("drain", node, "--ignore-daemonsets", "--timeout=60s", timeout=90)
    api.speed = 0
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[0] == f"node/{node} cordoned"
    assert lines[-1] == f"node/{node} drained"
    assert sorted(ln for ln in lines if ln.endswith(" evicted")) == sorted(
        f"pod/{n} evicted" for n in on_node
    )
    assert err.startswith("Warning: ignoring DaemonSet-managed Pods: kube-system/kube-proxy-")
    assert len(sent(api, "POST", "/eviction")) == len(on_node)
    api.advance(30)
    assert len(pods_of(api)) == 3
    assert all(p["spec"]["nodeName"] != node for p in pods_of(api))


# ---------------------------------------------------------------------------------------------- delete
def test_delete_waits_for_the_deleted_event_and_the_garbage_collector_runs(api):
    ok(api, "create", "-f", "-", stdin=NGINX_DEPLOYMENT)
    api.advance(30)
    out = ok(api, "delete", "deploy", NAME, timeout=30)
    assert out == f'deployment.apps "{NAME}" deleted from default namespace\n'
    assert deployment(api) is None
    api.advance(40)
    assert pods_of(api) == []
    assert api.cluster.store.list("ReplicaSet", "default") == []


def test_delete_pod_force_grace_period_zero(api):
    ok(api, "run", "x", "--image=nginx")
    api.advance(5)
    rc, out, err = api.kubectl("delete", "pod", "x", "--grace-period=0", "--force")
    assert rc == 0
    assert out == 'pod "x" force deleted from default namespace\n'
    assert err.startswith("Warning: Immediate deletion does not wait for confirmation")
    assert api.cluster.api.get("Pod", "default", "x") is None


def test_delete_cascade_orphan_keeps_the_replicaset(api):
    ok(api, "create", "-f", "-", stdin=NGINX_DEPLOYMENT)
    api.advance(30)
    ok(api, "delete", "deploy", NAME, "--cascade=orphan", timeout=30)
    api.advance(10)
    rs = api.cluster.store.list("ReplicaSet", "default")
    assert len(rs) == 1 and not rs[0]["metadata"].get("ownerReferences")
    assert len(pods_of(api)) == 3


def test_delete_dry_run_server_keeps_the_object(api):
    ok(api, "create", "-f", "-", stdin=NGINX_DEPLOYMENT)
    out = ok(api, "delete", "deploy", NAME, "--dry-run=server")
    assert out == f'deployment.apps "{NAME}" deleted from default namespace (server dry run)\n'
    assert deployment(api) is not None


# ---------------------------------------------------------------------------------------------- read-only role
@pytest.mark.parametrize(
    "args, stdin, verb, resource",
    [
        (("create", "-f", "-"), NGINX_DEPLOYMENT, "create", "deployments"),
        (("label", "deploy/web", "a=b"), None, "patch", "deployments"),
        (("delete", "deploy", "web", "--wait=false"), None, "delete", "deployments"),
        (("scale", "deploy/web", "--replicas=2"), None, "patch", "deployments/scale"),
    ],
)
def test_the_view_role_is_forbidden_every_write(api, args, stdin, verb, resource):
    ok(api, "create", "deployment", "web", "--image=nginx")
    before = api.cluster.store.revision
    rc, out, err = api.kubectl(*args, stdin=stdin, role="view")
    assert rc == 1
    subject = "deployments.apps" if verb == "create" else 'deployments.apps "web"'
    message = (
        f'{subject} is forbidden: User "viewer" cannot {verb} resource "{resource}" in API group "apps" in the '
        'namespace "default"'
    )
    where = 'error when creating "STDIN": ' if verb == "create" else ""
    assert err == f"Error from server (Forbidden): {where}{message}\n"
    assert api.cluster.store.revision == before


# ---------------------------------------------------------------------------------------------- patch, edit
def test_kubectl_patch_with_each_type_and_the_servers_errors(api):
    ok(api, "create", "-f", "-", stdin=NGINX_DEPLOYMENT)
    name = f"deployment.apps/{NAME}"
    assert ok(api, "patch", "deploy", NAME, "-p", '{"spec":{"replicas":2}}') == f"{name} patched\n"
    assert deployment(api)["spec"]["replicas"] == 2
    out = ok(api, "patch", "deploy", NAME, "--type=merge", "-p", '{"metadata":{"labels":{"a":"b"}}}')
    assert out == f"{name} patched\n"
    assert deployment(api)["metadata"]["labels"] == {"app": "nginx", "a": "b"}
    ops = '[{"op":"replace","path":"/spec/replicas","value":1}]'
    assert ok(api, "patch", "deploy", NAME, "--type=json", "-p", ops) == f"{name} patched\n"
    assert deployment(api)["spec"]["replicas"] == 1
    assert [r[2] for r in sent(api, "PATCH", f"/deployments/{NAME}")] == [
        "application/strategic-merge-patch+json",
        "application/merge-patch+json",
        "application/json-patch+json",
    ]
    rc, out, err = api.kubectl(
        "patch", "deploy", NAME, "--type=json", "-p", '[{"op":"remove","path":"/spec/x"}]'
    )
    assert (rc, err) == (
        1,
        "The request is invalid: the server rejected our request due to an error in our request\n",
    )
    rc, out, err = api.kubectl("patch", "deploy", NAME, "-p", '{"spec":{"replicas":-2}}')
    assert (rc, err) == (
        1,
        f'The Deployment "{NAME}" is invalid: spec.replicas: Invalid value: -2: must be greater than or equal to 0\n',
    )
    # kubectl patch sends no fieldValidation: the server's default (Warn) drops the field with a warning. A
    # patch that changes nothing stores nothing. (kubectl says `(no change)` when the answer equals the object it
    # read first; timestamps reach it in its own clock, which may tick between the two, so either word is fair.)
    rv = deployment(api)["metadata"]["resourceVersion"]
    no_change = (f"{name} patched (no change)\n", f"{name} patched\n")
    rc, out, err = api.kubectl("patch", "deploy", NAME, "-p", '{"spec":{"replica":2}}')
    assert (rc, err) == (0, 'Warning: unknown field "spec.replica"\n') and out in no_change
    assert ok(api, "patch", "deploy", NAME, "-p", '{"spec":{"replicas":1}}') in no_change
    assert deployment(api)["metadata"]["resourceVersion"] == rv


def test_edit_patches_what_the_editor_changed(api, tmp_path):
    ok(api, "create", "-f", "-", stdin=NGINX_DEPLOYMENT)
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nsed -i 's/replicas: 3/replicas: 4/' \"$1\"\n")
    editor.chmod(0o755)
    out = ok(api, "edit", f"deploy/{NAME}", env={"KUBE_EDITOR": str(editor)})
    assert out == f"deployment.apps/{NAME} edited\n"
    assert sent(api, "PATCH", "fieldManager=kubectl-edit&fieldValidation=Strict")
    assert deployment(api)["spec"]["replicas"] == 4
    api.advance(30)
    assert len(pods_of(api)) == 4


SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: nginx
spec:
  selector:
    app: nginx
  ports:
  - port: 80
    targetPort: 80
"""


def test_apply_of_several_objects_and_a_service_port_change(api):
    both = NGINX_DEPLOYMENT + "---\n" + SERVICE
    assert ok(api, "apply", "-f", "-", stdin=both) == (
        f"deployment.apps/{NAME} created\nservice/nginx created\n"
    )
    changed = both.replace("targetPort: 80", "targetPort: 8080")
    assert ok(api, "apply", "-f", "-", stdin=changed) == (
        f"deployment.apps/{NAME} unchanged\nservice/nginx configured\n"
    )
    svc = api.cluster.api.get("Service", "default", "nginx")
    assert svc["spec"]["ports"] == [{"port": 80, "protocol": "TCP", "targetPort": 8080}]
    api.advance(30)
    endpoints = api.cluster.api.get("Endpoints", "default", "nginx")
    assert len(endpoints["subsets"][0]["addresses"]) == 3


# ---------------------------------------------------------------------------------------------- console
CONSOLE_SAME = [
    ("create -f -", NGINX_DEPLOYMENT),
    (f"label deploy/{NAME} tier=web", None),
    (f"annotate deploy/{NAME} note=hi", None),
    (f"scale deploy/{NAME} --replicas=2", None),
    (f"set image deploy/{NAME} nginx=nginx:1.26", None),
    ("cordon worker-1", None),
    ("cordon worker-1", None),
    ("uncordon worker-1", None),
    ("taint nodes worker-2 k=v:NoSchedule", None),
    (f"rollout pause deploy/{NAME}", None),
    (f"rollout resume deploy/{NAME}", None),
    (f"rollout restart deploy/{NAME}", None),
    (f"expose deploy {NAME} --port=80", None),
    ("run tmp --image=busybox --restart=Never", None),
]


def test_the_console_prints_what_the_real_kubectl_prints():
    """The same command sequence on two fresh clusters, one through the real kubectl, one typed in the console."""
    real, console = [], []
    with ApiHarness(speed=0) as api:
        for cmd, stdin in CONSOLE_SAME:
            real.append(ok(api, *cmd.split(), stdin=stdin).rstrip("\n"))
            api.advance(5)
    with ApiHarness(speed=0) as api:
        for cmd, stdin in CONSOLE_SAME:
            console.append(api.console("kubectl " + cmd, stdin=stdin).output)
            api.advance(5)
    assert console == real


def test_get_yaml_hides_managed_fields_in_both_kubectls(api):
    ok(api, "create", "-f", "-", stdin=NGINX_DEPLOYMENT)
    api.advance(10)
    assert deployment(api)["metadata"]["managedFields"]
    real = ok(api, "get", "deploy", NAME, "-o", "yaml")
    assert "managedFields" not in real
    # timestamps reach kubectl in its own clock (timeshift.py); everything else is the same text
    stamp = re.compile(r'"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"')
    console = api.console(f"kubectl get deploy {NAME} -o yaml").output
    assert stamp.sub("T", console) == stamp.sub("T", real.rstrip("\n"))
    shown = ok(api, "get", "deploy", NAME, "-o", "yaml", "--show-managed-fields")
    assert "manager: kubectl-create" in shown


def test_apply_server_side_of_the_same_values_shares_the_fields(api):
    ok(api, "apply", "-f", "-", stdin=NGINX_DEPLOYMENT)
    out = ok(api, "apply", "--server-side", "-f", "-", stdin=NGINX_DEPLOYMENT)
    assert out == f"deployment.apps/{NAME} serverside-applied\n"
    managers = {(e["manager"], e["operation"]) for e in deployment(api)["metadata"]["managedFields"]}
    assert ("kubectl", "Apply") in managers and ("kubectl-client-side-apply", "Update") in managers
    # both own spec.replicas now: changing it still conflicts with the co-owner
    rc, out, err = api.kubectl(
        "apply", "--server-side", "-f", "-", stdin=NGINX_DEPLOYMENT.replace("replicas: 3", "replicas: 5")
    )
    assert rc == 1 and 'conflict with "kubectl-client-side-apply"' in err


def test_invalid_objects_print_without_the_file_prefix(api):
    """A 422 is rebuilt by kubectl from the Status details, without `error when creating` (reference fact 10)."""
    rc, out, err = api.kubectl(
        "create", "-f", "-", stdin=NGINX_DEPLOYMENT.replace("replicas: 3", "replicas: -1")
    )
    assert rc == 1
    assert err == (
        f'The Deployment "{NAME}" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0\n'
    )
    console = api.console(
        "kubectl create -f -", stdin=NGINX_DEPLOYMENT.replace("replicas: 3", "replicas: -1")
    )
    assert console.output == err.rstrip("\n")
    assert deployment(api) is None
