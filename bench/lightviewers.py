"""A cheap websocket load client: many passive viewers that count frames, and time a sample of them.

wsbench (../shared/bench) parses and queues every frame through the `websockets` library: at 10,000 frames/s
it takes most of a core, so on a 2-core machine it cannot ask a server for more than one Daphne process
delivers. This client reads the raw stream instead (an asyncio Protocol per viewer): it walks the websocket
frame headers, looks only at the first bytes of each frame (its `type`, and for one viewer in
`--sample-every` also the server's `ts` stamp and the diff's `to` version) and skips the rest without
copying it. Run several of these processes to spread the load (`run`, below); each reports its own CPU.

Protocol with the parent (`run`): the child connects its viewers (each ready once its `--ready` marker
arrived, e.g. its first snapshot), prints one JSON line `{"connected": n, "errors": [...]}`, waits for a
line `go` on stdin, counts for `--duration` seconds (and, with `--publish-url`, publishes `--rate` frames a
second there, as wsbench's broadcast mode does), prints one JSON line with its counts, then exits.

Loopback only (127.0.0.0/8), every loop bounded by a count or a deadline. Server frames are unmasked
(RFC 6455 §5.1); the client masks what it sends (its handshake-free frames: pongs and publishes).
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import os
import re
import resource
import select
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bench.common import ws_handshake

HEAD = 64  # payload bytes looked at per frame (enough for `{"v":1,"type":"snapshot"` and the bare app's type)
SAMPLED_HEAD = 256  # a sampled viewer's look: the diff's `to` and `ts` come before its body
TS_RE = re.compile(rb'"ts": ?([0-9]+(?:\.[0-9]+)?)')
TO_RE = re.compile(rb'"(?:to|seq)": ?([0-9]+)')
MAX_VIEWERS = 20_000


def _loopback(url: str) -> tuple[str, int, str]:
    """Return (host, port, path) of a ws:// URL; SystemExit unless the host is a loopback address."""
    parts = urlsplit(url)
    host = "127.0.0.1" if parts.hostname == "localhost" else (parts.hostname or "")
    if parts.scheme != "ws" or not ipaddress.ip_address(host).is_loopback:
        raise SystemExit(f"refusing {url!r}: only ws:// on loopback")
    return host, parts.port or 80, parts.path or "/"


def mask_frame(opcode: int, payload: bytes) -> bytes:
    """Return one final client frame (masked, RFC 6455 §5.2-5.3) carrying `payload`."""
    key = os.urandom(4)
    n = len(payload)
    if n < 126:
        header = bytes([0x80 | opcode, 0x80 | n])
    elif n < 65536:
        header = bytes([0x80 | opcode, 0x80 | 126]) + n.to_bytes(2, "big")
    else:
        header = bytes([0x80 | opcode, 0x80 | 127]) + n.to_bytes(8, "big")
    if not n:
        return header + key
    stream = (key * (n // 4 + 1))[:n]
    masked = (int.from_bytes(payload, "big") ^ int.from_bytes(stream, "big")).to_bytes(n, "big")
    return header + key + masked


@dataclass
class Counts:
    """What one client process saw while measuring (`measuring` set between `go` and the deadline)."""

    measuring: bool = False
    delivered: int = 0  # frames matching --match (e.g. diffs)
    other: dict = field(default_factory=dict)  # other data frames by their first 16 bytes' type
    latencies: list = field(default_factory=list)  # seconds, sampled viewers only
    versions: set = field(default_factory=set)  # distinct `to` (or `seq`) values the sampled viewers saw
    closed: int = 0  # viewers the server closed (close frame or EOF) at any time
    close_reasons: dict = field(default_factory=dict)


class Viewer(asyncio.Protocol):
    """One passive viewer on a raw socket: handshake, then frame headers only (see the module doc)."""

    def __init__(
        self,
        counts: Counts,
        host: str,
        port: int,
        path: str,
        origin: str,
        ready: bytes,
        match: bytes,
        sampled: bool,
    ):
        self.counts, self.ready_marker, self.match, self.sampled = counts, ready, match, sampled
        self.head_len = SAMPLED_HEAD if sampled else HEAD
        self.request = ws_handshake(host, port, path, origin)
        self.http = True
        self.pending = b""
        self.skip = 0
        self.ready = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None
        self.gone = False

    def connection_made(self, transport) -> None:
        self.transport = transport
        transport.write(self.request)

    def connection_lost(self, exc) -> None:
        if not self.gone:
            self.gone = True
            self.counts.closed += 1
        if not self.ready.done():
            self.ready.set_exception(ConnectionError("closed before ready"))

    def data_received(self, data: bytes) -> None:
        if self.http:
            self.pending += data
            end = self.pending.find(b"\r\n\r\n")
            if end < 0:
                return
            status = self.pending[: self.pending.find(b"\r\n")]
            if b" 101 " not in status + b" ":
                if not self.ready.done():
                    self.ready.set_exception(ConnectionError(status.decode("latin-1")[:80]))
                self.transport.abort()
                return
            data, self.pending, self.http = self.pending[end + 4 :], b"", False
        if self.skip:
            if len(data) <= self.skip:
                self.skip -= len(data)
                return
            data = data[self.skip :]
            self.skip = 0
        buf = self.pending + data if self.pending else data
        pos, n = 0, len(buf)
        while n - pos >= 2:
            opcode, length, hl = buf[pos] & 0x0F, buf[pos + 1] & 0x7F, 2
            if length == 126:
                if n - pos < 4:
                    break
                length, hl = int.from_bytes(buf[pos + 2 : pos + 4], "big"), 4
            elif length == 127:
                if n - pos < 10:
                    break
                length, hl = int.from_bytes(buf[pos + 2 : pos + 10], "big"), 10
            want = length if opcode >= 8 else min(length, self.head_len)
            if n - pos - hl < want:
                break
            self._frame(opcode, buf[pos + hl : pos + hl + want])
            avail = n - pos - hl
            if avail >= length:
                pos += hl + length
                continue
            self.skip, pos = length - avail, n
        self.pending = buf[pos:] if pos < n else b""

    def _frame(self, opcode: int, head: bytes) -> None:
        counts = self.counts
        if opcode == 0x9:  # ping: a pong echoes its data (Autobahn closes a socket whose pongs do not match)
            self.transport.write(mask_frame(0xA, head))
            return
        if opcode == 0x8:
            code = int.from_bytes(head[:2], "big") if len(head) >= 2 else 1005
            counts.close_reasons[code] = counts.close_reasons.get(code, 0) + 1
            self.transport.close()
            return
        if opcode not in (0x1, 0x2):
            return
        if not self.ready.done():
            if self.ready_marker in head:
                self.ready.set_result(None)
            return
        if not counts.measuring:
            return
        if self.match in head:
            counts.delivered += 1
            if self.sampled:
                ts = TS_RE.search(head)
                if ts is not None:
                    counts.latencies.append(time.time() - float(ts.group(1)))
                to = TO_RE.search(head)
                if to is not None:
                    counts.versions.add(int(to.group(1)))
        else:
            found = re.search(rb'"type": ?"([a-z.]+)"', head)
            kind = found.group(1).decode() if found else "?"
            counts.other[kind] = counts.other.get(kind, 0) + 1


async def _connect(
    url: str, origin: str, counts: Counts, ready: bytes, match: bytes, sampled: bool, timeout: float
) -> Viewer:
    host, port, path = _loopback(url)
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(timeout):
        _, viewer = await loop.create_connection(
            lambda: Viewer(counts, host, port, path, origin, ready, match, sampled), host, port
        )
        try:
            await viewer.ready
        except BaseException:
            viewer.transport.abort()
            raise
    return viewer


async def _publish(url: str, rate: float, payload_bytes: int, deadline: float) -> int:
    """Publish wsbench's broadcast-mode frames to the bare app at `rate` a second until `deadline`."""
    host, port, path = _loopback(url)
    counts = Counts()
    loop = asyncio.get_running_loop()
    _, pub = await loop.create_connection(
        lambda: Viewer(counts, host, port, path, "", b'"type": "ready"', b"\x00", False), host, port
    )
    await asyncio.wait_for(pub.ready, 10)
    state = json.dumps({"pad": "x" * max(payload_bytes - 12, 0)}, separators=(",", ":"))
    start, sent = loop.time(), 0
    for seq in range(int(rate * (deadline - time.monotonic())) + 1):
        delay = start + seq / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        if time.monotonic() >= deadline:
            break
        text = f'{{"type":"publish","payload":{{"seq":{seq},"ts":{time.time():.6f},"state":{state}}}}}'
        pub.transport.write(mask_frame(0x1, text.encode()))
        sent += 1
    pub.transport.abort()
    return sent


async def child(args: argparse.Namespace) -> None:
    counts = Counts()
    sem = asyncio.Semaphore(args.connect_concurrency)
    errors: list[str] = []

    async def one(i: int) -> Viewer | None:
        async with sem:
            try:
                return await _connect(
                    args.url[i % len(args.url)],
                    args.origin,
                    counts,
                    args.ready.encode(),
                    args.match.encode(),
                    i % args.sample_every == 0,
                    args.open_timeout,
                )
            except Exception as exc:  # noqa: BLE001 - counted and reported, the others go on
                errors.append(f"{type(exc).__name__}: {exc}"[:120])
                return None

    viewers = [v for v in await asyncio.gather(*(one(i) for i in range(args.n))) if v is not None]
    print(json.dumps({"connected": len(viewers), "errors": errors[:3], "failed": len(errors)}), flush=True)
    loop = asyncio.get_running_loop()
    line = await loop.run_in_executor(None, sys.stdin.readline)
    if line.strip() != "go":
        return
    closed_before = counts.closed
    cpu0, t0 = _cpu(), time.monotonic()
    counts.measuring = True
    deadline = t0 + args.duration
    sent = 0
    if args.publish_url:
        sent = await _publish(args.publish_url, args.rate, args.payload_bytes, deadline)
    await asyncio.sleep(max(deadline - time.monotonic(), 0))
    counts.measuring = False
    seconds, cpu = time.monotonic() - t0, _cpu() - cpu0
    for v in viewers:
        v.transport.abort()
    print(
        json.dumps(
            {
                "viewers": len(viewers),
                "seconds": seconds,
                "delivered": counts.delivered,
                "other": counts.other,
                "latencies": counts.latencies,
                "versions": sorted(counts.versions),
                "sampled": len(viewers[:: args.sample_every]),
                "closed_during": counts.closed - closed_before,
                "close_codes": counts.close_reasons,
                "client_cpu_s": cpu,
                "published": sent,
            }
        ),
        flush=True,
    )


def _cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


# ------------------------------------------------------------------------------------------------ the parent
@dataclass
class Batch:
    """The merged result of one run over all client processes."""

    viewers: int
    failed: int
    errors: list[str]
    seconds: float
    delivered: int
    other: dict
    latencies: list[float]
    versions: int  # distinct diff versions (`to`) or publish `seq`s the sampled viewers saw: frames produced
    closed: int
    close_codes: dict
    client_cpu_pct: float  # all client processes, % of one core over the window
    published: int
    server_cpu_pct: list[float]  # per server pid, % of one core over the window

    def per_second(self) -> float:
        return self.delivered / self.seconds if self.seconds else 0.0


def run(
    urls: list[str],
    n: int,
    seconds: float,
    *,
    processes: int = 2,
    origin: str = "",
    ready: str,
    match: str,
    sample_every: int = 10,
    server_pids: list[int],
    publish: tuple[str, float, int] | None = None,
    before_window=None,
    open_timeout: float = 30.0,
) -> Batch:
    """Connect `n` viewers round-robin over `urls` from `processes` client processes, count for `seconds`.

    `before_window()` (optional) runs once every viewer is connected, just before the window opens (e.g. to
    cap the servers' CPU). Server CPU is read from /proc for `server_pids` over the window. Raises
    RuntimeError when a client process gives no result (its stderr is in the message).
    """
    from bench.common import process_stats

    if not 0 < n <= MAX_VIEWERS:
        raise ValueError(f"viewers must be 1..{MAX_VIEWERS}")
    shares = [n // processes + (1 if i < n % processes else 0) for i in range(processes)]
    procs = []
    offset = 0
    for i, share in enumerate(shares):
        # Rotate the URLs so the round-robin spreads each process's viewers over every server.
        rotated = urls[offset % len(urls) :] + urls[: offset % len(urls)]
        offset += share
        cmd = [
            sys.executable,
            "-m",
            "bench.lightviewers",
            "--child",
            "-n",
            str(share),
            "--duration",
            str(seconds),
            "--ready",
            ready,
            "--match",
            match,
            "--sample-every",
            str(sample_every),
            "--origin",
            origin,
            "--open-timeout",
            str(open_timeout),
        ]
        for url in rotated:
            cmd += ["--url", url]
        if publish and i == 0:
            cmd += [
                "--publish-url",
                publish[0],
                "--rate",
                str(publish[1]),
                "--payload-bytes",
                str(publish[2]),
            ]
        procs.append(
            subprocess.Popen(
                cmd,
                cwd=Path(__file__).resolve().parents[1],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    try:
        hello = [_line(p, open_timeout * (n / 50 + 2)) for p in procs]
        if before_window is not None:
            before_window()
        cpu0 = [process_stats(pid).cpu for pid in server_pids]
        t0 = time.monotonic()
        for p in procs:
            p.stdin.write("go\n")
            p.stdin.flush()
        results = [_line(p, seconds + 60) for p in procs]
        dt = time.monotonic() - t0
        cpu1 = [process_stats(pid).cpu for pid in server_pids]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
            p.wait(timeout=10)
    versions: set[int] = set()
    merged = Batch(
        sum(h["connected"] for h in hello),
        sum(h["failed"] for h in hello),
        [e for h in hello for e in h["errors"]][:3],
        max(r["seconds"] for r in results),
        0,
        {},
        [],
        0,
        0,
        {},
        0.0,
        0,
        [round((b - a) / dt * 100, 1) for a, b in zip(cpu0, cpu1, strict=True)],
    )
    for r in results:
        merged.delivered += r["delivered"]
        merged.latencies += r["latencies"]
        versions.update(r["versions"])
        merged.closed += r["closed_during"]
        merged.published += r["published"]
        merged.client_cpu_pct += r["client_cpu_s"] / r["seconds"] * 100
        for key, value in r["other"].items():
            merged.other[key] = merged.other.get(key, 0) + value
        for key, value in r["close_codes"].items():
            merged.close_codes[key] = merged.close_codes.get(key, 0) + value
    merged.versions = len(versions)
    return merged


def _line(proc: subprocess.Popen, timeout: float) -> dict:
    """Read one JSON line from a child within `timeout` seconds; RuntimeError with its stderr otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.5)
        if ready:
            line = proc.stdout.readline()
            if line:
                return json.loads(line)
            break
        if proc.poll() is not None:
            break
    proc.kill()
    raise RuntimeError(f"a client process gave no result: {proc.stderr.read()[-1500:]}")


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.lightviewers")
    p.add_argument("--child", action="store_true", help="run as one client process of `run` (stdin/stdout)")
    p.add_argument("--url", action="append", required=True)
    p.add_argument("-n", type=int, required=True)
    p.add_argument("--duration", type=float, default=8.0)
    p.add_argument("--ready", default='"type":"snapshot"')
    p.add_argument("--match", default='"type":"diff"')
    p.add_argument("--sample-every", type=int, default=10)
    p.add_argument("--origin", default="")
    p.add_argument("--open-timeout", type=float, default=30.0)
    p.add_argument("--connect-concurrency", type=int, default=50)
    p.add_argument("--publish-url", default="")
    p.add_argument("--rate", type=float, default=10.0)
    p.add_argument("--payload-bytes", type=int, default=1000)
    args = p.parse_args(argv)
    if not 0 < args.n <= MAX_VIEWERS or not 0 < args.duration <= 600 or not 0 < args.rate <= 1000:
        p.error("bounds: 1 ≤ n ≤ 20,000, duration ≤ 600 s, rate ≤ 1,000/s")
    for url in args.url + ([args.publish_url] if args.publish_url else []):
        _loopback(url)
    asyncio.run(asyncio.wait_for(child(args), args.duration + 4 * args.open_timeout + 120))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
