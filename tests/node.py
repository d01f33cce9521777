"""Run the browser's pure ES modules under Node (skipped, with the reason, where `node` is not installed)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

NODE = shutil.which("node")

needs_node = pytest.mark.skipif(
    NODE is None, reason="node is not installed: the pure JS modules are not checked"
)


def run_node(script: str, data: object, *, cwd: Path) -> object:
    """Run the ES module `script` in `cwd` with `DATA` bound to `data`; return what it prints, as JSON.

    The data goes through an environment variable (not the command line) so its size and quoting never
    matter; a non-zero exit fails the calling test with Node's stderr.
    """
    source = f"const DATA = JSON.parse(process.env.NODE_TEST_DATA);\n{script}"
    proc = subprocess.run(
        [NODE, "--input-type=module", "-e", source],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        env={"NODE_TEST_DATA": json.dumps(data), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)
