"""Load the shipped course fixtures (lesson, quizzes, scenarios) that are new or changed since last time.

Used by `make run` and `make test`. A fixture whose text is unchanged since it was last loaded is skipped,
so edits made in the admin survive restarts; `--force` reloads everything from the shipped text.
"""

import hashlib
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from course.models import LoadedFixture

# The lesson first: quizzes and scenarios point at its sections.
FIXTURES = ["lesson", "quizzes", "predictions", "scenarios"]


class Command(BaseCommand):
    help = "Load the lesson, quiz, prediction and scenario fixtures where new or changed. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="reload every fixture, undoing admin edits")

    def handle(self, *args, force: bool = False, **options):
        folder = Path(settings.BASE_DIR) / "fixtures"
        for name in FIXTURES:
            path = folder / f"{name}.json"
            if not path.exists():
                continue
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            if not force and LoadedFixture.objects.filter(name=name, sha256=digest).exists():
                if options["verbosity"]:
                    self.stdout.write(f"{name}: unchanged, kept as it is in the database")
                continue
            call_command("loaddata", str(path), verbosity=options["verbosity"])
            LoadedFixture.objects.update_or_create(name=name, defaults={"sha256": digest})
