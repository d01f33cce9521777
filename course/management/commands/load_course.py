"""Load the course fixtures that exist, in dependency order (used by `make run` and `make test`)."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

# The lesson first: quizzes and scenarios point at its sections by natural key.
FIXTURES = ["lesson", "quizzes", "scenarios"]


class Command(BaseCommand):
    help = "Load fixtures/lesson.json, then the other course fixtures that exist. Safe to run again."

    def handle(self, *args, **options):
        folder = Path(settings.BASE_DIR) / "fixtures"
        for name in FIXTURES:
            if (folder / f"{name}.json").exists():
                call_command("loaddata", str(folder / f"{name}.json"), verbosity=options["verbosity"])
