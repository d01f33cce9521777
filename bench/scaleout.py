"""Scale-out: two Daphne processes sharing the class demo through Redis, against one (issue 12 §4).

The app runs with `channels_redis` (REDIS_URL; config/settings.py sets the layer's `max_connections`, 1,000
by default, as the reference advises: redis-py's default pool of 100 fails a class reconnecting at once) and
SQLite in a temporary directory. The instructor plays the classroom demo on the first process (which then
owns the cluster, visualizer/host.py) and N viewers (wsbench, passive) watch it: all on the first process,
then spread round-robin over two, where the second process's viewers get the frames the owner relays
through the layer (visualizer/relay.py). The bare Channels app of ../shared/bench/baseline_app does the same
in the same run: `channels_redis` with a pool of 1,000 (BENCH_REDIS_MAX_CONN), one publisher at 10 frames/s
of the app's mean frame size, receivers on one process, then on two.

Reported: frames delivered per second over all viewers, per viewer, latency percentiles, the servers' CPU,
and the ratio two processes / one (aim for the app: ≥ 1.8×). Pick N so that one process cannot keep up
(the default 1,000 viewers at 10 frames/s = 10,000 frames/s asked for), or the ratio only measures the
demand. The client shares the machine's two cores with the servers.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from bench import livesite
from bench.common import fmt_int, fmt_sig, table
from bench.visualizer import bare_run, measure_app, summary

TITLE = "Scale-out: two Daphne processes with Redis against one, beside the bare app"


def available() -> str | None:
    url = os.environ.get("REDIS_URL")
    if not url:
        return "REDIS_URL unset (e.g. REDIS_URL=redis://127.0.0.1:6379/0 python -m bench scaleout)"
    try:
        import channels_redis  # noqa: F401
        import websockets  # noqa: F401
    except ImportError as exc:
        return f"{exc.name} is not installed"
    if not (livesite.SHARED / "wsbench.py").exists():
        return f"{livesite.SHARED / 'wsbench.py'} not found"
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=2):
            pass
    except OSError as exc:
        return f"Redis at {parts.hostname}:{parts.port or 6379} does not answer ({exc})"
    return None


def _cells(label: str, processes: int, viewers: int, r: dict) -> list[object]:
    s = summary(label, r)
    if r.get("connect_errors"):
        print(
            f"({label}, {processes} process(es): {r['connect_errors']} viewers failed to connect, e.g. "
            f"{r['connect_error_samples']})",
            file=sys.stderr,
        )
    return [
        label,
        processes,
        f"{s['connected']}/{viewers}",
        fmt_int(s["delivered_per_s"]),
        fmt_sig(s["frames_per_s"]),
        fmt_sig(s["p50"] or 0),
        fmt_sig(s["p95"] or 0),
        fmt_sig(s["p99"] or 0),
        fmt_sig(s["cpu_pct"]),
        fmt_sig(s["us_per_frame"]),
    ]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench scaleout")
    parser.add_argument("--viewers", type=int, default=1000, help="viewers in every run (1,000)")
    parser.add_argument("--seconds", type=float, default=8.0, help="measurement window per run (8 s)")
    parser.add_argument(
        "--bare-layer",
        choices=["core", "pubsub"],
        default="core",
        help="the bare app's layer: RedisChannelLayer as the app uses (core) or RedisPubSubChannelLayer",
    )
    parser.add_argument("--quick", action="store_true", help="200 viewers, 5 s windows")
    args = parser.parse_args(argv)
    if args.quick:
        args.viewers, args.seconds = 200, 5.0
    redis_url = os.environ["REDIS_URL"]
    n = args.viewers
    print(livesite.context_line("start"))
    print()
    rows: list[list[object]] = []
    with tempfile.TemporaryDirectory(prefix="bench-scaleout-") as tmp_name:
        tmp = Path(tmp_name)
        env = livesite.app_env(tmp, redis_url)
        ids = livesite.prepare(tmp, [livesite.CLASSROOM_DEMO], env)
        ports = [livesite.free_port(), livesite.free_port()]
        servers = [livesite.daphne(livesite.ROOT, livesite.APP, env, ports[0], tmp / "app-0.log")]
        results = {}
        try:
            one, driver1 = asyncio.run(
                measure_app(ports[:1], [servers[0].pid], ids, n, args.seconds, tmp / "one.json")
            )
            servers.append(livesite.daphne(livesite.ROOT, livesite.APP, env, ports[1], tmp / "app-1.log"))
            two, driver2 = asyncio.run(
                measure_app(ports, [s.pid for s in servers], ids, n, args.seconds, tmp / "two.json")
            )
            results["app"] = (one, two)
        finally:
            for server in servers:
                livesite.stop(server)
        payload = max(256, int(summary("", one)["frame_bytes"]) - 60)
        base_env = {**livesite.baseline_env(redis_url), "BENCH_REDIS_LAYER": args.bare_layer}
        bases = []
        try:
            for i in range(2):
                port = livesite.free_port()
                bases.append(
                    (
                        port,
                        livesite.daphne(
                            livesite.BASELINE,
                            "benchproj.asgi:application",
                            base_env,
                            port,
                            tmp / f"base-{i}.log",
                        ),
                    )
                )
            room = f"scale{os.getpid()}"
            urls = [f"ws://{livesite.HOST}:{port}/ws/bench/{room}/" for port, _ in bases]
            bare_one = bare_run(
                bases[0][0], bases[0][1].pid, n, args.seconds, payload, tmp / "base-one.json", urls=urls[:1]
            )
            bare_two = bare_run(
                bases[0][0],
                bases[0][1].pid,
                n,
                args.seconds,
                payload,
                tmp / "base-two.json",
                urls=urls,
                pids=[p.pid for _, p in bases],
            )
            results["bare"] = (bare_one, bare_two)
        finally:
            for _, proc in bases:
                livesite.stop(proc)
    for label, (one_r, two_r) in (("Orchestra Lab", results["app"]), ("bare Channels", results["bare"])):
        rows.append(_cells(label, 1, n, one_r))
        rows.append(_cells(label, 2, n, two_r))
        a, b = summary("", one_r)["delivered_per_s"], summary("", two_r)["delivered_per_s"]
        aim = (
            " (aim ≥ 1.8×: " + ("met" if a and b / a >= 1.8 else "missed") + ")"
            if label == "Orchestra Lab"
            else ""
        )
        rows.append(
            [
                f"{label}: 2 processes / 1",
                "",
                "",
                (fmt_sig(b / a) + "×" if a else "–") + aim,
                "",
                "",
                "",
                "",
                "",
                "",
            ]
        )
    print(
        table(
            [
                "server",
                "processes",
                "connected",
                "frames delivered/s (all viewers)",
                "frames/s per viewer",
                "p50 ms",
                "p95 ms",
                "p99 ms",
                "server CPU % (sum)",
                "server µs CPU / delivered frame",
            ],
            rows,
        )
    )
    print()
    print(
        f"{n} viewers; the app's demo changes about 10 times a second (the instructor plays it at 8× with a rolling "
        f"update every 4 s: {driver1.updates} and {driver2.updates} in the two runs); the bare app publishes "
        f"{payload:,}-byte payloads at 10 frames/s through the {args.bare_layer} Redis layer. Redis: {urlsplit(redis_url).hostname}:{urlsplit(redis_url).port or 6379}."
    )
    print()
    print(livesite.context_line("end"))
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
