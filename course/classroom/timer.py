"""Per-section timer maths for the 50-minute agenda (5 / 12 / 12 / 11 / 10) with overrun.

Time spent in a section accumulates across visits: leaving 개념 1 after 7 minutes and coming back later
continues at 7:00. All functions take `now` so tests never sleep.
"""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class SectionClock:
    slug: str
    planned: int  # seconds; 0 when the lesson plans no time for the section
    elapsed: int  # seconds spent so far, this visit included

    @property
    def remaining(self) -> int:
        return max(self.planned - self.elapsed, 0)

    @property
    def overrun(self) -> int:
        return max(self.elapsed - self.planned, 0) if self.planned else 0


def leave_section(spent: dict[str, float], slug: str, started_at: datetime | None, now: datetime) -> dict:
    """Return `spent` with the current visit of `slug` (since `started_at`) added; the input is not changed."""
    result = dict(spent)
    if slug and started_at is not None:
        result[slug] = round(result.get(slug, 0) + max((now - started_at).total_seconds(), 0.0), 1)
    return result


def section_clock(
    spent: dict, slug: str, planned_minutes: int, started_at: datetime | None, now: datetime
) -> SectionClock:
    """Return the clock of the current section `slug`."""
    total = leave_section(spent, slug, started_at, now).get(slug, 0)
    return SectionClock(slug, planned_minutes * 60, int(total))


def agenda(sections: list[tuple[str, str, int]], spent: dict, current: str, started_at, now) -> list[dict]:
    """Return one row per (slug, title, minutes) section with planned and elapsed seconds and overrun."""
    totals = leave_section(spent, current, started_at, now)
    rows = []
    for slug, title, minutes in sections:
        clock = SectionClock(slug, minutes * 60, int(totals.get(slug, 0)))
        rows.append(
            {
                "slug": slug,
                "title": title,
                "planned": clock.planned,
                "elapsed": clock.elapsed,
                "overrun": clock.overrun,
                "current": slug == current,
            }
        )
    return rows


def format_seconds(seconds: int) -> str:
    """Return m:ss (or -m:ss for a negative value)."""
    sign = "-" if seconds < 0 else ""
    seconds = abs(int(seconds))
    return f"{sign}{seconds // 60}:{seconds % 60:02d}"
