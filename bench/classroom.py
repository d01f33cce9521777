"""Classroom under load: simulated students join by code and answer quizzes while the dashboard watches.

One Daphne process serves the app (production mode, SQLite in a temporary directory, in-memory channel
layer: what `make run` gives a classroom). Within a 60-second window, N students (default 200) each fetch
the join form, POST it with the CSRF token (the signed join cookie comes back), open the classroom socket
and answer five questions at random moments. The instructor's dashboard socket is open the whole time.

Reported: answers sent, answers acknowledged, answers stored in the database (must equal sent), the time
from sending an answer to the student's feedback and to the dashboard frame that first counts it (p50/p95/
max), the server's CPU share and peak memory. Beside it, in the same run, the bare Channels echo app of
`../shared/bench/baseline_app` measured with the same client: one client's echo round trip (the reference
figure is p50 0.29 ms on these machines).

The websocket client is a minimal RFC 6455 implementation on asyncio streams (text frames, masking,
ping/pong, close), so the benchmark needs nothing beyond the app's own dependencies. Loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

from bench.common import fmt_bytes, fmt_ms, process_stats, table, ws_handshake

TITLE = "Classroom: students joining and answering on one Daphne process"
ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT.parent / "shared" / "bench" / "baseline_app"
HOST = "127.0.0.1"
QUESTIONS = {  # single-choice questions of fixtures/quizzes.json and their number of choices
    "definition": 4,
    "etcd-role": 4,
    "feature-storage": 4,
    "feature-secrets": 4,
    "self-healing": 4,
}
SECRET = "bench-only-secret-key-0123456789abcdefghijklmnop"


def available() -> str | None:
    try:
        import daphne  # noqa: F401
    except ImportError:
        return "daphne is not installed"
    if not (ROOT / "fixtures" / "quizzes.json").exists():
        return "fixtures/quizzes.json is missing"
    return None


# A minimal websocket client -------------------------------------------------------------------------------
class Closed(Exception):
    pass


class WebSocket:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer

    @classmethod
    async def connect(cls, port: int, path: str, cookie: str = "") -> WebSocket:
        reader, writer = await asyncio.open_connection(HOST, port)
        writer.write(ws_handshake(HOST, port, path, f"http://{HOST}:{port}", cookie))
        head = await reader.readuntil(b"\r\n\r\n")
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            writer.close()
            raise Closed(head.split(b"\r\n", 1)[0].decode(errors="replace"))
        return cls(reader, writer)

    def _frame(self, opcode: int, payload: bytes) -> bytes:
        mask = os.urandom(4)
        n = len(payload)
        if n < 126:
            head = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
        elif n < 65536:
            head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
        else:
            head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        return head + mask + masked

    async def send(self, text: str) -> None:
        self.writer.write(self._frame(0x1, text.encode()))
        await self.writer.drain()

    async def recv(self) -> str:
        while True:
            b0, b1 = await self.reader.readexactly(2)
            n = b1 & 0x7F
            if n == 126:
                (n,) = struct.unpack("!H", await self.reader.readexactly(2))
            elif n == 127:
                (n,) = struct.unpack("!Q", await self.reader.readexactly(8))
            payload = await self.reader.readexactly(n)
            opcode = b0 & 0x0F
            if opcode == 0x1:
                return payload.decode()
            if opcode == 0x8:
                raise Closed("closed by the server")
            if opcode == 0x9:
                self.writer.write(self._frame(0xA, payload))

    async def close(self) -> None:
        try:
            self.writer.write(self._frame(0x8, struct.pack("!H", 1000)))
            await self.writer.drain()
        except (ConnectionError, RuntimeError):
            pass
        self.writer.close()


# Servers ----------------------------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _wait_for_port(proc: subprocess.Popen, port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the server exited during start-up")
        try:
            with socket.create_connection((HOST, port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not start")


def _daphne(cwd: Path, app: str, env: dict, port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", HOST, "-p", str(port), app],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait_for_port(proc, port)
    return proc


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


SETUP = """
import json
from django.contrib.auth import get_user_model
from django.test import Client
from course.classroom import actions
from course.models import Lesson
user = get_user_model().objects.create_user("bench-teacher", password="bench-password-1", is_staff=True)
klass = actions.start_class(user, Lesson.objects.get(), "bench")
client = Client()
client.force_login(user)
print(json.dumps({"code": klass.code, "sessionid": client.cookies["sessionid"].value}))
"""


def _prepare(workdir: Path) -> tuple[dict, dict]:
    """Return the server environment and {code, sessionid} of a fresh class in a fresh database."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "DEBUG": "0",
        "SECRET_KEY": SECRET,
        "ALLOWED_HOSTS": HOST,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "LOG_LEVEL": "WARNING",
        # Every simulated student joins from 127.0.0.1: the per-address join limit would stop them at 40.
        "RATE_LIMIT_JOIN_ADDRESS": "off",
    }
    manage = [sys.executable, "manage.py"]
    for args in (["migrate", "-v0"], ["loaddata", "lesson", "quizzes", "-v0"]):
        subprocess.run(manage + args, cwd=ROOT, env=env, check=True, capture_output=True)
    if not (ROOT / "staticfiles" / "staticfiles.json").exists():
        subprocess.run(manage + ["collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    out = subprocess.run(
        manage + ["shell", "-c", SETUP], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return env, json.loads(out.stdout.strip().splitlines()[-1])


# The baseline ------------------------------------------------------------------------------------------------
async def _echo_round_trips(port: int, count: int) -> list[float]:
    ws = await WebSocket.connect(port, "/ws/bench/echo/")
    await ws.recv()  # ready
    times = []
    for seq in range(count):
        start = time.perf_counter()
        await ws.send(json.dumps({"type": "echo", "seq": seq}))
        await ws.recv()
        times.append(time.perf_counter() - start)
    await ws.close()
    return times[min(50, count // 10) :]  # the first round trips warm the server up


def baseline_echo(count: int) -> dict | None:
    if not (BASELINE / "benchproj" / "asgi.py").exists():
        return None
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "benchproj.settings", "PYTHONPATH": str(BASELINE)}
    proc = _daphne(BASELINE, "benchproj.asgi:application", env, port)
    try:
        times = asyncio.run(_echo_round_trips(port, count))
    finally:
        _stop(proc)
    return {"p50": statistics.median(times), "p95": _pct(times, 95)}


# The classroom run --------------------------------------------------------------------------------------------
def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _join(port: int, code: str, nickname: str, level: str) -> str:
    """Join over HTTP as a browser does (form, CSRF token, POST); return the Cookie header for the socket."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://{HOST}:{port}"
    opener.open(f"{base}/class/?code={code}", timeout=30).read()
    token = next(c.value for c in jar if c.name == "csrftoken")
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "code": code, "nickname": nickname, "level": level}
    ).encode()
    opener.open(urllib.request.Request(f"{base}/class/join/", data=data), timeout=30).read()
    return "; ".join(f"{c.name}={c.value}" for c in jar)


class Run:
    def __init__(self, port: int, code: str, students: int, window: float, seed: int):
        self.port, self.code, self.students, self.window = port, code, students, window
        self.rng = random.Random(seed)
        self.pending: dict[str, dict[str, float]] = {key: {} for key in QUESTIONS}
        self.to_dashboard: list[float] = []
        self.to_feedback: list[float] = []
        self.sent = self.acked = self.joined = self.errors = 0
        self.join_times: list[float] = []

    async def dashboard(self, ws: WebSocket) -> None:
        while True:
            try:
                frame = json.loads(await ws.recv())
            except (Closed, asyncio.IncompleteReadError, ConnectionError):
                return
            if frame.get("type") != "results" or frame.get("round"):
                continue
            now = time.perf_counter()
            waiting = self.pending.get(frame["question"], {})
            missing = set(frame["not_answered"])
            for name in [n for n in waiting if n not in missing]:
                self.to_dashboard.append(now - waiting.pop(name))

    async def student(self, index: int, start: float, t0: float) -> None:
        await asyncio.sleep(max(0.0, t0 + start - time.perf_counter()))
        name = f"s{index:03d}"
        level = ("beginner", "intermediate", "advanced")[index % 3]
        began = time.perf_counter()
        try:
            cookie = await asyncio.to_thread(_join, self.port, self.code, name, level)
            ws = await WebSocket.connect(self.port, f"/ws/class/{self.code}/", cookie)
            hello = json.loads(await ws.recv())
            assert hello["type"] == "hello"
        except Exception:
            self.errors += 1
            return
        self.joined += 1
        self.join_times.append(time.perf_counter() - began)
        # Answer the questions at random moments between joining and the end of the window.
        now = time.perf_counter()
        deadline = max(now, t0 + self.window - 3.0)
        moments = sorted(self.rng.uniform(now, deadline) for _ in QUESTIONS)
        for (key, size), moment in zip(QUESTIONS.items(), moments, strict=True):
            await asyncio.sleep(max(0.0, moment - time.perf_counter()))
            sent = time.perf_counter()
            self.pending[key][name] = sent
            await ws.send(
                json.dumps(
                    {
                        "v": 1,
                        "type": "answer",
                        "question": key,
                        "response": self.rng.randrange(size),
                        "round": 0,
                    }
                )
            )
            self.sent += 1
            while True:
                frame = json.loads(await ws.recv())
                if frame["type"] in ("answer.result", "error"):
                    break
            if frame["type"] == "answer.result":
                self.acked += 1
                self.to_feedback.append(time.perf_counter() - sent)
            else:
                self.errors += 1
        await ws.close()

    async def main(self, sessionid: str) -> None:
        dashboard = await WebSocket.connect(
            self.port, f"/ws/class/{self.code}/teach/", f"sessionid={sessionid}"
        )
        await dashboard.recv()  # hello
        reader = asyncio.create_task(self.dashboard(dashboard))
        t0 = time.perf_counter()
        join_spread = self.window / 3  # everyone has joined after the first third, as a class settles in
        tasks = [self.student(i, i * join_spread / self.students, t0) for i in range(self.students)]
        await asyncio.gather(*tasks)
        drain = time.perf_counter() + 10
        while any(self.pending.values()) and time.perf_counter() < drain:
            await asyncio.sleep(0.05)
        self.elapsed = time.perf_counter() - t0
        await dashboard.close()
        reader.cancel()


def classroom(students: int, window: float, seed: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-classroom-") as tmp:
        workdir = Path(tmp)
        env, info = _prepare(workdir)
        port = _free_port()
        proc = _daphne(ROOT, "config.asgi:application", env, port)
        try:
            before = process_stats(proc.pid)
            wall0 = time.perf_counter()
            run = Run(port, info["code"], students, window, seed)
            asyncio.run(run.main(info["sessionid"]))
            wall = time.perf_counter() - wall0
            after = process_stats(proc.pid)
        finally:
            _stop(proc)
        with sqlite3.connect(workdir / "bench.sqlite3") as db:
            stored = db.execute("SELECT count(*) FROM course_answer").fetchone()[0]
            joined_rows = db.execute("SELECT count(*) FROM course_student").fetchone()[0]
    return {
        "run": run,
        "stored": stored,
        "students_stored": joined_rows,
        "cpu_share": (after.cpu - before.cpu) / wall,
        "peak_rss": after.peak_rss_bytes,
        "wall": wall,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench classroom")
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument(
        "--window", type=float, default=60.0, help="seconds in which everyone joins and answers"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--echo-count", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="20 students in 15 s")
    args = parser.parse_args(argv)
    if args.quick:
        args.students, args.window, args.echo_count = 20, 15.0, 200

    echo = baseline_echo(args.echo_count)
    result = classroom(args.students, args.window, args.seed)
    run: Run = result["run"]
    ok = result["stored"] == run.sent and run.errors == 0 and run.joined == args.students

    print(
        f"{args.students} students, {len(QUESTIONS)} answers each, window {args.window:.0f} s "
        f"(run took {result['wall']:.1f} s); one Daphne process, SQLite, in-memory channel layer."
    )
    print()
    rows = [
        ["students joined (HTTP form + socket)", f"{run.joined} / {args.students}", ""],
        [
            "join: form, POST, socket open, hello (p50 / p95)",
            f"{fmt_ms(statistics.median(run.join_times))} / {fmt_ms(_pct(run.join_times, 95))} ms"
            if run.join_times
            else "—",
            "",
        ],
        [
            "answers sent / acknowledged / stored",
            f"{run.sent} / {run.acked} / {result['stored']}",
            "equal" if ok else "NOT EQUAL",
        ],
        [
            "answer → own feedback (p50 / p95 / max)",
            f"{fmt_ms(statistics.median(run.to_feedback))} / {fmt_ms(_pct(run.to_feedback, 95))} / {fmt_ms(max(run.to_feedback))} ms"
            if run.to_feedback
            else "—",
            "",
        ],
        [
            "answer → dashboard histogram (p50 / p95 / max)",
            f"{fmt_ms(statistics.median(run.to_dashboard))} / {fmt_ms(_pct(run.to_dashboard, 95))} / {fmt_ms(max(run.to_dashboard))} ms"
            if run.to_dashboard
            else "—",
            f"{len(run.to_dashboard)} timed",
        ],
        ["server CPU (share of one core over the run)", f"{result['cpu_share'] * 100:.0f} %", ""],
        ["server peak memory (RSS)", fmt_bytes(result["peak_rss"]), ""],
        ["errors", str(run.errors), ""],
    ]
    print(table(["classroom", "value", "note"], rows, align="lrl"))
    print()
    if echo:
        print(
            table(
                ["bare Channels echo (shared/bench baseline_app, same client)", "p50 ms", "p95 ms"],
                [["one client, back to back", fmt_ms(echo["p50"]), fmt_ms(echo["p95"])]],
            )
        )
    else:
        print(f"Baseline not run: {BASELINE} not found.")
    print()
    return 0 if ok else 1
