"""kubectl apply and friends: the pure merge functions, flags (-n, -o, --dry-run, --validate), subcommands,
and `kubectl set|scale` output. The real-kubectl comparisons are in test_apply_oracle.py."""

import json

import yaml

from visualizer.engine.kubectl.apply import go_json, last_applied_configuration, strategic_merge
from visualizer.engine.kubectl.apply_command import drop_paths

from .conftest import SERVICE, deployment, ok, web

LAST = "kubectl.kubernetes.io/last-applied-configuration"


def test_go_json_escapes_html_and_prints_integral_floats_as_integers():
    """Go's encoding/json: sorted keys, \\u0026 for &, 1.0 → 1, UTF-8 kept."""
    assert (
        go_json({"b": "a && b <c>", "a": 1.0, "k": "안녕"})
        == '{"a":1,"b":"a \\u0026\\u0026 b \\u003cc\\u003e","k":"안녕"}'
    )


def test_last_applied_drops_its_own_annotation_and_keeps_others():
    """A submitted last-applied annotation is removed; other annotations stay."""
    obj = {"kind": "ConfigMap", "metadata": {"name": "x", "annotations": {LAST: "old", "team": "a"}}}
    assert (
        last_applied_configuration(obj)
        == '{"kind":"ConfigMap","metadata":{"annotations":{"team":"a"},"name":"x"}}\n'
    )


def test_strategic_merge_deletes_orders_and_retains_keys():
    """null deletes, $patch: delete removes an element, $setElementOrder orders, $retainKeys clears."""
    live = {
        "kind": "Deployment",
        "spec": {
            "replicas": 3,
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%"}},
            "template": {
                "spec": {"containers": [{"name": "a", "image": "x", "env": [{"name": "E", "value": "1"}]}]}
            },
        },
    }
    patch = {
        "spec": {
            "replicas": None,
            "strategy": {"$retainKeys": ["type"], "type": "Recreate"},
            "template": {
                "spec": {
                    "$setElementOrder/containers": [{"name": "b"}, {"name": "a"}],
                    "containers": [
                        {"name": "b", "image": "y"},
                        {"name": "a", "env": [{"$patch": "delete", "name": "E"}]},
                    ],
                }
            },
        }
    }
    merged = strategic_merge(live, patch)
    assert "replicas" not in merged["spec"]
    assert merged["spec"]["strategy"] == {"type": "Recreate"}
    assert merged["spec"]["template"]["spec"]["containers"] == [
        {"name": "b", "image": "y"},
        {"name": "a", "image": "x", "env": []},
    ]
    assert live["spec"]["replicas"] == 3  # the input is not modified


def test_drop_paths_handles_indices_and_lists():
    """Unknown-field paths with or without list indices are dropped."""
    obj = {"spec": {"replica": 1, "containers": [{"name": "a", "bad": 1}, {"name": "b", "bad": 2}]}}
    assert drop_paths(obj, ["spec.replica", "spec.containers[1].bad"]) == {
        "spec": {"containers": [{"name": "a", "bad": 1}, {"name": "b"}]}
    }
    assert drop_paths(obj, ["spec.containers.bad"])["spec"]["containers"] == [{"name": "a"}, {"name": "b"}]


def test_namespace_flag_fills_the_namespace_and_refuses_a_different_one(cluster):
    """`-n` applies into that namespace; a file naming another namespace is refused with kubectl's words."""
    ok(cluster, "kubectl create namespace dev")
    assert ok(cluster, "kubectl apply -n dev -f -", web(1)).output == "deployment.apps/web created"
    assert (
        json.loads(ok(cluster, "kubectl get deploy web -n dev -o json").output)["metadata"]["namespace"]
        == "dev"
    )
    other = web(1).replace("name: web\n", "name: web\n  namespace: default\n", 1)
    result = cluster.run("kubectl apply -n dev -f -", stdin=other)
    assert result.output == (
        'error: the namespace from the provided object "default" does not match the namespace "dev". You must '
        "pass '--namespace=default' to perform this operation."
    )


def test_output_formats_of_apply(cluster):
    """-o name prints kind/name only; -o json of two objects prints a List of the stored objects."""
    both = web(1) + "---\n" + SERVICE
    assert ok(cluster, "kubectl apply -f - -o name", both).output == "deployment.apps/web\nservice/web"
    data = json.loads(ok(cluster, "kubectl apply -f - -o json", web(2) + "---\n" + SERVICE).output)
    assert data["kind"] == "List" and [i["kind"] for i in data["items"]] == ["Deployment", "Service"]
    assert data["items"][0]["spec"]["replicas"] == 2
    assert cluster.run("kubectl apply -f - -o wide", web(1)).output.startswith(
        "error: unable to match a printer"
    )


def test_refused_flags_and_subcommands(cluster):
    """Bad --validate / --dry-run values, --server-side, -k and edit-last-applied are refused clearly."""
    assert cluster.run("kubectl apply -f - --validate=foo", web(1)).output == (
        'error: invalid - validate option "foo"; must be one of: strict (or true), warn, ignore (or false)'
    )
    assert cluster.run("kubectl apply -f - --dry-run=maybe", web(1)).output == (
        'error: Invalid dry-run value (maybe). Must be "none", "server", or "client".'
    )
    assert "--server-side" in cluster.run("kubectl apply --server-side -f -", web(1)).output
    assert (
        cluster.run("kubectl apply -k . -f -", web(1)).output
        == "error: only one of -f or -k can be specified"
    )
    assert "interactive editor" in cluster.run("kubectl apply edit-last-applied deployment/web").output
    assert cluster.run("kubectl get deployments").output == "No resources found in default namespace."


def test_view_and_set_last_applied(cluster):
    """view-last-applied prints the annotation as YAML; set-last-applied needs the annotation or
    --create-annotation."""
    ok(cluster, "kubectl apply -f -", web(2))
    view = yaml.safe_load(ok(cluster, "kubectl apply view-last-applied deployment/web").output)
    assert view["spec"]["replicas"] == 2 and view["metadata"]["annotations"] == {}
    ok(cluster, "kubectl create deployment plain --image=nginx:1.20")
    assert cluster.run("kubectl apply view-last-applied deployment/plain").output == (
        "error: no last-applied-configuration annotation found on resource: plain"
    )
    plain = web(1).replace("name: web", "name: plain").replace("app: web", "app: plain")
    assert "--create-annotation" in cluster.run("kubectl apply set-last-applied -f -", stdin=plain).output
    assert ok(cluster, "kubectl apply set-last-applied -f - --create-annotation", plain).output == (
        "deployment.apps/plain configured"
    )
    assert (
        json.loads(
            json.loads(ok(cluster, "kubectl get deploy plain -o json").output)["metadata"]["annotations"][
                LAST
            ]
        )["spec"]["replicas"]
        == 1
    )


def test_diff_shows_what_apply_would_change(cluster):
    """After `kubectl scale`, diff of the same file (no replicas change in it) shows no replicas line."""
    manifest = web(2).replace("  replicas: 2\n", "")
    ok(cluster, "kubectl apply -f -", manifest)
    ok(cluster, "kubectl scale deployment/web --replicas=3")
    assert ok(cluster, "kubectl diff -f -", manifest).output == ""
    out = ok(cluster, "kubectl diff -f -", manifest.replace("nginx:1.20", "nginx:1.21")).output
    assert "-      - image: nginx:1.20" in out and "+      - image: nginx:1.21" in out
    assert "replicas" not in out


def test_set_env_resources_and_image_outputs(cluster):
    """set env/resources print kubectl's words; an unchanged set prints nothing; -o yaml prints the object."""
    ok(cluster, "kubectl apply -f -", web(1))
    assert ok(cluster, "kubectl set env deployment/web MODE=prod").output == "deployment.apps/web env updated"
    ctr = deployment(cluster)["spec"]["template"]["spec"]["containers"][0]
    assert ctr["env"] == [{"name": "MODE", "value": "prod"}]
    assert ok(cluster, "kubectl set env deployment/web MODE-").output == "deployment.apps/web env updated"
    assert "env" not in deployment(cluster)["spec"]["template"]["spec"]["containers"][0]
    assert ok(cluster, "kubectl set resources deployment/web --limits=cpu=200m,memory=512Mi").output == (
        "deployment.apps/web resource requirements updated"
    )
    res = deployment(cluster)["spec"]["template"]["spec"]["containers"][0]["resources"]
    assert res["limits"] == {"cpu": "200m", "memory": "512Mi"}
    assert cluster.run("kubectl set resources deployment/web --limits=cpu=abc").output.startswith(
        "error: quantities must match the regular expression"
    )
    assert ok(cluster, "kubectl set image deployment/web nginx=nginx:1.20").output == ""
    printed = yaml.safe_load(ok(cluster, "kubectl set image deployment/web nginx=nginx:1.21 -o yaml").output)
    assert printed["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.21"
    scaled = yaml.safe_load(ok(cluster, "kubectl scale deployment/web --replicas=2 -o yaml").output)
    assert scaled["spec"]["replicas"] == 2 == deployment(cluster)["spec"]["replicas"]
