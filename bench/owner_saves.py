"""The owner's CPU per command on the classroom demo, in-process: what each command's save costs (issue 12 §4).

A `ClusterHost` on a fresh SQLite database owns the classroom demo (5 workers, 30 pods, as bench.livesite) at 8×;
two players send a command every 0.21 s each, as bench.livesite.Driver does (`sim traffic web 2`, and a rolling
update every 4 s), without websockets; the clock ticks (an API client keeps the cluster watched). Over the window
it reports, per command carried out: the save's CPU (`thread_time` inside `LiveCluster.record_fields` on the
event loop plus inside `records.save` in the saver thread), the whole process's CPU (`process_time`), saves and
bases, and the latency of replies and of diff frames (their `ts` stamp to the broadcast).

With `--cap F` the process runs in a cgroup v1 `cpu` group held to F of a core (bench/cpucap.py; root only), as
the scale-out benchmark holds its servers: a throttled owner is where group commit (visualizer.host.execute)
batches. Compare two checkouts with `--root`:

    python -m bench.owner_saves --cap 0.035 --root /tmp/before   # main, e.g. from `git archive`
    python -m bench.owner_saves --cap 0.035                      # this checkout
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

_TS = re.compile(r'"ts":([0-9.]+)')


def _quantile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))] if values else float("nan")


def _setup(root: Path) -> None:
    """Django on a fresh SQLite database in a temporary directory, importing from `root`."""
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='owner-saves-')}/db.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.pop("REDIS_URL", None)  # one process: the in-memory layer, no relay
    sys.path.insert(0, str(root))
    os.chdir(root)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _instrument(stats: dict) -> None:
    """Count saves and bases and add the CPU of `record_fields` and `records.save` to stats["cpu"]."""
    from visualizer import records
    from visualizer.live_cluster import LiveCluster

    real_save, real_fields = records.save, LiveCluster.record_fields

    def save(public_id: str, fields: dict, owner: str) -> bool:
        stats["saves"] += 1
        stats["bases"] += "state" in fields
        start = time.thread_time()
        try:
            return real_save(public_id, fields, owner)
        finally:
            stats["cpu"] += time.thread_time() - start

    def record_fields(self) -> dict:
        start = time.thread_time()
        try:
            return real_fields(self)
        finally:
            stats["cpu"] += time.thread_time() - start

    records.save = save
    LiveCluster.record_fields = record_fields


async def _measure(seconds: float, cap: float) -> dict:
    from channels.db import database_sync_to_async

    from bench.cpucap import CpuCap
    from visualizer.engine import Cluster
    from visualizer.host import ClusterHost
    from visualizer.models import ClusterRecord

    demo = Cluster(workers=5, seed=1, cpu="8", memory="16Gi")
    demo.run("kubectl create deployment web --image=nginx:1.20 --replicas=30")
    demo.run("kubectl expose deployment web --port=80")
    demo.advance(120)
    record = await database_sync_to_async(ClusterRecord.objects.create)(
        owner_key="visitor:bench", kind="demo", name="classroom", state=json.dumps(demo.to_dict())
    )
    stats = {"saves": 0, "bases": 0, "cpu": 0.0}
    _instrument(stats)
    host = ClusterHost()
    replies: list[float] = []
    frames: list[float] = []
    real_fan_out = host.fan_out

    async def fan_out(hosted, texts):
        now = time.time()
        frames.extend(now - float(m.group(1)) for t in texts if (m := _TS.search(t[:400])))
        return await real_fan_out(hosted, texts)

    host.fan_out = fan_out
    await host.drive(record.public_id, "control", {"action": "speed", "value": 8})
    hosted = host.clusters[record.public_id]
    stop = asyncio.Event()
    updates = 0

    async def play(offset: float, rollouts: bool) -> None:
        nonlocal updates
        await asyncio.sleep(offset)
        loop = asyncio.get_running_loop()
        next_rollout, n = loop.time(), 0
        while not stop.is_set():
            hosted.api_until = time.monotonic() + 60  # watched: the clock runs
            text = "sim traffic web 2"
            if rollouts and loop.time() >= next_rollout:
                text = f"kubectl set image deployment/web nginx={['nginx:1.21', 'nginx:1.20'][updates % 2]}"
                updates += 1
                next_rollout += 4.0
            sent = time.monotonic()
            task = asyncio.ensure_future(
                host.execute(hosted, "command", {"id": n, "text": text, "stdin": None})
            )
            task.add_done_callback(lambda _t, sent=sent: replies.append(time.monotonic() - sent))
            n += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.21)

    capped = CpuCap(f"owner-saves-{os.getpid()}", cap).__enter__() if cap else None
    if capped is not None:
        capped.add(os.getpid())
    players = [asyncio.create_task(play(0.0, True)), asyncio.create_task(play(0.1, False))]
    await asyncio.sleep(2.0)  # settle
    before = (dict(stats), time.process_time(), time.monotonic(), len(replies), len(frames))
    await asyncio.sleep(seconds)
    after = (dict(stats), time.process_time(), time.monotonic(), len(replies), len(frames))
    stop.set()
    await asyncio.gather(*players)
    if capped is not None:
        capped.__exit__(None, None, None)
    await asyncio.sleep(0.5)
    await host.shutdown()
    done = after[3] - before[3]
    window_replies, window_frames = replies[before[3] : after[3]], frames[before[4] : after[4]]
    return {
        "commands": done,
        "commands/s": round(done / (after[2] - before[2]), 2),
        "saves": after[0]["saves"] - before[0]["saves"],
        "bases": after[0]["bases"] - before[0]["bases"],
        "save CPU ms/command": round((after[0]["cpu"] - before[0]["cpu"]) / done * 1000, 3),
        "process CPU ms/command": round((after[1] - before[1]) / done * 1000, 3),
        "CPU share": round((after[1] - before[1]) / (after[2] - before[2]), 3),
        "reply p50/p95 ms": [round(_quantile(window_replies, q) * 1000) for q in (0.5, 0.95)],
        "frame p50/p95 ms": [round(_quantile(window_frames, q) * 1000) for q in (0.5, 0.95)],
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="measured window (15 s)")
    parser.add_argument("--cap", type=float, default=0.0, help="CPU cap, fraction of a core (none)")
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent, help="checkout")
    args = parser.parse_args(argv)
    _setup(args.root.resolve())
    result = asyncio.run(_measure(args.seconds, args.cap))
    print(json.dumps({"root": str(args.root), "cap": args.cap, **result}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
