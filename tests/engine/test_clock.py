"""The simulated clock: kubectl/docker durations and deterministic timers."""

from visualizer.engine.clock import Clock, docker_duration, human_duration, parse_stamp, stamp


def test_human_duration_matches_kubectl_age_format():
    """AGE prints 90s, 5m3s, 5m, 95m, 3h5m, 20h, 3d4h and 200d like apimachinery."""
    cases = {
        90: "90s",
        303: "5m3s",
        300: "5m",
        95 * 60: "95m",
        3 * 3600 + 300: "3h5m",
        20 * 3600: "20h",
        (3 * 24 + 4) * 3600: "3d4h",
        200 * 86400: "200d",
    }
    assert {k: human_duration(k) for k in cases} == cases


def test_docker_duration_matches_docker_ps():
    """docker ps says `4 seconds`, `About a minute` and `3 hours`."""
    assert [docker_duration(s) for s in (4, 70, 3 * 3600)] == ["4 seconds", "About a minute", "3 hours"]


def test_stamps_round_trip_at_second_precision():
    """Timestamps are RFC 3339 with whole seconds, like the API server's."""
    assert stamp(61.7) == "2025-03-03T09:01:01Z"
    assert parse_stamp(stamp(61.7)) == 61


def test_timers_fire_in_time_order_and_keep_the_earliest_request():
    """Only the earliest wake-up per key is kept; due timers come out in time order."""
    clock = Clock()
    clock.wake("kubelet", "a", 5)
    clock.wake("kubelet", "a", 9)
    clock.wake("hpa", "b", 3)
    assert clock.pop_due(10) == [("hpa", "b")]
    assert clock.now == 3
    assert clock.pop_due(10) == [("kubelet", "a")]
    assert clock.pop_due(10) is None


def test_clock_state_round_trips():
    """A clock restored from to_dict continues with the same timers."""
    clock = Clock()
    clock.wake("q", "k", 4)
    again = Clock.from_dict(clock.to_dict())
    assert again.pop_due(5) == [("q", "k")]
