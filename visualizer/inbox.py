"""Backpressure on what a viewer sends: stop reading its socket while its frames wait unprocessed.

Daphne reads every websocket frame a client sends and puts it on the connection's application queue, which
has no bound (daphne/server.py `create_application`: `asyncio.Queue()`). A client that sends faster than its
consumer handles frames (8 sockets sending tiny `resync` frames reached 56,000 a second) grows that queue
without limit — 600 MiB in 40 s — and its viewer stays attached, a ghost, until the backlog is worked off.
TCP already has the answer: stop reading, and the sender's kernel stops it (flow control). `InboxThrottle`
decides when, from the number of frames waiting; `visualizer.ws_transport.DaphneOutlet` pauses and resumes
the connection's reading. The Kubernetes API server bounds what one client may make it hold the same way
(max-requests-inflight, API Priority and Fairness queues).
"""

from __future__ import annotations

# Frames waiting for one socket's consumer: above HIGH its connection stops being read, at LOW it reads again.
# A classroom page sends a handful of frames a second, so it never gets near either.
INBOX_HIGH = 64
INBOX_LOW = 8


class InboxThrottle:
    """Hysteresis between pausing and resuming one connection's reading.

    `update(waiting)` takes the number of frames waiting in the connection's inbox (None when unknown, e.g.
    not under Daphne) and returns "pause", "resume" or None (nothing to do).
    """

    def __init__(self, high: int = INBOX_HIGH, low: int = INBOX_LOW) -> None:
        if not 0 <= low < high:
            raise ValueError("need 0 <= low < high")
        self.high = high
        self.low = low
        self.paused = False

    def update(self, waiting: int | None) -> str | None:
        """Return "pause" when `waiting` passes `high`, "resume" when a paused inbox is down to `low`."""
        if waiting is None:
            return None
        if not self.paused and waiting > self.high:
            self.paused = True
            return "pause"
        if self.paused and waiting <= self.low:
            self.paused = False
            return "resume"
        return None
