"""Run a database call again when PostgreSQL aborted it as the victim of a deadlock."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def retry_on_deadlock(
    func: Callable[..., T], attempts: int = 5, first_wait: float = 0.2, sleep=time.sleep
) -> Callable[..., T]:
    """Wrap `func` so a `django.db.OperationalError` saying "deadlock detected" retries it.

    Waits `first_wait` seconds, doubling, between up to `attempts` calls; any other error, or the last
    deadlock, is raised unchanged. PostgreSQL rolls back the victim's whole transaction, so the call must
    be one atomic unit (Django's `execute_sql_flush` is).
    """
    from django.db import OperationalError

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        for attempt in range(attempts):
            try:
                return func(*args, **kwargs)
            except OperationalError as exc:
                if "deadlock detected" not in str(exc) or attempt == attempts - 1:
                    raise
                sleep(first_wait * 2**attempt)
        raise AssertionError("unreachable")

    return wrapper
