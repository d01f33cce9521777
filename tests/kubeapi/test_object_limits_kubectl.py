"""The simulator's per-cluster object ceilings (visualizer.engine.admission.OBJECT_LIMITS) as the real kubectl
v1.37.1 sees them through the API: a 403 Forbidden Status worded as ResourceQuota's, printed by kubectl exactly
as for a real object-count quota, and the same lines in the console."""

from __future__ import annotations

import pytest

from tests.kubeapi.harness import configmap_capped_api

REFUSAL = (
    'configmaps "{name}" is forbidden: exceeded quota: simulator-limits, requested: count/configmaps=1, '
    "used: count/configmaps=2, limited: count/configmaps=2"
)


@pytest.fixture
def api(monkeypatch):
    yield from configmap_capped_api(monkeypatch)


def test_kubectl_create_over_the_ceiling_prints_the_quota_refusal_the_console_prints(api):
    for name in ("a", "b"):
        rc, _, err = api.kubectl("create", "configmap", name, "--from-literal=k=v")
        assert (rc, err) == (0, "")
    rc, out, err = api.kubectl("create", "configmap", "c", "--from-literal=k=v")
    assert rc == 1 and out == ""
    # kubectl's create_configmap.go wraps the server's Status: `failed to create configmap: %v`.
    assert err == f"error: failed to create configmap: {REFUSAL.format(name='c')}\n"
    assert api.console("kubectl create configmap c --from-literal=k=v").output.strip() == err.strip()
    assert api.cluster.api.get("ConfigMap", "default", "c") is None


def test_kubectl_apply_over_the_ceiling_names_stdin_like_the_console(api):
    manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {}\ndata:\n  k: v\n"
    for name in ("a", "b"):
        rc, _, err = api.kubectl("apply", "-f", "-", stdin=manifest.format(name))
        assert (rc, err) == (0, "")
    rc, _, err = api.kubectl("apply", "-f", "-", stdin=manifest.format("c"))
    assert rc == 1
    assert err == f'Error from server (Forbidden): error when creating "STDIN": {REFUSAL.format(name="c")}\n'
    console = api.console("kubectl apply -f -", stdin=manifest.format("c"))
    assert console.output.strip() == err.strip()


def test_kubectl_create_f_over_the_ceiling_names_stdin_like_the_console(api):
    manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {}\ndata:\n  k: v\n"
    for name in ("a", "b"):
        rc, _, err = api.kubectl("create", "-f", "-", stdin=manifest.format(name))
        assert (rc, err) == (0, "")
    rc, _, err = api.kubectl("create", "-f", "-", stdin=manifest.format("c"))
    assert rc == 1
    assert err == f'Error from server (Forbidden): error when creating "STDIN": {REFUSAL.format(name="c")}\n'
    assert api.console("kubectl create -f -", stdin=manifest.format("c")).output.strip() == err.strip()
