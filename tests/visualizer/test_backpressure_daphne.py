"""Viewers that never read, against a real Daphne: bounded buffers, closed with 4008, nobody left behind.

30 raw sockets connect to a demo cluster and never read (a small receive buffer, so the kernel does not
absorb the frames for them) while its instructor runs rolling updates at 8×; one viewer beside them reads.
The server accounts what it holds for each viewer (visualizer.viewer_buffer) and says so when it closes one
(its log). Small limits come from the VISUALIZER_VIEWER_* settings.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import socket
import struct
import time
from pathlib import Path

import pytest

from tests.flood import raw_socket
from tests.servers import ROOT, database_url, ensure_static, start_daphne, stop
from tests.visualizer.daphne_demo import drain, driver_and_viewer, owned_cluster, socket_path
from visualizer.viewer_buffer import CLOSE_CODE, CLOSE_REASON

HIGH_WATER = 4 * 1024
LOW_WATER = 1024
SNDBUF = 4096
HARD_CAP = 512 * 1024
BEHIND_SECONDS = 3
STUCK = 30
LOG = "daphne-backpressure.log"
CLOSED = re.compile(
    r"closed a viewer of (\S+) \((\w+)\): (\d+) bytes unsent, peak (\d+), (\d+) frames skipped; (\d+) viewers left"
)


@pytest.fixture
def server(django_db_setup, django_db_blocker, transactional_db):
    from django.db import connection

    ensure_static()
    env = {
        "VISUALIZER_VIEWER_HIGH_WATER": str(HIGH_WATER),
        "VISUALIZER_VIEWER_LOW_WATER": str(LOW_WATER),
        "VISUALIZER_VIEWER_HARD_CAP": str(HARD_CAP),
        "VISUALIZER_VIEWER_BEHIND_SECONDS": str(BEHIND_SECONDS),
        "VISUALIZER_VIEWER_SNDBUF": str(SNDBUF),
        "LOG_LEVEL": "WARNING",
    }
    proc, port = start_daphne(database_url(connection.settings_dict), log_name=LOG, env=env)
    yield port
    stop(proc)


def raw_viewer(port: int, path: str) -> socket.socket:
    """Open a websocket that will never be read: the handshake's answer only, and a 4 KiB receive buffer."""
    return raw_socket(port, path, rcvbuf=4096)


def read_until_close(sock: socket.socket, timeout: float) -> tuple[int, str, int]:
    """Read every frame left on a socket; return the close frame's code and reason and the frames before it."""
    sock.settimeout(timeout)
    data = b""
    frames = 0
    while True:
        while len(data) < 2 or len(data) < header_and_length(data)[0] + header_and_length(data)[1]:
            chunk = sock.recv(65536)
            assert chunk, f"the connection ended without a close frame after {frames} frames"
            data += chunk
        start, length = header_and_length(data)
        opcode, payload = data[0] & 0x0F, data[start : start + length]
        data = data[start + length :]
        if opcode == 8:
            (code,) = struct.unpack("!H", payload[:2])
            return code, payload[2:].decode(), frames
        frames += 1


def header_and_length(data: bytes) -> tuple[int, int]:
    """Return (header bytes, payload bytes) of the unmasked server frame at the start of `data`."""
    if len(data) < 2:
        return 2, 0
    length = data[1] & 0x7F
    if length == 126:
        return (4, struct.unpack("!H", data[2:4])[0]) if len(data) >= 4 else (4, 0)
    if length == 127:
        return (10, struct.unpack("!Q", data[2:10])[0]) if len(data) >= 10 else (10, 0)
    return 2, length


def closures(public_id: str) -> list[tuple[str, int, int, int, int]]:
    text = (Path(ROOT) / "var" / LOG).read_text()
    return [
        (m[2], int(m[3]), int(m[4]), int(m[5]), int(m[6])) for m in CLOSED.finditer(text) if m[1] == public_id
    ]


def test_viewers_that_never_read_are_bounded_then_closed_and_a_reader_gets_every_diff(server):
    from websockets.exceptions import ConnectionClosed

    port = server
    cookie, record = owned_cluster("teacher-bp")
    path = socket_path(record, shared=True)

    async def scenario():
        async with driver_and_viewer(port, cookie, record) as (driver, reader):
            first = await reader.recv()
            snapshot = json.loads(first)
            sizes = [len(first.encode())]
            assert snapshot["type"] == "snapshot"
            stuck = [raw_viewer(port, path) for _ in range(STUCK)]
            seen: list[dict] = []

            async def read_all():
                with contextlib.suppress(ConnectionClosed):
                    async for text in reader:
                        seen.append(json.loads(text))
                        sizes.append(len(text.encode()))

            tasks = [asyncio.create_task(read_all()), asyncio.create_task(drain(driver))]
            await driver.send(json.dumps({"type": "control", "action": "speed", "value": 8}))
            commands = [
                "kubectl create deployment web --image=nginx:1.20 --replicas=12",
                "kubectl expose deployment web --port=80",
                "kubectl set image deployment/web nginx=nginx:1.21",
                "kubectl set image deployment/web nginx=nginx:1.20",
                "kubectl set image deployment/web nginx=nginx:1.21",
                "kubectl set image deployment/web nginx=nginx:1.20",
            ]
            deadline = time.monotonic() + 30
            n = 0
            while time.monotonic() < deadline and len(closures(record.public_id)) < STUCK:
                text = commands[n] if n < len(commands) else "sim traffic web 2"
                await driver.send(json.dumps({"type": "command", "id": n, "stdin": None, "text": text}))
                n += 1
                await asyncio.sleep(1.0 if n <= len(commands) else 0.2)
            closed = closures(record.public_id)
            # One stuck socket reads now (within the 5 s a closed connection is given): what it was sent before
            # it fell behind, then the close frame.
            code, reason, _frames = await asyncio.to_thread(read_until_close, stuck[0], 10)
            # The cluster goes on changing: the reader goes on receiving.
            diffs_then = sum(f["type"] == "diff" for f in seen)
            for m in range(n, n + 10):
                await driver.send(
                    json.dumps({"type": "command", "id": m, "stdin": None, "text": "sim traffic web 2"})
                )
                await asyncio.sleep(0.2)
            await asyncio.sleep(0.5)
            assert sum(f["type"] == "diff" for f in seen) > diffs_then
            for task in tasks:
                task.cancel()
            for sock in stuck:
                sock.close()
            return seen, closed, code, reason, sizes

    seen, closed, code, reason, sizes = asyncio.run(scenario())

    assert len(closed) == STUCK, closed
    assert {cause for cause, *_ in closed} == {"too_slow"}
    # What the server held for each stuck viewer stayed bounded: the cap, not what the cluster produced.
    assert all(peak <= HARD_CAP for _cause, _unsent, peak, _skipped, _left in closed), closed
    # In fact near high water: the last frame written below it (and the first snapshot, counted apart) at most.
    bound = HIGH_WATER + sizes[0] + max(sizes) + 1024
    assert all(peak <= bound for _cause, _unsent, peak, _skipped, _left in closed), (bound, closed)
    assert all(skipped > 0 for _cause, _unsent, _peak, skipped, _left in closed), closed
    # Each was detached when it was closed: the driver and the reader are the two viewers left in the end.
    assert min(left for *_, left in closed) == 2
    assert (code, reason) == (CLOSE_CODE, CLOSE_REASON)
    # The reader got every diff, in order, with no gap and no snapshot in between.
    diffs = [f for f in seen if f["type"] == "diff"]
    assert len(diffs) > 5
    assert all(f["type"] != "snapshot" for f in seen)
    for before, after in zip(diffs, diffs[1:], strict=False):
        assert after["from"] == before["to"], (before["from"], before["to"], after["from"])
