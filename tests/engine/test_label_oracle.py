"""`kubectl label` and `kubectl annotate` print what the real kubectl v1.37.1 prints.

Dry runs and refusals need no writes, so the stand-in server only serves the engine's own pod (GET) and pod
list; each line starts from a fresh cluster.
"""

import json
import shlex

import pytest

from tests.engine.conftest import ok
from tests.kubectl_oracle import Oracle
from visualizer.engine import Cluster

LINES = [
    "label pod web nope-",
    "label pod web app=api",
    "label pod web env=dev --dry-run=client",
    "label pod web app=api --overwrite --dry-run=client",
    "label pod web tier- --dry-run=client",
    "label pod web app=api tier- --overwrite --dry-run=client",
    "label pod web app=web --dry-run=client",
    "label pods -l app=web env=dev --dry-run=client",
    "label pods --all env=dev --dry-run=client",
    "label pod web a=b=c",
    "label pod web app=x app-",
    "label pod web 'k=bad value'",
    "label pod web k=v -o name --dry-run=client",
    "label pod web k=v -o yaml --dry-run=client",
    "label pod web",
    "annotate pod web note=y",
    "annotate pod web note=y --dry-run=client",
    "annotate pod web note=x --dry-run=client",
    "annotate pod web nope- --dry-run=client",
    "annotate pod web note=y --overwrite --dry-run=client -o json",
]


@pytest.fixture(scope="module")
def oracle():
    """The real kubectl with the stand-in server (skips when the wheel is missing)."""
    o = Oracle()
    yield o
    o.close()


def _cluster():
    c = Cluster(workers=2, seed=7)
    ok(c, "kubectl run web --image=nginx --labels=app=web,tier=fe")
    ok(c, "kubectl annotate pod web note=x")
    return c


@pytest.mark.parametrize("line", LINES)
def test_label_and_annotate_print_what_kubectl_prints(oracle, line):
    """Messages (`labeled`, `unlabeled`, `modified`, `not labeled`, `(dry run)`), errors and `-o` output."""
    c = _cluster()
    pod = json.loads(ok(c, "kubectl get pod web -o json").output)
    oracle.serve(pod)
    oracle.serve_path(
        "/api/v1/namespaces/default/pods",
        {"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": [pod]},
    )
    code, out, err = oracle.run(shlex.split(line), server=True)
    before = c.to_dict()
    result = c.run(f"kubectl {line}")
    assert result.ok == (code == 0)
    assert result.output == (out if code == 0 else err).rstrip("\n")
    if "--dry-run" in line or code != 0:
        assert c.to_dict() == before


def test_label_stores_the_change_without_dry_run():
    """`kubectl label pod web env=dev` stores the label (no dry run)."""
    c = _cluster()
    assert ok(c, "kubectl label pod web env=dev").output == "pod/web labeled"
    assert json.loads(ok(c, "kubectl get pod web -o json").output)["metadata"]["labels"]["env"] == "dev"


def test_label_list_prints_each_label():
    """`kubectl label pod web --list` prints `key=value` lines (kubectl's order is Go map order; here sorted)."""
    assert ok(_cluster(), "kubectl label pod web --list").output == "app=web\ntier=fe"
