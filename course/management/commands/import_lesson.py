"""Import the instructor's Markdown into the database (idempotent) and, on request, refresh the fixture."""

from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.management.base import BaseCommand, CommandError

from course.importer import LessonFormatError, parse_lesson, read_outline
from course.lesson_store import save_lesson
from course.models import Diagram, GlossaryTerm, Section, TimedPart

DEFAULT_OUTLINE = Path(settings.BASE_DIR) / "course" / "content" / "week2-day4-session2.outline.json"
DEFAULT_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "lesson.json"


class Command(BaseCommand):
    help = "Import the lesson Markdown named by an outline file; --write-fixture also refreshes fixtures/lesson.json."

    def add_arguments(self, parser):
        parser.add_argument("outline", nargs="?", default=str(DEFAULT_OUTLINE))
        parser.add_argument("--write-fixture", nargs="?", const=str(DEFAULT_FIXTURE), default=None)

    def handle(self, *args, outline: str, write_fixture: str | None, **options):
        try:
            source, spec = read_outline(Path(outline))
            parsed = parse_lesson(source, spec)
        except (OSError, ValueError, KeyError, LessonFormatError) as exc:
            raise CommandError(f"cannot import {outline}: {exc}") from exc
        lesson = save_lesson(parsed)
        self.stdout.write(
            f"{lesson.title}: {lesson.sections.count()} sections, {lesson.total_minutes} minutes, "
            f"{lesson.diagrams.count()} diagrams, {lesson.glossary.count()} glossary terms"
        )
        if write_fixture:
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
            Path(write_fixture).write_text(text + "\n", encoding="utf-8")
            self.stdout.write(f"wrote {write_fixture}")
