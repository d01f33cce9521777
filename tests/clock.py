"""A clock for token buckets (wsflow.budget, visualizer.ratelimit) that moves only when a test moves it."""

from __future__ import annotations


class ManualClock:
    """Returns `now` (seconds) when called; a test sets or advances `now` to decide when tokens come back."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
