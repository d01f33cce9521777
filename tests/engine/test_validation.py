"""API server admission: kubectl-style validation errors, and rejected input changes nothing."""

from .conftest import WEB, web


def _rejected(cluster, yaml_text):
    before = cluster.to_dict()
    result = cluster.run("kubectl apply -f -", stdin=yaml_text)
    assert not result.ok
    assert cluster.to_dict() == before
    return result.output


def test_selector_not_matching_template_labels_is_invalid(cluster):
    """A selector that does not match the template labels gives the real Invalid message."""
    text = web().replace("labels: {app: web}", "labels: {app: web2}")
    out = _rejected(cluster, text)
    assert out == (
        'The Deployment "web" is invalid: spec.template.metadata.labels: Invalid value: {"app":"web2"}: '
        "`selector` does not match template `labels`"
    )


def test_deployment_without_a_template_reports_what_real_kubernetes_reports(cluster):
    """No template: the labels are `null` (Go's nil map) and the pod spec has no containers.

    DeploymentSpec.Template is a struct in the API types, so kubernetes' ValidatePodTemplateSpecForReplicaSet
    always validates it; the lesson week2-day4-session2 concept 1 shows this very manifest.
    """
    text = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: nginx\nspec:\n  replicas: 3\n"
        "  selector:\n    matchLabels:\n      app: nginx\n"
    )
    out = _rejected(cluster, text)
    assert out == (
        'The Deployment "nginx" is invalid: \n'
        "* spec.template.metadata.labels: Invalid value: null: `selector` does not match template `labels`\n"
        "* spec.template.spec.containers: Required value"
    )


def test_negative_replicas_are_invalid(cluster):
    """replicas: -1 is refused with `must be greater than or equal to 0`."""
    out = _rejected(cluster, web(replicas=-1))
    assert "spec.replicas: Invalid value: -1: must be greater than or equal to 0" in out


def test_unknown_fields_are_strict_decoding_errors(cluster):
    """A misspelt field (replica) is refused as a strict decoding error."""
    out = _rejected(cluster, web().replace("replicas:", "replica:"))
    assert 'strict decoding error: unknown field "spec.replica"' in out


def test_unknown_kinds_are_refused(cluster):
    """An unknown kind gets `no matches for kind`."""
    out = _rejected(
        cluster, WEB.format(replicas=1, image="nginx").replace("kind: Deployment", "kind: Deploymnt")
    )
    assert 'no matches for kind "Deploymnt" in version "apps/v1"' in out


def test_restart_policy_never_is_refused_in_a_deployment(cluster):
    """Deployment templates only allow restartPolicy Always."""
    out = _rejected(
        cluster, web().replace("      containers:", "      restartPolicy: Never\n      containers:")
    )
    assert 'Unsupported value: "Never": supported values: "Always"' in out


def test_several_causes_are_listed_one_per_line(cluster):
    """Multiple validation causes print as `* field: detail` lines."""
    out = _rejected(cluster, web(replicas=-2).replace("labels: {app: web}", "labels: {app: x}"))
    assert out.startswith('The Deployment "web" is invalid: \n* ')
    assert out.count("\n* ") == 2


def test_one_bad_document_rejects_the_whole_apply(cluster):
    """If any document is invalid nothing from the input is created."""
    text = web() + "---\n" + web(replicas=-1).replace("name: web", "name: other")
    _rejected(cluster, text)


def test_too_many_replicas_are_refused(cluster):
    """A Deployment asking for more pods than the per-command limit is refused."""
    out = _rejected(cluster, web(replicas=500))
    assert "at most 100 pods" in out


PVC = """
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {{name: data}}
spec:
  accessModes: [{mode}]
  resources: {{requests: {{storage: {size}}}}}
"""


def test_a_bound_claim_cannot_shrink_or_grow_without_volume_expansion(cluster):
    """A bound PVC refuses a smaller request, and a larger one when its class does not allow expansion."""
    from .conftest import ok

    ok(cluster, "kubectl apply -f -", PVC.format(mode="ReadWriteOnce", size="2Gi"))
    assert "can not be less than status.capacity" in _rejected(
        cluster, PVC.format(mode="ReadWriteOnce", size="1Gi")
    )
    assert "must support resize" in _rejected(cluster, PVC.format(mode="ReadWriteOnce", size="5Gi"))
    assert "spec is immutable" in _rejected(cluster, PVC.format(mode="ReadWriteMany", size="2Gi"))


def test_a_service_cluster_ip_may_not_change(cluster):
    """Re-applying a Service with another clusterIP is refused."""
    from .conftest import ok

    ok(cluster, "kubectl apply -f -", SERVICE_WITH_IP.format(ip="10.96.7.7"))
    assert "may not change once set" in _rejected(cluster, SERVICE_WITH_IP.format(ip="10.96.8.8"))


SERVICE_WITH_IP = """
apiVersion: v1
kind: Service
metadata: {{name: web}}
spec:
  clusterIP: {ip}
  selector: {{app: web}}
  ports: [{{port: 80}}]
"""


def test_wrong_field_types_are_refused_not_crashed_on(cluster):
    """A list where a map belongs, or a number where a string belongs, is a 400 decode error (Go's json)."""
    assert _rejected(
        cluster, "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: x}\nspec: [1]\n"
    ).endswith(
        'PersistentVolume in version "v1" cannot be handled as a PersistentVolume: json: cannot unmarshal '
        "array into Go struct field PersistentVolume.spec of type v1.PersistentVolumeSpec"
    )
    assert _rejected(cluster, web().replace("image: nginx:1.20", "image: 120")).endswith(
        "json: cannot unmarshal number into Go struct field Container.spec.template.spec.containers.image "
        "of type string"
    )
