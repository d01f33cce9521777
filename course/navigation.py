"""The lesson's outline as navigation needs it: table of contents, agenda bar, previous and next; and the
course's map of lessons by week and day for the home page.

Kept apart from the views so the agenda arithmetic is tested without a request.
"""

from __future__ import annotations

import re
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


# The course home: every lesson by week, then day, then session ------------------------------------------


# The author's title line: "Week 2 Day 4 Session 2: 주제" (course/content/week2-day4-session2.md).
_PLACE_PREFIX = re.compile(r"^\s*Week\s*\d+\s*Day\s*\d+\s*Session\s*\d+\s*:\s*", re.IGNORECASE)


@dataclass(frozen=True)
class LessonEntry:
    """One lesson as the course home lists it: its planned minutes, pages (sections) and diagrams."""

    lesson: Lesson
    minutes: int
    pages: int
    diagrams: int

    @property
    def topic(self) -> str:
        """Return the title without its "Week N Day N Session N:" prefix (the home's headings and session
        badge already say it), or the whole title when it has no such prefix or nothing after it."""
        rest = _PLACE_PREFIX.sub("", self.lesson.title, count=1).strip()
        return rest or self.lesson.title


@dataclass(frozen=True)
class DayGroup:
    day: int | None
    lessons: list[LessonEntry]


@dataclass(frozen=True)
class WeekGroup:
    week: int | None
    days: list[DayGroup]


def _place(lesson: Lesson) -> tuple:
    """Sort key of a lesson in the course: week, day, session, each None after every number, then slug."""
    return tuple((n is None, n or 0) for n in (lesson.week, lesson.day, lesson.session)) + (lesson.slug,)


def next_lesson(lesson: Lesson) -> Lesson | None:
    """Return the lesson after `lesson` in course order (`_place`), or None for the course's last one.

    The last page of a session leads on to the next session, as the course's folder of files reads.
    """
    ordered = sorted(Lesson.objects.only("slug", "title", "week", "day", "session"), key=_place)
    index = next((i for i, each in enumerate(ordered) if each.pk == lesson.pk), None)
    return ordered[index + 1] if index is not None and index + 1 < len(ordered) else None


def course_map(entries: list[LessonEntry]) -> list[WeekGroup]:
    """Return the lessons grouped by week, then day, in course order (`_place`); a lesson whose title names
    no week (or no day) falls in a trailing group whose `week` (or `day`) is None."""
    weeks: list[WeekGroup] = []
    for entry in sorted(entries, key=lambda e: _place(e.lesson)):
        week, day = entry.lesson.week, entry.lesson.day
        if not weeks or weeks[-1].week != week:
            weeks.append(WeekGroup(week, []))
        days = weeks[-1].days
        if not days or days[-1].day != day:
            days.append(DayGroup(day, []))
        days[-1].lessons.append(entry)
    return weeks


def course_entries() -> list[LessonEntry]:
    """Return every lesson with its counts, in three queries whatever the number of lessons.

    `minutes` is the lesson's stated total (`Lesson.total_minutes`), or the sum of its sections' minutes when
    the lesson states none.
    """
    from django.db.models import Count, Sum

    from course.models import Diagram

    sections = {
        row["lesson"]: row
        for row in Section.objects.order_by()
        .values("lesson")
        .annotate(pages=Count("pk"), minutes=Sum("minutes"))
    }
    diagrams = dict(
        Diagram.objects.order_by().values("lesson").annotate(n=Count("pk")).values_list("lesson", "n")
    )
    entries = []
    for lesson in Lesson.objects.only("slug", "title", "week", "day", "session", "total_minutes"):
        row = sections.get(lesson.pk, {"pages": 0, "minutes": 0})
        entries.append(
            LessonEntry(
                lesson=lesson,
                minutes=lesson.total_minutes or row["minutes"] or 0,
                pages=row["pages"],
                diagrams=diagrams.get(lesson.pk, 0),
            )
        )
    return entries
