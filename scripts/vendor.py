#!/usr/bin/env python3
"""Refresh the browser libraries vendored under static/vendor/ from the npm registry.

Why: the classroom LAN may have no internet, so every byte the browser needs is served by the app. Each
package is pinned to one version and its registry integrity (sha512); the files taken from it are written
to static/vendor/<name>/ and listed with their sha256 in static/vendor/vendor.lock.json, which a test
checks against the files in the tree. To move to a new version, change PACKAGES (version and integrity
from `npm view NAME@VERSION dist.integrity`) and run `make vendor`.

ES modules (ES_MODULES: yjs and its dependency lib0) are served build-less, as the browser loads them, and
rewritten at vendoring time — the only change made to any vendored file, so the lock records the rewritten
files' sha256 (the tarballs' integrity still pins the source):

- bare specifiers (`lib0/encoding`) become relative paths (`../lib0/encoding.js`), resolved through lib0's
  package.json `exports` with the browser's conditions. Browsers need an import map for bare specifiers, and
  an inline import map would be an inline script, which the Content-Security-Policy forbids;
- every static `import`/`export … from` statement ends with `;` and `//# sourceMappingURL` lines are dropped:
  Django's manifest storage (config/storage.py) only rewrites module imports to hashed names in statements
  ending with `;`, and would fail on a source map that isn't vendored;
- `import('…')` inside comments (JSDoc type references) becomes `import ('…')`: the manifest storage would
  take them for dynamic imports and fail on the files they name; a real dynamic import stops the script;
- only the modules reachable from the entry point are copied (`yjs.mjs` → `yjs/yjs.js`: the manifest storage
  only processes `*.js`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import posixpath
import re
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
    # The colour emoji fallback (static/css/base.css): Twemoji as a COLR/CPAL font (Mozilla's twemoji-colr
    # build), which Chromium, Firefox and Safari all draw. @fontsource/noto-color-emoji was the first
    # choice, but its woff2 files carry the glyphs in an OpenType `SVG ` table, which Chromium does not
    # draw: the emoji take their width and stay blank. LICENSE: OFL-1.1 (font), CC-BY-4.0 (Twemoji art).
    "twemoji-colr-font": (
        "15.0.3",
        "sha512-UsK4JUpaczeVoMGeYMnKaMTxKt7fujg1nQOk4NaC0teZmdOo+uAai0DIuaSzsMkShtG4J75F0OEsVdGJ+Q1pHQ==",
        {"twemoji.woff2": "twemoji.woff2", "LICENSE": "LICENSE"},
    ),
    # The diagram viewer's zoom and pan (static/js/course/diagram-viewer.js): pointer events (mouse, pen,
    # touch pinch), CSS transforms, no dependencies. Its ES build imports nothing, so it is copied as is.
    "@panzoom/panzoom": (
        "4.6.2",
        "sha512-Zn3B5/hwa6eYIPRSKX0xf2clv8nviTX8AnAU5kU/EugiTDhG41ya2wlBqYrZJYCWQROr/5XkWObZhIkepi89qw==",
        {"dist/panzoom.es.js": "panzoom.js", "MIT-License.txt": "MIT-License.txt"},
    ),
}

# ES modules: name -> (version, npm integrity, entry module inside the package, its name under static/vendor/<name>/).
# A package without an entry (lib0) contributes the modules the others import from it.
ES_MODULES: dict[str, tuple[str, str, str | None, str | None]] = {
    "yjs": (
        "13.6.33",
        "sha512-q/UYvr1gOk4XII+Cu1CW2dINjYqJJFifTzogEaIARznrvX7uOlHsdTEXcnOBMuIsrCGEEKdNxi74kyMLZlKVfw==",
        "dist/yjs.mjs",
        "yjs.js",
    ),
    "lib0": (
        "0.2.120",
        "sha512-/a2eRImR8sZbmMVKe2we1/KukDQkuPyPf8yol6epvCu2PH6hurjcRI3mdGFFAi0uGoRJGyns99JquZgxwW1tQg==",
        None,
        None,
    ),
}
# The export conditions a browser's resolver would pick, in order of preference.
CONDITIONS = ("browser", "module", "import", "default")
LICENSE_NAMES = ("LICENSE", "LICENSE.md", "LICENSE.txt")
# Static import/export statements (possibly spanning lines) and side-effect imports, at the start of a line.
STATEMENT = re.compile(
    r"""^(?P<head>(?:import|export)\b[^;'"`]*?\bfrom\s*|import\s*)(?P<q>['"])(?P<spec>[^'"]+)(?P=q);?""",
    re.M,
)
SOURCE_MAP = re.compile(r"^//# sourceMappingURL=.*$\n?", re.M)
BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.S)


def _quiet_comments(source: str, where: str) -> str:
    """Return `source` with `import(` in block comments spaced out; refuse real dynamic imports."""
    source = BLOCK_COMMENT.sub(lambda m: m[0].replace("import(", "import ("), source)
    if re.search(r"\bimport\(", source):
        raise SystemExit(f"{where}: a dynamic import() is not supported by the vendoring rewrite")
    return source


def _pick(target) -> str | None:
    """Return the file an `exports` entry resolves to under the browser's conditions."""
    if isinstance(target, str):
        return target
    if isinstance(target, dict):
        for condition in CONDITIONS:
            if condition in target:
                found = _pick(target[condition])
                if found:
                    return found
    return None


class Package:
    """An unpacked npm tarball: its files by path, and its package.json."""

    def __init__(self, tarball: Path):
        self.files: dict[str, bytes] = {}
        with tarfile.open(tarball) as tar:
            for member in tar.getmembers():
                if member.isfile() and member.name.startswith("package/"):
                    self.files[member.name[len("package/") :]] = tar.extractfile(member).read()
        self.meta = json.loads(self.files["package.json"])

    def export(self, subpath: str) -> str:
        """Return the file `name/subpath` resolves to (`subpath` like `./encoding`)."""
        target = _pick((self.meta.get("exports") or {}).get(subpath))
        if target is None:
            raise SystemExit(f"{self.meta['name']}: no browser export for {subpath}")
        return posixpath.normpath(target)


def vendor_modules(tarballs: dict[str, Path]) -> dict[str, dict[str, str]]:
    """Copy the ES modules reachable from each entry, rewritten (see the module docstring); return sha256s."""
    packages = {name: Package(path) for name, path in tarballs.items()}
    # (package, path inside the package) -> path under static/vendor/<package>/
    placed: dict[tuple[str, str], str] = {}
    todo: list[tuple[str, str]] = []
    for name, (_, _, entry, target) in ES_MODULES.items():
        if entry:
            placed[(name, entry)] = target
            todo.append((name, entry))
    outputs: dict[str, dict[str, bytes]] = {name: {} for name in packages}
    while todo:
        name, path = todo.pop()
        source = packages[name].files[path].decode("utf-8")
        here = placed[(name, path)]

        def rewrite(match: re.Match, name=name, path=path, here=here) -> str:
            spec = match["spec"]
            if spec.startswith("."):
                dep_name, dep_path = name, posixpath.normpath(posixpath.join(posixpath.dirname(path), spec))
            else:
                dep_name, _, sub = spec.partition("/")
                if dep_name not in packages:
                    raise SystemExit(f"{name}/{path} imports {spec}, which is not vendored")
                dep_path = packages[dep_name].export("./" + sub if sub else ".")
            key = (dep_name, dep_path)
            if key not in placed:
                placed[key] = dep_path
                todo.append(key)
            relative = posixpath.relpath(f"{dep_name}/{placed[key]}", posixpath.dirname(f"{name}/{here}"))
            if not relative.startswith("."):
                relative = "./" + relative
            return f"{match['head']}{match['q']}{relative}{match['q']};"

        source = _quiet_comments(SOURCE_MAP.sub("", STATEMENT.sub(rewrite, source)), f"{name}/{path}")
        outputs[name][here] = source.encode("utf-8")
    sums: dict[str, dict[str, str]] = {}
    for name, package in packages.items():
        license_name = next((n for n in LICENSE_NAMES if n in package.files), None)
        if license_name:
            outputs[name][license_name] = package.files[license_name]
        dest = VENDOR / name
        if dest.exists():
            shutil.rmtree(dest)
        for rel, data in outputs[name].items():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            (dest / rel).write_bytes(data)
        sums[name] = {rel: hashlib.sha256(data).hexdigest() for rel, data in sorted(outputs[name].items())}
    return sums


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


def fetch_verified(name: str, version: str, integrity: str, workdir: Path) -> Path | None:
    """Return the tarball of NAME@VERSION when it matches its pinned npm integrity; else say so, None."""
    tarball = fetch(name, version, workdir)
    actual = npm_integrity(tarball.read_bytes())
    if actual != integrity:
        print(
            f"{name}@{version}: integrity mismatch\n  pinned {integrity}\n  got    {actual}", file=sys.stderr
        )
        return None
    return tarball


def main() -> int:
    lock: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, (version, integrity, files) in PACKAGES.items():
            tarball = fetch_verified(name, version, integrity, Path(tmp))
            if tarball is None:
                return 1
            sums = extract(tarball, files, VENDOR / name)
            lock[name] = {"version": version, "integrity": integrity, "files": sums}
            print(f"{name}@{version}: {len(sums)} files")
        tarballs = {}
        for name, (version, integrity, _, _) in ES_MODULES.items():
            tarball = fetch_verified(name, version, integrity, Path(tmp))
            if tarball is None:
                return 1
            tarballs[name] = tarball
        for name, sums in vendor_modules(tarballs).items():
            version, integrity, _, _ = ES_MODULES[name]
            lock[name] = {"version": version, "integrity": integrity, "rewritten": True, "files": sums}
            print(f"{name}@{version}: {len(sums)} files (ES modules, imports rewritten)")
    LOCK.write_text(json.dumps(lock, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
