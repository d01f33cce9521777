"""Services, Endpoints and kube-proxy: ClusterIP, DNS, ready-only endpoints, random load balancing."""

from .conftest import SERVICE, get, ok, pods, running_ready, web


def test_a_service_gets_a_cluster_ip_and_endpoints_of_ready_pods(cluster):
    """The Service has a 10.96.x.x ClusterIP and its Endpoints list the ready pods' IPs."""
    ok(cluster, "kubectl apply -f -", web(3) + "---\n" + SERVICE)
    cluster.advance(15)
    svc = get(cluster, "svc web")[0]
    assert svc["spec"]["clusterIP"].startswith("10.96.")
    ep = get(cluster, "endpoints web")[0]
    ips = {a["ip"] for a in ep["subsets"][0]["addresses"]}
    assert ips == {p["status"]["podIP"] for p in pods(cluster, "web-")}


def test_a_failing_readiness_probe_removes_the_pod_from_endpoints(cluster):
    """After 3 failed readiness probes (about 30 s) the pod leaves the Endpoints and gets no traffic."""
    text = web(2).replace(
        "        resources:", "        readinessProbe: {httpGet: {path: /, port: 80}}\n        resources:"
    )
    ok(cluster, "kubectl apply -f -", text + "---\n" + SERVICE)
    cluster.advance(15)
    victim = running_ready(cluster, "web-")[0]
    ok(cluster, f"sim probe-fail {victim} readiness")
    cluster.advance(35)
    ep = get(cluster, "endpoints web")[0]["subsets"][0]
    assert victim not in {a["targetRef"]["name"] for a in ep["addresses"]}
    assert victim in {a["targetRef"]["name"] for a in ep["notReadyAddresses"]}
    out = ok(cluster, "sim traffic web 50").output
    assert victim not in out
    ok(cluster, f"sim probe-ok {victim}")
    cluster.advance(12)
    assert len(get(cluster, "endpoints web")[0]["subsets"][0]["addresses"]) == 2


def test_traffic_spreads_over_ready_pods_and_counts_are_observable(cluster):
    """kube-proxy picks endpoints at random; every ready pod gets some of 300 requests; counts add up."""
    ok(cluster, "kubectl apply -f -", web(3) + "---\n" + SERVICE)
    cluster.advance(15)
    ok(cluster, "sim traffic web 300")
    counts = cluster.snapshot()["services"]["default/web"]["requests"]
    assert sum(counts.values()) == 300 and len(counts) == 3 and min(counts.values()) > 50


def test_a_service_without_ready_endpoints_refuses_connections(cluster):
    """curl to a Service whose pods are not ready fails like a rejected connection."""
    ok(cluster, "kubectl apply -f -", SERVICE)
    ok(cluster, "kubectl run client --image=busybox:1.36 -- sleep 3600")
    cluster.advance(10)
    result = cluster.run("kubectl exec client -- curl http://web")
    assert not result.ok and "Failed to connect to web port 80" in result.output


def test_dns_resolves_service_names_in_every_form(cluster):
    """nslookup answers for web, web.default and web.default.svc.cluster.local; unknown names get NXDOMAIN."""
    ok(cluster, "kubectl apply -f -", web(1) + "---\n" + SERVICE)
    ok(cluster, "kubectl run client --image=busybox:1.36 -- sleep 3600")
    cluster.advance(10)
    ip = get(cluster, "svc web")[0]["spec"]["clusterIP"]
    for name in ("web", "web.default", "web.default.svc.cluster.local"):
        out = ok(cluster, f"kubectl exec client -- nslookup {name}").output
        assert "Name:\tweb.default.svc.cluster.local" in out and f"Address: {ip}" in out
    assert "NXDOMAIN" in cluster.run("kubectl exec client -- nslookup nope").output


def test_pods_get_service_environment_variables(cluster):
    """Containers started after a Service exists see WEB_SERVICE_HOST and WEB_SERVICE_PORT."""
    ok(cluster, "kubectl apply -f -", SERVICE)
    ok(cluster, "kubectl run client --image=busybox:1.36 -- sleep 3600")
    cluster.advance(10)
    env = ok(cluster, "kubectl exec client -- env").output
    ip = get(cluster, "svc web")[0]["spec"]["clusterIP"]
    assert f"WEB_SERVICE_HOST={ip}" in env and "WEB_SERVICE_PORT=80" in env


def test_service_environment_variables_follow_service_changes(cluster):
    """The link variables (cached per namespace) follow the Services: a pod started after `web` is deleted and
    `api` created sees API_SERVICE_HOST and no WEB_ variables; one started before keeps what it saw."""
    ok(cluster, "kubectl apply -f -", SERVICE)
    ok(cluster, "kubectl run before --image=busybox:1.36 -- sleep 3600")
    cluster.advance(10)
    assert "WEB_SERVICE_HOST=" in ok(cluster, "kubectl exec before -- env").output
    ok(cluster, "kubectl delete service web")
    ok(cluster, "kubectl apply -f -", SERVICE.replace("name: web", "name: api"))
    ok(cluster, "kubectl run after --image=busybox:1.36 -- sleep 3600")
    cluster.advance(10)
    env = ok(cluster, "kubectl exec after -- env").output
    ip = get(cluster, "svc api")[0]["spec"]["clusterIP"]
    assert f"API_SERVICE_HOST={ip}" in env and f"API_PORT_80_TCP=tcp://{ip}:80" in env
    assert "WEB_SERVICE_HOST" not in env
    assert "WEB_SERVICE_HOST=" in ok(cluster, "kubectl exec before -- env").output


def test_a_rolled_back_service_leaves_no_service_links(cluster, monkeypatch):
    """A command that creates a Service and then fails is rolled back, and so are the cached link variables
    computed while it ran: the next container starts without them."""
    endpoints_sync = cluster.handlers["endpoints"]

    def broken(key):
        endpoints_sync(key)
        cluster.service_links("default")  # a container start during the command would fill the cache
        raise RuntimeError("simulated bug")

    monkeypatch.setitem(cluster.handlers, "endpoints", broken)
    result = cluster.run("kubectl apply -f -", stdin=SERVICE)
    assert not result.ok and "internal simulator error" in result.output
    monkeypatch.setitem(cluster.handlers, "endpoints", endpoints_sync)
    assert cluster.run("kubectl get svc web").ok is False
    ok(cluster, "kubectl run client --image=busybox:1.36 -- sleep 3600")
    cluster.advance(10)
    assert "WEB_SERVICE_HOST" not in ok(cluster, "kubectl exec client -- env").output


def test_expose_creates_a_matching_service(cluster):
    """kubectl expose deployment web --port=80 prints `service/web exposed` and selects the pods."""
    ok(cluster, "kubectl apply -f -", web(2))
    assert (
        ok(cluster, "kubectl expose deployment web --port=80 --type=NodePort").output == "service/web exposed"
    )
    svc = get(cluster, "svc web")[0]
    assert svc["spec"]["selector"] == {"app": "web"}
    assert 30000 <= svc["spec"]["ports"][0]["nodePort"] <= 32767
    assert "80:" in ok(cluster, "kubectl get svc web").output


def test_requests_to_a_dead_node_time_out_until_it_is_noticed(cluster):
    """Before the node is NotReady its pods stay in Endpoints and some requests time out; afterwards none do."""
    ok(cluster, "kubectl apply -f -", web(3) + "---\n" + SERVICE)
    cluster.advance(15)
    ok(cluster, "sim fail-node worker-2")
    assert "timed out" in ok(cluster, "sim traffic web 60").output
    cluster.advance(60)
    assert "timed out" not in ok(cluster, "sim traffic web 60").output


def test_changing_a_service_to_node_port_allocates_a_port(cluster):
    """Re-applying a ClusterIP Service as NodePort keeps its ClusterIP and allocates a nodePort."""
    ok(cluster, "kubectl apply -f -", SERVICE)
    ip = get(cluster, "svc web")[0]["spec"]["clusterIP"]
    ok(cluster, "kubectl apply -f -", SERVICE.replace("spec:", "spec:\n  type: NodePort"))
    svc = get(cluster, "svc web")[0]
    assert svc["spec"]["clusterIP"] == ip and 30000 <= svc["spec"]["ports"][0]["nodePort"] <= 32767
    ok(cluster, "kubectl apply -f -", SERVICE)
    assert "nodePort" not in get(cluster, "svc web")[0]["spec"]["ports"][0]
