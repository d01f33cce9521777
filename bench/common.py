"""Shared helpers for the benchmarks: timing, process CPU and memory, the machine, and Markdown tables.

Every sub-benchmark (`bench/engine.py` today; the websocket viewers and the classroom later) prints its
results as Markdown tables through `table()`, so `python -m bench > RESULTS.md` gives a readable report.
Process figures come from `/proc/<pid>/stat` and `/proc/<pid>/status` (Linux), so the same helper measures
this process and a server started by a benchmark (a Daphne child) alike.
"""

from __future__ import annotations

import asyncio
import base64
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Measurement:
    """Wall and CPU seconds spent by this process over one timed block."""

    wall: float
    cpu: float

    @property
    def cpu_share(self) -> float:
        """Returns CPU seconds per wall second (1.0 = one core kept busy)."""
        return self.cpu / self.wall if self.wall > 0 else 0.0


class Stopwatch:
    """Measures wall time (`perf_counter`) and this process's CPU time (`process_time`) of a `with` block."""

    def __enter__(self) -> Stopwatch:
        self._wall0 = time.perf_counter()
        self._cpu0 = time.process_time()
        self.result: Measurement | None = None
        return self

    def __exit__(self, *exc: object) -> None:
        self.result = Measurement(time.perf_counter() - self._wall0, time.process_time() - self._cpu0)


def timed(fn: Callable[[], object]) -> Measurement:
    """Returns the wall and CPU time of one call to `fn`."""
    with Stopwatch() as watch:
        fn()
    assert watch.result is not None
    return watch.result


def median(values: Iterable[float]) -> float:
    """Returns the median of the values (the statistic the tables report for repeated runs)."""
    return statistics.median(list(values))


@dataclass(frozen=True)
class ProcessStats:
    """CPU seconds (user + system) and resident memory of one process, read from /proc."""

    cpu: float
    rss_bytes: int
    peak_rss_bytes: int


def process_stats(pid: int | None = None) -> ProcessStats:
    """Returns the CPU time and current/peak RSS of `pid` (default: this process) from /proc."""
    pid = os.getpid() if pid is None else pid
    with open(f"/proc/{pid}/stat") as f:
        # The command name (field 2) may contain spaces: split after its closing parenthesis.
        fields = f.read().rsplit(")", 1)[1].split()
    utime, stime = int(fields[11]), int(fields[12])
    rss = peak = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) * 1024
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) * 1024
    return ProcessStats(cpu=(utime + stime) / CLK_TCK, rss_bytes=rss, peak_rss_bytes=peak)


def machine() -> str:
    """Returns a one-line description of the machine: cores, CPU model, Python and OS."""
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{cores} cores ({model}), Python {platform.python_version()} "
        f"({sys.implementation.name}), {platform.system()} {platform.release()}"
    )


def reference_loop_ms(repeat: int = 5) -> float:
    """Returns the CPU milliseconds (best of `repeat`) this interpreter takes for a fixed pure-Python loop:
    the sum of the squares below 10**6 in a generator expression.

    The engine's aims are absolute (simulated seconds per wall second), and the same VM has run the same code
    2-3x slower from one day to the next (a shared host), so every report prints this yardstick: two reports
    compare only after dividing by it.
    """
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        sum(i * i for i in range(1_000_000))
        best = min(best, time.process_time() - start)
    return best * 1000.0


def commit() -> str:
    """Returns the checked-out commit (`abc1234`; `abc1234 + uncommitted changes` when tracked files differ)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=root, capture_output=True, text=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head} + uncommitted changes" if dirty else head


def load_average() -> str:
    """Returns the 1/5/15-minute load averages ("0.12 / 0.30 / 0.25"): above the core count, other processes
    compete for the CPU and wall-clock figures are inflated (CPU-time figures much less so)."""
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], align: str | None = None) -> str:
    """Returns a GitHub Markdown table; `align` has one letter per column (`l` or `r`, default: right
    for every column but the first)."""
    headers = list(headers)
    align = align or "l" + "r" * (len(headers) - 1)
    if len(align) != len(headers):
        raise ValueError("align needs one letter per column")
    marks = ["---:" if a == "r" else ":---" for a in align]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(marks) + " |"]
    for row in rows:
        cells = [str(c) for c in row]
        if len(cells) != len(headers):
            raise ValueError(f"row has {len(cells)} cells, expected {len(headers)}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def fmt_int(n: float) -> str:
    """Returns `n` rounded to an integer with thousands separators (`12,345`)."""
    return f"{round(n):,}"


def fmt_sig(x: float, digits: int = 3) -> str:
    """Returns `x` with about `digits` significant figures and thousands separators (`1,234`, `12.3`, `0.0456`)."""
    if x == 0:
        return "0"
    if abs(x) >= 10 ** (digits - 1):
        return fmt_int(x)
    return f"{x:.{digits}g}"


def fmt_ms(seconds: float) -> str:
    """Returns a duration in milliseconds with about three significant figures."""
    return fmt_sig(seconds * 1000)


def fmt_us(seconds: float) -> str:
    """Returns a duration in microseconds with about three significant figures."""
    return fmt_sig(seconds * 1_000_000)


def fmt_bytes(n: float) -> str:
    """Returns a byte count in KiB or MiB."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MiB"
    return f"{n / 1024:.1f} KiB"


def heading(title: str, level: int = 2) -> str:
    """Returns a Markdown heading line."""
    return "#" * level + " " + title


async def start_demo_driver(port: int, ids: dict) -> tuple[Any, asyncio.Task, asyncio.Event]:
    """Start the instructor playing the classroom demo (bench.livesite.Driver) on the app process at `port`,
    as the site `ids` describes (bench.livesite's sessions and clusters); return (driver, its task, the event
    that stops it) a second later, once it plays. Set the event, then await the task, to stop it."""
    from bench import livesite  # livesite imports this module: imported when called

    stop = asyncio.Event()
    driver = livesite.Driver(
        port,
        f"sessionid={ids['session']}",
        ids["clusters"]["classroom"],
        ["web"],
        second_cookie=f"sessionid={ids['second']}",
    )
    playing = asyncio.create_task(driver.run(stop))
    await asyncio.sleep(1.0)
    return driver, playing, stop


def ws_handshake(host: str, port: int, path: str, origin: str = "", cookie: str = "") -> bytes:
    """Returns the HTTP request that opens a websocket at `path` (RFC 6455 §4.1: a fresh random 16-byte key),
    with an Origin and a Cookie header when given; the answer to expect is `101 Switching Protocols`."""
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: {host}:{port}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {key}",
        "Sec-WebSocket-Version: 13",
    ]
    if origin:
        lines.append(f"Origin: {origin}")
    if cookie:
        lines.append(f"Cookie: {cookie}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()
