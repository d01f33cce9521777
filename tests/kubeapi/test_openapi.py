"""OpenAPI v3: the index, the group-version documents built from kubernetes-validate, their caching headers,
and what the real kubectl v1.37.1 does with them (explain; `--validate=strict` moved to the server).

Explain texts are the Kubernetes 1.37 schema descriptions as kubectl's plaintext template prints them
(kubectl pkg/explain/v2/templates/plaintext.tmpl)."""

from __future__ import annotations

import hashlib
import json

import pytest

from tests.kubeapi.harness import ApiHarness
from visualizer.kubeapi import catalog, openapi, openapi_build
from visualizer.kubeapi.http import ApiRequest

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
"""


@pytest.fixture(scope="module")
def api():
    with ApiHarness() as harness:
        yield harness


@pytest.fixture(scope="module")
def docs() -> dict[str, dict]:
    return {key: json.loads(body) for key, (body, _) in openapi.documents().items()}


def _get(path: str, query: dict | None = None, **headers) -> ApiRequest:
    return ApiRequest("GET", path, query={k: [v] for k, v in (query or {}).items()}, headers=headers)


# ---------------------------------------------------------------------------------------------- real kubectl
def test_explain_field(api):
    rc, out, err = api.kubectl("explain", "deployment.spec.replicas")
    assert rc == 0, err
    assert out == (
        "GROUP:      apps\nKIND:       Deployment\nVERSION:    v1\n\nFIELD: replicas <integer>\n\n\n"
        "DESCRIPTION:\n    Number of desired pods. This is a pointer to distinguish between explicit\n"
        "    zero and not specified. Defaults to 1.\n    \n\n"
    )


def test_explain_kind(api):
    rc, out, err = api.kubectl("explain", "pods")
    assert rc == 0, err
    conventions = "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md"
    assert out.splitlines() == [
        "KIND:       Pod",
        "VERSION:    v1",
        "",
        "DESCRIPTION:",
        "    Pod is a collection of containers that can run on a host. This resource is",
        "    created by clients and scheduled onto hosts.",
        "    ",
        "FIELDS:",
        "  apiVersion\t<string>",
        "    APIVersion defines the versioned schema of this representation of an object.",
        "    Servers should convert recognized schemas to the latest internal value, and",
        "    may reject unrecognized values. More info:",
        f"    {conventions}#resources",
        "",
        "  kind\t<string>",
        "    Kind is a string value representing the REST resource this object",
        "    represents. Servers may infer this from the endpoint the client submits",
        "    requests to. Cannot be updated. In CamelCase. More info:",
        f"    {conventions}#types-kinds",
        "",
        "  metadata\t<ObjectMeta>",
        "    Standard object's metadata. More info:",
        f"    {conventions}#metadata",
        "",
        "  spec\t<PodSpec>",
        "    Specification of the desired behavior of the pod. More info:",
        f"    {conventions}#spec-and-status",
        "",
        "  status\t<PodStatus>",
        "    Most recently observed status of the pod. This data may not be up to date.",
        "    Populated by the system. Read-only. More info:",
        f"    {conventions}#spec-and-status",
        "",
        "",
    ]


def test_explain_int_or_string_field_prints_its_type_and_description(api):
    rc, out, err = api.kubectl("explain", "deployment.spec.strategy.rollingUpdate.maxSurge")
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[4] == "FIELD: maxSurge <IntOrString>"
    assert "    IntOrString is a type that can hold an int32 or a string.  When used in JSON" in lines


def test_explain_recursive_follows_refs_without_required_spec(api):
    rc, out, err = api.kubectl("explain", "deploy", "--recursive")
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[:8] == [
        "GROUP:      apps",
        "KIND:       Deployment",
        "VERSION:    v1",
        "",
        "DESCRIPTION:",
        "    Deployment enables declarative updates for Pods and ReplicaSets.",
        "    ",
        "FIELDS:",
    ]
    assert "  spec\t<DeploymentSpec>" in lines  # kubernetes-validate's added `required: [spec]` is gone
    assert "    selector\t<LabelSelector> -required-" in lines
    assert "    template\t<PodTemplateSpec> -required-" in lines
    assert "        maxSurge\t<IntOrString>" in lines
    assert "            limits\t<map[string]Quantity>" in lines


def test_explain_unknown_field(api):
    rc, out, err = api.kubectl("explain", "deployment.spec.nope")
    assert rc == 1
    assert err.strip() == 'error: field "nope" does not exist'


def test_explain_reuses_the_immutable_document_from_kubectls_cache(api):
    api.kubectl("explain", "cronjob.spec.schedule")
    seen = len(api.requests)
    rc, out, err = api.kubectl("explain", "cronjob.spec.schedule")
    assert rc == 0, err
    assert "FIELD: schedule <string>" in out
    fetched = [p for _, p, _ in api.requests[seen:] if p.startswith("/openapi/v3/")]
    assert fetched == []  # `Cache-Control: public, immutable` with the hash in the URL


@pytest.mark.parametrize("verb", ["create", "apply"])
def test_default_validation_is_left_to_the_server(api, verb):
    """With `fieldValidation` on the PATCH operation, kubectl does no client-side schema check and sends
    `fieldValidation=Strict` (cli-runtime query_param_verifier_v3.go), even for an unknown field."""
    manifest = DEPLOYMENT.replace("name: web", f"name: web-{verb}").replace("replicas: 2", "replicaz: 2")
    seen = len(api.requests)
    rc, out, err = api.kubectl(verb, "-f", "-", stdin=manifest)
    assert "error validating" not in err
    sent = api.requests[seen:]
    assert any(p.startswith("/openapi/v3") for _, p, _ in sent)
    posts = [p for m, p, _ in sent if m == "POST"]
    assert len(posts) == 1
    assert posts[0].startswith("/apis/apps/v1/namespaces/default/deployments?")
    assert "fieldValidation=Strict" in posts[0]


@pytest.mark.parametrize(
    "manifest, kind, version",
    [
        (
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny}\nspec: {podSelector: {}}\n",
            "NetworkPolicy",
            "networking.k8s.io/v1",
        ),
        (
            "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: pdb}\nspec: {minAvailable: 1}\n",
            "PodDisruptionBudget",
            "policy/v1",
        ),
    ],
)
def test_a_kind_the_simulator_does_not_serve_gets_kubectls_no_matches_error(api, manifest, kind, version):
    rc, out, err = api.kubectl("apply", "-f", "-", stdin=manifest)
    assert rc == 1
    name = "deny" if kind == "NetworkPolicy" else "pdb"
    assert err.splitlines() == [
        f'error: resource mapping not found for name: "{name}" namespace: "" from "STDIN": no matches for kind '
        f'"{kind}" in version "{version}"',
        "ensure CRDs are installed first",
    ]


def test_validate_false_skips_openapi(api):
    seen = len(api.requests)
    api.kubectl(
        "create", "--validate=false", "-f", "-", stdin=DEPLOYMENT.replace("name: web", "name: web-nv")
    )
    sent = api.requests[seen:]
    assert not any(p.startswith("/openapi") for _, p, _ in sent)
    assert any(m == "POST" and "fieldValidation=Ignore" in p for m, p, _ in sent)


# ---------------------------------------------------------------------------------------------- serving
def test_index_lists_every_documented_group_version_with_its_hash():
    body = openapi.index(_get("/openapi/v3")).json()
    assert sorted(body["paths"]) == sorted(
        [
            "api/v1",
            "apis/apps/v1",
            "apis/authentication.k8s.io/v1",
            "apis/authorization.k8s.io/v1",
            "apis/autoscaling/v1",
            "apis/autoscaling/v2",
            "apis/batch/v1",
            "apis/coordination.k8s.io/v1",
            "apis/discovery.k8s.io/v1",
            "apis/events.k8s.io/v1",
            "apis/networking.k8s.io/v1",
            "apis/storage.k8s.io/v1",
        ]
    )
    for key, entry in body["paths"].items():
        doc_body, digest = openapi.documents()[key]
        assert entry["serverRelativeURL"] == f"/openapi/v3/{key}?hash={digest}"
        assert digest == hashlib.sha512(doc_body).hexdigest().upper()


def test_document_with_the_current_hash_is_immutable():
    _, digest = openapi.documents()["apis/apps/v1"]
    resp = openapi.document(_get("/openapi/v3/apis/apps/v1", {"hash": digest}), "apis/apps/v1")
    assert resp.status == 200 and resp.content_type == "application/json"
    headers = dict(resp.headers)
    assert headers["ETag"] == f'"{digest}"'
    assert headers["Cache-Control"] == "public, immutable"
    assert headers["Expires"].endswith(" GMT")
    assert headers["Vary"] == "Accept"
    again = openapi.document(
        _get("/openapi/v3/apis/apps/v1", {"hash": digest}, **{"if-none-match": f'"{digest}"'}), "apis/apps/v1"
    )
    assert again.status == 304 and again.body == b""


def test_document_with_a_stale_hash_redirects_to_the_current_one():
    _, digest = openapi.documents()["apis/apps/v1"]
    resp = openapi.document(_get("/openapi/v3/apis/apps/v1", {"hash": "0BAD"}), "apis/apps/v1")
    assert resp.status == 301
    assert dict(resp.headers)["Location"] == f"v1?hash={digest}"
    plain = openapi.document(_get("/openapi/v3/apis/apps/v1"), "apis/apps/v1")
    assert plain.status == 200 and dict(plain.headers)["Cache-Control"] == "no-cache, private"


def test_unknown_document_is_a_not_found_status():
    for resp in (
        openapi.document(_get("/openapi/v3/apis/nope/v1"), "apis/nope/v1"),
        openapi.document(_get("/openapi/v3/apis/metrics.k8s.io/v1beta1"), "apis/metrics.k8s.io/v1beta1"),
    ):
        assert resp.status == 404
        assert resp.json()["kind"] == "Status" and resp.json()["reason"] == "NotFound"


def test_v2_is_a_document_without_definitions():
    pb = openapi.v2(_get("/openapi/v2", accept="application/com.github.proto-openapi.spec.v2@v1.0+protobuf"))
    assert pb.status == 200
    assert pb.content_type == "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
    assert pb.body == b"\x0a\x032.0"
    doc = openapi.v2(_get("/openapi/v2", accept="application/json")).json()
    assert doc["swagger"] == "2.0" and doc["definitions"] == {} and doc["paths"] == {}


# ---------------------------------------------------------------------------------------------- builder
def _patch_ops(doc: dict, group: str, version: str, kind: str) -> list[dict]:
    gvk = {"group": group, "version": version, "kind": kind}
    return [
        item["patch"]
        for item in doc["paths"].values()
        if "patch" in item and item["patch"]["x-kubernetes-group-version-kind"] == gvk
    ]


def test_every_served_kind_has_one_patch_operation_with_field_validation(docs):
    for s in catalog.SERVED:
        if s.group == "metrics.k8s.io" or "patch" not in s.verbs:
            continue  # metrics has no document; read-only kinds (EndpointSlices) have no PATCH operation
        doc = docs[openapi_build.group_version_key(s.group, s.version)]
        ops = _patch_ops(doc, s.group, s.version, s.kind)
        assert len(ops) == 1, s.qualified
        (op,) = ops
        assert {"name": "fieldValidation", "in": "query"}.items() <= next(
            p for p in op["parameters"] if p["name"] == "fieldValidation"
        ).items()
        assert "application/strategic-merge-patch+json" in op["requestBody"]["content"]
        kind_schema = next(
            v
            for v in doc["components"]["schemas"].values()
            if {"group": s.group, "version": s.version, "kind": s.kind}
            in v.get("x-kubernetes-group-version-kind", [])
        )
        assert kind_schema["type"] == "object"


def test_explain_finds_the_gvk_on_the_paths_kubectl_searches(docs):
    doc = docs["apis/apps/v1"]
    item = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments"]
    assert item["get"]["x-kubernetes-group-version-kind"] == {
        "group": "apps",
        "version": "v1",
        "kind": "Deployment",
    }
    assert item["post"]["x-kubernetes-action"] == "post"
    assert docs["api/v1"]["paths"]["/api/v1/nodes/{name}"]["get"]["operationId"] == "readCoreV1Node"
    assert "/api/v1/namespaces/{namespace}/nodes" not in docs["api/v1"]["paths"]


def _walk(node):
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)


def test_every_ref_resolves_and_the_json_schema_forms_are_gone(docs):
    for key, doc in docs.items():
        schemas = doc["components"]["schemas"]
        assert doc["openapi"] == "3.0.0" and doc["info"]["version"] == "v1.37.1"
        for node in _walk(doc):
            ref = node.get("$ref")
            if ref is not None:
                assert ref.startswith("#/components/schemas/"), (key, ref)
                assert ref.removeprefix("#/components/schemas/") in schemas, (key, ref)
                assert set(node) == {"$ref"}, (key, node)  # siblings live beside an allOf
            assert not isinstance(node.get("type"), list), (key, node)
            assert "$defs" not in node


def test_converted_special_schemas(docs):
    schemas = docs["apis/apps/v1"]["components"]["schemas"]
    assert schemas[openapi_build.INT_OR_STRING]["format"] == "int-or-string"
    assert schemas[openapi_build.INT_OR_STRING]["oneOf"] == [{"type": "integer"}, {"type": "string"}]
    assert schemas[openapi_build.QUANTITY]["oneOf"] == [{"type": "string"}, {"type": "number"}]
    deployment = schemas["io.k8s.api.apps.v1.Deployment"]
    assert "required" not in deployment
    assert "enum" not in deployment["properties"]["apiVersion"]
    assert deployment["properties"]["spec"]["allOf"] == [
        {"$ref": "#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec"}
    ]
    assert deployment["x-kubernetes-group-version-kind"] == [
        {"group": "apps", "kind": "Deployment", "version": "v1"}
    ]
    containers = schemas["io.k8s.api.core.v1.PodSpec"]["properties"]["containers"]
    assert containers["x-kubernetes-patch-merge-key"] == "name"
    assert containers["x-kubernetes-patch-strategy"] == "merge"


def test_convert_schema_unit():
    src = {
        "type": ["object", "null"],
        "properties": {
            "kind": {"type": ["string", "null"], "enum": ["Thing"]},
            "spec": {"$ref": "#/$defs/x.Spec", "description": "the spec"},
            "items": {"type": "array", "items": {"$ref": "#/$defs/x.Item"}},
            "mode": {"type": "string", "enum": ["A", "B"]},
        },
    }
    assert openapi_build.convert_schema(src) == {
        "type": "object",
        "properties": {
            "kind": {"type": "string"},
            "spec": {"allOf": [{"$ref": "#/components/schemas/x.Spec"}], "description": "the spec"},
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/x.Item"}},
            "mode": {"type": "string", "enum": ["A", "B"]},
        },
    }


def test_documents_hold_only_what_they_reference(docs):
    apps = docs["apis/apps/v1"]["components"]["schemas"]
    assert "io.k8s.api.batch.v1.Job" not in apps
    assert "io.k8s.api.core.v1.PodSpec" in apps
    assert sum(len(b) for b, _ in openapi.documents().values()) < 4 * 1024 * 1024
