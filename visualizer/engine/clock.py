"""The simulated clock: `now`, wake-up timers with deterministic tie-breaking, and time formatting.

Like SimPy, time only moves when the simulation is advanced; nothing reads the wall clock. A timer is a
request "put KEY on work QUEUE at time T". Components are level-triggered, so only the earliest pending
wake-up per (queue, key) is kept: when it fires, the component recomputes every deadline it still has and
asks again. Ties are broken by a sequence counter so runs are reproducible.
"""

from __future__ import annotations

import heapq
from datetime import UTC, datetime, timedelta

# Simulated time 0 is this instant; timestamps in objects are RFC 3339 with second precision like the API.
EPOCH = datetime(2025, 3, 3, 9, 0, 0, tzinfo=UTC)
_PARSE_CACHE: dict[str, float] = {}


_STAMP_CACHE: dict[int, str] = {}


def stamp(t: float) -> str:
    """Returns the RFC 3339 timestamp (whole seconds, as the API server stores them) for simulated time t."""
    s = int(t)
    text = _STAMP_CACHE.get(s)
    if text is None:
        text = (EPOCH + timedelta(seconds=s)).strftime("%Y-%m-%dT%H:%M:%SZ")
        if len(_STAMP_CACHE) > 100_000:
            _STAMP_CACHE.clear()
        _STAMP_CACHE[s] = text
    return text


def parse_stamp(text: str | None) -> float | None:
    """Returns simulated seconds for a timestamp written by `stamp` (None stays None)."""
    if text is None:
        return None
    t = _PARSE_CACHE.get(text)
    if t is None:
        t = (datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) - EPOCH).total_seconds()
        if len(_PARSE_CACHE) > 100_000:
            _PARSE_CACHE.clear()
        _PARSE_CACHE[text] = t
    return t


def human_duration(seconds: float) -> str:
    """Returns kubectl's AGE format (apimachinery HumanDuration): 90s, 5m3s, 95m, 3h5m, 20h, 3d4h, 200d."""
    s = int(max(0, seconds))
    if s < 120:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        return f"{minutes}m{s % 60}s" if s % 60 else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    hours = s // 3600
    if hours < 8:
        return f"{hours}h{minutes % 60}m" if minutes % 60 else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    days = hours // 24
    if hours < 192:
        return f"{days}d{hours % 24}h" if hours % 24 else f"{days}d"
    return f"{days}d"


def docker_duration(seconds: float) -> str:
    """Returns Docker's human duration (go-units HumanDuration): `4 seconds`, `About a minute`, `3 hours`."""
    s = int(max(0, seconds))
    if s < 1:
        return "Less than a second"
    if s == 1:
        return "1 second"
    if s < 60:
        return f"{s} seconds"
    minutes = s // 60
    if minutes == 1:
        return "About a minute"
    if minutes < 60:
        return f"{minutes} minutes"
    hours = s // 3600
    if hours == 1:
        return "About an hour"
    if hours < 48:
        return f"{hours} hours"
    return f"{hours // 24} days"


class Clock:
    """Owns `now` and the timer heap; serialisable with to_dict/from_dict."""

    def __init__(self):
        self.now = 0.0
        self._heap: list[list] = []
        self._seq = 0
        # Keyed by (queue, key) tuples: no string built per timer operation; to_dict writes "queue\x00key".
        self._due: dict[tuple[str, str], float] = {}

    def wake(self, queue: str, key: str, at: float) -> None:
        """Asks for `key` to be put on `queue` at time `at` (kept only if earlier than a pending request)."""
        if at < self.now:
            at = self.now
        ident = (queue, key)
        pending = self._due.get(ident)
        if pending is not None and pending <= at:
            return
        self._due[ident] = at
        self._seq += 1
        heapq.heappush(self._heap, [at, self._seq, queue, key])

    def next_time(self) -> float | None:
        """Returns the time of the earliest live timer, dropping stale entries."""
        while self._heap:
            at, _, queue, key = self._heap[0]
            if self._due.get((queue, key)) == at:
                return at
            heapq.heappop(self._heap)
        return None

    def pop_due(self, until: float) -> list[tuple[str, str]] | None:
        """Advances `now` to the next timer ≤ until and returns every (queue, key) due then, or None."""
        at = self.next_time()
        if at is None or at > until:
            return None
        self.now = max(self.now, at)
        fired = []
        while self._heap and self._heap[0][0] <= at:
            t, _, queue, key = heapq.heappop(self._heap)
            ident = (queue, key)
            if self._due.get(ident) == t:
                del self._due[ident]
                fired.append((queue, key))
        return fired

    def to_dict(self) -> dict:
        """Returns the clock state as JSON-ready data, in a canonical order: the heap sorted (a sorted list is a
        valid heap, and timers are totally ordered by (time, sequence) so any valid heap of the same entries
        fires identically) and the due map by key, so a state rebuilt from saved deltas (saving.py) is the
        same text as the live one."""
        return {
            "now": self.now,
            "seq": self._seq,
            "heap": sorted(list(e) for e in self._heap),
            "due": {f"{q}\x00{k}": at for (q, k), at in sorted(self._due.items())},
        }

    @classmethod
    def from_dict(cls, data: dict) -> Clock:
        """Returns a clock restored from to_dict output."""
        c = cls()
        c.now = data["now"]
        c._seq = data["seq"]
        c._heap = [list(e) for e in data["heap"]]
        c._due = {tuple(ident.split("\x00", 1)): at for ident, at in data["due"].items()}
        return c
