"""The bounded outgoing buffer of one viewer (visualizer.viewer_buffer): pure decisions, bytes and seconds."""

import pytest

from visualizer.viewer_buffer import (
    CLOSE_CODE,
    CLOSE_REASON,
    BufferLimits,
    CloseCause,
    Verdict,
    ViewerBuffer,
)

KIB = 1024
LIMITS = BufferLimits(high_water=256 * KIB, low_water=64 * KIB, hard_cap=4096 * KIB, behind_seconds=30.0)


def fresh() -> ViewerBuffer:
    return ViewerBuffer(LIMITS)


def test_a_viewer_that_keeps_up_gets_every_frame():
    buffer = fresh()
    assert [buffer.offer(p, t) for t, p in enumerate([0, 10 * KIB, 256 * KIB, None])] == [Verdict.SEND] * 4
    assert not buffer.behind


def test_past_high_water_the_viewer_is_behind_and_gets_no_diffs():
    buffer = fresh()
    assert buffer.offer(256 * KIB + 1, now=10.0) is Verdict.SKIP
    assert buffer.behind and buffer.behind_since == 10.0
    # Still above low water: nothing more is sent, however long the frames keep coming (within the limit).
    assert buffer.offer(200 * KIB, now=11.0) is Verdict.SKIP
    assert buffer.offer(64 * KIB + 1, now=39.9) is Verdict.SKIP
    assert buffer.skipped == 3


def test_once_drained_below_low_water_it_gets_one_snapshot_then_diffs_again():
    buffer = fresh()
    buffer.offer(300 * KIB, now=0.0)
    assert buffer.offer(64 * KIB, now=1.0) is Verdict.SNAPSHOT
    buffer.sent_snapshot(20 * KIB)
    assert not buffer.behind and buffer.skipped == 0
    assert buffer.offer(20 * KIB, now=1.1) is Verdict.SEND


def test_behind_longer_than_the_limit_is_closed_as_too_slow():
    buffer = fresh()
    buffer.offer(300 * KIB, now=100.0)
    assert buffer.offer(300 * KIB, now=130.0) is Verdict.SKIP  # exactly the limit: not yet
    assert buffer.offer(300 * KIB, now=130.01) is Verdict.CLOSE
    assert buffer.cause is CloseCause.TOO_SLOW


def test_a_slow_link_that_keeps_reading_is_not_closed_one_that_stops_is():
    buffer = fresh()
    buffer.offer(300 * KIB, now=0.0)
    # Read 70 KiB in 25 s (≥ low water): the clock starts again from there.
    assert buffer.offer(230 * KIB, now=25.0) is Verdict.SKIP
    assert buffer.behind_since == 25.0
    # Less than low water read since: it counts as stopped once the limit has passed.
    assert buffer.offer(200 * KIB, now=55.0) is Verdict.SKIP
    assert buffer.offer(200 * KIB, now=55.1) is Verdict.CLOSE
    assert buffer.cause is CloseCause.TOO_SLOW


def test_past_the_hard_cap_it_is_closed_at_once_even_for_an_answer():
    buffer = fresh()
    assert buffer.must_send(4096 * KIB) is Verdict.SEND
    assert buffer.must_send(4096 * KIB + 1) is Verdict.CLOSE
    assert buffer.cause is CloseCause.OVERFLOW
    other = fresh()
    assert other.offer(4096 * KIB + 1, now=0.0) is Verdict.CLOSE
    assert other.cause is CloseCause.OVERFLOW


def test_answers_are_sent_to_a_viewer_that_is_behind():
    buffer = fresh()
    buffer.offer(300 * KIB, now=0.0)
    assert buffer.must_send(300 * KIB) is Verdict.SEND
    assert buffer.behind


def test_bytes_of_the_latest_snapshot_do_not_count_as_falling_behind():
    buffer = fresh()
    buffer.sent_snapshot(900 * KIB)  # a large cluster's first snapshot, still on its way
    assert buffer.offer(900 * KIB + 256 * KIB, now=0.0) is Verdict.SEND
    assert buffer.offer(900 * KIB + 256 * KIB + 1, now=0.1) is Verdict.SKIP
    # Once below low water the snapshot has left: the allowance goes, high water counts alone again.
    buffer = fresh()
    buffer.sent_snapshot(900 * KIB)
    assert buffer.offer(10 * KIB, now=0.0) is Verdict.SEND
    assert buffer.offer(256 * KIB + 1, now=0.1) is Verdict.SKIP


def test_the_hard_cap_also_counts_beyond_the_latest_snapshot():
    buffer = fresh()
    buffer.sent_snapshot(1024 * KIB)
    assert buffer.must_send(1024 * KIB + 4096 * KIB) is Verdict.SEND
    assert buffer.must_send(1024 * KIB + 4096 * KIB + 1) is Verdict.CLOSE


def test_peak_is_the_most_bytes_held_and_unknown_counts_as_zero():
    buffer = fresh()
    for pending in (5, 70 * KIB, None, 12):
        buffer.offer(pending, now=0.0)
    assert buffer.peak == 70 * KIB
    assert fresh().offer(None, now=0.0) is Verdict.SEND


def test_resync_while_a_snapshot_is_on_its_way_is_coalesced_with_it():
    buffer = fresh()
    assert buffer.want_snapshot(0, now=0.0) is Verdict.SEND
    buffer.sent_snapshot(100 * KIB)
    assert buffer.snapshot_covered(100 * KIB)
    assert buffer.want_snapshot(100 * KIB, now=0.1) is Verdict.SKIP
    assert buffer.want_snapshot(100 * KIB, now=0.2) is Verdict.SKIP
    # A reset for everyone is not a request: it is sent although the previous snapshot has not left.
    assert buffer.want_snapshot(100 * KIB, now=0.3, coalesce=False) is Verdict.SEND
    # Once the snapshot has left, a new request is answered.
    assert not buffer.snapshot_covered(0)
    assert buffer.want_snapshot(0, now=1.0) is Verdict.SEND


def test_a_snapshot_asked_by_a_viewer_that_is_behind_waits_until_it_drains():
    buffer = fresh()
    buffer.offer(300 * KIB, now=0.0)
    assert buffer.snapshot_covered(300 * KIB)
    assert buffer.want_snapshot(300 * KIB, now=1.0) is Verdict.SKIP
    assert buffer.want_snapshot(10 * KIB, now=2.0) is Verdict.SNAPSHOT


def test_a_snapshot_past_high_water_makes_the_viewer_behind():
    buffer = fresh()
    assert buffer.want_snapshot(256 * KIB + 1, now=5.0, coalesce=False) is Verdict.SKIP
    assert buffer.behind and buffer.behind_since == 5.0


def test_check_waits_closes_or_catches_up_a_viewer_that_is_behind():
    buffer = fresh()
    assert buffer.check(0, now=0.0) is Verdict.SKIP  # not behind: nothing to do
    buffer.offer(300 * KIB, now=0.0)
    assert buffer.check(300 * KIB, now=1.0) is Verdict.SKIP
    assert buffer.skipped == 1  # a check leaves nothing out
    assert buffer.check(1 * KIB, now=2.0) is Verdict.SNAPSHOT
    slow = fresh()
    slow.offer(300 * KIB, now=0.0)
    assert slow.check(300 * KIB, now=31.0) is Verdict.CLOSE


@pytest.mark.parametrize(
    "fields",
    [
        {"low_water": 10, "high_water": 5},
        {"high_water": 10, "hard_cap": 5},
        {"low_water": -1},
        {"behind_seconds": 0},
    ],
)
def test_inconsistent_limits_are_refused(fields):
    with pytest.raises(ValueError):
        BufferLimits(**fields)


def test_the_close_frame_carries_an_application_code_and_a_korean_reason_that_fits():
    assert 4000 <= CLOSE_CODE <= 4999  # RFC 6455 §7.4.2: the application's range
    assert len(CLOSE_REASON.encode()) <= 123  # RFC 6455 §5.5: 125 bytes of payload, 2 of them the code
    assert any("가" <= ch <= "힣" for ch in CLOSE_REASON)


def test_lag_limits_must_be_positive_and_the_drain_lead_within_the_lag():
    with pytest.raises(ValueError):
        BufferLimits(max_lag=1.0, drain_lead=2.0)
    with pytest.raises(ValueError):
        BufferLimits(drain_lead=0)


def test_the_reading_rate_is_measured_only_while_bytes_wait():
    buffer = fresh()
    assert buffer.rate is None and buffer.drain_seconds(10 * KIB) == 0.0
    # A link that keeps up: everything written has left at each look. Nothing to measure (the rate would be
    # the server's, not the viewer's).
    for step in range(10):
        buffer.offer(0, now=step * 0.1)
        buffer.wrote(1 * KIB)
    assert buffer.rate is None
    # 8 KiB written right after a look (as the host writes); 0.5 s later 6 KiB still wait: 2 KiB read in
    # 0.5 s while the link was busy.
    buffer.offer(0, now=2.0)
    buffer.wrote(8 * KIB)
    buffer.offer(6 * KIB, now=2.5)
    assert buffer.rate == pytest.approx(4 * KIB)
    assert buffer.drain_seconds(6 * KIB) == pytest.approx(1.5)
    # More held than was ever handed (a transport counting otherwise): no sample, the rate stays.
    buffer.offer(100 * KIB, now=3.0)
    buffer.offer(100 * KIB, now=3.5)
    assert buffer.rate == pytest.approx(4 * KIB)


def simulate(limits: BufferLimits, rate: float, frame: int, catch_up: int, seconds: float = 30.0):
    """A viewer reading `rate` bytes/s while `frame`-byte frames are offered ten times a second; a catch-up
    (the verdict SNAPSHOT) costs `catch_up` bytes. Returns the verdicts and, per frame or catch-up written,
    (written at, fully read at)."""
    buffer = ViewerBuffer(limits)
    held = 0.0
    queue: list[list[float]] = []  # [bytes left, written at] in the order they leave
    delivered: list[tuple[float, float]] = []
    verdicts: list[Verdict] = []
    step = 0.01
    for tick in range(int(seconds / step)):
        now = tick * step
        budget = rate * step  # the link: what the viewer reads in this step, oldest bytes first
        while budget > 0 and queue:
            take = min(budget, queue[0][0])
            queue[0][0] -= take
            budget -= take
            held -= take
            if queue[0][0] <= 1e-9:
                delivered.append((queue.pop(0)[1], now))
        held = max(held, 0.0)
        nbytes = 0
        if tick % 10 == 0:
            verdict = buffer.offer(round(held), now)
            verdicts.append(verdict)
            nbytes = frame if verdict is Verdict.SEND else catch_up if verdict is Verdict.SNAPSHOT else 0
        elif buffer.behind and tick % 25 == 0:  # the host's look at laggards, every 0.25 s
            verdict = buffer.check(round(held), now)
            verdicts.append(verdict)
            nbytes = catch_up if verdict is Verdict.SNAPSHOT else 0
        if verdicts and verdicts[-1] is Verdict.SNAPSHOT and nbytes:
            buffer.caught_up()
        if nbytes:
            buffer.wrote(nbytes)
            held += nbytes
            queue.append([float(nbytes), now])
    return verdicts, delivered


def test_a_slow_link_gets_coalesced_catch_ups_and_its_lag_stays_bounded():
    # 4 KiB/s against 1 KB frames ten times a second (2.5× what the link carries), 2 KB catch-ups.
    verdicts, delivered = simulate(LIMITS, rate=4 * KIB, frame=1000, catch_up=2000)
    assert Verdict.CLOSE not in verdicts
    assert Verdict.SKIP in verdicts and Verdict.SNAPSHOT in verdicts  # it skips, then catches up, again
    lags = [read - written for written, read in delivered]
    # Bounded by max_lag + drain_lead + a catch-up's reading time + the look's period, from start to end:
    bound = LIMITS.max_lag + LIMITS.drain_lead + 2000 / (4 * KIB) + 0.25 + 0.1
    assert max(lags) <= bound, max(lags)
    third = len(lags) // 3
    assert sum(lags[-third:]) / third <= sum(lags[:third]) / third + 0.5  # not growing


def test_without_the_lag_limit_the_same_link_builds_a_backlog():
    # The same link under the byte limits alone (max_lag as large as behind_seconds): 256 KiB of high water
    # is a minute at 4 KiB/s, and the lag grows for as long as the demo plays (the policy test above fails).
    bytes_only = BufferLimits(
        high_water=256 * KIB, low_water=64 * KIB, hard_cap=4096 * KIB, behind_seconds=30.0, max_lag=30.0
    )
    _verdicts, delivered = simulate(bytes_only, rate=4 * KIB, frame=1000, catch_up=2000)
    lags = [read - written for written, read in delivered]
    assert lags[-1] > 10.0


def test_a_link_that_keeps_up_gets_every_frame():
    verdicts, delivered = simulate(LIMITS, rate=64 * KIB, frame=1000, catch_up=2000, seconds=10.0)
    assert set(verdicts) == {Verdict.SEND}
    assert max(read - written for written, read in delivered) < 0.05


def test_a_reader_that_stops_is_behind_at_once_and_closed_after_behind_seconds():
    buffer = fresh()
    buffer.wrote(10 * KIB)
    assert buffer.offer(10 * KIB, now=0.0) is Verdict.SEND
    buffer.wrote(1 * KIB)
    buffer.offer(11 * KIB, now=0.3)  # 0 read in 0.3 s while bytes waited: a rate of 0
    assert buffer.rate == 0
    # Far below high water, yet it would never read what a frame adds: behind.
    assert buffer.behind and buffer.offer(11 * KIB, now=0.4) is Verdict.SKIP
    assert buffer.offer(11 * KIB, now=30.3) is Verdict.SKIP
    assert buffer.offer(11 * KIB, now=30.4) is Verdict.CLOSE
    assert buffer.cause is CloseCause.TOO_SLOW


def test_a_link_reading_its_large_first_snapshot_slowly_is_behind_but_not_closed():
    buffer = fresh()
    assert buffer.want_snapshot(0, now=0.0, coalesce=False) is Verdict.SEND
    buffer.sent_snapshot(84 * KIB)
    buffer.wrote(84 * KIB)
    held, verdicts = 84 * KIB, []
    for tick in range(1, 450):  # 45 s at 2 KiB/s: 800-byte frames are offered ten times a second
        held = max(0, held - 205)
        verdicts.append(buffer.offer(held, now=tick * 0.1))
        if verdicts[-1] is Verdict.SEND:
            buffer.wrote(800)
            held += 800
        elif verdicts[-1] is not Verdict.SKIP:
            break
    # Behind once its rate is measured (40 s of reading held), it reads less than low water in 30 s, but half
    # of what it held: not closed; it catches up once the snapshot has left.
    assert Verdict.SKIP in verdicts[:10]
    assert verdicts[-1] is Verdict.SNAPSHOT and len(verdicts) > 300
