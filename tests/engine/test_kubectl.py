"""kubectl output: name printer, tables, errors, -o yaml/json in the Kubernetes shape, suggestions."""

import json

import yaml

from .conftest import get, ok, web


def test_apply_prints_created_then_unchanged_then_configured(cluster):
    """apply is idempotent: created, unchanged, configured."""
    assert ok(cluster, "kubectl apply -f -", web(2)).output == "deployment.apps/web created"
    assert ok(cluster, "kubectl apply -f -", web(2)).output == "deployment.apps/web unchanged"
    assert ok(cluster, "kubectl apply -f -", web(3)).output == "deployment.apps/web configured"


def test_apply_dry_run_changes_nothing(cluster):
    """--dry-run=server validates and prints, but stores nothing."""
    before = cluster.to_dict()
    out = ok(cluster, "kubectl apply -f - --dry-run=server", web(2)).output
    assert out == "deployment.apps/web created (server dry run)"
    assert cluster.to_dict() == before


def test_diff_shows_the_change(cluster):
    """kubectl diff shows a unified diff of the live and merged object."""
    ok(cluster, "kubectl apply -f -", web(2))
    out = ok(cluster, "kubectl diff -f -", web(5)).output
    assert "-  replicas: 2" in out and "+  replicas: 5" in out


def test_get_pods_prints_the_standard_columns(cluster):
    """get pods has NAME READY STATUS RESTARTS AGE, with three spaces between columns."""
    ok(cluster, "kubectl apply -f -", web(1))
    cluster.advance(12)
    header, row = ok(cluster, "kubectl get pods").output.splitlines()
    assert header.split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert row.split()[1:] == ["1/1", "Running", "0", "12s"]
    assert "READY   STATUS" in header


def test_get_deployments_and_replicasets_match_the_documented_tables(cluster):
    """get deploy and get rs print the columns of the Kubernetes docs example."""
    ok(cluster, "kubectl apply -f -", web(3))
    cluster.advance(18)
    deploy = ok(cluster, "kubectl get deployments").output.splitlines()
    assert deploy[0].split() == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    assert deploy[1].split() == ["web", "3/3", "3", "3", "18s"]
    rs = ok(cluster, "kubectl get rs").output.splitlines()
    assert rs[0].split() == ["NAME", "DESIRED", "CURRENT", "READY", "AGE"]
    assert rs[1].split()[1:] == ["3", "3", "3", "18s"]


def test_not_found_uses_the_qualified_resource_name(cluster):
    """Missing objects give `Error from server (NotFound): deployments.apps "x" not found`."""
    result = cluster.run("kubectl get deployment x")
    assert not result.ok and result.output == 'Error from server (NotFound): deployments.apps "x" not found'
    assert cluster.run("kubectl delete pod x").output == 'Error from server (NotFound): pods "x" not found'


def test_empty_lists_say_no_resources_found(cluster):
    """An empty namespace prints `No resources found in default namespace.`."""
    assert ok(cluster, "kubectl get pods").output == "No resources found in default namespace."


def test_unknown_commands_and_resource_types_get_suggestions(cluster):
    """Typos get kubectl's `Did you mean this?` and the server's unknown resource type error."""
    out = cluster.run("kubectl gett pods").output
    assert (
        out.startswith('error: unknown command "gett" for "kubectl"') and "Did you mean this?\n\tget" in out
    )
    assert cluster.run("kubectl get deploymnt").output == (
        'error: the server doesn\'t have a resource type "deploymnt"'
    )
    assert "Did you mean: kubectl" in cluster.run("kubect get pods").output


def test_output_json_and_yaml_have_the_kubernetes_object_shape(cluster):
    """-o json/yaml give apiVersion, kind, metadata (ownerReferences), spec (nodeName) and status."""
    ok(cluster, "kubectl apply -f -", web(1))
    cluster.advance(12)
    pod = json.loads(ok(cluster, "kubectl get pods -o json").output)["items"][0]
    assert pod["apiVersion"] == "v1" and pod["kind"] == "Pod"
    assert pod["metadata"]["ownerReferences"][0]["kind"] == "ReplicaSet"
    assert pod["spec"]["nodeName"].startswith("worker-")
    assert pod["status"]["phase"] == "Running"
    assert pod["status"]["containerStatuses"][0]["restartCount"] == 0
    assert {c["type"] for c in pod["status"]["conditions"]} >= {"Ready", "PodScheduled", "ContainersReady"}
    name = pod["metadata"]["name"]
    same = yaml.safe_load(ok(cluster, f"kubectl get pod {name} -o yaml").output)
    assert same["metadata"]["uid"] == pod["metadata"]["uid"]


def test_get_with_a_label_selector_filters(cluster):
    """-l app=web keeps only matching objects."""
    ok(cluster, "kubectl apply -f -", web(2))
    ok(cluster, "kubectl create deployment other --image=nginx:1.20")
    names = ok(cluster, "kubectl get pods -l app=web -o name").output.splitlines()
    assert len(names) == 2 and all(n.startswith("pod/web-") for n in names)


def test_create_commands_print_the_name_printer_output(cluster):
    """create deployment / service / secret and run print `<kind>/<name> created`."""
    assert ok(cluster, "kubectl create deployment web --image=nginx:1.20 --replicas=2").output == (
        "deployment.apps/web created"
    )
    assert ok(cluster, "kubectl create service clusterip web --tcp=80:80").output == "service/web created"
    assert ok(cluster, "kubectl create secret generic db --from-literal=password=pw").output == (
        "secret/db created"
    )
    assert ok(cluster, "kubectl run solo --image=nginx:1.20").output == "pod/solo created"
    result = cluster.run("kubectl create deployment web --image=nginx:1.20")
    # create_deployment.go: `failed to create deployment: %v` (the real kubectl v1.37 prints this line)
    assert result.output == 'error: failed to create deployment: deployments.apps "web" already exists'


def test_scale_and_set_image_outputs(cluster):
    """scale and set image print kubectl's messages; an unknown container is an error."""
    ok(cluster, "kubectl apply -f -", web(1))
    assert ok(cluster, "kubectl scale deployment/web --replicas=2").output == "deployment.apps/web scaled"
    assert ok(cluster, "kubectl set image deployment/web nginx=nginx:1.21").output == (
        "deployment.apps/web image updated"
    )
    assert cluster.run("kubectl set image deployment/web app=nginx:1.21").output == (
        'error: unable to find container named "app"'
    )


def test_describe_pod_ends_with_events(cluster):
    """describe pod shows the container state and an Events table with Scheduled and Started."""
    ok(cluster, "kubectl apply -f -", web(1))
    cluster.advance(12)
    name = get(cluster, "pods")[0]["metadata"]["name"]
    out = ok(cluster, f"kubectl describe pod {name}").output
    assert out.startswith(f"Name:             {name}")
    assert "State:          Running" in out and "Events:" in out and "Scheduled" in out and "Started" in out


def test_get_events_lists_the_event_table(cluster):
    """get events prints LAST SEEN TYPE REASON OBJECT MESSAGE."""
    ok(cluster, "kubectl apply -f -", web(1))
    out = ok(cluster, "kubectl get events").output.splitlines()
    assert out[0].split() == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    assert any("ScalingReplicaSet" in line for line in out)


def test_logs_show_the_container_output(cluster):
    """logs of an nginx pod show its start-up lines; logs of a waiting container are a BadRequest."""
    ok(cluster, "kubectl apply -f -", web(1))
    name = get(cluster, "pods")[0]["metadata"]["name"]
    assert "is waiting to start" in cluster.run(f"kubectl logs {name}").output
    cluster.advance(12)
    assert "start worker processes" in ok(cluster, f"kubectl logs {name}").output


def test_exec_shell_writes_and_reads_files(cluster):
    """exec runs a small shell: echo into a file, cat it back, ls, hostname; unknown commands exit 127."""
    ok(cluster, "kubectl run box --image=busybox:1.36 -- sleep 3600")
    cluster.advance(10)
    ok(cluster, 'kubectl exec box -- sh -c "echo hello > /tmp/greeting"')
    assert ok(cluster, "kubectl exec box -- cat /tmp/greeting").output == "hello"
    assert "greeting" in ok(cluster, "kubectl exec box -- ls /tmp").output
    assert ok(cluster, "kubectl exec box -- hostname").output == "box"
    result = cluster.run("kubectl exec box -- frobnicate")
    # The CRI execs argv directly (no shell): containerd's words, not sh's `not found` / exit 127.
    assert not result.ok and 'exec: "frobnicate": executable file not found in $PATH' in result.output
    result = cluster.run("kubectl exec box -- sh -c frobnicate")
    assert not result.ok and result.output.endswith("command terminated with exit code 127")


def test_yaml_output_double_quotes_ambiguous_strings_like_kubectl(cluster):
    """-o yaml quotes timestamps and numeric-looking strings with double quotes."""
    ok(cluster, "kubectl apply -f -", web(1))
    out = ok(cluster, "kubectl get deployment web -o yaml").output
    assert 'creationTimestamp: "2025-03-03T09:00:00Z"' in out
    assert 'deployment.kubernetes.io/revision: "1"' in out


def test_apply_over_an_imperatively_created_object_warns(cluster):
    """apply on an object made by `kubectl create` prints the missing last-applied-configuration warning."""
    ok(cluster, "kubectl create deployment web --image=nginx:1.20")
    out = ok(cluster, "kubectl apply -f -", web(1)).output.splitlines()
    assert out[0].startswith("Warning: resource deployments/web is missing the kubectl.kubernetes.io/")
    assert out[1] == "deployment.apps/web configured"


def test_read_only_exec_commands_change_nothing(cluster):
    """exec cat/ls/env/printenv/nslookup leave the cluster (and its version) untouched."""
    ok(cluster, "kubectl run box --image=busybox:1.36 -- sleep 3600")
    cluster.advance(10)
    before, version = cluster.to_dict(), cluster.version
    for command in (
        "cat /etc/hostname",
        "ls /",
        "env",
        "printenv HOSTNAME",
        "nslookup kubernetes",
        "cat /nope",
    ):
        cluster.run(f"kubectl exec box -- {command}")
    assert cluster.to_dict() == before and cluster.version == version
