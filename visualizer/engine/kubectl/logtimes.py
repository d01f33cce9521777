"""When each log line was written, and kubelet's timestamp text: shared by the console's `kubectl logs
--timestamps|--since` and the REST face's log subresource (visualizer/kubeapi/logs.py), so both print the
same times.
"""

from __future__ import annotations

import re
from datetime import timedelta

from ..clock import EPOCH


def line_times(ctr: dict, lines: list[str], previous: bool) -> list[float]:
    """Returns a simulated time (seconds) per line: the engine's per-chunk write times when it kept them,
    else the instance's start time."""
    chunks = ctr.get("prevLogs" if previous else "logs") or []
    stamps = ctr.get("prevLogTimes" if previous else "logTimes")
    default = ctr.get("startedAt") or 0.0
    if previous:
        default = ctr.get("prevStartedAt", default)
    if not stamps or len(stamps) != len(chunks):
        return [default] * len(lines)
    out: list[float] = []
    for chunk, t in zip(chunks, stamps, strict=True):
        out.extend([t] * (chunk.count("\n") + 1))
    return out[: len(lines)] + [default] * (len(lines) - len(out))


def nano_stamp(t: float) -> str:
    """kubelet's RFC3339NanoFixed (`2006-01-02T15:04:05.000000000Z07:00`) for simulated time t (seconds)."""
    whole = int(t)
    nanos = int(round((t - whole) * 1e9))
    if nanos >= 1_000_000_000:
        whole, nanos = whole + 1, nanos - 1_000_000_000
    return (EPOCH + timedelta(seconds=whole)).strftime("%Y-%m-%dT%H:%M:%S") + f".{nanos:09d}Z"


_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")


def go_duration(text: str) -> float | None:
    """Parses a Go duration (`1h`, `5m30s`, `90s`) into seconds; None when it is not one (Go's
    time.ParseDuration; a bare `0` is zero)."""
    body = text[1:] if text[:1] in "+-" else text
    if body == "0":
        return 0.0
    if not body:
        return None
    total, pos = 0.0, 0
    for m in _PART.finditer(body):
        if m.start() != pos:
            return None
        total += float(m.group(1)) * _UNITS[m.group(2)]
        pos = m.end()
    if pos != len(body):
        return None
    return -total if text.startswith("-") else total
