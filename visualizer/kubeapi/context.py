"""What a request handler works on: one engine cluster and its watch cache, and how a write is recorded.

A write through the REST face is a user request like a console command: it shows as the 6-step trace that
every viewer sees (step 1 names the real kubectl's command and HTTP request), its events reach the event
panel, and the controllers react at once (`Cluster._drain`), exactly as after the same command typed in
the browser console (visualizer.engine.commands.dispatch).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from visualizer.engine import wallclock

from .watchcache import WatchCache

T = TypeVar("T")


class ApiContext:
    """One cluster as the API server sees it. `cluster` is a visualizer.engine.Cluster."""

    def __init__(
        self,
        cluster,
        cache: WatchCache | None = None,
        wall: Callable[[], float] = time.time,
        sticky_seconds: float = 1.0,
    ):
        self.cluster = cluster
        self.cache = cache or WatchCache(cluster)
        self._offset: int | None = None
        self.sticky_seconds = sticky_seconds  # drift tolerated before the offset follows the clocks
        self.wall = wall  # the real clock (Unix seconds): timestamps are sent in it (engine/wallclock.py)

    def offset(self) -> int:
        """Returns the whole seconds between simulated timestamps and the client's clock right now.

        Sticky: the value changes only when the clocks have drifted more than `sticky_seconds` from it (a
        pause, a speed other than 1×, a jump), so two answers a moment apart (the console's and the API's)
        print the very same instants; a client's own age arithmetic is then off by at most that much.
        """
        raw = self.wall() - (wallclock.EPOCH.timestamp() + self.cluster.clock.now)
        if self._offset is None or abs(raw - self._offset) > self.sticky_seconds:
            self._offset = round(raw)
        return self._offset

    def resync(self) -> None:
        """Takes the offset afresh from the clocks at the next answer (after a jump of simulated time)."""
        self._offset = None

    def sync(self, cluster) -> None:
        """Points the context at `cluster` (the live engine may be replaced by a reset)."""
        self.cluster = cluster
        self.cache.check(cluster)

    def write(self, command: str, request_line: str, fn: Callable[[], T]) -> T:
        """Runs `fn` (which writes through the engine's API server) as one user request and returns its value.

        `command` is kubectl's `Kubectl-Command` header (`kubectl scale`, "" from other clients);
        `request_line` the method and resource (`PATCH deployments.apps/web/scale`). The trace and events are
        collected as the console collects a command's; an ApiError propagates unchanged.
        """
        c = self.cluster
        label = f"{command} ({request_line})" if command else request_line
        trace: list = [
            {
                "step": 1,
                "component": "user",
                "reason": "Command",
                "object": "",
                "ko": f"사용자가 자신의 kubectl로 `{label[:200]}` 요청을 보냈습니다",
                "en": f"The user's own kubectl sent `{label[:200]}`",
            }
        ]
        collected: list = []
        c._collect, c._trace = collected, trace
        try:
            value = fn()
            c._drain()
        finally:
            c._collect, c._trace = None, None
        if len(trace) > 1:
            c.trace = trace
            c.touch("trace", "")
        self.last_events = collected
        return value
