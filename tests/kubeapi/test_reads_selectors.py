"""Label and field selectors: apimachinery's grammar, messages and matching (visualizer.engine.selectors), and
the `matcher` contract of visualizer.kubeapi.selectors."""

from __future__ import annotations

import pytest

from visualizer.engine.apiserver import ApiError
from visualizer.engine.selectors import (
    fields_match,
    labels_match,
    parse_field_selector,
    parse_label_selector,
)
from visualizer.kubeapi import catalog
from visualizer.kubeapi.http import ApiRequest
from visualizer.kubeapi.selectors import matcher

LABELS = {"app": "web", "tier": "front", "rank": "7"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("app=web", True),
        ("app==web", True),
        ("app!=web", False),
        ("app!=db", True),
        ("tier in (front,back)", True),
        ("tier notin (front)", False),
        ("app,!missing", True),
        ("!app", False),
        ("missing!=x", True),  # NotEquals matches when the key is absent
        ("rank>5", True),
        ("rank<5", False),
        ("app>5", False),  # not an integer: never matches
        ("app=web,tier=back", False),
        ("env notin ()", True),
        ("app in (web), tier", True),
    ],
)
def test_label_selector_matching(text, expected):
    assert labels_match(parse_label_selector(text), LABELS) is expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a=b=c", "found '=', expected: ',' or 'end of string'"),
        ("a,", "found '', expected: identifier after ','"),
        ("(", "found '(', expected: !, identifier, or 'end of string'"),
        ("a!b", "unable to parse requirement: found '!', expected: in, notin, =, ==, !=, gt, lt"),
        ("x in a", "unable to parse requirement: found 'a' expected: '('"),
        ("x in (a", "unable to parse requirement: found '', expected: ',' or ')'"),
        (
            "x>a",
            "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value must be an integer",
        ),
        (
            "-ltier=x",
            'unable to parse requirement: <nil>: Invalid value: "-ltier": name part must consist of alphanumeric '
            "characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  "
            "or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
        ),
        (
            "app=we$b",
            'unable to parse requirement: values[0][app]: Invalid value: "we$b": a valid label must be an empty '
            "string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
            "alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is "
            "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
        ),
    ],
)
def test_label_selector_errors_are_apimachinerys(text, message):
    with pytest.raises(ValueError) as err:
        parse_label_selector(text)
    assert str(err.value) == message


POD = {
    "metadata": {"name": "p", "namespace": "default"},
    "spec": {"nodeName": "n1", "restartPolicy": "Always"},
    "status": {"phase": "Running", "podIP": "10.0.0.1"},
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("spec.nodeName=n1", True),
        ("spec.host=n1", True),  # the legacy alias of spec.nodeName
        ("spec.nodeName==n1,status.phase!=Succeeded,status.phase!=Failed", True),
        ("status.phase=Pending", False),
        ("metadata.name=p,metadata.namespace=default", True),
        ("spec.hostNetwork=false", True),  # unset bool reads false
        ("status.podIPs=10.0.0.1", False),  # accepted, never selectable
        ("spec.nodeName=", False),
    ],
)
def test_pod_field_selectors(text, expected):
    assert fields_match(parse_field_selector(text, "", "pods"), POD, "", "pods") is expected


@pytest.mark.parametrize(
    ("group", "plural", "text", "message"),
    [
        ("", "pods", "foo=bar", "field label not supported: foo"),
        ("", "nodes", "metadata.namespace=x", "field label not supported: metadata.namespace"),
        (
            "apps",
            "deployments",
            "status.replicas=3",
            '"status.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"',
        ),
        ("batch", "jobs", "status.active=1", 'field label "status.active" not supported for Job'),
        ("", "pods", "spec.nodeName", "invalid selector: 'spec.nodeName'; can't understand 'spec.nodeName'"),
        ("", "pods", "metadata.name=a=b", "invalid field selector: unescaped character in value: 61"),
        ("", "pods", "metadata.name=a\\x", "invalid field selector: invalid escape sequence: \\x"),
        (
            "events.k8s.io",
            "events",
            "involvedObject.name=x",
            "field label not supported: involvedObject.name",
        ),
    ],
)
def test_field_selector_errors(group, plural, text, message):
    with pytest.raises(ValueError) as err:
        parse_field_selector(text, group, plural)
    assert str(err.value) == message


def test_escaped_values_and_event_aliases():
    assert parse_field_selector("metadata.name=a\\,b", "", "pods") == [("metadata.name", False, "a,b")]
    event = {
        "regarding": {"name": "web", "kind": "Deployment"},
        "reportingController": "deployment-controller",
    }
    terms = parse_field_selector(
        "regarding.name=web,reportingController=deployment-controller", "events.k8s.io", "events"
    )
    assert fields_match(terms, event, "events.k8s.io", "events")
    core = {"involvedObject": {"name": "web"}, "source": {}, "reportingComponent": "kubelet"}
    assert fields_match(parse_field_selector("source=kubelet", "", "events"), core, "", "events")


def test_matcher_contract():
    pods = catalog.find("", "v1", "pods")
    req = ApiRequest(
        "GET", "/api/v1/pods", query={"labelSelector": ["app=web"], "fieldSelector": ["spec.nodeName=n1"]}
    )
    match = matcher(req, pods)
    assert match({**POD, "metadata": {**POD["metadata"], "labels": {"app": "web"}}})
    assert not match(POD)
    with pytest.raises(ApiError) as err:
        matcher(ApiRequest("GET", "/api/v1/pods", query={"labelSelector": ["a=b=c"]}), pods)
    assert err.value.code == 400 and err.value.reason == "BadRequest"
    assert str(err.value) == "found '=', expected: ',' or 'end of string'"
