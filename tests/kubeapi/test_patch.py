"""The patch types and field ownership as pure functions: strategic merge patch (strategies from the OpenAPI
schemas), RFC 7386 merge patch, RFC 6902 JSON patch, managedFields and server-side apply.

Expected values follow apimachinery pkg/util/strategicpatch (patch_test.go cases), RFC 7386 §3 / Appendix A,
RFC 6902 and sigs.k8s.io/structured-merge-diff (conflict and ownership rules)."""

from __future__ import annotations

import json

import pytest

from tests.engine.world.examples import NGINX_DEPLOYMENT
from visualizer.engine.kubectl.apply import three_way_merge_patch, with_last_applied
from visualizer.engine.yaml_input import load_documents
from visualizer.kubeapi import managed_fields as mf
from visualizer.kubeapi.patch import (
    PatchError,
    apply_json_patch,
    apply_merge_patch,
    apply_strategic,
    merge_patch,
)
from visualizer.kubeapi.patch_schema import root, unknown_fields

DEPLOY = root("apps/v1", "Deployment")
POD = root("v1", "Pod")


def smp(obj: dict, patch: dict, node=DEPLOY) -> dict:
    return apply_strategic(obj, json.dumps(patch).encode(), node)


def nginx() -> dict:
    return load_documents(NGINX_DEPLOYMENT)[0]


# ---------------------------------------------------------------------------------------------- schema
def test_merge_rules_come_from_the_openapi_schema():
    spec = DEPLOY.child("spec").child("template").child("spec")
    containers = spec.child("containers")
    assert (containers.merge_key, containers.strategy, containers.list_type, containers.keys) == (
        "name",
        "merge",
        "map",
        ("name",),
    )
    ports = containers.element().child("ports")
    assert (ports.merge_key, ports.keys) == ("containerPort", ("containerPort", "protocol"))
    assert spec.child("tolerations").merge_key is None
    assert spec.child("volumes").strategy == "merge,retainKeys"
    assert DEPLOY.child("spec").child("strategy").strategy == "retainKeys"
    assert DEPLOY.child("spec").child("selector").atomic
    assert root("v1", "Service").child("spec").child("ports").merge_key == "port"
    assert root("v1", "Node").child("spec").child("taints").list_type == "atomic"
    assert root("v1", "NoSuchKind").shape == "any"


def test_unknown_fields_in_both_spellings():
    obj = nginx()
    obj["spec"]["replica"] = 2
    obj["spec"]["template"]["spec"]["containers"][0]["imagee"] = "x"
    # in document order: `replica` was added after `template`
    assert [p for p, _, _ in unknown_fields(obj, DEPLOY)] == [
        "spec.template.spec.containers[0].imagee",
        "spec.replica",
    ]
    assert [p for p, _, _ in unknown_fields(obj, DEPLOY, smd=True)] == [
        '.spec.template.spec.containers[name="nginx"].imagee',
        ".spec.replica",
    ]


# ---------------------------------------------------------------------------------------------- strategic
def test_containers_merge_by_name_and_set_element_order_orders_them():
    obj = nginx()
    obj["spec"]["template"]["spec"]["containers"].append({"name": "side", "image": "busybox"})
    patch = {
        "spec": {
            "template": {
                "spec": {
                    "$setElementOrder/containers": [{"name": "side"}, {"name": "nginx"}],
                    "containers": [{"name": "nginx", "image": "nginx:1.26"}],
                }
            }
        }
    }
    out = smp(obj, patch)["spec"]["template"]["spec"]["containers"]
    assert out == [
        {"name": "side", "image": "busybox"},
        {"name": "nginx", "image": "nginx:1.26", "ports": [{"containerPort": 80}]},
    ]


def test_delete_directive_null_and_new_elements():
    obj = nginx()
    patch = {
        "metadata": {"labels": None},
        "spec": {
            "replicas": None,
            "template": {
                "spec": {
                    "containers": [
                        {"name": "nginx", "$patch": "delete"},
                        {"name": "new", "image": "redis", "env": [{"name": "A", "value": "1"}]},
                    ]
                }
            },
        },
    }
    out = smp(obj, patch)
    assert "labels" not in out["metadata"]
    assert "replicas" not in out["spec"]
    assert out["spec"]["template"]["spec"]["containers"] == [
        {"name": "new", "image": "redis", "env": [{"name": "A", "value": "1"}]}
    ]


def test_ports_merge_by_container_port_env_by_name():
    obj = nginx()
    c = obj["spec"]["template"]["spec"]["containers"][0]
    c["env"] = [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]
    patch = {
        "spec": {
            "template": {
                "spec": {
                    "containers": [
                        {
                            "name": "nginx",
                            "ports": [{"containerPort": 443}],
                            "env": [{"name": "B", "value": "3"}],
                        }
                    ]
                }
            }
        }
    }
    out = smp(obj, patch)["spec"]["template"]["spec"]["containers"][0]
    assert out["ports"] == [{"containerPort": 80}, {"containerPort": 443}]
    assert out["env"] == [{"name": "A", "value": "1"}, {"name": "B", "value": "3"}]


def test_tolerations_are_replaced_whole_and_args_too():
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {
            "tolerations": [{"key": "a", "operator": "Exists"}],
            "containers": [{"name": "c", "image": "busybox", "args": ["sleep", "1"]}],
        },
    }
    patch = {
        "spec": {
            "tolerations": [{"key": "b", "operator": "Exists"}],
            "containers": [{"name": "c", "args": ["sleep", "2"]}],
        }
    }
    out = smp(pod, patch, POD)
    assert out["spec"]["tolerations"] == [{"key": "b", "operator": "Exists"}]
    assert out["spec"]["containers"][0]["args"] == ["sleep", "2"]


def test_retain_keys_drops_rolling_update_when_switching_to_recreate():
    obj = nginx()
    obj["spec"]["strategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}
    patch = {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}
    assert smp(obj, patch)["spec"]["strategy"] == {"type": "Recreate"}
    with pytest.raises(PatchError) as exc:
        smp(obj, {"spec": {"strategy": {"$retainKeys": ["type"], "rollingUpdate": {}}}})
    assert (exc.value.code, exc.value.message) == (422, "patch content doesn't match retainKeys list")


def test_replace_directive_on_a_map_and_primitive_list_deletion():
    obj = nginx()
    obj["metadata"]["finalizers"] = ["a", "b"]
    out = smp(obj, {"metadata": {"labels": {"$patch": "replace", "x": "y"}, "finalizers": ["c", "a"]}})
    assert out["metadata"]["labels"] == {"x": "y"}
    assert out["metadata"]["finalizers"] == ["a", "b", "c"]  # a set: unioned
    out = smp(obj, {"metadata": {"$deleteFromPrimitiveList/finalizers": ["a"]}})
    assert out["metadata"]["finalizers"] == ["b"]


def test_the_client_side_apply_patch_round_trips_through_the_server():
    """The patch the engine's client-side apply computes (kubectl's three-way merge) leaves exactly the new file
    when applied here, including a removed field (`replicas: null`) and a changed image."""
    live = with_last_applied(nginx())
    new = nginx()
    del new["spec"]["replicas"]
    new["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.25"
    modified = with_last_applied(new)
    patch = three_way_merge_patch(json.loads(live["metadata"]["annotations"][mf_key()]), modified, live)
    assert patch["spec"]["replicas"] is None
    assert smp(live, patch) == modified


def mf_key() -> str:
    from visualizer.engine.kubectl.apply import LAST_APPLIED

    return LAST_APPLIED


def test_strategic_bodies_that_are_not_objects_are_bad_requests():
    with pytest.raises(PatchError) as exc:
        apply_strategic(nginx(), b"[1]", DEPLOY)
    assert exc.value.code == 400
    assert exc.value.message == "json: cannot unmarshal array into Go value of type map[string]interface {}"
    with pytest.raises(PatchError) as exc:
        apply_strategic(nginx(), b"{x", DEPLOY)
    assert exc.value.code == 400
    with pytest.raises(PatchError) as exc:
        apply_strategic(nginx(), b"", DEPLOY)
    assert exc.value.message == "unexpected end of JSON input"


# ---------------------------------------------------------------------------------------------- merge patch
@pytest.mark.parametrize(
    "target, patch, result",
    [  # RFC 7386 Appendix A
        ({"a": "b"}, {"a": "c"}, {"a": "c"}),
        ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
        ({"a": "b"}, {"a": None}, {}),
        ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
        ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
        ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
        ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
        ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
        ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
        ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
    ],
)
def test_merge_patch_rfc7386(target, patch, result):
    assert merge_patch(target, patch) == result


def test_merge_patch_body_must_be_an_object():
    with pytest.raises(PatchError) as exc:
        apply_merge_patch({}, b'"x"')
    assert exc.value.message == "json: cannot unmarshal string into Go value of type map[string]interface {}"


# ---------------------------------------------------------------------------------------------- JSON patch
def test_json_patch_replaces_and_refuses_what_does_not_apply():
    obj = nginx()
    ops = [
        {"op": "replace", "path": "/spec/replicas", "value": 5},
        {"op": "test", "path": "/kind", "value": "Deployment"},
    ]
    assert apply_json_patch(obj, json.dumps(ops).encode())["spec"]["replicas"] == 5
    assert obj["spec"]["replicas"] == 3  # the input is not modified
    with pytest.raises(PatchError) as exc:
        apply_json_patch(obj, b'[{"op":"remove","path":"/spec/nothing"}]')
    assert exc.value.code == 422
    with pytest.raises(PatchError) as exc:
        apply_json_patch(obj, b'[{"op":"test","path":"/spec/replicas","value":9}]')
    assert exc.value.code == 422
    assert exc.value.message == "the server rejected our request due to an error in our request"
    with pytest.raises(PatchError) as exc:
        apply_json_patch(obj, b'{"op":"replace"}')
    assert (exc.value.code, exc.value.message) == (
        400,
        "json: cannot unmarshal object into Go value of type jsonpatch.Patch",
    )
    with pytest.raises(PatchError) as exc:
        apply_json_patch(obj, b'[{"op":"jump","path":"/a"}]')
    assert exc.value.code == 422
    with pytest.raises(PatchError) as exc:
        apply_json_patch(obj, b"invalid json patch")
    assert (exc.value.code, exc.value.message) == (
        400,
        "invalid character 'i' looking for beginning of value",
    )


# ---------------------------------------------------------------------------------------------- field sets
def test_field_set_of_a_deployment_and_its_fields_v1():
    obj = nginx()
    paths = set(mf.field_values(obj, DEPLOY))
    assert ("f:spec", "f:replicas") in paths
    assert ("f:metadata", "f:labels", "f:app") in paths
    assert ("f:metadata", "f:name") not in paths  # stripped: only the server sets identity
    assert ("f:spec", "f:selector") in paths and (
        "f:spec",
        "f:selector",
        "f:matchLabels",
    ) not in paths  # atomic
    element = ("f:spec", "f:template", "f:spec", "f:containers", 'k:{"name":"nginx"}')
    assert element in paths
    assert element + ("f:ports", 'k:{"containerPort":80,"protocol":"TCP"}', "f:containerPort") in paths
    tree = mf.to_fields_v1(paths)
    assert tree["f:spec"]["f:template"]["f:spec"]["f:containers"]['k:{"name":"nginx"}']["."] == {}
    assert list(tree["f:spec"]) == sorted(tree["f:spec"])
    assert mf.from_fields_v1(tree) == paths
    assert mf.path_string(element + ("f:image",)) == '.spec.template.spec.containers[name="nginx"].image'


def test_an_update_takes_the_fields_it_changes_from_other_managers():
    obj = nginx()
    mf.on_update(None, obj, "kubectl-create", "apps/v1", "T0")
    new = json.loads(json.dumps(obj))
    new["spec"]["replicas"] = 5
    mf.on_update(obj, new, "kubectl", "apps/v1", "T1", subresource="scale")
    entries = {e["manager"]: e for e in new["metadata"]["managedFields"]}
    assert "f:replicas" not in entries["kubectl-create"]["fieldsV1"]["f:spec"]
    assert entries["kubectl"]["fieldsV1"] == {"f:spec": {"f:replicas": {}}}
    assert (entries["kubectl"]["subresource"], entries["kubectl"]["time"]) == ("scale", "T1")


def test_apply_conflicts_shares_forces_and_prunes():
    live = nginx()
    mf.on_update(None, live, "kubectl-client-side-apply", "apps/v1", "T0")
    config = nginx()
    # the same values: shared ownership, no conflict
    merged, managed = mf.apply(live, config, "kubectl", "apps/v1", "T1", False, DEPLOY)
    assert [(e["manager"], e["operation"]) for e in managed] == [
        ("kubectl", "Apply"),
        ("kubectl-client-side-apply", "Update"),
    ]
    config["spec"]["replicas"] = 4
    config["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.26"
    with pytest.raises(mf.Conflicts) as exc:
        mf.apply(live, config, "kubectl", "apps/v1", "T1", False, DEPLOY)
    assert exc.value.message == (
        'Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using apps/v1:\n'
        "- .spec.replicas\n"
        '- .spec.template.spec.containers[name="nginx"].image'
    )
    assert exc.value.causes[0] == {
        "reason": "FieldManagerConflict",
        "message": 'conflict with "kubectl-client-side-apply" using apps/v1',
        "field": ".spec.replicas",
    }
    merged, managed = mf.apply(live, config, "kubectl", "apps/v1", "T1", True, DEPLOY)
    assert merged["spec"]["replicas"] == 4
    other = next(e for e in managed if e["manager"] == "kubectl-client-side-apply")
    assert "f:replicas" not in other["fieldsV1"]["f:spec"]
    # applying again without replicas: the applier owned it alone, so it is removed from the object
    merged["metadata"]["managedFields"] = managed
    smaller = json.loads(json.dumps(config))
    del smaller["spec"]["replicas"]
    again, _ = mf.apply(merged, smaller, "kubectl", "apps/v1", "T2", False, DEPLOY)
    assert "replicas" not in again["spec"]
    # a field another manager still owns stays
    assert again["spec"]["template"]["spec"]["containers"][0]["ports"] == [{"containerPort": 80}]


def test_single_conflict_message():
    live = nginx()
    mf.on_update(None, live, "kubectl-create", "apps/v1", "T0")
    config = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "x"},
        "spec": {"replicas": 1},
    }
    with pytest.raises(mf.Conflicts) as exc:
        mf.apply(live, config, "mine", "apps/v1", "T1", False, DEPLOY)
    assert exc.value.message == (
        'Apply failed with 1 conflict: conflict with "kubectl-create" using apps/v1: .spec.replicas'
    )
