"""Save a parsed lesson into the database, idempotently, rendering each section once.

Rows are matched by their natural keys (lesson slug, section slug, diagram number, term slug), so
importing the same text twice changes nothing and ids stay stable for whatever links to them.
"""

from __future__ import annotations

import hashlib

from django.db import transaction

from course.importer import ParsedLesson
from course.models import Diagram, GlossaryTerm, Lesson, Section, TimedPart
from course.rendering import DiagramRef, TermRef, render_markdown, render_section

GLOSSARY_SLUG = "keywords"


def term_refs(lesson: Lesson) -> list[TermRef]:
    """Return the lesson's glossary as the renderer needs it."""
    return [TermRef(t.slug, t.term, t.english, t.definition) for t in lesson.glossary.order_by("order")]


def render_stored_section(section: Section) -> str:
    """Return fresh HTML for a section as stored (used after an edit in the admin)."""
    lesson = section.lesson
    diagrams = [DiagramRef(d.number, d.heading) for d in section.diagrams.order_by("number")]
    return render_section(
        section.body_markdown,
        term_refs(lesson),
        diagrams=diagrams,
        scope=section.slug,
        is_glossary=section.slug == GLOSSARY_SLUG,
    )


@transaction.atomic
def save_lesson(parsed: ParsedLesson) -> Lesson:
    """Create or update the lesson and everything in it; remove parts the text no longer has."""
    lesson, _ = Lesson.objects.update_or_create(
        slug=parsed.slug,
        defaults={
            "title": parsed.title,
            "source": parsed.source,
            "source_sha256": hashlib.sha256(parsed.source.encode()).hexdigest(),
            "total_minutes": parsed.total_minutes,
            "title_html": render_markdown(parsed.title_markdown),
        },
    )
    # Orders are unique: park existing rows out of the way before renumbering.
    Section.objects.filter(lesson=lesson).exclude(slug__in=[s.slug for s in parsed.sections]).delete()
    for section in Section.objects.filter(lesson=lesson):
        section.order += 10_000
        section.save(update_fields=["order"])

    for term in parsed.glossary:
        GlossaryTerm.objects.update_or_create(
            lesson=lesson,
            slug=term.slug,
            defaults={
                "order": term.order,
                "term": term.term,
                "english": term.english,
                "definition": term.definition,
                "category": term.category,
            },
        )
    GlossaryTerm.objects.filter(lesson=lesson).exclude(slug__in=[t.slug for t in parsed.glossary]).delete()
    terms = term_refs(lesson)

    for spec in parsed.sections:
        diagrams = [DiagramRef(d.number, d.heading) for d in parsed.diagrams if d.section_slug == spec.slug]
        section, _ = Section.objects.update_or_create(
            lesson=lesson,
            slug=spec.slug,
            defaults={
                "order": spec.order,
                "title": spec.title,
                "group": spec.group,
                "minutes": spec.minutes,
                "body_markdown": spec.markdown,
                "body_html": render_section(
                    spec.markdown,
                    terms,
                    diagrams=diagrams,
                    scope=spec.slug,
                    is_glossary=spec.slug == GLOSSARY_SLUG,
                ),
            },
        )
        for order, part in enumerate(spec.timed_parts, 1):
            TimedPart.objects.update_or_create(
                section=section,
                order=order,
                defaults={"title": part.title, "minutes": part.minutes, "anchor": part.heading},
            )
        section.timed_parts.filter(order__gt=len(spec.timed_parts)).delete()

    for diagram in parsed.diagrams:
        Diagram.objects.update_or_create(
            lesson=lesson,
            number=diagram.number,
            defaults={
                "section": Section.objects.get(lesson=lesson, slug=diagram.section_slug),
                "heading": diagram.heading,
                "source": diagram.source,
            },
        )
    Diagram.objects.filter(lesson=lesson, number__gt=len(parsed.diagrams)).delete()
    return lesson
