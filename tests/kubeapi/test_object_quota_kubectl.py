"""`simulator-limits` through the REST face, as the real kubectl v1.37.1 (the oracle) sees it: a ResourceQuota in
every namespace whose counts follow the cluster, that `get`, `describe` and `-o yaml` print as the console
prints them, and that every write kubectl can send (DELETE, PATCH from label/apply/edit, PUT from replace, POST)
answers 403 Forbidden naming `sim limits`. The read commands are also in the oracle corpus (`config` state)."""

from __future__ import annotations

import json

import pytest

from tests.kubeapi.harness import ApiHarness, configmap_capped_api

QUOTA_CONCEPT = "https://kubernetes.io/docs/concepts/policy/resource-quotas/"
FORBIDDEN = (
    'resourcequotas "simulator-limits" is forbidden: simulator-limits is the simulator\'s own object limits, '
    "read-only: they are set by the simulator, not by kubectl (`sim limits` shows them with their use)"
)
MANIFEST = "apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: simulator-limits\nspec:\n  hard:\n    pods: '5'\n"


@pytest.fixture
def api(monkeypatch):
    yield from configmap_capped_api(monkeypatch)


def _console(api: ApiHarness, command: str) -> str:
    result = api.console("kubectl " + command)
    return result.output if result.ok else (result.error or {}).get("message", result.output)


@pytest.mark.cites(QUOTA_CONCEPT)
def test_after_a_refusal_kubectl_finds_the_quota_that_refused_and_its_counts(api):
    for name in ("a", "b"):
        assert api.kubectl("create", "configmap", name, "--from-literal=k=v")[0] == 0
    rc, _, err = api.kubectl("create", "configmap", "c", "--from-literal=k=v")
    assert rc == 1 and "exceeded quota: simulator-limits" in err
    rc, out, _ = api.kubectl("get", "quota", "simulator-limits", "-o", "json")
    quota = json.loads(out)
    assert rc == 0 and quota["kind"] == "ResourceQuota"
    assert quota["spec"]["hard"]["count/configmaps"] == quota["status"]["used"]["count/configmaps"] == "2"
    rc, out, _ = api.kubectl("describe", "quota", "simulator-limits")
    assert rc == 0 and "count/configmaps                     2     2\n" in out
    assert out.rstrip("\n") == _console(api, "describe quota simulator-limits")
    assert api.kubectl("delete", "configmap", "a")[0] == 0
    rc, out, _ = api.kubectl("get", "quota", "-A", "-o", "jsonpath={.items[*].status.used.count/configmaps}")
    assert (rc, out) == (0, "1 1 1 1")  # default, kube-node-lease, kube-public, kube-system: per cluster
    assert not api.cluster.store.by_kind["ResourceQuota"]


@pytest.mark.parametrize(
    ("args", "stdin", "env"),
    [
        (("delete", "quota", "simulator-limits"), None, None),
        (("delete", "resourcequota", "--all"), None, None),
        (("label", "quota", "simulator-limits", "a=b"), None, None),
        (
            ("patch", "quota", "simulator-limits", "--type=merge", "-p", '{"spec":{"hard":{"pods":"3"}}}'),
            None,
            None,
        ),
        (("replace", "-f", "-"), MANIFEST, None),
        (("apply", "-f", "-"), MANIFEST, None),
        (("create", "-f", "-"), MANIFEST, None),
        (("create", "quota", "simulator-limits", "--hard=pods=1"), None, None),
        # kubectl edit with an editor that raises a limit, as a student would
        (
            ("edit", "quota", "simulator-limits"),
            None,
            {"KUBE_EDITOR": "sed -i s/2k/3k/"},
        ),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, tuple) else "",
)
def test_every_write_kubectl_sends_is_forbidden_naming_sim_limits(api, args, stdin, env):
    before = api.cluster.version
    rc, _, err = api.kubectl(*args, stdin=stdin, env=env)
    assert rc == 1
    # kubectl's prefix varies by command (`Error from server (Forbidden): `, `error when applying patch: …`,
    # `could not be patched: ` for edit); the server's message is the same
    assert FORBIDDEN in err, err
    assert api.cluster.version == before and not api.cluster.store.by_kind["ResourceQuota"]


def test_a_users_own_quota_is_listed_beside_it_and_stays_writable(api):
    assert api.kubectl("create", "quota", "mine", "--hard=count/secrets=1")[0] == 0
    rc, out, _ = api.kubectl("get", "quota", "-o", "name")
    assert (rc, out) == (0, "resourcequota/mine\nresourcequota/simulator-limits\n")
    rc, out, _ = api.kubectl("describe", "namespace", "default")
    assert rc == 0 and out.rstrip("\n") == _console(api, "describe namespace default")
    assert "Resource Quotas\n  Name:                                mine\n" in out
    assert api.kubectl("label", "quota", "mine", "a=b")[0] == 0
    assert api.kubectl("delete", "quota", "mine")[0] == 0
    assert api.kubectl("get", "quota", "-o", "name")[1] == "resourcequota/simulator-limits\n"
