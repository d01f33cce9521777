"""`simulator-limits` reads as a ResourceQuota in every namespace (engine object_quota.py): what a student who
was refused with `exceeded quota: simulator-limits` then types finds it, built from the limits and the store's
counts at read time, never stored, and read-only. The real kubectl prints the same through the REST face:
tests/kubeapi/test_object_quota_kubectl.py and the `config` state of tests/kubeapi/oracle_corpus.py."""

import json

import pytest
import yaml

from tests.engine.conftest import ok
from visualizer.engine import admission

QUOTA_CONCEPT = "https://kubernetes.io/docs/concepts/policy/resource-quotas/"
READ_ONLY = (
    'Error from server (Forbidden): resourcequotas "simulator-limits" is forbidden: simulator-limits is the '
    "simulator's own object limits, read-only: they are set by the simulator, not by kubectl (`sim limits` shows "
    "them with their use)"
)


def _quota(cluster, ns: str = "default") -> dict:
    return json.loads(ok(cluster, f"kubectl get quota simulator-limits -n {ns} -o json").output)


@pytest.mark.cites(QUOTA_CONCEPT)
def test_every_namespace_lists_it_and_nothing_is_stored(cluster):
    ok(cluster, "kubectl create namespace dev")
    rows = ok(cluster, "kubectl get resourcequota -A --no-headers").output.splitlines()
    assert [r.split()[:2] for r in rows] == [
        [ns, "simulator-limits"] for ns in ("default", "dev", "kube-node-lease", "kube-public", "kube-system")
    ]
    assert ok(cluster, "kubectl get quota -o name").output == "resourcequota/simulator-limits"
    assert not cluster.store.by_kind["ResourceQuota"]  # built at read time only
    before = cluster.version
    ok(cluster, "kubectl get quota simulator-limits -o yaml")
    assert cluster.version == before


@pytest.mark.cites(QUOTA_CONCEPT)
def test_hard_is_the_limits_as_count_keys_and_used_follows_the_store(cluster, monkeypatch):
    """spec.hard = status.hard = every ceiling as `count/<resource>[.<group>]`, canonical quantities (2000 pods
    is `2k`, as the API server stores a Quantity); status.used the counts `exceeded quota` reports."""
    monkeypatch.setitem(admission.OBJECT_LIMITS, "ConfigMap", 3)
    quota = _quota(cluster)
    hard = quota["spec"]["hard"]
    assert quota["status"]["hard"] == hard
    assert hard["count/configmaps"] == "3" and hard["count/deployments.apps"] == "100"
    assert hard["count/pods"] == "2k"  # the engine's max_pods, 2,000
    assert quota["status"]["used"]["count/configmaps"] == "0"  # kube-system/coredns is the cluster's own
    ok(cluster, "kubectl create namespace dev")
    ok(cluster, "kubectl create configmap a --from-literal=k=v")
    ok(cluster, "kubectl create configmap b -n dev --from-literal=k=v")
    # per cluster, as the ceiling counts: dev's quota counts default's ConfigMap too
    assert _quota(cluster, "dev")["status"]["used"]["count/configmaps"] == "2"
    ok(cluster, "kubectl create configmap c --from-literal=k=v")
    refused = cluster.run("kubectl create configmap d --from-literal=k=v")
    assert (
        "exceeded quota: simulator-limits" in refused.output and "used: count/configmaps=3" in refused.output
    )
    described = ok(cluster, "kubectl describe quota simulator-limits").output
    assert "count/configmaps                     3     3" in described


@pytest.mark.cites(QUOTA_CONCEPT)
def test_describe_namespace_shows_it_beside_a_users_own_quota_which_still_works(cluster):
    ok(cluster, "kubectl create namespace dev")
    ok(cluster, "kubectl create quota mine -n dev --hard=count/configmaps=1")
    ok(cluster, "kubectl create configmap a -n dev --from-literal=k=v")
    refused = cluster.run("kubectl create configmap b -n dev --from-literal=k=v")
    assert "exceeded quota: mine, requested: count/configmaps=1" in refused.output
    text = ok(cluster, "kubectl describe namespace dev").output
    section = text.split("Resource Quotas\n", 1)[1]
    assert section.startswith("  Name:                                mine\n")
    assert "  Name:                                simulator-limits\n" in section
    assert ok(cluster, "kubectl get quota -n dev --no-headers").output.count("\n") == 1  # two rows
    assert ok(cluster, "kubectl delete quota mine -n dev").output == (
        'resourcequota "mine" deleted from dev namespace'
    )
    ok(cluster, "kubectl create configmap b -n dev --from-literal=k=v")


@pytest.mark.parametrize(
    ("command", "stdin"),
    [
        ("kubectl delete quota simulator-limits", None),
        ("kubectl delete quota simulator-limits --cascade=foreground", None),
        ("kubectl delete quota --all", None),
        ("kubectl label quota simulator-limits a=b", None),
        ("kubectl annotate quota simulator-limits a=b", None),
        ("kubectl create quota simulator-limits --hard=pods=1", None),
        (
            "kubectl create -f -",
            "apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: simulator-limits\nspec:\n  hard:\n    pods: 1\n",
        ),
        (
            "kubectl apply -f -",
            "apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: simulator-limits\nspec:\n  hard:\n    pods: 1\n",
        ),
    ],
)
def test_writes_to_it_are_forbidden_and_name_sim_limits(cluster, command, stdin):
    before = cluster.version
    result = cluster.run(command, stdin=stdin)
    assert not result.ok
    # kubectl's prefix varies by command (`Error from server (Forbidden): `, `error when creating "STDIN": `,
    # `error: failed to create quota: `); the server's message is the same
    assert READ_ONLY.split("(Forbidden): ", 1)[1] in result.output
    assert cluster.version == before and not cluster.store.by_kind["ResourceQuota"]
    assert _quota(cluster)["spec"]["hard"]["count/pods"] == "2k"


def test_tab_completes_its_name(cluster):
    assert "kubectl describe quota simulator-limits" in cluster.completions("kubectl describe quota s")


def test_sim_limits_points_at_the_quota(cluster):
    assert (
        "`kubectl get quota -A` shows it as a ResourceQuota in every namespace"
        in ok(cluster, "sim limits").output
    )


def test_the_yaml_is_a_resourcequota(cluster):
    obj = yaml.safe_load(ok(cluster, "kubectl get quota simulator-limits -o yaml").output)
    assert (obj["apiVersion"], obj["kind"], obj["metadata"]["namespace"]) == (
        "v1",
        "ResourceQuota",
        "default",
    )
    assert set(obj["spec"]["hard"]) == set(obj["status"]["used"])
    assert all(k.startswith("count/") for k in obj["spec"]["hard"])
