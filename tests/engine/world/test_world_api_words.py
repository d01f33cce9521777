"""Real-world cases: the API server's and kubectl's own words for the mistakes students make with the
manifests of kubernetes.io (a misspelt field, a plain-text Secret value, a claim before its volume, …).

Each manifest is the page's own, with the one mistake named in the test's docstring. Expected texts come from
kubectl v1.37.1 (client-side errors, observed with the pinned binary) and the kubernetes source (server
errors); docs/engine/api-errors.md gives the source of each.
"""

import json

import pytest

from tests.engine.conftest import get, ok
from tests.engine.world.examples import NGINX_DEPLOYMENT

SIMPLE_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: nginx
spec:
  containers:
  - name: nginx
    image: nginx:1.14.2
    ports:
    - containerPort: 80
"""

PV_VOLUME = """\
apiVersion: v1
kind: PersistentVolume
metadata:
  name: task-pv-volume
  labels:
    type: local
spec:
  storageClassName: manual
  capacity:
    storage: 10Gi
  accessModes:
    - ReadWriteOnce
  hostPath:
    path: "/mnt/data"
"""

PV_CLAIM = """\
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: task-pv-claim
spec:
  storageClassName: manual
  accessModes:
    - ReadWriteOnce
  resources:
    requests:
      storage: 3Gi
"""


def _refused(c, text, command="kubectl apply -f -"):
    """Runs a command that must fail and change nothing; returns its output."""
    before = c.to_dict()
    result = c.run(command, stdin=text)
    assert not result.ok, result.output
    assert c.to_dict() == before
    return result.output


@pytest.mark.cites("https://kubernetes.io/docs/concepts/workloads/controllers/deployment/")
def test_a_misspelt_replicas_field_is_a_strict_decoding_error(cluster):
    """nginx-deployment.yaml with `replica: 3`: kubectl sends fieldValidation=Strict and the API server answers
    400 with the full path; kubectl puts `error when creating "STDIN":` in front."""
    out = _refused(cluster, NGINX_DEPLOYMENT.replace("replicas: 3", "replica: 3"))
    assert out == (
        'Error from server (BadRequest): error when creating "STDIN": Deployment in version "v1" cannot be '
        'handled as a Deployment: strict decoding error: unknown field "spec.replica"'
    )


@pytest.mark.cites("https://kubernetes.io/docs/concepts/workloads/controllers/deployment/")
def test_unknown_fields_are_all_listed_in_the_order_of_the_json_kubectl_sends(cluster):
    """Two typos, one inside the containers list: every unknown field, comma-joined, in sorted-key document
    order (kubectl turns YAML into JSON through a Go map), the list element with its index."""
    text = NGINX_DEPLOYMENT.replace(
        "        image: nginx:1.14.2", "        image: nginx:1.14.2\n        imagePullPolicyy: Always"
    )
    text = text.replace("  labels:\n    app: nginx\nspec:", "  label:\n    app: nginx\nspec:")
    out = _refused(cluster, text)
    assert out.endswith(
        'strict decoding error: unknown field "metadata.label", '
        'unknown field "spec.template.spec.containers[0].imagePullPolicyy"'
    )


@pytest.mark.cites("https://kubernetes.io/docs/concepts/workloads/controllers/deployment/")
def test_a_quoted_replica_count_is_a_go_type_error(cluster):
    """`replicas: "3"` does not decode into the int32 field: Go's json error names the struct and the path
    without list indices, and nothing is created."""
    out = _refused(cluster, NGINX_DEPLOYMENT.replace("replicas: 3", 'replicas: "3"'))
    assert out == (
        'Error from server (BadRequest): error when creating "STDIN": Deployment in version "v1" cannot be '
        "handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas "
        "of type int32"
    )
    port = _refused(cluster, NGINX_DEPLOYMENT.replace("containerPort: 80", 'containerPort: "80"'))
    assert port.endswith(
        "json: cannot unmarshal string into Go struct field "
        "ContainerPort.spec.template.spec.containers.ports.containerPort of type int32"
    )


@pytest.mark.cites("https://kubernetes.io/docs/concepts/workloads/controllers/deployment/")
def test_the_lessons_incomplete_deployment_gets_the_api_servers_two_causes(cluster):
    """The lesson's declarative example (week2-day4-session2, 개념 1) is the Deployment page's manifest without
    its template: 422 Invalid, no file prefix, one `* ` line per cause in the API server's order."""
    text = NGINX_DEPLOYMENT.split("  template:")[0].replace("nginx-deployment", "nginx")
    out = _refused(cluster, text)
    assert out == (
        'The Deployment "nginx" is invalid: \n'
        "* spec.template.metadata.labels: Invalid value: null: `selector` does not match template `labels`\n"
        "* spec.template.spec.containers: Required value"
    )


@pytest.mark.cites("https://kubernetes.io/docs/tasks/configmap-secret/managing-secret-using-config-file/")
def test_a_secret_with_a_plain_text_value_is_a_400_base64_error_with_the_byte_offset(cluster):
    """The page's database-creds Secret with the password pasted unencoded: `@` is byte 4, and the API server
    answers with Go's base64 error as a decode error (400), not a 422."""
    text = (
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: database-creds\ntype: Opaque\ndata:\n"
        "  username: YWRtaW4=\n  password: VLc5@#tym$HzBn@8\n"
    )
    out = _refused(cluster, text)
    assert out == (
        'Error from server (BadRequest): error when creating "STDIN": Secret in version "v1" cannot be handled '
        "as a Secret: illegal base64 data at input byte 4"
    )
    # `admin` without its padding: the short last quantum fails where it starts (byte 4); the page's own
    # encoded values are accepted.
    unpadded = text.replace("VLc5@#tym$HzBn@8", "VkxjNUAjdHltJEh6Qm5AOA==").replace("YWRtaW4=", "YWRtaW4")
    assert _refused(cluster, unpadded).endswith("illegal base64 data at input byte 4")
    good = text.replace("VLc5@#tym$HzBn@8", "VkxjNUAjdHltJEh6Qm5AOA==")
    assert ok(cluster, "kubectl apply -f -", good).output == "secret/database-creds created"


@pytest.mark.cites("https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/")
def test_a_memory_unit_written_mb_is_a_quantity_decode_error(cluster):
    """The page's frontend Pod asks for `memory: "64Mi"`; written `64MB` it is not a quantity, and the API
    server says so with apimachinery's regular expression."""
    text = (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: frontend\nspec:\n  containers:\n  - name: app\n"
        '    image: images.my-company.example/app:v4\n    resources:\n      requests:\n        memory: "64MB"\n'
        '        cpu: "250m"\n      limits:\n        memory: "128Mi"\n        cpu: "500m"\n'
    )
    out = _refused(cluster, text)
    assert out == (
        'Error from server (BadRequest): error when creating "STDIN": Pod in version "v1" cannot be handled as '
        "a Pod: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
    )


@pytest.mark.cites("https://kubernetes.io/docs/concepts/workloads/pods/")
def test_a_capitalised_pod_name_is_invalid_with_the_rfc_1123_text(cluster):
    """simple-pod.yaml named `Nginx`: 422 with apimachinery's DNS subdomain message and regex."""
    out = _refused(cluster, SIMPLE_POD.replace("  name: nginx\nspec", "  name: Nginx\nspec"))
    assert out == (
        'The Pod "Nginx" is invalid: metadata.name: Invalid value: "Nginx": a lowercase RFC 1123 subdomain must '
        "consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric "
        "character (e.g. 'example.com', regex used for validation is "
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    )


@pytest.mark.cites("https://kubernetes.io/docs/concepts/workloads/pods/")
def test_a_pod_without_an_image_names_the_container_by_index(cluster):
    """simple-pod.yaml without its image line: `spec.containers[0].image: Required value`."""
    out = _refused(cluster, SIMPLE_POD.replace("    image: nginx:1.14.2\n", ""))
    assert out == 'The Pod "nginx" is invalid: spec.containers[0].image: Required value'


@pytest.mark.cites("https://kubernetes.io/docs/concepts/workloads/pods/")
def test_creating_the_same_pod_twice_is_already_exists_with_the_file_prefix(cluster):
    """`kubectl create -f` twice: 409 AlreadyExists, with `error when creating "STDIN":`."""
    ok(cluster, "kubectl create -f -", SIMPLE_POD)
    out = _refused(cluster, SIMPLE_POD, "kubectl create -f -")
    assert (
        out == 'Error from server (AlreadyExists): error when creating "STDIN": pods "nginx" already exists'
    )


@pytest.mark.cites("https://kubernetes.io/docs/tasks/administer-cluster/namespaces-walkthrough/")
def test_a_deployment_into_a_namespace_not_yet_created_is_not_found(cluster):
    """The walkthrough creates `development` first; skipping that step, the NamespaceLifecycle admission plugin
    refuses the object (404) before validation, with the file prefix."""
    text = NGINX_DEPLOYMENT.replace(
        "  name: nginx-deployment\n", "  name: snowflake\n  namespace: development\n"
    )
    out = _refused(cluster, text)
    assert (
        out == 'Error from server (NotFound): error when creating "STDIN": namespaces "development" not found'
    )


@pytest.mark.cites(
    "https://kubernetes.io/docs/tasks/configure-pod-container/configure-persistent-volume-storage/"
)
def test_a_claim_created_before_its_volume_waits_then_binds(cluster):
    """The tutorial's claim applied before pv-volume.yaml: class `manual` is no StorageClass, so the PV
    controller records ProvisioningFailed (Warning) and the claim stays Pending; once the volume exists it
    binds to it, and the event stays in the claim's history."""
    ok(cluster, "kubectl apply -f -", PV_CLAIM)
    cluster.advance(20)
    claim = get(cluster, "pvc task-pv-claim")[0]
    assert claim["status"]["phase"] == "Pending"
    events = ok(cluster, "kubectl get events --field-selector involvedObject.name=task-pv-claim").output
    assert events.splitlines()[1].split(None, 4)[1:] == [
        "Warning",
        "ProvisioningFailed",
        "persistentvolumeclaim/task-pv-claim",
        'storageclass.storage.k8s.io "manual" not found',
    ]
    ok(cluster, "kubectl apply -f -", PV_VOLUME)
    claim = get(cluster, "pvc task-pv-claim")[0]
    assert (claim["status"]["phase"], claim["spec"]["volumeName"]) == ("Bound", "task-pv-volume")
    assert get(cluster, "pv task-pv-volume")[0]["status"]["phase"] == "Bound"


@pytest.mark.cites("https://kubernetes.io/docs/concepts/storage/persistent-volumes/")
def test_a_claim_without_a_class_and_without_a_volume_records_failed_binding(cluster):
    """`storageClassName: ""` asks for a pre-created volume of no class; none exists, so the PV controller
    records FailedBinding (type Normal) with its own message."""
    ok(cluster, "kubectl apply -f -", PV_CLAIM.replace("storageClassName: manual", 'storageClassName: ""'))
    lines = ok(cluster, "kubectl get events").output.splitlines()
    assert lines[0].split() == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    assert lines[1].split(None, 4)[1:] == [
        "Normal",
        "FailedBinding",
        "persistentvolumeclaim/task-pv-claim",
        "no persistent volumes available for this claim and no storage class is set",
    ]


@pytest.mark.cites("https://kubernetes.io/docs/concepts/storage/dynamic-provisioning/")
def test_a_claim_of_the_default_class_is_provisioned_with_the_provisioners_events(cluster):
    """A claim of the default class (minikube's `standard`, provisioner k8s.io/minikube-hostpath) gets a new
    volume; the events are the PV controller's ExternalProvisioning and the provisioner's own two."""
    ok(cluster, "kubectl apply -f -", PV_CLAIM.replace("  storageClassName: manual\n", ""))
    claim = get(cluster, "pvc task-pv-claim")[0]
    assert claim["status"]["phase"] == "Bound"
    pv = claim["spec"]["volumeName"]
    rows = [
        line.split(None, 4)[2:]
        for line in ok(
            cluster, "kubectl get events --sort-by=.metadata.creationTimestamp"
        ).output.splitlines()[1:]
    ]
    assert rows == [
        [
            "ExternalProvisioning",
            "persistentvolumeclaim/task-pv-claim",
            "Waiting for a volume to be created either by the external provisioner 'k8s.io/minikube-hostpath' "
            "or manually by the system administrator. If volume creation is delayed, please verify that the "
            "provisioner is running and correctly registered.",
        ],
        [
            "Provisioning",
            "persistentvolumeclaim/task-pv-claim",
            'External provisioner is provisioning volume for claim "default/task-pv-claim"',
        ],
        [
            "ProvisioningSucceeded",
            "persistentvolumeclaim/task-pv-claim",
            f"Successfully provisioned volume {pv}",
        ],
    ]


@pytest.mark.cites("https://kubernetes.io/docs/reference/kubectl/generated/kubectl_create/")
def test_concatenated_json_objects_are_created_one_after_another(cluster):
    """`JSON and YAML formats are accepted`: two JSON objects back to back (no separator) are both created, as
    kubectl's YAMLOrJSONDecoder reads a stream of JSON values."""
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "nginx"},
        "spec": {
            "containers": [{"name": "nginx", "image": "nginx:1.14.2", "ports": [{"containerPort": 80}]}]
        },
    }
    svc = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "nginx"},
        "spec": {"selector": {"app": "nginx"}, "ports": [{"port": 80}]},
    }
    out = ok(cluster, "kubectl create -f -", json.dumps(pod) + json.dumps(svc)).output
    assert out == "pod/nginx created\nservice/nginx created"


@pytest.mark.cites("https://kubernetes.io/docs/concepts/workloads/management/")
def test_empty_documents_and_an_empty_list_are_no_objects(cluster):
    """A file of only `---` and comments, or a `kind: List` with no items: nothing to apply, kubectl's own
    words, and nothing changes."""
    assert _refused(cluster, "---\n# nginx-app.yaml goes here\n---\n") == "error: no objects passed to apply"
    assert _refused(cluster, "apiVersion: v1\nkind: List\nitems: []\n") == "error: no objects passed to apply"


@pytest.mark.cites("https://kubernetes.io/docs/concepts/workloads/pods/")
def test_yaml_mistakes_get_go_yamls_words_and_line(cluster):
    """simple-pod.yaml with a tab before `containers` and, separately, with `image` indented one space too
    little: the messages and line numbers kubectl v1.37 prints (go-yaml names a parser error by the line
    before it)."""
    tab = SIMPLE_POD.replace("  containers:", "\tcontainers:")
    assert _refused(cluster, tab) == (
        "error: error parsing STDIN: error converting YAML to JSON: yaml: line 6: found character that cannot "
        "start any token"
    )
    indent = SIMPLE_POD.replace("    image: nginx:1.14.2", "   image: nginx:1.14.2")
    assert _refused(cluster, indent) == (
        "error: error parsing STDIN: error converting YAML to JSON: yaml: line 7: did not find expected key"
    )


@pytest.mark.cites("https://kubernetes.io/docs/concepts/workloads/pods/")
def test_a_manifest_without_kind_is_refused_before_any_request(cluster):
    """simple-pod.yaml without its `kind` line: kubectl's client-side check, one problem without brackets."""
    out = _refused(cluster, SIMPLE_POD.replace("kind: Pod\n", ""))
    assert out == (
        'error: error validating "STDIN": error validating data: kind not set; if you choose to ignore these '
        "errors, turn validation off with --validate=false"
    )


ENVARS_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: envar-demo
  labels:
    purpose: demonstrate-envars
spec:
  containers:
  - name: envar-demo-container
    image: gcr.io/google-samples/hello-app:2.0
    env:
    - name: DEMO_GREETING
      value: "Hello from the environment"
    - name: DEMO_FAREWELL
      value: "Such a sweet sorrow"
"""


@pytest.mark.cites(
    "https://kubernetes.io/docs/tasks/inject-data-application/define-environment-variable-container/"
)
def test_an_unquoted_number_as_an_env_value_is_a_go_type_error(cluster):
    """envars.yaml with a third variable `value: 8080` left unquoted: YAML makes it a number, EnvVar.Value is a
    string, and the API server refuses the body (the path has no list indices)."""
    text = ENVARS_POD + "    - name: DEMO_PORT\n      value: 8080\n"
    out = _refused(cluster, text)
    assert out == (
        'Error from server (BadRequest): error when creating "STDIN": Pod in version "v1" cannot be handled as '
        "a Pod: json: cannot unmarshal number into Go struct field EnvVar.spec.containers.env.value of type string"
    )
    assert ok(cluster, "kubectl apply -f -", text.replace("value: 8080", 'value: "8080"')).output == (
        "pod/envar-demo created"
    )
