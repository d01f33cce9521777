"""kubectl lines a new user types from kubernetes.io pages and the cheat sheet, checked against the real
kubectl v1.37.1 where the output can be compared (tests/kubectl_oracle.py, with its stand-in API server).

Covers: `logs -f/--follow` and `get -w` (kubectl flags; the console prints the current state and a note),
`exec -it … -- sh` (refused: no terminal), `RESOURCE.VERSION.GROUP` type words, here-documents and `-f URL`
(refused with the way in), `get/describe -f -`, a failed drain that leaves the node cordoned, and `version`.
"""

import json

import pytest

from tests.engine.conftest import get, ok, pods
from tests.kubectl_oracle import Oracle
from visualizer.engine import Cluster
from visualizer.engine.kubectl.commands import FOLLOW_NOTE, WATCH_NOTE

POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: nginx}\nspec:\n  containers:\n  - {name: nginx, image: nginx:1.14.2}\n"


@pytest.fixture
def oracle():
    o = Oracle()
    yield o
    o.close()


@pytest.fixture
def nginx():
    c = Cluster(seed=7)
    ok(c, "kubectl apply -f -", POD)
    c.advance(30)
    return c


@pytest.mark.parametrize(
    "line", ["logs -f nginx", "logs nginx -f", "logs --follow nginx", "logs nginx --follow=true"]
)
def test_logs_follow_is_a_boolean_and_prints_the_log_so_far_with_a_note(nginx, oracle, line):
    """kubectl reads `-f` of logs as --follow (it asks for the pod's log, not a file); the console prints the
    lines logged so far and says it cannot stream."""
    plain = ok(nginx, "kubectl logs nginx").output
    out = ok(nginx, f"kubectl {line}").output
    assert out == (plain + "\n" if plain else "") + FOLLOW_NOTE
    oracle.serve(get(nginx, "pod nginx")[0])
    oracle.run(line.split(), server=True)
    assert "GET /api/v1/namespaces/default/pods/nginx/log" in oracle.requests


def test_logs_has_no_filename_flag(nginx, oracle):
    """`kubectl logs --filename x` is an unknown flag, as in kubectl."""
    code, _, err = oracle.run(["logs", "--filename", "x"])
    result = nginx.run("kubectl logs --filename x")
    assert code == 1 and not result.ok
    assert result.output.splitlines()[0] == err.splitlines()[0] == "error: unknown flag: --filename"


def test_get_watch_prints_the_list_now_and_a_note(nginx):
    """`kubectl get pods -w` / `--watch`: the current table (kubectl's first watch output), then the note."""
    table = ok(nginx, "kubectl get pods").output
    assert ok(nginx, "kubectl get pods -w").output == table + "\n" + WATCH_NOTE
    assert ok(nginx, "kubectl get pods --watch").output == table + "\n" + WATCH_NOTE


@pytest.mark.parametrize("command", ["/bin/bash", "sh", "bash -l", "/bin/sh -i"])
def test_exec_it_with_an_interactive_shell_is_refused_with_the_way_out(nginx, command):
    """An interactive shell needs a terminal: refused, naming `kubectl exec POD -- sh -c '…'`; nothing runs."""
    result = nginx.run(f"kubectl exec -it nginx -- {command}")
    assert not result.ok
    assert result.output.startswith("error: this web console has no terminal to attach to")
    assert "kubectl exec nginx -- sh -c '" in result.output


def test_exec_it_of_a_missing_pod_is_not_found_first(nginx):
    """kubectl looks the pod up before it opens a stream."""
    assert (
        nginx.run("kubectl exec -it nope -- sh").output
        == 'Error from server (NotFound): pods "nope" not found'
    )


def test_exec_without_a_terminal_still_runs_in_the_containers_shell(nginx):
    """`kubectl exec POD -- sh -c 'echo $HOSTNAME'` prints the pod's hostname; -it with a command also runs."""
    assert ok(nginx, "kubectl exec nginx -- sh -c 'echo $HOSTNAME'").output.strip() == "nginx"
    assert ok(nginx, "kubectl exec -it nginx -- sh -c 'echo $HOSTNAME'").output.strip() == "nginx"


@pytest.mark.parametrize(
    "word",
    ["deployment.v1.apps", "deployments.v1.apps", "deployment.apps", "deploy.apps", "Deployment.v1.apps"],
)
def test_resource_version_group_words_name_the_kind(word, oracle):
    """`kubectl get deployment.v1.apps NAME -o name` prints what the real kubectl prints."""
    c = Cluster(seed=3)
    ok(c, "kubectl create deployment nginx-deployment --image=nginx:1.14.2")
    oracle.serve(get(c, "deployment nginx-deployment")[0])
    code, out, err = oracle.run(["get", word, "nginx-deployment", "-o", "name"], server=True)
    assert code == 0, err
    assert ok(c, f"kubectl get {word} nginx-deployment -o name").output == out.strip()


def test_every_kind_accepts_its_version_group_form():
    """lookup_resource: `PLURAL.VERSION.GROUP` and `SINGULAR.GROUP` for every served kind; a wrong version
    or group is unknown (kubectl: the server doesn't have a resource type)."""
    from visualizer.engine.objects import RESOURCES, lookup_resource

    for r in RESOURCES:
        version = r.api_version.rsplit("/", 1)[-1]
        assert lookup_resource(f"{r.plural}.{version}.{r.group}") is r
        if r.group:
            assert lookup_resource(f"{r.singular}.{r.group}") is r
            assert lookup_resource(f"{r.plural}.v0.{r.group}") is None
    assert lookup_resource("ingresses.networking.k8s.io") is lookup_resource("ing")
    assert lookup_resource("ingress.v1.networking.k8s.io") is lookup_resource("ing")
    assert lookup_resource("deployment.v1.batch") is None


def test_set_image_with_the_deployment_pages_type_word():
    """The Deployments page's `kubectl set image deployment.v1.apps/nginx-deployment nginx=nginx:1.16.1`."""
    c = Cluster(seed=3)
    ok(c, "kubectl create deployment nginx-deployment --image=nginx:1.14.2")
    out = ok(c, "kubectl set image deployment.v1.apps/nginx-deployment nginx=nginx:1.16.1").output
    assert out == "deployment.apps/nginx-deployment image updated"
    assert get(c, "deployment nginx-deployment")[0]["spec"]["template"]["spec"]["containers"][0]["image"] == (
        "nginx:1.16.1"
    )


def test_a_here_document_points_to_the_yaml_tab(nginx):
    """`kubectl apply -f - <<EOF …` pasted as one line: refused, naming the YAML tab; nothing changes."""
    before = nginx.to_dict()
    result = nginx.run("kubectl apply -f - <<EOF apiVersion: v1 kind: Pod EOF")
    assert not result.ok and "here-document" in result.output and "YAML tab" in result.output
    assert nginx.to_dict() == before


def test_a_url_manifest_is_refused_naming_the_url_and_the_way_in(nginx):
    """`kubectl apply -f https://k8s.io/examples/…`: no internet; the message names the URL and -f -."""
    url = "https://k8s.io/examples/controllers/nginx-deployment.yaml"
    result = nginx.run(f"kubectl apply -f {url}")
    assert not result.ok
    assert result.output.splitlines()[0] == (
        f'error: this classroom cluster has no internet access, so kubectl cannot fetch "{url}".'
    )
    assert "-f -" in result.output


def test_get_and_describe_dash_f_fetch_the_objects_the_yaml_names(oracle):
    """`kubectl get -f -` lists the objects named by the manifests (type-prefixed when kinds differ), as the
    real kubectl does; describe -f - describes them."""
    c = Cluster(seed=3)
    manifests = (
        POD + "---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  ports: [{port: 80}]\n"
    )
    ok(c, "kubectl apply -f -", manifests)
    for obj in (get(c, "pod nginx")[0], get(c, "service web")[0]):
        oracle.serve(obj)
    (oracle.home / "m.yaml").write_text(manifests)
    code, out, err = oracle.run(["get", "-f", "m.yaml", "-o", "name"], server=True)
    assert code == 0, err
    assert ok(c, "kubectl get -f - -o name", manifests).output == out.strip()
    table = ok(c, "kubectl get -f -", POD).output
    assert table.splitlines()[0].split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert table.splitlines()[1].startswith("nginx ")
    assert ok(c, "kubectl describe -f -", POD).output == ok(c, "kubectl describe pod nginx").output
    code, _, err = oracle.run(["get", "-f", "m.yaml", "pods"], server=True)
    assert c.run("kubectl get -f - pods", manifests).output == err.strip()


def test_a_refused_drain_leaves_the_node_cordoned(nginx):
    """kubectl cordons first and does not undo it when a bare pod stops the drain: Ready,SchedulingDisabled."""
    node = pods(nginx, "nginx")[0]["spec"]["nodeName"]
    result = nginx.run(f"kubectl drain {node} --ignore-daemonsets")
    assert not result.ok
    lines = result.output.splitlines()
    assert lines[0] == f"node/{node} cordoned"
    assert (
        lines[-1]
        == "error: cannot delete Pods that declare no controller (use --force to override): default/nginx"
    )
    assert get(nginx, f"node {node}")[0]["spec"]["unschedulable"] is True
    assert pods(nginx, "nginx")[0]["metadata"].get("deletionTimestamp") is None


SERVER_INFO = {
    "major": "1",
    "minor": "37",
    "emulationMajor": "1",
    "emulationMinor": "37",
    "minCompatibilityMajor": "1",
    "minCompatibilityMinor": "36",
    "gitVersion": "v1.37.1",
    "gitCommit": "f78e722310e50bcaca9276be22276d9e91d91308",
    "gitTreeState": "clean",
    "buildDate": "2026-09-23T17:10:04Z",
    "goVersion": "go1.26.8",
    "compiler": "gc",
    "platform": "linux/amd64",
}


@pytest.mark.parametrize(
    "line", ["version", "version --client", "version -o json", "version -o yaml", "version --client -o json"]
)
def test_version_prints_what_kubectl_1_37_1_prints(line, oracle):
    """Client v1.37.1 with Kustomize v5.8.1 (the pinned binary) and a v1.37.1 API server."""
    oracle.serve_path("/version", SERVER_INFO)
    code, out, err = oracle.run(line.split(), server=True)
    assert code == 0, err
    assert ok(Cluster(seed=1), f"kubectl {line}").output == out.rstrip("\n")


def test_nodes_report_kubelet_v1_37_1():
    """`kubectl get nodes` VERSION and nodeInfo.kubeletVersion follow the server version; kube-proxy's image
    tag too."""
    c = Cluster(seed=1)
    assert {r.split()[-1] for r in ok(c, "kubectl get nodes").output.splitlines()[1:]} == {"v1.37.1"}
    assert all(n["status"]["nodeInfo"]["kubeletVersion"] == "v1.37.1" for n in get(c, "nodes"))
    ds = get(c, "ds kube-proxy -n kube-system")[0]
    assert ds["spec"]["template"]["spec"]["containers"][0]["image"] == "registry.k8s.io/kube-proxy:v1.37.1"
    assert json.loads(ok(c, "kubectl version -o json").output)["serverVersion"]["gitVersion"] == "v1.37.1"


def test_version_refuses_other_output_formats_as_kubectl_does(oracle):
    """`kubectl version -o wide`: `error: --output must be 'yaml' or 'json'`."""
    code, _, err = oracle.run(["version", "--client", "-o", "wide"])
    result = Cluster(seed=1).run("kubectl version -o wide")
    assert code == 1 and not result.ok
    assert result.output == err.strip() == "error: --output must be 'yaml' or 'json'"
