"""Import corpus lessons with `manage.py import_lesson <file.md | dir>` for the tests that need them.

Until the outline-free importer is merged, `import_lesson` reads its argument as an outline JSON file and
fails to decode a Markdown file; only that failure skips the calling test (with SKIP_REASON). Any other
import error is a real failure and propagates.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

SKIP_REASON = (
    "import_lesson cannot read a bare .md yet (it still expects an outline JSON file); "
    "the importer branch brings `import_lesson <file.md>` / `import_lesson <dir>` — remove this skip "
    "once it is merged"
)


def import_lesson(path: Path) -> str:
    """Run `import_lesson <path>`; return its output. Skip the test while bare .md files are unsupported."""
    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = io.StringIO()
    try:
        call_command("import_lesson", str(path), stdout=out)
    except CommandError as exc:
        cause = exc.__cause__
        if isinstance(cause, json.JSONDecodeError) or (
            path.is_dir() and isinstance(cause, IsADirectoryError)
        ):
            pytest.skip(SKIP_REASON)
        raise
    return out.getvalue()


def find_lesson(facts: dict):
    """Return the imported Lesson for one expected.json entry: by its slug (the file name), else its title."""
    from course.models import Lesson

    found = Lesson.objects.filter(slug=facts["slug"]).first()
    return found or Lesson.objects.get(title=facts["title"])
