"""The owner's saves, run in a thread of their own that keeps its database connection between them.

A live cluster is saved after every command, before its reply (a class demo: ten times a second). Through
`database_sync_to_async` each save opened and closed a database connection (`close_old_connections` with
CONN_MAX_AGE 0, the setting ASGI needs for request threads): on SQLite that cost the owning process ~3 ms of
CPU per save, more than the save itself (issue 12 §4). Here one worker thread runs the saves in order and keeps
its connection while saves keep coming; it closes the connection and ends after `idle` seconds without one (or
after any error, so a broken connection is never reused), and starts again with the next save.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import queue
import threading
from collections.abc import Callable
from typing import Any

IDLE_SECONDS = 2.0


class Saver:
    """A lazily started worker thread with a database connection of its own; `await saver.call(fn, *args)`."""

    def __init__(self, idle: float = IDLE_SECONDS):
        self.idle = idle
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    async def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run `fn(*args)` in the worker thread (after the calls queued before it); return or raise its
        outcome. The database connection `fn` uses is the worker's own."""
        future: concurrent.futures.Future = concurrent.futures.Future()
        with self._lock:
            self._jobs.put((fn, args, future))
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="cluster-saver", daemon=True)
                self._thread.start()
        return await asyncio.wrap_future(future)

    def _work(self) -> None:
        from django.db import connections

        try:
            while True:
                try:
                    fn, args, future = self._jobs.get(timeout=self.idle)
                except queue.Empty:
                    with self._lock:
                        if self._jobs.empty():
                            self._thread = None
                            return
                    continue
                if not future.set_running_or_notify_cancel():
                    continue
                try:
                    result = fn(*args)
                except BaseException as exc:  # noqa: BLE001 - handed to the awaiting task
                    # The connection may be what failed (a restarted PostgreSQL, a locked SQLite): drop it.
                    connections.close_all()
                    future.set_exception(exc)
                else:
                    future.set_result(result)
        finally:
            connections.close_all()
