"""Caps a server process's CPU with a cgroup v1 `cpu` controller group, so a benchmark can saturate it.

On a 2-core machine the load client cannot ask one uncapped Daphne process for more than it delivers, so a
"two processes against one" ratio would measure the demand. Capping every server process to the same share
of a core (CFS bandwidth control: `cpu.cfs_quota_us` per `cpu.cfs_period_us`, Linux
Documentation/scheduler/sched-bwc.rst) makes one process saturate at a demand the client can produce, and the
ratio then measures the architecture. Needs root and a writable v1 `cpu` hierarchy; `unavailable()` says why
not otherwise (cgroup v2-only machines, containers, users' laptops), and the benchmark falls back to the
uncapped table.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

ROOT = Path("/sys/fs/cgroup/cpu")
PERIOD_US = 100_000


def unavailable(root: Path = ROOT) -> str | None:
    """Return None when CPU caps can be set here, else the reason they cannot."""
    if not (root / "cpu.cfs_quota_us").exists():
        return f"no cgroup v1 cpu controller at {root}"
    probe = root / f"bench-probe-{os.getpid()}"
    try:
        probe.mkdir()
        probe.rmdir()
    except OSError as exc:
        return f"cannot create a cgroup under {root} ({exc.strerror}; needs root)"
    return None


class CpuCap:
    """One cgroup holding processes to `fraction` of one core (e.g. 0.25) in total. Use as a context manager.

    `add(pid)` moves a process (all its threads, and those it starts later) into the group; leaving the
    context moves every process still in it back to the root group and removes the group."""

    def __init__(self, name: str, fraction: float, root: Path = ROOT):
        if not 0 < fraction <= 64:
            raise ValueError("fraction of a core must be in (0, 64]")
        self.path = root / f"bench-{name}-{os.getpid()}"
        self.root = root
        self.fraction = fraction

    def __enter__(self) -> CpuCap:
        self.path.mkdir()
        (self.path / "cpu.cfs_period_us").write_text(str(PERIOD_US))
        (self.path / "cpu.cfs_quota_us").write_text(str(max(1000, int(PERIOD_US * self.fraction))))
        return self

    def add(self, pid: int) -> None:
        (self.path / "cgroup.procs").write_text(str(pid))

    def throttled(self) -> dict[str, int]:
        """Return the group's CFS statistics: periods, periods throttled, time throttled (ns)."""
        stats = {}
        for line in (self.path / "cpu.stat").read_text().splitlines():
            key, _, value = line.partition(" ")
            stats[key] = int(value)
        return stats

    def __exit__(self, *exc: object) -> None:
        for pid in (self.path / "cgroup.procs").read_text().split():
            with contextlib.suppress(OSError):  # it may have exited meanwhile
                (self.root / "cgroup.procs").write_text(pid)
        self.path.rmdir()
