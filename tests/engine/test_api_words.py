"""The API server's decoding, its error prefixes, --validate directives and the events list, unit by unit."""

import pytest
import yaml

from visualizer.engine.apiserver import ApiError, field_validation, in_file
from visualizer.engine.decoding import base64_error_offset, quantity_error
from visualizer.engine.kubectl import events

from .conftest import ok, web


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        ("YWRtaW4=", None),  # admin
        ("YWRtaW4", 4),  # unpadded: the short last quantum starts at 4
        ("admin", 4),
        ("hunter2!", 7),  # `!` is outside the alphabet
        ("YW\nRtaW4=", None),  # newlines are skipped
        ("Zg", 0),
        ("Z===", 1),
        ("Zm9v=YmFy", 4),
        ("Zm9vYg==x", 8),  # trailing garbage after the padding
        ("Zm9vYg=", 7),  # one `=` where two are needed: not enough padding
        ("", None),
    ],
)
def test_base64_offsets_are_the_ones_go_reports(text, offset):
    """Offsets follow Go's encoding/base64 StdEncoding.Decode (decodeQuantum)."""
    assert base64_error_offset(text) == offset


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("100m", None),
        ("1.5Gi", None),
        ("129e6", None),
        (".5", None),
        (1, None),
        ("-1", None),  # decodes; validation refuses it
        ("64MB", "quantities must match"),
        ("2 Gi", "quantities must match"),
        ("1e", "unable to parse quantity's suffix"),
        ("1Mb", "quantities must match"),
        (True, "quantities must match"),
    ],
)
def test_quantities_follow_the_apimachinery_grammar(value, problem):
    """The grammar of resource.ParseQuantity: signed number, then a binary or decimal suffix or an exponent."""
    got = quantity_error(value)
    assert (got is None) if problem is None else got.startswith(problem)


def test_the_file_prefix_goes_on_every_status_error_but_invalid():
    """`error when creating "STDIN": ` after `Error from server (Reason): `; never on 422 or without a file."""
    nf = ApiError('Error from server (NotFound): namespaces "x" not found', "NotFound", 404)
    assert str(in_file(nf, "STDIN")) == (
        'Error from server (NotFound): error when creating "STDIN": namespaces "x" not found'
    )
    assert str(in_file(nf, "")) == str(nf)
    invalid = ApiError('The Pod "p" is invalid: spec.containers: Required value', "Invalid", 422)
    assert in_file(invalid, "STDIN") is invalid
    assert str(in_file(in_file(nf, "STDIN"), "STDIN")).count("error when creating") == 1


def test_validate_flag_values_map_to_field_validation_directives():
    """--validate=strict|true|warn|ignore|false, kubectl's error for anything else."""
    assert [field_validation(v) for v in (None, "true", "strict", "warn", "false", "ignore")] == [
        "Strict",
        "Strict",
        "Strict",
        "Warn",
        "Ignore",
        "Ignore",
    ]
    with pytest.raises(ApiError) as info:
        field_validation("foo")
    assert str(info.value) == (
        'error: invalid - validate option "foo"; must be one of: strict (or true), warn, ignore (or false)'
    )


def test_warn_and_ignore_drop_unknown_fields_and_strict_refuses_them(cluster):
    """fieldValidation Warn keeps the warning text, Ignore says nothing; both store the object without it."""
    doc = yaml.safe_load(web().replace("replicas:", "replica:"))
    stored = cluster.api.admit(doc, field_validation="Warn")
    assert "replica" not in stored["spec"] and "replica" in doc["spec"]
    assert cluster.api.warnings == ['unknown field "spec.replica"']
    cluster.api.admit(doc, field_validation="Ignore")
    assert cluster.api.warnings == []
    with pytest.raises(ApiError) as info:
        cluster.api.admit(doc)
    assert str(info.value).endswith('strict decoding error: unknown field "spec.replica"')


def test_a_type_error_wins_over_unknown_fields(cluster):
    """Strict field errors are reported only when the body decoded (apimachinery's json serializer)."""
    text = web().replace("replicas: 3", 'replicas: "3"').replace("selector:", "selectr: {}\n  selector:")
    out = cluster.run("kubectl apply -f -", stdin=text).output
    assert out.endswith(
        "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"
    )


def test_repeated_events_are_one_row_with_the_last_time(cluster):
    """An image that cannot be pulled: each kubelet reason appears once per pod, LAST SEEN the latest."""
    ok(cluster, "kubectl apply -f -", web(replicas=1, image="nginx:nope"))
    cluster.advance(200)
    out = ok(cluster, "kubectl get events").output
    pulling = [line for line in out.splitlines() if " Pulling " in line]
    assert len(pulling) == 1
    pod = [e for e in cluster.events if e["reason"] == "Pulling"]
    assert len(pod) > 1
    block = events.describe_section(cluster, "Pod", pod[0]["object"].split("/")[1], "default")
    assert f"(x{len(pod)} over " in block and "  kubelet  " in block


def test_events_are_listed_by_object_name_then_time(cluster):
    """etcd key order, /registry/events/<ns>/<object name>.<hex time>: compared bytewise, so `web-…` ('-' is
    0x2d) sorts before `web.…` ('.' is 0x2e): the pods' and ReplicaSet's events come before the Deployment's,
    each object's in time order."""
    ok(cluster, "kubectl apply -f -", web(replicas=2))
    rows = ok(cluster, "kubectl get events -o wide").output.splitlines()[1:]
    names = [r.split()[-1] for r in rows]
    assert names == sorted(names)
    objects = [r.split()[3] for r in rows]
    assert objects[-1] == "deployment/web" and objects[0].startswith("pod/web-")


def test_field_selectors_filter_events_and_unknown_fields_are_refused(cluster):
    """involvedObject.kind / type / reason with = and !=; anything else gets the API server's words."""
    ok(cluster, "kubectl apply -f -", web(replicas=2))
    out = ok(cluster, "kubectl get events --field-selector involvedObject.kind=Deployment").output
    assert [line.split()[3] for line in out.splitlines()[1:]] == ["deployment/web"]
    out = ok(cluster, "kubectl get events --field-selector type!=Normal")
    assert out.output == "No resources found in default namespace."
    bad = cluster.run("kubectl get events --field-selector spec.x=y")
    assert not bad.ok
    assert bad.output == (
        'Error from server (BadRequest): Unable to find "/v1, Resource=events" that match label selector "", '
        'field selector "spec.x=y": field label not supported: spec.x'
    )


def test_all_namespaces_events_have_a_namespace_column(cluster):
    """-A adds NAMESPACE before LAST SEEN, as kubectl's event printer does."""
    ok(cluster, "kubectl apply -f -", web(replicas=1))
    header = ok(cluster, "kubectl get events -A").output.splitlines()[0].split()
    assert header == ["NAMESPACE", "LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]


def test_several_failing_documents_are_each_reported_with_the_servers_message(cluster):
    """admit_all: one failure prints as usual; several print one `Error from server` line each, 422 with
    apimachinery's own message (`Deployment.apps "a" is invalid: …`), as kubectl v1.37 aggregates them."""
    good = yaml.safe_load(web())
    bad_a = yaml.safe_load(web(replicas=-1).replace("name: web", "name: a"))
    bad_b = yaml.safe_load(web().replace("replicas:", "replica:").replace("name: web", "name: b"))
    assert [d["metadata"]["name"] for d in cluster.api.admit_all([good])] == ["web"]
    with pytest.raises(ApiError) as one:
        cluster.api.admit_all([good, bad_a])
    assert str(one.value) == (
        'The Deployment "a" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0'
    )
    with pytest.raises(ApiError) as two:
        cluster.api.admit_all([bad_a, good, bad_b])
    assert str(two.value) == (
        'Error from server (Invalid): error when creating "STDIN": Deployment.apps "a" is invalid: '
        "spec.replicas: Invalid value: -1: must be greater than or equal to 0\n"
        'Error from server (BadRequest): error when creating "STDIN": Deployment in version "v1" cannot be '
        'handled as a Deployment: strict decoding error: unknown field "spec.replica"'
    )


def test_events_print_as_event_objects_and_wide_columns(cluster):
    """-o yaml is a List of core/v1 Events (unique `<object>.<hex>` names, count, first/last timestamps,
    source); -o wide adds SUBOBJECT, SOURCE, FIRST SEEN, COUNT and NAME."""
    ok(cluster, "kubectl apply -f -", web(replicas=1))
    items = yaml.safe_load(ok(cluster, "kubectl get events -o yaml").output)["items"]
    assert items[0]["kind"] == "Event"
    deploy = cluster.store.get("/registry/deployments/default/web")
    scaled = next(i for i in items if i["reason"] == "ScalingReplicaSet")
    # involvedObject carries the object's uid and apiVersion (kubectl describe selects events by uid).
    assert scaled["involvedObject"] == {
        "kind": "Deployment",
        "name": "web",
        "namespace": "default",
        "uid": deploy["metadata"]["uid"],
        "apiVersion": "apps/v1",
    }
    assert scaled["source"] == {"component": "deployment-controller"}
    names = [i["metadata"]["name"] for i in items]
    assert len(set(names)) == len(names) and scaled["metadata"]["name"].startswith("web.")
    header = ok(cluster, "kubectl get events -o wide").output.splitlines()[0].split()
    assert header == [
        "LAST",
        "SEEN",
        "TYPE",
        "REASON",
        "OBJECT",
        "SUBOBJECT",
        "SOURCE",
        "MESSAGE",
        "FIRST",
        "SEEN",
        "COUNT",
        "NAME",
    ]


def test_typos_inside_security_context_lifecycle_and_volumes_are_unknown_fields(cluster):
    """securityContext, lifecycle, emptyDir, hostPath and items are decoded field by field (int64 user ids,
    quantity sizeLimit), so nothing inside them is dropped without a word."""
    pod = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext: {runAsUser: 1000}\n"
        "  volumes: [{name: v, emptyDir: {sizeLimit: 500Mi}}]\n  containers:\n  - name: a\n    image: busybox\n"
        "    lifecycle: {preStop: {exec: {command: [sh, -c, sleep 5]}}}\n    volumeMounts: [{name: v, mountPath: /v}]\n"
    )
    assert cluster.run("kubectl apply -f -", stdin=pod.replace("preStop", "preStp")).output.endswith(
        'strict decoding error: unknown field "spec.containers[0].lifecycle.preStp"'
    )
    assert cluster.run("kubectl apply -f -", stdin=pod.replace("1000", '"1000"')).output.endswith(
        "json: cannot unmarshal string into Go struct field PodSecurityContext.spec.securityContext.runAsUser "
        "of type int64"
    )
    assert cluster.run("kubectl apply -f -", stdin=pod.replace("sizeLimit", "sizeLimt")).output.endswith(
        'unknown field "spec.volumes[0].emptyDir.sizeLimt"'
    )
    assert ok(cluster, "kubectl apply -f -", pod).output == "pod/p created"
