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


def test_the_emoji_fallback_font_is_vendored_last_in_the_stacks_and_fetched_only_for_emoji():
    """base.css declares the vendored Twemoji COLR font as "Orchestra Emoji" from a locked file, limited by a
    unicode-range that leaves digits, # and * to the text fonts, and lists it after the system emoji fonts
    in the text and code stacks; the CSP lets fonts load from the app only (and data: URLs)."""
    css = (ROOT / "static" / "css" / "base.css").read_text(encoding="utf-8")
    lock = json.loads((VENDOR / "vendor.lock.json").read_text())
    face = re.search(r'@font-face\s*\{[^}]*font-family:\s*"Orchestra Emoji";[^}]*\}', css)
    assert face, "no @font-face for Orchestra Emoji"
    src = re.search(r'url\("\.\./vendor/twemoji-colr-font/([^"]+)"\)', face[0])
    assert src and src[1] in lock["twemoji-colr-font"]["files"]
    ranges = re.search(r"unicode-range:([^;]+);", face[0])[1]
    assert "U+1F000-1FAFF" in ranges
    for text_char in ("U+23", "U+2A", "U+30"):
        assert not re.search(rf"{re.escape(text_char)}\b", ranges), text_char
    stack = re.search(r"^\s*--emoji:([^;]+);", css, re.M)[1]
    names = ['"Apple Color Emoji"', '"Segoe UI Emoji"', '"Noto Color Emoji"', '"Orchestra Emoji"']
    assert [stack.index(n) for n in names] == sorted(stack.index(n) for n in names)
    assert stack.strip().endswith('"Orchestra Emoji"')
    for var in ("--font", "--mono"):
        assert "var(--emoji)" in re.search(rf"^\s*{var}:([^;]+);", css, re.M)[1], var

    from config import settings

    assert settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["font-src"] == ["'self'", "data:"]
