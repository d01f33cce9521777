"""Small lessons built in the database for tests that need more than the shipped one (no Markdown import)."""

from course.models import Diagram, Lesson, Section


def figure(number: int) -> str:
    """Return a figure in the renderer's markup (the helpers' contract), as a section body holds it."""
    return (
        f'<figure class="diagram" id="diagram-{number}" data-diagram="{number}">'
        f'<div class="diagram-canvas"></div><figcaption>그림 {number}</figcaption>'
        f'<details class="diagram-text"><pre class="mermaid-source">graph LR; A--&gt;B</pre></details></figure>'
    )


def make_lesson(
    slug: str,
    *,
    week: int | None = None,
    day: int | None = None,
    session: int | None = None,
    sections: list[tuple[str, int, int]] = (("intro", 10, 0), ("practice", 20, 2)),
    title: str | None = None,
) -> Lesson:
    """Return a new lesson whose sections are (slug, minutes, figures) in order; figures are numbered
    through the lesson from 1, each a Diagram row and a figure in its section's body."""
    lesson = Lesson.objects.create(
        slug=slug,
        title=title or f"Week {week} Day {day} Session {session}: {slug}",
        source=f"# {slug}\n",
        source_sha256="0" * 64,
        total_minutes=sum(m for _, m, _ in sections),
        week=week,
        day=day,
        session=session,
    )
    number = 0
    for order, (section_slug, minutes, figures) in enumerate(sections):
        numbers = list(range(number + 1, number + figures + 1))
        number += figures
        section = Section.objects.create(
            lesson=lesson,
            order=order,
            slug=section_slug,
            title=f"{slug} {section_slug}",
            minutes=minutes,
            body_markdown=f"{section_slug} of {slug}",
            body_html=f"<p>{section_slug} of {slug}</p>" + "".join(figure(n) for n in numbers),
        )
        for n in numbers:
            Diagram.objects.create(lesson=lesson, section=section, number=n, heading=section_slug, source="x")
    return lesson


def place(lesson: Lesson, week: int, day: int, session: int) -> Lesson:
    """Return `lesson` with its place in the course set, as the importer reads it from the title ("Week 2
    Day 4 Session 2: …"); the committed lesson fixture may predate those fields."""
    lesson.week, lesson.day, lesson.session = week, day, session
    lesson.save(update_fields=["week", "day", "session"])
    return lesson
