"""LiveCluster.snapshot_frame: the state serialised once per engine state, the clock around it always current."""

import json

from visualizer import protocol
from visualizer.engine import Cluster
from visualizer.live_cluster import LiveCluster, fresh_engine


def test_the_state_is_serialised_once_per_engine_state_and_the_frame_equals_a_fresh_build(monkeypatch):
    live = LiveCluster("c1", fresh_engine())
    builds = []
    real = Cluster.snapshot
    monkeypatch.setattr(Cluster, "snapshot", lambda self: builds.append(self.version) or real(self))
    frames = [live.snapshot_frame(role) for role in ("view", "control", "view", "view")]
    assert len(builds) == 1
    fresh = protocol.build(
        "snapshot",
        cluster="c1",
        role="view",
        version=live.engine.version,
        clock=live.clock(),
        state=real(live.engine),
        scenario=None,
    )
    assert json.loads(frames[0]) == json.loads(fresh)
    assert json.loads(frames[1])["role"] == "control"
    live.command(1, "kubectl create deployment web --image=nginx:1.21", None)  # a new version
    after = json.loads(live.snapshot_frame("view"))
    assert "default/web" in after["state"]["deployments"] and len(builds) == 2
    live.paused = True  # the clock changes, the state does not: no new serialisation, a current clock
    assert json.loads(live.snapshot_frame("view"))["clock"]["paused"] is True and len(builds) == 2


def test_time_passing_without_a_change_is_a_new_state_too():
    """The snapshot carries the simulated `now`: a later frame is not a stale copy."""
    live = LiveCluster("c1", fresh_engine())
    first = json.loads(live.snapshot_frame("view"))
    live.engine.advance(5.0)
    later = json.loads(live.snapshot_frame("view"))
    assert later["state"]["now"] == first["state"]["now"] + 5.0
    live.control("reset", None)  # a new engine, possibly at the same version and time: rebuilt all the same
    assert json.loads(live.snapshot_frame("view"))["state"] == json.loads(json.dumps(live.engine.snapshot()))
