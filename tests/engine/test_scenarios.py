"""One scenario per core feature of the lesson (개념 2), plus imperative vs declarative (개념 1).

Each scenario drives the cluster only through command text and `advance`, as a student at the console would,
and asserts on what kubectl/docker print, on `-o json` objects, on the snapshot and on the emitted events.
"""

import base64
import json

from visualizer.engine import Cluster

from .conftest import SERVICE, deployment, get, ok, pods, running_ready, web


def test_scenario_1_container_deployment():
    """Deployment → ReplicaSet → pods: pulled, started, Ready; a typo'd image backs off; an oversize pod pends."""
    c = Cluster(workers=3, seed=7)
    events = ok(c, "kubectl apply -f -", web(3)).events
    assert [e["component"] for e in events[:2]] == ["apiserver", "etcd"]
    rs = get(c, "rs")[0]["metadata"]["name"]
    assert rs.startswith("web-") and all(p["metadata"]["name"].startswith(rs + "-") for p in pods(c, "web-"))
    events = c.advance(10)
    assert {"Pulling", "Pulled", "Created", "Started"} <= {e["reason"] for e in events}
    assert "3/3" in ok(c, "kubectl get deploy web").output
    ok(c, "kubectl create deployment typo --image=ngnix:1.20")
    c.advance(15)
    assert any(
        s in ok(c, "kubectl get pods -l app=typo").output for s in ("ErrImagePull", "ImagePullBackOff")
    )
    ok(c, "kubectl apply -f -", web(1).replace("name: web", "name: huge").replace("cpu: 100m", "cpu: '64'"))
    huge = pods(c, "huge-")[0]
    assert huge["status"]["phase"] == "Pending"
    assert "Insufficient cpu" in ok(c, f"kubectl describe pod {huge['metadata']['name']}").output


def test_scenario_2_service_discovery():
    """A Service gets a ClusterIP and a DNS name; its Endpoints hold only ready pods."""
    c = Cluster(workers=3, seed=7)
    ok(c, "kubectl apply -f -", web(2) + "---\n" + SERVICE)
    ok(c, "kubectl run client --image=busybox:1.36 -- sleep 3600")
    c.advance(15)
    ip = get(c, "svc web")[0]["spec"]["clusterIP"]
    assert f"Address: {ip}" in ok(c, "kubectl exec client -- nslookup web.default.svc.cluster.local").output
    endpoints = c.snapshot()["services"]["default/web"]["endpoints"]
    assert sorted(e["pod"] for e in endpoints) == sorted(running_ready(c, "web-"))
    ok(c, "kubectl scale deployment web --replicas=3")
    new = [p["metadata"]["name"] for p in pods(c, "web-") if p["status"]["phase"] == "Pending"]
    ready_ips = [e["pod"] for e in c.snapshot()["services"]["default/web"]["endpoints"] if e["ready"]]
    assert not set(new) & set(ready_ips)
    c.advance(10)
    assert len([e for e in c.snapshot()["services"]["default/web"]["endpoints"] if e["ready"]]) == 3


def test_scenario_3_load_balancing():
    """kube-proxy spreads requests over the ready pods; curl answers with the serving pod's hostname."""
    c = Cluster(workers=3, seed=7)
    ok(c, "kubectl apply -f -", web(3) + "---\n" + SERVICE)
    ok(c, "kubectl run client --image=busybox:1.36 -- sleep 3600")
    c.advance(15)
    out = ok(c, "sim traffic web 90").output.splitlines()
    assert out[0].startswith("sent 90 requests to service/web")
    counts = c.snapshot()["services"]["default/web"]["requests"]
    assert sorted(counts) == sorted(running_ready(c, "web-")) and sum(counts.values()) == 90
    served = {ok(c, "kubectl exec client -- curl -s http://web").output.splitlines()[0] for _ in range(20)}
    assert served <= {f"Hostname: {name}" for name in running_ready(c, "web-")} and len(served) > 1


def test_scenario_4_auto_scaling():
    """Under load the HPA adds pods (Endpoints follow); when load stops it scales back after 5 minutes."""
    c = Cluster(workers=3, seed=7)
    ok(c, "kubectl apply -f -", web(2).replace("cpu: 100m", "cpu: 200m") + "---\n" + SERVICE)
    c.advance(15)
    ok(c, "kubectl autoscale deployment web --min=2 --max=8 --cpu-percent=50")
    ok(c, "sim load web 180")
    events = c.advance(120)
    assert any(e["reason"] == "SuccessfulRescale" and e["component"] == "hpa" for e in events)
    grown = deployment(c)["spec"]["replicas"]
    assert grown > 2
    assert len([e for e in c.snapshot()["services"]["default/web"]["endpoints"] if e["ready"]]) == grown
    hpa = c.snapshot()["hpas"]["default/web"]
    assert hpa["targetCPU"] == 50 and hpa["currentCPU"] is not None
    ok(c, "sim load web 0")
    c.advance(200)
    assert deployment(c)["spec"]["replicas"] == grown
    c.advance(200)
    assert deployment(c)["spec"]["replicas"] == 2


def test_scenario_5_health_checks():
    """Liveness failures restart the container, readiness failures drop it from Endpoints, dead nodes evict."""
    c = Cluster(workers=3, seed=7)
    probes = "        livenessProbe: {httpGet: {path: /, port: 80}}\n        readinessProbe: {httpGet: {path: /, port: 80}}\n"
    ok(
        c,
        "kubectl apply -f -",
        web(3).replace("        resources:", probes + "        resources:") + "---\n" + SERVICE,
    )
    c.advance(15)
    a, b, _ = sorted(running_ready(c, "web-"))
    ok(c, f"sim probe-fail {a} liveness")
    events = c.advance(35)
    assert any(e["reason"] == "Unhealthy" and "Liveness probe failed" in e["message"] for e in events)
    assert any(e["reason"] == "Killing" and "failed liveness probe" in e["message"] for e in events)
    ok(c, f"sim probe-ok {a}")
    assert pods(c, a)[0]["status"]["containerStatuses"][0]["restartCount"] >= 1
    ok(c, f"sim probe-fail {b} readiness")
    c.advance(35)
    ready = {e["pod"] for e in c.snapshot()["services"]["default/web"]["endpoints"] if e["ready"]}
    assert b not in ready
    assert c.snapshot()["pods"][f"default/{b}"]["probes"]["readiness"] == "failing"
    ok(c, f"sim probe-ok {b}")
    c.advance(15)
    node = pods(c, b)[0]["spec"]["nodeName"]
    ok(c, f"sim fail-node {node}")
    c.advance(60)
    assert c.snapshot()["nodes"][node]["status"] == "NotReady"
    c.advance(320)
    live = [p for p in pods(c, "web-") if not p["metadata"].get("deletionTimestamp")]
    assert len(live) == 3 and all(p["spec"]["nodeName"] != node for p in live)
    c.advance(15)
    assert len(running_ready(c, "web-")) == 3


def test_scenario_6_rolling_update():
    """v1 → v2 mixes versions without downtime; a bad image stalls, rollout undo recovers; history is kept."""
    c = Cluster(workers=3, seed=7)
    ok(c, "kubectl apply -f -", web(4) + "---\n" + SERVICE)
    ok(c, "kubectl run client --image=busybox:1.36 -- sleep 3600")
    c.advance(15)
    ok(c, "kubectl set image deployment/web nginx=nginx:1.21 --record")
    c.advance(3)
    images = {
        p["spec"]["containers"][0]["image"]
        for p in pods(c, "web-")
        if not p["metadata"].get("deletionTimestamp")
    }
    assert images == {"nginx:1.20", "nginx:1.21"}
    assert len(running_ready(c, "web-")) >= 3
    c.advance(40)
    assert ok(c, "kubectl rollout status deployment/web").output == 'deployment "web" successfully rolled out'
    ok(c, "kubectl set image deployment/web nginx=nginx:1.2l")  # typo: letter l
    c.advance(60)
    assert "ImagePullBackOff" in ok(c, "kubectl get pods").output
    assert len(running_ready(c, "web-")) == 3
    assert ok(c, "kubectl exec client -- curl web").output.startswith("Hostname: web-")
    ok(c, "kubectl rollout undo deployment/web")
    c.advance(40)
    assert {p["spec"]["containers"][0]["image"] for p in pods(c, "web-")} == {"nginx:1.21"}
    history = ok(c, "kubectl rollout history deployment/web").output
    assert "kubectl set image deployment/web nginx=nginx:1.21 --record=true" in history


def test_scenario_7_secret_management():
    """Secrets from literals and stringData reach env vars and files; etcd shows base64 until encryption."""
    c = Cluster(workers=3, seed=7)
    ok(c, "kubectl create secret generic db --from-literal=password=s3cret")
    ok(
        c,
        "kubectl apply -f -",
        "apiVersion: v1\nkind: Secret\nmetadata: {name: api}\nstringData: {key: abc123}\n",
    )
    pod = """
apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers:
  - name: app
    image: busybox:1.36
    command: ["sh", "-c", "sleep 3600"]
    env:
    - name: DB_PASSWORD
      valueFrom: {secretKeyRef: {name: db, key: password}}
    envFrom: [{secretRef: {name: api}}]
    volumeMounts: [{name: creds, mountPath: /etc/creds, readOnly: true}]
  volumes: [{name: creds, secret: {secretName: db}}]
"""
    ok(c, "kubectl apply -f -", pod)
    c.advance(10)
    assert ok(c, "kubectl exec app -- printenv DB_PASSWORD").output == "s3cret"
    assert ok(c, "kubectl exec app -- printenv key").output == "abc123"
    assert ok(c, "kubectl exec app -- cat /etc/creds/password").output == "s3cret"
    assert "Read-only file system" in c.run('kubectl exec app -- sh -c "echo x > /etc/creds/password"').output
    secret = json.loads(ok(c, "kubectl get secret api -o json").output)
    assert base64.b64decode(secret["data"]["key"]).decode() == "abc123" and "stringData" not in secret
    assert "NAME   TYPE     DATA   AGE" in ok(c, "kubectl get secrets").output
    item = c.snapshot()["pods"]["default/app"]
    assert {s["as"] for s in item["secrets"]} == {"env", "envFrom", "volume"}
    assert c.snapshot()["secrets"]["default/db"] == {
        "name": "db",
        "namespace": "default",
        "type": "Opaque",
        "keys": ["password"],
    }
    assert "czNjcmV0" in c.snapshot()["etcd"]["/registry/secrets/default/db"]["value"]
    ok(c, "sim encrypt-at-rest on")
    assert c.snapshot()["etcd"]["/registry/secrets/default/db"]["value"].startswith("k8s:enc:aescbc:v1:")


def test_scenario_8_storage_management():
    """A PVC is provisioned by the default class; its files survive pod deletion, emptyDir files do not."""
    c = Cluster(workers=3, seed=7)
    manifest = """
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db}
spec:
  replicas: 1
  strategy: {type: Recreate}
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - name: redis
        image: redis:7
        volumeMounts: [{name: data, mountPath: /data}, {name: tmp, mountPath: /scratch}]
      volumes:
      - {name: data, persistentVolumeClaim: {claimName: data}}
      - {name: tmp, emptyDir: {}}
"""
    ok(c, "kubectl apply -f -", manifest)
    c.advance(10)
    pvc = get(c, "pvc data")[0]
    assert pvc["status"]["phase"] == "Bound" and pvc["spec"]["storageClassName"] == "standard"
    pv = get(c, f"pv {pvc['spec']['volumeName']}")[0]
    assert pv["spec"]["persistentVolumeReclaimPolicy"] == "Delete" and pv["status"]["phase"] == "Bound"
    assert "standard (default)" in ok(c, "kubectl get storageclass").output
    first = pods(c, "db-")[0]["metadata"]["name"]
    ok(c, f"kubectl exec {first} -- sh -c 'echo kept > /data/note; echo gone > /scratch/note'")
    ok(c, f"kubectl delete pod {first}")
    # The replacement may land on another node: it waits for the volume to detach (Multi-Attach) and pulls.
    c.advance(30)
    second = running_ready(c, "db-")[0]
    assert second != first
    assert ok(c, f"kubectl exec {second} -- cat /data/note").output == "kept"
    assert "No such file or directory" in c.run(f"kubectl exec {second} -- cat /scratch/note").output
    ok(
        c,
        "kubectl apply -f -",
        "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: manual}\nspec:\n"
        "  capacity: {storage: 5Gi}\n  accessModes: [ReadOnlyMany]\n  storageClassName: ''\n  hostPath: {path: /x}\n",
    )
    ok(
        c,
        "kubectl apply -f -",
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: shared}\nspec:\n"
        "  accessModes: [ReadWriteMany]\n  storageClassName: ''\n  resources: {requests: {storage: 1Gi}}\n",
    )
    assert get(c, "pvc shared")[0]["status"]["phase"] == "Pending"  # access modes do not match


def test_imperative_docker_run_versus_declarative_deployment():
    """docker run containers stay gone when removed or their node dies; a Deployment keeps being restored."""
    c = Cluster(workers=3, seed=7)
    for _ in range(3):
        ok(c, "docker run -d nginx:1.20")
    ok(c, "kubectl create deployment web --image=nginx:1.20 --replicas=3")
    c.advance(15)
    bare = sorted(k for k, v in c.snapshot()["pods"].items() if v["bare"])
    assert len(bare) == 3 and all(k.startswith("docker/worker-1/") for k in bare)
    victim = bare[0].rsplit("/", 1)[1]
    ok(c, f"docker rm -f {victim}")
    c.advance(60)
    assert len([v for v in c.snapshot()["pods"].values() if v["bare"]]) == 2
    pod = running_ready(c, "web-")[0]
    ok(c, f"kubectl delete pod {pod}")
    c.advance(15)
    assert len(running_ready(c, "web-")) == 3 and pod not in running_ready(c, "web-")
    ok(c, "sim fail-node worker-1")
    c.advance(400)
    assert "Cannot connect to the Docker daemon" in c.run("docker ps").output
    assert all(v["status"].startswith("Exited") for v in c.snapshot()["pods"].values() if v["bare"])
    live = running_ready(c, "web-")
    assert len(live) == 3
    assert all(p["spec"]["nodeName"] != "worker-1" for p in pods(c, "web-") if p["metadata"]["name"] in live)
