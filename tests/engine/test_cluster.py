"""The Cluster facade: determinism, exact round trips, the clock, and bad input that changes nothing."""

import json

import pytest

from visualizer.engine import Cluster

from .conftest import SERVICE, ok, web

SCRIPT = [
    ("kubectl apply -f -", web(3) + "---\n" + SERVICE),
    ("advance", 12),
    ("kubectl set image deployment/web nginx=nginx:1.21", None),
    ("advance", 4),
    ("sim traffic web 25", None),
    ("docker run -d nginx:1.20", None),
    ("advance", 30),
]


def _play(c, script):
    for cmd, arg in script:
        if cmd == "advance":
            c.advance(arg)
        else:
            c.run(cmd, stdin=arg)


def test_the_same_seed_and_commands_give_the_same_cluster():
    """Two clusters with the same seed and commands end in identical states."""
    a, b = Cluster(seed=11), Cluster(seed=11)
    _play(a, SCRIPT)
    _play(b, SCRIPT)
    assert a.to_dict() == b.to_dict()


def test_different_seeds_give_different_pod_names():
    """The seed drives generated names."""
    a, b = Cluster(seed=1), Cluster(seed=2)
    _play(a, SCRIPT[:1])
    _play(b, SCRIPT[:1])
    assert a.snapshot()["pods"].keys() != b.snapshot()["pods"].keys()


def test_to_dict_round_trips_exactly_and_continues_identically():
    """from_dict(to_dict()) is JSON-safe, equal, and continues exactly like the original (RNG included)."""
    a = Cluster(seed=5)
    _play(a, SCRIPT[:4])
    data = json.loads(json.dumps(a.to_dict()))
    b = Cluster.from_dict(data)
    assert b.to_dict() == a.to_dict()
    _play(a, SCRIPT[4:])
    _play(b, SCRIPT[4:])
    assert a.to_dict() == b.to_dict()
    assert a.snapshot() == b.snapshot()


def test_from_dict_refuses_foreign_data():
    """from_dict raises ValueError for data that is not a cluster state."""
    with pytest.raises(ValueError):
        Cluster.from_dict({"hello": "world"})


def test_advance_moves_the_clock_and_refuses_negative_time(cluster):
    """advance adds simulated seconds; negative or non-finite values raise ValueError."""
    cluster.advance(2.5)
    assert cluster.now == 2.5
    for bad in (-1, float("nan"), float("inf")):
        with pytest.raises(ValueError):
            cluster.advance(bad)


def test_events_carry_the_documented_fields(cluster):
    """Every event has time, type, reason, object, component, message, ko, en and step."""
    events = ok(cluster, "kubectl apply -f -", web(1)).events + cluster.advance(10)
    assert events
    for e in events:
        assert {"time", "type", "reason", "object", "component", "message", "ko", "en", "step"} <= set(e)
        assert e["type"] in ("Normal", "Warning")
        assert e["step"] in (None, 1, 2, 3, 4, 5, 6)
    components = {e["component"] for e in events}
    assert {
        "apiserver",
        "etcd",
        "scheduler",
        "controller-manager/deployment-controller",
        "controller-manager/replicaset-controller",
    } <= components


BAD_INPUTS = [
    ("", None),
    ("   ", None),
    ("kubectl gett pods", None),
    ("kubectl apply -f -", "kind: [unclosed"),
    ("kubectl apply -f -", "a: &x 1\nb: *x\n"),
    ("kubectl apply -f -", web(-5)),
    ("kubectl delete deployment nope", None),
    ("kubectl scale deployment nope --replicas=3", None),
    ("kubectl scale deployment web --replicas=abc", None),
    ("kubectl rollout undo deployment/web", None),
    ("docker run", None),
    ("docker rm nope", None),
    ("sim crash nope", None),
    ("sim fail-node worker-9", None),
    ("sim load web abc", None),
    ("sim traffic web 0", None),
    ("kubectl exec nope -- ls", None),
    ('kubectl get pods -l "app in (web"', None),
    ("kubectl apply -f -", "x" * 70_000),
    ("unterminated 'quote", None),
    ("rm -rf /", None),
]


@pytest.mark.parametrize(("command", "stdin"), BAD_INPUTS)
def test_bad_input_never_raises_and_never_changes_the_cluster(command, stdin):
    """Each bad command returns ok=False with a message and leaves to_dict() unchanged."""
    c = Cluster(seed=3)
    ok(c, "kubectl apply -f -", web(1))
    c.advance(5)
    before = c.to_dict()
    result = c.run(command, stdin=stdin)
    assert result.ok is False and result.output and result.error["message"]
    assert c.to_dict() == before


def test_yaml_errors_expose_line_and_column(cluster):
    """A YAML syntax error fills result.error with line and column for the editor."""
    result = cluster.run("kubectl apply -f -", stdin="apiVersion: v1\nkind: Pod\nmetadata:\n  name: [x\n")
    assert not result.ok
    assert result.error["line"] is not None and result.error["column"] is not None
    assert "error parsing STDIN" in result.output


def test_non_text_input_is_refused(cluster):
    """A command that is not a string is refused without raising."""
    assert cluster.run(None).ok is False
    assert cluster.run("kubectl apply -f -", stdin=b"bytes").ok is False


def test_completions_cover_commands_types_and_names(cluster):
    """completions() completes programs, verbs, resource types and object names."""
    ok(cluster, "kubectl apply -f -", web(1))
    assert "kubectl" in cluster.completions("kub")
    assert "kubectl get" in cluster.completions("kubectl g")
    assert "kubectl get pods" in cluster.completions("kubectl get po")
    assert "kubectl rollout status deployment/web" in cluster.completions("kubectl rollout status ")
    assert "sim fail-node worker-1" in cluster.completions("sim fail-node w")
    assert cluster.completions(None) == []


def test_long_idle_stretches_are_cheap_and_bounded(cluster):
    """A healthy idle cluster can advance a week in one call; more than a week is refused."""
    ok(cluster, "kubectl create deployment web --image=nginx:1.20 --replicas=3")
    cluster.advance(7 * 24 * 3600)
    assert "3/3" in ok(cluster, "kubectl get deploy web").output
    with pytest.raises(ValueError):
        cluster.advance(7 * 24 * 3600 + 1)
