"""The write verbs and subresources answered by `server.handle` directly (no TLS, no kubectl): bodies, query
options, Status answers and what the engine holds afterwards.

Messages are kube-apiserver's (apiserver pkg/endpoints/handlers/{create,update,patch,delete}.go, registry
store.go, pod/storage/eviction.go; reference §A5)."""

from __future__ import annotations

import json

import pytest

from tests.engine.world.examples import NGINX_DEPLOYMENT
from visualizer.engine import Cluster
from visualizer.engine.yaml_input import load_documents
from visualizer.kubeapi import server
from visualizer.kubeapi.context import ApiContext
from visualizer.kubeapi.http import ApiRequest

DEPLOYS = "/apis/apps/v1/namespaces/default/deployments"
PODS = "/api/v1/namespaces/default/pods"


@pytest.fixture
def ctx():
    return ApiContext(Cluster(workers=3, seed=7))


def call(ctx, method, path, body=None, ctype="application/json", role="control", **query):
    raw = body if isinstance(body, bytes) else b"" if body is None else json.dumps(body).encode()
    headers = {"content-type": ctype, "user-agent": "kubectl/v1.37.1 (linux/amd64) kubernetes/f78e722"}
    headers["kubectl-command"] = "kubectl test"
    req = ApiRequest(method, path, {k: [v] for k, v in query.items()}, headers, raw, role=role)
    return server.handle(ctx, req)


def nginx() -> dict:
    return load_documents(NGINX_DEPLOYMENT)[0]


def created(ctx) -> dict:
    resp = call(ctx, "POST", DEPLOYS, nginx(), fieldManager="kubectl-create")
    assert resp.status == 201, resp.body
    return resp.json()


def live(ctx, name="nginx-deployment"):
    return ctx.cluster.api.get("Deployment", "default", name)


# ---------------------------------------------------------------------------------------------- create
def test_create_answers_201_with_the_defaulted_object_and_its_manager(ctx):
    obj = created(ctx)
    assert obj["metadata"]["uid"] and obj["metadata"]["resourceVersion"]
    assert obj["spec"]["strategy"]["type"] == "RollingUpdate"
    entry = obj["metadata"]["managedFields"][0]
    assert {k: entry[k] for k in ("manager", "operation", "apiVersion", "fieldsType")} == {
        "manager": "kubectl-create",
        "operation": "Update",
        "apiVersion": "apps/v1",
        "fieldsType": "FieldsV1",
    }
    assert live(ctx) is not None
    assert ctx.cluster.trace[0]["en"] == "The user's own kubectl sent `kubectl test (POST deployments.apps)`"


def test_create_takes_yaml_and_fills_apiversion_and_kind_from_the_url(ctx):
    body = NGINX_DEPLOYMENT.replace("apiVersion: apps/v1\nkind: Deployment\n", "").encode()
    resp = call(ctx, "POST", DEPLOYS, body, ctype="application/yaml")
    assert resp.status == 201, resp.body
    assert resp.json()["kind"] == "Deployment"


def test_namespace_mismatch_is_a_bad_request(ctx):
    body = nginx()
    body["metadata"]["namespace"] = "kube-system"
    resp = call(ctx, "POST", DEPLOYS, body)
    assert resp.status == 400
    assert resp.json()["message"] == (
        "the namespace of the provided object does not match the namespace sent on the request"
    )
    assert live(ctx) is None


def test_other_group_version_and_kind_are_bad_requests(ctx):
    resp = call(ctx, "POST", DEPLOYS, dict(nginx(), apiVersion="v1"))
    assert (resp.status, resp.json()["message"]) == (
        400,
        "the API version in the data (v1) does not match the expected API version (apps/v1)",
    )
    resp = call(ctx, "POST", DEPLOYS, b"{nope")
    assert resp.status == 400
    assert resp.json()["message"].startswith("couldn't get version/kind; json parse error: invalid character")


def test_field_validation_strict_warn_ignore(ctx):
    body = nginx()
    body["spec"]["replica"] = 2
    resp = call(ctx, "POST", DEPLOYS, body, fieldValidation="Strict")
    assert resp.status == 400
    assert resp.json()["message"] == (
        'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field '
        '"spec.replica"'
    )
    assert live(ctx) is None
    resp = call(ctx, "POST", DEPLOYS, body, fieldValidation="Warn")
    assert resp.status == 201
    assert resp.headers == [("Warning", '299 - "unknown field \\"spec.replica\\""')]
    assert "replica" not in live(ctx)["spec"]
    resp = call(ctx, "DELETE", DEPLOYS + "/nginx-deployment")
    resp = call(ctx, "POST", DEPLOYS, body, fieldValidation="Ignore")
    assert (resp.status, resp.headers) == (201, [])
    resp = call(ctx, "POST", DEPLOYS, body, fieldValidation="Loud")
    assert resp.status == 400


def test_dry_run_all_stores_nothing(ctx):
    before = ctx.cluster.store.revision
    resp = call(ctx, "POST", DEPLOYS, nginx(), dryRun="All")
    assert resp.status == 201
    assert resp.json()["metadata"]["uid"]
    assert "resourceVersion" not in resp.json()["metadata"]
    assert ctx.cluster.store.revision == before and live(ctx) is None
    resp = call(ctx, "POST", DEPLOYS, nginx(), dryRun="Some")
    assert resp.status == 422
    assert resp.json()["message"] == (
        'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: "Some": supported values: "All"'
    )


def test_already_exists_and_missing_namespace(ctx):
    created(ctx)
    resp = call(ctx, "POST", DEPLOYS, nginx())
    assert (resp.status, resp.json()["reason"], resp.json()["message"]) == (
        409,
        "AlreadyExists",
        'deployments.apps "nginx-deployment" already exists',
    )
    assert resp.json()["details"] == {"name": "nginx-deployment", "group": "apps", "kind": "deployments"}
    resp = call(ctx, "POST", "/apis/apps/v1/namespaces/nowhere/deployments", nginx())
    assert (resp.status, resp.json()["message"]) == (404, 'namespaces "nowhere" not found')
    assert resp.json()["details"] == {"name": "nowhere", "kind": "namespaces"}


def test_validation_errors_are_422_with_causes(ctx):
    body = nginx()
    body["spec"]["replicas"] = -1
    resp = call(ctx, "POST", DEPLOYS, body)
    assert resp.status == 422
    status = resp.json()
    assert status["details"]["kind"] == "Deployment"
    assert status["details"]["causes"][0]["field"] == "spec.replicas"


def test_unsupported_body_types_are_415(ctx):
    resp = call(ctx, "POST", DEPLOYS, b"x", ctype="text/plain")
    assert resp.status == 415
    assert resp.json()["message"].startswith(
        "the body of the request was in an unknown format - accepted media types include: application/json, "
        "application/yaml"
    )
    resp = call(ctx, "PATCH", DEPLOYS + "/x", b"{}", ctype="application/json")
    assert resp.status == 415
    assert resp.json()["message"] == (
        "the body of the request was in an unknown format - accepted media types include: "
        "application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, "
        "application/apply-patch+yaml"
    )


def test_simulator_limits_are_forbidden(ctx):
    body = nginx()
    body["spec"]["replicas"] = 500
    resp = call(ctx, "POST", DEPLOYS, body)
    assert resp.status == 403
    assert resp.json()["message"].startswith('deployments.apps "nginx-deployment" is forbidden: ')
    assert live(ctx) is None


# ---------------------------------------------------------------------------------------------- update
def test_put_with_a_stale_resource_version_conflicts(ctx):
    stale = created(ctx)  # the deployment controller has written its status since: another resourceVersion
    assert stale["metadata"]["resourceVersion"] != live(ctx)["metadata"]["resourceVersion"]
    obj = json.loads(json.dumps(live(ctx)))
    obj["spec"]["replicas"] = 2
    resp = call(ctx, "PUT", DEPLOYS + "/nginx-deployment", obj)
    assert resp.status == 200
    assert live(ctx)["spec"]["replicas"] == 2
    obj["spec"]["replicas"] = 4  # still the first resourceVersion
    resp = call(ctx, "PUT", DEPLOYS + "/nginx-deployment", obj)
    assert (resp.status, resp.json()["message"]) == (
        409,
        'Operation cannot be fulfilled on deployments.apps "nginx-deployment": the object has been modified; '
        "please apply your changes to the latest version and try again",
    )
    assert live(ctx)["spec"]["replicas"] == 2


def test_put_name_mismatch_immutable_selector_and_missing_object(ctx):
    obj = created(ctx)
    obj["metadata"]["name"] = "other"
    resp = call(ctx, "PUT", DEPLOYS + "/nginx-deployment", obj)
    assert (resp.status, resp.json()["message"]) == (
        400,
        "the name of the object (other) does not match the name on the URL (nginx-deployment)",
    )
    obj = created_again = json.loads(json.dumps(live(ctx)))
    created_again["spec"]["selector"] = {"matchLabels": {"app": "x"}}
    created_again["spec"]["template"]["metadata"]["labels"] = {"app": "x"}
    resp = call(ctx, "PUT", DEPLOYS + "/nginx-deployment", obj)
    assert resp.status == 422
    assert "field is immutable" in resp.json()["message"]
    resp = call(ctx, "PUT", DEPLOYS + "/ghost", dict(nginx(), metadata={"name": "ghost"}))
    assert (resp.status, resp.json()["message"]) == (404, 'deployments.apps "ghost" not found')


# ---------------------------------------------------------------------------------------------- patch
def test_the_three_patch_types_and_a_strict_patch_error(ctx):
    created(ctx)
    url = DEPLOYS + "/nginx-deployment"
    resp = call(ctx, "PATCH", url, {"metadata": {"labels": {"tier": "web"}}}, "application/merge-patch+json")
    assert resp.status == 200 and live(ctx)["metadata"]["labels"]["tier"] == "web"
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.26"}]}}}}
    resp = call(
        ctx, "PATCH", url, patch, "application/strategic-merge-patch+json", fieldManager="kubectl-set"
    )
    assert resp.status == 200
    assert live(ctx)["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.26"
    assert live(ctx)["metadata"]["generation"] == 2
    ops = [{"op": "replace", "path": "/spec/replicas", "value": 4}]
    resp = call(ctx, "PATCH", url, ops, "application/json-patch+json")
    assert resp.status == 200 and live(ctx)["spec"]["replicas"] == 4
    resp = call(
        ctx, "PATCH", url, {"spec": {"replica": 1}}, "application/merge-patch+json", fieldValidation="Strict"
    )
    assert resp.status == 422
    assert resp.json()["message"] == (
        ' "" is invalid: patch: Invalid value: "map[spec:map[replica:1]]": strict decoding error: unknown field '
        '"spec.replica"'
    )
    resp = call(ctx, "PATCH", DEPLOYS + "/ghost", {}, "application/merge-patch+json")
    assert resp.status == 404


def test_patched_objects_are_validated_and_change_nothing_when_invalid(ctx):
    created(ctx)
    rv = live(ctx)["metadata"]["resourceVersion"]
    resp = call(
        ctx,
        "PATCH",
        DEPLOYS + "/nginx-deployment",
        {"spec": {"replicas": -3}},
        "application/merge-patch+json",
    )
    assert resp.status == 422
    assert live(ctx)["metadata"]["resourceVersion"] == rv


def test_server_side_apply_needs_a_field_manager_and_a_declared_schema(ctx):
    url = DEPLOYS + "/nginx-deployment"
    resp = call(ctx, "PATCH", url, nginx(), "application/apply-patch+yaml")
    assert resp.status == 422
    assert resp.json()["message"] == (
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch'
    )
    body = nginx()
    body["spec"]["replica"] = 1
    resp = call(ctx, "PATCH", url, body, "application/apply-patch+yaml", fieldManager="me")
    assert (resp.status, resp.json()["message"]) == (
        400,
        "failed to create typed patch object (default/nginx-deployment; apps/v1, Kind=Deployment): .spec.replica: "
        "field not declared in schema",
    )
    resp = call(ctx, "PATCH", url, nginx(), "application/apply-patch+yaml", fieldManager="me")
    assert resp.status == 201
    assert live(ctx)["metadata"]["managedFields"][0]["operation"] == "Apply"


# ---------------------------------------------------------------------------------------------- delete
def test_delete_of_a_deployment_answers_a_status_success_naming_it(ctx):
    uid = created(ctx)["metadata"]["uid"]
    resp = call(ctx, "DELETE", DEPLOYS + "/nginx-deployment", {"propagationPolicy": "Background"})
    assert resp.status == 200
    assert resp.json() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success",
        "details": {"name": "nginx-deployment", "group": "apps", "kind": "deployments", "uid": uid},
    }
    assert live(ctx) is None
    resp = call(ctx, "DELETE", DEPLOYS + "/nginx-deployment")
    assert (resp.status, resp.json()["message"]) == (404, 'deployments.apps "nginx-deployment" not found')


def test_a_graceful_pod_delete_answers_the_terminating_pod(ctx):
    created(ctx)
    ctx.cluster.advance(10)
    pod = ctx.cluster.store.list("Pod", "default")[0]
    name = pod["metadata"]["name"]
    resp = call(ctx, "DELETE", f"{PODS}/{name}", {"gracePeriodSeconds": 5})
    assert resp.status == 200
    assert resp.json()["kind"] == "Pod"
    assert resp.json()["metadata"]["deletionGracePeriodSeconds"] == 5
    other = ctx.cluster.store.list("Pod", "default")[-1]["metadata"]["name"]
    resp = call(
        ctx, "DELETE", f"{PODS}/{other}", {"gracePeriodSeconds": 0, "propagationPolicy": "Background"}
    )
    assert resp.json()["status"] == "Success"
    assert ctx.cluster.api.get("Pod", "default", other) is None


def test_delete_preconditions_policies_and_protected_objects(ctx):
    created(ctx)
    ctx.cluster.advance(10)
    url = DEPLOYS + "/nginx-deployment"
    resp = call(ctx, "DELETE", url, {"preconditions": {"uid": "nope"}})
    assert resp.status == 409
    assert "Precondition failed: UID in precondition: nope" in resp.json()["message"]
    resp = call(ctx, "DELETE", url, {"propagationPolicy": "Sideways"})
    assert resp.status == 422
    resp = call(ctx, "DELETE", url, {"dryRun": ["All"]})
    assert resp.status == 200 and live(ctx) is not None
    resp = call(ctx, "DELETE", url, {"propagationPolicy": "Foreground"})
    assert resp.status == 200
    assert resp.json()["metadata"]["finalizers"] == ["foregroundDeletion"]
    resp = call(ctx, "DELETE", "/api/v1/namespaces/default")
    assert (resp.status, resp.json()["message"]) == (
        403,
        'namespaces "default" is forbidden: this namespace may not be deleted',
    )
    resp = call(ctx, "DELETE", "/api/v1/nodes/worker-1")
    assert resp.status == 403
    assert ctx.cluster.api.get("Node", None, "worker-1") is not None


def test_deletecollection_by_label(ctx):
    created(ctx)
    ctx.cluster.advance(10)
    resp = call(ctx, "DELETE", PODS, labelSelector="app=nginx")
    assert resp.status == 200
    body = resp.json()
    assert (body["kind"], body["apiVersion"], len(body["items"])) == ("PodList", "v1", 3)


def test_the_view_role_cannot_write(ctx):
    created(ctx)
    before = ctx.cluster.store.revision
    for method, path, body, ctype in [
        ("POST", DEPLOYS, nginx(), "application/json"),
        ("PATCH", DEPLOYS + "/nginx-deployment", {}, "application/merge-patch+json"),
        ("DELETE", DEPLOYS + "/nginx-deployment", None, "application/json"),
        (
            "PATCH",
            DEPLOYS + "/nginx-deployment/scale",
            {"spec": {"replicas": 1}},
            "application/merge-patch+json",
        ),
    ]:
        resp = call(ctx, method, path, body, ctype, role="view")
        assert resp.status == 403, (method, path)
    assert ctx.cluster.store.revision == before


# ---------------------------------------------------------------------------------------------- subresources
def test_scale_get_patch_put_answer_a_scale(ctx):
    created(ctx)
    url = DEPLOYS + "/nginx-deployment/scale"
    scale = call(ctx, "GET", url).json()
    assert scale["kind"] == "Scale" and scale["apiVersion"] == "autoscaling/v1"
    assert scale["spec"] == {"replicas": 3}
    assert scale["status"]["selector"] == "app=nginx"
    resp = call(ctx, "PATCH", url, {"spec": {"replicas": 5}}, "application/merge-patch+json")
    assert resp.status == 200 and resp.json()["kind"] == "Scale" and resp.json()["spec"]["replicas"] == 5
    assert live(ctx)["spec"]["replicas"] == 5
    stale = dict(scale, spec={"replicas": 1})
    resp = call(ctx, "PUT", url, stale)
    assert resp.status == 409
    resp = call(ctx, "PUT", url, dict(stale, metadata={"name": "nginx-deployment"}))
    assert resp.status == 200 and live(ctx)["spec"]["replicas"] == 1
    resp = call(ctx, "PATCH", url, {"spec": {"replicas": -1}}, "application/merge-patch+json")
    assert resp.status == 422
    assert resp.json()["message"] == (
        'Scale.autoscaling "nginx-deployment" is invalid: spec.replicas: Invalid value: -1: must be greater than or '
        "equal to 0"
    )
    resp = call(ctx, "PATCH", url, {"spec": {"replicas": 2}}, "application/merge-patch+json", dryRun="All")
    assert resp.json()["spec"]["replicas"] == 2 and live(ctx)["spec"]["replicas"] == 1


def test_status_subresource_writes_only_status(ctx):
    created(ctx)
    url = DEPLOYS + "/nginx-deployment/status"
    resp = call(
        ctx,
        "PATCH",
        url,
        {"spec": {"replicas": 9}, "status": {"observedGeneration": 7}},
        "application/merge-patch+json",
    )
    assert resp.status == 200
    assert resp.json()["status"]["observedGeneration"] == 7  # the controller rewrites it afterwards
    assert resp.json()["spec"]["replicas"] == 3
    assert live(ctx)["spec"]["replicas"] == 3


def test_eviction_deletes_the_pod_gracefully(ctx):
    created(ctx)
    ctx.cluster.advance(10)
    name = ctx.cluster.store.list("Pod", "default")[0]["metadata"]["name"]
    body = {"kind": "Eviction", "apiVersion": "policy/v1", "metadata": {"name": name, "namespace": "default"}}
    resp = call(ctx, "POST", f"{PODS}/{name}/eviction", body)
    assert resp.status == 201
    assert resp.json() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success",
        "code": 201,
    }
    assert ctx.cluster.api.get("Pod", "default", name)["metadata"]["deletionTimestamp"]
    resp = call(ctx, "POST", f"{PODS}/{name}/eviction", dict(body, metadata={"name": "other"}))
    assert (resp.status, resp.json()["message"]) == (
        400,
        "name in URL does not match name in Eviction object",
    )
    resp = call(ctx, "POST", f"{PODS}/ghost/eviction", dict(body, metadata={"name": "ghost"}))
    assert (resp.status, resp.json()["message"]) == (404, 'pods "ghost" not found')


def test_binding_assigns_a_node_once(ctx):
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c", "image": "nginx"}], "schedulerName": "nobody"},
    }
    assert call(ctx, "POST", PODS, pod).status == 201
    binding = {
        "apiVersion": "v1",
        "kind": "Binding",
        "metadata": {"name": "p"},
        "target": {"kind": "Node", "name": "worker-2"},
    }
    placed = ctx.cluster.api.get("Pod", "default", "p")["spec"].get("nodeName")
    resp = call(ctx, "POST", f"{PODS}/p/binding", binding)
    if placed:  # the engine's scheduler placed it already: a second binding is a conflict
        assert resp.status == 409
    else:
        assert resp.status == 201
        assert ctx.cluster.api.get("Pod", "default", "p")["spec"]["nodeName"] == "worker-2"
        assert call(ctx, "POST", f"{PODS}/p/binding", binding).status == 409


def test_exec_without_an_upgrade_is_a_bad_request(ctx):
    created(ctx)
    ctx.cluster.advance(10)
    name = ctx.cluster.store.list("Pod", "default")[0]["metadata"]["name"]
    resp = call(ctx, "POST", f"{PODS}/{name}/exec", command="ls", stdout="true")
    assert (resp.status, resp.json()["message"]) == (400, "Upgrade request required")
    # kubectl's SPDY retry after a refused websocket gets the reason the session was refused
    resp = call(ctx, "POST", f"{PODS}/{name}/exec", command="ls", stdout="true", container="nope")
    assert (resp.status, resp.json()["message"]) == (400, f"container nope is not valid for pod {name}")
    resp = call(ctx, "POST", f"{PODS}/{name}/portforward")
    assert resp.status == 400 and resp.json()["message"].startswith("port forwarding is not available")


def test_protobuf_bodies_are_decoded_and_malformed_ones_refused(ctx):
    from visualizer.kubeapi import protobuf

    body = protobuf.encode(nginx())
    resp = call(ctx, "POST", DEPLOYS, body, ctype="application/vnd.kubernetes.protobuf")
    assert resp.status == 201, resp.body
    assert live(ctx)["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.14.2"
    resp = call(ctx, "POST", DEPLOYS, b"k8s\x00\x0a\xff", ctype="application/vnd.kubernetes.protobuf")
    assert resp.status == 400
    assert resp.json()["reason"] == "BadRequest"


def test_node_writes_change_only_labels_annotations_unschedulable_and_taints(ctx):
    url = "/api/v1/nodes/worker-1"
    node = json.loads(json.dumps(ctx.cluster.api.get("Node", None, "worker-1")))
    node["metadata"]["labels"]["disk"] = "ssd"
    node["spec"] = {"taints": [{"key": "k", "value": "v", "effect": "NoSchedule"}]}
    node.pop("status")
    resp = call(ctx, "PUT", url, node)
    assert resp.status == 200, resp.body
    stored = ctx.cluster.api.get("Node", None, "worker-1")
    assert stored["metadata"]["labels"]["disk"] == "ssd"
    assert stored["spec"]["taints"] == [{"key": "k", "value": "v", "effect": "NoSchedule"}]
    assert stored["spec"]["podCIDR"] and stored["status"]["capacity"]  # kept as the kubelet wrote them
    resp = call(
        ctx,
        "PATCH",
        url,
        {"spec": {"taints": [{"key": "k", "effect": "Sometimes"}]}},
        "application/merge-patch+json",
    )
    assert resp.status == 422
    assert resp.json()["message"] == (
        'Node "worker-1" is invalid: spec.taints[0].effect: Unsupported value: "Sometimes": supported values: '
        '"NoSchedule", "PreferNoSchedule", "NoExecute"'
    )
    ctx.cluster.advance(5)  # the engine still runs


def test_random_bodies_never_fault_the_server(ctx):
    """A fixed-seed fuzz of every write verb and patch type: each answer is a Status or an object, never a
    500, and the cluster keeps running."""
    import random

    rng = random.Random(11)
    created(ctx)
    words = ["spec", "metadata", "replicas", "template", "containers", "name", "image", "$patch", "labels",
             "selector", "status", "op", "path", "value", "ports", "kind", "apiVersion", "taints"]  # fmt: skip

    def value(depth=0):
        r = rng.random()
        if depth > 3 or r < 0.3:
            return rng.choice([None, True, 1, -5, 1.5, "x", "", "100Mi", [], {}])
        if r < 0.6:
            return [value(depth + 1) for _ in range(rng.randint(0, 3))]
        return {rng.choice(words): value(depth + 1) for _ in range(rng.randint(0, 4))}

    def mutate(obj):
        if isinstance(obj, dict) and obj:
            key = rng.choice(list(obj))
            obj[key] = value() if rng.random() < 0.5 else mutate(obj[key])
        elif isinstance(obj, list) and obj:
            obj[rng.randrange(len(obj))] = value()
        return obj

    ctx.cluster.advance(10)
    pod = f"{PODS}/{ctx.cluster.store.list('Pod', 'default')[0]['metadata']['name']}"
    paths = [DEPLOYS, DEPLOYS + "/nginx-deployment", DEPLOYS + "/nginx-deployment/scale",
             DEPLOYS + "/nginx-deployment/status", "/api/v1/nodes/worker-1", PODS, pod, pod + "/eviction",
             pod + "/binding", pod + "/status", "/api/v1/namespaces/default/events",
             "/api/v1/namespaces/default/services/kubernetes"]  # fmt: skip
    types = ["application/json", "application/yaml", "application/merge-patch+json",
             "application/strategic-merge-patch+json", "application/json-patch+json", "application/apply-patch+yaml"]  # fmt: skip
    for _ in range(900):
        body = mutate(nginx()) if rng.random() < 0.5 else value()
        method, path, ctype = rng.choice(["POST", "PUT", "PATCH"]), rng.choice(paths), rng.choice(types)
        resp = call(ctx, method, path, json.dumps(body).encode(), ctype, fieldManager="fuzz")
        assert resp.status < 500, (method, path, ctype, body, resp.body)
        ctx.cluster.advance(0.2)


def test_duplicate_fields_in_a_raw_json_body(ctx):
    """kubectl never repeats a key (it converts YAML itself); a raw JSON client can (reference §A5.3)."""
    text = json.dumps(nginx())
    text = text.replace('"name": "nginx-deployment"', '"name": "first", "name": "nginx-deployment"', 1)
    text = text.replace('"replicas": 3', '"replicas": 3, "replica": 1', 1)
    resp = call(ctx, "POST", DEPLOYS, text.encode(), fieldValidation="Strict")
    assert (resp.status, resp.json()["message"]) == (
        400,
        'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: duplicate field '
        '"metadata.name", unknown field "spec.replica"',
    )
    resp = call(ctx, "POST", DEPLOYS, text.encode(), fieldValidation="Warn")
    assert resp.status == 201
    assert resp.headers == [
        ("Warning", '299 - "duplicate field \\"metadata.name\\""'),
        ("Warning", '299 - "unknown field \\"spec.replica\\""'),
    ]
    assert live(ctx)["metadata"]["name"] == "nginx-deployment"  # the last value wins


def test_events_and_leases_are_not_written_by_clients(ctx):
    event = {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e"}, "involvedObject": {}}
    resp = call(ctx, "POST", "/api/v1/namespaces/default/events", event)
    assert resp.status == 403
    assert resp.json()["message"].startswith("events is forbidden: events are written by the simulator's own")
    resp = call(ctx, "DELETE", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/worker-1")
    assert resp.status == 403
    assert call(ctx, "DELETE", "/api/v1/namespaces/default/events").status == 403
