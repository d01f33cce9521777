"""The live site under measurement: a fresh database with demo clusters, Daphne processes, and the clients
every visualizer benchmark shares (the instructor who drives rolling updates, anonymous visitors, a
websocket client that counts the bytes on the wire).

Loopback only: servers bind 127.0.0.1 and every client connects there. Clients may connect *from* another
loopback address (127.0.0.2 …, `local_addr`), so that the server sees a bystander and an attacker as two
network addresses, as it would in a classroom. Every loop here is bounded by a count or a deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import commit, load_average

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "bench"
BASELINE = SHARED / "baseline_app"
SECRET = "bench-only-secret-key-0123456789abcdefghijklmnop"
HOST = "127.0.0.1"
APP = "bench.probe_asgi:application"  # config.asgi's application plus GET /__bench__/host

# A demo cluster: (name, workers, [(Deployment, replicas)]). Deployments hold at most 100 replicas (the
# engine's per-request limit), so 1,000 pods are ten Deployments.
CLASSROOM_DEMO = ("classroom", 5, [("web", 30)])
LARGE_DEMO = ("large", 20, [(f"web{i}", 100) for i in range(10)])

SETUP = """
import json, os
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
# A second person who may drive the demo (a superuser): rate limits are per person, 5 commands a second each.
admin = User.objects.create_superuser("bench-admin", password="x")
second = SessionStore()
second["_auth_user_id"] = str(admin.pk)
second["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
second["_auth_user_hash"] = admin.get_session_auth_hash()
second.create()
clusters = {}
for name, workers, deployments in json.loads(os.environ["BENCH_DEMOS"]):
    cluster = Cluster(workers=workers, seed=1, cpu="8", memory="16Gi")
    for deployment, replicas in deployments:
        cluster.run(f"kubectl create deployment {deployment} --image=nginx:1.20 --replicas={replicas}")
        cluster.run(f"kubectl expose deployment {deployment} --port=80")
    cluster.advance(120)
    record = ClusterRecord.objects.create(
        owner_key=f"user:{user.pk}", kind="demo", name=name, state=json.dumps(cluster.to_dict())
    )
    clusters[name] = record.public_id
print(json.dumps({"clusters": clusters, "session": session.session_key, "second": second.session_key}))
"""


# ------------------------------------------------------------------------------------------------ run context
def context_line(stage: str) -> str:
    """Returns "Commit `abc1234`, load average at the start: 0.12 / 0.30 / 0.25." (stage: "start" or "end")."""
    return f"Commit `{commit()}`, load average (1/5/15 min) at the {stage}: {load_average()}."


# ------------------------------------------------------------------------------------------------ servers
def free_port() -> int:
    """Returns a TCP port free on loopback now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def daphne(cwd: Path, app: str, env: dict, port: int, log: Path) -> subprocess.Popen:
    """Starts one Daphne process on 127.0.0.1:`port` and returns once it accepts connections (≤ 60 s).

    Raises RuntimeError when it exits or does not listen in time (its output is in `log`)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", HOST, "-p", str(port), app],
        cwd=cwd,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=0.2):
                return proc
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"daphne exited, see {log}") from None
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"daphne did not start, see {log}")


def stop(proc: subprocess.Popen) -> None:
    """Stops a server this module started (SIGTERM, then SIGKILL after 10 s)."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def app_env(tmp: Path, redis_url: str | None = None, **extra: str) -> dict:
    """Returns the environment of the app's Daphne: production mode, SQLite in `tmp`, the in-memory channel
    layer unless `redis_url` is given (then `channels_redis` and the Redis cache, config/settings.py)."""
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
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(extra)
    return env


def baseline_env(redis_url: str | None = None) -> dict:
    """Returns the environment of ../shared/bench/baseline_app: out of the box, or with `channels_redis` and a
    pool of 1,000 connections (the reference: redis-py's default 100 fails a class reconnecting at once)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "benchproj.settings", "PYTHONPATH": str(BASELINE)}
    env.pop("REDIS_URL", None)
    if redis_url:
        env.update({"REDIS_URL": redis_url, "BENCH_REDIS_MAX_CONN": "1000"})
    return env


def prepare(tmp: Path, demos: list[tuple[str, int, list[tuple[str, int]]]], env: dict) -> dict:
    """Migrates a fresh SQLite database in `tmp` and creates the demo clusters (settled for 120 simulated
    seconds) owned by a staff user. Returns `{"clusters": {name: public_id}, "session": sessionid, "second": a superuser's sessionid}`."""
    manage = [sys.executable, "manage.py"]
    # Production mode serves hashed static names: the manifest must exist before Django loads the URLs.
    if not (ROOT / "staticfiles" / "staticfiles.json").exists():
        subprocess.run(manage + ["collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(manage + ["migrate", "-v0"], cwd=ROOT, env=env, check=True, capture_output=True)
    out = subprocess.run(
        manage + ["shell", "-c", SETUP],
        cwd=ROOT,
        env={**env, "BENCH_DEMOS": json.dumps(demos)},
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def count_clusters(tmp: Path) -> int:
    """Returns how many cluster records the app's SQLite database in `tmp` holds."""
    with contextlib.closing(sqlite3.connect(tmp / "bench.sqlite3", timeout=10)) as db:
        return db.execute("SELECT COUNT(*) FROM visualizer_clusterrecord").fetchone()[0]


def release_leases(tmp: Path) -> int:
    """Releases every cluster lease in the app's SQLite database in `tmp` (visualizer/records.py), as a clean
    handover would, so that a server started after a stopped one owns the clusters at once instead of
    answering `busy` until the old leases expire. Returns how many leases were held."""
    with contextlib.closing(sqlite3.connect(tmp / "bench.sqlite3", timeout=10)) as db:
        held = db.execute("SELECT COUNT(*) FROM visualizer_clusterrecord WHERE lease_owner != ''").fetchone()[
            0
        ]
        db.execute("UPDATE visualizer_clusterrecord SET lease_owner = '', lease_expires = NULL")
        db.commit()
    return held


def host_report(port: int) -> dict:
    """Returns the app process's `GET /__bench__/host` report (bench/probe_asgi.py), `{}` if it fails."""
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}/__bench__/host", timeout=10) as response:
            return json.loads(response.read())
    except (OSError, ValueError):
        return {}


# ------------------------------------------------------------------------------------------------ clients
async def http_get(port: int, path: str, cookie: str | None = None, local_addr: str | None = None) -> tuple:
    """One HTTP/1.1 GET on loopback without a cookie jar. Returns (status, {cookie name: value}, body text).

    Bounded: 30 s for the whole exchange, at most 4 MiB read."""
    async with asyncio.timeout(30):
        reader, writer = await asyncio.open_connection(
            HOST, port, local_addr=(local_addr, 0) if local_addr else None
        )
        try:
            lines = [f"GET {path} HTTP/1.1", f"Host: {HOST}:{port}", "Connection: close"]
            if cookie:
                lines.append(f"Cookie: {cookie}")
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
            await writer.drain()
            raw = await reader.read(4 * 1024 * 1024)
            for _ in range(1000):
                more = await reader.read(4 * 1024 * 1024)
                if not more:
                    break
                raw += more
        finally:
            writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    head_lines = head.decode("latin-1").split("\r\n")
    status = int(head_lines[0].split()[1]) if head_lines and len(head_lines[0].split()) > 1 else 0
    cookies = {}
    for line in head_lines[1:]:
        if line.lower().startswith("set-cookie:"):
            name, _, rest = line.split(":", 1)[1].strip().partition("=")
            cookies[name] = rest.split(";", 1)[0]
    return status, cookies, body.decode("utf-8", "replace")


@dataclass
class Visitor:
    """An anonymous browser that opened /cluster/: its session cookie and its sandbox's public id."""

    cookie: str
    cluster: str
    local_addr: str


async def visit_sandbox(port: int, local_addr: str = HOST) -> Visitor:
    """Opens /cluster/ without a cookie, as a new student's browser does (the app creates a sandbox for the
    session, visualizer/views.py). Raises RuntimeError when no sandbox page comes back."""
    status, cookies, body = await http_get(port, "/cluster/", local_addr=local_addr)
    found = re.search(r"/ws/cluster/([A-Za-z0-9_-]+)/", body)
    if status != 200 or "sessionid" not in cookies or found is None:
        raise RuntimeError(f"GET /cluster/ from {local_addr} gave HTTP {status} without a sandbox")
    return Visitor(f"sessionid={cookies['sessionid']}", found.group(1), local_addr)


def ws_url(port: int, cluster: str) -> str:
    return f"ws://{HOST}:{port}/ws/cluster/{cluster}/"


def origin(port: int) -> str:
    return f"http://{HOST}:{port}"


class FrameSizer:
    """Splits the bytes a websocket client receives into the sizes of the frames they carry (header included).

    Fed every chunk the socket delivers, from the first byte of the HTTP handshake answer on; server frames are
    unmasked (RFC 6455 §5.1) but a mask is handled too. `sizes` receives one entry per complete frame, in order,
    data and control frames alike, as the websocket library emits one event per frame."""

    def __init__(self) -> None:
        self.sizes: deque[int] = deque()
        self._http = True
        self._pending = bytearray()  # handshake bytes, or a frame header not yet complete
        self._remaining = 0  # payload bytes of the current frame still to come
        self._current = 0  # wire bytes of the current frame so far

    def feed(self, data: bytes) -> None:
        if self._http:
            self._pending += data
            end = self._pending.find(b"\r\n\r\n")
            if end < 0:
                return
            data, self._pending, self._http = bytes(self._pending[end + 4 :]), bytearray(), False
        buf = self._pending + data if self._pending else data
        pos, size = 0, len(buf)
        for _ in range(size + 1):  # every pass consumes bytes or ends
            if self._remaining:
                take = min(self._remaining, size - pos)
                pos += take
                self._remaining -= take
                self._current += take
                if self._remaining:
                    break
                self.sizes.append(self._current)
                continue
            if size - pos < 2:
                break
            second = buf[pos + 1]
            length = second & 0x7F
            header = 2 + (2 if length == 126 else 8 if length == 127 else 0) + (4 if second & 0x80 else 0)
            if size - pos < header:
                break
            if length == 126:
                length = int.from_bytes(buf[pos + 2 : pos + 4], "big")
            elif length == 127:
                length = int.from_bytes(buf[pos + 2 : pos + 10], "big")
            pos += header
            self._current, self._remaining = header, length
            if length == 0:
                self.sizes.append(header)
        self._pending = bytearray(buf[pos:])


def counting_connection_class():
    """Returns a websockets ClientConnection subclass that, while its `measuring` is True, counts per frame
    type the frames that arrive (`frames`), their decoded bytes (`text_bytes`) and the bytes each took on the
    link (`wire_bytes`: header and permessage-deflate included), exactly, from the frame headers of the raw
    stream (FrameSizer): websockets emits one event per frame, in order, so the n-th event is the n-th size."""
    from websockets.asyncio.client import ClientConnection
    from websockets.frames import Frame, Opcode

    class CountingConnection(ClientConnection):
        measuring = False
        wire_bytes = 0

        def data_received(self, data: bytes) -> None:
            self.__dict__.setdefault("sizer", FrameSizer()).feed(data)
            super().data_received(data)

        def process_event(self, event) -> None:
            if isinstance(event, Frame):
                sizes = self.__dict__.setdefault("sizer", FrameSizer()).sizes
                wire = sizes.popleft() if sizes else 0
                if self.measuring and event.opcode in (Opcode.TEXT, Opcode.BINARY):
                    kind = frame_type(bytes(event.data[:64]).decode("utf-8", "replace"))
                    frames = self.__dict__.setdefault("frames", {})
                    text = self.__dict__.setdefault("text_bytes", {})
                    frames[kind] = frames.get(kind, 0) + 1
                    text[kind] = text.get(kind, 0) + len(event.data)
                    self.wire_bytes += wire
            super().process_event(event)

    return CountingConnection


def frame_type(text: str) -> str:
    """Returns the `type` of a server frame from its first characters (`{"v":1,"type":"diff",…`)."""
    marker = text.find('"type":"')
    if marker < 0:
        return "?"
    end = text.find('"', marker + 8)
    return text[marker + 8 : end] if end > 0 else "?"


def command_frame(n: int, text: str, stdin: str | None = None) -> str:
    return json.dumps({"v": 1, "type": "command", "id": n, "text": text, "stdin": stdin})


@dataclass
class Driver:
    """The instructor: speed 8×, a rolling update of every Deployment every `period` s, `sim traffic` between."""

    port: int
    cookie: str
    cluster: str
    deployments: list[str]
    period: float = 4.0
    updates: int = 0
    commands: int = 0
    refused: dict = field(default_factory=dict)  # error code -> count
    # The second control socket's cookie: another person (rate limits are per person, 5 commands/s each).
    second_cookie: str = ""

    async def run(self, stop: asyncio.Event) -> None:
        """Plays until `stop` is set. Two control sockets of two people each send a command about five times a
        second (the visualizer's rate limit per person), so the demo changes about ten times a second, as the aim of
        10 frames/s assumes. Error replies (e.g. `rate_limited`) are counted by code in `refused`."""
        from websockets.asyncio.client import connect

        url, headers = ws_url(self.port, self.cluster), {"Cookie": self.cookie}

        async def drain(ws) -> None:
            async for text in ws:
                if '"type":"error"' in text:
                    code = json.loads(text).get("code", "?")
                    self.refused[code] = self.refused.get(code, 0) + 1

        async def play(ws, offset: float, rollouts: bool) -> None:
            await asyncio.sleep(offset)
            loop = asyncio.get_running_loop()
            next_rollout = loop.time()
            n = 0
            while not stop.is_set():
                texts = [f"sim traffic {self.deployments[0]} 2"]
                if rollouts and loop.time() >= next_rollout:
                    image = ["nginx:1.21", "nginx:1.20"][self.updates % 2]
                    texts = [f"kubectl set image deployment/{d} nginx={image}" for d in self.deployments]
                    self.updates += 1
                    next_rollout += self.period
                for text in texts:
                    await ws.send(command_frame(n, text))
                    n += 1
                    self.commands += 1
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), 0.21)

        async with (
            connect(url, origin=origin(self.port), additional_headers=headers, max_size=None) as first,
            connect(
                url,
                origin=origin(self.port),
                additional_headers={"Cookie": self.second_cookie or self.cookie},
                max_size=None,
            ) as second,
        ):
            readers = [asyncio.create_task(drain(first)), asyncio.create_task(drain(second))]
            await first.send(json.dumps({"v": 1, "type": "control", "action": "speed", "value": 8}))
            await asyncio.gather(play(first, 0.0, True), play(second, 0.1, False))
            for reader in readers:
                reader.cancel()


def pct(values: list[float], p: float) -> float | None:
    """Returns the p-th percentile (nearest rank) of `values`, None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]
