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
from course.markdown_gfm import HeadingIds, heading_texts
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


def store_lesson(parsed: ParsedLesson, *, replace: bool = False, dry_run: bool = False) -> StoreResult:
    """Save `parsed`, never overwriting another text, nor the admin's edits of this one, silently.

    Statuses: "created"; "unchanged" (this text is already stored: nothing is written, so pages edited in
    the admin stay as edited); "replaced" (another text, `replace=True`); "rebuilt" (the same text with
    `replace=True`: split and rendered afresh from the file, undoing admin edits). With `dry_run` nothing is
    written and the status says what would happen ("would create", …).
    Raises LessonExistsError when the slug holds a different text and `replace` is False.
    """
    existing = Lesson.objects.filter(slug=parsed.slug).first()
    if existing is None:
        status = "created"
    elif existing.source_sha256 == source_digest(parsed.source):
        status = "rebuilt" if replace else "unchanged"
    elif replace:
        status = "replaced"
    else:
        raise LessonExistsError(
            f"lesson {parsed.slug!r} ({existing.title}) already exists with a different text; "
            "import with --replace to replace it, or choose another slug with --slug"
        )
    if dry_run:
        return StoreResult(existing, status if status == "unchanged" else f"would {status[:-1]}")
    if status == "unchanged":
        return StoreResult(existing, status)
    return StoreResult(save_lesson(parsed), status)


def rerender_lesson(lesson: Lesson) -> int:
    """Render every page of `lesson` again from its stored Markdown (admin edits included); return how
    many pages' HTML changed. Used when the renderer itself changed (rendering_fingerprint)."""
    changed = 0
    anchors, terms = stored_anchors(lesson), term_refs(lesson)
    for section in lesson.sections.order_by("order"):
        fresh = render_stored_section(section, anchors, terms)
        if fresh != section.body_html:
            Section.objects.filter(pk=section.pk).update(body_html=fresh)
            changed += 1
    return changed


@transaction.atomic
def page_anchors(title: str, pages: list[tuple[str, str]]) -> tuple[dict[str, HeadingIds], dict[str, str]]:
    """Return, for a lesson split into `pages` [(page slug, Markdown)], GitHub's heading ids across the file.

    GitHub numbers a repeated heading's id through the whole file ('예시', '예시-1', …), starting with the
    `# title`; a page is rendered from the count its predecessors leave. Returns (page slug → the id count
    at the start of that page, heading id → the page slug it is on).
    """
    ids = HeadingIds()
    ids.take(title)
    starts: dict[str, HeadingIds] = {}
    where: dict[str, str] = {}
    for slug, markdown in pages:
        starts[slug] = ids.copy()
        for text in heading_texts(markdown):
            where.setdefault(ids.take(text), slug)
    return starts, where


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
    starts, where = page_anchors(parsed.title, [(spec.slug, spec.markdown) for spec in parsed.sections])

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
                    heading_ids=starts[spec.slug],
                    anchor_pages=where,
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


def stored_anchors(
    lesson: Lesson, edited: Section | None = None
) -> tuple[dict[str, HeadingIds], dict[str, str]]:
    """Return page_anchors for the lesson's pages as stored, with `edited` (maybe unsaved) in its place."""
    pages = [
        (s.slug, edited.body_markdown if edited is not None and s.pk == edited.pk else s.body_markdown)
        for s in lesson.sections.order_by("order")
    ]
    if edited is not None and edited.slug not in {slug for slug, _ in pages}:
        pages.append((edited.slug, edited.body_markdown))
    return page_anchors(lesson.title, pages)


def render_stored_section(
    section: Section,
    anchors: tuple[dict[str, HeadingIds], dict[str, str]] | None = None,
    terms: list[TermRef] | None = None,
) -> str:
    """Return fresh HTML for a section as stored (its Diagram rows give the figures' numbers; the lesson's
    pages as stored give its heading ids and where the author's `#heading` links lead).

    `anchors` (stored_anchors) and `terms` (term_refs) may be passed in when a whole lesson is rendered,
    so they are worked out once for it rather than once a page.
    """
    starts, where = anchors or stored_anchors(section.lesson, section)
    return render_section(
        section.body_markdown,
        term_refs(section.lesson) if terms is None else terms,
        diagrams=_section_diagrams(section),
        scope=section.slug,
        is_glossary=is_glossary_title(section.title),
        heading_ids=starts[section.slug],
        anchor_pages=where,
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
    deleted, and every section whose HTML that changes is re-rendered, as is `section`: its figures'
    numbers, or its heading ids and `#heading` links when headings were added or removed before it.
    Returns the sections whose body_html was rewritten.
    """
    lesson = section.lesson
    sections = list(lesson.sections.order_by("order"))
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
    anchors, terms = stored_anchors(lesson), term_refs(lesson)
    for each in sections:
        fresh = render_stored_section(each, anchors, terms)
        if each.pk == section.pk or fresh != each.body_html:
            each.body_html = fresh
            Section.objects.filter(pk=each.pk).update(body_html=fresh)
            rendered.append(each)
    return rendered
