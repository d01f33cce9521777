"""Writes engine snapshots for the drawing harness (index.html): `python tests/visualizer/harness/make_snapshots.py`.

A classroom-sized cluster (5 workers, ~30 pods) mid rolling update with a Service under traffic, an HPA, a
Secret, a PVC, bare `docker run` containers, a cordoned node, a NotReady node, and readiness and liveness
failures, so every kind of card and badge appears in one picture.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from visualizer.engine import Cluster  # noqa: E402


def classroom() -> dict:
    c = Cluster(workers=5, seed=1)
    for cmd in [
        "kubectl create deployment web --image=nginx:1.20 --replicas=12",
        "kubectl expose deployment web --port=80",
        "kubectl create secret generic db-secret --from-literal=DB_PASSWORD=s3cr3t",
        "docker run -d --name legacy nginx:1.20",
        "docker run -d --name legacy2 redis:7.2",
    ]:
        assert c.run(cmd).ok, cmd
    r = c.run("kubectl apply -f -", stdin=API_AND_DB)
    assert r.ok, r.output
    c.advance(20)
    r = c.run("kubectl autoscale deployment api --cpu-percent=50 --min=2 --max=10")
    assert r.ok, r.output
    c.run("sim load api 80")
    c.run("sim traffic web 40")
    c.run("sim fail-node worker-5")
    c.advance(45)
    c.run("kubectl cordon worker-4")
    pods = sorted(
        p["metadata"]["name"]
        for p in json.loads(c.run("kubectl get pods -l app=api -o json").output)["items"]
    )
    print(c.run(f"sim probe-fail {pods[0]} readiness").output)
    print(c.run(f"sim probe-fail {pods[1]} liveness").output)
    c.advance(15)
    c.run("kubectl set image deployment/web nginx=nginx:1.21")
    c.advance(3)
    c.run("sim traffic web 20")
    return c.snapshot()


API_AND_DB = """apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db}
spec:
  replicas: 1
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
        - name: redis
          image: redis:7.2
          env: [{name: PW, valueFrom: {secretKeyRef: {name: db-secret, key: DB_PASSWORD}}}]
          volumeMounts: [{name: data, mountPath: /data}]
      volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  replicas: 6
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
        - name: httpd
          image: httpd:2.4
          resources: {requests: {cpu: 100m}}
          readinessProbe: {httpGet: {path: /, port: 80}, periodSeconds: 5}
          livenessProbe: {httpGet: {path: /, port: 80}, periodSeconds: 5, failureThreshold: 2}
"""


def small() -> dict:
    c = Cluster(workers=3, seed=7)
    c.run("kubectl create deployment web --image=nginx:1.20 --replicas=3")
    c.advance(2)
    return c.snapshot()


if __name__ == "__main__":
    out = Path(__file__).with_name("snapshots.json")
    out.write_text(json.dumps({"classroom": classroom(), "small": small()}, ensure_ascii=False))
    print(out)
