"""Scheduling rules and policy admission in detail: operators, tolerations, routing rules, persistence."""

import json

from visualizer.engine import Cluster
from visualizer.engine.affinity import term_matches, toleration_matches
from visualizer.engine.kube_proxy import route_ingress

from .conftest import ok, pods

NODE = {"metadata": {"name": "worker-1", "labels": {"cpus": "8", "disktype": "ssd"}}}


def test_node_selector_operators_follow_the_api_rules():
    """In/NotIn/Exists/DoesNotExist/Gt/Lt and matchFields on metadata.name; an empty term matches nothing."""

    def expr(op, *values, key="disktype"):
        return {"matchExpressions": [{"key": key, "operator": op, "values": list(values)}]}

    assert term_matches(expr("In", "ssd", "hdd"), NODE)
    assert not term_matches(expr("NotIn", "ssd"), NODE)
    assert term_matches(expr("NotIn", "x", key="absent"), NODE)  # NotIn is true when the label is missing
    assert term_matches(expr("Exists"), NODE) and not term_matches(expr("DoesNotExist"), NODE)
    assert term_matches(expr("Gt", "4", key="cpus"), NODE) and not term_matches(
        expr("Lt", "4", key="cpus"), NODE
    )
    assert not term_matches(expr("Gt", "4", key="disktype"), NODE)  # not an integer: no match
    assert term_matches(
        {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["worker-1"]}]}, NODE
    )
    assert not term_matches({}, NODE)


def test_tolerations_match_as_core_v1_does():
    """Equal needs key and value; Exists any value; empty key + Exists everything; empty effect any effect."""
    taint = {"key": "k", "value": "v", "effect": "NoSchedule"}
    assert toleration_matches({"key": "k", "value": "v", "effect": "NoSchedule"}, taint)
    assert toleration_matches({"key": "k", "operator": "Equal", "value": "v"}, taint)
    assert not toleration_matches({"key": "k", "value": "other"}, taint)
    assert toleration_matches({"key": "k", "operator": "Exists"}, taint)
    assert toleration_matches({"operator": "Exists"}, taint)
    assert not toleration_matches({"key": "k", "operator": "Exists", "effect": "NoExecute"}, taint)


def test_toleration_validation_uses_the_api_servers_words(cluster):
    """tolerationSeconds needs NoExecute; Exists takes no value."""
    pod = """
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: c, image: nginx}]
  tolerations:
  - {key: a, operator: Exists, value: x}
  - {key: b, operator: Equal, value: y, effect: NoSchedule, tolerationSeconds: 5}
"""
    result = cluster.run("kubectl apply -f -", stdin=pod)
    assert not result.ok
    assert (
        "* spec.tolerations[0].operator: Invalid value: \"x\": value must be empty when `operator` is 'Exists'"
        in (result.output)
    )
    assert (
        "* spec.tolerations[1].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when "
        "`tolerationSeconds` is set" in result.output
    )


def test_prefer_no_schedule_steers_new_pods_away(cluster):
    """PreferNoSchedule on two workers: a new pod goes to the third (score only, not a filter)."""
    ok(cluster, "kubectl taint nodes worker-1 soft=yes:PreferNoSchedule")
    ok(cluster, "kubectl taint nodes worker-2 soft=yes:PreferNoSchedule")
    ok(cluster, "kubectl run a --image=nginx")
    assert pods(cluster, "a")[0]["spec"]["nodeName"] == "worker-3"
    ok(cluster, "kubectl taint nodes worker-3 soft=yes:PreferNoSchedule")
    ok(cluster, "kubectl run b --image=nginx")
    assert pods(cluster, "b")[0]["spec"]["nodeName"]  # still scheduled: PreferNoSchedule never blocks


def test_ingress_routing_exact_beats_prefix_and_wildcards_match_one_label(cluster):
    """Exact wins over Prefix on the same path; `*.foo.com` matches bar.foo.com, not foo.com or a.b.foo.com."""
    ok(cluster, "sim addons enable ingress")
    ing = """
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: r}
spec:
  defaultBackend: {service: {name: fallback, port: {number: 80}}}
  rules:
  - host: "*.foo.com"
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: wild, port: {number: 80}}}}
  - host: app.example
    http:
      paths:
      - {path: /api, pathType: Prefix, backend: {service: {name: prefix, port: {number: 80}}}}
      - {path: /api, pathType: Exact, backend: {service: {name: exact, port: {name: http}}}}
"""
    ok(cluster, "kubectl apply -f -", ing)
    assert route_ingress(cluster, "app.example", "/api") == ("default", "exact", "http")
    assert route_ingress(cluster, "app.example", "/api/v1") == ("default", "prefix", 80)
    assert route_ingress(cluster, "bar.foo.com", "/x") == ("default", "wild", 80)
    assert route_ingress(cluster, "a.b.foo.com", "/x") == ("default", "fallback", 80)
    ok(cluster, "sim addons disable ingress")
    assert route_ingress(cluster, "app.example", "/api") is None
    row = ok(cluster, "kubectl get ingress r").output.splitlines()[1].split()
    # The class set by DefaultIngressClass stays; with no controller the ADDRESS is empty again.
    assert row[:4] == ["r", "nginx", "*.foo.com,app.example", "80"]


def test_quota_usage_goes_down_and_a_refused_replicaset_catches_up(cluster):
    """A pods quota of 2 holds a 3-replica Deployment at 2; raising it lets the third pod be created."""
    ok(
        cluster,
        "kubectl apply -f -",
        "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: pq}\nspec:\n  hard: {pods: '2'}\n",
    )
    ok(cluster, "kubectl create deployment web --image=nginx --replicas=3")
    assert len(pods(cluster, "web-")) == 2
    assert "pods: 2/2" in ok(cluster, "kubectl get quota").output
    ok(
        cluster,
        "kubectl apply -f -",
        "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: pq}\nspec:\n  hard: {pods: '5'}\n",
    )
    assert len(pods(cluster, "web-")) == 3
    assert "pods: 3/5" in ok(cluster, "kubectl get quota").output


def test_policy_state_survives_to_dict_and_from_dict(cluster):
    """A terminating namespace and a tolerationSeconds eviction continue identically after a restore."""
    ok(cluster, "kubectl create namespace dev")
    ok(cluster, "kubectl create deployment web --image=nginx -n dev")
    cluster.advance(20)
    ok(cluster, "kubectl delete namespace dev")
    copy = Cluster.from_dict(json.loads(json.dumps(cluster.to_dict())))
    for c in (cluster, copy):
        assert "Terminating" in ok(c, "kubectl get ns dev").output
        c.advance(40)
        assert (
            c.run("kubectl get ns dev").output == 'Error from server (NotFound): namespaces "dev" not found'
        )
    assert cluster.to_dict()["store"] == copy.to_dict()["store"]
