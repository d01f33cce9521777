"""Each viewer's bounded outgoing buffer: when to send, when to skip and coalesce, when to give up.

The rule is the Kubernetes API server's for its own watchers (k8s.io/apiserver pkg/storage/cacher,
`cacheWatcher`): every watcher has a bounded buffer; the cacher does not wait for a watcher that cannot keep
up, it terminates it, and the client must re-list ("too old resource version", 410 Gone). Here the catching
up is done for the client: a viewer that falls behind gets no more diffs, and once it has drained it gets ONE
catch-up, whatever it missed in between (a coalesced diff from the version it holds, or a fresh snapshot, as
the host decides); a viewer that stays behind too long, or whose buffer passes a hard cap, is closed (code
`CLOSE_CODE`) and reconnects for a fresh snapshot, as a terminated watcher re-lists.

What a viewer holds is measured in bytes: what the server still has to deliver to it (Daphne's Twisted
buffer and the kernel's send queue, see visualizer.ws_transport); nothing else is queued for it. A snapshot
just written is counted apart from the byte limits (`allowance`): a large cluster's snapshot on a slow link
takes a moment to leave, and the diffs that follow it are not "falling behind" until they pile up beyond it.

Bytes alone do not bound the lag: 256 KiB is a second on a good link and a minute at 4 KiB/s. So the buffer
also measures how fast the viewer reads (`rate`, bytes per second, from how much of what it was handed left
between two looks while some was still waiting, i.e. while the link was busy with it) and counts a viewer as
behind once what it holds would take more than `max_lag` seconds to read. Such a viewer gets no more frames;
once it has drained (at most `drain_lead` seconds of reading left) it is owed ONE catch-up, which the host
makes a coalesced diff from the version the viewer holds when that is smaller than a snapshot
(visualizer.host). The lag of a slow viewer's frames is then about max_lag + drain_lead + the catch-up's
reading time, whatever the link's rate, instead of growing with the backlog. The cacher does the same in
time, not bytes: `cacheWatcher.add` waits at most a shared `dispatchTimeoutBudget` for a full channel before it
terminates the watcher (k8s.io/apiserver pkg/storage/cacher/cache_watcher.go).

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
    low_water: bytes below which a viewer that was behind may have drained (see drain_lead) and gets one
      catch-up (a coalesced diff or a fresh snapshot);
    hard_cap: bytes beyond the latest snapshot above which the viewer is closed at once;
    behind_seconds: how long a viewer may stay behind before it is closed;
    max_lag: seconds of reading, at the viewer's measured rate, above which it counts as behind (what it
      holds, snapshot included: a frame written now would reach it that late);
    drain_lead: seconds of reading left at most for a viewer that was behind to count as drained (with
      low_water: both must hold). Waiting for an empty queue would idle the link for a moment; waiting less
      long would put the catch-up behind stale frames.
    """

    high_water: int = 256 * 1024
    low_water: int = 64 * 1024
    hard_cap: int = 4 * 1024 * 1024
    behind_seconds: float = 30.0
    max_lag: float = 1.0
    drain_lead: float = 0.5

    def __post_init__(self) -> None:
        if not 0 <= self.low_water <= self.high_water <= self.hard_cap:
            raise ValueError("buffer limits must satisfy 0 ≤ low_water ≤ high_water ≤ hard_cap")
        if self.behind_seconds <= 0:
            raise ValueError("behind_seconds must be positive")
        if not 0 < self.drain_lead <= self.max_lag:
            raise ValueError("lag limits must satisfy 0 < drain_lead ≤ max_lag")


class Verdict(enum.Enum):
    SEND = "send"  # write the frame now
    SKIP = "skip"  # leave it out: the viewer is behind, a snapshot will replace it
    SNAPSHOT = "snapshot"  # the viewer has drained: write one fresh snapshot instead of the frame
    CLOSE = "close"  # give up on the viewer: close it with CLOSE_CODE and detach it


class CloseCause(enum.Enum):
    OVERFLOW = "overflow"  # held more than the hard cap
    TOO_SLOW = "too_slow"  # behind for longer than behind_seconds


# The shortest interval over which a reading rate is measured (seconds): shorter ones are mostly the
# scheduler's noise (two looks within one fan-out, a loaded machine).
RATE_SAMPLE_SECONDS = 0.2


class ViewerBuffer:
    """The sending state of one viewer. Every method takes `pending`: the bytes the server still holds for
    the viewer (None when the transport cannot tell, e.g. Channels' test communicator: counted as 0).

    The caller reports what it hands the transport with `wrote(nbytes)` (bytes as the transport counts them:
    framed, compressed if it compresses); the buffer derives how much the viewer has read from that and
    `pending`, and from it the viewer's reading rate.
    """

    __slots__ = (
        "limits",
        "behind_since",
        "behind_mark",
        "allowance",
        "peak",
        "cause",
        "skipped",
        "handed",
        "rate",
        "_anchor",
    )

    def __init__(self, limits: BufferLimits) -> None:
        self.limits = limits
        self.behind_since: float | None = None  # monotonic seconds; None while the viewer keeps up
        self.behind_mark = 0  # bytes held when the behind clock last (re)started
        self.allowance = 0  # bytes of the latest snapshot written, while it may still be on its way
        self.peak = 0  # the most bytes ever held for the viewer
        self.cause: CloseCause | None = None  # set once the verdict was CLOSE
        self.skipped = 0  # frames left out since the viewer fell behind
        self.handed = 0  # bytes handed to the transport since the start (see `wrote`)
        self.rate: float | None = None  # bytes/s the viewer reads while the link is busy; None: not measured
        self._anchor: tuple[float, int] | None = None  # (monotonic seconds, bytes read by then)

    @property
    def behind(self) -> bool:
        """True while the viewer gets no diffs and is owed a catch-up."""
        return self.behind_since is not None

    def wrote(self, nbytes: int) -> None:
        """Record that `nbytes` more bytes were handed to the viewer's transport."""
        self.handed += max(0, nbytes)

    def _measure(self, pending: int | None, now: float | None = None) -> int:
        held = pending or 0
        if held > self.peak:
            self.peak = held
        if held <= self.limits.low_water:
            self.allowance = 0  # the latest snapshot has left
        if now is not None:
            self._sample(held, now)
        return held

    def _sample(self, held: int, now: float) -> None:
        """Update the reading rate. A sample counts only when bytes still wait now: everything written goes
        out right after a look, so the link was busy with this viewer's bytes the whole interval and what left
        is what it could read (an idle link would measure the server's frame rate, not the viewer's)."""
        read = self.handed - held
        anchor = self._anchor
        if read < 0:
            # More held than was handed: the transport counts otherwise (a caller that does not report its
            # writes, bytes it wrote itself): nothing here can be measured.
            self._anchor = None
            return
        if held <= 0 or anchor is None or read < anchor[1]:
            self._anchor = (now, read)  # empty (nothing to measure) or a first look: start from here
            return
        elapsed = now - anchor[0]
        if elapsed < RATE_SAMPLE_SECONDS:
            return
        sample = (read - anchor[1]) / elapsed
        # The mean of the last sample and those before, halving each older one's weight: a link whose rate
        # changes (or a reader that stops: samples of 0) is followed within a few looks.
        self.rate = sample if self.rate is None else (self.rate + sample) / 2
        self._anchor = (now, read)

    def drain_seconds(self, pending: int | None) -> float:
        """Seconds the viewer needs to read what it holds at its measured rate: 0 when nothing is held or the
        rate was never measured (a link that kept up), infinity for a reader that stopped."""
        held = pending or 0
        if held <= 0 or self.rate is None:
            return 0.0
        return held / self.rate if self.rate > 0 else float("inf")

    def _overflowing(self, held: int) -> bool:
        if held - self.allowance > self.limits.hard_cap:
            self.cause = CloseCause.OVERFLOW
            return True
        return False

    def _falls_behind(self, held: int) -> bool:
        """True when a frame written now would be late: past high water beyond the latest snapshot, or more
        than max_lag seconds of reading held (the snapshot's bytes included: they are read first)."""
        return (
            held - self.allowance > self.limits.high_water or self.drain_seconds(held) > self.limits.max_lag
        )

    def _drained(self, held: int) -> bool:
        return held <= self.limits.low_water and self.drain_seconds(held) <= self.limits.drain_lead

    def offer(self, pending: int | None, now: float) -> Verdict:
        """Decide about a broadcast frame (diff, clock, scenario progress): a catch-up replaces all of them.

        SEND while the viewer keeps up; SKIP from the moment it holds more than high_water beyond its latest
        snapshot or more than max_lag seconds of reading; SNAPSHOT (a catch-up: a coalesced diff or a fresh
        snapshot, the host decides) once a viewer that was behind has drained (at most low_water and
        drain_lead seconds held); CLOSE past the hard cap or after behind_seconds behind without reading
        low_water bytes, or half of what it held when the clock started if that is less (each time it does,
        the clock restarts: a slow link drains to its catch-up, a reader that stopped is closed; the half
        keeps a 2 KiB/s link reading a large first snapshot, behind by the lag rule, from being closed).
        """
        held = self._measure(pending, now)
        if self._overflowing(held):
            return Verdict.CLOSE
        if self.behind_since is not None:
            if self._drained(held):
                return Verdict.SNAPSHOT
            if held <= self.behind_mark - min(self.limits.low_water, max(1, self.behind_mark // 2)):
                self._fall_behind(held, now)  # it reads, slowly: a slow link, not a dead one
            elif now - self.behind_since > self.limits.behind_seconds:
                self.cause = CloseCause.TOO_SLOW
                return Verdict.CLOSE
            self.skipped += 1
            return Verdict.SKIP
        if self._falls_behind(held):
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
        costs one snapshot, not one each. Else SEND, or SKIP and fall behind past high water or max_lag.
        """
        held = self._measure(pending, now)
        if self._overflowing(held):
            return Verdict.CLOSE
        if self.behind_since is not None:
            return Verdict.SNAPSHOT if self._drained(held) else Verdict.SKIP
        if coalesce and self.allowance:
            return Verdict.SKIP
        if self._falls_behind(held):
            self._fall_behind(held, now)
            self.skipped = 1
            return Verdict.SKIP
        return Verdict.SEND

    def snapshot_covered(self, pending: int | None) -> bool:
        """True when a snapshot the viewer asks for would be coalesced (see `want_snapshot`): one is owed, or
        the latest is still on its way. Changes nothing."""
        held = pending or 0
        return self.behind_since is not None or (bool(self.allowance) and held > self.limits.low_water)

    def must_send(self, pending: int | None, now: float | None = None) -> Verdict:
        """Decide about an answer to the viewer's own request (result, error, pong): SEND unless past the hard
        cap (CLOSE). Answers are never skipped; a client that asks without reading reaches the cap. `now`
        (monotonic seconds), when given, lets the look measure the reading rate too."""
        held = self._measure(pending, now)
        return Verdict.CLOSE if self._overflowing(held) else Verdict.SEND

    def sent_snapshot(self, nbytes: int) -> None:
        """Record that a snapshot of `nbytes` bytes was written: the viewer is up to date again."""
        self.behind_since = None
        self.skipped = 0
        self.allowance = nbytes

    def caught_up(self) -> None:
        """Record that a catch-up diff was written: the viewer is up to date again (its bytes count as any
        frame's: a diff small enough to beat a snapshot needs no allowance)."""
        self.behind_since = None
        self.skipped = 0
