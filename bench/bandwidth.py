"""Bandwidth: bytes per frame a viewer of a demo cluster receives during rolling updates (issue 12 §1).

One Daphne process serves two demo clusters: the classroom one (30 pods on 5 workers) and a large one (1,000
pods, ten Deployments of 100, on 20 workers). For each, the instructor (bench.livesite.Driver) plays it at 8×
with a rolling update of every Deployment every 4 s and `sim traffic` in between, while a few viewers watch.
Each viewer is a `websockets` client that counts, per frame type, the frames, their decoded size and the
bytes each took on the link (websocket header and compression included, from the frame headers of the raw
stream: bench.livesite.FrameSizer). The run is made twice per cluster: without offering permessage-deflate, and offering it as browsers
always do (RFC 7692); the table says whether the server accepted it (`Sec-WebSocket-Extensions`).

Reported per cluster and offer: the first snapshot's size, frames per second per viewer, the mean decoded
size of a `diff` frame (and as a % of the snapshot), the mean bytes per frame on the wire (all frame types)
and per viewer per second. Aims (issue 12 §1): ≤ 1 KB per frame for the classroom cluster at 10 frames/s,
diff frames ≤ 10 % of a snapshot at 1,000 pods.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import socket
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import livesite
from bench.common import fmt_int, fmt_sig, start_demo_driver, table, ws_handshake

TITLE = "Bandwidth: bytes per frame during rolling updates, classroom and 1,000-pod demo (one Daphne process)"


def available() -> str | None:
    try:
        import websockets  # noqa: F401
    except ImportError:
        return "the websockets package is not installed (pip install -e '.[dev]')"
    return None


@dataclass
class Watch:
    """What one viewer received in the measurement window."""

    snapshot_bytes: int = 0
    extensions: str = ""
    frames: dict = field(default_factory=dict)  # type -> count
    text_bytes: dict = field(default_factory=dict)  # type -> decoded bytes
    wire_bytes: int = 0
    seconds: float = 0.0
    closed: str = ""


async def _viewer(port: int, cluster: str, deflate: bool, start: asyncio.Event, seconds: float) -> Watch:
    from websockets.asyncio.client import connect

    watch = Watch()
    async with connect(
        livesite.ws_url(port, cluster),
        origin=livesite.origin(port),
        compression="deflate" if deflate else None,
        max_size=None,
        create_connection=livesite.counting_connection_class(),
        open_timeout=60,
    ) as ws:
        watch.extensions = ws.response.headers.get("Sec-WebSocket-Extensions", "") or ""
        async with asyncio.timeout(60):
            for _ in range(100):  # bounded: the snapshot comes first, a few frames at most before it
                text = await ws.recv()
                if '"type":"snapshot"' in text[:60]:
                    watch.snapshot_bytes = len(text.encode())
                    break

        # Keep reading all along (a viewer that stops reading is throttled by flow control); count only from
        # `start` for `seconds`.
        async def read() -> None:
            for _ in range(1_000_000):  # bounded; ends with the socket
                await ws.recv()

        reader = asyncio.create_task(read())
        await start.wait()
        ws.measuring, t0 = True, time.monotonic()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(reader), seconds)
        ws.measuring = False
        watch.seconds = time.monotonic() - t0
        if reader.done() and reader.exception() is not None:
            watch.closed = f"{type(reader.exception()).__name__}: {reader.exception()}"[:120]
        reader.cancel()
        watch.frames = dict(getattr(ws, "frames", {}))
        watch.text_bytes = dict(getattr(ws, "text_bytes", {}))
        watch.wire_bytes = getattr(ws, "wire_bytes", 0)
    return watch


async def _measure(port: int, ids: dict, demo: tuple, viewers: int, seconds: float, deflate: bool) -> dict:
    name, _, deployments = demo
    driver = livesite.Driver(
        port,
        f"sessionid={ids['session']}",
        ids["clusters"][name],
        [d for d, _ in deployments],
        second_cookie=f"sessionid={ids['second']}",
    )
    stop, start = asyncio.Event(), asyncio.Event()
    playing = asyncio.create_task(driver.run(stop))
    try:
        await asyncio.sleep(1.0)
        tasks = [
            asyncio.create_task(_viewer(port, ids["clusters"][name], deflate, start, seconds))
            for _ in range(viewers)
        ]
        await asyncio.sleep(2.0)  # every viewer has its snapshot
        start.set()
        watches = await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(playing, 10)
    good = [w for w in watches if isinstance(w, Watch)]
    errors = [f"{type(w).__name__}: {w}"[:120] for w in watches if not isinstance(w, Watch)]
    return {"watches": good, "errors": errors, "updates": driver.updates, "refused": driver.refused}


def _row(demo: tuple, deflate: bool, result: dict) -> list[object]:
    watches: list[Watch] = result["watches"]
    if not watches:
        return [
            demo[0],
            "yes" if deflate else "no",
            "–",
            "–",
            "–",
            "–",
            "–",
            "–",
            "–",
            "–",
            "no viewer connected",
        ]
    frames = sum(sum(w.frames.values()) for w in watches)
    diffs = sum(w.frames.get("diff", 0) for w in watches)
    diff_bytes = sum(w.text_bytes.get("diff", 0) for w in watches)
    text_bytes = sum(sum(w.text_bytes.values()) for w in watches)
    wire = sum(w.wire_bytes for w in watches)
    viewer_seconds = sum(w.seconds for w in watches)
    snapshot = max(w.snapshot_bytes for w in watches)
    mean_diff = diff_bytes / diffs if diffs else 0.0
    negotiated = watches[0].extensions or "none"
    pods = sum(r for _, r in demo[2])
    if pods <= 100:
        aim = "≤ 1,024 B per frame"
        met = "yes" if frames and text_bytes / frames <= 1024 else "no"
    else:
        aim = "diff ≤ 10 % of snapshot"
        met = "yes" if snapshot and mean_diff <= 0.1 * snapshot else "no"
    closed = sum(1 for w in watches if w.closed)
    note = f"{len(watches)} viewers, {result['updates']} rollouts"
    if closed or result["errors"]:
        note += f", {closed} closed, {len(result['errors'])} failed"
    if result["refused"]:
        note += ", driver refused: " + ", ".join(f"{k} ×{v}" for k, v in result["refused"].items())
    return [
        f"{demo[0]} ({pods:,} pods)",
        "yes" if deflate else "no",
        negotiated if deflate else "–",
        fmt_int(snapshot),
        fmt_sig(frames / viewer_seconds) if viewer_seconds else "–",
        fmt_int(text_bytes / frames) if frames else "–",
        fmt_int(mean_diff) if diffs else "–",
        f"{100 * mean_diff / snapshot:.2g} %" if diffs and snapshot else "–",
        fmt_int(wire / frames) if frames else "–",
        fmt_sig(wire / viewer_seconds / 1024) if viewer_seconds else "–",
        f"{aim}: {met}; {note}",
    ]


SLOW_RCVBUF = 4096  # bytes: the slow-link viewer's kernel receive buffer, set before it connects
SLOW_CHUNK = 512  # bytes taken off the socket at a time once throttled


async def _raw_websocket(port: int, path: str) -> tuple[socket.socket, bytes]:
    """Open a websocket as a bare non-blocking socket with a small receive buffer; return it and the bytes
    that came after the handshake's answer."""
    loop = asyncio.get_running_loop()
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SLOW_RCVBUF)  # before connect: the window follows
    sock.setblocking(False)
    await loop.sock_connect(sock, (livesite.HOST, port))
    await loop.sock_sendall(sock, ws_handshake(livesite.HOST, port, path, livesite.origin(port)))
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = await loop.sock_recv(sock, 4096)
        if not chunk:
            raise ConnectionError("the server closed the handshake")
        head += chunk
    answer, _, rest = head.partition(b"\r\n\r\n")
    if not answer.startswith(b"HTTP/1.1 101"):
        raise ConnectionError(answer.split(b"\r\n", 1)[0].decode(errors="replace"))
    return sock, rest


def _next_frame(data: bytearray) -> tuple[int, bytes] | None:
    """Take one unmasked server frame (RFC 6455 §5.2) off the front of `data`: (opcode, payload), or None."""
    if len(data) < 2:
        return None
    length, start = data[1] & 0x7F, 2
    if length == 126:
        if len(data) < 4:
            return None
        length, start = int.from_bytes(data[2:4], "big"), 4
    elif length == 127:
        if len(data) < 10:
            return None
        length, start = int.from_bytes(data[2:10], "big"), 10
    if len(data) < start + length:
        return None
    opcode, payload = data[0] & 0x0F, bytes(data[start : start + length])
    del data[: start + length]
    return opcode, payload


async def _slow_link(port: int, ids: dict, rate_kib: float, seconds: float) -> dict:
    """One viewer of the classroom demo on a slow link, while the instructor plays: after its first snapshot
    bytes leave its socket at most `rate_kib` KiB/s (512 bytes at a time, then a pause), through a 4 KiB
    kernel receive buffer. So what it has not read waits on the server's side, as behind a slow Wi-Fi link,
    not in the client: a websocket library reading ahead into its own queue would hide a backlog from any
    server (the table's first version did: 64 KiB read ahead is 16 s at 4 KiB/s).
    Returns the median lag of its diffs (arrival − the server's `ts`) in the first, middle and last third of
    its reading time (by time, not by count: a viewer that keeps up at first gets many small diffs early, then
    few catch-ups), the worst lag, every (arrival, lag), its frames by type, and how the socket ended."""
    loop = asyncio.get_running_loop()
    driver, playing, stop = await start_demo_driver(port, ids)
    lags: list[tuple[float, float]] = []
    frames: dict[str, int] = {}
    ending = "open"
    sock = None
    try:
        path = livesite.ws_url(port, ids["clusters"]["classroom"]).split(str(port), 1)[1]
        sock, rest = await asyncio.wait_for(_raw_websocket(port, path), 60)
        data = bytearray(rest)
        throttled = False
        start = deadline = None
        for _ in range(10_000_000):
            frame = _next_frame(data)
            if frame is None:
                if deadline is not None and time.monotonic() >= deadline:
                    break
                timeout = 60 if deadline is None else max(0.01, deadline - time.monotonic())
                try:
                    chunk = await asyncio.wait_for(
                        loop.sock_recv(sock, SLOW_CHUNK if throttled else 65536), timeout
                    )
                except TimeoutError:
                    continue
                if not chunk:
                    ending = "closed without a close frame"
                    break
                data += chunk
                if throttled:
                    await asyncio.sleep(len(chunk) / (rate_kib * 1024))
                continue
            opcode, payload = frame
            if opcode == 8:
                code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else None
                ending = f"closed {code} {payload[2:].decode(errors='replace')}".strip()
                break
            if opcode == 9:  # Daphne's keepalive ping: a browser answers it (a masked pong, RFC 6455 §5.5.3)
                mask = os.urandom(4)
                masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
                await loop.sock_sendall(sock, bytes([0x8A, 0x80 | len(payload)]) + mask + masked)
                continue
            if opcode != 1:
                continue
            kind = livesite.frame_type(payload[:64].decode(errors="replace"))
            if not throttled:
                if kind == "snapshot":  # the first snapshot arrives unthrottled (the page was loaded before)
                    throttled = True
                    start = time.monotonic()
                    deadline = start + seconds
                continue
            frames[kind] = frames.get(kind, 0) + 1
            if kind == "diff":
                text = payload.decode()
                marker = text.rfind('"ts":')
                with contextlib.suppress(ValueError):
                    stamp = float(text[marker + 5 :].split(",", 1)[0].split("}", 1)[0])
                    lags.append((time.monotonic() - start, time.time() - stamp))
    except (OSError, TimeoutError) as exc:
        ending = type(exc).__name__
    finally:
        if sock is not None:
            sock.close()
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(playing, 10)
    thirds: list[list[float]] = [[], [], []]
    for arrival, lag in lags:
        thirds[min(2, int(3 * arrival / seconds))].append(lag)
    return {
        "first": livesite.pct(thirds[0], 50),
        "middle": livesite.pct(thirds[1], 50),
        "last": livesite.pct(thirds[2], 50),
        "worst": max((lag for _, lag in lags), default=None),
        "lags": lags,
        "frames": frames,
        "ending": ending,
    }


def _slow_row(rate_kib: float, seconds: float, r: dict) -> list[object]:
    """A row of the slow-link table. "growing backlog": the lag still rises in the second half of the run
    (the last third's median more than 1 s above the middle third's); "bounded": it levelled off. The first
    third holds the climb from a fresh snapshot to the link's steady lag, which any viewer slower than the
    broadcast has, bounded or not."""
    first, middle, last = r["first"], r["middle"], r["last"]
    known = middle is not None and last is not None
    verdict = "–" if not known else "growing backlog" if last > middle + 1.0 else "bounded"
    frames = ", ".join(f"{k} ×{v}" for k, v in sorted(r["frames"].items())) or "none"

    def ms(value: float | None) -> str:
        return "–" if value is None else fmt_sig(value * 1000)

    return [
        f"{rate_kib:g} KiB/s",
        ms(first),
        ms(middle),
        ms(last),
        ms(r["worst"]),
        verdict,
        f"{frames} in {seconds:g} s",
        r["ending"],
    ]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench bandwidth")
    parser.add_argument("--viewers", type=int, default=5, help="viewers per run (5)")
    parser.add_argument("--seconds", type=float, default=12.0, help="measurement window per run (12 s)")
    parser.add_argument("--only", choices=["classroom", "large"], help="one demo cluster only")
    parser.add_argument(
        "--slow-links", default="64,4", help="KiB/s of the slow-link viewers of the classroom demo (64,4)"
    )
    parser.add_argument("--quick", action="store_true", help="3 viewers, 5 s windows, slow links for 20 s")
    parser.add_argument("--slow-only", action="store_true", help="only the slow-link table")
    parser.add_argument("--slow-seconds", type=float, help="how long each slow-link viewer reads (45 s)")
    args = parser.parse_args(argv)
    slow_seconds = 45.0
    if args.quick:
        args.viewers, args.seconds, slow_seconds = 3, 5.0, 20.0
    if args.slow_seconds:
        slow_seconds = args.slow_seconds
    if args.slow_only:
        args.only = "classroom"  # the slow links watch the classroom demo; the large one is not needed
    links = [float(x) for x in args.slow_links.split(",") if x] if args.only in (None, "classroom") else []
    demos = [d for d in (livesite.CLASSROOM_DEMO, livesite.LARGE_DEMO) if args.only in (None, d[0])]
    print(livesite.context_line("start"))
    print()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-bandwidth-") as tmp_name:
        tmp = Path(tmp_name)
        env = livesite.app_env(tmp)
        ids = livesite.prepare(tmp, demos, env)
        port = livesite.free_port()
        server = livesite.daphne(livesite.ROOT, livesite.APP, env, port, tmp / "app.log")
        try:
            for demo in [] if args.slow_only else demos:
                for deflate in (False, True):
                    result = asyncio.run(_measure(port, ids, demo, args.viewers, args.seconds, deflate))
                    for error in result["errors"][:3]:
                        print(f"({demo[0]}: viewer failed: {error})", file=sys.stderr)
                    rows.append(_row(demo, deflate, result))
            slow_rows = [
                _slow_row(rate, slow_seconds, asyncio.run(_slow_link(port, ids, rate, slow_seconds)))
                for rate in links
            ]
        finally:
            livesite.stop(server)
    if rows:
        print(
            table(
                [
                    "demo cluster",
                    "deflate offered",
                    "negotiated",
                    "snapshot bytes",
                    "frames/s per viewer",
                    "mean bytes/frame (text)",
                    "mean diff bytes",
                    "diff / snapshot",
                    "bytes/frame on the wire",
                    "KiB/s per viewer on the wire",
                    "aim (issue 12 §1) and notes",
                ],
                rows,
                align="llllrrrrrrl",
            )
        )
    print()
    if slow_rows:
        print(
            table(
                [
                    "slow-link viewer of the classroom demo",
                    "diff lag p50 ms, first third of its time",
                    "middle third",
                    "last third",
                    "worst",
                    "reading",
                    "frames received",
                    "socket",
                ],
                slow_rows,
                align="lrrrrlll",
            )
        )
        print()
        print(
            "After its first snapshot, a slow-link viewer takes at most that many KiB/s off its socket (a bare "
            "socket with a 4 KiB receive buffer read 512 bytes at a time, so its backlog waits on the server's side "
            "as behind a slow link). Lag = arrival − the server's `ts`, its median per third of the reading time; "
            "growing backlog = the last third's is more than 1 s above the middle third's, i.e. the lag still "
            "rises after the climb every viewer slower than the broadcast makes to its steady lag (issue 12 §1: "
            "coalesced frames, never a growing backlog). Fewer diffs than the 64 KiB/s viewer's: coalesced "
            "catch-ups; its steady lag is about the lag limits plus one catch-up's reading time."
        )
        print()
    print(
        "Text sizes are the decoded frames (UTF-8); wire bytes are what the socket delivered in the window, "
        "websocket headers and permessage-deflate included. The instructor plays the cluster at 8×: a rolling "
        "update of every Deployment every 4 s, `sim traffic` between."
    )
    print()
    print(livesite.context_line("end"))
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
