"""`kubectl auth can-i`, `kubectl auth can-i --list` and `kubectl auth whoami` with the real kubectl v1.37
against authz.py (SelfSubjectAccessReview / SelfSubjectRulesReview in authorization.k8s.io/v1, SelfSubjectReview
in authentication.k8s.io/v1; kubectl sends them protobuf-encoded) [S kubectl pkg/cmd/auth/cani.go, whoami.go]."""

from __future__ import annotations

import json

import pytest

from visualizer.kubeapi import authz, catalog
from visualizer.kubeapi.http import ApiRequest

from .harness import ApiHarness

DISCOVERY_ROWS = (
    "                                                [/api/*]            []               [get]\n"
    "                                                [/api]              []               [get]\n"
    "                                                [/apis/*]           []               [get]\n"
    "                                                [/apis]             []               [get]\n"
    "                                                [/healthz]          []               [get]\n"
    "                                                [/livez]            []               [get]\n"
    "                                                [/openapi/*]        []               [get]\n"
    "                                                [/openapi]          []               [get]\n"
    "                                                [/readyz]           []               [get]\n"
    "                                                [/version/]         []               [get]\n"
    "                                                [/version]          []               [get]\n"
)
HEADER = "Resources                                       Non-Resource URLs   Resource Names   Verbs\n"
REVIEWS = (
    "selfsubjectreviews.authentication.k8s.io        []                  []               [create]\n"
    "selfsubjectaccessreviews.authorization.k8s.io   []                  []               [create]\n"
    "selfsubjectrulesreviews.authorization.k8s.io    []                  []               [create]\n"
)


@pytest.fixture(scope="module")
def api():
    with ApiHarness() as api:
        yield api


@pytest.mark.parametrize(
    ("role", "args", "code", "out"),
    [
        ("control", ["create", "pods"], 0, "yes\n"),
        ("control", ["delete", "deployments.apps", "-n", "kube-system"], 0, "yes\n"),
        ("control", ["create", "pods/exec"], 0, "yes\n"),
        ("view", ["create", "pods"], 1, "no\n"),
        ("view", ["list", "deployments"], 0, "yes\n"),
        ("view", ["get", "pods/log"], 0, "yes\n"),
        ("view", ["create", "pods/exec"], 1, "no\n"),
        ("view", ["patch", "deployments.apps"], 1, "no\n"),
        ("view", ["get", "/healthz"], 0, "yes\n"),
        ("view", ["post", "/healthz"], 1, "no\n"),
        ("control", ["post", "/anything"], 0, "yes\n"),
    ],
)
def test_can_i_answers_from_the_role(api, role, args, code, out):
    """`kubectl auth can-i` prints exactly `yes` (exit 0) or `no` (exit 1) for the kubeconfig's role."""
    rc, stdout, stderr = api.kubectl("auth", "can-i", *args, role=role)
    assert (rc, stdout, stderr) == (code, out, "")


def test_can_i_is_sent_as_protobuf_and_answered(api):
    """kubectl's typed client POSTs the review protobuf-encoded; the server decodes it."""
    api.requests.clear()
    assert api.kubectl("auth", "can-i", "get", "pods")[1] == "yes\n"
    posts = [r for r in api.requests if r[0] == "POST"]
    assert posts == [
        (
            "POST",
            "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
            "application/vnd.kubernetes.protobuf",
        )
    ]


def test_can_i_list_for_the_control_role(api):
    """cluster-admin's `*.*` and `[*]` rows, then basic-user's reviews and the discovery URLs."""
    rc, out, err = api.kubectl("auth", "can-i", "--list")
    assert (rc, err) == (0, "")
    assert out == (
        HEADER + "*.*                                             []                  []               [*]\n"
        "                                                [*]                 []               [*]\n"
        + REVIEWS
        + DISCOVERY_ROWS
    )


def test_can_i_list_for_the_view_role(api):
    """The read-only kubeconfig: get/list/watch on every resource, no `[*]` URL row."""
    rc, out, err = api.kubectl("auth", "can-i", "--list", role="view")
    assert (rc, err) == (0, "")
    assert out == (
        HEADER
        + REVIEWS
        + "*.*                                             []                  []               [get list watch]\n"
        + DISCOVERY_ROWS
    )


@pytest.mark.parametrize(("role", "user"), [("control", "student"), ("view", "viewer")])
def test_whoami_prints_the_user_and_groups(api, role, user):
    """`kubectl auth whoami` prints the SelfSubjectReview's userInfo as a table."""
    rc, out, err = api.kubectl("auth", "whoami", role=role)
    assert (rc, err) == (0, "")
    assert out == f"ATTRIBUTE   VALUE\nUsername    {user}\nGroups      [system:authenticated]\n"


def test_reviews_are_discovered_as_create_only(api):
    """`kubectl api-resources` lists the three reviews with verb create only."""
    rc, out, _ = api.kubectl("api-resources", "--api-group=authorization.k8s.io", "-o", "wide")
    assert rc == 0
    lines = [" ".join(x.split()) for x in out.splitlines()[1:]]
    assert lines == [
        "selfsubjectaccessreviews authorization.k8s.io/v1 false SelfSubjectAccessReview create",
        "selfsubjectrulesreviews authorization.k8s.io/v1 false SelfSubjectRulesReview create",
    ]
    rc, out, _ = api.kubectl("get", "selfsubjectaccessreviews")
    assert rc == 1


def _post(body: dict, role: str = "control", plural: str = "selfsubjectaccessreviews"):
    served = catalog.find("authorization.k8s.io", "v1", plural)
    req = ApiRequest(
        "POST",
        f"/apis/authorization.k8s.io/v1/{plural}",
        body=json.dumps(body).encode(),
        role=role,
        headers={"content-type": "application/json"},
    )
    resp = authz.create(None, req, served)
    return resp.status, json.loads(resp.body)


def test_access_review_needs_exactly_one_kind_of_attributes():
    """Neither or both → 422 Invalid, as the real validation (ValidateSelfSubjectAccessReviewSpec) words it."""
    code, body = _post({"spec": {}})
    assert code == 422
    assert body["message"] == (
        'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: '
        "null: exactly one of nonResourceAttributes or resourceAttributes must be specified"
    )
    code, _ = _post({"spec": {"resourceAttributes": {"verb": "get"}, "nonResourceAttributes": {"path": "/"}}})
    assert code == 422


def test_access_review_answer_echoes_the_spec_with_status():
    """201 with the request's spec and `status.allowed` (a reason only when allowed)."""
    spec = {"resourceAttributes": {"verb": "delete", "resource": "pods", "namespace": "default"}}
    code, body = _post({"spec": spec}, role="view")
    assert (code, body["spec"], body["status"]) == (201, spec, {"allowed": False})
    code, body = _post({"spec": spec})
    assert body["status"]["allowed"] is True
    assert body["status"]["reason"].startswith('RBAC: allowed by ClusterRoleBinding "orchestra-control"')


def test_bad_body_is_a_400():
    """A body that is not JSON answers BadRequest and no review."""
    served = catalog.find("authorization.k8s.io", "v1", "selfsubjectaccessreviews")
    req = ApiRequest("POST", "/x", body=b"{nope", headers={"content-type": "application/json"})
    assert authz.create(None, req, served).status == 400
