"""A long-running real kubectl (`get -w`, `logs -f`, `rollout status`) read line by line while a test acts.

with Running(api, "get", "pods", "-w") as k:
    k.wait_for(lambda lines: any("solo" in x for x in lines))
"""

from __future__ import annotations

import os
import subprocess
import threading
import time

from .harness import require_kubectl


class Running:
    """The real kubectl started with Popen against an ApiHarness; stdout lines gathered by a thread."""

    def __init__(self, api, *args: str):
        kubectl = require_kubectl()
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(api.home),
            "KUBECONFIG": str(api.kubeconfigs["control"]),
            "KUBECACHEDIR": str(api.home / "cache"),
            "LANG": "C.UTF-8",
        }
        self.proc = subprocess.Popen(
            [str(kubectl), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )
        self.lines: list[str] = []
        self.err = ""
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, predicate, timeout: float = 20) -> list[str]:
        """Waits until predicate(lines) is true; returns the lines (fails the test on timeout)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(list(self.lines)):
                return list(self.lines)
            time.sleep(0.05)
        raise AssertionError(f"kubectl did not print the expected lines in {timeout}s: {self.lines}")

    def wait_exit(self, timeout: float = 20) -> int:
        """Waits for kubectl to exit by itself; returns its exit code."""
        rc = self.proc.wait(timeout)
        self._reader.join(2)
        self.err = self.proc.stderr.read()
        return rc

    def __enter__(self) -> Running:
        return self

    def __exit__(self, *exc) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self._reader.join(2)
