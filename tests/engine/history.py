"""Records what a seeded cluster does, tick by tick, so that engine speed-ups can be checked to change nothing.

A history is a list of JSON-ready lines, one per tick in which something happened: the events `advance()`
returned (every key, text included) and the pods whose state changed since the previous line (name, node,
phase, conditions, container states, deletion timestamp, image), keys in the order the engine writes them (so a
changed key order shows too). `python -m tests.engine.history` rewrites the
fixture; do that only when a behaviour change is intended, never to make a speed-up pass.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.engine.world.examples import HELLO_CRONJOB, PI_JOB, WEB_STATEFULSET
from visualizer.engine import Cluster

FIXTURE = Path(__file__).parent / "fixtures" / "history.json"
NEW_IMAGE = "nginx:1.21"


def manifest(name: str, replicas: int) -> str:
    """Returns the YAML of one nginx:1.20 Deployment with requests and HTTP probes, and its Service: the
    workload of `python -m bench engine`, kept here so that a change to the benchmark cannot move the fixture."""
    return f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
        app: {name}
    spec:
      containers:
      - name: nginx
        image: nginx:1.20
        ports:
        - containerPort: 80
        resources:
          requests:
            cpu: 20m
            memory: 32Mi
        readinessProbe:
          httpGet:
            path: /
            port: 80
        livenessProbe:
          httpGet:
            path: /
            port: 80
---
apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  selector:
    app: {name}
  ports:
  - port: 80
    targetPort: 80
"""


def _pods(cluster: Cluster) -> dict[str, str]:
    """Returns {namespace/name: compact JSON of what a viewer sees of the pod} from `kubectl get pods -A`."""
    result = cluster.run("kubectl get pods -A -o json")
    assert result.ok, result.output
    seen = {}
    for pod in json.loads(result.output)["items"]:
        meta, spec, status = pod["metadata"], pod["spec"], pod.get("status", {})
        seen[f"{meta['namespace']}/{meta['name']}"] = json.dumps(
            {
                "node": spec.get("nodeName"),
                "image": [c["image"] for c in spec["containers"]],
                "deleting": meta.get("deletionTimestamp"),
                "rv": meta.get("resourceVersion"),
                "status": status,
            },
            separators=(",", ":"),
        )
    return seen


class Recorder:
    """Advances a cluster and keeps one line per eventful tick."""

    def __init__(self, cluster: Cluster):
        self.cluster = cluster
        self.lines: list[dict] = []
        self._pods: dict[str, str] = _pods(cluster)
        self._version = cluster.version

    def run(self, command: str, stdin: str | None = None) -> None:
        """Runs a console command and records its output and events."""
        result = self.cluster.run(command, stdin=stdin)
        self.lines.append(
            {"t": self.cluster.now, "command": command, "ok": result.ok, "output": result.output}
        )
        self._note([])

    def advance(self, seconds: float, tick: float) -> None:
        """Advances `seconds` of simulated time in steps of `tick`."""
        for _ in range(round(seconds / tick)):
            self._note(self.cluster.advance(tick))

    def _note(self, events: list[dict]) -> None:
        if self.cluster.version == self._version and not events:
            return  # no object was written (every store write bumps the version)
        self._version = self.cluster.version
        pods = _pods(self.cluster)
        changed = {k: v for k, v in pods.items() if self._pods.get(k) != v}
        gone = sorted(set(self._pods) - set(pods))
        self._pods = pods
        if events or changed or gone:
            self.lines.append(
                {
                    "t": self.cluster.now,
                    "events": events,
                    "pods": {k: json.loads(v) for k, v in sorted(changed.items())},
                    "gone": gone,
                }
            )


def classroom_rollout(seed: int) -> list[dict]:
    """The bench's classroom rollout (5 workers, 30 pods in one nginx Deployment with probes behind a
    Service, ticks of 0.1 s): start-up for 40 s, `kubectl set image`, 60 s of rollout."""
    rec = Recorder(Cluster(workers=5, seed=seed))
    rec.run("kubectl apply -f -", manifest("web0", 30))
    rec.advance(40, 0.1)
    rec.run(f"kubectl set image deployment/web0 nginx={NEW_IMAGE}")
    rec.advance(60, 0.1)
    return rec.lines


def mixed_workloads(seed: int) -> list[dict]:
    """A StatefulSet, a Job, a CronJob and a scaled, cordoned and drained Deployment on 3 workers, in ticks of
    0.5 and 2 simulated seconds (so the clock also jumps over idle stretches)."""
    rec = Recorder(Cluster(workers=3, seed=seed))
    rec.run("kubectl apply -f -", manifest("web", 4))
    rec.run("kubectl apply -f -", WEB_STATEFULSET)
    rec.run("kubectl apply -f -", PI_JOB)
    rec.run("kubectl apply -f -", HELLO_CRONJOB)
    rec.advance(30, 0.5)
    rec.run("kubectl scale deployment/web --replicas=7")
    rec.advance(20, 0.5)
    rec.run("kubectl cordon worker-1")
    rec.run("kubectl delete pod -l app=web --wait=false")
    rec.advance(40, 0.5)
    rec.run("kubectl uncordon worker-1")
    rec.run("kubectl scale deployment/web --replicas=2")
    rec.advance(200, 2)
    return rec.lines


SCENARIOS = {
    "classroom_rollout/7": lambda: classroom_rollout(7),
    "classroom_rollout/12": lambda: classroom_rollout(12),
    "mixed_workloads/3": lambda: mixed_workloads(3),
}


def record_all() -> dict[str, list[dict]]:
    """Returns every scenario's history."""
    return {name: make() for name, make in SCENARIOS.items()}


def dump(histories: dict[str, list[dict]]) -> str:
    """Returns the fixture text: one history line per text line, so that a difference reads well in a diff."""
    parts = []
    for name, lines in sorted(histories.items()):
        body = ",\n".join(json.dumps(line, ensure_ascii=False) for line in lines)
        parts.append(f"{json.dumps(name)}: [\n{body}\n]")
    return "{\n" + ",\n".join(parts) + "\n}\n"


if __name__ == "__main__":
    FIXTURE.write_text(dump(record_all()))
    print(f"wrote {FIXTURE} ({FIXTURE.stat().st_size:,} bytes)")
