"""Mermaid export: the object graph and the last command's trace, as text mermaid 12 draws."""

from __future__ import annotations

import json
import os
import re
import socket
from pathlib import Path

import pytest

from visualizer.engine import Cluster
from visualizer.mermaid_export import escape_label, export_cluster

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
MERMAID_JS = ROOT / "static" / "vendor" / "mermaid" / "mermaid.min.js"

SECRET_POD = """apiVersion: v1
kind: Pod
metadata:
  name: api
  labels:
    app: api
spec:
  containers:
  - name: api
    image: nginx:1.20
    env:
    - name: DB_PASSWORD
      valueFrom:
        secretKeyRef:
          name: db-secret
          key: password
"""
PVC_AND_DB = """apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: ["ReadWriteOnce"]
  resources:
    requests:
      storage: 1Gi
---
apiVersion: v1
kind: Pod
metadata:
  name: db
  labels:
    app: db
spec:
  containers:
  - name: redis
    image: redis:7
    volumeMounts:
    - name: data
      mountPath: /data
  volumes:
  - name: data
    persistentVolumeClaim:
      claimName: data
"""


def run(cluster, command: str, stdin: str | None = None) -> None:
    result = cluster.run(command, stdin=stdin)
    assert result.ok, f"{command}: {result.output}"


@pytest.fixture(scope="module")
def busy() -> Cluster:
    """A cluster with a Deployment behind a Service, a Secret-consuming pod, a PVC-backed pod, a docker container."""
    cluster = Cluster(workers=3, seed=7)
    run(cluster, "kubectl create deployment web --image=nginx:1.20 --replicas=3")
    run(cluster, "kubectl expose deployment web --port=80")
    run(cluster, "kubectl create secret generic db-secret --from-literal=password=s3cr3t")
    run(cluster, "kubectl apply -f -", SECRET_POD)
    run(cluster, "kubectl apply -f -", PVC_AND_DB)
    run(cluster, "docker run -d --name web1 nginx:1.20")
    cluster.advance(30)
    run(cluster, "kubectl scale deployment web --replicas=4")
    return cluster


def node_ids(graph: str) -> dict[str, str]:
    """Returns {label's first line: node id} for the nodes of a flowchart."""
    found = {}
    for match in re.finditer(r'^\s*([A-Za-z0-9_]+)[\[\(\{>]+"([^"]*)"', graph, re.M):
        found[match.group(2).split("<br/>")[0]] = match.group(1)
    return found


def edges(graph: str) -> set[tuple[str, str, str]]:
    """Returns (from id, label, to id) for every link of a flowchart."""
    return {
        (m.group(1), m.group(2), m.group(3))
        for m in re.finditer(r'^\s*(\w+) [-.=]+>\|"([^"]*)"\| (\w+)$', graph, re.M)
    }


def pod_names(cluster, selector: str) -> list[str]:
    out = json.loads(cluster.run(f"kubectl get pods -l {selector} -o json").output)
    return [p["metadata"]["name"] for p in out["items"]]


def test_the_graph_links_deployment_replicaset_pods_and_nodes(busy):
    """Deployment → ReplicaSet → each Pod, and each Pod → the Node it runs on."""
    graph = export_cluster(busy.to_dict())["graph"]
    ids = node_ids(graph)
    found = edges(graph)
    dep = ids["Deployment web"]
    rs = next(i for label, i in ids.items() if label.startswith("ReplicaSet web-"))
    assert (dep, "owns", rs) in found
    pods = json.loads(busy.run("kubectl get pods -l app=web -o json").output)["items"]
    assert len(pods) == 4
    for pod in pods:
        pid = ids[f"Pod {pod['metadata']['name']}"]
        assert (rs, "owns", pid) in found
        assert (pid, "runs on", ids[f"🖥 {pod['spec']['nodeName']}"]) in found


def test_the_service_points_only_at_ready_pods(busy):
    """Service → Pod edges exist for the ready web pods only (the new, not yet ready pod gets none)."""
    graph = export_cluster(busy.to_dict())["graph"]
    ids = node_ids(graph)
    svc = ids["Service web"]
    targets = {to for frm, label, to in edges(graph) if frm == svc and label == "traffic"}
    snap = busy.snapshot()
    ready = {
        ids[f"Pod {p['name']}"]
        for p in snap["pods"].values()
        if p["labels"].get("app") == "web" and p["ready"]
    }
    assert len(ready) == 3 and targets == ready


def test_secret_pvc_pv_and_docker_containers_are_linked(busy):
    """Secret → consuming Pod, Pod → PVC → PV, and a bare docker container → its machine."""
    graph = export_cluster(busy.to_dict())["graph"]
    ids = node_ids(graph)
    found = edges(graph)
    assert (ids["🔐 Secret db-secret"], "env", ids["Pod api"]) in found
    pvc = ids["PVC data"]
    assert (ids["Pod db"], "mounts", pvc) in found
    pv = next(i for label, i in ids.items() if label.startswith("💾 PV pvc-"))
    assert (pvc, "bound", pv) in found
    assert (ids["🐳 docker web1"], "docker run", ids["🖥 worker-1"]) in found


def test_node_ids_are_mermaid_safe_and_labels_escaped(busy):
    """Node ids are generated ASCII words (no dashes, dots or keywords); no label holds a raw quote."""
    graph = export_cluster(busy.to_dict())["graph"]
    for nid in node_ids(graph).values():
        assert re.fullmatch(r"[a-z]+_\d+", nid)
    assert escape_label('a "b" <i>c</i>; #1 | x') == "a #quot;b#quot; #lt;i#gt;c#lt;/i#gt;#59; #35;1 #124; x"


def test_the_trace_follows_the_six_steps_of_the_last_command(busy):
    """The trace shows user → API server → etcd → controllers → scheduler for `kubectl scale`."""
    trace = export_cluster(busy.to_dict())["trace"]
    assert "sequenceDiagram" in trace
    lines = [line.strip() for line in trace.splitlines() if "->>" in line]
    assert lines[0] == "user->>apiserver: ① kubectl scale deployment web --replicas=4"
    order = [line.split(":")[0] for line in lines]
    assert (
        order.index("apiserver->>etcd")
        < order.index("apiserver->>controllers")
        < order.index("apiserver->>scheduler")
    )
    assert "participant apiserver as API Server" in trace and "box 마스터 노드 (Control Plane)" in trace


def test_a_docker_command_goes_to_the_docker_engine_not_the_api_server():
    """After `docker run` the trace goes from the user to Docker; the control plane is not involved."""
    cluster = Cluster(workers=2, seed=7)
    run(cluster, "docker run -d --name web1 nginx:1.20")
    trace = export_cluster(cluster.to_dict())["trace"]
    arrows = [line.strip() for line in trace.splitlines() if "->>" in line]
    assert arrows[0] == "user->>docker: ① docker run -d --name web1 nginx:1.20"
    assert not any(a.startswith("apiserver") for a in arrows)


def test_a_command_with_syntax_characters_is_escaped_in_the_trace():
    """A command holding `;`, quotes or angle brackets cannot break the sequence diagram."""
    cluster = Cluster(workers=1, seed=7)
    run(cluster, "kubectl create secret generic s --from-literal='p=a;b\"<x>#'")
    trace = export_cluster(cluster.to_dict())["trace"]
    first = next(line for line in trace.splitlines() if line.strip().startswith("user->>"))
    message = first.split(": ", 1)[1]
    # Mermaid decodes `#59;`-style entity codes before parsing, so only raw characters are a danger.
    assert "#59;" in message and "#quot;" in message
    assert not set(re.sub(r"#\w+;", "", message)) & set(';"<>#')


def test_an_empty_cluster_exports_machines_and_an_empty_trace():
    """None (a fresh cluster) gives the four machines and a trace saying no command ran yet."""
    out = export_cluster(None)
    assert set(out) == {"graph", "trace"}
    assert out["graph"].count(":::machine") == 4 and "-->" not in out["graph"]
    assert "아직 실행한 명령이 없습니다" in out["trace"]


def test_export_uses_no_network_and_never_builds_a_mermaid_renderer(busy, monkeypatch):
    """Exporting opens no socket and never instantiates mermaid.Mermaid (which would call a web service)."""
    from course.mermaid_py import load_mermaid

    mermaid = load_mermaid()

    def refuse(*args, **kwargs):
        raise AssertionError("the export tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(mermaid.Mermaid, "__init__", refuse)
    out = export_cluster(busy.to_dict())
    assert out["graph"].startswith("---\ntitle: 클러스터 객체 그래프")


def test_the_export_is_deterministic(busy):
    """The same state gives the same text (classDef lines sorted, ids in object order)."""
    state = busy.to_dict()
    assert export_cluster(state) == export_cluster(json.loads(json.dumps(state)))


@pytest.mark.browser
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} not found: install Debian's chromium")
def test_vendored_mermaid_renders_both_diagrams(busy, tmp_path):
    """The vendored mermaid 12 renders the graph and the trace to SVG without a parse error."""
    from playwright.sync_api import sync_playwright

    cluster = Cluster(workers=1, seed=7)
    run(cluster, "kubectl create secret generic s --from-literal='p=a;b\"<x>#'")
    texts = [*export_cluster(busy.to_dict()).values(), *export_cluster(None).values()]
    texts.append(export_cluster(cluster.to_dict())["trace"])
    page = tmp_path / "render.html"
    page.write_text(
        f'<!doctype html><meta charset="utf-8"><script src="{MERMAID_JS.as_uri()}"></script><body></body>',
        encoding="utf-8",
    )
    script = """async (texts) => {
      mermaid.initialize({startOnLoad: false, securityLevel: "strict"});
      const out = [];
      for (const [i, text] of texts.entries()) {
        try { const r = await mermaid.render("m" + i, text); out.push(r.svg.includes("<svg") ? "ok" : "empty"); }
        catch (e) { out.push(String(e.message || e)); }
      }
      return out;
    }"""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            tab = browser.new_page()
            tab.goto(page.as_uri())
            tab.wait_for_function("window.mermaid !== undefined")
            results = tab.evaluate(script, texts)
        finally:
            browser.close()
    assert results == ["ok"] * len(texts)
