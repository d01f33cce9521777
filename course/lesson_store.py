"""Save a parsed lesson into the database, idempotently, rendering each section once.

Rows are matched by their natural keys (lesson slug, section slug, diagram number, term slug), so
importing the same text twice changes nothing and ids stay stable for whatever links to them. A lesson
is never replaced silently: `store_lesson` refuses a different text under an existing slug unless asked.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import transaction

from course.importer import ParsedLesson, is_glossary_title, scan
from course.models import Diagram, GlossaryTerm, Lesson, Section, TimedPart
from course.rendering import DiagramRef, TermRef, render_markdown, render_section


class LessonExistsError(Exception):
    """Another text is already stored under this lesson slug; importing it needs `replace=True`."""


@dataclass(frozen=True)
class StoreResult:
    lesson: Lesson
    status: str  # "created", "replaced", "updated" (same text, new split/outline) or "unchanged"


def source_digest(source: str) -> str:
    """Return the sha256 hex digest of the lesson text (UTF-8), as stored in Lesson.source_sha256."""
    return hashlib.sha256(source.encode()).hexdigest()


def term_refs(lesson: Lesson) -> list[TermRef]:
    """Return the lesson's glossary as the renderer needs it."""
    return [TermRef(t.slug, t.term, t.english, t.definition) for t in lesson.glossary.order_by("order")]


def _shape(lesson: Lesson) -> tuple:
    """Return what an import decides about a stored lesson, to tell an unchanged re-import from a new split."""
    return (
        lesson.title,
        lesson.week,
        lesson.day,
        lesson.session,
        lesson.total_minutes,
        list(
            lesson.sections.order_by("order").values_list(
                "slug", "title", "group", "minutes", "body_markdown"
            )
        ),
        list(
            lesson.glossary.order_by("order").values_list("slug", "term", "english", "definition", "category")
        ),
        list(lesson.diagrams.order_by("number").values_list("number", "section__slug", "heading", "source")),
    )


def _parsed_shape(parsed: ParsedLesson) -> tuple:
    return (
        parsed.title,
        parsed.week,
        parsed.day,
        parsed.session,
        parsed.total_minutes,
        [(s.slug, s.title, s.group, s.minutes, s.markdown) for s in parsed.sections],
        [(t.slug, t.term, t.english, t.definition, t.category) for t in parsed.glossary],
        [(d.number, d.section_slug, d.heading, d.source) for d in parsed.diagrams],
    )


def store_lesson(parsed: ParsedLesson, *, replace: bool = False) -> StoreResult:
    """Save `parsed` unless it is already stored exactly; never overwrite another text silently.

    Returns a StoreResult whose status is "created", "unchanged" (same text and same split: nothing is
    written), "updated" (same text, e.g. a new outline) or "replaced" (another text, `replace=True`).
    Raises LessonExistsError when the slug holds a different text and `replace` is False.
    """
    existing = Lesson.objects.filter(slug=parsed.slug).first()
    if existing is None:
        return StoreResult(save_lesson(parsed), "created")
    same_text = existing.source_sha256 == source_digest(parsed.source)
    if same_text and _shape(existing) == _parsed_shape(parsed):
        return StoreResult(existing, "unchanged")
    if not same_text and not replace:
        raise LessonExistsError(
            f"lesson {parsed.slug!r} ({existing.title}) already exists with a different text; "
            "import with --replace to replace it, or choose another slug with --slug"
        )
    return StoreResult(save_lesson(parsed), "updated" if same_text else "replaced")


@transaction.atomic
def save_lesson(parsed: ParsedLesson) -> Lesson:
    """Create or update the lesson and everything in it; remove parts the text no longer has."""
    lesson, _ = Lesson.objects.update_or_create(
        slug=parsed.slug,
        defaults={
            "title": parsed.title,
            "source": parsed.source,
            "source_sha256": source_digest(parsed.source),
            "total_minutes": parsed.total_minutes,
            "title_html": render_markdown(parsed.title_markdown),
            "week": parsed.week,
            "day": parsed.day,
            "session": parsed.session,
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
                    is_glossary=spec.is_glossary,
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


def _section_diagrams(section: Section) -> list[DiagramRef]:
    return [DiagramRef(d.number, d.heading) for d in section.diagrams.order_by("number")]


def render_stored_section(section: Section) -> str:
    """Return fresh HTML for a section as stored (its Diagram rows give the figures' numbers)."""
    return render_section(
        section.body_markdown,
        term_refs(section.lesson),
        diagrams=_section_diagrams(section),
        scope=section.slug,
        is_glossary=is_glossary_title(section.title),
    )


def _mermaid_blocks(section: Section) -> list[tuple[str, str]]:
    """Return (heading, source) for each mermaid fence of a section, in reading order.

    The heading is the nearest heading above the fence inside the section (without its time box), else
    the section's title. A section whose text has an unclosed fence counts the fences before it.
    """
    lines = section.body_markdown.splitlines()
    try:
        headings, fences = scan(lines)
    except ValueError:
        return []
    blocks = []
    for fence in fences:
        if fence.language != "mermaid":
            continue
        above = [h for h in headings if h.line < fence.start]
        blocks.append(
            (above[-1].title if above else section.title, "\n".join(lines[fence.start + 1 : fence.end]))
        )
    return blocks


@transaction.atomic
def resync_lesson_after_edit(section: Section) -> list[Section]:
    """Renumber the lesson's Diagram rows from its sections' text and re-render what that changed.

    Called after a section was saved in the admin: mermaid blocks are numbered lesson-wide in reading order
    (section order, then position), each Diagram row is created, moved or updated to match, extra rows are
    deleted, and every section whose diagram numbers or headings moved is re-rendered, as is `section`.
    Returns the sections whose body_html was rewritten.
    """
    lesson = section.lesson
    sections = list(lesson.sections.order_by("order"))
    before = {s.pk: _section_diagrams(s) for s in sections}
    number = 0
    for each in sections:
        for heading, source in _mermaid_blocks(each):
            number += 1
            Diagram.objects.update_or_create(
                lesson=lesson,
                number=number,
                defaults={"section": each, "heading": heading[:200], "source": source},
            )
    Diagram.objects.filter(lesson=lesson, number__gt=number).delete()
    rendered = []
    for each in sections:
        if each.pk == section.pk or _section_diagrams(each) != before[each.pk]:
            each.body_html = render_stored_section(each)
            Section.objects.filter(pk=each.pk).update(body_html=each.body_html)
            rendered.append(each)
    return rendered
