"""Backpressure on what a client sends: stop reading its socket while its frames wait unprocessed.

Daphne reads every websocket frame a client sends and puts it on the connection's application queue, which
has no bound (daphne/server.py `create_application`: `asyncio.Queue()`). A client that sends faster than its
consumer handles frames (8 sockets sending tiny `resync` frames to the cluster socket reached 56,000 a second)
grows that queue without limit — 600 MiB in 40 s — and its consumer stays attached, a ghost, until the backlog
is worked off. TCP already has the answer: stop reading, and the sender's kernel stops it (flow control).
`InboxThrottle` decides when, from the number of frames waiting; `wsflow.daphne.DaphneReader` (and the
visualizer's `DaphneOutlet`) pause and resume the connection's reading. The Kubernetes API server bounds what
one client may make it hold the same way (max-requests-inflight, API Priority and Fairness queues).
Both the cluster socket (visualizer.consumers) and the classroom socket (course.classroom.consumer) use it.
"""

from __future__ import annotations

from typing import Protocol

# Frames waiting for one socket's consumer: above HIGH its connection stops being read, at LOW it reads again.
# A page sends a handful of frames a second, so it never gets near either.
INBOX_HIGH = 64
INBOX_LOW = 8


class Reader(Protocol):
    """What a throttle drives: a connection's count of unprocessed frames and its reading switch."""

    def inbox(self) -> int | None: ...

    def pause_reading(self) -> None: ...

    def resume_reading(self) -> None: ...


class InboxThrottle:
    """Hysteresis between pausing and resuming one connection's reading.

    `update(waiting)` takes the number of frames waiting in the connection's inbox (None when unknown, e.g.
    not under Daphne) and returns "pause", "resume" or None (nothing to do); `check(reader)` does the same
    from a Reader and carries the answer out.
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

    def check(self, reader: Reader) -> str | None:
        """Read `reader`'s inbox, pause or resume its reading as `update` says, and return what was done.

        Call it after each frame a consumer has handled: while paused, the frames already read are still
        handled one by one, so the check that resumes reading comes with the one that brings the inbox to
        `low`."""
        action = self.update(reader.inbox())
        if action == "pause":
            reader.pause_reading()
        elif action == "resume":
            reader.resume_reading()
        return action
