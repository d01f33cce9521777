"""Split the instructor's Markdown into sections, timed parts, diagrams and glossary terms.

Pure functions over text: no database, so the split is tested on its own. The outline file names the
heading each section starts at; everything else (minutes, groups, diagrams, terms) is read from the text
as written, never rewritten.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

MINUTES = re.compile(r"\((\d+)\s*분\)\s*$")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([\w+-]*)")
GLOSSARY_ITEM = re.compile(
    r"^\s*[-*]\s+\*\*(?P<term>[^*(]+?)(?:\((?P<english>[^)]+)\))?\*\*\s*:\s*(?P<definition>.+?)\s*$"
)


class LessonFormatError(ValueError):
    """The Markdown does not contain what the outline says it should."""


@dataclass(frozen=True)
class Heading:
    line: int  # 0-based line index in the source
    level: int
    text: str

    @property
    def minutes(self) -> int:
        """Return the minutes stated in the heading, e.g. 12 for '개념 1 (12분)', else 0."""
        found = MINUTES.search(self.text)
        return int(found.group(1)) if found else 0

    @property
    def title(self) -> str:
        """Return the heading without its '(N분)' suffix."""
        return MINUTES.sub("", self.text).strip()


@dataclass(frozen=True)
class ParsedTimedPart:
    title: str
    minutes: int
    heading: str


@dataclass(frozen=True)
class ParsedDiagram:
    number: int
    section_slug: str
    heading: str
    source: str


@dataclass(frozen=True)
class ParsedTerm:
    order: int
    slug: str
    term: str
    english: str
    definition: str
    category: str


@dataclass
class ParsedSection:
    order: int
    slug: str
    title: str
    group: str
    minutes: int
    markdown: str
    timed_parts: list[ParsedTimedPart] = field(default_factory=list)


@dataclass
class ParsedLesson:
    slug: str
    title: str
    title_markdown: str
    source: str
    sections: list[ParsedSection]
    diagrams: list[ParsedDiagram]
    glossary: list[ParsedTerm]

    @property
    def total_minutes(self) -> int:
        return sum(s.minutes for s in self.sections)


def scan(lines: list[str]) -> tuple[list[Heading], list[tuple[int, int, str]]]:
    """Return the headings outside code fences and the fenced blocks as (start, end, language)."""
    headings: list[Heading] = []
    fences: list[tuple[int, int, str]] = []
    open_fence: tuple[int, str, str] | None = None  # (start line, marker, language)
    for i, line in enumerate(lines):
        fence = FENCE.match(line)
        if open_fence is None:
            if fence:
                open_fence = (i, fence.group(2), fence.group(3).lower())
                continue
            heading = HEADING.match(line)
            if heading:
                headings.append(Heading(i, len(heading.group(1)), heading.group(2)))
        elif (
            line.strip().startswith(open_fence[1][0] * len(open_fence[1]))
            and line.strip().strip(open_fence[1][0]) == ""
        ):
            fences.append((open_fence[0], i, open_fence[2]))
            open_fence = None
    if open_fence is not None:
        raise LessonFormatError(f"line {open_fence[0] + 1}: code fence is never closed")
    return headings, fences


def _section_starts(headings: list[Heading], names: list[str]) -> list[tuple[Heading, Heading | None]]:
    """Return for each outline heading (in order) the heading itself and the group heading it absorbs.

    A heading immediately preceded by a higher-level heading with no text of its own (e.g. '## 핵심 개념
    (35분)' directly above '### 개념 1') starts the section at that group heading.
    """
    by_text: dict[str, Heading] = {}
    for h in headings:
        by_text.setdefault(h.text, h)
    starts = []
    for name in names:
        if name not in by_text:
            raise LessonFormatError(f"outline names a heading the lesson does not have: {name!r}")
        starts.append(by_text[name])
    if [h.line for h in starts] != sorted(h.line for h in starts):
        raise LessonFormatError("outline headings are not in reading order")
    result = []
    for h in starts:
        index = headings.index(h)
        before = headings[index - 1] if index > 0 else None
        result.append(
            (h, before if before and before.level < h.level and before.line >= h.line - 2 else None)
        )
    return result


def _parent(headings: list[Heading], h: Heading) -> Heading | None:
    """Return the nearest earlier heading of a higher level."""
    for candidate in reversed(headings[: headings.index(h)]):
        if candidate.level < h.level:
            return candidate
    return None


def parse_glossary(section_markdown: str, slugs: dict[str, str]) -> list[ParsedTerm]:
    """Return the '- **용어(English)**: 정의' items, each under the ### category it is listed in."""
    terms: list[ParsedTerm] = []
    category = ""
    for line in section_markdown.splitlines():
        heading = HEADING.match(line)
        if heading and len(heading.group(1)) >= 3:
            category = heading.group(2)
            continue
        item = GLOSSARY_ITEM.match(line)
        if item:
            term = item.group("term").strip()
            if term not in slugs:
                raise LessonFormatError(f"glossary term {term!r} has no slug in the outline")
            terms.append(
                ParsedTerm(
                    len(terms) + 1,
                    slugs[term],
                    term,
                    (item.group("english") or "").strip(),
                    item.group("definition"),
                    category,
                )
            )
    return terms


def parse_lesson(source: str, outline: dict) -> ParsedLesson:
    """Split `source` as `outline` says; raise LessonFormatError when they disagree."""
    lines = source.splitlines()
    headings, fences = scan(lines)
    title_heading = next((h for h in headings if h.level == 1), None)
    if title_heading is None:
        raise LessonFormatError("the lesson has no '# title' heading")
    names = [s["heading"] for s in outline["sections"]]
    starts = _section_starts(headings, names)

    sections: list[ParsedSection] = []
    section_lines: list[tuple[int, int]] = []
    group_of_parent: dict[int, str] = {}
    for order, ((heading, group_heading), spec) in enumerate(
        zip(starts, outline["sections"], strict=True), 1
    ):
        start = group_heading.line if group_heading else heading.line
        if group_heading:
            group_of_parent[group_heading.line] = group_heading.text
        parent = _parent(headings, heading)
        group = group_of_parent.get(parent.line, "") if parent else ""
        end = (
            starts[order][1].line
            if order < len(starts) and starts[order][1]
            else (starts[order][0].line if order < len(starts) else len(lines))
        )
        section_lines.append((start, end))
        inner = [h for h in headings if start <= h.line < end and h is not heading and h is not group_heading]
        parts = [ParsedTimedPart(h.title, h.minutes, h.text) for h in inner if h.minutes]
        sections.append(
            ParsedSection(
                order,
                spec["slug"],
                heading.title,
                group,
                heading.minutes,
                "\n".join(lines[start:end]).strip("\n") + "\n",
                parts,
            )
        )

    diagrams: list[ParsedDiagram] = []
    for start, end, language in fences:
        if language != "mermaid":
            continue
        owner = next(s for s, (a, b) in zip(sections, section_lines, strict=True) if a <= start < b)
        above = [h for h in headings if h.line < start]
        diagrams.append(
            ParsedDiagram(
                len(diagrams) + 1,
                owner.slug,
                above[-1].title if above else owner.title,
                "\n".join(lines[start + 1 : end]),
            )
        )

    glossary_section = next(
        (
            s
            for s, spec in zip(sections, outline["sections"], strict=True)
            if spec["heading"] == outline.get("glossary_heading")
        ),
        None,
    )
    glossary = (
        parse_glossary(glossary_section.markdown, outline.get("glossary_slugs", {}))
        if glossary_section
        else []
    )
    first_start = section_lines[0][0]
    return ParsedLesson(
        slug=outline["slug"],
        title=title_heading.text,
        title_markdown="\n".join(lines[title_heading.line + 1 : first_start]).strip() + "\n",
        source=source,
        sections=sections,
        diagrams=diagrams,
        glossary=glossary,
    )


def read_outline(path: Path) -> tuple[str, dict]:
    """Return (the Markdown source, the outline) for an outline file next to its lesson."""
    outline = json.loads(path.read_text(encoding="utf-8"))
    source = (path.parent / outline["source"]).read_text(encoding="utf-8")
    return source, outline
