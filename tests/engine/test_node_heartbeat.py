"""Node heartbeats shown by `kubectl describe node`: the Lease renews every 10 s, conditions every 5 min."""

from visualizer.engine import Cluster

from .conftest import ok


def _beats(c, node="worker-1"):
    """Returns (Lease RenewTime, Ready's LastHeartbeatTime) as `kubectl describe node` prints them."""
    lines = ok(c, f"kubectl describe node {node}").output.splitlines()
    renew = next(line for line in lines if "RenewTime:" in line).split("RenewTime:")[1].strip()
    ready = next(line for line in lines if line.strip().startswith("Ready ")).split()
    return renew, " ".join(ready[2:8])


def test_the_lease_renews_every_10_seconds_and_the_status_every_5_minutes():
    """At 37 s the Lease was renewed at 30 s and the status last posted at 0 s; at 637 s: 630 s and 600 s."""
    c = Cluster(workers=1, seed=7)
    c.advance(37)
    assert _beats(c) == ("Mon, 03 Mar 2025 09:00:30 +0000", "Mon, 03 Mar 2025 09:00:00 +0000")
    c.advance(600)
    assert _beats(c) == ("Mon, 03 Mar 2025 09:10:30 +0000", "Mon, 03 Mar 2025 09:10:00 +0000")


def test_a_stopped_kubelet_renews_nothing_and_reading_changes_nothing():
    """After the machine fails the RenewTime stays at the last renewal; describing never writes the store."""
    c = Cluster(workers=1, seed=7)
    c.advance(45)
    ok(c, "sim fail-node worker-1")
    c.advance(120)
    before = c.to_dict()
    assert _beats(c)[0] == "Mon, 03 Mar 2025 09:00:40 +0000"
    assert c.to_dict() == before
