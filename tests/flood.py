"""A flooding websocket client for tests against a real Daphne: raw frames sent as fast as the server takes
them, never reading; the server's resident memory; and a bystander timed while the flood runs."""

from __future__ import annotations

import asyncio
import base64
import os
import socket
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

# The flood: a ping and a frame that is not JSON, alternately (27 + 14 bytes on the wire): the cheapest frames
# to send, each one an entry in Daphne's application queue when it is read.
PAIR_BYTES = 41


def rss_mib(pid: int) -> float:
    """The resident memory of a process (MiB), from /proc."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def masked(text: str) -> bytes:
    """One client text frame (RFC 6455 §5.2: a client masks every frame; the key 0 leaves the payload as is)."""
    payload = text.encode()
    assert len(payload) < 126
    return bytes([0x81, 0x80 | len(payload)]) + b"\0\0\0\0" + payload


def raw_socket(port: int, path: str, cookie: str | None = None, rcvbuf: int | None = None) -> socket.socket:
    """Open a websocket by hand and read only the handshake's answer.

    `rcvbuf` (bytes) sets a small receive buffer before connecting (the TCP window is agreed at the
    handshake), so that a socket that never reads holds the server's frames up on the server's side."""
    sock = socket.socket()
    if rcvbuf is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    cookie_line = f"Cookie: {cookie}\r\n" if cookie else ""
    sock.sendall(
        (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nOrigin: http://127.0.0.1:{port}\r\n"
            f"{cookie_line}\r\n"
        ).encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(1)
        assert chunk, "the server closed the handshake"
        head += chunk
    assert head.startswith(b"HTTP/1.1 101"), head
    return sock


def flood(sock: socket.socket, seconds: float, sent: list[int]) -> None:
    """Send ping / not-JSON pairs as fast as the connection takes them for `seconds`; count bytes in `sent[0]`."""
    chunk = (masked('{"v":1,"type":"ping"}') + masked("not json")) * 2000
    assert len(chunk) == 2000 * PAIR_BYTES
    sock.settimeout(0.2)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            sent[0] += sock.send(chunk)
        except TimeoutError:
            continue  # the server is not reading: its kernel and ours are full


@dataclass
class FloodRun:
    """What a flood did: the server's resident memory before it and at its peak (MiB), the probe's times while
    it ran (seconds), and the bytes the flooder sent."""

    before: float
    peak: float
    during: list[float]
    sent: int

    @property
    def frames(self) -> int:
        """The frames sent (two a ping / not-JSON pair)."""
        return 2 * self.sent // PAIR_BYTES


async def flood_and_probe(
    pid: int,
    port: int,
    path: str,
    seconds: float,
    probe: Callable[[int], Awaitable[float]],
    pause: float,
    cookie: str | None = None,
) -> FloodRun:
    """Flood the socket `path` of the server `pid` on `port` from a thread for `seconds` (`flood`); meanwhile,
    every `pause` seconds, time `probe(n)` (a bystander's request, n = 0, 1, …) and read the server's memory.
    The flooder's socket is closed when the flood ends."""
    before = rss_mib(pid)
    flooder = raw_socket(port, path, cookie)
    sent = [0]
    thread = threading.Thread(target=flood, args=(flooder, seconds, sent), daemon=True)
    thread.start()
    during: list[float] = []
    peak = before
    try:
        while thread.is_alive():
            await asyncio.sleep(pause)
            during.append(await probe(len(during)))
            peak = max(peak, rss_mib(pid))
    finally:
        flooder.close()
    return FloodRun(before, peak, during, sent[0])
