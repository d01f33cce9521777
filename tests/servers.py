"""Start the app with Daphne in a subprocess against the test database (browser and multi-process tests)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
# The servers' key: sessions a test creates for them must be signed with it (override_settings).
SERVER_SECRET_KEY = "tests-only-secret-key-0123456789abcdef-0123456789"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(settings_dict: dict) -> str:
    """Return a DATABASE_URL naming the test database the test process is using."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings_dict['NAME']}"
    user = quote(settings_dict.get("USER") or "")
    password = quote(settings_dict.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"


def ensure_static() -> None:
    """Collect the static files when they are missing or older than a file under static/.

    The servers use the manifest storage: a JS or CSS file edited since the last collectstatic would
    otherwise be served in its old version (or a new file not at all) and the browser tests would test that.
    """
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    collected = manifest.stat().st_mtime if manifest.exists() else 0.0
    newest = max((p.stat().st_mtime for p in (ROOT / "static").rglob("*") if p.is_file()), default=0.0)
    if newest > collected:
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, check=True
        )


def start_daphne(
    db_url: str, *, log_name: str, env: dict[str, str] | None = None, api_port: int | None = None
) -> tuple[subprocess.Popen, int]:
    """Start Daphne in production mode on a free loopback port; return the process and the port.

    With `api_port`, it also serves the clusters' Kubernetes API over TLS there (as `make run` does on 6443),
    with the certificate authority in var/tls-test.
    """
    port = free_port()
    endpoints = ["-b", "127.0.0.1", "-p", str(port)]
    if api_port is not None:
        from config.kubeapi_tls import endpoint

        tls_dir = ROOT / "var" / "tls-test"
        endpoints = [
            "-e",
            f"tcp:port={port}:interface=127.0.0.1",
            "-e",
            endpoint("127.0.0.1", api_port, tls_dir),
        ]
        env = {"KUBEAPI_PORT": str(api_port), "KUBEAPI_TLS_DIR": str(tls_dir), **(env or {})}
    # The servers run as in production: without the test process's DJANGO_ALLOW_ASYNC_UNSAFE (tests/conftest.py
    # sets it for Playwright's thread), so an ORM call on the event loop fails here as it would for users.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    full_env = {
        **inherited,
        "DATABASE_URL": db_url,
        "DEBUG": "0",
        "SECRET_KEY": SERVER_SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        # Every test browser joins from 127.0.0.1, and with REDIS_URL the counters outlive a run.
        "RATE_LIMIT_JOIN_ADDRESS": "1000/600",
        "RATE_LIMIT_SANDBOX_ADDRESS": "100000/600",  # every test browser is a new visitor from 127.0.0.1
        **(env or {}),
    }
    (ROOT / "var").mkdir(exist_ok=True)
    log = open(ROOT / "var" / log_name, "w")  # noqa: SIM115 - closed with the process by the caller's teardown
    proc = subprocess.Popen(
        [sys.executable, "-m", "daphne", *endpoints, "config.asgi:application"],
        cwd=ROOT,
        env=full_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"daphne exited: see var/{log_name}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("daphne did not start within 30 s")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
