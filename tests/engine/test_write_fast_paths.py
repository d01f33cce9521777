"""Fast paths of the busiest writes (issue 12 §5) give exactly what the general code gives.

The store tells watchers when a pod write changed nothing but its status (`Store.status_write`, with the pod's
readiness before and after), and the cluster's watcher then takes `_pod_status_changed` instead of
`_pod_changed`. These tests run both on the same writes of a real rollout and compare the queues and the
change log they leave.
"""

from __future__ import annotations

import pytest

from tests.engine.history import NEW_IMAGE, manifest
from visualizer.engine import Cluster
from visualizer.engine.store import _status_only, controller_uid, pod_ready

# Readiness that goes away and comes back while the pod keeps running (a ready flip with no phase or IP
# change), behind a Service; Job pods that finish (a status write turning a bound pod terminal), which retries
# the scheduling of a pod that fits nowhere.
FLIPS_AND_JOB = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: flip
spec:
  replicas: 2
  selector:
    matchLabels: {app: flip}
  template:
    metadata:
      labels: {app: flip}
    spec:
      containers:
      - name: c
        image: busybox:1.36
        command: ["sh", "-c", "touch /tmp/ready; sleep 8; rm /tmp/ready; sleep 8; touch /tmp/ready; sleep 3600"]
        readinessProbe:
          exec: {command: ["cat", "/tmp/ready"]}
          periodSeconds: 1
---
apiVersion: v1
kind: Service
metadata:
  name: flip
spec:
  selector: {app: flip}
  ports:
  - port: 80
---
apiVersion: batch/v1
kind: Job
metadata:
  name: pi
spec:
  completions: 3
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: pi
        image: busybox:1.36
        command: ["sh", "-c", "sleep 2; exit 0"]
---
apiVersion: v1
kind: Pod
metadata:
  name: too-big
spec:
  containers:
  - name: c
    image: nginx:1.20
    resources:
      requests:
        cpu: "100"
"""


def _rolled_out(cluster: Cluster) -> None:
    """A Deployment of six probed nginx pods behind a Service, rolled out to a new image."""
    assert cluster.run("kubectl apply -f -", stdin=manifest("web", 6)).ok
    cluster.advance(20)
    assert cluster.run(f"kubectl set image deployment/web nginx={NEW_IMAGE}").ok
    for _ in range(120):
        cluster.advance(0.5)


def _flips_and_job(cluster: Cluster) -> None:
    assert cluster.run("kubectl apply -f -", stdin=FLIPS_AND_JOB).ok
    for _ in range(80):
        cluster.advance(0.5)


def test_watchers_see_the_readiness_pair_exactly_during_status_only_pod_writes():
    """During a status-only pod write watchers read (ready before, ready after, owner uid); else None."""
    cluster = Cluster(workers=3, seed=5)
    seen = {"status": 0, "other": 0}

    def watcher(etype, key, old, new):
        flag = cluster.store.status_write
        if old is not None and new is not None and new["kind"] == "Pod" and _status_only(old, new):
            assert flag == (pod_ready(old), pod_ready(new), controller_uid(new))
            seen["status"] += 1
        else:
            assert flag is None
            seen["other"] += 1

    cluster.store.watchers.append(watcher)
    _rolled_out(cluster)
    assert seen["status"] > 20 and seen["other"] > 20
    assert cluster.store.status_write is None  # nothing left set between writes


@pytest.mark.parametrize("scenario", [_rolled_out, _flips_and_job])
def test_status_only_fast_path_queues_and_logs_what_the_general_path_does(scenario):
    """For every status-only pod write of a scenario, `_pod_status_changed` leaves the same work queues (same
    keys, same order) and the same change-log entries as `_pod_changed`."""
    cluster = Cluster(workers=3, seed=2)
    fast = cluster._pod_status_changed
    compared = {"writes": 0, "ready flips": 0, "finished": 0}

    def both(key, old, new, ready):
        queues = {q: dict(v) for q, v in cluster.queues.items()}
        version, log = cluster.version, list(cluster._log)
        cluster._pod_changed(key, old, new)
        general = ({q: list(v) for q, v in cluster.queues.items()}, cluster.version, list(cluster._log))
        for q, v in cluster.queues.items():
            v.clear()
            v.update(queues[q])
        cluster.version = version
        cluster._log[:] = log
        fast(key, old, new, ready)
        assert (
            {q: list(v) for q, v in cluster.queues.items()},
            cluster.version,
            list(cluster._log),
        ) == general
        compared["writes"] += 1
        compared["ready flips"] += ready[0] != ready[1]
        terminal = ("Succeeded", "Failed")
        compared["finished"] += (new["status"].get("phase") in terminal) != (
            old["status"].get("phase") in terminal
        )

    cluster._pod_status_changed = both
    scenario(cluster)
    assert compared["writes"] >= 15 and compared["ready flips"] >= 4, compared
    if scenario is _flips_and_job:
        assert compared["finished"] == 3, compared


def test_index_maps_stay_exact_when_writes_keep_or_change_labels_and_owners():
    """Writes that keep a pod's uid, owner and labels objects skip re-adding its uid, owner and label entries
    (Store.put); a relabel, a release by its ReplicaSet and an adoption must still move them: the live indexes
    equal a fresh rebuild, and label and owner lookups answer for the new labels and owners."""
    from tests.engine.test_store import _index_view

    cluster = Cluster(workers=2, seed=6)
    assert cluster.run("kubectl apply -f -", stdin=manifest("web", 3)).ok
    cluster.advance(20)
    pods = [p["metadata"]["name"] for p in cluster.store.list("Pod", "default")]
    assert cluster.run(f"kubectl label pod {pods[0]} app=loose --overwrite").ok  # released by its ReplicaSet
    assert cluster.run(f"kubectl label pod {pods[1]} tier=front").ok  # still owned, one more label
    cluster.advance(20)
    assert cluster.run(
        f"kubectl label pod {pods[0]} app=web --overwrite"
    ).ok  # adopted again (then one deleted)
    cluster.advance(20)
    assert cluster.run(f"kubectl delete pod {pods[2]} --wait=false").ok
    cluster.advance(20)
    store = cluster.store
    assert _index_view(store) == _index_view(Cluster.from_dict(cluster.to_dict()).store)
    assert [p["metadata"]["name"] for p in store.pods_matching("default", {"tier": "front"})] == [pods[1]]
    assert store.pods_matching("default", {"app": "loose"}) == []
    rs = store.list("ReplicaSet", "default")[0]
    owned = {p["metadata"]["name"] for p in store.owned(rs["metadata"]["uid"], "Pod")}
    live = {
        p["metadata"]["name"]
        for p in store.list("Pod", "default")
        if not p["metadata"].get("deletionTimestamp")
    }
    assert owned >= live and len(live) == 3


def test_a_replicaset_pass_with_nothing_to_write_stops_before_building_a_status(monkeypatch):
    """Once a ReplicaSet's stored status matches its pod counts, a pass over the same stored object and the
    same counts returns without building a status; when the counts or the object change, it writes again."""
    from visualizer.engine.controllers import replicaset

    cluster = Cluster(workers=2, seed=8)
    assert cluster.run("kubectl apply -f -", stdin=manifest("web", 2)).ok
    cluster.advance(20)
    key = next(
        k for k in cluster.store.by_kind["ReplicaSet"] if k.startswith("/registry/replicasets/default/web-")
    )
    rs = cluster.store.get(key)
    assert rs["status"]["readyReplicas"] == 2

    def no_build(*args):
        raise AssertionError("a settled ReplicaSet's pass built a status")

    with monkeypatch.context() as m:
        m.setattr(replicaset, "omit_zero", no_build)
        cluster.replicasets.sync(key)
    assert cluster.store.get(key) is rs  # nothing written
    assert cluster.run("kubectl scale deployment web --replicas=3").ok
    cluster.advance(20)
    rs = cluster.store.get(key)
    assert (rs["status"]["replicas"], rs["status"]["readyReplicas"]) == (3, 3)


def test_an_update_still_moves_the_pod_to_the_end_of_its_owners_dependents():
    """The owner map keeps the order of the general path: a deletion mark (an update that keeps uid, owners and
    labels) moves the pod's key to the end of its ReplicaSet's dependents, which `owned` keeps between
    dependents of the same name."""
    cluster = Cluster(workers=2, seed=9)
    assert cluster.run("kubectl apply -f -", stdin=manifest("web", 3)).ok
    cluster.advance(20)
    rs_uid = cluster.store.list("ReplicaSet", "default")[0]["metadata"]["uid"]
    first, *others = cluster.store.by_owner[rs_uid]
    assert cluster.run(f"kubectl delete pod {first.rsplit('/', 1)[1]} --wait=false").ok
    after = list(cluster.store.by_owner[rs_uid])
    assert after[: len(others) + 1] == [*others, first]  # (then the replacement the ReplicaSet created)
