"""A failed console command rolls back exactly (undo.Checkpoint), whatever kind of failure stopped it.

For each failure the state afterwards is byte for byte the `to_dict()` of before, and the cluster then behaves
as a twin that never ran the command: both advance 60 s and run the same commands, and stay equal.
"""

import json

import pytest

from visualizer.engine import Cluster
from visualizer.engine.journal import TrackedDict

from .conftest import SERVICE, ok, web


def settled() -> Cluster:
    """A 3-worker cluster with a Deployment behind a Service, a bare pod and a Docker container, settled."""
    c = Cluster(workers=3, seed=11)
    ok(c, "kubectl apply -f -", web(replicas=5))
    ok(c, "kubectl apply -f -", SERVICE)
    ok(c, "kubectl run bare --image=nginx:1.21")
    ok(c, "docker run -d --name box --restart always nginx:1.21")
    c.advance(30)
    return c


def state(c: Cluster) -> str:
    return json.dumps(c.to_dict(), sort_keys=False)


def assert_like_twin(c: Cluster, twin: Cluster) -> None:
    """The rolled-back cluster and its twin stay identical through time and further commands."""
    assert state(c) == state(twin)
    assert c.advance(60) == twin.advance(60)
    assert state(c) == state(twin)
    for command in ("kubectl scale deployment web --replicas=7", "sim crash bare", "kubectl delete pod bare"):
        assert c.run(command).to_dict() == twin.run(command).to_dict()
    assert c.advance(60) == twin.advance(60)
    assert state(c) == state(twin)
    assert c.snapshot() == twin.snapshot()


BAD_YAML_SECOND_DOCUMENT = (
    web(replicas=2).replace("name: web", "name: other", 1)
    + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: [\n"
)
INVALID_SECOND_OBJECT = (
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: first}\ndata: {a: b}\n---\n"
    "apiVersion: v1\nkind: Service\nmetadata: {name: broken}\nspec: {ports: [{port: 99999}]}\n"
)


@pytest.mark.parametrize(
    ("command", "stdin"),
    [
        ("kubectl apply -f -", INVALID_SECOND_OBJECT),  # validation error after a first object was stored
        ("kubectl create deployment api --image=nginx -n nowhere", None),  # admission: namespace not found
        ("kubectl scale deployment web --replicas=100000", None),  # refused by a limit
        ("kubectl apply -f -", BAD_YAML_SECOND_DOCUMENT),  # YAML error in the second document
        ("kubectl delete pod does-not-exist", None),
    ],
)
def test_a_refused_command_changes_nothing(command, stdin):
    c, twin = settled(), settled()
    before = state(c)
    result = c.run(command, stdin=stdin)
    assert not result.ok
    assert state(c) == before
    assert_like_twin(c, twin)


def test_an_internal_error_after_writes_rolls_everything_back(monkeypatch):
    """A controller that writes (a new pod's sandbox, events, timers, RNG draws) and then raises."""
    c, twin = settled(), settled()
    before = state(c)
    kubelet_sync = c.handlers["kubelet"]
    calls = []

    def broken(key):
        kubelet_sync(key)
        calls.append(key)
        if len(calls) == 3:
            raise RuntimeError("simulated bug")

    monkeypatch.setitem(c.handlers, "kubelet", broken)
    result = c.run("kubectl scale deployment web --replicas=9")
    assert not result.ok and "internal simulator error" in result.output
    assert len(calls) == 3  # the kubelet really ran (and wrote) before the failure
    assert state(c) == before
    monkeypatch.setitem(c.handlers, "kubelet", kubelet_sync)
    assert_like_twin(c, twin)


def test_a_crash_of_a_runtime_write_rolls_back_the_sandbox(monkeypatch):
    """`sim crash` mutates a sandbox in place; a failure after it restores the sandbox as it was."""
    c, twin = settled(), settled()
    before = state(c)
    crash = c.kubelet.crash

    def crash_then_fail(key):
        assert crash(key)
        raise RuntimeError("after the write")

    monkeypatch.setattr(c.kubelet, "crash", crash_then_fail)
    assert not c.run("sim crash bare").ok
    assert state(c) == before
    monkeypatch.setattr(c.kubelet, "crash", crash)
    assert_like_twin(c, twin)


def test_a_failed_docker_command_after_its_writes_is_undone(monkeypatch):
    c, twin = settled(), settled()
    before = state(c)
    from visualizer.engine import runtime

    start = runtime.Runtime._docker_start

    def start_then_fail(self, node, d, restart=False):
        start(self, node, d, restart)
        raise RuntimeError("after docker start")

    monkeypatch.setattr(runtime.Runtime, "_docker_start", start_then_fail)
    assert not c.run("docker run -d --name second nginx:1.21").ok
    assert state(c) == before
    monkeypatch.setattr(runtime.Runtime, "_docker_start", start)
    assert_like_twin(c, twin)


def test_a_partial_failure_keeps_its_writes_and_closes_the_journal():
    """kubectl drain cordons before it refuses a bare pod: the cordon stays, and later rollbacks still work."""
    c = settled()
    node = next(p for p in c.store.list("Pod") if p["metadata"]["name"] == "bare")["spec"]["nodeName"]
    before = state(c)
    result = c.run(f"kubectl drain {node}")
    assert not result.ok and "cannot delete Pods that declare no controller" in result.output
    assert state(c) != before
    cordoned = next(n for n in c.store.list("Node") if n["metadata"]["name"] == node)
    assert cordoned["spec"].get("unschedulable") is True
    twin = Cluster.from_dict(c.to_dict())
    after_partial = state(c)
    assert not c.run("kubectl create deployment api --image=nginx -n nowhere").ok
    assert state(c) == after_partial
    assert c.advance(60) == twin.advance(60)
    assert state(c) == state(twin)


def test_a_successful_command_is_kept_and_leaves_no_journal_open():
    c = settled()
    ok(c, "kubectl scale deployment web --replicas=6")
    assert c.store._undo is None and c.runtime._undo is None
    assert all(m._undo is None for m in c.runtime.sandbox_maps().values())
    assert len(c.store.pods_matching("default", {"app": "web"})) == 6


def test_sandbox_maps_track_what_they_hand_out():
    m = TrackedDict({"a": {"x": 1}, "b": {"x": 2}})
    m.get("a")
    m["c"] = {"x": 3}
    m.pop("b")
    assert m.touched == {"a": False, "c": True, "b": True}
    m.reset_touched()
    m.open_undo()
    m["a"]["x"] = 10
    del m["c"]
    m["d"] = {}
    m.close_undo(rollback=True)
    assert list(m.items()) == [("a", {"x": 1}), ("c", {"x": 3})]
