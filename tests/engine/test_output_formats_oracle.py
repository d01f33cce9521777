"""`-o jsonpath=…` and `-o custom-columns=…` print what the real kubectl v1.37.1 prints for the same objects.

The stand-in server (tests/kubectl_oracle.py) serves the engine's own PodList and NodeList; each template
runs through both.
"""

import json

import pytest

from tests.engine.conftest import ok, web
from tests.kubectl_oracle import Oracle
from visualizer.engine import Cluster

JSONPATH = [
    ("pods", "{.items[*].metadata.name}"),
    ("pods", '{range .items[*]}{.metadata.name}{"\\t"}{.status.startTime}{"\\n"}{end}'),
    ("pods", "{.items[0]}"),
    ("pods", "{.items[*].spec.containers[*].image}"),
    ("pods", "{..image}"),
    ("pods", "{.items[-1:].metadata.name}"),
    ("pods", '{.items[?(@.metadata.labels.app=="web")].metadata.name}'),
    ("pods", "{.items[*].metadata.labels}"),
    ("pods", "{.kind}"),
    ("nodes", "{.items[*]['metadata.name', 'status.capacity']}"),
    ("nodes", "{.items[0].metadata.labels.kubernetes\\.io/hostname}"),
    ("nodes", '{.items[*].status.addresses[?(@.type=="InternalIP")].address}'),
    ("pods", "{.items[0].spec.containers[0].ports[0].containerPort}"),
    ("pods", "{.items[*].status.containerStatuses[0].ready}"),
    ("pods", "{range .items[*]}[{.metadata.name}, {.spec.nodeName}] {end}"),
    ("pods", "{.items[*].metadata.missing}"),
    ("pods", "{@.kind}"),
    ("pods", "{.items[0].metadata.name} has {.items[0].status.phase}"),
]
COLUMNS = [
    "NAME:.metadata.name,NODE:.spec.nodeName,IMAGES:.spec.containers[*].image",
    "N:metadata.name,L:.metadata.labels,X:.nope",
    "NAME:{.metadata.name}",
    "NAME:.metadata.name,PORTS:.spec.containers[0].ports,READY:.status.containerStatuses[*].ready",
]


@pytest.fixture(scope="module")
def setup():
    """The engine with two `web` pods and one labelled pod, and the real kubectl serving the same lists."""
    c = Cluster(workers=2, seed=7)
    ok(c, "kubectl apply -f -", stdin=web(2))
    ok(c, "kubectl run solo --image=nginx --labels=app=solo,version=v1")
    c.advance(20)
    o = Oracle()
    pods = json.loads(ok(c, "kubectl get pods -o json").output)["items"]
    nodes = json.loads(ok(c, "kubectl get nodes -o json").output)["items"]
    meta = {"resourceVersion": "1"}
    o.serve_path(
        "/api/v1/namespaces/default/pods",
        {"kind": "PodList", "apiVersion": "v1", "metadata": meta, "items": pods},
    )
    o.serve_path("/api/v1/nodes", {"kind": "NodeList", "apiVersion": "v1", "metadata": meta, "items": nodes})
    yield c, o
    o.close()


@pytest.mark.parametrize("what, template", JSONPATH, ids=[t for _, t in JSONPATH])
def test_jsonpath_prints_what_kubectl_prints(setup, what, template):
    """kubectl's JSONPath dialect: unions, filters, ranges, literals, escaped dots, missing keys."""
    c, o = setup
    code, out, err = o.run(["get", what, "-o", f"jsonpath={template}"], server=True)
    assert code == 0, err
    quoted = template.replace('"', '\\"')
    assert ok(c, f'kubectl get {what} -o "jsonpath={quoted}"').output == out


@pytest.mark.parametrize("columns", COLUMNS)
def test_custom_columns_print_what_kubectl_prints(setup, columns):
    """custom-columns: relaxed paths, `<none>`, Go's fmt.Sprint for maps and lists, tabwriter alignment."""
    c, o = setup
    code, out, err = o.run(["get", "pods", "-o", f"custom-columns={columns}"], server=True)
    assert code == 0, err
    assert ok(c, f"kubectl get pods -o 'custom-columns={columns}'").output == out.rstrip("\n")
