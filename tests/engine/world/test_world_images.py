"""Real-world cases for images and quantities: the images kubernetes.io examples pull, the pull events the
kubelet records, typos that fail as they would, and resource quantities stored and printed as the API server
does. Each case cites the page whose manifest or commands it uses."""

import json
import re

import pytest

from tests.engine.world.conftest import get, ok, pods, running_ready  # noqa: F401 (fixtures)
from tests.engine.world.examples import LIVENESS_HTTP, NGINX_DEPLOYMENT, PHP_APACHE, WEB_STATEFULSET
from tests.engine.world.helpers import pod_row
from visualizer.engine.registry import parse_image

PULLED = re.compile(
    r'^Successfully pulled image "(?P<image>[^"]+)" in (?P<took>[0-9.]+m?s) \((?P<waited>[0-9.]+m?s) including '
    r"waiting\)\. Image size: (?P<size>[0-9]+) bytes\.$"
)


def _messages(events, reason):
    return [e["message"] for e in events if e["reason"] == reason]


@pytest.mark.cites("https://kubernetes.io/docs/concepts/workloads/controllers/deployment/")
def test_the_deployment_pages_nginx_1_14_2_runs_three_replicas(cluster):
    """The first example of the Deployment page pulls nginx:1.14.2 and ends 3/3 Running, with the kubelet's
    Pulled message carrying the pull time and the image's compressed size."""
    ok(
        cluster,
        "kubectl apply -f -",
        stdin=NGINX_DEPLOYMENT,
    )
    events = cluster.advance(30)
    assert len(running_ready(cluster, "nginx-deployment-")) == 3
    line = ok(cluster, "kubectl get deployment nginx-deployment").output.splitlines()[1].split()
    assert line[:4] == ["nginx-deployment", "3/3", "3", "3"]
    pulled = [PULLED.match(m) for m in _messages(events, "Pulled") if m.startswith("Successfully")]
    assert pulled and all(m and m["image"] == "nginx:1.14.2" for m in pulled)
    assert {int(m["size"]) for m in pulled} == {parse_image("nginx:1.14.2").size_bytes}


@pytest.mark.cites("https://kubernetes.io/docs/concepts/workloads/controllers/deployment/")
def test_the_deployment_pages_typo_nginx_1_161_stalls_the_rollout_in_imagepullbackoff(cluster):
    """Updating to nginx:1.16.1 completes; the page's typo nginx:1.161 gives ErrImagePull then
    ImagePullBackOff with containerd's `not found`, and the three old pods keep serving."""
    ok(cluster, "kubectl apply -f -", stdin=NGINX_DEPLOYMENT)
    cluster.advance(30)
    ok(cluster, "kubectl set image deployment/nginx-deployment nginx=nginx:1.16.1")
    cluster.advance(60)
    images = {p["spec"]["containers"][0]["image"] for p in pods(cluster, "nginx-deployment-")}
    assert images == {"nginx:1.16.1"} and len(running_ready(cluster, "nginx-deployment-")) == 3
    ok(cluster, "kubectl set image deployment/nginx-deployment nginx=nginx:1.161")
    events = cluster.advance(30)
    failed = _messages(events, "Failed")
    assert (
        'Failed to pull image "nginx:1.161": rpc error: code = NotFound desc = failed to pull and unpack image '
        '"docker.io/library/nginx:1.161": failed to resolve reference "docker.io/library/nginx:1.161": '
        "docker.io/library/nginx:1.161: not found"
    ) in failed
    assert "Error: ErrImagePull" in failed and "Error: ImagePullBackOff" in failed
    stuck = [
        p for p in pods(cluster, "nginx-deployment-") if p["spec"]["containers"][0]["image"] == "nginx:1.161"
    ]
    assert stuck and {pod_row(cluster, p["metadata"]["name"])[1] for p in stuck} <= {
        "ErrImagePull",
        "ImagePullBackOff",
    }
    assert len(running_ready(cluster, "nginx-deployment-")) == 3


@pytest.mark.cites("https://kubernetes.io/docs/tutorials/kubernetes-basics/update/update-intro/")
def test_the_basics_tutorials_bootcamp_update_v2_then_missing_v10_then_undo(cluster):
    """Kubernetes Basics: kubernetes-bootcamp v1 scaled to 4, updated to jocatalin/kubernetes-bootcamp:v2
    (all four run v2), then to gcr.io/google-samples/kubernetes-bootcamp:v10, which does not exist
    (ImagePullBackOff, `not found`), and `rollout undo` brings v2 back."""
    ok(
        cluster,
        "kubectl create deployment kubernetes-bootcamp --image=gcr.io/google-samples/kubernetes-bootcamp:v1",
    )
    ok(cluster, "kubectl scale deployments/kubernetes-bootcamp --replicas=4")
    cluster.advance(40)
    assert len(running_ready(cluster, "kubernetes-bootcamp-")) == 4
    ok(
        cluster,
        "kubectl set image deployments/kubernetes-bootcamp "
        "kubernetes-bootcamp=docker.io/jocatalin/kubernetes-bootcamp:v2",
    )
    cluster.advance(90)
    images = {p["spec"]["containers"][0]["image"] for p in pods(cluster, "kubernetes-bootcamp-")}
    assert images == {"docker.io/jocatalin/kubernetes-bootcamp:v2"}
    assert len(running_ready(cluster, "kubernetes-bootcamp-")) == 4
    ok(
        cluster,
        "kubectl set image deployments/kubernetes-bootcamp "
        "kubernetes-bootcamp=gcr.io/google-samples/kubernetes-bootcamp:v10",
    )
    events = cluster.advance(30)
    assert any(
        m.endswith(
            '"gcr.io/google-samples/kubernetes-bootcamp:v10": gcr.io/google-samples/kubernetes-bootcamp:v10: not found'
        )
        for m in _messages(events, "Failed")
    )
    bad = [
        p
        for p in pods(cluster, "kubernetes-bootcamp-")
        if p["spec"]["containers"][0]["image"].endswith(":v10")
    ]
    assert bad and {pod_row(cluster, p["metadata"]["name"])[1] for p in bad} <= {
        "ErrImagePull",
        "ImagePullBackOff",
    }
    ok(cluster, "kubectl rollout undo deployments/kubernetes-bootcamp")
    cluster.advance(90)
    images = {p["spec"]["containers"][0]["image"] for p in pods(cluster, "kubernetes-bootcamp-")}
    assert images == {"docker.io/jocatalin/kubernetes-bootcamp:v2"}
    assert len(running_ready(cluster, "kubernetes-bootcamp-")) == 4


@pytest.mark.cites("https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale-walkthrough/")
def test_the_hpa_walkthroughs_php_apache_pulls_hpa_example(cluster):
    """registry.k8s.io/hpa-example (no tag: `latest`) pulls and runs; its cpu quantities are stored as given."""
    # The walkthrough's earlier revision of php-apache.yaml labels by `run: php-apache`.
    manifest = PHP_APACHE.replace("app.kubernetes.io/name", "run")
    ok(cluster, "kubectl apply -f -", stdin=manifest)
    events = cluster.advance(40)
    assert len(running_ready(cluster, "php-apache-")) == 1
    assert any(
        m.startswith('Successfully pulled image "registry.k8s.io/hpa-example" in ')
        for m in _messages(events, "Pulled")
    )
    resources = pods(cluster, "php-apache-")[0]["spec"]["containers"][0]["resources"]
    assert resources == {"limits": {"cpu": "500m"}, "requests": {"cpu": "200m"}}


@pytest.mark.cites("https://kubernetes.io/docs/tasks/configure-pod-container/assign-memory-resource/")
def test_the_memory_demo_keeps_100mi_and_200mi(cluster):
    """memory-demo (polinux/stress in namespace mem-example) runs; `get -o yaml` shows 100Mi and 200Mi."""
    manifest = """\
apiVersion: v1
kind: Pod
metadata:
  name: memory-demo
  namespace: mem-example
spec:
  containers:
  - name: memory-demo-ctr
    image: polinux/stress
    resources:
      requests:
        memory: "100Mi"
      limits:
        memory: "200Mi"
    command: ["stress"]
    args: ["--vm", "1", "--vm-bytes", "150M", "--vm-hang", "1"]
"""
    ok(cluster, "kubectl create namespace mem-example")
    ok(
        cluster,
        "kubectl apply -f - -n mem-example",
        stdin=manifest,
    )
    cluster.advance(20)
    pod = json.loads(ok(cluster, "kubectl get pod memory-demo -n mem-example -o json").output)
    assert pod["status"]["phase"] == "Running"
    assert pod["spec"]["containers"][0]["resources"] == {
        "limits": {"memory": "200Mi"},
        "requests": {"memory": "100Mi"},
    }
    yaml_out = ok(cluster, "kubectl get pod memory-demo -n mem-example -o yaml").output
    assert "memory: 200Mi" in yaml_out and "memory: 100Mi" in yaml_out


@pytest.mark.cites("https://kubernetes.io/docs/tasks/configure-pod-container/assign-memory-resource/")
def test_a_memory_request_too_big_for_the_nodes_stays_pending(cluster):
    """memory-demo-3 asks for 1000Gi: valid, but no node has it, so the pod stays Pending with a
    FailedScheduling event naming insufficient memory; the quantity is stored as 1000Gi."""
    manifest = """\
apiVersion: v1
kind: Pod
metadata:
  name: memory-demo-3
  namespace: mem-example
spec:
  containers:
  - name: memory-demo-3-ctr
    image: polinux/stress
    resources:
      requests:
        memory: "1000Gi"
      limits:
        memory: "1000Gi"
    command: ["stress"]
    args: ["--vm", "1", "--vm-bytes", "150M", "--vm-hang", "1"]
"""
    ok(cluster, "kubectl create namespace mem-example")
    result = ok(cluster, "kubectl apply -f - --namespace=mem-example", stdin=manifest)
    events = result.events + cluster.advance(10)
    pod = json.loads(ok(cluster, "kubectl get pod memory-demo-3 -n mem-example -o json").output)
    assert pod["status"]["phase"] == "Pending"
    assert pod["spec"]["containers"][0]["resources"]["requests"] == {"memory": "1000Gi"}
    assert any("Insufficient memory" in m for m in _messages(events, "FailedScheduling"))


@pytest.mark.cites("https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/")
def test_a_request_above_its_limit_is_invalid(cluster):
    """The page's rule that a request may not exceed its limit: the API server answers 422 with
    ValidateResourceRequirements' words, in canonical quantities."""
    manifest = """\
apiVersion: v1
kind: Pod
metadata:
  name: frontend
spec:
  containers:
  - name: app
    image: nginx:1.14.2
    resources:
      requests:
        cpu: "0.75"
      limits:
        cpu: "500m"
"""
    result = cluster.run("kubectl apply -f -", stdin=manifest)
    assert not result.ok
    assert result.output == (
        'The Pod "frontend" is invalid: spec.containers[0].resources.requests: Invalid value: "750m": must be '
        "less than or equal to cpu limit of 500m"
    )


@pytest.mark.cites("https://kubernetes.io/docs/tasks/configure-pod-container/assign-cpu-resource/")
def test_the_cpu_demos_half_cpu_is_stored_as_500m(cluster):
    """cpu-demo asks for cpu "0.5" with a limit of "1"; the page's `get -o yaml` shows `cpu: 500m` and
    `cpu: "1"`, as the API server canonicalises quantities."""
    manifest = """\
apiVersion: v1
kind: Pod
metadata:
  name: cpu-demo
  namespace: cpu-example
spec:
  containers:
  - name: cpu-demo-ctr
    image: vish/stress
    resources:
      limits:
        cpu: "1"
      requests:
        cpu: "0.5"
    args:
    - -cpus
    - "2"
"""
    ok(cluster, "kubectl create namespace cpu-example")
    ok(cluster, "kubectl apply -f - --namespace=cpu-example", stdin=manifest)
    cluster.advance(20)
    pod = json.loads(ok(cluster, "kubectl get pod cpu-demo -n cpu-example -o json").output)
    assert pod["spec"]["containers"][0]["resources"] == {"limits": {"cpu": "1"}, "requests": {"cpu": "500m"}}
    assert pod["status"]["phase"] == "Running"


@pytest.mark.cites("https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/")
def test_the_resources_pages_equivalent_memory_quantities_are_all_accepted_and_printed_canonically(cluster):
    """`128974848, 129e6, 129M, 128974848000m, 123Mi` are valid (the page lists them as roughly the same
    value); the API server keeps canonical text: 129e6 stays 129e6, 128974848000m becomes 128974848. The
    page's warning case, 400m of memory, is accepted too (0.4 bytes)."""
    printed = {}
    for i, text in enumerate(("128974848", "129e6", "129M", "128974848000m", "123Mi", "400m")):
        manifest = f"""\
apiVersion: v1
kind: Pod
metadata:
  name: mem-{i}
spec:
  containers:
  - name: app
    image: nginx:1.14.2
    resources:
      requests:
        memory: "{text}"
"""
        ok(cluster, "kubectl apply -f -", stdin=manifest)
        pod = json.loads(ok(cluster, f"kubectl get pod mem-{i} -o json").output)
        printed[text] = pod["spec"]["containers"][0]["resources"]["requests"]["memory"]
    assert printed == {
        "128974848": "128974848",
        "129e6": "129e6",
        "129M": "129M",
        "128974848000m": "128974848",
        "123Mi": "123Mi",
        "400m": "400m",
    }
    cluster.advance(20)
    assert len(running_ready(cluster, "mem-")) == 6


@pytest.mark.cites("https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/")
def test_a_malformed_quantity_is_a_decode_error(cluster):
    """The page's frontend pod with `memory: "64 Mi"` (a space), then `"64K"` (kilo is `k`; there is no `K`
    suffix): the API server refuses to decode it (400) with apimachinery's own messages; nothing is created."""
    manifest = """\
apiVersion: v1
kind: Pod
metadata:
  name: frontend
spec:
  containers:
  - name: app
    image: images.my-company.example/app:v4
    resources:
      requests:
        memory: "{memory}"
        cpu: "250m"
      limits:
        memory: "128Mi"
        cpu: "500m"
"""
    result = cluster.run("kubectl apply -f -", stdin=manifest.replace("{memory}", "64 Mi"))
    assert not result.ok
    assert result.output == (
        'Error from server (BadRequest): error when creating "STDIN": Pod in version "v1" cannot be handled as '
        "a Pod: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
    )
    result = cluster.run("kubectl apply -f -", stdin=manifest.replace("{memory}", "64K"))
    assert result.output.endswith("cannot be handled as a Pod: unable to parse quantity's suffix")
    assert not cluster.run("kubectl get pod frontend").ok


@pytest.mark.cites("https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/")
def test_the_resources_pages_example_images_do_not_resolve(cluster):
    """The page's frontend pod names images at images.my-company.example, a host no cluster can resolve:
    the quantities are accepted, the pull fails with ErrImagePull and then ImagePullBackOff."""
    manifest = """\
apiVersion: v1
kind: Pod
metadata:
  name: frontend
spec:
  containers:
  - name: app
    image: images.my-company.example/app:v4
    resources:
      requests:
        memory: "64Mi"
        cpu: "250m"
      limits:
        memory: "128Mi"
        cpu: "500m"
  - name: log-aggregator
    image: images.my-company.example/log-aggregator:v6
    resources:
      requests:
        memory: "64Mi"
        cpu: "250m"
      limits:
        memory: "128Mi"
        cpu: "500m"
"""
    ok(cluster, "kubectl apply -f -", stdin=manifest)
    events = cluster.advance(30)
    failed = _messages(events, "Failed")
    assert any(
        m.startswith(
            'Failed to pull image "images.my-company.example/app:v4": rpc error: code = Unknown desc = '
        )
        and "no such host" in m
        for m in failed
    )
    assert pod_row(cluster, "frontend")[1] in ("ErrImagePull", "ImagePullBackOff")


@pytest.mark.cites("https://kubernetes.io/docs/concepts/cluster-administration/logging/")
def test_the_logging_pages_counter_pod_pulls_busybox_1_28(cluster):
    """counter (busybox:1.28) is pulled — a small image, so a quick pull — and runs."""
    manifest = """\
apiVersion: v1
kind: Pod
metadata:
  name: counter
spec:
  containers:
  - name: count
    image: busybox:1.28
    args: [/bin/sh, -c,
            'i=0; while true; do echo "$i: $(date)"; i=$((i+1)); sleep 1; done']
"""
    ok(cluster, "kubectl apply -f -", stdin=manifest)
    events = cluster.advance(10)
    match = PULLED.match(next(m for m in _messages(events, "Pulled") if m.startswith("Successfully")))
    assert match["image"] == "busybox:1.28" and int(match["size"]) < 1_000_000
    assert pod_row(cluster, "counter")[1] == "Running"


@pytest.mark.cites("https://kubernetes.io/docs/tutorials/stateless-application/guestbook/")
def test_the_guestbook_pulls_redis_6_0_5_and_the_gb_frontend(cluster):
    """redis-leader (docker.io/redis:6.0.5) and the frontend (gb-frontend:v5 on us-docker.pkg.dev, 3
    replicas with requests 100m / 100Mi) all run."""
    leader = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: redis-leader
  labels:
    app: redis
    role: leader
    tier: backend
spec:
  replicas: 1
  selector:
    matchLabels:
      app: redis
  template:
    metadata:
      labels:
        app: redis
        role: leader
        tier: backend
    spec:
      containers:
      - name: leader
        image: "docker.io/redis:6.0.5"
        resources:
          requests:
            cpu: 100m
            memory: 100Mi
        ports:
        - containerPort: 6379
"""
    frontend = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: frontend
spec:
  replicas: 3
  selector:
    matchLabels:
        app: guestbook
        tier: frontend
  template:
    metadata:
      labels:
        app: guestbook
        tier: frontend
    spec:
      containers:
      - name: php-redis
        image: us-docker.pkg.dev/google-samples/containers/gke/gb-frontend:v5
        env:
        - name: GET_HOSTS_FROM
          value: "dns"
        resources:
          requests:
            cpu: 100m
            memory: 100Mi
        ports:
        - containerPort: 80
"""
    ok(
        cluster,
        "kubectl apply -f -",
        stdin=leader,
    )
    ok(
        cluster,
        "kubectl apply -f -",
        stdin=frontend,
    )
    cluster.advance(60)
    assert len(running_ready(cluster, "redis-leader-")) == 1
    assert len(running_ready(cluster, "frontend-")) == 3


@pytest.mark.cites(
    "https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/"
)
def test_the_liveness_http_pod_pulls_agnhost_2_40(cluster):
    """liveness-http's image registry.k8s.io/e2e-test-images/agnhost:2.40 exists and starts (what its
    liveness server then does belongs to the container programs)."""
    ok(cluster, "kubectl apply -f -", stdin=LIVENESS_HTTP)
    events = cluster.advance(6)
    assert "Started" in [e["reason"] for e in events]
    assert any(
        m.startswith('Successfully pulled image "registry.k8s.io/e2e-test-images/agnhost:2.40"')
        for m in _messages(events, "Pulled")
    )


@pytest.mark.cites("https://kubernetes.io/docs/concepts/containers/images/")
def test_a_misspelled_repository_fails_with_pull_access_denied(cluster):
    """`ngnix` is no Docker Hub repository: containerd's `pull access denied …` (code Unknown), ErrImagePull,
    then ImagePullBackOff with `Back-off pulling image "ngnix"`."""
    ok(cluster, "kubectl run web --image=ngnix")
    events = cluster.advance(20)
    assert (
        'Failed to pull image "ngnix": rpc error: code = Unknown desc = failed to pull and unpack image '
        '"docker.io/library/ngnix:latest": failed to resolve reference "docker.io/library/ngnix:latest": pull '
        "access denied, repository does not exist or may require authorization: server message: "
        "insufficient_scope: authorization failed"
    ) in _messages(events, "Failed")
    assert 'Back-off pulling image "ngnix"' in _messages(events, "BackOff")
    assert pod_row(cluster, "web")[1] in ("ErrImagePull", "ImagePullBackOff")


@pytest.mark.cites("https://kubernetes.io/docs/concepts/containers/images/")
def test_an_image_pinned_by_digest_pulls_the_manifest_the_kubelet_reported(cluster):
    """The images page: `image@sha256:<digest>` pins one manifest. A pod pinned to the digest another pod's
    status reports (imageID) runs; a digest no manifest has fails with `not found`."""
    ok(cluster, "kubectl run first --image=nginx:1.14.2")
    cluster.advance(15)
    first = json.loads(ok(cluster, "kubectl get pod first -o json").output)
    image_id = first["status"]["containerStatuses"][0]["imageID"]
    digest = image_id.rsplit("@", 1)[1]
    ok(cluster, f"kubectl run pinned --image=nginx@{digest}")
    ok(cluster, "kubectl run wrong --image=nginx@sha256:" + "0" * 64)
    events = cluster.advance(20)
    assert pod_row(cluster, "pinned")[1] == "Running"
    assert pod_row(cluster, "wrong")[1] in ("ErrImagePull", "ImagePullBackOff")
    assert any(
        m.endswith(f"docker.io/library/nginx@sha256:{'0' * 64}: not found")
        for m in _messages(events, "Failed")
    )


@pytest.mark.cites("https://kubernetes.io/blog/2023/03/10/image-registry-redirect/")
def test_legacy_k8s_gcr_io_names_still_pull(cluster):
    """Old pages still name k8s.gcr.io/echoserver:1.4; k8s.gcr.io redirects to registry.k8s.io, so the pod
    runs; the events keep the name as written."""
    ok(cluster, "kubectl create deployment hello-minikube --image=k8s.gcr.io/echoserver:1.4")
    events = cluster.advance(30)
    assert len(running_ready(cluster, "hello-minikube-")) == 1
    assert any(
        m.startswith('Successfully pulled image "k8s.gcr.io/echoserver:1.4"')
        for m in _messages(events, "Pulled")
    )


@pytest.mark.cites("https://kubernetes.io/docs/tutorials/stateful-application/basic-stateful-set/")
def test_the_statefulset_tutorials_nginx_slim_pulls(cluster):
    """web.yaml's registry.k8s.io/nginx-slim:0.21 runs web-0 and web-1; the update to 0.24 pulls too."""
    # The tutorial's earlier revision of web.yaml: nginx-slim:0.21, without minReadySeconds and
    # terminationGracePeriodSeconds (the update to 0.24 is the step this case checks).
    manifest = (
        WEB_STATEFULSET.replace("  minReadySeconds: 10\n", "")
        .replace("      terminationGracePeriodSeconds: 10\n", "")
        .replace("nginx-slim:0.24", "nginx-slim:0.21")
    )
    ok(cluster, "kubectl apply -f -", stdin=manifest)
    cluster.advance(60)
    assert sorted(running_ready(cluster, "web-")) == ["web-0", "web-1"]
    ok(cluster, "kubectl set image statefulset/web nginx=registry.k8s.io/nginx-slim:0.24")
    cluster.advance(120)
    assert {p["spec"]["containers"][0]["image"] for p in pods(cluster, "web-")} == {
        "registry.k8s.io/nginx-slim:0.24"
    }
