"""Real-world cases for `kubectl apply`: last-applied-configuration, the three-way merge, HPA-owned replicas,
Secrets with stringData, dry runs and field validation — each from the kubernetes.io page it cites."""

import base64
import json

import pytest
import yaml

from tests.engine.world.conftest import get, ok
from tests.engine.world.examples import (
    NGINX_DEPLOYMENT,
    PHP_APACHE,
    SIMPLE_DEPLOYMENT,
    STRING_DATA_SECRET,
    UPDATE_DEPLOYMENT,
)

DECLARATIVE = "https://kubernetes.io/docs/tasks/manage-kubernetes-objects/declarative-config/"
HPA = "https://kubernetes.io/docs/concepts/workloads/autoscaling/horizontal-pod-autoscale/"
HPA_WALKTHROUGH = "https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale-walkthrough/"
SECRET_PAGE = "https://kubernetes.io/docs/tasks/configmap-secret/managing-secret-using-config-file/"
STATELESS = "https://kubernetes.io/docs/tasks/run-application/run-stateless-application-deployment/"
APPLY_REF = "https://kubernetes.io/docs/reference/kubectl/generated/kubectl_apply/"
API_CONCEPTS = "https://kubernetes.io/docs/reference/using-api/api-concepts/"
LAST = "kubectl.kubernetes.io/last-applied-configuration"


def _deploy(c, name="nginx-deployment"):
    return json.loads(ok(c, f"kubectl get deployment {name} -o json").output)


def _annotation(obj) -> dict:
    return json.loads(obj["metadata"]["annotations"][LAST])


@pytest.mark.cites(DECLARATIVE)
def test_apply_writes_the_file_as_last_applied_configuration(cluster):
    """simple_deployment.yaml: the annotation is the file (namespace added, `annotations: {}`), replicas
    defaulted to 1 in the live object only."""
    assert (
        ok(cluster, "kubectl apply -f -", SIMPLE_DEPLOYMENT).output
        == "deployment.apps/nginx-deployment created"
    )
    live = _deploy(cluster)
    assert live["metadata"]["annotations"][LAST] == (
        '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{},"name":"nginx-deployment",'
        '"namespace":"default"},"spec":{"minReadySeconds":5,"selector":{"matchLabels":'
        '{"app.kubernetes.io/name":"nginx"}},"template":{"metadata":{"labels":{"app.kubernetes.io/name":"nginx"}},'
        '"spec":{"containers":[{"image":"nginx:1.14.2","name":"nginx","ports":[{"containerPort":80}]}]}}}}\n'
    )
    assert live["spec"]["replicas"] == 1
    assert live["spec"]["minReadySeconds"] == 5
    assert live["spec"]["strategy"] == {
        "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"},
        "type": "RollingUpdate",
    }


@pytest.mark.cites(DECLARATIVE)
def test_update_keeps_replicas_from_scale_and_clears_min_ready_seconds(cluster):
    """The page's worked example: `kubectl scale --replicas=2`, then update_deployment.yaml: replicas stays 2,
    the image is 1.16.1, minReadySeconds is cleared from the object and from the annotation."""
    ok(cluster, "kubectl apply -f -", SIMPLE_DEPLOYMENT)
    ok(cluster, "kubectl scale deployment/nginx-deployment --replicas=2")
    assert "replicas" not in _annotation(_deploy(cluster))["spec"]
    assert (
        ok(cluster, "kubectl apply -f -", UPDATE_DEPLOYMENT).output
        == "deployment.apps/nginx-deployment configured"
    )
    live = _deploy(cluster)
    assert live["spec"]["replicas"] == 2
    assert "minReadySeconds" not in live["spec"]
    assert live["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.16.1"
    assert _annotation(live)["spec"] == yaml.safe_load(UPDATE_DEPLOYMENT)["spec"]
    assert (
        ok(cluster, "kubectl apply -f -", UPDATE_DEPLOYMENT).output
        == "deployment.apps/nginx-deployment unchanged"
    )


@pytest.mark.cites(DECLARATIVE)
def test_containers_merge_by_name(cluster):
    """The page's containers example: helper-a (in the annotation, gone from the file) is deleted, helper-b
    keeps its live `args`, helper-c is added, helper-d (never applied) is left alone."""

    def deployment(containers: str) -> str:
        return SIMPLE_DEPLOYMENT.replace(
            "      - name: nginx\n        image: nginx:1.14.2\n        ports:\n        - containerPort: 80\n",
            containers,
        )

    live_containers = (
        "      - {name: nginx, image: 'nginx:1.16'}\n      - {name: nginx-helper-a, image: 'helper:1.3'}\n"
        "      - {name: nginx-helper-b, image: 'helper:1.3', args: [run]}\n"
        "      - {name: nginx-helper-d, image: 'helper:1.3'}\n"
    )
    last_applied = (
        "      - {name: nginx, image: 'nginx:1.16'}\n      - {name: nginx-helper-a, image: 'helper:1.3'}\n"
        "      - {name: nginx-helper-b, image: 'helper:1.3'}\n"
    )
    config_file = (
        "      - {name: nginx, image: 'nginx:1.16'}\n      - {name: nginx-helper-b, image: 'helper:1.3'}\n"
        "      - {name: nginx-helper-c, image: 'helper:1.3'}\n"
    )
    ok(cluster, "kubectl apply -f -", deployment(live_containers))
    ok(cluster, "kubectl apply set-last-applied -f -", deployment(last_applied))
    assert (
        ok(cluster, "kubectl apply -f -", deployment(config_file)).output
        == "deployment.apps/nginx-deployment configured"
    )
    containers = {c["name"]: c for c in _deploy(cluster)["spec"]["template"]["spec"]["containers"]}
    assert sorted(containers) == ["nginx", "nginx-helper-b", "nginx-helper-c", "nginx-helper-d"]
    assert containers["nginx-helper-b"]["args"] == ["run"]


@pytest.mark.cites(DECLARATIVE)
def test_a_list_of_primitives_is_replaced(cluster):
    """args: last-applied [a, b], file [a, c], live [a, b, d] → [a, c]."""
    template = SIMPLE_DEPLOYMENT.replace(
        "        image: nginx:1.14.2\n", "        image: nginx:1.14.2\n        args: {}\n"
    )
    ok(cluster, "kubectl apply -f -", template.format("[a, b, d]"))
    ok(cluster, "kubectl apply set-last-applied -f -", template.format("[a, b]"))
    ok(cluster, "kubectl apply -f -", template.format("[a, c]"))
    assert _deploy(cluster)["spec"]["template"]["spec"]["containers"][0]["args"] == ["a", "c"]


@pytest.mark.cites(DECLARATIVE)
def test_switching_to_recreate_drops_the_defaulted_rolling_update(cluster):
    """The page's "Default field values" example fails with old kubectl; kubectl 1.37 sends
    `strategy: {$retainKeys: [type], type: Recreate}` (the strategy's retainKeys patch strategy), so the
    server clears the defaulted rollingUpdate and the apply succeeds."""
    ok(cluster, "kubectl apply -f -", SIMPLE_DEPLOYMENT)
    recreate = SIMPLE_DEPLOYMENT.replace(
        "spec:\n  selector:", "spec:\n  strategy:\n    type: Recreate\n  selector:", 1
    )
    assert ok(cluster, "kubectl apply -f -", recreate).output == "deployment.apps/nginx-deployment configured"
    assert _deploy(cluster)["spec"]["strategy"] == {"type": "Recreate"}


@pytest.mark.cites(DECLARATIVE)
def test_null_in_the_file_clears_a_field_and_the_server_redefaults_it(cluster):
    """ "How to clear server-defaulted fields or fields set by other writers": `replicas: null` after a
    `kubectl scale` clears it, and the server defaults it back to 1."""
    ok(cluster, "kubectl apply -f -", SIMPLE_DEPLOYMENT)
    ok(cluster, "kubectl scale deployment/nginx-deployment --replicas=3")
    with_null = SIMPLE_DEPLOYMENT.replace(
        "  minReadySeconds: 5\n", "  minReadySeconds: 5\n  replicas: null\n"
    )
    assert (
        ok(cluster, "kubectl apply -f -", with_null).output == "deployment.apps/nginx-deployment configured"
    )
    assert _deploy(cluster)["spec"]["replicas"] == 1


@pytest.mark.cites(DECLARATIVE)
def test_apply_over_kubectl_create_warns_and_patches_the_annotation_in(cluster):
    """Mixing `kubectl create` with `kubectl apply`: apply warns that the annotation is missing, then adds it."""
    ok(cluster, "kubectl create -f -", SIMPLE_DEPLOYMENT)
    assert LAST not in (_deploy(cluster)["metadata"].get("annotations") or {})
    lines = ok(cluster, "kubectl apply -f -", SIMPLE_DEPLOYMENT).output.splitlines()
    assert lines == [
        "Warning: resource deployments/nginx-deployment is missing the "
        "kubectl.kubernetes.io/last-applied-configuration annotation which is required by kubectl apply. kubectl "
        "apply should only be used on resources created declaratively by either kubectl create --save-config or "
        "kubectl apply. The missing annotation will be patched automatically.",
        "deployment.apps/nginx-deployment configured",
    ]
    assert _annotation(_deploy(cluster))["spec"]["minReadySeconds"] == 5


@pytest.mark.cites(STATELESS)
def test_stateless_tutorial_update_then_scale_by_apply(cluster):
    """deployment.yaml (2 replicas, nginx:1.14.2), then deployment-update.yaml (nginx:1.16.1), then
    deployment-scale.yaml (4 replicas); the tutorial's files use one selector label, `app: nginx` here."""
    base = SIMPLE_DEPLOYMENT.replace("app.kubernetes.io/name: nginx", "app: nginx").replace(
        "  minReadySeconds: 5\n", "  replicas: 2 # tells deployment to run 2 pods matching the template\n"
    )
    assert ok(cluster, "kubectl apply -f -", base).output == "deployment.apps/nginx-deployment created"
    update = base.replace("nginx:1.14.2", "nginx:1.16.1")
    assert ok(cluster, "kubectl apply -f -", update).output == "deployment.apps/nginx-deployment configured"
    scale = update.replace(
        "replicas: 2 # tells deployment to run 2 pods matching the template", "replicas: 4"
    )
    assert ok(cluster, "kubectl apply -f -", scale).output == "deployment.apps/nginx-deployment configured"
    live = _deploy(cluster)
    assert live["spec"]["replicas"] == 4
    # The image change made revision 2 (a second ReplicaSet); scaling changed no template, so no revision 3.
    assert live["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2"
    images = sorted(rs["spec"]["template"]["spec"]["containers"][0]["image"] for rs in get(cluster, "rs"))
    assert images == ["nginx:1.14.2", "nginx:1.16.1"]


def _php_apache_at_five(cluster):
    ok(cluster, "kubectl apply -f -", PHP_APACHE)
    cluster.advance(60)
    assert ok(
        cluster, "kubectl autoscale deployment php-apache --cpu-percent=50 --min=1 --max=10"
    ).output == (
        # kubectl 1.37 marks --cpu-percent deprecated and says so first (the real kubectl prints the same)
        "Flag --cpu-percent has been deprecated, Use --cpu with percentage or resource quantity format (e.g., '70%' for utilization or '500m' for milliCPU).\nhorizontalpodautoscaler.autoscaling/php-apache autoscaled"
    )
    # Stand-in for the walkthrough's load generator: 500m of CPU demand over 200m requests.
    ok(cluster, "sim load php-apache 250")
    cluster.advance(45)
    assert _deploy(cluster, "php-apache")["spec"]["replicas"] == 5


@pytest.mark.cites(HPA)
@pytest.mark.cites(HPA_WALKTHROUGH)
def test_re_apply_without_replicas_keeps_what_the_hpa_chose(cluster):
    """§Migrating Deployments and StatefulSets to horizontal autoscaling: with spec.replicas out of the
    manifest, re-applying it (even changed) leaves the HPA's 5 replicas alone."""
    _php_apache_at_five(cluster)
    assert ok(cluster, "kubectl apply -f -", PHP_APACHE).output == (
        "deployment.apps/php-apache unchanged\nservice/php-apache unchanged"
    )
    changed = PHP_APACHE.replace("limits:\n            cpu: 500m", "limits:\n            cpu: 600m")
    assert ok(cluster, "kubectl apply -f -", changed).output == (
        "deployment.apps/php-apache configured\nservice/php-apache unchanged"
    )
    assert _deploy(cluster, "php-apache")["spec"]["replicas"] == 5


@pytest.mark.cites(HPA)
def test_removing_replicas_from_the_manifest_drops_to_one_once(cluster):
    """The same section's warning: a manifest that had `replicas: 3` and loses it sends `replicas: null`;
    the default 1 applies and all pods but one terminate."""
    _php_apache_at_five(cluster)
    with_replicas = PHP_APACHE.replace("spec:\n  selector:", "spec:\n  replicas: 3\n  selector:", 1)
    ok(cluster, "kubectl apply -f -", with_replicas)
    assert _deploy(cluster, "php-apache")["spec"]["replicas"] == 3
    ok(cluster, "kubectl apply -f -", PHP_APACHE)
    assert _deploy(cluster, "php-apache")["spec"]["replicas"] == 1
    assert '"replicas"' not in _deploy(cluster, "php-apache")["metadata"]["annotations"][LAST]


@pytest.mark.cites(SECRET_PAGE)
def test_string_data_stays_plain_in_last_applied_and_base64_in_data(cluster):
    """The page's stringData Secret: `data.config.yaml` is base64, the annotation keeps what was submitted
    (stringData in plain text), and every re-apply says configured because stringData is write-only."""
    assert ok(cluster, "kubectl apply -f -", STRING_DATA_SECRET).output == "secret/mysecret created"
    live = json.loads(ok(cluster, "kubectl get secret mysecret -o json").output)
    text = 'apiUrl: "https://my.api.com/api/v1"\nusername: <user>\npassword: <password>\n'
    assert base64.b64decode(live["data"]["config.yaml"]).decode() == text
    assert "stringData" not in live
    assert _annotation(live)["stringData"] == {"config.yaml": text}
    assert "username: \\u003cuser\\u003e" in live["metadata"]["annotations"][LAST]
    assert ok(cluster, "kubectl apply -f -", STRING_DATA_SECRET).output == "secret/mysecret configured"


@pytest.mark.cites(SECRET_PAGE)
def test_string_data_wins_over_data_for_the_same_key(cluster):
    """The page: a key in both data and stringData takes the stringData value."""
    manifest = (
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: mysecret\ntype: Opaque\ndata:\n  username: YWRtaW4=\n"
        "stringData:\n  username: administrator\n"
    )
    ok(cluster, "kubectl apply -f -", manifest)
    live = json.loads(ok(cluster, "kubectl get secret mysecret -o json").output)
    assert live["data"] == {"username": base64.b64encode(b"administrator").decode()}


@pytest.mark.cites(APPLY_REF)
def test_dry_runs_print_their_suffix_and_change_nothing(cluster):
    """`--dry-run=client|server` print `(dry run)` / `(server dry run)` and store nothing; `-o yaml` in a
    client dry run prints the submitted object with its annotation and no server defaults."""
    before = cluster.to_dict()
    assert ok(cluster, "kubectl apply -f - --dry-run=server", SIMPLE_DEPLOYMENT).output == (
        "deployment.apps/nginx-deployment created (server dry run)"
    )
    printed = yaml.safe_load(
        ok(cluster, "kubectl apply -f - --dry-run=client -o yaml", SIMPLE_DEPLOYMENT).output
    )
    assert cluster.to_dict() == before
    assert "replicas" not in printed["spec"] and "uid" not in printed["metadata"]
    assert printed["metadata"]["annotations"][LAST].startswith('{"apiVersion":"apps/v1","kind":"Deployment"')
    ok(cluster, "kubectl apply -f -", SIMPLE_DEPLOYMENT)
    ok(cluster, "kubectl scale deployment/nginx-deployment --replicas=2")
    before = cluster.to_dict()
    assert ok(cluster, "kubectl apply -f - --dry-run=server", UPDATE_DEPLOYMENT).output == (
        "deployment.apps/nginx-deployment configured (server dry run)"
    )
    assert ok(cluster, "kubectl scale deployment/nginx-deployment --replicas=5 --dry-run=client").output == (
        "deployment.apps/nginx-deployment scaled (dry run)"
    )
    assert ok(
        cluster, "kubectl set image deployment/nginx-deployment nginx=nginx:1.16.1 --dry-run=server"
    ).output == ("deployment.apps/nginx-deployment image updated (server dry run)")
    assert cluster.to_dict() == before


@pytest.mark.cites(API_CONCEPTS)
def test_field_validation_strict_warn_and_ignore(cluster):
    """§Field validation: Strict refuses `spec.replica` (a typo of replicas), Warn stores the object without it
    and warns, Ignore drops it silently."""
    typo = SIMPLE_DEPLOYMENT.replace("  minReadySeconds: 5\n", "  replica: 3\n")
    result = cluster.run("kubectl apply -f -", stdin=typo)
    assert not result.ok
    assert result.output.endswith('strict decoding error: unknown field "spec.replica"')
    assert ok(cluster, "kubectl apply -f - --validate=warn", typo).output == (
        'Warning: unknown field "spec.replica"\ndeployment.apps/nginx-deployment created'
    )
    live = _deploy(cluster)
    assert live["spec"]["replicas"] == 1 and "replica" not in live["spec"]
    assert _annotation(live)["spec"]["replica"] == 3  # the annotation is what was submitted
    assert (
        ok(cluster, "kubectl apply -f - --validate=false", typo).output
        == "deployment.apps/nginx-deployment configured"
    )


@pytest.mark.cites(APPLY_REF)
def test_empty_inputs_are_no_objects_passed_to_apply(cluster):
    """An empty `kind: List` and a lone `---` are refused with kubectl's words; a List's items are applied."""
    for text in ("apiVersion: v1\nkind: List\nitems: []\n", "---\n"):
        result = cluster.run("kubectl apply -f -", stdin=text)
        assert (result.ok, result.output) == (False, "error: no objects passed to apply")
    items = yaml.safe_load(PHP_APACHE.split("---")[1])
    as_list = yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": [items]})
    assert ok(cluster, "kubectl apply -f -", as_list).output == "service/php-apache created"
    assert cluster.run("kubectl apply -k .").output.startswith(
        "error: kubectl apply -k builds a kustomization"
    )


# content/en/examples/application/hpa/php-apache.yaml
HPA_MANIFEST = """---
{
  apiVersion: "autoscaling/v2",
  kind: "HorizontalPodAutoscaler",
  metadata: {
    name: "php-apache",
  },
  spec: {
    scaleTargetRef: {
      apiVersion: "apps/v1",
      kind: "Deployment",
      name: "php-apache",
    },
    minReplicas: 1,
    maxReplicas: 10,
    metrics: [{
      type: "Resource",
      resource: {
        name: "cpu",
        target: {
          type: "Utilization",
          averageUtilization: 50,
        },
      },
    }],
  },
}
"""


@pytest.mark.cites(HPA_WALKTHROUGH)
@pytest.mark.cites(
    "https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/horizontal-pod-autoscaler-v1/"
)
def test_hpa_manifests_re_apply_unchanged_in_either_version(cluster):
    """The walkthrough's declarative HPA (autoscaling/v2) and the same target as autoscaling/v1
    (targetCPUUtilizationPercentage): each re-applies `unchanged`, though both are stored as v2."""
    ok(cluster, "kubectl apply -f -", PHP_APACHE)
    assert ok(cluster, "kubectl apply -f -", HPA_MANIFEST).output == (
        "horizontalpodautoscaler.autoscaling/php-apache created"
    )
    assert ok(cluster, "kubectl apply -f -", HPA_MANIFEST).output == (
        "horizontalpodautoscaler.autoscaling/php-apache unchanged"
    )
    v1 = (
        "apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: php-apache-v1\nspec:\n"
        "  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: php-apache}\n  minReplicas: 1\n"
        "  maxReplicas: 10\n  targetCPUUtilizationPercentage: 50\n"
    )
    ok(cluster, "kubectl apply -f -", v1)
    assert (
        ok(cluster, "kubectl apply -f -", v1).output
        == "horizontalpodautoscaler.autoscaling/php-apache-v1 unchanged"
    )
    stored = json.loads(ok(cluster, "kubectl get hpa php-apache-v1 -o json").output)
    assert stored["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"] == 50
    assert ok(cluster, "kubectl apply -f -", v1.replace(": 50", ": 60")).output == (
        "horizontalpodautoscaler.autoscaling/php-apache-v1 configured"
    )
    stored = json.loads(ok(cluster, "kubectl get hpa php-apache-v1 -o json").output)
    assert stored["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"] == 60


@pytest.mark.cites("https://kubernetes.io/docs/concepts/workloads/controllers/deployment/")
def test_re_applying_the_file_undoes_set_image_and_scale(cluster):
    """The Deployment page updates with `kubectl set image … nginx=nginx:1.16.1` and scales with
    `kubectl scale … --replicas=10`; re-applying nginx-deployment.yaml (which sets both fields) puts its own
    image and 3 replicas back — a third revision, since the template changed again."""
    ok(cluster, "kubectl apply -f -", NGINX_DEPLOYMENT)
    assert ok(cluster, "kubectl set image deployment/nginx-deployment nginx=nginx:1.16.1").output == (
        "deployment.apps/nginx-deployment image updated"
    )
    ok(cluster, "kubectl scale deployment/nginx-deployment --replicas=10")
    assert (
        ok(cluster, "kubectl apply -f -", NGINX_DEPLOYMENT).output
        == "deployment.apps/nginx-deployment configured"
    )
    live = _deploy(cluster)
    assert live["spec"]["replicas"] == 3
    assert live["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.14.2"
    assert live["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"
    assert (
        ok(cluster, "kubectl apply -f -", NGINX_DEPLOYMENT).output
        == "deployment.apps/nginx-deployment unchanged"
    )


@pytest.mark.cites("https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/")
def test_a_file_with_a_namespace_and_objects_inside_it_applies_in_order(cluster):
    """kubectl sends a file's objects in order, so a Namespace first in the file exists for the objects after
    it (the engine used to check every object's namespace before creating any)."""
    first = """apiVersion: v1
kind: Namespace
metadata: {name: development}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: development}
data: {mode: dev}
"""
    out = ok(cluster, "kubectl apply -f -", first).output
    assert out == "namespace/development created\nconfigmap/settings created"
    assert ok(cluster, "kubectl get cm settings -n development -o jsonpath={.data.mode}").output == "dev"
