"""The lesson's outline as navigation needs it: table of contents, agenda bar, previous and next.

Kept apart from the views so the agenda arithmetic is tested without a request.
"""

from __future__ import annotations

from dataclasses import dataclass

from course.models import Lesson, Section


@dataclass(frozen=True)
class AgendaSlot:
    """One timed section on the 50-minute bar: where it starts and how wide it is (percent of the lesson)."""

    section: Section
    start_minute: int
    minutes: int
    width_percent: float


@dataclass(frozen=True)
class Outline:
    sections: list[Section]
    current: Section
    index: int
    previous: Section | None
    next: Section | None
    agenda: list[AgendaSlot]
    total_minutes: int

    @property
    def position(self) -> int:
        """Return the 1-based number of the current section."""
        return self.index + 1


def agenda(sections: list[Section]) -> list[AgendaSlot]:
    """Return the timed sections in order, each with its start minute and share of the total time."""
    timed = [s for s in sections if s.minutes]
    total = sum(s.minutes for s in timed) or 1
    slots, start = [], 0
    for s in timed:
        slots.append(AgendaSlot(s, start, s.minutes, round(100 * s.minutes / total, 3)))
        start += s.minutes
    return slots


def lesson_outline(lesson: Lesson, current_slug: str) -> Outline | None:
    """Return the outline positioned at `current_slug`, or None when the lesson has no such section."""
    sections = list(lesson.sections.prefetch_related("timed_parts").order_by("order"))
    index = next((i for i, s in enumerate(sections) if s.slug == current_slug), None)
    if index is None:
        return None
    return Outline(
        sections=sections,
        current=sections[index],
        index=index,
        previous=sections[index - 1] if index > 0 else None,
        next=sections[index + 1] if index + 1 < len(sections) else None,
        agenda=agenda(sections),
        total_minutes=sum(s.minutes for s in sections),
    )
