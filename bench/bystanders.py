"""The bystanders of the abuse benchmark: the students whose experience an attack must not spoil.

A student at the console of their own sandbox (command round trips), a student watching the class demo
(frame lag) and the server's memory, all stamped with time.monotonic() so that bench/abuse.py can cut them
into the quiet window and the attack's. Each connects from its own loopback address (`Visitor.local_addr`,
`DEMO_VIEWER`), so a limit per address on an attacker never counts them. Every loop ends with `stop`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass, field

from bench import livesite
from bench.common import process_stats

DEMO_VIEWER = "127.0.0.3"


@dataclass
class Probes:
    """Everything measured all along, stamped with time.monotonic()."""

    rss: list[tuple[float, int]] = field(default_factory=list)
    commands: list[tuple[float, float]] = field(default_factory=list)  # (sent at, round trip s)
    command_errors: list[tuple[float, str]] = field(default_factory=list)
    frames: list[tuple[float, float]] = field(default_factory=list)  # (arrived at, lag s)


async def sample_rss(pid: int, probes: Probes, stop: asyncio.Event) -> None:
    """Appends (time.monotonic(), RSS bytes) of process `pid` to `probes.rss` every 0.25 s until `stop`."""
    for _ in range(1_000_000):
        if stop.is_set():
            return
        with contextlib.suppress(OSError):
            probes.rss.append((time.monotonic(), process_stats(pid).rss_bytes))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.25)


async def console_student(port: int, visitor: livesite.Visitor, probes: Probes, stop: asyncio.Event) -> None:
    """A student at the console of their own sandbox until `stop`: `kubectl get pods` every 0.5 s, each round
    trip (command sent → its `result`) appended to `probes.commands` in seconds; `error` answers and commands
    unanswered after 10 s go to `probes.command_errors` by code."""
    from websockets.asyncio.client import connect

    pending: dict[int, float] = {}
    async with connect(
        livesite.ws_url(port, visitor.cluster),
        origin=livesite.origin(port),
        additional_headers={"Cookie": visitor.cookie},
        local_addr=(visitor.local_addr, 0),
        max_size=None,
    ) as ws:

        async def read() -> None:
            async for text in ws:
                kind = livesite.frame_type(text[:64])
                if kind == "result":
                    start = pending.pop(json.loads(text).get("id"), None)
                    if start is not None:
                        probes.commands.append((start, time.monotonic() - start))
                elif kind == "error":
                    frame = json.loads(text)
                    pending.pop(frame.get("ref"), None)
                    probes.command_errors.append((time.monotonic(), frame.get("code", "?")))

        reader = asyncio.create_task(read())
        for n in range(1_000_000):
            if stop.is_set():
                break
            now = time.monotonic()
            for sent, _ in [(k, v) for k, v in pending.items() if now - v > 10]:
                pending.pop(sent)
                probes.command_errors.append((now, "no answer in 10 s"))
            pending[n] = now
            await ws.send(livesite.command_frame(n, "kubectl get pods"))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.5)
        reader.cancel()


async def demo_viewer(port: int, cluster: str, probes: Probes, stop: asyncio.Event) -> None:
    """A student watching the class demo until `stop`: the lag of each `diff`, from the server's `ts` to its
    arrival (seconds, same machine clock), appended to `probes.frames`."""
    from websockets.asyncio.client import connect

    async with connect(
        livesite.ws_url(port, cluster),
        origin=livesite.origin(port),
        local_addr=(DEMO_VIEWER, 0),
        max_size=None,
    ) as ws:

        async def read() -> None:
            async for text in ws:
                if livesite.frame_type(text[:64]) == "diff":
                    arrived = time.time()
                    marker = text.rfind('"ts":')
                    if marker >= 0:
                        with contextlib.suppress(ValueError):
                            stamp = float(text[marker + 5 :].split(",", 1)[0].split("}", 1)[0])
                            probes.frames.append((time.monotonic(), arrived - stamp))

        reader = asyncio.create_task(read())
        await stop.wait()
        reader.cancel()
