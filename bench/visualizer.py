"""Live visualizer under load: N viewers watching one class demo cluster through a rolling update.

One Daphne process serves the app (production mode, SQLite in a temporary directory, in-memory channel
layer). The instructor (bench.livesite.Driver) runs the demo at 8×, starts a rolling update of a 30-pod
Deployment on 5 workers every 4 s and sends requests through its Service about ten times a second; N viewers
(wsbench, passive mode) receive the diff frames the server produces and time each from the `ts` the server
stamped on it to its arrival. In the same run, the bare
Channels app of ../shared/bench/baseline_app (one Daphne process, out of the box) broadcasts frames of the
same average size at 10 per second to the same number of viewers with the same client, and the table
reports both and their ratios. Loopback only; every loop bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import livesite
from bench.common import fmt_sig, start_demo_driver, table

TITLE = "Visualizer: viewers of one demo cluster during a rolling update (one Daphne process)"
ROOT, SHARED, BASELINE, HOST = livesite.ROOT, livesite.SHARED, livesite.BASELINE, livesite.HOST


def available() -> str | None:
    if not (SHARED / "wsbench.py").exists():
        return f"{SHARED / 'wsbench.py'} not found (the shared bench harness sits beside the checkout)"
    try:
        import websockets  # noqa: F401
    except ImportError:
        return "the websockets package is not installed (pip install -e '.[dev]')"
    return None


def wsbench(args: list[str], out: Path, origin: str | None) -> dict:
    """Runs ../shared/bench/wsbench.py (with an `Origin` header when `origin` is given: the app checks it)
    and returns its JSON result. Raises RuntimeError when it wrote none (its stderr is in the message)."""
    cmd = (
        [sys.executable, str(ROOT / "bench" / "wsbench_with_origin.py"), origin]
        if origin
        else [sys.executable, str(SHARED / "wsbench.py")]
    )
    done = subprocess.run(
        cmd + args + ["--json-out", str(out), "--quiet", "--no-uvloop"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if not out.exists():
        raise RuntimeError(f"wsbench failed ({done.returncode}): {done.stderr[-2000:]}")
    return json.loads(out.read_text().strip().splitlines()[-1])


async def measure_app(
    ports: list[int], pids: list[int], ids: dict, viewers: int, seconds: float, out: Path
) -> tuple[dict, livesite.Driver]:
    """Runs wsbench's passive viewers of the classroom demo, spread round-robin over the app processes on
    `ports` (server CPU and memory read from `pids`), while the instructor plays it on the first process.
    Returns wsbench's JSON result and the driver (its rolling updates and refused commands)."""
    driver, playing, stop = await start_demo_driver(ports[0], ids)
    args = ["--mode", "passive"]
    for port in ports:
        args += ["--url", livesite.ws_url(port, ids["clusters"]["classroom"])]
    for pid in pids:
        args += ["--server-pid", str(pid)]
    args += [
        "-n",
        str(viewers),
        "--duration",
        str(seconds),
        "--ready-match",
        '"type":"snapshot"',
        "--match",
        '"type":"diff"',
        "--ts-regex",
        r'"ts":([0-9.]+)',
        "--seq-regex",
        r'"to":([0-9]+)',
        "--max-seconds",
        "120",
        "--max-frame-bytes",
        str(4 * 1024 * 1024),
    ]
    try:
        result = await asyncio.to_thread(wsbench, args, out, livesite.origin(ports[0]))
    finally:
        stop.set()
        await playing
    return result, driver


def summary(label: str, r: dict) -> dict:
    """Returns the figures of one wsbench result the tables print (server CPU summed over its processes)."""
    window = r["cpu_publish_window"]
    server_pct = window.get("server_cpu_pct")
    server_pct = (sum(p or 0.0 for p in server_pct) if isinstance(server_pct, list) else server_pct) or 0.0
    cpu_s = server_pct / 100 * (window.get("seconds") or 0)
    delivered = r["delivered"] or 0
    span = r.get("delivery_span_s") or 0
    return {
        "label": label,
        "connected": r["connected"],
        "frames_per_s": (delivered / r["connected"] / span) if delivered and span and r["connected"] else 0.0,
        "p50": r["latency_ms"]["p50"],
        "p95": r["latency_ms"]["p95"],
        "p99": r["latency_ms"]["p99"],
        "cpu_pct": server_pct,
        "us_per_frame": cpu_s / delivered * 1e6 if delivered else float("nan"),
        "frame_bytes": (r["delivered_mb_per_s"] * 1e6 / r["delivered_per_s"])
        if r.get("delivered_per_s")
        else 0,
        "rss": (r["server_rss_mb_peak"] or [None])[0],
        "delivered_per_s": r.get("delivered_per_s") or 0.0,
    }


def bare_run(
    port: int, pid: int, viewers: int, seconds: float, payload: int, out: Path, urls=None, pids=None
) -> dict:
    """Runs wsbench's broadcast mode on the bare app: `viewers` receivers (round-robin over `urls`, default
    the one process on `port`), a publisher on the first at 10 frames/s of about `payload` bytes."""
    urls = urls or [f"ws://{HOST}:{port}/ws/bench/r{viewers}/"]
    args = ["--mode", "broadcast"]
    for url in urls:
        args += ["--url", url]
    for server in pids or [pid]:
        args += ["--server-pid", str(server)]
    args += [
        "-n",
        str(viewers),
        "--rate",
        "10",
        "--duration",
        str(seconds),
        "--payload-bytes",
        str(payload),
        "--max-seconds",
        "120",
    ]
    return wsbench(args, out, None)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench visualizer")
    parser.add_argument("--viewers", default="50,200,500", help="comma-separated viewer counts")
    parser.add_argument("--seconds", type=float, default=8.0, help="measurement window per run")
    parser.add_argument("--quick", action="store_true", help="50 and 200 viewers, 5 s windows")
    args = parser.parse_args(argv)
    if args.quick:
        args.viewers, args.seconds = "50,200", 5.0
    counts = [int(n) for n in args.viewers.split(",")]
    rows: list[list[object]] = []
    print(livesite.context_line("start"))
    print()
    with tempfile.TemporaryDirectory(prefix="bench-visualizer-") as tmp_name:
        tmp = Path(tmp_name)
        env = livesite.app_env(tmp)
        ids = livesite.prepare(tmp, [livesite.CLASSROOM_DEMO], env)
        app_port, base_port = livesite.free_port(), livesite.free_port()
        app = livesite.daphne(ROOT, "config.asgi:application", env, app_port, tmp / "app.log")
        base = livesite.daphne(
            BASELINE, "benchproj.asgi:application", livesite.baseline_env(), base_port, tmp / "baseline.log"
        )
        try:
            for n in counts:
                ours, driver = asyncio.run(
                    measure_app([app_port], [app.pid], ids, n, args.seconds, tmp / f"app-{n}.json")
                )
                mine = summary("Orchestra Lab", ours)
                print(
                    f"({n} viewers: connected {ours['connected']}, delivered {ours['delivered']}, unmatched "
                    f"{ours['unmatched_frames']}, without ts {ours['no_ts']}, errors {ours['connect_error_samples']}; "
                    f"{driver.updates} rolling updates, instructor refused {driver.refused})",
                    file=sys.stderr,
                )
                payload = max(256, int(mine["frame_bytes"]) - 60)
                bare = summary(
                    "bare Channels",
                    bare_run(base_port, base.pid, n, args.seconds, payload, tmp / f"base-{n}.json"),
                )
                for r in (mine, bare):
                    rows.append(
                        [
                            n,
                            r["label"],
                            f"{r['connected']}/{n}",
                            fmt_sig(r["frames_per_s"]),
                            fmt_sig(r["frame_bytes"]),
                            r["p50"],
                            r["p95"],
                            r["p99"],
                            fmt_sig(r["us_per_frame"]),
                            r["cpu_pct"],
                            r["rss"],
                        ]
                    )
                rows.append(
                    [
                        n,
                        "ratio app / bare",
                        "",
                        "",
                        "",
                        fmt_sig(mine["p50"] / bare["p50"]) if mine["p50"] and bare["p50"] else "–",
                        fmt_sig(mine["p95"] / bare["p95"]) if mine["p95"] and bare["p95"] else "–",
                        fmt_sig(mine["p99"] / bare["p99"]) if mine["p99"] and bare["p99"] else "–",
                        fmt_sig(mine["us_per_frame"] / bare["us_per_frame"]) if bare["us_per_frame"] else "–",
                        "",
                        "",
                    ]
                )
        finally:
            livesite.stop(app)
            livesite.stop(base)
    print(
        table(
            [
                "viewers",
                "server",
                "connected",
                "frames/s per viewer",
                "bytes/frame",
                "p50 ms",
                "p95 ms",
                "p99 ms",
                "server µs CPU / delivered frame",
                "server CPU %",
                "server RSS MB",
            ],
            rows,
        )
    )
    print()
    print(
        "Latency: from the server stamping a frame to a viewer receiving it (same machine clock). "
        "Aim for the app (issue 12 §4): 500 viewers at 10 frames/s, p95 ≤ 50 ms, ≤ 70 µs CPU per delivered frame."
    )
    print()
    print(livesite.context_line("end"))
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
