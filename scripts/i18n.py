#!/usr/bin/env python3
"""Refresh the English UI translation: collect Korean msgids, fill English from a JSON table, compile.

Why a table: translations live in one reviewable file (locale/en/translations.json, Korean → English)
instead of hand-edited .po files that makemessages rewrites. Needs GNU gettext (xgettext, msgfmt) on the
developer's machine only; the compiled .mo is committed, so `make run` needs no gettext.
Entries missing from the table are listed so they can be added.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
TABLE = ROOT / "locale" / "en" / "translations.json"
IGNORE = [".venv", "staticfiles", "static/vendor", "tests", "bench"]


def unquote(lines: list[str]) -> str:
    return "".join(json.loads(line) for line in lines)


def quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def fill(po_text: str, table: dict[str, str]) -> tuple[str, list[str]]:
    """Return the .po text with msgstr filled from the table, and the msgids the table lacks."""
    missing: list[str] = []
    blocks = po_text.split("\n\n")
    out = []
    for block in blocks:
        lines = block.split("\n")
        fields: dict[str, list[str]] = {}
        current = None
        head: list[str] = []
        for line in lines:
            match = re.match(r"^(msgid|msgid_plural|msgstr(?:\[\d\])?) (\".*\")$", line)
            if match:
                current = match.group(1)
                fields[current] = [match.group(2)]
            elif line.startswith('"') and current:
                fields[current].append(line)
            else:
                head.append(line)
        msgid = unquote(fields["msgid"]) if "msgid" in fields else None
        if not msgid:
            out.append(block)
            continue
        english = table.get(msgid)
        if english is None:
            missing.append(msgid)
            english = ""
        body = [h for h in head if h and not h.startswith("#, fuzzy")]
        body.append(f"msgid {quote(msgid)}")
        if "msgid_plural" in fields:
            body.append(f"msgid_plural {quote(unquote(fields['msgid_plural']))}")
            plural = table.get(msgid + "|plural", english)
            body += [f"msgstr[0] {quote(english)}", f"msgstr[1] {quote(plural)}"]
        else:
            body.append(f"msgstr {quote(english)}")
        out.append("\n".join(body))
    return "\n\n".join(out), missing


def main() -> int:
    manage = [sys.executable, str(ROOT / "manage.py")]
    ignores = [f"--ignore={p}" for p in IGNORE]
    subprocess.run(
        [*manage, "makemessages", "-l", "en", "--no-obsolete", *ignores, "-v0"], cwd=ROOT, check=True
    )
    table = json.loads(TABLE.read_text(encoding="utf-8"))
    text, missing = fill(PO.read_text(encoding="utf-8"), table)
    text = text.replace(
        '"Plural-Forms: nplurals=INTEGER; plural=EXPRESSION;\\n"',
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"',
    )
    PO.write_text(text, encoding="utf-8")
    subprocess.run([*manage, "compilemessages", "-l", "en", "-v0"], cwd=ROOT, check=True)
    for msgid in missing:
        print(f"missing English for: {msgid!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
