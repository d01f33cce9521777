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

from .watchcache import WatchCache

T = TypeVar("T")


class ApiContext:
    """One cluster as the API server sees it. `cluster` is a visualizer.engine.Cluster."""

    def __init__(self, cluster, cache: WatchCache | None = None, wall: Callable[[], float] = time.time):
        self.cluster = cluster
        self.cache = cache or WatchCache(cluster)
        self.wall = wall  # the real clock (Unix seconds): timestamps are sent in it (timeshift.py)

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
