"""`pods/proxy`, `services/proxy` and `nodes/proxy` through the real kubectl v1.37 (`kubectl get --raw`, which
sends the same GET `kubectl proxy` forwards), following the Kubernetes Basics tutorials:

- https://kubernetes.io/docs/tutorials/kubernetes-basics/deploy-app/deploy-intro/ and
  https://kubernetes.io/docs/tutorials/kubernetes-basics/explore/explore-intro/:
  `curl http://localhost:8001/api/v1/namespaces/default/pods/$POD_NAME:8080/proxy/` answers
  `Hello Kubernetes bootcamp! | Running on: <pod> | v=1`, and `kubectl logs $POD_NAME` shows the request;
- https://kubernetes.io/docs/tutorials/kubernetes-basics/expose/expose-intro/: the Service of the app.

Refusals are kube-apiserver's (pkg/registry/core/pod/strategy.go `ResourceLocation`, service/proxy.go,
apimachinery pkg/util/proxy upgradeaware.go): `address not allowed`, `error trying to reach service: dial tcp
IP:PORT: connect: connection refused`, `no endpoints available for service "x"`.
"""

from __future__ import annotations

import re

import pytest

from visualizer.kubeapi.proxy import split_scheme_name_port
from visualizer.kubeapi.router import Target, route

from .harness import ApiHarness

BOOTCAMP = (
    "kubectl create deployment kubernetes-bootcamp --image=gcr.io/google-samples/kubernetes-bootcamp:v1"
)
PODS = "/api/v1/namespaces/default/pods"
STUCK = """apiVersion: v1
kind: Pod
metadata: {name: stuck}
spec:
  nodeSelector: {disk: none}
  containers:
  - {name: web, image: nginx, ports: [{containerPort: 80}]}
"""
SERVICES = "/api/v1/namespaces/default/services"


@pytest.fixture(scope="module")
def api():
    with ApiHarness(speed=0) as h:
        h.console(BOOTCAMP)
        h.advance(60)
        yield h


def _pod(api, prefix="kubernetes-bootcamp-"):
    return next(
        p["metadata"]["name"]
        for p in api.cluster.store.list("Pod", "default")
        if p["metadata"]["name"].startswith(prefix) and not p["metadata"].get("deletionTimestamp")
    )


def _ip(api, name):
    return api.cluster.api.get("Pod", "default", name)["status"]["podIP"]


# ---------------------------------------------------------------------------------------------- pure parts
def test_split_scheme_name_port_as_port_split_go():
    assert split_scheme_name_port("web") == ("", "web", "")
    assert split_scheme_name_port("web:8080") == ("", "web", "8080")
    assert split_scheme_name_port("https:web:443") == ("https", "web", "443")
    assert split_scheme_name_port("http:web:") == ("http", "web", "")
    for bad in ("ftp:web:21", ":8080", "a:b:c:d", ""):
        assert split_scheme_name_port(bad) is None, bad


def test_router_keeps_the_path_after_proxy():
    assert route(f"{PODS}/p:8080/proxy/") == Target("", "v1", "pods", "default", "p:8080", "proxy", "/")
    assert route(f"{PODS}/p/proxy") == Target("", "v1", "pods", "default", "p", "proxy", "")
    assert route(f"{SERVICES}/http:s:web/proxy/a/b/") == Target(
        "", "v1", "services", "default", "http:s:web", "proxy", "/a/b/"
    )
    assert route("/api/v1/nodes/worker-1/proxy/healthz") == Target(
        "", "v1", "nodes", None, "worker-1", "proxy", "/healthz"
    )
    assert route(f"{PODS}/p/log/extra") is None  # other subresources still end at the subresource


# ---------------------------------------------------------------------------------------------- pods/proxy
def test_pod_proxy_answers_the_apps_page_and_the_app_logs_it(api):
    pod = _pod(api)
    rc, out, err = api.kubectl("get", "--raw", f"{PODS}/{pod}:8080/proxy/")
    assert (rc, out, err) == (0, f"Hello Kubernetes bootcamp! | Running on: {pod} | v=1\n", "")
    rc, out, err = api.kubectl("logs", pod)
    assert rc == 0, err
    lines = out.split("\n")
    assert re.fullmatch(rf"Kubernetes Bootcamp App Started At: \S+Z \| Running On:  {pod} ", lines[0])
    assert lines[1] == ""
    assert re.fullmatch(
        rf"Running On: {pod} \| Total Requests: 1 \| App Uptime: [\d.]+ seconds \| Log Time: \S+Z", lines[2]
    ), lines
    # the same app answers `curl` inside its container (the console's exec), and counts that request too
    assert (
        api.console(f"kubectl exec {pod} -- curl -s localhost:8080").output
        == f"Hello Kubernetes bootcamp! | Running on: {pod} | v=1"
    )
    assert "| Total Requests: 2 |" in api.kubectl("logs", pod)[1]


def test_pod_proxy_with_scheme_subpath_and_query(api):
    pod = _pod(api)
    rc, out, _ = api.kubectl("get", "--raw", f"{PODS}/http:{pod}:8080/proxy/some/path?x=1")
    assert (rc, out) == (0, f"Hello Kubernetes bootcamp! | Running on: {pod} | v=1\n")


def test_pod_proxy_without_a_port_dials_80_and_is_refused(api):
    """`kubectl create deployment` without --port declares no container port: the proxy dials port 80,
    where nothing listens (the tutorial therefore names :8080)."""
    pod = _pod(api)
    rc, out, err = api.kubectl("get", "--raw", f"{PODS}/{pod}/proxy/")
    assert (rc, out) == (1, "")
    assert err == (
        "Error from server (ServiceUnavailable): error trying to reach service: "
        f"dial tcp {_ip(api, pod)}:80: connect: connection refused\n"
    )


def test_pod_proxy_refusals(api):
    assert api.kubectl("get", "--raw", f"{PODS}/nope:8080/proxy/")[2] == (
        'Error from server (NotFound): pods "nope" not found\n'
    )
    assert api.kubectl("get", "--raw", f"{PODS}/ftp:nope:21/proxy/")[2] == (
        'Error from server (BadRequest): invalid pod request "ftp:nope:21"\n'
    )
    # a pod the scheduler cannot place has no IP yet
    assert api.console("kubectl apply -f -", stdin=STUCK).ok
    api.advance(5)
    assert api.cluster.api.get("Pod", "default", "stuck")["status"]["phase"] == "Pending"
    assert api.kubectl("get", "--raw", f"{PODS}/stuck:80/proxy/")[2] == (
        "Error from server (BadRequest): address not allowed\n"
    )


def test_pod_proxy_uses_the_declared_port_and_answers_as_curl_in_the_cluster_does(api):
    """`kubectl run web --image=nginx --port=80` declares containerPort 80, the port a bare `web` proxies to;
    the answer is the one a client pod's `wget` of the pod IP gets (the engine's one HTTP simulation)."""
    api.console("kubectl run web --image=nginx --port=80")
    api.console("kubectl run client --image=busybox -- sleep 3600")
    api.advance(30)
    inside = api.console(f"kubectl exec client -- wget -qO- {_ip(api, 'web')}").output
    assert inside
    rc, out, _ = api.kubectl("get", "--raw", f"{PODS}/web/proxy/")
    assert (rc, out.rstrip("\n")) == (0, inside)


# ---------------------------------------------------------------------------------------------- services/proxy
def test_service_proxy_forms_and_no_endpoints(api):
    assert api.kubectl("get", "--raw", f"{SERVICES}/kubernetes-bootcamp:8080/proxy/")[2] == (
        'Error from server (NotFound): services "kubernetes-bootcamp" not found\n'
    )
    assert api.console('kubectl expose deployment/kubernetes-bootcamp --type="NodePort" --port 8080').ok
    api.advance(2)
    pod = _pod(api)
    page = f"Hello Kubernetes bootcamp! | Running on: {pod} | v=1\n"
    for ident in ("kubernetes-bootcamp:8080", "http:kubernetes-bootcamp:", "kubernetes-bootcamp"):
        assert api.kubectl("get", "--raw", f"{SERVICES}/{ident}/proxy/") == (0, page, ""), ident
    assert api.kubectl("get", "--raw", f"{SERVICES}/kubernetes-bootcamp:9090/proxy/")[2] == (
        'Error from server (ServiceUnavailable): no service port 9090 found for service "kubernetes-bootcamp"\n'
    )
    assert api.console("kubectl scale deployments/kubernetes-bootcamp --replicas=0").ok
    api.advance(40)
    assert api.kubectl("get", "--raw", f"{SERVICES}/kubernetes-bootcamp:8080/proxy/")[2] == (
        'Error from server (ServiceUnavailable): no endpoints available for service "kubernetes-bootcamp"\n'
    )
    assert api.console("kubectl scale deployments/kubernetes-bootcamp --replicas=1").ok
    api.advance(40)
    pod = _pod(api)
    assert api.kubectl("get", "--raw", f"{SERVICES}/kubernetes-bootcamp:8080/proxy/") == (
        0,
        f"Hello Kubernetes bootcamp! | Running on: {pod} | v=1\n",
        "",
    )


def test_service_proxy_after_update_to_v2(api):
    """update-intro: after `kubectl set image … jocatalin/kubernetes-bootcamp:v2` the app answers v=2."""
    if api.cluster.api.get("Service", "default", "kubernetes-bootcamp") is None:
        api.console('kubectl expose deployment/kubernetes-bootcamp --type="NodePort" --port 8080')
    assert api.console(
        "kubectl set image deployments/kubernetes-bootcamp kubernetes-bootcamp=docker.io/jocatalin/kubernetes-bootcamp:v2"
    ).ok
    api.advance(120)
    rc, out, _ = api.kubectl("get", "--raw", f"{SERVICES}/kubernetes-bootcamp:8080/proxy/")
    assert rc == 0 and re.fullmatch(
        r"Hello Kubernetes bootcamp! \| Running on: kubernetes-bootcamp-\S+ \| v=2\n", out
    )


# ---------------------------------------------------------------------------------------------- nodes/proxy
def test_node_proxy_reaches_the_kubelet(api):
    assert api.kubectl("get", "--raw", "/api/v1/nodes/worker-1/proxy/healthz") == (0, "ok", "")
    assert api.kubectl("get", "--raw", "/api/v1/nodes/nope/proxy/healthz")[2] == (
        'Error from server (NotFound): nodes "nope" not found\n'
    )


def test_read_only_user_may_get_through_the_proxy(api):
    pod = _pod(api)
    rc, out, _ = api.kubectl("get", "--raw", f"{PODS}/{pod}:8080/proxy/", role="view")
    assert rc == 0 and out.startswith("Hello Kubernetes bootcamp! | Running on: ")


def test_discovery_lists_the_proxy_subresources(api):
    rc, out, _ = api.kubectl("get", "--raw", "/api/v1")
    assert rc == 0
    for name, kind in (("pods/proxy", "PodProxyOptions"), ("services/proxy", "ServiceProxyOptions")):
        assert f'"name":"{name}"' in out and f'"kind":"{kind}"' in out


def test_a_machine_that_is_down_times_out():
    """`sim fail-node`: the pod keeps its IP in the API, but the dial to it (and to its kubelet) times out."""
    with ApiHarness(speed=0) as api:
        api.console(BOOTCAMP)
        api.advance(60)
        pod = _pod(api)
        node = api.cluster.api.get("Pod", "default", pod)["spec"]["nodeName"]
        assert api.console(f"sim fail-node {node}").ok
        err = api.kubectl("get", "--raw", f"{PODS}/{pod}:8080/proxy/")[2]
        assert err == (
            "Error from server (ServiceUnavailable): error trying to reach service: "
            f"dial tcp {_ip(api, pod)}:8080: i/o timeout\n"
        )
        addresses = api.cluster.api.get("Node", None, node)["status"]["addresses"]
        ip = next(a["address"] for a in addresses if a["type"] == "InternalIP")
        assert api.kubectl("get", "--raw", f"/api/v1/nodes/{node}/proxy/healthz")[2] == (
            "Error from server (ServiceUnavailable): error trying to reach service: "
            f"dial tcp {ip}:10250: i/o timeout\n"
        )


DUO = """apiVersion: v1
kind: Pod
metadata: {name: duo}
spec:
  containers:
  - {name: sidecar, image: busybox, command: ["sleep", "3600"]}
  - {name: app, image: "gcr.io/google-samples/kubernetes-bootcamp:v1", ports: [{containerPort: 8080}]}
"""


def test_the_proxy_reaches_whichever_container_listens_on_the_port(api):
    """Containers of a pod share its network: :8080 is the second container's server; the pod's first
    declared port (8080, of `app`) is the default."""
    assert api.console("kubectl apply -f -", stdin=DUO).ok
    api.advance(60)
    page = "Hello Kubernetes bootcamp! | Running on: duo | v=1\n"
    assert api.kubectl("get", "--raw", f"{PODS}/duo:8080/proxy/") == (0, page, "")
    assert api.kubectl("get", "--raw", f"{PODS}/duo/proxy/") == (0, page, "")
    assert api.kubectl("logs", "duo", "-c", "app")[1].count("| Total Requests:") == 2
