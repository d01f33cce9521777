"""Backpressure on incoming frames (wsflow.inbox's throttle, ws_transport's pause/resume of reading)."""

from __future__ import annotations

import asyncio

import pytest

from visualizer.ws_transport import AsgiOutlet, DaphneOutlet
from wsflow.inbox import INBOX_HIGH, INBOX_LOW, InboxThrottle


def test_reading_pauses_above_high_and_resumes_at_low_only():
    throttle = InboxThrottle(high=4, low=1)
    assert [throttle.update(n) for n in (0, 3, 4)] == [None, None, None]
    assert throttle.update(5) == "pause"
    # While paused the inbox drains; nothing happens until it is down to `low`, then reading resumes once.
    assert [throttle.update(n) for n in (9, 5, 2)] == [None, None, None]
    assert throttle.update(1) == "resume"
    assert throttle.update(0) is None
    assert throttle.update(5) == "pause"


def test_unknown_inbox_changes_nothing_and_bounds_are_checked():
    throttle = InboxThrottle()
    assert throttle.update(None) is None and not throttle.paused
    assert (throttle.high, throttle.low) == (INBOX_HIGH, INBOX_LOW)
    with pytest.raises(ValueError):
        InboxThrottle(high=2, low=2)


class _Transport:
    def __init__(self):
        self.calls: list[str] = []

    def pauseProducing(self):  # noqa: N802 - Twisted's name
        self.calls.append("pause")

    def resumeProducing(self):  # noqa: N802 - Twisted's name
        self.calls.append("resume")


class _Protocol:
    STATE_OPEN = 1
    state = 1
    send_queue: list = []

    def __init__(self):
        self.transport = _Transport()
        self.application_queue = asyncio.Queue()


def test_daphne_outlet_reads_its_inbox_and_pauses_its_transport():
    protocol = _Protocol()
    outlet = DaphneOutlet(protocol)
    for i in range(3):
        protocol.application_queue.put_nowait({"type": "websocket.receive", "text": str(i)})
    assert outlet.inbox() == 3
    outlet.pause_reading()
    outlet.resume_reading()
    assert protocol.transport.calls == ["pause", "resume"]


def test_outside_daphne_the_inbox_is_unknown_and_pausing_is_harmless():
    async def send(message):
        raise AssertionError("nothing is sent")

    outlet = AsgiOutlet(send)
    assert outlet.inbox() is None
    outlet.pause_reading()
    outlet.resume_reading()
