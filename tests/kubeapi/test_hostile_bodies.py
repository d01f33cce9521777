"""Hostile request bodies (deep nesting, numbers beyond float64, alias bombs) answer 400 BadRequest, never 500,
and change nothing — through `server.handle`, the real kubectl v1.37.1 and the console.

kube-apiserver decodes JSON with Go's scanner, which refuses nesting deeper than 10,000 (`invalid character '['
exceeded max depth`, encoding/json scanner.go maxNestingDepth); the simulator stops at 100 levels
(visualizer/engine/body_limits.py) and says so. The create/update prefix is SimpleMetaFactory.Interpret's
`couldn't get version/kind; json parse error: …` (apimachinery runtime/serializer/json/meta.go)."""

from __future__ import annotations

import json

import pytest

from tests.kubeapi.harness import ApiHarness, require_kubectl
from visualizer.engine import Cluster
from visualizer.kubeapi import server
from visualizer.kubeapi.context import ApiContext
from visualizer.kubeapi.http import ApiRequest

CMS = "/api/v1/namespaces/default/configmaps"
DEPLOYS = "/apis/apps/v1/namespaces/default/deployments"
NOTE = "(the simulator's limit; Kubernetes allows 10000)"
GO_DEEP = "invalid character '[' exceeded max depth"
SIM_DEEP_OBJ = f"invalid character '{{' exceeded max depth of 100 {NOTE}"
HUGE = "json: cannot unmarshal number 99999999999999999999…(10000 digits) into Go value of type float64"
META = "couldn't get version/kind; json parse error: "

DEEP_ARRAY = b"[" * 100_000 + b"]" * 100_000  # deeper than Go allows
DEEP_OBJECT = b'{"a":' * 500 + b"1" + b"}" * 500  # legal for Go, past the simulator's 100
HUGE_INT = b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm"},"n":' + b"9" * 10_000 + b"}"
DEEP_YAML = b"a: " + b"[" * 100_000 + b"]" * 100_000
DEEP_BLOCK_YAML = b"kind: ConfigMap\ndata:\n" + b"".join(b" " * (i + 1) + b"a:\n" for i in range(150))
LAUGHS = b"a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + b"".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n".encode() for i in range(1, 10)
)


@pytest.fixture
def ctx():
    ctx = ApiContext(Cluster(workers=1, seed=7))
    resp = call(ctx, "POST", CMS, json.dumps({"metadata": {"name": "cm"}, "data": {"k": "v"}}).encode())
    assert resp.status == 201, resp.body
    return ctx


def call(ctx, method, path, body: bytes, ctype="application/json", **query):
    headers = {"content-type": ctype, "user-agent": "kubectl/v1.37.1 (linux/amd64) kubernetes/f78e722"}
    req = ApiRequest(method, path, {k: [v] for k, v in query.items()}, headers, body)
    return server.handle(ctx, req)


def state(ctx) -> list:
    """What a refused request must leave as it was: every ConfigMap with its resourceVersion."""
    return sorted(
        (o["metadata"]["name"], o["metadata"]["resourceVersion"], json.dumps(o.get("data")))
        for o in ctx.cluster.store.list("ConfigMap", "default")
    )


CASES = [
    # (method, path, content type, body, query, message)
    ("POST", CMS, "application/json", DEEP_ARRAY, {}, META + GO_DEEP),
    ("PUT", CMS + "/cm", "application/json", DEEP_ARRAY, {}, META + GO_DEEP),
    ("PATCH", CMS + "/cm", "application/merge-patch+json", DEEP_ARRAY, {}, GO_DEEP),
    ("PATCH", CMS + "/cm", "application/strategic-merge-patch+json", DEEP_ARRAY, {}, GO_DEEP),
    ("PATCH", CMS + "/cm", "application/json-patch+json", DEEP_ARRAY, {}, GO_DEEP),
    ("DELETE", CMS + "/cm", "application/json", DEEP_ARRAY, {}, GO_DEEP),
    ("POST", CMS, "application/json", DEEP_OBJECT, {}, META + SIM_DEEP_OBJ),
    ("PATCH", CMS + "/cm", "application/merge-patch+json", DEEP_OBJECT, {}, SIM_DEEP_OBJ),
    ("POST", CMS, "application/json", HUGE_INT, {}, META + HUGE),
    ("PUT", CMS + "/cm", "application/json", HUGE_INT, {}, META + HUGE),
    ("PATCH", CMS + "/cm", "application/merge-patch+json", HUGE_INT, {}, HUGE),
    ("PATCH", CMS + "/cm", "application/strategic-merge-patch+json", HUGE_INT, {}, HUGE),
    (
        "POST",
        CMS,
        "application/json",
        b'{"a": NaN}',
        {},
        META + "invalid character 'N' looking for beginning of value",
    ),
    (
        "POST",
        CMS,
        "application/yaml",
        DEEP_YAML,
        {},
        "couldn't get version/kind; yaml parse error: yaml: exceeded max depth of 10000",
    ),
    (
        "PUT",
        CMS + "/cm",
        "application/yaml",
        DEEP_YAML,
        {},
        "couldn't get version/kind; yaml parse error: yaml: exceeded max depth of 10000",
    ),
    (
        "POST",
        CMS,
        "application/yaml",
        DEEP_BLOCK_YAML,
        {},
        f"couldn't get version/kind; yaml parse error: yaml: line 102: exceeded max depth of 100 {NOTE}",
    ),
    (
        "POST",
        CMS,
        "application/yaml",
        LAUGHS,
        {},
        "couldn't get version/kind; yaml parse error: yaml: document contains excessive aliasing",
    ),
    (
        "PATCH",
        CMS + "/cm",
        "application/apply-patch+yaml",
        DEEP_YAML,
        {"fieldManager": "kubectl"},
        "error decoding YAML: yaml: exceeded max depth of 10000",
    ),
    (
        "PATCH",
        CMS + "/cm",
        "application/apply-patch+yaml",
        LAUGHS,
        {"fieldManager": "kubectl"},
        "error decoding YAML: yaml: document contains excessive aliasing",
    ),
]


@pytest.mark.parametrize(("method", "path", "ctype", "body", "query", "message"), CASES)
def test_a_hostile_body_is_a_400_bad_request_that_changes_nothing(
    ctx, method, path, ctype, body, query, message
):
    before = state(ctx)
    resp = call(ctx, method, path, body, ctype, **query)
    assert resp.status == 400, resp.body[:300]
    got = resp.json()
    assert (got["kind"], got["status"], got["reason"], got["code"]) == (
        "Status",
        "Failure",
        "BadRequest",
        400,
    )
    assert got["message"] == message
    assert state(ctx) == before


def test_a_huge_yaml_integer_stays_a_string_as_go_yaml_leaves_it(ctx):
    body = (
        b"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: big\nspec:\n  replicas: " + b"9" * 10_000
    )
    resp = call(ctx, "POST", DEPLOYS, body, "application/yaml", fieldValidation="Strict")
    assert resp.status == 400, resp.body[:300]
    assert resp.json()["message"] == (
        'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go '
        "struct field DeploymentSpec.spec.replicas of type int32"
    )
    assert ctx.cluster.api.get("Deployment", "default", "big") is None


def test_a_deep_scale_body_is_a_400(ctx):
    resp = call(ctx, "PUT", DEPLOYS + "/x/scale", DEEP_ARRAY)
    assert resp.status in (400, 404)  # the Deployment does not exist; either way no 500
    assert resp.json()["reason"] in ("BadRequest", "NotFound")


# ---------------------------------------------------------------------------------------------- kubectl
@pytest.fixture
def api():
    require_kubectl()
    with ApiHarness(speed=0) as harness:
        yield harness


def test_real_kubectl_sees_bad_request_for_deep_and_huge_bodies_and_nothing_is_created(api):
    rc, out, err = api.kubectl("create", "--raw", CMS, "-f", "-", stdin=DEEP_ARRAY.decode())
    assert (rc, out, err) == (1, "", f"Error from server (BadRequest): {META}{GO_DEEP}\n")

    deep = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n  a: "
        + "[" * 150
        + "]" * 150
        + "\n"
    )
    rc, out, err = api.kubectl("apply", "-f", "-", stdin=deep)
    # kubectl converts YAML to JSON itself (go-yaml allows 10,000 levels) and POSTs 151 levels of JSON
    assert (rc, out) == (1, "")
    assert err == (
        f'Error from server (BadRequest): error when creating "STDIN": {META}'
        f"invalid character '[' exceeded max depth of 100 {NOTE}\n"
    )

    huge = HUGE_INT.decode().replace('"cm"', '"huge"')
    rc, out, err = api.kubectl("create", "--raw", CMS, "-f", "-", stdin=huge)
    assert (rc, out, err) == (1, "", f"Error from server (BadRequest): {META}{HUGE}\n")

    rc, out, err = api.kubectl("get", "configmaps", "-o", "name")
    assert (rc, out, err) == (0, "", "")  # nothing was created


def test_console_apply_of_hostile_input_gives_a_clear_error_with_its_place(api):
    deep = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n  a: "
        + "[" * 150
        + "]" * 150
        + "\n"
    )
    result = api.console("kubectl apply -f -", stdin=deep)
    assert not result.ok
    assert result.error["line"] == 6 and result.error["column"] == 46
    assert "internal simulator error" not in result.output

    huge = '{"apiVersion": "v1", "kind": "ConfigMap",\n "metadata": {"name": "x"}, "n": ' + "9" * 10_000 + "}"
    result = api.console("kubectl apply -f -", stdin=huge)
    assert not result.ok
    assert result.output == f"error: error parsing STDIN: {HUGE}"
    assert (result.error["line"], result.error["column"]) == (2, 34)

    result = api.console(
        "kubectl apply -f -", stdin="apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\nn: " + "9" * 5000
    )
    assert not result.ok and "internal simulator error" not in result.output
    assert result.output == (
        'Error from server (BadRequest): error when creating "STDIN": ConfigMap in version "v1" cannot be handled '
        'as a ConfigMap: strict decoding error: unknown field "n"'
    )
    assert api.cluster.api.get("ConfigMap", "default", "x") is None
