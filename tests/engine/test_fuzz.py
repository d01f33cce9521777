"""Fuzz tests: whatever a student types or pastes, `Cluster.run()` answers and bad input changes nothing.

Commands are mutations of valid kubectl/docker/sim lines (tokens dropped, repeated, swapped or replaced by
hostile values), random token soup, arbitrary unicode and oversized lines. YAML is garbled valid manifests,
wrong types, unknown kinds and fields, anchors and aliases ("billion laughs"), inputs over 64 KiB, 1,000
replicas, random nested documents. For every input:
- no exception escapes `run()`, and none is swallowed either (the engine's last-resort "internal simulator
  error" answer counts as a failure here: it is a bug that input validation should have caught);
- a failed result (`ok == False`) leaves `to_dict()` exactly as it was;
- YAML the parser rejects is reported with its 1-based line and column;
- the cluster still advances and answers afterwards (no corrupted state left behind).
Also: read-only commands never change anything, the documented limits hold (64 KiB, 50 documents, 40 levels
of nesting, 100 pods per request, `max_pods` for the whole cluster whatever asks for pods, HPAs included),
updates to immutable fields are refused, and damaged saved state is refused by `from_dict` with ValueError.
Examples are bounded so the file runs in well under a minute on 2 cores.
"""

from __future__ import annotations

import json
import string
from functools import cache

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from visualizer.engine import Cluster

# Budget: about 15 s of CPU for the whole file.
SETTINGS = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

BASE_YAML = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  strategy:
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 25%
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.20
        ports:
        - containerPort: 80
        env:
        - name: PASSWORD
          valueFrom:
            secretKeyRef:
              name: db
              key: password
        resources:
          requests:
            cpu: 100m
            memory: 64Mi
        readinessProbe:
          httpGet:
            path: /
            port: 80
        livenessProbe:
          httpGet:
            path: /
            port: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: NodePort
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 80
---
apiVersion: v1
kind: Secret
metadata:
  name: db
type: Opaque
stringData:
  password: s3cr3t
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
"""

VALID_COMMANDS = [
    "kubectl get pods",
    "kubectl get pods -o wide",
    "kubectl get deploy,rs,svc -o json",
    "kubectl get all",
    "kubectl get pods -l app=web -o yaml",
    "kubectl describe deployment web",
    "kubectl create deployment api --image=httpd:2.4 --replicas=2",
    "kubectl scale deployment web --replicas=5",
    "kubectl set image deployment/web nginx=nginx:1.21",
    "kubectl rollout status deployment/web",
    "kubectl rollout history deployment/web",
    "kubectl rollout undo deployment/web --to-revision=1",
    "kubectl rollout pause deployment/web",
    "kubectl expose deployment web --port=8080 --target-port=80 --name=web2",
    "kubectl autoscale deployment web --min=2 --max=8 --cpu=60%",
    "kubectl create secret generic api-key --from-literal=token=abc",
    "kubectl get secret db -o yaml",
    "kubectl cordon worker-2",
    "kubectl drain worker-1 --ignore-daemonsets --delete-emptydir-data",
    "kubectl delete service web",
    "kubectl logs deployment/web",
    "kubectl exec deploy/web -- env",
    'kubectl exec deploy/web -- sh -c "echo hi > /tmp/x"',
    "kubectl exec deploy/web -- curl http://web.default.svc.cluster.local",
    "kubectl run tmp --image=busybox:1.36 -- sleep 3600",
    "kubectl get events",
    "docker run -d --name api -e A=1 -p 8080:80 --restart=on-failure:3 nginx:1.20",
    "docker ps -a",
    "docker stop api",
    "docker rm -f api",
    "sim crash web",
    "sim fail-node worker-1",
    "sim recover-node worker-1",
    "sim probe-fail web readiness",
    "sim load web 300",
    "sim traffic web 50",
    "sim encrypt-at-rest on",
    "sim wait 30",
    "help",
]

HOSTILE_TOKENS = [
    "",
    "-",
    "--",
    "-o",
    "--replicas=",
    "--replicas=-1",
    "--replicas=1e9",
    "--replicas=99999999999999999999999999",
    "--replicas=NaN",
    "--replicas=0x10",
    "--image=",
    "--image=nginx:",
    "--image=:latest",
    "--image=NGINX:1.20",
    "--image=nginx@sha256:zz",
    "--to-revision=-5",
    "--min=5",
    "--max=1",
    "--cpu=999999%",
    "--port=70000",
    "--port=-1",
    "-n",
    "-n=kube-system",
    "--namespace=nope",
    "-l",
    "-l=app in (",
    "-o=jsonpath={.items[*]}",
    "deployment/",
    "/",
    "pod/../../etc/passwd",
    "worker-99",
    "control-plane",
    "web",
    "nginx=",
    "=nginx:1.21",
    "'",
    '"',
    "\\",
    "$(reboot)",
    "`id`",
    "; rm -rf /",
    "&&",
    "|",
    ">",
    "%s%n%x",
    "{{.}}",
    "\x00",
    "\x1b[31m",
    "\u202e",
    "\ufeff",
    "파드",
    "🐳",
    "ǅ",
    "İ",
    "ß" * 50,
    "9" * 300,
    "-" * 200,
]

VOCABULARY = [
    "kubectl",
    "docker",
    "sim",
    "help",
    "k",
    "get",
    "describe",
    "create",
    "apply",
    "delete",
    "scale",
    "set",
    "image",
    "rollout",
    "undo",
    "status",
    "history",
    "pause",
    "resume",
    "restart",
    "expose",
    "autoscale",
    "cordon",
    "uncordon",
    "drain",
    "logs",
    "exec",
    "run",
    "ps",
    "stop",
    "start",
    "rm",
    "crash",
    "fail-node",
    "recover-node",
    "probe-fail",
    "probe-ok",
    "load",
    "traffic",
    "wait",
    "encrypt-at-rest",
    "pods",
    "po",
    "deployment",
    "deploy",
    "rs",
    "svc",
    "service",
    "endpoints",
    "nodes",
    "secret",
    "generic",
    "pv",
    "pvc",
    "hpa",
    "events",
    "all",
    "web",
    "db",
    "data",
    "worker-1",
    "worker-2",
    "-f",
    "-",
    "--",
    "-o",
    "json",
    "yaml",
    "wide",
    "-l",
    "app=web",
    "--replicas=2",
    "--image=nginx:1.21",
    "nginx=nginx:1.21",
    "--from-literal=a=b",
    "readiness",
    "liveness",
    "on",
    "off",
    "10",
    "-d",
    "--rm",
    "--restart=always",
    "--name",
    "sh",
    "-c",
    "echo",
    "cat",
    "/etc/hostname",
]


@cache
def base_state() -> str:
    """Returns (as JSON text) a busy cluster: a Deployment with probes and a Secret, a NodePort Service, a
    bound PVC, a Docker container and an HPA, settled for a minute."""
    cluster = Cluster(workers=3, seed=11)
    for command, stdin in [
        ("kubectl apply -f -", BASE_YAML),
        ("kubectl autoscale deployment web --min=2 --max=6 --cpu=50%", None),
        ("docker run -d --name api nginx:1.20", None),
    ]:
        result = cluster.run(command, stdin=stdin)
        assert result.ok, result.output
    cluster.advance(seconds=60)
    return json.dumps(cluster.to_dict())


def fresh() -> Cluster:
    """Returns a new copy of the busy base cluster."""
    return Cluster.from_dict(json.loads(base_state()))


def canonical(cluster: Cluster) -> str:
    return json.dumps(cluster.to_dict(), sort_keys=True)


def check_run(cluster: Cluster, command, stdin=None):
    """Runs one input and asserts the guarantees every input must keep; returns the result."""
    before = canonical(cluster)
    result = cluster.run(command, stdin=stdin)
    assert isinstance(result.ok, bool)
    assert isinstance(result.output, str)
    json.dumps(result.events)  # what the visualizer broadcasts must serialise
    assert "internal simulator error" not in result.output, (
        f"an exception was swallowed for {command!r} (stdin {str(stdin)[:200]!r}): {result.output}"
    )
    if not result.ok:
        after = canonical(cluster)
        cordoned = _partial_drain(result.output)
        if cordoned:
            assert_only_cordoned(json.loads(before), json.loads(after), cordoned)
        else:
            assert after == before, f"failed {command!r} changed the cluster: {result.output}"
    return result


def _partial_drain(output: str) -> str | None:
    """Returns the node a failed `kubectl drain` cordoned before it stopped, or None.

    kubectl cordons first and does not uncordon when the drain stops (pkg/cmd/drain/drain.go RunDrain), so a
    failed drain is the one failure that keeps a write: "node/NAME cordoned" then "error: unable to drain".
    """
    first, _, rest = output.partition("\n")
    if first.startswith("node/") and first.endswith(" cordoned") and "error: unable to drain node" in rest:
        return first[len("node/") : -len(" cordoned")]
    return None


def assert_only_cordoned(before: dict, after: dict, node: str) -> None:
    """Asserts that between two `to_dict()` states the only object written is `node`, now unschedulable, and
    that nothing was evicted: every other object is unchanged, none added or removed."""

    def key(obj: dict) -> tuple:
        return (obj["kind"], obj["metadata"].get("namespace"), obj["metadata"]["name"])

    was = {key(o): o for o in before["store"]["objects"]}
    now = {key(o): o for o in after["store"]["objects"]}
    assert was.keys() == now.keys(), "a failed drain added or removed objects"
    target = ("Node", None, node)
    assert now[target]["spec"].get("unschedulable") is True, (
        "the failed drain did not leave the node cordoned"
    )
    for k, obj in now.items():
        if k != target:
            assert obj == was[k], f"a failed drain changed {k}"
    spec_now = {f: v for f, v in now[target]["spec"].items() if f not in ("unschedulable", "taints")}
    spec_was = {f: v for f, v in was[target]["spec"].items() if f not in ("unschedulable", "taints")}
    assert spec_now == spec_was and now[target]["status"] == was[target]["status"]


def test_a_failed_drain_keeps_only_its_cordon():
    """Found by Hypothesis: `drain` without --ignore-daemonsets meets kube-proxy's DaemonSet pod, fails, and
    leaves the node cordoned (Ready,SchedulingDisabled) with every pod still on it, as kubectl does."""
    cluster = fresh()
    result = check_run(cluster, "kubectl drain worker-1 --delete-emptydir-data")
    assert not result.ok
    assert result.output.startswith('node/worker-1 cordoned\nerror: unable to drain node "worker-1"')
    assert "cannot delete DaemonSet-managed Pods" in result.output
    assert _partial_drain(result.output) == "worker-1"
    check_still_works(cluster)


def check_still_works(cluster: Cluster) -> None:
    """Asserts the cluster still advances and answers after the fuzzed input."""
    cluster.advance(seconds=7.5)
    result = cluster.run("kubectl get all -o json")
    assert result.ok, result.output
    json.dumps(cluster.to_dict())


# ---------------------------------------------------------------------------------------------------------
# Commands


@st.composite
def mutated_commands(draw) -> str:
    """Draws a valid command with a few token-level mutations applied."""
    words = draw(st.sampled_from(VALID_COMMANDS)).split(" ")
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["drop", "repeat", "swap", "replace", "insert", "truncate", "case"]))
        i = draw(st.integers(0, max(0, len(words) - 1)))
        if op == "drop" and len(words) > 1:
            del words[i]
        elif op == "repeat":
            words.insert(i, words[i])
        elif op == "swap" and len(words) > 1:
            j = draw(st.integers(0, len(words) - 1))
            words[i], words[j] = words[j], words[i]
        elif op == "replace":
            words[i] = draw(st.sampled_from(HOSTILE_TOKENS + VOCABULARY))
        elif op == "insert":
            words.insert(i, draw(st.one_of(st.sampled_from(HOSTILE_TOKENS), st.text(max_size=12))))
        elif op == "truncate":
            words[i] = words[i][: draw(st.integers(0, max(0, len(words[i]) - 1)))]
        elif op == "case":
            words[i] = words[i].upper()
    return " ".join(words)


token_soup = st.lists(st.sampled_from(VOCABULARY + HOSTILE_TOKENS), min_size=1, max_size=10).map(" ".join)
any_text = st.text(
    alphabet=st.one_of(st.characters(), st.sampled_from(string.printable)),
    max_size=80,
)


@SETTINGS
@given(command=st.one_of(mutated_commands(), token_soup, any_text, st.sampled_from(VALID_COMMANDS)))
def test_no_command_raises_and_a_failed_one_changes_nothing(command):
    """Any command line gets an answer; a failed one leaves the cluster exactly as it was."""
    cluster = fresh()
    check_run(cluster, command)
    check_still_works(cluster)


@settings(SETTINGS, max_examples=50)
@given(script=st.lists(st.one_of(mutated_commands(), token_soup), min_size=2, max_size=6))
def test_a_sequence_of_fuzzed_commands_keeps_the_cluster_usable(script):
    """Fuzzed commands in a row, with time passing between them, never break the cluster."""
    cluster = fresh()
    for command in script:
        check_run(cluster, command)
        cluster.advance(seconds=3)
    check_still_works(cluster)


READ_ONLY = [
    "kubectl get",
    "kubectl describe",
    "kubectl logs",
    "kubectl rollout status",
    "kubectl rollout history",
    "kubectl explain",
    "kubectl version",
    "kubectl api-resources",
    "docker ps",
    "docker logs",
    "docker inspect",
    "sim images",
    "sim help",
    "help",
]
read_only_commands = st.builds(
    lambda head, rest: " ".join([head, *rest]),
    st.sampled_from(READ_ONLY),
    st.lists(
        st.sampled_from(
            [
                "pods",
                "deploy",
                "rs",
                "svc",
                "endpoints",
                "nodes",
                "secrets",
                "pv",
                "pvc",
                "hpa",
                "events",
                "all",
                "web",
                "db",
                "data",
                "api",
                "deployment/web",
                "pod/web",
                "-o",
                "json",
                "yaml",
                "wide",
                "-l",
                "app=web",
                "-n",
                "kube-system",
                "-A",
                "--revision=1",
                "--tail=5",
                "-a",
                "--watch=false",
                "--previous",
            ]
            + HOSTILE_TOKENS[:20]
        ),
        max_size=5,
    ),
)


@SETTINGS
@given(command=read_only_commands)
def test_read_only_commands_never_change_the_cluster(command):
    """get, describe, logs, rollout status/history, docker ps/logs and help change nothing, succeed or fail."""
    cluster = fresh()
    before = canonical(cluster)
    check_run(cluster, command)
    assert canonical(cluster) == before, f"{command!r} changed the cluster"


@pytest.mark.parametrize(
    "command",
    [
        "kubectl get pods " + "a" * 100_000,
        "kubectl " + "get " * 30_000,
        "kubectl scale deployment web --replicas=" + "9" * 4000,
        "docker run -d " + " ".join(f"-e V{i}={i}" for i in range(900)) + " nginx:1.20",
        "kubectl create secret generic big --from-literal=k=" + "x" * 4000,
        "sim traffic web " + "9" * 50,
        "sim wait 1e308",
        "sim wait nan",
        "sim wait inf",
        "sim load web 1e400",
        "kubectl get pods -l " + ",".join(f"k{i}=v" for i in range(700)),
        "kubectl exec deploy/web -- sh -c " + '"' + "echo x > /tmp/a; " * 200 + '"',
        "🐳" * 5000,
        "\x00" * 5000,
        "",
        "   ",
        "\n\n\n",
    ],
    ids=lambda c: f"{c[:24]!r}…{len(c)}",
)
def test_huge_and_degenerate_command_lines_are_refused_cleanly(command):
    """Oversized, empty and control-character command lines get an answer and change nothing if refused."""
    cluster = fresh()
    check_run(cluster, command)
    check_still_works(cluster)


@pytest.mark.parametrize("command", [None, 42, b"kubectl get pods", ["kubectl", "get", "pods"]])
def test_a_command_that_is_not_text_is_refused(command):
    """run() refuses a non-string command instead of raising."""
    cluster = fresh()
    result = check_run(cluster, command)
    assert result.ok is False


# ---------------------------------------------------------------------------------------------------------
# YAML


def yaml_rejects(text: str):
    """Returns PyYAML's MarkedYAMLError for text it cannot parse (None when it parses)."""
    try:
        list(yaml.safe_load_all(text))
    except yaml.MarkedYAMLError as exc:
        return exc
    except Exception:  # noqa: BLE001 - other failures (bad timestamps, reader errors) carry no mark
        return None
    return None


def check_apply(cluster: Cluster, text: str):
    """Applies YAML through `kubectl apply -f -` with the usual checks; asserts line/column for bad YAML."""
    result = check_run(cluster, "kubectl apply -f -", stdin=text)
    if len(text.encode("utf-8", "replace")) <= 64 * 1024 and yaml_rejects(text) is not None:
        assert not result.ok, "YAML the parser rejects was accepted"
        error = result.error or {}
        lines = text.count("\n") + 1
        assert isinstance(error.get("line"), int) and 1 <= error["line"] <= lines, (result.output, error)
        assert isinstance(error.get("column"), int) and error["column"] >= 1, (result.output, error)
        # go-yaml names a scanner error by its line and a parser error by the line before (0-based
        # problem_mark), or names none on the first line; the editor marks the line the problem is on.
        assert (
            f"line {error['line']}:" in result.output
            or f"line {error['line'] - 1}:" in result.output
            or "yaml: line" not in result.output
        ), (result.output, error)
    return result


GARBLE_CHARS = [
    ":",
    " ",
    "  ",
    "\t",
    "-",
    "- ",
    "'",
    '"',
    "{",
    "}",
    "[",
    "]",
    "#",
    "&a ",
    "*a",
    "|",
    ">",
    "\n",
    "%",
]


@st.composite
def garbled_yaml(draw) -> str:
    """Draws the base manifest with a few character-level edits."""
    text = BASE_YAML
    for _ in range(draw(st.integers(1, 5))):
        i = draw(st.integers(0, len(text) - 1))
        op = draw(st.sampled_from(["insert", "delete", "replace", "dedent", "indent"]))
        if op == "insert":
            text = text[:i] + draw(st.sampled_from(GARBLE_CHARS)) + text[i:]
        elif op == "delete":
            text = text[:i] + text[i + draw(st.integers(1, 8)) :]
        elif op == "replace":
            text = text[:i] + draw(st.sampled_from(GARBLE_CHARS)) + text[i + 1 :]
        else:
            lines = text.split("\n")
            j = draw(st.integers(0, len(lines) - 1))
            lines[j] = lines[j][1:] if op == "dedent" else " " + lines[j]
            text = "\n".join(lines)
    return text


json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.sampled_from(["3", "80", "25%", "nginx:1.20", "Always", "ClusterIP", "TCP", "1Gi", "100m"]),
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.one_of(
                st.sampled_from(
                    [
                        "name",
                        "spec",
                        "replicas",
                        "selector",
                        "matchLabels",
                        "template",
                        "containers",
                        "image",
                        "ports",
                        "port",
                        "labels",
                        "metadata",
                        "data",
                        "stringData",
                        "type",
                        "resources",
                    ]
                ),
                st.text(max_size=8),
            ),
            children,
            max_size=5,
        ),
    ),
    max_leaves=25,
)
KINDS = [
    ("apps/v1", "Deployment"),
    ("apps/v1", "ReplicaSet"),
    ("v1", "Pod"),
    ("v1", "Service"),
    ("v1", "Secret"),
    ("v1", "ConfigMap"),
    ("v1", "PersistentVolume"),
    ("v1", "PersistentVolumeClaim"),
    ("autoscaling/v2", "HorizontalPodAutoscaler"),
    ("storage.k8s.io/v1", "StorageClass"),
    ("v1", "Node"),
    ("v1", "Endpoints"),
    ("v1", "Namespace"),
    ("batch/v1", "CronJob"),
    ("apps/v2", "Deployment"),
    ("v1", "Deploymnt"),
]


@st.composite
def random_objects(draw) -> str:
    """Draws one or more documents shaped like objects (known and unknown kinds) with random contents."""
    docs = []
    for _ in range(draw(st.integers(1, 3))):
        api_version, kind = draw(st.sampled_from(KINDS))
        doc = {"apiVersion": api_version, "kind": kind}
        doc["metadata"] = draw(
            st.one_of(
                st.fixed_dictionaries({"name": st.sampled_from(["web", "x", "db", "UPPER", "a" * 300, ""])}),
                json_values,
            )
        )
        for field in draw(
            st.lists(st.sampled_from(["spec", "data", "stringData", "type", "status", "extra"]))
        ):
            doc[field] = draw(json_values)
        docs.append(doc)
    return yaml.safe_dump_all(docs, allow_unicode=True)


@SETTINGS
@given(text=st.one_of(garbled_yaml(), random_objects(), st.text(max_size=300)))
def test_no_yaml_raises_and_rejected_yaml_changes_nothing(text):
    """Any YAML gets an answer; rejected YAML changes nothing, and unparsable YAML names its line and column."""
    cluster = fresh()
    check_apply(cluster, text)
    check_still_works(cluster)


def deployment(**overrides) -> dict:
    """Returns a valid Deployment object with top-level or dotted-path overrides applied."""
    obj = yaml.safe_load(BASE_YAML.split("---")[0])
    obj["metadata"]["name"] = "fuzz"
    obj["spec"]["selector"]["matchLabels"]["app"] = "fuzz"
    obj["spec"]["template"]["metadata"]["labels"]["app"] = "fuzz"
    obj["spec"]["template"]["spec"]["containers"][0].pop("env")
    for path, value in overrides.items():
        target = obj
        keys = path.split("__")
        for key in keys[:-1]:
            target = target[int(key)] if isinstance(target, list) else target[key]
        last = keys[-1]
        if value is DELETE:
            del target[last]
        elif isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value
    return obj


DELETE = object()
INVALID_OBJECTS = {
    "replicas as a word": deployment(spec__replicas="three"),
    "negative replicas": deployment(spec__replicas=-1),
    "fractional replicas": deployment(spec__replicas=1.5),
    "replicas as a list": deployment(spec__replicas=[1]),
    "boolean replicas": deployment(spec__replicas=True),
    "1,000 replicas": deployment(spec__replicas=1000),
    "2**64 replicas": deployment(spec__replicas=2**64),
    "metadata a number": deployment(metadata=5),
    "spec null": deployment(spec=None),
    "spec a list": deployment(spec=[]),
    "no containers": deployment(spec__template__spec__containers=[]),
    "containers a mapping": deployment(spec__template__spec__containers={"name": "x"}),
    "image a number": deployment(spec__template__spec__containers__0__image=5),
    "image missing": deployment(spec__template__spec__containers__0__image=DELETE),
    "container name invalid": deployment(spec__template__spec__containers__0__name="Nginx_1"),
    "label value a list": deployment(spec__template__metadata__labels__app=[1]),
    "selector not matching": deployment(spec__selector__matchLabels__app="other"),
    "selector missing": deployment(spec__selector=DELETE),
    "name uppercase": deployment(metadata__name="Web"),
    "name too long": deployment(metadata__name="a" * 254),
    "name empty": deployment(metadata__name=""),
    "namespace missing": deployment(metadata__namespace="nope"),
    "restartPolicy Never": deployment(spec__template__spec__restartPolicy="Never"),
    "maxSurge and maxUnavailable 0": deployment(
        spec__strategy={"rollingUpdate": {"maxSurge": 0, "maxUnavailable": 0}}
    ),
    "maxUnavailable 150%": deployment(spec__strategy={"rollingUpdate": {"maxUnavailable": "150%"}}),
    "maxSurge a word": deployment(spec__strategy={"rollingUpdate": {"maxSurge": "lots"}}),
    "strategy type unknown": deployment(spec__strategy={"type": "BlueGreen"}),
    "cpu request invalid": deployment(
        spec__template__spec__containers__0__resources={"requests": {"cpu": "1 core"}}
    ),
    "memory request negative": deployment(
        spec__template__spec__containers__0__resources={"requests": {"memory": "-5Mi"}}
    ),
    "port out of range": deployment(spec__template__spec__containers__0__ports=[{"containerPort": 70000}]),
    "probe period 0": deployment(
        spec__template__spec__containers__0__readinessProbe={
            "httpGet": {"path": "/", "port": 80},
            "periodSeconds": 0,
        }
    ),
    "unknown field": deployment(spec__replica=3),
    "unknown nested field": deployment(spec__template__spec__containers__0__imagePullPolcy="Always"),
    "unknown kind": deployment(kind="Deploymnt"),
    "unknown apiVersion": deployment(apiVersion="apps/v2"),
    "kind missing": deployment(kind=DELETE),
    "apiVersion missing": deployment(apiVersion=DELETE),
    "Node object": {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "worker-9"}},
    "Endpoints object": {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "web"}, "subsets": []},
    "Service port a word": {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "svc"},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": "http"}]},
    },
    "Service NodePort out of range": {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "svc"},
        "spec": {"type": "NodePort", "selector": {"app": "web"}, "ports": [{"port": 80, "nodePort": 80}]},
    },
    "Secret data not base64": {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "s"},
        "data": {"k": "not base64!!"},
    },
    "PVC without size": {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": "c"},
        "spec": {"accessModes": ["ReadWriteOnce"]},
    },
    "HPA max below min": {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "h"},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
            "minReplicas": 5,
            "maxReplicas": 2,
        },
    },
}


@pytest.mark.parametrize("name", sorted(INVALID_OBJECTS))
def test_invalid_objects_are_refused_and_change_nothing(name):
    """Objects with wrong types, invalid values, unknown kinds or fields, or too many pods are refused."""
    cluster = fresh()
    result = check_apply(cluster, yaml.safe_dump(INVALID_OBJECTS[name]))
    assert not result.ok, f"{name} was accepted: {result.output}"
    check_still_works(cluster)


def test_a_bad_document_refuses_the_whole_multi_document_apply():
    """A valid document next to an invalid one is not applied either: rejected input changes nothing."""
    cluster = fresh()
    text = yaml.safe_dump_all([deployment(), deployment(metadata__name="second", spec__replicas=-1)])
    result = check_apply(cluster, text)
    assert not result.ok


# Each case: YAML text, the 1-based line a person would point at.
BROKEN_YAML = {
    "indentation": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n spec:\n  replicas: 2\n",
        5,
    ),
    "tab indentation": ("apiVersion: v1\nkind: Service\nmetadata:\n\tname: web\n", 4),
    "mapping value in a value": ("apiVersion: v1\nkind: Secret\nmetadata:\n  name: a: b\n", 4),
    "unclosed quote": ('apiVersion: v1\nkind: Secret\nmetadata:\n  name: "web\ntype: Opaque\n', 6),
    "unclosed flow mapping": ("apiVersion: v1\nkind: Secret\nmetadata: {name: web\n", 4),
    "list item in a mapping": ("apiVersion: v1\nkind: Secret\nmetadata:\n  name: web\n- oops\n", 5),
}


@pytest.mark.parametrize("name", sorted(BROKEN_YAML))
def test_invalid_yaml_reports_its_line_and_column(name):
    """YAML syntax errors come back with the line (matching the parser's mark) and a column."""
    text, human_line = BROKEN_YAML[name]
    cluster = fresh()
    result = check_apply(cluster, text)
    mark = yaml_rejects(text).problem_mark
    assert result.error["line"] == mark.line + 1
    assert result.error["column"] == mark.column + 1
    # The parser points at the broken line or, for unterminated constructs, where the text ran out.
    assert abs(result.error["line"] - human_line) <= 1


BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""

ALIAS_IN_MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web2
  labels: &labels
    app: web2
spec:
  replicas: 2
  selector:
    matchLabels: *labels
  template:
    metadata:
      labels: *labels
    spec:
      containers:
      - name: nginx
        image: nginx:1.20
"""


def big_annotation(size: int) -> str:
    obj = deployment()
    obj["metadata"]["annotations"] = {"note": "x" * size}
    return yaml.safe_dump(obj)


HOSTILE_YAML = {
    "billion laughs": BILLION_LAUGHS,
    "aliases in a manifest": ALIAS_IN_MANIFEST,
    "over 64 KiB annotation": big_annotation(70 * 1024),
    "over 64 KiB of comments": "# padding\n" * 7000 + yaml.safe_dump(deployment()),
    "over 64 KiB multibyte": "# " + "파" * 23_000 + "\n" + yaml.safe_dump(deployment()),
    "2 MiB": "a: " + "b" * (2 * 1024 * 1024) + "\n",
    "deep nesting": "a: " + "[" * 1000 + "]" * 1000 + "\n",
    "deep block nesting": "".join("  " * i + f"k{i}:\n" for i in range(300)) + "  " * 300 + "v: 1\n",
    "many documents": "---\n".join(yaml.safe_dump(deployment(metadata__name=f"d{i}")) for i in range(60)),
    "1,000 replicas": yaml.safe_dump(deployment(spec__replicas=1000)),
    "101 pods in two objects": yaml.safe_dump_all(
        [deployment(metadata__name="a", spec__replicas=60), deployment(metadata__name="b", spec__replicas=41)]
    ),
    "a list of 200 pods": yaml.safe_dump(
        {
            "apiVersion": "v1",
            "kind": "List",
            "items": [
                {
                    "apiVersion": "v1",
                    "kind": "Pod",
                    "metadata": {"name": f"p{i}"},
                    "spec": {"containers": [{"name": "c", "image": "nginx:1.20"}]},
                }
                for i in range(200)
            ],
        }
    ),
    "python tags": "!!python/object/apply:os.system ['echo pwned']\n",
    "binary tag": "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: !!binary aGVsbG8=\n",
    "set tag": "apiVersion: v1\nkind: Secret\nmetadata: !!set {name, s}\n",
    "timestamp value": "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {when: 2024-01-01}\n",
    "integer keys": "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {1: one}\n",
    "NaN": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: n}\nspec: {replicas: .nan}\n",
    "infinity": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: n}\nspec: {replicas: .inf}\n",
    "NUL byte": "apiVersion: v1\x00\nkind: Secret\n",
    "lone surrogate": "apiVersion: v1\nkind: Secret\nmetadata: {name: \ud800}\n",
    "BOM": "\ufeff" + yaml.safe_dump(deployment(metadata__name="bom")),
    "JSON": json.dumps(deployment(metadata__name="json")) + "{",
    "only a scalar": "hello\n",
    "only a list": "- 1\n- 2\n",
    "empty": "",
    "only comments": "# nothing\n",
    "only separators": "---\n---\n...\n",
}


@pytest.mark.parametrize("name", sorted(HOSTILE_YAML))
def test_hostile_yaml_is_handled_within_limits(name):
    """Aliases, oversized, deeply nested, over-limit and exotic YAML never raise and never half-apply."""
    cluster = fresh()
    pods_before = len(json.loads(cluster.run("kubectl get pods -o json").output)["items"])
    result = check_apply(cluster, HOSTILE_YAML[name])
    if result.ok:
        cluster.advance(seconds=30)
        pods_after = len(json.loads(cluster.run("kubectl get pods -o json").output)["items"])
        assert pods_after - pods_before <= 100, "an apply created more than 100 pods"
    check_still_works(cluster)


@pytest.mark.parametrize(
    "name",
    [
        "billion laughs",
        "aliases in a manifest",
        "over 64 KiB annotation",
        "2 MiB",
        "1,000 replicas",
        "a list of 200 pods",
        "many documents",
    ],
)
def test_limits_refuse_with_a_clear_message(name):
    """Inputs over the server's limits (aliases, 64 KiB, 100 pods, document count) are refused, never applied."""
    cluster = fresh()
    result = check_apply(cluster, HOSTILE_YAML[name])
    assert not result.ok
    assert result.output.startswith("error")


@pytest.mark.parametrize("stdin", [None, 5, b"apiVersion: v1", ["a"], {"kind": "Pod"}])
def test_stdin_that_is_not_text_is_refused(stdin):
    """apply -f - with missing or non-text stdin is refused instead of raising."""
    cluster = fresh()
    result = check_run(cluster, "kubectl apply -f -", stdin=stdin)
    assert result.ok is False


# ---------------------------------------------------------------------------------------------------------
# The cluster-wide pod limit (docs/engine.md, "Limits": desired pods in the cluster ≤ max_pods)

SMALL_LIMIT = 20


def desired_pods(cluster: Cluster) -> int:
    """Returns the pods the cluster is asked to run: Deployment and stand-alone ReplicaSet replicas plus bare
    pods (surge pods of a rollout are not desired, they come and go)."""
    total = sum(
        d["spec"].get("replicas", 1)
        for d in json.loads(cluster.run("kubectl get deploy -o json").output)["items"]
    )
    for rs in json.loads(cluster.run("kubectl get rs -o json").output)["items"]:
        if not rs["metadata"].get("ownerReferences"):
            total += rs["spec"].get("replicas", 1)
    for pod in json.loads(cluster.run("kubectl get pods -o json").output)["items"]:
        if not pod["metadata"].get("ownerReferences") and not pod["metadata"].get("deletionTimestamp"):
            total += 1
    return total


def replicaset_yaml(name: str, replicas: int) -> str:
    return yaml.safe_dump(
        {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {"name": name},
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": {"app": name}},
                "template": {
                    "metadata": {"labels": {"app": name}},
                    "spec": {"containers": [{"name": "c", "image": "nginx:1.20"}]},
                },
            },
        }
    )


names = st.sampled_from(["a", "b", "c"])
limit_ops = st.lists(
    st.one_of(
        st.builds(
            lambda n, r: (f"kubectl create deployment {n} --image=nginx:1.20 --replicas={r}", None),
            names,
            st.integers(0, 25),
        ),
        st.builds(
            lambda n, r: (f"kubectl scale deployment {n} --replicas={r}", None), names, st.integers(0, 25)
        ),
        st.builds(
            lambda n, r: (
                "kubectl apply -f -",
                yaml.safe_dump(deployment(metadata__name=n, spec__replicas=r)),
            ),
            names,
            st.integers(0, 25),
        ),
        st.builds(
            lambda n: (f"kubectl run {n}-pod --image=nginx:1.20", None), st.sampled_from(["p", "q", "r", "s"])
        ),
        st.builds(lambda n: (f"kubectl delete deployment {n}", None), names),
        st.builds(
            lambda n, r: ("kubectl apply -f -", replicaset_yaml(f"rs-{n}", r)), names, st.integers(0, 25)
        ),
        st.builds(lambda n, r: (f"kubectl scale rs rs-{n} --replicas={r}", None), names, st.integers(0, 25)),
        st.builds(lambda n: (f"kubectl autoscale deployment {n} --min=1 --max=30 --cpu=50%", None), names),
        st.builds(lambda n: (f"sim load {n} 900", None), names),
        st.just(("advance", None)),
    ),
    min_size=1,
    max_size=10,
)


@settings(SETTINGS, max_examples=40)
@given(seed=st.integers(0, 2**16), ops=limit_ops)
def test_the_cluster_pod_limit_holds_whatever_asks_for_pods(seed, ops):
    """Deployments, ReplicaSets, scaling, bare pods and HPAs under load never take desired pods past max_pods."""
    cluster = Cluster(workers=3, seed=seed, max_pods=SMALL_LIMIT)
    for command, stdin in ops:
        if command == "advance":
            cluster.advance(seconds=45)
        else:
            check_run(cluster, command, stdin=stdin)
        assert desired_pods(cluster) <= SMALL_LIMIT, f"desired pods over {SMALL_LIMIT} after {command!r}"


def test_the_cluster_pod_limit_counts_stand_alone_replicasets():
    """Two ReplicaSets of 15 do not fit under a limit of 20 pods: the second is refused."""
    cluster = Cluster(workers=3, seed=1, max_pods=SMALL_LIMIT)
    check_run(cluster, "kubectl apply -f -", stdin=replicaset_yaml("a", 15))
    check_run(cluster, "kubectl apply -f -", stdin=replicaset_yaml("b", 15))
    cluster.advance(seconds=5)
    assert desired_pods(cluster) <= SMALL_LIMIT


def test_the_cluster_pod_limit_holds_when_the_hpa_scales_up():
    """An HPA under heavy load stops at the cluster's pod limit (it may not take desired pods past max_pods)."""
    cluster = Cluster(workers=3, seed=1, max_pods=SMALL_LIMIT)
    check_run(
        cluster, "kubectl apply -f -", stdin=yaml.safe_dump(deployment(metadata__name="a", spec__replicas=10))
    )
    check_run(cluster, "kubectl autoscale deployment a --min=10 --max=60 --cpu=50%")
    check_run(cluster, "sim load a 1000")
    cluster.advance(seconds=300)
    assert desired_pods(cluster) <= SMALL_LIMIT


# ---------------------------------------------------------------------------------------------------------
# Updates that real Kubernetes refuses because a field is immutable


def service(**spec) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web"},
        "spec": {"type": "NodePort", "selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 80}]}
        | spec,
    }


def claim(size: str, modes=("ReadWriteOnce",)) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": "data"},
        "spec": {"accessModes": list(modes), "resources": {"requests": {"storage": size}}},
    }


IMMUTABLE_UPDATES = {
    "Deployment selector": deployment(
        metadata__name="web",
        spec__selector={"matchLabels": {"app": "web", "tier": "x"}},
        spec__template__metadata__labels={"app": "web", "tier": "x"},
    ),
    "immutable Secret data": {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "db"},
        "immutable": True,
        "stringData": {"password": "changed"},
    },
    "PVC access modes": claim("1Gi", modes=("ReadWriteMany",)),
    "PVC shrink": claim("500Mi"),
    "PVC growth without allowVolumeExpansion": claim("5Gi"),
    "Service clusterIP": service(clusterIP="10.96.99.99"),
}


@pytest.mark.parametrize("update", list(IMMUTABLE_UPDATES.values()), ids=list(IMMUTABLE_UPDATES))
def test_updates_to_immutable_fields_are_refused(update):
    """Applying a change to an immutable field of an existing object is refused and changes nothing."""
    cluster = fresh()
    if update.get("immutable"):
        # Make the Secret immutable first (allowed: only its data is frozen afterwards).
        frozen = dict(update, stringData={"password": "s3cr3t"})
        check_run(cluster, "kubectl apply -f -", stdin=yaml.safe_dump(frozen))
    result = check_apply(cluster, yaml.safe_dump(update))
    assert not result.ok, result.output
    assert "immutable" in result.output or "Forbidden" in result.output or "may not" in result.output


# ---------------------------------------------------------------------------------------------------------
# Damaged saved state (a database row cut short or edited by hand)


def test_from_dict_refuses_damaged_state_with_value_error():
    """from_dict of saved state with a part missing raises ValueError, as docs/engine.md promises. `images`
    is the one optional part: clusters saved before it existed rebuild it from their objects
    (tests/engine/test_snapshot.py)."""
    data = json.loads(base_state())
    assert "images" in data
    for key in data:
        if key == "images":
            continue
        damaged = {k: v for k, v in data.items() if k != key}
        with pytest.raises(ValueError):
            Cluster.from_dict(damaged)


@pytest.mark.parametrize("depth", [41, 600, 5000])
def test_deep_nesting_is_refused_by_the_documented_depth_limit(depth):
    """YAML nested past the 40-level limit is refused with the limit's own message and a place, however deep."""
    cluster = fresh()
    result = check_run(cluster, "kubectl apply -f -", stdin="a: " + "[" * depth + "]" * depth + "\n")
    assert not result.ok
    assert "nested more than 40 levels" in result.output, result.output
    assert result.error["line"] == 1 and result.error["column"] >= 1
