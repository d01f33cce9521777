"""Load the shipped course: every lesson under course/content/, then the quiz, prediction and scenario fixtures.

Used by `make run` and `make test`. A lesson file (with its outline override) or a fixture whose text is
unchanged since it was last loaded is skipped, so edits made in the admin survive restarts and an unchanged
course loads in a moment; `--force` reloads everything from the shipped text. Lessons come first: the
fixtures point at their sections by natural key (lesson slug, section slug).
"""

import hashlib
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from course.importer import outline_path_for
from course.lesson_store import rerender_lesson
from course.management.commands.import_lesson import CONTENT, import_paths, lesson_files, report_table
from course.models import Lesson, LoadedFixture
from course.rendering import rendering_fingerprint

# After the lessons. fixtures/lesson.json is not loaded here: the lessons come from their Markdown; that file
# is the test suite's snapshot of the shipped lesson (tests/conftest.py), refreshed with
# `import_lesson course/content/week2-day4-session2.md --write-fixture`.
FIXTURES = ["quizzes", "predictions", "scenarios"]
# The LoadedFixture row that remembers which renderer the stored pages' HTML came from.
RENDERER = "renderer"


def lesson_digest(path: Path) -> str:
    """Return the sha256 of a lesson file's bytes followed by its outline override's bytes (if any)."""
    digest = hashlib.sha256(path.read_bytes())
    outline = outline_path_for(path)
    if outline.exists():
        digest.update(b"\0outline\0" + outline.read_bytes())
    return digest.hexdigest()


class Command(BaseCommand):
    help = "Import the lessons in course/content/ and load the quiz, prediction and scenario fixtures where new or changed."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="reload everything, undoing admin edits")

    def handle(self, *args, force: bool = False, **options):
        verbose = options["verbosity"] > 0
        self._load_lessons(force=force, verbose=verbose)
        self._rerender_if_the_renderer_changed(verbose=verbose)
        folder = Path(settings.BASE_DIR) / "fixtures"
        for name in FIXTURES:
            path = folder / f"{name}.json"
            if not path.exists():
                continue
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            if not force and LoadedFixture.objects.filter(name=name, sha256=digest).exists():
                if verbose:
                    self.stdout.write(f"{name}: unchanged, kept as it is in the database")
                continue
            call_command("loaddata", str(path), verbosity=options["verbosity"])
            LoadedFixture.objects.update_or_create(name=name, defaults={"sha256": digest})

    def _load_lessons(self, *, force: bool, verbose: bool) -> None:
        changed: list[tuple[Path, str, str]] = []  # (file, LoadedFixture name, digest)
        for path in lesson_files(CONTENT):
            name = f"lesson:{path.relative_to(CONTENT).as_posix()}"[:100]
            digest = lesson_digest(path)
            if not force and LoadedFixture.objects.filter(name=name, sha256=digest).exists():
                if verbose:
                    self.stdout.write(f"{path.name}: unchanged, kept as it is in the database")
                continue
            changed.append((path, name, digest))
        if not changed:
            return
        # The shipped text is the course: a changed file replaces the lesson it makes.
        rows = import_paths([p for p, _, _ in changed], replace=True)
        if verbose:
            self.stdout.write(report_table(rows))
        failed = [row for row in rows if row.failed]
        for row in rows:
            if not row.failed:
                _, name, digest = next(c for c in changed if c[0] == row.path)
                LoadedFixture.objects.update_or_create(name=name, defaults={"sha256": digest})
        if failed:
            raise CommandError("cannot load the course: " + "; ".join(row.error for row in failed))

    def _rerender_if_the_renderer_changed(self, *, verbose: bool) -> None:
        """Render every stored page again from its Markdown when this version of the app renders differently.

        Keeps admin edits (pages are rendered from their stored Markdown, not re-imported), so an upgrade
        brings the new rendering (lists after a line of text, heading ids, …) to lessons already in the
        database.
        """
        fingerprint = rendering_fingerprint()
        if LoadedFixture.objects.filter(name=RENDERER, sha256=fingerprint).exists():
            return
        pages = sum(rerender_lesson(lesson) for lesson in Lesson.objects.all())
        LoadedFixture.objects.update_or_create(name=RENDERER, defaults={"sha256": fingerprint})
        if verbose and pages:
            self.stdout.write(f"rendered {pages} lesson pages again for this version of the renderer")
