"""Vendored browser libraries are pinned and unmodified, and nothing in the app loads from a CDN."""

import hashlib
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "static" / "vendor"


def test_vendored_files_match_their_recorded_checksums():
    """Every file listed in vendor.lock.json exists with the sha256 recorded when it was fetched."""
    lock = json.loads((VENDOR / "vendor.lock.json").read_text())
    assert lock["mermaid"]["version"].startswith("12.")
    for name, entry in lock.items():
        for rel, digest in entry["files"].items():
            data = (VENDOR / name / rel).read_bytes()
            assert hashlib.sha256(data).hexdigest() == digest, f"{name}/{rel} differs from the pinned release"


def test_the_refresh_script_pins_the_same_versions_as_the_lock():
    """scripts/vendor.py and vendor.lock.json agree on versions and registry integrity."""
    script = (ROOT / "scripts" / "vendor.py").read_text()
    lock = json.loads((VENDOR / "vendor.lock.json").read_text())
    for name, entry in lock.items():
        assert f'"{entry["version"]}"' in script and entry["integrity"] in script, name


def test_no_template_or_script_points_at_another_host():
    """Templates, CSS and our JavaScript reference only the app's own static files."""
    pattern = re.compile(
        r"""(?:src|href)\s*=\s*["']https?://|url\(\s*["']?https?://|import\s[^;]*["']https?://"""
    )
    offenders = []
    for folder in [ROOT / "templates", ROOT / "static" / "js", ROOT / "static" / "css"]:
        for path in folder.rglob("*"):
            if path.suffix in {".html", ".js", ".css"} and pattern.search(path.read_text(encoding="utf-8")):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_vendored_es_modules_import_only_relative_paths_the_manifest_storage_rewrites():
    """yjs and lib0 load build-less: every import is a relative `.js` path in a statement ending with `;`
    (no bare `lib0/...` specifier needing an import map), and each imported file is vendored."""
    statement = re.compile(r"""^(?:import|export)\b[^;'"`]*?\bfrom\s*(['"])([^'"]+)\1(;?)""", re.M)
    lock = json.loads((VENDOR / "vendor.lock.json").read_text())
    assert lock["yjs"]["version"].startswith("13.") and "yjs.js" in lock["yjs"]["files"]
    for name in ("yjs", "lib0"):
        for rel in lock[name]["files"]:
            if not rel.endswith(".js"):
                continue
            path = VENDOR / name / rel
            source = path.read_text(encoding="utf-8")
            assert "sourceMappingURL" not in source and not re.search(r"\bimport\(", source), rel
            for _, spec, semicolon in statement.findall(source):
                assert spec.startswith(".") and spec.endswith(".js") and semicolon == ";", (rel, spec)
                assert (path.parent / spec).resolve().is_file(), (rel, spec)
