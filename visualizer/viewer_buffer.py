"""Each viewer's bounded outgoing buffer: when to send, when to skip and coalesce, when to give up.

The rule is the Kubernetes API server's for its own watchers (k8s.io/apiserver pkg/storage/cacher,
`cacheWatcher`): every watcher has a bounded buffer; the cacher does not wait for a watcher that cannot keep
up, it terminates it, and the client must re-list ("too old resource version", 410 Gone). Here the re-list
is done for the client: a viewer that falls behind gets no more diffs, and once it has drained it gets ONE
fresh snapshot, whatever it missed in between; a viewer that stays behind too long, or whose buffer passes a
hard cap, is closed (code `CLOSE_CODE`) and reconnects for a fresh snapshot, as a terminated watcher
re-lists.

What a viewer holds is measured in bytes: what the server's transport still has to write to it (Daphne's
Twisted buffer, see visualizer.ws_transport); nothing else is queued for it. A snapshot just written is
counted apart (`allowance`): a large cluster's snapshot on a slow link takes a moment to leave, and the
diffs that follow it are not "falling behind" until they pile up beyond it.

Pure logic: no I/O, no clock of its own (the caller passes `now`, monotonic seconds), no asyncio.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

# The websocket close code of a viewer that fell behind: 4000 + 1008 "policy violation" (RFC 6455 §7.4.1), in
# the application's range as the site's 4403/4404. Browsers reconnect after it and get a fresh snapshot.
CLOSE_CODE = 4008
# At most 123 bytes of UTF-8 (RFC 6455 §5.5.1: a close frame's payload is ≤ 125 bytes, 2 of them the code).
CLOSE_REASON = "연결이 느려 화면을 따라가지 못했습니다. 다시 연결합니다."


@dataclass(frozen=True)
class BufferLimits:
    """A viewer's buffer limits, in bytes and seconds.

    high_water: bytes beyond the latest snapshot above which the viewer counts as behind and gets no more
      diffs (the cacher's full watcher channel);
    low_water: bytes below which a viewer that was behind has drained and gets one fresh snapshot;
    hard_cap: bytes beyond the latest snapshot above which the viewer is closed at once;
    behind_seconds: how long a viewer may stay behind before it is closed.
    """

    high_water: int = 256 * 1024
    low_water: int = 64 * 1024
    hard_cap: int = 4 * 1024 * 1024
    behind_seconds: float = 30.0

    def __post_init__(self) -> None:
        if not 0 <= self.low_water <= self.high_water <= self.hard_cap:
            raise ValueError("buffer limits must satisfy 0 ≤ low_water ≤ high_water ≤ hard_cap")
        if self.behind_seconds <= 0:
            raise ValueError("behind_seconds must be positive")


class Verdict(enum.Enum):
    SEND = "send"  # write the frame now
    SKIP = "skip"  # leave it out: the viewer is behind, a snapshot will replace it
    SNAPSHOT = "snapshot"  # the viewer has drained: write one fresh snapshot instead of the frame
    CLOSE = "close"  # give up on the viewer: close it with CLOSE_CODE and detach it


class CloseCause(enum.Enum):
    OVERFLOW = "overflow"  # held more than the hard cap
    TOO_SLOW = "too_slow"  # behind for longer than behind_seconds


class ViewerBuffer:
    """The sending state of one viewer. Every method takes `pending`: the bytes the server still holds for
    the viewer (None when the transport cannot tell, e.g. Channels' test communicator: counted as 0)."""

    __slots__ = ("limits", "behind_since", "behind_mark", "allowance", "peak", "cause", "skipped")

    def __init__(self, limits: BufferLimits) -> None:
        self.limits = limits
        self.behind_since: float | None = None  # monotonic seconds; None while the viewer keeps up
        self.behind_mark = 0  # bytes held when the behind clock last (re)started
        self.allowance = 0  # bytes of the latest snapshot written, while it may still be on its way
        self.peak = 0  # the most bytes ever held for the viewer
        self.cause: CloseCause | None = None  # set once the verdict was CLOSE
        self.skipped = 0  # frames left out since the viewer fell behind

    @property
    def behind(self) -> bool:
        """True while the viewer gets no diffs and is owed a snapshot."""
        return self.behind_since is not None

    def _measure(self, pending: int | None) -> int:
        held = pending or 0
        if held > self.peak:
            self.peak = held
        if held <= self.limits.low_water:
            self.allowance = 0  # the latest snapshot has left
        return held

    def _overflowing(self, held: int) -> bool:
        if held - self.allowance > self.limits.hard_cap:
            self.cause = CloseCause.OVERFLOW
            return True
        return False

    def offer(self, pending: int | None, now: float) -> Verdict:
        """Decide about a broadcast frame (diff, clock, scenario progress): a snapshot replaces all of them.

        SEND while the viewer keeps up; SKIP from the moment it holds more than high_water beyond its latest
        snapshot; SNAPSHOT once a viewer that was behind holds at most low_water; CLOSE past the hard cap or
        after behind_seconds behind without reading low_water bytes (each low_water it reads restarts the
        clock: a slow link drains to its snapshot, a reader that stopped is closed).
        """
        held = self._measure(pending)
        if self._overflowing(held):
            return Verdict.CLOSE
        if self.behind_since is not None:
            if held <= self.limits.low_water:
                return Verdict.SNAPSHOT
            if held <= self.behind_mark - self.limits.low_water:
                self._fall_behind(held, now)  # it reads, slowly: a slow link, not a dead one
            elif now - self.behind_since > self.limits.behind_seconds:
                self.cause = CloseCause.TOO_SLOW
                return Verdict.CLOSE
            self.skipped += 1
            return Verdict.SKIP
        if held - self.allowance > self.limits.high_water:
            self._fall_behind(held, now)
            self.skipped = 1
            return Verdict.SKIP
        return Verdict.SEND

    def _fall_behind(self, held: int, now: float) -> None:
        self.behind_since = now
        self.behind_mark = held

    def check(self, pending: int | None, now: float) -> Verdict:
        """Look at a viewer that is behind while nothing is broadcast: SNAPSHOT, CLOSE, or SKIP (wait)."""
        if self.behind_since is None:
            return Verdict.SKIP
        verdict = self.offer(pending, now)
        if verdict is Verdict.SKIP:
            self.skipped -= 1  # nothing was left out
        return verdict

    def want_snapshot(self, pending: int | None, now: float, *, coalesce: bool = True) -> Verdict:
        """Decide about a snapshot for the viewer (its first, a `resync`, a reset for everyone).

        CLOSE past the hard cap. A viewer that is behind gets it once drained (SNAPSHOT), else SKIP: it is
        owed one anyway. With `coalesce` (the viewer asked: `resync`), SKIP also while the latest snapshot is
        still on its way: it is as fresh as the viewer needs, and a client sending `resync` without reading
        costs one snapshot, not one each. Else SEND, or SKIP and fall behind past high water.
        """
        held = self._measure(pending)
        if self._overflowing(held):
            return Verdict.CLOSE
        if self.behind_since is not None:
            return Verdict.SNAPSHOT if held <= self.limits.low_water else Verdict.SKIP
        if coalesce and self.allowance:
            return Verdict.SKIP
        if held - self.allowance > self.limits.high_water:
            self._fall_behind(held, now)
            self.skipped = 1
            return Verdict.SKIP
        return Verdict.SEND

    def snapshot_covered(self, pending: int | None) -> bool:
        """True when a snapshot the viewer asks for would be coalesced (see `want_snapshot`): one is owed, or
        the latest is still on its way. Changes nothing."""
        held = pending or 0
        return self.behind_since is not None or (bool(self.allowance) and held > self.limits.low_water)

    def must_send(self, pending: int | None) -> Verdict:
        """Decide about an answer to the viewer's own request (result, error, pong): SEND unless past the hard
        cap (CLOSE). Answers are never skipped; a client that asks without reading reaches the cap."""
        held = self._measure(pending)
        return Verdict.CLOSE if self._overflowing(held) else Verdict.SEND

    def sent_snapshot(self, nbytes: int) -> None:
        """Record that a snapshot of `nbytes` bytes was written: the viewer is up to date again."""
        self.behind_since = None
        self.skipped = 0
        self.allowance = nbytes
