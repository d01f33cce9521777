"""The simulator's per-cluster object ceilings (admission.OBJECT_LIMITS): refused as ResourceQuota refuses an
object-count quota, with the same words through every face, and listed by `sim limits`."""

import pytest

from tests.engine.conftest import ok
from visualizer.engine import admission

QUOTA_CONCEPT = "https://kubernetes.io/docs/concepts/policy/resource-quotas/"


def configmaps(names) -> str:
    return "".join(
        f"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {n}\ndata:\n  k: v\n" for n in names
    )


@pytest.mark.cites(QUOTA_CONCEPT)
def test_the_configmap_over_the_ceiling_is_refused_with_resourcequota_words(cluster):
    """Issue 12: one sandbox applying 50 ConfigMaps twice a second grew without bound. At 200 ConfigMaps in
    the cluster the next create is Forbidden, worded as an object-count ResourceQuota, and nothing changes.
    The cluster's own ConfigMap (kube-system/coredns) is not counted: the student makes all 200."""
    assert [k.rsplit("/", 2)[-2:] for k in cluster.store.by_kind["ConfigMap"]] == [["kube-system", "coredns"]]
    names = [f"cm-{i}" for i in range(200)]
    for start in range(0, len(names), 50):  # 50 objects per command at most
        ok(cluster, "kubectl apply -f -", configmaps(names[start : start + 50]))
    before = cluster.version
    refused = cluster.run("kubectl create configmap one-more --from-literal=k=v")
    assert not refused.ok
    assert refused.output == (
        'error: failed to create configmap: configmaps "one-more" is forbidden: exceeded quota: simulator-limits, '
        "requested: count/configmaps=1, used: count/configmaps=200, limited: count/configmaps=200"
    )
    applied = cluster.run("kubectl apply -f -", stdin=configmaps(["by-apply"]))
    assert applied.output == (
        'Error from server (Forbidden): error when creating "STDIN": configmaps "by-apply" is forbidden: '
        "exceeded quota: simulator-limits, requested: count/configmaps=1, used: count/configmaps=200, "
        "limited: count/configmaps=200"
    )
    assert cluster.version == before and len(cluster.store.by_kind["ConfigMap"]) == 201
    listed = ok(cluster, "kubectl get configmaps --no-headers").output.splitlines()
    assert len(listed) == 200  # what `used` says
    rows = {line.split()[0]: line.split()[1:] for line in ok(cluster, "sim limits").output.splitlines()[4:]}
    assert rows["count/configmaps"] == ["200", "200"]
    ok(cluster, "kubectl delete configmap cm-0")
    ok(cluster, "kubectl create configmap one-more --from-literal=k=v")  # room again


def test_every_kind_has_a_ceiling_namespaces_included(cluster, monkeypatch):
    """Kinds without their own line get DEFAULT_OBJECT_LIMIT; a namespace (cluster-scoped) is refused the same way."""
    monkeypatch.setitem(admission.OBJECT_LIMITS, "Namespace", 2)
    # default, kube-system, kube-public and kube-node-lease are the cluster's own: not counted
    ok(cluster, "kubectl create namespace first")
    ok(cluster, "kubectl create namespace second")
    refused = cluster.run("kubectl create namespace third")
    assert refused.output == (
        'Error from server (Forbidden): namespaces "third" is forbidden: exceeded quota: simulator-limits, '
        "requested: count/namespaces=1, used: count/namespaces=2, limited: count/namespaces=2"
    )
    assert admission.object_limit(cluster, "ServiceAccount") == admission.DEFAULT_OBJECT_LIMIT == 100
    assert admission.object_limit(cluster, "Pod") == cluster.config["max_pods"] == 2000


def test_controllers_are_not_held_back_by_the_user_ceilings(cluster, monkeypatch):
    """The ceilings count what users ask for; a Deployment's ReplicaSet is its controller's and is still made
    (pods stay bounded by max_pods, replicas per request by max_pods_per_request)."""
    monkeypatch.setitem(admission.OBJECT_LIMITS, "ReplicaSet", 1)  # the cluster's CoreDNS already has one
    ok(cluster, "kubectl create deployment web --image=nginx:1.21")
    assert any(
        k.endswith("/default/" + "web-" + k.rsplit("-", 1)[-1]) for k in cluster.store.by_kind["ReplicaSet"]
    )


def test_sim_limits_lists_use_and_ceiling_like_describe_quota(cluster):
    """A student discovers the ceilings with `sim limits` (`Resource  Used  Hard`, as `kubectl describe quota`)."""
    ok(cluster, "kubectl create configmap a --from-literal=k=v")
    lines = ok(cluster, "sim limits").output.splitlines()
    assert lines[0] == "Name:       simulator-limits"
    assert lines[2].split() == ["Resource", "Used", "Hard"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[4:]}
    assert rows["count/configmaps"] == ["1", "200"]  # a; not kube-system/coredns
    assert rows["count/namespaces"] == ["0", "50"]  # the four system namespaces are the cluster's own
    assert rows["count/services"] == ["0", "100"]  # nor default/kubernetes and kube-system/kube-dns
    assert rows["count/deployments.apps"][1] == "100"
    assert rows["count/pods"][1] == "2000"


@pytest.mark.cites(QUOTA_CONCEPT)
def test_pods_controllers_create_are_held_to_the_pod_ceiling_too():
    """A real count/pods quota also refuses the pods a ReplicaSet or a Job controller creates (FailedCreate):
    `used` never passes `hard`. Found by trying the real kubectl against the app: a `kubectl scale` by one, a
    Job and a one-replica Deployment each took the cluster from 2,000 pods to 2,003."""
    from visualizer.engine import Cluster

    probe = Cluster(workers=2, seed=1)
    system = len(probe.store.by_kind["Pod"])  # kube-proxy on each node, CoreDNS: they count as pods do
    cluster = Cluster(workers=2, seed=1, max_pods=system + 3)
    ok(cluster, "kubectl create deployment web --image=nginx:1.21 --replicas=2")
    ok(cluster, "kubectl create job once --image=busybox:1.36 -- echo hi")
    cluster.advance(5)
    ok(cluster, "kubectl scale deployment web --replicas=3")
    cluster.advance(5)
    assert len(cluster.store.by_kind["Pod"]) == system + 3  # never more
    events = ok(cluster, "kubectl get events --field-selector reason=FailedCreate").output
    assert "exceeded quota: simulator-limits, requested: count/pods=1" in events, events
    rows = {line.split()[0]: line.split()[1:] for line in ok(cluster, "sim limits").output.splitlines()[4:]}
    assert rows["count/pods"] == [str(system + 3), str(system + 3)]
