"""Real-world kubectl command lines from kubernetes.io pages, with the output a real cluster prints.

Commands are written as the cited page writes them (one line instead of `\\` continuations; a shell variable
such as `$POD_NAME` replaced by the name it holds). Where a page relies on a kind the engine does not serve
yet, the case says so.
"""

import json

import pytest

from tests.engine.world.conftest import get, ok, pods, running_ready  # noqa: F401
from tests.engine.world.examples import APPLICATION_DEPLOYMENT, MYAPP_POD, SHELL_DEMO


def _names(c, what="pods"):
    return sorted(o["metadata"]["name"] for o in get(c, what))


@pytest.mark.cites("https://kubernetes.io/docs/reference/kubectl/quick-reference/")
def test_cheat_sheet_field_selector_lists_only_running_pods(cluster):
    """`kubectl get pods --field-selector=status.phase=Running` lists running pods, not a Pending one."""
    ok(cluster, "kubectl create deployment nginx --image=nginx")
    # A pod that asks for more CPU than any node has stays Pending.
    ok(
        cluster,
        "kubectl apply -f -",
        stdin="apiVersion: v1\nkind: Pod\nmetadata: {name: big}\nspec:\n  containers:\n  - name: c\n"
        "    image: nginx\n    resources: {requests: {cpu: '64'}}\n",
    )
    cluster.advance(30)
    running = ok(cluster, "kubectl get pods --field-selector=status.phase=Running -o name").output.split("\n")
    assert len(running) == 1 and running[0].startswith("pod/nginx-")
    pending = ok(cluster, "kubectl get pods --field-selector=status.phase=Pending -o name").output
    assert pending == "pod/big"


@pytest.mark.cites("https://kubernetes.io/docs/reference/kubectl/quick-reference/")
def test_cheat_sheet_label_and_annotate_a_pod(cluster):
    """`kubectl label pods my-pod new-label=awesome` and `kubectl annotate pods my-pod icon-url=…` print kubectl's words."""
    ok(cluster, "kubectl run my-pod --image=nginx")
    assert ok(cluster, "kubectl label pods my-pod new-label=awesome").output == "pod/my-pod labeled"
    assert (
        ok(cluster, "kubectl annotate pods my-pod icon-url=http://goo.gl/XXBTWq").output
        == "pod/my-pod annotated"
    )
    again = cluster.run("kubectl label pods my-pod new-label=boring")
    assert not again.ok
    assert again.output == "error: 'new-label' already has a value (awesome), and --overwrite is false"
    assert ok(cluster, "kubectl label pods my-pod new-label=awesome").output == "pod/my-pod not labeled"
    template = "{.metadata.annotations.icon-url}"
    assert ok(cluster, f"kubectl get pod my-pod -o jsonpath='{template}'").output == "http://goo.gl/XXBTWq"
    assert ok(cluster, "kubectl label pods my-pod new-label-").output == "pod/my-pod unlabeled"


@pytest.mark.cites("https://kubernetes.io/docs/reference/kubectl/quick-reference/")
def test_cheat_sheet_jsonpath_label_values_of_selected_pods(cluster):
    """`kubectl get pods --selector=app=cassandra -o jsonpath='{.items[*].metadata.labels.version}'`."""
    ok(cluster, "kubectl run cassandra-a --image=nginx --labels=app=cassandra,version=v1")
    ok(cluster, "kubectl run cassandra-b --image=nginx --labels=app=cassandra,version=v2")
    ok(cluster, "kubectl run other --image=nginx --labels=app=web,version=v9")
    out = ok(
        cluster, "kubectl get pods --selector=app=cassandra -o jsonpath='{.items[*].metadata.labels.version}'"
    )
    assert out.output == "v1 v2"


@pytest.mark.cites("https://kubernetes.io/docs/reference/kubectl/quick-reference/")
def test_cheat_sheet_create_job_and_cronjob_generate_batch_objects(cluster):
    """`kubectl create job hello --image=busybox:1.28 -- echo "Hello World"` (and the cronjob line) build batch/v1 objects.

    Printed with `--dry-run=client -o yaml` added: Job and CronJob are stored once the workloads kinds land.
    """
    job = ok(
        cluster,
        'kubectl create job hello --image=busybox:1.28 --dry-run=client -o yaml -- echo "Hello World"',
    )
    assert job.output.splitlines()[:3] == ["apiVersion: batch/v1", "kind: Job", "metadata:"]
    assert "      - command:\n        - echo\n        - Hello World\n" in job.output
    assert "      restartPolicy: Never" in job.output
    cron = ok(
        cluster,
        'kubectl create cronjob hello --image=busybox:1.28 --schedule="*/1 * * * *" --dry-run=client -o yaml '
        '-- echo "Hello World"',
    )
    assert "  schedule: '*/1 * * * *'" in cron.output
    assert "          restartPolicy: OnFailure" in cron.output


@pytest.mark.cites("https://kubernetes.io/docs/reference/kubectl/jsonpath/")
def test_jsonpath_range_prints_name_tab_start_time_lines(cluster):
    """`kubectl get pods -o=jsonpath='{range .items[*]}{.metadata.name}{"\\t"}{.status.startTime}{"\\n"}{end}'`."""
    ok(cluster, "kubectl run a --image=nginx")
    ok(cluster, "kubectl run b --image=nginx")
    cluster.advance(20)
    out = ok(
        cluster,
        """kubectl get pods -o=jsonpath='{range .items[*]}{.metadata.name}{"\\t"}{.status.startTime}{"\\n"}{end}'""",
    ).output
    assert out == "a\t2025-03-03T09:00:00Z\nb\t2025-03-03T09:00:00Z\n"
    first = ok(cluster, "kubectl get pods -o=jsonpath='{.items[0].metadata.name}'").output
    assert first == "a"
    hostnames = ok(
        cluster, "kubectl get nodes -o=jsonpath='{.items[0].metadata.labels.kubernetes\\.io/hostname}'"
    )
    assert hostnames.output == "control-plane"


@pytest.mark.cites("https://kubernetes.io/docs/reference/kubectl/jsonpath/")
def test_jsonpath_union_and_filter_on_nodes(cluster):
    """A union prints every member's values in turn; a filter picks the InternalIP address."""
    union = ok(
        cluster, "kubectl get nodes -o=jsonpath=\"{.items[*]['metadata.name', 'status.capacity.cpu']}\""
    )
    names = _names(cluster, "nodes")
    assert union.output.split(" ")[: len(names)] == names
    ips = ok(
        cluster,
        """kubectl get nodes -o jsonpath='{.items[*].status.addresses[?(@.type=="InternalIP")].address}'""",
    ).output.split(" ")
    assert len(ips) == len(names) and all(ip.startswith("192.168.") for ip in ips)


@pytest.mark.cites("https://kubernetes.io/docs/tasks/run-application/run-stateless-application-deployment/")
def test_describe_deployment_prints_kubectls_sections_without_glued_columns(cluster):
    """`kubectl describe deployment nginx-deployment`: aligned fields, the Pod Template and its container."""
    ok(cluster, "kubectl apply -f -", stdin=APPLICATION_DEPLOYMENT)
    cluster.advance(60)
    out = ok(cluster, "kubectl describe deployment nginx-deployment").output
    lines = out.split("\n")
    assert lines[0] == "Name:                   nginx-deployment"
    assert "Selector:               app=nginx" in lines
    assert "StrategyType:           RollingUpdate" in lines
    assert "RollingUpdateStrategy:  25% max unavailable, 25% max surge" in lines
    i = lines.index("Pod Template:")
    assert lines[i + 1 : i + 4] == ["  Labels:  app=nginx", "  Containers:", "   nginx:"]
    assert lines[i + 4].split() == ["Image:", "nginx:1.14.2"] and lines[i + 5].split() == ["Port:", "80/TCP"]
    assert lines[i + 4].index("nginx:1.14.2") == lines[i + 5].index("80/TCP")
    assert "  Type           Status  Reason" in lines
    assert any(line.startswith("NewReplicaSet:   nginx-deployment-") for line in lines)
    pods_out = ok(cluster, "kubectl get pods -l app=nginx -o name").output.split("\n")
    assert len(pods_out) == 2


@pytest.mark.cites("https://kubernetes.io/docs/tutorials/kubernetes-basics/expose/expose-intro/")
def test_expose_intro_nodeport_service_label_and_delete_by_label(cluster):
    """The tutorial's expose, describe, label and `delete service -l` steps print what kubectl prints."""
    ok(
        cluster,
        "kubectl create deployment kubernetes-bootcamp --image=gcr.io/google-samples/kubernetes-bootcamp:v1",
    )
    out = ok(cluster, 'kubectl expose deployment/kubernetes-bootcamp --type="NodePort" --port 8080').output
    assert out == "service/kubernetes-bootcamp exposed"
    described = ok(cluster, "kubectl describe services/kubernetes-bootcamp").output.split("\n")
    assert "Type:                     NodePort" in described
    assert "Port:                     <unset>  8080/TCP" in described
    assert "TargetPort:               8080/TCP" in described
    node_port = next(line for line in described if line.startswith("NodePort:"))
    assert node_port.split()[1] == "<unset>" and node_port.endswith("/TCP")
    pod = pods(cluster, "kubernetes-bootcamp")[0]["metadata"]["name"]
    assert ok(cluster, f'kubectl label pods "{pod}" version=v1').output == f"pod/{pod} labeled"
    assert ok(cluster, "kubectl get pods -l version=v1 -o name").output == f"pod/{pod}"
    deleted = ok(cluster, "kubectl delete service -l app=kubernetes-bootcamp").output
    assert deleted.startswith('service "kubernetes-bootcamp" deleted')


@pytest.mark.cites("https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/")
def test_labels_page_equality_and_set_based_selectors_and_label_columns(cluster):
    """`-l environment=production,tier=frontend`, the set-based form, `label pods -l … tier=fe` and `-L tier`."""
    ok(cluster, "kubectl run front --image=nginx --labels=environment=production,tier=frontend,app=nginx")
    ok(cluster, "kubectl run back --image=nginx --labels=environment=production,tier=backend,app=nginx")
    ok(cluster, "kubectl run qa --image=nginx --labels=environment=qa,tier=frontend")
    eq = ok(cluster, "kubectl get pods -l environment=production,tier=frontend -o name").output
    assert eq == "pod/front"
    sets = ok(cluster, "kubectl get pods -l 'environment in (production),tier in (frontend)' -o name").output
    assert sets == "pod/front"
    labeled = ok(cluster, "kubectl label pods -l app=nginx tier=fe --overwrite").output
    assert labeled == "pod/back labeled\npod/front labeled"
    table = ok(cluster, "kubectl get pods -l app=nginx -L tier").output.split("\n")
    assert table[0].split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "TIER"]
    assert [row.split()[-1] for row in table[1:]] == ["fe", "fe"]


@pytest.mark.cites("https://kubernetes.io/docs/concepts/overview/working-with-objects/field-selectors/")
def test_field_selectors_page_namespace_and_unsupported_field(cluster):
    """`--all-namespaces --field-selector metadata.namespace!=default` and an unsupported field's 400."""
    ok(cluster, "kubectl create namespace monitoring")
    ok(cluster, "kubectl create service clusterip prometheus -n monitoring --tcp=9090")
    out = ok(
        cluster, "kubectl get services --all-namespaces --field-selector metadata.namespace!=default"
    ).output
    rows = [row.split()[:2] for row in out.split("\n")[1:]]
    assert rows == [["kube-system", "kube-dns"], ["monitoring", "prometheus"]]  # kubeadm's DNS Service too
    everything = ok(cluster, "kubectl get services --all-namespaces -o name").output.split("\n")
    assert everything == ["service/kubernetes", "service/kube-dns", "service/prometheus"]
    bad = cluster.run("kubectl get pods --field-selector foo.bar=baz")
    assert bad.output == (
        'Error from server (BadRequest): Unable to find "/v1, Resource=pods" that match label selector "", '
        'field selector "foo.bar=baz": field label not supported: foo.bar'
    )
    deploy = cluster.run("kubectl get deployments --field-selector foo.bar=baz")
    assert deploy.output.endswith(
        '"foo.bar" is not a known field selector: only "metadata.name", "metadata.namespace"'
    )
    chained = ok(
        cluster, "kubectl get pods --field-selector=status.phase!=Running,spec.restartPolicy=Always"
    ).output
    assert chained == "No resources found in default namespace."
    everywhere = ok(cluster, "kubectl get pods --all-namespaces --field-selector=status.phase=Pending").output
    assert everywhere == "No resources found"


@pytest.mark.cites("https://kubernetes.io/docs/tasks/configmap-secret/managing-secret-using-kubectl/")
def test_secret_from_literals_describes_byte_counts(cluster):
    """`kubectl create secret generic db-user-pass --from-literal=…` then `describe` shows 12 and 5 bytes."""
    out = ok(
        cluster,
        "kubectl create secret generic db-user-pass --from-literal=username=admin --from-literal=password='S!B\\*d$zDsb='",
    ).output
    assert out == "secret/db-user-pass created"
    described = ok(cluster, "kubectl describe secret db-user-pass").output
    assert described == (
        "Name:         db-user-pass\nNamespace:    default\nLabels:       <none>\nAnnotations:  <none>\n\n"
        "Type:  Opaque\n\nData\n====\npassword:  12 bytes\nusername:  5 bytes"
    )


@pytest.mark.cites("https://kubernetes.io/docs/tasks/configure-pod-container/configure-pod-configmap/")
def test_configmap_from_literals_and_describe(cluster):
    """`kubectl create configmap special-config --from-literal=special.how=very --from-literal=special.type=charm`."""
    ok(
        cluster,
        "kubectl create configmap special-config --from-literal=special.how=very --from-literal=special.type=charm",
    )
    data = json.loads(ok(cluster, "kubectl get configmaps special-config -o json").output)["data"]
    assert data == {"special.how": "very", "special.type": "charm"}
    described = ok(cluster, "kubectl describe configmaps special-config").output
    assert (
        "\nData\n====\nspecial.how:\n----\nvery\n\nspecial.type:\n----\ncharm\n\n\nBinaryData\n====\n"
        in described
    )
    files = cluster.run("kubectl create configmap game-config --from-file=configure-pod-container/configmap/")
    assert not files.ok
    assert files.output.startswith(
        "error: error reading configure-pod-container/configmap/: no such file or directory"
    )


@pytest.mark.cites("https://kubernetes.io/docs/reference/kubectl/generated/kubectl_run/")
def test_kubectl_run_examples_generate_pods(cluster):
    """The `kubectl run` reference examples: ports, env, labels, custom args and `--dry-run=client`."""
    assert (
        ok(cluster, "kubectl run nginx --image=nginx --dry-run=client").output
        == "pod/nginx created (dry run)"
    )
    ok(cluster, "kubectl run hazelcast --image=hazelcast/hazelcast --port=5701")
    ok(
        cluster,
        'kubectl run hazelcast2 --image=hazelcast/hazelcast --env="DNS_DOMAIN=cluster" --env="POD_NAMESPACE=default"',
    )
    ok(cluster, 'kubectl run hazelcast3 --image=hazelcast/hazelcast --labels="app=hazelcast,env=prod"')
    pods_by_name = {p["metadata"]["name"]: p for p in get(cluster, "pods")}
    assert pods_by_name["hazelcast"]["spec"]["containers"][0]["ports"] == [
        {"containerPort": 5701, "protocol": "TCP"}
    ]
    assert pods_by_name["hazelcast2"]["spec"]["containers"][0]["env"] == [
        {"name": "DNS_DOMAIN", "value": "cluster"},
        {"name": "POD_NAMESPACE", "value": "default"},
    ]
    assert pods_by_name["hazelcast3"]["metadata"]["labels"] == {"app": "hazelcast", "env": "prod"}
    assert pods_by_name["hazelcast"]["metadata"]["labels"] == {"run": "hazelcast"}
    attached = cluster.run("kubectl run -i -t busybox --image=busybox --restart=Never")
    assert not attached.ok and "no terminal to attach to" in attached.output
    assert "busybox" not in pods_by_name and len(get(cluster, "pods")) == 3


@pytest.mark.cites("https://kubernetes.io/docs/tasks/debug/debug-application/debug-service/")
def test_debug_service_interactive_busybox_is_refused_without_changing_anything(cluster):
    """`kubectl run -it --rm --restart=Never busybox --image=gcr.io/google-containers/busybox sh` needs a terminal."""
    before = cluster.to_dict()
    out = cluster.run(
        "kubectl run -it --rm --restart=Never busybox --image=gcr.io/google-containers/busybox sh"
    )
    assert not out.ok
    assert out.output.startswith("error: this web console has no terminal to attach to")
    assert "kubectl logs busybox" in out.output
    assert cluster.to_dict() == before


@pytest.mark.cites("https://kubernetes.io/docs/tasks/manage-kubernetes-objects/imperative-command/")
def test_imperative_command_dry_run_yaml_and_pipe_refused(cluster):
    """`kubectl create service clusterip my-svc --clusterip="None" -o yaml --dry-run=client` and the page's pipe."""
    out = ok(
        cluster, 'kubectl create service clusterip my-svc --clusterip="None" -o yaml --dry-run=client'
    ).output
    assert out == (
        "apiVersion: v1\nkind: Service\nmetadata:\n  labels:\n    app: my-svc\n  name: my-svc\nspec:\n"
        "  clusterIP: None\n  selector:\n    app: my-svc\n  type: ClusterIP\nstatus:\n  loadBalancer: {}"
    )
    piped = cluster.run(
        'kubectl create service clusterip my-svc --clusterip="None" -o yaml --dry-run=client | '
        "kubectl set selector --local -f - 'environment=qa' -o yaml | kubectl create -f -"
    )
    assert not piped.ok
    assert piped.output.startswith("error: this console runs one command per line and is not a shell")


@pytest.mark.cites("https://kubernetes.io/docs/reference/kubectl/quick-reference/")
def test_global_namespace_flag_before_the_verb_and_unknown_command(cluster):
    """`kubectl -n kube-system get pods` works as kubectl parses it; `kubectl aply` suggests `apply`."""
    ok(cluster, "kubectl create namespace monitoring")
    ok(cluster, "kubectl -n monitoring run probe --image=nginx")
    assert ok(cluster, "kubectl --namespace=monitoring get pods -o name").output == "pod/probe"
    assert ok(cluster, "kubectl get pods").output == "No resources found in default namespace."
    typo = cluster.run("kubectl aply -f -")
    assert typo.output == 'error: unknown command "aply" for "kubectl"\n\nDid you mean this?\n\tapply'
    flag = cluster.run("kubectl get pods --foo")
    assert flag.output == "error: unknown flag: --foo\nSee 'kubectl get --help' for usage."


# ---------------------------------------------------------------------------------------------- new-user trial
# Lines a new user typed from kubernetes.io pages in the first trial of the console.
@pytest.mark.cites("https://kubernetes.io/docs/concepts/workloads/controllers/deployment/")
def test_deployment_page_set_image_with_resource_version_group(cluster):
    """`kubectl set image deployment.v1.apps/nginx-deployment nginx=nginx:1.16.1` rolls out like the page shows;
    `kubectl get deployment.v1.apps` lists it."""
    ok(cluster, "kubectl apply -f -", APPLICATION_DEPLOYMENT)
    cluster.advance(30)
    out = ok(cluster, "kubectl set image deployment.v1.apps/nginx-deployment nginx=nginx:1.16.1").output
    assert out == "deployment.apps/nginx-deployment image updated"
    cluster.advance(60)
    status = ok(cluster, "kubectl rollout status deployment/nginx-deployment").output
    assert status.endswith('deployment "nginx-deployment" successfully rolled out')
    rows = ok(cluster, "kubectl get deployment.v1.apps").output.splitlines()
    assert rows[0].split() == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    assert rows[1].split()[:4] == ["nginx-deployment", "2/2", "2", "2"]
    ready = set(running_ready(cluster, "nginx-deployment-"))
    assert len(ready) == 2
    assert {
        p["spec"]["containers"][0]["image"]
        for p in pods(cluster, "nginx-deployment-")
        if p["metadata"]["name"] in ready
    } == {"nginx:1.16.1"}


@pytest.mark.cites("https://kubernetes.io/docs/concepts/workloads/controllers/deployment/")
def test_deployment_page_apply_by_url_names_the_url_and_the_way_in(cluster):
    """`kubectl apply -f https://k8s.io/examples/controllers/nginx-deployment.yaml`: the classroom cluster has no
    internet; the error names the URL and -f -, and nothing is created."""
    url = "https://k8s.io/examples/controllers/nginx-deployment.yaml"
    result = cluster.run(f"kubectl apply -f {url}")
    assert not result.ok
    assert url in result.output and "no internet" in result.output and "-f -" in result.output
    assert ok(cluster, "kubectl get deployments").output == "No resources found in default namespace."


@pytest.mark.cites("https://kubernetes.io/docs/concepts/workloads/pods/init-containers/")
def test_init_containers_page_get_and_describe_dash_f(cluster):
    """`kubectl get -f myapp.yaml` (here `-f -`) shows myapp-pod 0/1 Init:0/2; `kubectl describe -f` shows
    Status Pending and the init containers."""
    ok(cluster, "kubectl apply -f -", MYAPP_POD)
    cluster.advance(60)
    rows = ok(cluster, "kubectl get -f -", MYAPP_POD).output.splitlines()
    assert rows[0].split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert rows[1].split()[:4] == ["myapp-pod", "0/1", "Init:0/2", "0"]
    described = ok(cluster, "kubectl describe -f -", MYAPP_POD).output
    assert described.startswith("Name:             myapp-pod\nNamespace:        default\n")
    assert "Status:           Pending" in described
    assert "Init Containers:\n  init-myservice:" in described


@pytest.mark.cites("https://kubernetes.io/docs/reference/kubectl/quick-reference/")
def test_cheat_sheet_logs_follow_prints_the_log_so_far(cluster):
    """`kubectl logs -f my-pod` (stream pod logs): kubectl's -f here is --follow; the console prints the lines so
    far and says it cannot stream."""
    ok(cluster, "kubectl run my-pod --image=busybox:1.28 -- sh -c 'echo started; sleep 3600'")
    cluster.advance(30)
    for line in ("kubectl logs -f my-pod", "kubectl logs my-pod -f", "kubectl logs --follow my-pod"):
        out = ok(cluster, line).output.splitlines()
        assert out[0] == "started"
        assert out[1].startswith("(--follow: this console cannot stream")


@pytest.mark.cites("https://kubernetes.io/docs/reference/kubectl/quick-reference/")
def test_cheat_sheet_get_pods_watch_prints_the_list_now(cluster):
    """`kubectl get pods -w` prints the table as it is now, then says the console cannot stream."""
    ok(cluster, "kubectl create deployment nginx --image=nginx")
    cluster.advance(30)
    out = ok(cluster, "kubectl get pods -w").output.splitlines()
    assert out[0].split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert out[1].split()[1:3] == ["1/1", "Running"]
    assert out[-1].startswith("(--watch: this console cannot stream")


@pytest.mark.cites("https://kubernetes.io/docs/tasks/debug/debug-application/get-shell-running-container/")
def test_get_a_shell_page_interactive_shell_refused_single_commands_run(cluster):
    """`kubectl exec --stdin --tty shell-demo -- /bin/bash` needs a terminal: refused with the way out;
    `kubectl exec shell-demo -- ls /` (the page's single command) and `sh -c` still run."""
    ok(cluster, "kubectl apply -f -", SHELL_DEMO)
    cluster.advance(60)
    for line in ("kubectl exec --stdin --tty shell-demo -- /bin/bash", "kubectl exec -it shell-demo -- sh"):
        result = cluster.run(line)
        assert not result.ok
        assert result.output.startswith("error: this web console has no terminal to attach to")
        assert "kubectl exec shell-demo -- sh -c '" in result.output
    listing = ok(cluster, "kubectl exec shell-demo -- ls /").output.split()
    assert "usr" in listing and "etc" in listing
    ok(
        cluster,
        "kubectl exec shell-demo -- sh -c \"echo 'Hello shell demo' > /usr/share/nginx/html/index.html\"",
    )
    assert ok(cluster, "kubectl exec shell-demo -- cat /usr/share/nginx/html/index.html").output.strip() == (
        "Hello shell demo"
    )


@pytest.mark.cites("https://kubernetes.io/docs/tasks/administer-cluster/safely-drain-node/")
def test_safely_drain_a_node_refused_drain_leaves_it_cordoned(cluster):
    """`kubectl drain --ignore-daemonsets <node>` with a bare pod on it: kubectl cordons, refuses the bare pod
    and leaves the node Ready,SchedulingDisabled until `kubectl uncordon`."""
    ok(cluster, "kubectl run bare --image=nginx")
    cluster.advance(30)
    node = get(cluster, "pod bare")[0]["spec"]["nodeName"]
    result = cluster.run(f"kubectl drain --ignore-daemonsets {node}")
    assert not result.ok
    assert result.output.splitlines()[0] == f"node/{node} cordoned"
    assert result.output.splitlines()[-1] == (
        "error: cannot delete Pods that declare no controller (use --force to override): default/bare"
    )
    row = next(r for r in ok(cluster, "kubectl get nodes").output.splitlines() if r.startswith(node + " "))
    assert row.split()[1] == "Ready,SchedulingDisabled"
    assert ok(cluster, f"kubectl uncordon {node}").output == f"node/{node} uncordoned"


@pytest.mark.cites("https://kubernetes.io/docs/tasks/tools/install-kubectl-linux/")
def test_install_kubectl_page_version_client(cluster):
    """`kubectl version --client` prints the client and Kustomize versions of kubectl v1.37.1."""
    assert (
        ok(cluster, "kubectl version --client").output == "Client Version: v1.37.1\nKustomize Version: v5.8.1"
    )
    assert ok(cluster, "kubectl version").output.endswith("\nServer Version: v1.37.1")


@pytest.mark.cites("https://kubernetes.io/docs/tasks/manage-kubernetes-objects/declarative-config/")
def test_heredoc_pasted_as_one_line_points_to_the_yaml_tab(cluster):
    """A here-document pasted into the console line is refused, naming the YAML tab; nothing is created."""
    result = cluster.run(
        "kubectl apply -f - <<EOF apiVersion: v1 kind: Pod metadata: name: nginx spec: containers: - name: "
        "nginx image: nginx EOF"
    )
    assert not result.ok and "here-document" in result.output and "YAML tab" in result.output
    assert ok(cluster, "kubectl get pods").output == "No resources found in default namespace."
