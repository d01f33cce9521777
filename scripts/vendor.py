#!/usr/bin/env python3
"""Refresh the browser libraries vendored under static/vendor/ from the npm registry.

Why: the classroom LAN may have no internet, so every byte the browser needs is served by the app. Each
package is pinned to one version and its registry integrity (sha512); the files taken from it are written
to static/vendor/<name>/ and listed with their sha256 in static/vendor/vendor.lock.json, which a test
checks against the files in the tree. To move to a new version, change PACKAGES (version and integrity
from `npm view NAME@VERSION dist.integrity`) and run `make vendor`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "static" / "vendor"
LOCK = VENDOR / "vendor.lock.json"

# name -> (version, npm integrity, {path inside the package: path under static/vendor/<name>/})
PACKAGES: dict[str, tuple[str, str, dict[str, str]]] = {
    "mermaid": (
        "12.3.0",
        "sha512-4113TdXeLAsMruJ79OpFL5O8+LTFXhQqZ260rF3tgUmiNAtRm4Uume04I+65PRN6yZ69J4f8rVYWW8zRk65UYw==",
        {"dist/mermaid.min.js": "mermaid.min.js", "LICENSE": "LICENSE"},
    ),
    "pretendard": (
        "1.3.9",
        "sha512-PaQAADyLY5v4kYFwkpSJHbSSYIkiriY/1xXw75TKoZ9UQQqeU+tvP05yTdZAWibiIYoo8ZKtRv8PM7w0IaywSw==",
        {
            "dist/web/variable/pretendardvariable-dynamic-subset.css": "pretendardvariable-dynamic-subset.css",
            "dist/web/variable/woff2-dynamic-subset/": "woff2-dynamic-subset/",
            "dist/LICENSE.txt": "LICENSE.txt",
        },
    ),
}


def npm_integrity(data: bytes) -> str:
    """Return the npm-style sha512 integrity string of a tarball."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def fetch(name: str, version: str, workdir: Path) -> Path:
    """Download NAME@VERSION with `npm pack` and return the tarball path."""
    out = subprocess.run(
        ["npm", "pack", f"{name}@{version}", "--json", "--silent"],
        cwd=workdir,
        check=True,
        capture_output=True,
        text=True,
    )
    filename = json.loads(out.stdout)[0]["filename"]
    return workdir / filename


def extract(tarball: Path, files: dict[str, str], dest: Path) -> dict[str, str]:
    """Copy the chosen members into dest and return {relative path: sha256}."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    sums: dict[str, str] = {}
    with tarfile.open(tarball) as tar:
        members = [m for m in tar.getmembers() if m.isfile()]
        for src, target in files.items():
            prefix = "package/" + src
            chosen = [
                m for m in members if (m.name.startswith(prefix) if src.endswith("/") else m.name == prefix)
            ]
            if not chosen:
                raise SystemExit(f"{tarball.name}: nothing matches {src}")
            for member in chosen:
                rel = target + member.name[len(prefix) :] if src.endswith("/") else target
                data = tar.extractfile(member).read()
                (dest / rel).parent.mkdir(parents=True, exist_ok=True)
                (dest / rel).write_bytes(data)
                sums[rel] = hashlib.sha256(data).hexdigest()
    return dict(sorted(sums.items()))


def main() -> int:
    lock: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, (version, integrity, files) in PACKAGES.items():
            tarball = fetch(name, version, Path(tmp))
            actual = npm_integrity(tarball.read_bytes())
            if actual != integrity:
                print(
                    f"{name}@{version}: integrity mismatch\n  pinned {integrity}\n  got    {actual}",
                    file=sys.stderr,
                )
                return 1
            sums = extract(tarball, files, VENDOR / name)
            lock[name] = {"version": version, "integrity": integrity, "files": sums}
            print(f"{name}@{version}: {len(sums)} files")
    LOCK.write_text(json.dumps(lock, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
