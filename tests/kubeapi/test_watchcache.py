"""The watch cache's window (kubeapi/watchcache.py): bounded like the apiserver's cacher, and it forgets the
changes of a console command that was rolled back (they never happened)."""

from visualizer.engine import Cluster
from visualizer.kubeapi.watchcache import CAPACITY, WatchCache


def test_a_rolled_back_command_leaves_no_change_in_the_window(monkeypatch):
    c = Cluster(workers=1, seed=2)
    cache = WatchCache(c)
    rv = cache.revision
    assert c.run("kubectl create configmap kept --from-literal=a=b").ok

    def broken_scheduler(key):
        raise RuntimeError("a bug after the Deployment, ReplicaSet and Pod were stored")

    monkeypatch.setitem(c.handlers, "scheduler", broken_scheduler)
    assert not c.run("kubectl create deployment gone --image=nginx").ok
    monkeypatch.undo()
    names = [ch.obj["metadata"]["name"] for ch in cache.since(rv)]
    assert names == ["kept"]
    assert c.run("kubectl create configmap next --from-literal=a=b").ok
    changes = cache.since(rv)
    assert [ch.obj["metadata"]["name"] for ch in changes] == ["kept", "next"]
    assert [ch.rv for ch in changes] == sorted({ch.rv for ch in changes})


def test_the_window_is_bounded_and_older_watches_are_told_to_relist():
    c = Cluster(workers=1, seed=2)
    cache = WatchCache(c)
    rv = cache.revision
    assert c.run("kubectl create configmap cm --from-literal=k=0").ok
    for i in range(CAPACITY + 10):
        assert c.run(f"kubectl label configmap cm round={i} --overwrite").ok
    assert len(cache.changes) == CAPACITY
    assert cache.since(rv) is None  # 410 Gone: too old resource version
    assert len(cache.since(cache.revision - 3)) == 3
