"""Live visualizer under load: N viewers watching one class demo cluster through a rolling update.

One Daphne process serves the app (production mode, SQLite in a temporary directory, in-memory channel
layer). The instructor's connections run the demo at 8×, start a rolling update of a 30-pod Deployment
on 5 workers every 4 s and send requests through its Service ten times a second; N viewers (wsbench, passive mode) receive the diff frames the server
produces and time each from the `ts` the server stamped on it to its arrival. In the same run, the bare
Channels app of ../shared/bench/baseline_app (one Daphne process, out of the box) broadcasts frames of the
same average size at 10 per second to the same number of viewers with the same client, and the table
reports both and their ratios. Loopback only; every loop bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import fmt_sig, table

TITLE = "Visualizer: viewers of one demo cluster during a rolling update (one Daphne process)"
ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "bench"
BASELINE = SHARED / "baseline_app"
SECRET = "bench-only-secret-key-0123456789abcdefghijklmnop"
HOST = "127.0.0.1"

SETUP = """
import json
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from visualizer.engine import Cluster
from visualizer.models import ClusterRecord
user = User.objects.create_user("bench-teacher", password="x", is_staff=True)
session = SessionStore()
session["_auth_user_id"] = str(user.pk)
session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
session["_auth_user_hash"] = user.get_session_auth_hash()
session.create()
cluster = Cluster(workers=5, seed=1, cpu="8", memory="16Gi")
cluster.run("kubectl create deployment web --image=nginx:1.20 --replicas=30")
cluster.run("kubectl expose deployment web --port=80")
cluster.advance(120)
record = ClusterRecord.objects.create(owner_key=f"user:{user.pk}", kind="demo", name="bench", state=json.dumps(cluster.to_dict()))
# A second person who may drive the demo (a superuser): rate limits are per person, 5 commands a second each.
admin = User.objects.create_superuser("bench-admin", password="x")
second = SessionStore()
second["_auth_user_id"] = str(admin.pk)
second["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
second["_auth_user_hash"] = admin.get_session_auth_hash()
second.create()
print(json.dumps({"cluster": record.public_id, "session": session.session_key, "second": second.session_key}))
"""


def available() -> str | None:
    if not (SHARED / "wsbench.py").exists():
        return f"{SHARED / 'wsbench.py'} not found (the shared bench harness sits beside the checkout)"
    try:
        import websockets  # noqa: F401
    except ImportError:
        return "the websockets package is not installed (pip install -e '.[dev]')"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _daphne(cwd: Path, app: str, env: dict, port: int, log: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", HOST, "-p", str(port), app],
        cwd=cwd,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=0.2):
                return proc
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"daphne exited, see {log}") from None
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("daphne did not start")


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def _prepare(tmp: Path) -> tuple[dict, dict]:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
            "DEBUG": "0",
            "SECRET_KEY": SECRET,
            "ALLOWED_HOSTS": HOST,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "LOG_LEVEL": "WARNING",
        }
    )
    manage = [sys.executable, "manage.py"]
    subprocess.run(manage + ["migrate", "-v0"], cwd=ROOT, env=env, check=True, capture_output=True)
    if not (ROOT / "staticfiles" / "staticfiles.json").exists():
        subprocess.run(manage + ["collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    out = subprocess.run(
        manage + ["shell", "-c", SETUP], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return env, json.loads(out.stdout.strip().splitlines()[-1])


async def _drive(port: int, ids: dict, stop: asyncio.Event) -> int:
    """Play the instructor until `stop`: a rolling update every 4 s and requests through the Service in between.

    Two control connections of two people (the instructor and a superuser: rate limits are per person) send
    `sim traffic web 2` five times a second each (the per-person rate limit), so the cluster changes about ten
    times a second, as the aim of 10 frames/s assumes; one of them also starts a new rolling update every 4 s.
    Returns how many rolling updates were started.
    """
    from websockets.asyncio.client import connect

    url = f"ws://{HOST}:{port}/ws/cluster/{ids['cluster']}/"
    headers = {"Cookie": f"sessionid={ids['session']}"}
    second_headers = {"Cookie": f"sessionid={ids['second']}"}
    origin = f"http://{HOST}:{port}"
    updates = 0

    async def drain(ws):
        async for _ in ws:
            pass

    async def play(ws, offset: float, rollouts: bool) -> None:
        nonlocal updates
        await asyncio.sleep(offset)
        loop = asyncio.get_running_loop()
        next_rollout = loop.time()
        n = 0
        while not stop.is_set():
            if rollouts and loop.time() >= next_rollout:
                image = ["nginx:1.21", "nginx:1.20"][updates % 2]
                text = f"kubectl set image deployment/web nginx={image}"
                updates += 1
                next_rollout += 4.0
            else:
                text = "sim traffic web 2"
            await ws.send(json.dumps({"type": "command", "id": n, "stdin": None, "text": text}))
            n += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.21)

    async with (
        connect(url, origin=origin, additional_headers=headers, max_size=None) as first,
        connect(url, origin=origin, additional_headers=second_headers, max_size=None) as second,
    ):
        readers = [asyncio.create_task(drain(first)), asyncio.create_task(drain(second))]
        await first.send(json.dumps({"type": "control", "action": "speed", "value": 8}))
        await asyncio.gather(play(first, 0.0, True), play(second, 0.1, False))
        for reader in readers:
            reader.cancel()
    return updates


def _wsbench(args: list[str], out: Path, origin: str | None) -> dict:
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


async def _measure_app(
    port: int, pid: int, ids: dict, viewers: int, seconds: float, out: Path
) -> tuple[dict, int]:
    stop = asyncio.Event()
    driver = asyncio.create_task(_drive(port, ids, stop))
    await asyncio.sleep(1.0)
    args = [
        "--mode",
        "passive",
        "--url",
        f"ws://{HOST}:{port}/ws/cluster/{ids['cluster']}/",
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
        "--server-pid",
        str(pid),
        "--max-seconds",
        "120",
        "--max-frame-bytes",
        str(4 * 1024 * 1024),
    ]
    result = await asyncio.to_thread(_wsbench, args, out, f"http://{HOST}:{port}")
    stop.set()
    return result, await driver


def _row(label: str, r: dict) -> dict:
    window = r["cpu_publish_window"]
    server_pct = window.get("server_cpu_pct")
    server_pct = (server_pct[0] if isinstance(server_pct, list) else server_pct) or 0.0
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
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench visualizer")
    parser.add_argument("--viewers", default="50,200,500", help="comma-separated viewer counts")
    parser.add_argument("--seconds", type=float, default=8.0, help="measurement window per run")
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.viewers.split(",")]
    rows: list[list[object]] = []
    with tempfile.TemporaryDirectory(prefix="bench-visualizer-") as tmp_name:
        tmp = Path(tmp_name)
        env, ids = _prepare(tmp)
        app_port, base_port = _free_port(), _free_port()
        app = _daphne(ROOT, "config.asgi:application", env, app_port, tmp / "app.log")
        base_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "benchproj.settings", "PYTHONPATH": str(BASELINE)}
        base_env.pop("REDIS_URL", None)
        base = _daphne(BASELINE, "benchproj.asgi:application", base_env, base_port, tmp / "baseline.log")
        try:
            for n in counts:
                ours, updates = asyncio.run(
                    _measure_app(app_port, app.pid, ids, n, args.seconds, tmp / f"app-{n}.json")
                )
                mine = _row("Orchestra Lab", ours)
                print(
                    f"({n} viewers: connected {ours['connected']}, delivered {ours['delivered']}, unmatched "
                    f"{ours['unmatched_frames']}, without ts {ours['no_ts']}, errors {ours['connect_error_samples']})",
                    file=sys.stderr,
                )
                payload = max(256, int(mine["frame_bytes"]) - 60)
                bare = _row(
                    "bare Channels",
                    _wsbench(
                        [
                            "--mode",
                            "broadcast",
                            "--url",
                            f"ws://{HOST}:{base_port}/ws/bench/r{n}/",
                            "-n",
                            str(n),
                            "--rate",
                            "10",
                            "--duration",
                            str(args.seconds),
                            "--payload-bytes",
                            str(payload),
                            "--server-pid",
                            str(base.pid),
                            "--max-seconds",
                            "120",
                        ],
                        tmp / f"base-{n}.json",
                        None,
                    ),
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
                        fmt_sig(mine["p50"] / bare["p50"]) if bare["p50"] else "–",
                        fmt_sig(mine["p95"] / bare["p95"]) if bare["p95"] else "–",
                        "",
                        fmt_sig(mine["us_per_frame"] / bare["us_per_frame"]) if bare["us_per_frame"] else "–",
                        "",
                        "",
                    ]
                )
                print(f"(run with {n} viewers: {updates} rolling updates started)", file=sys.stderr)
        finally:
            _stop(app)
            _stop(base)
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
        "Aim for the app: 500 viewers at 10 frames/s, p95 ≤ 50 ms, ≤ 70 µs CPU per delivered frame."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
