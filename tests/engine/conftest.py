"""Shared helpers for engine tests: a small cluster, YAML snippets, and accessors through the public API."""

import json

import pytest

from visualizer.engine import Cluster

WEB = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: web}}
  template:
    metadata:
      labels: {{app: web}}
    spec:
      containers:
      - name: nginx
        image: {image}
        ports: [{{containerPort: 80}}]
        resources: {{requests: {{cpu: 100m, memory: 64Mi}}}}
"""

SERVICE = """
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 80}]
"""


def web(replicas=3, image="nginx:1.20"):
    """Returns the YAML of the `web` Deployment."""
    return WEB.format(replicas=replicas, image=image)


@pytest.fixture
def cluster():
    """A fresh 3-worker cluster with seed 7."""
    return Cluster(workers=3, seed=7)


def ok(c, command, stdin=None):
    """Runs a command that must succeed and returns its result."""
    result = c.run(command, stdin=stdin)
    assert result.ok, result.output
    return result


def get(c, what):
    """Returns the items of `kubectl get WHAT -o json`."""
    output = ok(c, f"kubectl get {what} -o json").output
    if output.startswith("Warning: "):  # the API server's warning (v1 Endpoints), shown before the object
        output = output.split("\n", 1)[1]
    data = json.loads(output)
    return data["items"] if data.get("kind") == "List" else [data]


def pods(c, prefix=""):
    """Returns pod objects whose name starts with prefix."""
    return [p for p in get(c, "pods") if p["metadata"]["name"].startswith(prefix)]


def running_ready(c, prefix=""):
    """Returns the names of Running and Ready pods (not terminating)."""
    out = []
    for p in pods(c, prefix):
        conds = {cd["type"]: cd["status"] for cd in p["status"].get("conditions", [])}
        if (
            p["status"]["phase"] == "Running"
            and conds.get("Ready") == "True"
            and not p["metadata"].get("deletionTimestamp")
        ):
            out.append(p["metadata"]["name"])
    return out


def deployment(c, name="web"):
    """Returns the Deployment object."""
    return json.loads(ok(c, f"kubectl get deployment {name} -o json").output)


def reasons(events):
    """Returns the list of event reasons."""
    return [e["reason"] for e in events]
