"""Import lessons from the instructor's Markdown: one file, or every *.md under a folder.

    python manage.py import_lesson course/content/week2-day4-session2.md
    python manage.py import_lesson lessons/            # every lesson below, by week/day/session
    python manage.py import_lesson new.md --replace    # replace the stored lesson with this text
    python manage.py import_lesson x.md --dry-run      # report what the importer finds, store nothing

Prints a table: slug, title, pages, minutes (the agenda, e.g. 5+12+12+11+10=50), diagrams, glossary terms,
what happened and warnings. A broken file is reported as file:line and the others still import; the
command exits non-zero at the end when any failed. The progress is a plain counter on Django's output:
imports take well under a second each, not worth a progress-bar dependency.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.management.base import BaseCommand, CommandError

from course.importer import LessonFormatError, ParsedLesson, place_from_path, read_lesson_file
from course.lesson_store import LessonExistsError, store_lesson
from course.models import Diagram, GlossaryTerm, Lesson, Section, TimedPart

CONTENT = Path(settings.BASE_DIR) / "course" / "content"
DEFAULT_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "lesson.json"
# Files in a lesson folder that are not lessons.
NOT_LESSONS = {"readme.md", "changelog.md", "license.md"}


@dataclass
class ImportRow:
    """One file's outcome: the parsed lesson (None when it could not be read) and what happened to it."""

    path: Path
    parsed: ParsedLesson | None = None
    status: str = ""  # created / replaced / rebuilt / unchanged / would … (--dry-run) / failed
    error: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.status == "failed"


def lesson_files(folder: Path) -> list[Path]:
    """Return the *.md files under `folder` (recursively), README/CHANGELOG/LICENSE excluded, sorted by path."""
    return sorted(p for p in folder.rglob("*.md") if p.is_file() and p.name.lower() not in NOT_LESSONS)


def parse_file(path: Path, slug: str = "") -> ImportRow:
    """Parse one file into an ImportRow; every error becomes the row's `error` as 'file:line: message'."""
    row = ImportRow(path)
    if path.suffix.lower() != ".md":
        row.status = "failed"
        row.error = f"{path}: not a lesson: give the lesson's .md file (its outline is read from beside it)"
        return row
    try:
        row.parsed = read_lesson_file(path, slug=slug)
        row.warnings = list(row.parsed.warnings)
    except LessonFormatError as exc:
        where = f"{path}:{exc.line}" if exc.line else str(path)
        row.status, row.error = "failed", f"{where}: {exc.message}"
    except UnicodeDecodeError as exc:
        row.status, row.error = "failed", f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})"
    except OSError as exc:
        row.status, row.error = "failed", f"{path}: cannot read it: {exc.strerror or exc}"
    return row


def _order(row: ImportRow) -> tuple:
    """Sort key: the lesson's week/day/session (title first, then the file's path), then the path."""
    parsed = row.parsed
    place = (parsed.week, parsed.day, parsed.session) if parsed else (None, None, None)
    if place == (None, None, None) or None in place:
        from_path = place_from_path(str(row.path))
        place = tuple(a if a is not None else b for a, b in zip(place, from_path, strict=True))
    return (*(n if n is not None else 10_000 for n in place), str(row.path))


def import_paths(
    paths: list[Path], *, slug: str = "", replace: bool = False, dry_run: bool = False, progress=None
) -> list[ImportRow]:
    """Parse and store every lesson file named or found under `paths`, in week/day/session order.

    `progress(done, total, row)` is called after each file. Files are independent: one failing does not
    stop the others (each lesson is saved in its own transaction). Two files making the same lesson slug
    in one run: the second fails.
    """
    files: list[Path] = []
    missing: list[ImportRow] = []
    for path in paths:
        if path.is_dir():
            files += lesson_files(path)
        elif path.exists():
            files.append(path)
        else:
            missing.append(ImportRow(path, status="failed", error=f"{path}: no such file or folder"))
    rows = sorted((parse_file(f, slug) for f in files), key=_order) + missing
    seen: dict[str, Path] = {}
    for done, row in enumerate(rows, 1):
        if row.parsed is not None:
            _store(row, seen, replace=replace, dry_run=dry_run)
        if progress:
            progress(done, len(rows), row)
    return rows


def _store(row: ImportRow, seen: dict[str, Path], *, replace: bool, dry_run: bool) -> None:
    parsed = row.parsed
    if parsed.slug in seen:
        row.status = "failed"
        row.error = (
            f"{row.path}: lesson slug {parsed.slug!r} is also made by {seen[parsed.slug]}; "
            "rename one file or import it alone with --slug"
        )
        return
    seen[parsed.slug] = row.path
    try:
        row.status = store_lesson(parsed, replace=replace, dry_run=dry_run).status
    except LessonExistsError as exc:
        row.status, row.error = "failed", f"{row.path}: {exc}"
    except LessonFormatError as exc:  # from rendering a page
        row.status, row.error = "failed", f"{row.path}: {exc}"
    except Exception as exc:  # noqa: BLE001 - one broken lesson must not stop a folder import
        # The lesson was saved in one transaction, so nothing of it is left half-written.
        row.status, row.error = "failed", f"{row.path}: cannot store it: {type(exc).__name__}: {exc}"


def _width(text: str) -> int:
    """Terminal columns of `text`: East Asian wide/full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cut(text: str, columns: int) -> str:
    out = ""
    for ch in text:
        if _width(out + ch) > columns - 1:
            return out + "…"
        out += ch
    return out


def report_table(rows: list[ImportRow]) -> str:
    """Return the rows as an aligned text table (wide Korean characters counted as two columns)."""
    header = ["slug", "title", "pages", "minutes", "diagrams", "terms", "result"]
    table = [header]
    for row in rows:
        p = row.parsed
        if p is None:
            table.append([row.path.stem, "—", "", "", "", "", "failed"])
            continue
        table.append(
            [
                p.slug,
                _cut(p.title, 44),
                str(len(p.sections)),
                p.agenda,
                str(len(p.diagrams)),
                str(len(p.glossary)),
                row.status,
            ]
        )
    widths = [max(_width(r[i]) for r in table) for i in range(len(header))]
    lines = []
    for r in table:
        lines.append("  ".join(cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(r)).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths))
    notes = []
    for row in rows:
        name = row.parsed.slug if row.parsed else str(row.path)
        notes += [f"  {name}: warning: {w}" for w in row.warnings]
    return "\n".join(lines + notes)


def dump_fixture(lesson: Lesson, path: Path) -> None:
    """Write the lesson and its rows as a natural-key JSON fixture (what fixtures/lesson.json holds)."""
    objects = [
        lesson,
        *GlossaryTerm.objects.filter(lesson=lesson).order_by("order"),
        *Section.objects.filter(lesson=lesson).order_by("order"),
        *TimedPart.objects.filter(section__lesson=lesson).order_by("section__order", "order"),
        *Diagram.objects.filter(lesson=lesson).order_by("number"),
    ]
    text = serializers.serialize(
        "json",
        objects,
        indent=1,
        ensure_ascii=False,
        use_natural_foreign_keys=True,
        use_natural_primary_keys=True,
    )
    path.write_text(text + "\n", encoding="utf-8")


class Command(BaseCommand):
    help = (
        "Import lesson Markdown files (or every *.md under a folder; default course/content/). A different text "
        "under an existing lesson slug is refused unless --replace; the same text again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="lesson .md files or folders (default: course/content/)")
        parser.add_argument(
            "--slug", default="", help="the lesson slug (one file only; default: the file name)"
        )
        parser.add_argument(
            "--replace", action="store_true", help="replace a stored lesson that has another text"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would be imported, store nothing"
        )
        parser.add_argument(
            "--write-fixture",
            nargs="?",
            const=str(DEFAULT_FIXTURE),
            default=None,
            help="also write the (single) imported lesson as a fixture (default fixtures/lesson.json)",
        )

    def handle(self, *args, paths, slug, replace, dry_run, write_fixture, **options):
        targets = [Path(p) for p in paths] or [CONTENT]
        single = len(targets) == 1 and not targets[0].is_dir()
        if slug and not single:
            raise CommandError("--slug names one lesson: give exactly one .md file with it")
        if write_fixture and not single:
            raise CommandError("--write-fixture writes one lesson: give exactly one .md file with it")
        verbose = options["verbosity"] > 0

        def progress(done: int, total: int, row: ImportRow) -> None:
            if verbose and total > 1:
                self.stdout.write(f"[{done}/{total}] {row.path}: {row.status}")

        rows = import_paths(targets, slug=slug, replace=replace, dry_run=dry_run, progress=progress)
        if not rows:
            raise CommandError(f"no lesson files (*.md) under {', '.join(map(str, targets))}")
        if verbose:
            self.stdout.write(report_table(rows))
        failed = [r for r in rows if r.failed]
        for row in failed:
            self.stderr.write(f"error: {row.error}")
        if failed:
            raise CommandError(f"{len(failed)} of {len(rows)} lesson files failed to import (see above)")
        if write_fixture and not dry_run:
            dump_fixture(Lesson.objects.get(slug=rows[0].parsed.slug), Path(write_fixture))
            self.stdout.write(f"wrote {write_fixture}")
