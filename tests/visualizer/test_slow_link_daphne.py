"""A viewer on a slow link, against a real Daphne: coalesced frames and a bounded lag, never a growing backlog
(issue 12 §1–2), and in the end exactly the server's state.

One raw websocket reads its first snapshot at once, then at most RATE bytes a second through a 4 KiB receive
buffer (so the backlog waits on the server's side, as on a slow link) while the instructor runs rolling updates
at 8× (about 10 KB/s of diffs). A second viewer reads at full speed beside it. The server's limits are its
defaults (visualizer.viewer_buffer.BufferLimits).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import threading
import time

import pytest

from tests.servers import database_url, ensure_static, start_daphne, stop
from tests.visualizer.daphne_demo import drain, driver_and_viewer, owned_cluster, socket_path
from tests.visualizer.test_backpressure_daphne import header_and_length, raw_viewer
from visualizer.engine.snapshot import apply_diff
from visualizer.viewer_buffer import BufferLimits

RATE = 2048  # bytes per second the slow viewer reads
PLAY_SECONDS = 14.0
LOG = "daphne-slow-link.log"


@pytest.fixture
def server(django_db_setup, django_db_blocker, transactional_db):
    from django.db import connection

    ensure_static()
    proc, port = start_daphne(
        database_url(connection.settings_dict), log_name=LOG, env={"LOG_LEVEL": "WARNING"}
    )
    yield port
    stop(proc)


class SlowReader(threading.Thread):
    """Reads a raw websocket at most RATE bytes a second (its first frame at once), keeps the state its frames
    build (apply_diff, as the page's state.js does) and each diff's lag (arrival − the server's `ts`)."""

    def __init__(self, sock: socket.socket) -> None:
        super().__init__(daemon=True)
        self.sock = sock
        self.state: dict | None = None
        self.version: int | None = None
        self.kinds: list[str] = []
        self.lags: list[tuple[float, float]] = []  # (arrival, lag seconds)
        self.largest = 0  # bytes of the largest diff frame
        # What the kernel holds for it unread, acknowledged, out of the server's sight (Linux doubles it).
        self.rcvbuf = sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
        self.gaps: list[tuple[int | None, int]] = []  # (held version, a diff's from) that did not fit
        self.stop_at: int | None = None  # the version to reach before stopping (set at the end)
        self.done = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self._read()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.error = exc
        finally:
            self.done.set()

    def _read(self) -> None:
        data = b""
        throttled = False
        deadline = time.monotonic() + PLAY_SECONDS + 40
        self.sock.settimeout(1.0)
        while time.monotonic() < deadline:
            if self.stop_at is not None and self.version == self.stop_at:
                return
            want = 512 if throttled else 65536
            try:
                chunk = self.sock.recv(want)
            except TimeoutError:
                continue
            if not chunk:
                raise AssertionError(f"the server closed the slow viewer after {len(self.kinds)} frames")
            data += chunk
            if throttled:
                time.sleep(len(chunk) / RATE)
            while len(data) >= 2:
                start, length = header_and_length(data)
                if len(data) < start + length:
                    break
                opcode, payload = data[0] & 0x0F, data[start : start + length]
                data = data[start + length :]
                if opcode == 8:
                    raise AssertionError(f"closed: {payload[:2].hex()} {payload[2:].decode()}")
                if opcode == 9:  # Daphne's keepalive ping: answer it (a masked pong, RFC 6455 §5.5.3)
                    mask = os.urandom(4)
                    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
                    self.sock.sendall(bytes([0x8A, 0x80 | len(payload)]) + mask + masked)
                    continue
                if opcode != 1:
                    continue
                self._frame(json.loads(payload))
                throttled = True

    def _frame(self, frame: dict) -> None:
        kind = frame["type"]
        self.kinds.append(kind)
        if kind == "snapshot":
            self.state, self.version = frame["state"], frame["version"]
        elif kind == "diff":
            self.lags.append((time.monotonic(), time.time() - frame["ts"]))
            self.largest = max(self.largest, len(json.dumps(frame).encode()))
            if frame["from"] != self.version:
                self.gaps.append((self.version, frame["from"]))
                return
            self.state = apply_diff(self.state, frame["diff"], frame["to"])
            self.version = frame["to"]


def test_a_slow_viewer_gets_coalesced_frames_a_bounded_lag_and_exactly_the_servers_state(server):
    from websockets.asyncio.client import connect

    port = server
    cookie, record = owned_cluster("teacher-slow")
    viewer_path = socket_path(record, shared=True)
    origin = f"http://127.0.0.1:{port}"

    async def scenario():
        async with driver_and_viewer(port, cookie, record) as (driver, fast):
            fast_frames: list[dict] = [json.loads(await fast.recv())]

            async def read_fast():
                with contextlib.suppress(Exception):
                    async for text in fast:
                        fast_frames.append(json.loads(text))

            tasks = [asyncio.create_task(read_fast()), asyncio.create_task(drain(driver))]
            slow = SlowReader(raw_viewer(port, viewer_path))
            slow.start()
            await driver.send(json.dumps({"type": "control", "action": "speed", "value": 8}))
            commands = [
                "kubectl create deployment web --image=nginx:1.20 --replicas=12",
                "kubectl expose deployment web --port=80",
            ] + [f"kubectl set image deployment/web nginx=nginx:1.2{i % 2}" for i in range(1, 6)]
            end = time.monotonic() + PLAY_SECONDS
            n = 0
            while time.monotonic() < end:
                text = commands[n] if n < len(commands) else "sim traffic web 2"
                await driver.send(json.dumps({"type": "command", "id": n, "stdin": None, "text": text}))
                n += 1
                await asyncio.sleep(1.5 if n <= len(commands) else 0.3)
            played = time.monotonic()
            await driver.send(json.dumps({"type": "control", "action": "pause", "value": None}))
            await asyncio.sleep(1.0)
            # What the server holds now, from a viewer that connects afresh.
            async with connect(f"ws://127.0.0.1:{port}{viewer_path}", origin=origin, max_size=None) as fresh:
                now = json.loads(await fresh.recv())
            assert now["type"] == "snapshot"
            slow.stop_at = now["version"]
            await asyncio.to_thread(slow.done.wait, 40)
            for task in tasks:
                task.cancel()
            slow.sock.close()
            return slow, fast_frames, now, played

    slow, fast_frames, now, played = asyncio.run(scenario())

    assert slow.error is None, slow.error
    assert slow.gaps == []  # every diff started from the version it held: coalesced, never a gap
    assert slow.kinds.count("snapshot") == 1  # catch-ups were diffs, not whole snapshots
    fast_diffs = [f for f in fast_frames if f["type"] == "diff"]
    slow_diffs = slow.kinds.count("diff")
    # It got far fewer, coalesced, frames than the viewer that kept up.
    assert slow_diffs < len(fast_diffs) / 2, (slow_diffs, len(fast_diffs))
    # Its lag stayed bounded while the cluster played: at most the lag limits, plus reading its largest
    # catch-up (never larger than a snapshot: else a snapshot is sent), plus what its own kernel buffered out
    # of the server's sight, plus the looks' period and a loaded machine. A backlog of everything broadcast
    # would have ended far beyond that bound (the old rule's growing lag).
    lags = [lag for arrival, lag in slow.lags if arrival <= played]
    assert len(lags) >= 5, slow.lags
    assert slow.largest < len(json.dumps(now).encode())
    limits = BufferLimits()
    bound = limits.max_lag + limits.drain_lead + (slow.largest + slow.rcvbuf) / RATE + 2.0
    backlog = sum(len(json.dumps(f)) for f in fast_diffs) / RATE - PLAY_SECONDS
    assert backlog > 2 * bound, (backlog, bound)
    assert max(lags) <= bound, (bound, lags)
    # In the end it holds exactly what a viewer connecting afresh is sent.
    assert slow.version == now["version"]
    state, server = dict(slow.state), dict(now["state"])
    # Simulated time may pass without a diff (the page extrapolates it from the clock).
    assert state.pop("now") <= server.pop("now")
    assert state == server
