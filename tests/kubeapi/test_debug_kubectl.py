"""`kubectl debug` with the real kubectl v1.37.

Ephemeral containers (`pods/ephemeralcontainers`) are not served: kubectl's PATCH gets the generic 404, whose
Status carries `"details": {}` as apimachinery's NewGenericServerResponse writes it, and kubectl prints its clean
`ephemeral containers are disabled for this cluster` [S kubectl pkg/cmd/debug/debug.go] instead of panicking
on a nil `Details`. Pods are defaulted with `spec.securityContext: {}` [S kubernetes pkg/apis/core/v1/
defaults.go SetDefaults_PodSpec], which debug's profiles read. `--copy-to` and `node/…` create ordinary pods
and work."""

from __future__ import annotations

import re

import pytest

from .harness import ApiHarness

DISABLED = (
    'error: ephemeral containers are disabled for this cluster (error from server: "the server could not find '
    'the requested resource")\n'
)


@pytest.fixture(scope="module")
def api():
    with ApiHarness() as api:
        assert api.console("kubectl run bb --image=busybox -- sleep 3600").ok
        api.advance(20)
        yield api


def _named(text: str) -> str:
    return re.sub(r"debugger-[a-z0-9]{5}", "debugger-XXXXX", text)


@pytest.mark.parametrize("extra", [["--", "sleep", "100"], ["-i", "--", "sh"]])
def test_debug_with_an_ephemeral_container_is_refused_cleanly(api, extra):
    """No Go panic: kubectl's own words, exit 1, and the pod is unchanged."""
    before = api.console("kubectl get pod bb -o json").output
    rc, out, err = api.kubectl("debug", "bb", "--image=busybox", *extra, stdin="")
    assert (rc, _named(out), err) == (1, "Defaulting debug container name to debugger-XXXXX.\n", DISABLED)
    assert "panic" not in err
    assert api.console("kubectl get pod bb -o json").output == before


def test_pods_show_the_defaulted_security_context(api):
    """The console's YAML and the REST object both carry `securityContext: {}` in the pod spec."""
    assert "\n  securityContext: {}\n" in api.console("kubectl get pod bb -o yaml").output
    rc, out, _ = api.kubectl("get", "pod", "bb", "-o", "jsonpath={.spec.securityContext}")
    assert (rc, out) == (0, "{}")


def test_debug_copy_to_and_node_debug_make_pods(api):
    """`--copy-to` copies the pod with a debugger container; `node/NAME` runs a pod on that node."""
    rc, out, err = api.kubectl("debug", "bb", "--image=busybox", "--copy-to=bb-debug", "--", "sleep", "100")
    assert (rc, _named(out), err) == (0, "Defaulting debug container name to debugger-XXXXX.\n", "")
    rc, out, err = api.kubectl("debug", "node/worker-1", "--image=busybox", "--", "sleep", "100")
    assert rc == 0, err
    assert re.fullmatch(
        r"Creating debugging pod node-debugger-worker-1-[a-z0-9]{5} with container debugger on node worker-1\.\n",
        out,
    )
    api.advance(10)
    rc, out, _ = api.kubectl(
        "get", "pods", "-o", "custom-columns=NAME:.metadata.name,READY:.status.phase,NODE:.spec.nodeName"
    )
    rows = sorted(
        re.sub(r"worker-1-[a-z0-9]{5}", "worker-1-XXXXX", line).split() for line in out.splitlines()[1:]
    )
    assert rows[1][:2] == ["bb-debug", "Running"]
    assert rows[2] == ["node-debugger-worker-1-XXXXX", "Running", "worker-1"]
    rc, out, _ = api.kubectl("get", "pod", "bb-debug", "-o", "jsonpath={.spec.containers[*].name}")
    assert _named(out) == "bb debugger-XXXXX"
