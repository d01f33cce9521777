"""Split the instructor's Markdown into pages, timed parts, diagrams and glossary terms.

Pure functions over text: no database, no Django, so the split is tested on its own
(course.lesson_store saves the result). Nothing of the text is rewritten: every page is a slice of the
source, line for line. The rules (docs/adding-a-lesson.md says the same for instructors):

- The first ``#`` heading is the lesson's title; what follows it up to the first ``##`` is the title block.
- Each ``##`` heading starts a page, except:
  * the ``##`` of the lesson's concepts (its words are ``핵심 개념``, or its ``###`` children are numbered
    ``개념 N``) is a *group*: each timed ``###`` (and each ``개념 N``) starts a page, the group heading
    opens the first of them and becomes the pages' ``group`` as written (``## 📖 핵심 개념 (35분)`` →
    ``### 🔍 개념 1 … (12분)`` …). Any other time-boxed ``##`` is one page and its timed ``###`` are
    its timed parts (``## 💭 함께 생각해보기 (10분)`` → ``페어 토론 (5분)``, ``전체 공유 (5분)``): an
    activity in steps stays on one screen, a lecture in concepts gets a page per concept;
  * in an untimed ``##`` each time-boxed ``###`` starts a page (``### 🤔 왜 필요한가? (5분)`` under
    ``## 🎯 세션 목표``); the text before it stays a page of its own, or, when it is only the heading,
    opens the first timed page and becomes its group.
  The template's ``### 🤔 왜 필요한가?`` and ``### 🔍 개념 N`` start their pages even without a time box,
  so a lesson with no time boxes keeps the same pages.
- Plain untimed ``##`` pages before the first timed or ``###`` page are one opening page (세션 정보 +
  세션 목표 are the lesson's overview, before the clock starts).
- Headings inside fenced code blocks are code, not headings (CommonMark 0.31 §4.5, §4.2).

A time box is read by ``parse_time_box`` (its docstring has the table of accepted forms).
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

# A `##` with one of these names (words only, emoji and spaces dropped) is a group of pages.
GROUP_TITLES = ("핵심개념", "주요개념", "개념")
# The database's limits (course.models.lesson): Django's SlugField default, CharField max_lengths.
SLUG_LENGTH = 50
TITLE_LENGTH = 200
TERM_LENGTH = 100
DEFINITION_LENGTH = 300

# ATX heading (CommonMark §4.2): up to 3 spaces, 1–6 '#', then a space or the end; the optional closing
# sequence needs a space before it, so "## C#" keeps its '#'.
HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
# Fenced code block opener (CommonMark §4.5): 3+ backticks or tildes; the info string's first word.
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([^\s`]*)")

_NUMBER = r"\d+(?:\.\d+)?"
_UNITS = {
    "시간": 60.0,
    "hour": 60.0,
    "hours": 60.0,
    "h": 60.0,
    "분": 1.0,
    "min": 1.0,
    "mins": 1.0,
    "minute": 1.0,
    "minutes": 1.0,
    "초": 1 / 60,
    "sec": 1 / 60,
    "secs": 1 / 60,
    "seconds": 1 / 60,
}
_UNIT = "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))
TIME_BOX = re.compile(
    r"[(（]\s*(?:약|총|대략|최대|about|approx\.?|~)?\s*"
    rf"(?P<low>{_NUMBER})\s*(?:(?P<low_unit>{_UNIT})\s*)?"
    rf"(?:[-~–—]\s*(?P<high>{_NUMBER})\s*)?(?P<unit>{_UNIT})"
    rf"(?:\s*(?P<extra>{_NUMBER})\s*(?P<extra_unit>분|min|minutes))?"
    r"(?P<note>(?:[\s,:;/·\-–—][^()（）]*)?)[)）]",
    re.IGNORECASE,
)
STATED_LENGTH_LINE = re.compile(r"시간|time|duration", re.IGNORECASE)
# A clock range ('10:00-10:50') is not a length: it may span a break; '(50분)' or '50분' is.
CLOCK_RANGE = re.compile(r"(\d{1,2}):(\d{2})\s*[-~–]\s*(\d{1,2}):(\d{2})")
BARE_LENGTH = re.compile(rf"({_NUMBER})\s*(시간|분)(?![가-힣])")

GLOSSARY_ITEM = re.compile(
    r"^\s*[-*+]\s+\*\*(?P<inner>[^*]+?)\*\*\s*(?:[:：]|\s[-–—]\s)\s*(?P<definition>.+?)\s*$"
    r"|^\s*[-*+]\s+\*\*(?P<inner2>[^*]+?)[:：]\*\*\s*(?P<definition2>.+?)\s*$"
)
TERM_WITH_ENGLISH = re.compile(r"^(?P<term>.+?)\s*[(（](?P<english>[^()（）]+)[)）]$")
# Korean names of the page that lists the lesson's key words; matched on the title without emoji/spaces.
GLOSSARY_TITLES = ("핵심키워드", "키워드", "핵심용어", "용어정리", "주요용어", "keywords", "glossary")

# The author's template pages, named the same in every lesson so quizzes can point at them.
KNOWN_SLUGS = {
    "세션정보": "overview",
    "실습정보": "overview",
    "강의정보": "overview",
    "왜필요한가": "why",
    "함께생각해보기": "discussion",
    "핵심키워드": "keywords",
    "세션마무리": "wrap-up",
    "실습마무리": "wrap-up",
}
CONCEPT = re.compile(r"^개념\s*(\d+)")

TITLE_PLACE = re.compile(
    r"\bweek\s*[-_]?\s*(?P<week>\d+)\s*[-–—,/]?\s*day\s*[-_]?\s*(?P<day>\d+)"
    r"(?:\s*[-–—,/]?\s*session\s*[-_]?\s*(?P<session>\d+))?",
    re.IGNORECASE,
)
SHORT_PLACE = re.compile(r"\bW(?P<week>\d+)\s*D(?P<day>\d+)(?:\s*S(?P<session>\d+))?\b", re.IGNORECASE)


class LessonFormatError(ValueError):
    """The Markdown cannot be read as a lesson; `line` is 1-based (None when the whole file is meant)."""

    def __init__(self, message: str, line: int | None = None):
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}" if line else message)


@dataclass(frozen=True)
class TimeBox:
    """A time box found in a heading: its minutes and where it sits in the text (character offsets)."""

    minutes: int
    start: int
    end: int
    note: str


def parse_time_box(text: str) -> TimeBox | None:
    """Return the last time box in a heading's text, or None when it states no time.

    The author's variants, all in round or full-width parentheses (a unit is required; the last box wins):

    ==========================  =======  ===========================================================
    text                        minutes  why
    ==========================  =======  ===========================================================
    ``(5분)``                        5  the plain form
    ``(5분):``                       5  a colon after the box is punctuation, not part of it
    ``(5분 - 동기부여 …)``           5  a note after the unit (space, '-', ',', ':' then text)
    ``(12분) 이어지는 글``          12  text after the box stays in the title
    ``（5분）``                      5  full-width parentheses (U+FF08/U+FF09)
    ``(약 5분)``, ``(총 35분)``      5  "about"/"in total" prefixes are ignored
    ``(5-10분)``, ``(5~10분)``      10  a range counts its upper bound: the time box is the most the
                                        part may take, so the lesson's plan never promises less time
                                        than it can use; the report warns when the sum misses the
                                        lesson's stated length
    ``(1시간)``                     60  hours
    ``(1시간 30분)``                90  hours and minutes
    ``(90초)``                       2  seconds round up to whole minutes (a part still takes a slot)
    ``(5 min)``                      5  English units: min/minutes, hour(s)/h, sec/seconds
    ``(3분기)``, ``(시간 여유시)``   —  no box: a letter right after the unit, or no number
    ==========================  =======  ===========================================================
    """
    found = None
    for match in TIME_BOX.finditer(text):
        found = match
    if found is None:
        return None
    unit = _UNITS[found.group("unit").lower()]
    amount = float(found.group("high") or found.group("low")) * unit
    if found.group("low_unit") and not found.group("high"):
        return None
    if found.group("extra"):
        amount += float(found.group("extra"))
    minutes = math.ceil(round(amount, 6))
    note = found.group("note").strip(" -–—,:;/·")
    return TimeBox(minutes, found.start(), found.end(), note)


def strip_time_box(text: str) -> str:
    """Return the heading text without its time box and the ':' after it, e.g. '🔍 개념 1: 정의'."""
    box = parse_time_box(text)
    if box is None:
        return text.strip()
    before, after = text[: box.start].rstrip(), text[box.end :].lstrip(" :：")
    return f"{before} {after}".strip() if after else before


def plain_words(text: str) -> str:
    """Return the text without emoji, symbols and the time box (the words a reader would search for)."""
    text = strip_time_box(text)
    kept = [
        ch for ch in text if not unicodedata.category(ch).startswith(("S", "C")) and ch not in "\u200d\ufe0f"
    ]
    return re.sub(r"\s+", " ", "".join(kept)).strip()


def _squash(text: str) -> str:
    """Lower-case words without spaces or punctuation: the key for matching template headings."""
    return re.sub(r"[\W_]+", "", plain_words(text)).lower()


def slugify_unicode(value: str) -> str:
    """Django's ``slugify(value, allow_unicode=True)`` without importing Django (this module stays pure).

    NFKC-normalise, drop what is not a word character, space or hyphen, lower-case, collapse runs of
    spaces/hyphens to one hyphen, strip leading/trailing hyphens and underscores.
    """
    value = unicodedata.normalize("NFKC", value)
    value = re.sub(r"[^\w\s-]", "", value.lower())
    return re.sub(r"[-\s]+", "-", value).strip("-_")


def slugify_ascii(value: str) -> str:
    """Django's ``slugify(value)``: ASCII only (accents folded, other letters dropped)."""
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    return slugify_unicode(value)


def _unique(slug: str, taken: set[str], fallback: str) -> str:
    """Return `slug` (or `fallback` when empty), cut to SLUG_LENGTH, with -2, -3 … until unused."""
    base = (slug or fallback)[:SLUG_LENGTH].strip("-") or fallback
    candidate, n = base, 2
    while candidate in taken:
        suffix = f"-{n}"
        candidate = base[: SLUG_LENGTH - len(suffix)].strip("-") + suffix
        n += 1
    taken.add(candidate)
    return candidate


def auto_section_slug(title: str) -> str:
    """Return the slug a page gets from its heading, before de-duplication.

    The author's template pages get the English names quizzes use ('세션 정보' → 'overview', '왜 필요한가?'
    → 'why', '함께 생각해보기' → 'discussion', '핵심 키워드' → 'keywords', '세션 마무리' → 'wrap-up');
    '개념 N…' → 'concept-N'; anything else is slugify_unicode of the words (emoji and time box dropped,
    Korean kept).
    """
    key = _squash(title)
    if key in KNOWN_SLUGS:
        return KNOWN_SLUGS[key]
    concept = CONCEPT.match(plain_words(title))
    if concept:
        return f"concept-{concept.group(1)}"
    return slugify_unicode(plain_words(title))


def is_glossary_title(title: str) -> bool:
    """True for the page that lists key words: '🔑 핵심 키워드' and its variants (emoji/spaces ignored)."""
    key = _squash(title)
    return any(key == name or key.endswith(name) for name in GLOSSARY_TITLES)


@dataclass(frozen=True)
class Heading:
    line: int  # 0-based line index in the source
    level: int
    text: str

    @property
    def minutes(self) -> int:
        """Return the minutes the heading's time box states, e.g. 12 for '개념 1 (12분)', else 0."""
        box = parse_time_box(self.text)
        return box.minutes if box else 0

    @property
    def title(self) -> str:
        """Return the heading without its time box."""
        return strip_time_box(self.text)


class Fence(NamedTuple):
    """A fenced code block; a tuple (start, end, language) as course.rendering unpacks it."""

    start: int  # 0-based line of the opening fence
    end: int  # 0-based line of the closing fence
    language: str  # the info string's first word, lower-cased


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
    line: int = 0  # 1-based line of the opening fence in the lesson file


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
    """One page: `markdown` is its slice of the source; `minutes` its time box (0 when it has none)."""

    order: int
    slug: str
    title: str
    group: str
    minutes: int
    markdown: str
    timed_parts: list[ParsedTimedPart] = field(default_factory=list)
    heading: str = ""  # the heading that names the page, as written
    line: int = 0  # 1-based line where the page starts
    is_glossary: bool = False


@dataclass
class ParsedLesson:
    slug: str
    title: str
    title_markdown: str
    source: str
    sections: list[ParsedSection]
    diagrams: list[ParsedDiagram]
    glossary: list[ParsedTerm]
    week: int | None = None
    day: int | None = None
    session: int | None = None
    stated_minutes: int | None = None  # the length the 세션 정보 states, e.g. 50
    warnings: list[str] = field(default_factory=list)

    @property
    def total_minutes(self) -> int:
        return sum(s.minutes for s in self.sections)

    @property
    def agenda(self) -> str:
        """Return the timed pages' minutes as a sum, e.g. '5+12+12+11+10=50' ('0' when none)."""
        timed = [str(s.minutes) for s in self.sections if s.minutes]
        return f"{'+'.join(timed)}={self.total_minutes}" if timed else "0"


def scan(lines: list[str]) -> tuple[list[Heading], list[Fence]]:
    """Return the ATX headings outside code fences and the fenced blocks, both in reading order.

    Raises LessonFormatError (with the opening line) for a fence that is never closed: CommonMark lets it
    run to the end of the file, which would swallow every heading after it.
    """
    headings: list[Heading] = []
    fences: list[Fence] = []
    open_fence: tuple[int, str, str] | None = None  # (start line, marker, language)
    for i, line in enumerate(lines):
        if open_fence is None:
            fence = FENCE.match(line)
            if fence and not (fence.group(2)[0] == "`" and "`" in line[fence.end(2) :]):
                open_fence = (i, fence.group(2), fence.group(3).lower())
                continue
            heading = HEADING.match(line)
            if heading:
                headings.append(Heading(i, len(heading.group(1)), (heading.group(2) or "").strip()))
            continue
        marker = open_fence[1]
        stripped = line.strip()
        if stripped.startswith(marker) and stripped.strip(marker[0]) == "":
            fences.append(Fence(open_fence[0], i, open_fence[2]))
            open_fence = None
    if open_fence is not None:
        raise LessonFormatError("code fence is never closed", open_fence[0] + 1)
    return headings, fences


@dataclass
class _Page:
    start: int  # 0-based first line
    heading: Heading  # the heading that names the page
    group: str = ""
    group_line: int | None = None  # 0-based line of the group heading, for the pages of one group


def _names_a_page(heading: Heading) -> bool:
    """True for a `###` that is a page of its own even without a time box: 왜 필요한가?, 개념 N."""
    return KNOWN_SLUGS.get(_squash(heading.text)) == "why" or bool(CONCEPT.match(plain_words(heading.text)))


def _starts_page(heading: Heading) -> bool:
    """True for a `###` that starts a page inside an untimed `##` or a concept group."""
    return bool(heading.minutes) or _names_a_page(heading)


def _is_concept_group(top: Heading, children: list[Heading]) -> bool:
    """True when a `##` is a group of pages: the lesson's 핵심 개념, or its `###` are numbered '개념 N'."""
    return _squash(top.text) in GROUP_TITLES or any(CONCEPT.match(plain_words(h.text)) for h in children)


def _split(lines: list[str], headings: list[Heading], title: Heading) -> list[_Page]:
    """Return the pages in reading order, each starting at a line; see the module docstring."""
    tops = [h for h in headings if h.line > title.line and h.level <= 2]
    pages: list[_Page] = []
    for index, top in enumerate(tops):
        end = tops[index + 1].line if index + 1 < len(tops) else math.inf
        children = [h for h in headings if top.line < h.line < end and h.level == 3]
        starters = [h for h in children if _starts_page(h)]
        if starters and _is_concept_group(top, children):
            # The group heading (and any lead-in) opens the first concept's page.
            pages.append(_Page(top.line, starters[0], top.text, top.line))
            pages += [_Page(h.line, h, top.text, top.line) for h in starters[1:]]
            continue
        if top.minutes or not starters:
            pages.append(_Page(top.line, top))
            continue
        lead_in = [h for h in headings if top.line < h.line < starters[0].line]
        if not lead_in and not any(line.strip() for line in lines[top.line + 1 : starters[0].line]):
            # Only the heading above the first timed part: it opens that page and names the group.
            pages.append(_Page(top.line, starters[0], top.text, top.line))
            pages += [_Page(h.line, h, top.text, top.line) for h in starters[1:]]
        else:
            pages.append(_Page(top.line, top))
            pages += [_Page(h.line, h) for h in starters]
    # The opening page: plain untimed `##` pages before the first timed or `###` page are the overview.
    first = next((i for i, p in enumerate(pages) if p.heading.minutes or p.heading.level > 2), None)
    if first:
        pages = pages[:1] + pages[first:]
    return pages


def _place(text: str) -> tuple[int | None, int | None, int | None]:
    """Return (week, day, session) from 'Week 2 Day 4 Session 2', 'Week 2 - Day 4 - Session 2' or 'W2D4S2'."""
    found = TITLE_PLACE.search(text) or SHORT_PLACE.search(text)
    if not found:
        return None, None, None
    session = found.group("session")
    return int(found.group("week")), int(found.group("day")), int(session) if session else None


def place_from_path(path: str) -> tuple[int | None, int | None, int | None]:
    """Return (week, day, session) from a file path such as 'week_02/day4/session_2.md', else Nones."""
    week = re.search(r"week[_-]?(\d+)", path, re.IGNORECASE)
    day = re.search(r"day[_-]?(\d+)", path, re.IGNORECASE)
    session = re.search(r"session[_-]?(\d+)", path, re.IGNORECASE)
    return tuple(int(m.group(1)) if m else None for m in (week, day, session))  # type: ignore[return-value]


# '##📖 핵심 개념': GitHub needs a space (or the end of the line) after the #s, so this is a paragraph.
NOT_A_HEADING = re.compile(r"^ {0,3}#{2,6}[^\s#]")
# A line inside a code block that reads like one of the lesson's own headings (2 to 4 #s, then text).
HEADING_LIKE = re.compile(r"^#{2,4}\s+\S")
MARKDOWN_LANGUAGES = {"markdown", "md", "gfm"}


def authoring_slips(lines: list[str], fences: list[Fence]) -> list[str]:
    """Return warnings for slips that GitHub renders without complaint but that change the lesson's pages.

    - '##📖 제목' (no space after the #s) is a paragraph on GitHub, not a heading (CommonMark spec 4.2
      "ATX headings"), so the page it should start never appears;
    - a code block holding a line such as '## 📖 핵심 개념 (35분)' usually means a closing ``` is missing
      above it: everything up to the next fence became code, pages and diagrams with it. Markdown code
      blocks (```markdown) are exempt: showing headings is what they are for.
    `lines` is the lesson source split into lines; `fences` its fenced blocks (scan).
    """
    slips: list[str] = []
    inside = {i for f in fences for i in range(f.start, f.end + 1)}
    for i, line in enumerate(lines):
        if i not in inside and NOT_A_HEADING.match(line):
            slips.append(
                f"line {i + 1}: {line.strip()[:60]!r} is not a heading on GitHub: put a space after the #s"
            )
    for fence in fences:
        if fence.language in MARKDOWN_LANGUAGES:
            continue
        found = next((i for i in range(fence.start + 1, fence.end) if HEADING_LIKE.match(lines[i])), None)
        if found is not None:
            slips.append(
                f"line {found + 1}: the code block opened on line {fence.start + 1} holds "
                f"{lines[found].strip()[:60]!r}, which reads like a heading: is a closing ``` missing above it?"
            )
    return slips


def _stated_minutes(lines: list[str], pages: list[_Page], ends: list[int]) -> int | None:
    """Return the lesson length its information page states ('**시간**: 10:00-10:50 (50분)' → 50).

    Read from the first line of the '… 정보' page that mentions 시간/time: its time box, else a bare
    '50분'; a clock range alone ('11:00-11:50') states no length (it may include a break): None.
    """
    for page, end in zip(pages, ends, strict=True):
        if not _squash(page.heading.text).endswith("정보"):
            continue
        for line in lines[page.start + 1 : end]:
            if not STATED_LENGTH_LINE.search(line):
                continue
            box = parse_time_box(line)
            if box:
                return box.minutes
            bare = BARE_LENGTH.search(CLOCK_RANGE.sub("", line))
            if bare:
                return math.ceil(float(bare.group(1)) * _UNITS[bare.group(2)])
    return None


def parse_glossary(
    section_markdown: str,
    slugs: dict[str, str],
    taken: set[str] | None = None,
    first_order: int = 1,
    first_line: int = 1,
) -> list[ParsedTerm]:
    """Return the key-word items of a glossary page, each under the ### category it is listed in.

    Items: '- **용어(English)**: 정의', '- **용어 (English)**: 정의', '- **용어**: 정의', '- **용어:** 정의',
    '- **용어** - 정의' (full-width ':' and parentheses too). Slug: `slugs[term]` when the outline names
    one, else the English name slugified, else slugify_unicode(term), else 'term-N'; de-duplicated
    against `taken` (updated in place). `first_line` is the page's 1-based line in the file, for errors:
    LessonFormatError when a term, English name or category is longer than 100 characters or a
    definition longer than 300 (the database's limits).
    """
    taken = set() if taken is None else taken
    terms: list[ParsedTerm] = []
    category = ""
    in_fence = False
    for number, line in enumerate(section_markdown.splitlines(), first_line):
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        heading = HEADING.match(line)
        if heading and len(heading.group(1)) >= 3:
            category = (heading.group(2) or "").strip()
            continue
        item = GLOSSARY_ITEM.match(line)
        if not item:
            continue
        inner = (item.group("inner") or item.group("inner2")).strip()
        definition = (item.group("definition") or item.group("definition2")).strip()
        named = TERM_WITH_ENGLISH.match(inner)
        term, english = (
            (named.group("term").strip(), named.group("english").strip()) if named else (inner, "")
        )
        order = first_order + len(terms)
        wanted = slugs.get(term) or slugify_ascii(english) or slugify_unicode(term)
        slug = slugs[term] if term in slugs and slugs[term] not in taken else None
        slug = slug or _unique(wanted, taken, f"term-{order}")
        taken.add(slug)
        for what, value, limit in (
            ("term", term, TERM_LENGTH),
            ("English name", english, TERM_LENGTH),
            ("category heading", category, TERM_LENGTH),
            ("definition", definition, DEFINITION_LENGTH),
        ):
            if len(value) > limit:
                raise LessonFormatError(f"the glossary {what} is longer than {limit} characters", number)
        terms.append(ParsedTerm(order, slug, term, english, definition, category))
    return terms


def check_outline(outline: dict) -> None:
    """Raise LessonFormatError unless `outline` has the documented shape (docs/adding-a-lesson.md).

    {"slug": str (optional), "sections": [{"slug": str, "heading": str}, …] (optional),
    "glossary_slugs": {term: slug} (optional)}; other keys (an older outline's "source",
    "glossary_heading") are ignored. Slugs: letters (Korean too), digits, '-' and '_', at most 50.
    """
    if not isinstance(outline, dict):
        raise LessonFormatError("the outline must be a JSON object")
    slug_shape = re.compile(r"[-\w]+")

    def check_slug(value: object, where: str) -> None:
        if not isinstance(value, str) or not slug_shape.fullmatch(value) or len(value) > SLUG_LENGTH:
            raise LessonFormatError(
                f"outline {where}: {value!r} is not a slug (letters, digits, '-', '_'; ≤ 50)"
            )

    if "slug" in outline:
        check_slug(outline["slug"], '"slug"')
    sections = outline.get("sections", [])
    if not isinstance(sections, list):
        raise LessonFormatError('outline "sections" must be a list of {"slug": …, "heading": …}')
    for n, spec in enumerate(sections, 1):
        if not isinstance(spec, dict) or not isinstance(spec.get("heading"), str):
            raise LessonFormatError(f'outline "sections" item {n} needs "slug" and "heading" strings')
        check_slug(spec.get("slug"), f'"sections" item {n}')
    terms = outline.get("glossary_slugs", {})
    if not isinstance(terms, dict):
        raise LessonFormatError('outline "glossary_slugs" must be an object {term: slug}')
    for term, term_slug in terms.items():
        check_slug(term_slug, f'"glossary_slugs" {term!r}')


def parse_lesson(source: str, outline: dict | None = None, *, slug: str = "") -> ParsedLesson:
    """Split `source` into pages (see the module docstring); `outline` only renames.

    `outline` (optional, the JSON of '<lesson>.outline.json'): {"slug": str, "sections": [{"slug", "heading"}],
    "glossary_slugs": {term: slug}}. Each "heading" must be the heading, as written, that names one of the
    pages the automatic split makes (in order; repeated headings match in turn). `slug` is the lesson slug
    (the outline's "slug" wins). Raises LessonFormatError with a line number when the text cannot be read.
    """
    outline = outline or {}
    check_outline(outline)
    lines = source.splitlines()
    headings, fences = scan(lines)
    title = next((h for h in headings if h.level == 1), None)
    if title is None:
        raise LessonFormatError("the lesson has no '# Week N Day N Session N: 주제' title heading")
    if not title.text:
        raise LessonFormatError("the title heading is empty", title.line + 1)
    for heading in headings:
        if len(heading.text) > TITLE_LENGTH:
            raise LessonFormatError(f"the heading is longer than {TITLE_LENGTH} characters", heading.line + 1)
    pages = _split(lines, headings, title)
    if not pages:
        raise LessonFormatError(
            "the lesson has no '##' headings after its title: each '##' starts a page", title.line + 1
        )
    ends = [p.start for p in pages[1:]] + [len(lines)]
    warnings: list[str] = []

    # Slugs: the outline's first (matched in order by heading text), then automatic ones, all unique.
    wanted: list[str | None] = [None] * len(pages)
    cursor = 0
    for spec in outline.get("sections", []):
        for i in range(cursor, len(pages)):
            if pages[i].heading.text == spec["heading"]:
                wanted[i], cursor = spec["slug"], i + 1
                break
        else:
            names = ", ".join(repr(p.heading.text) for p in pages)
            raise LessonFormatError(
                f"the outline names {spec['heading']!r}, which is not a page heading (in order) of this lesson; "
                f"its pages are: {names}"
            )
    taken: set[str] = {s for s in wanted if s}
    if len(taken) != len([s for s in wanted if s]):
        raise LessonFormatError("the outline gives two pages the same slug")
    slugs = [
        w or _unique(auto_section_slug(p.heading.text), taken, f"page-{i + 1}")
        for i, (p, w) in enumerate(zip(pages, wanted, strict=True))
    ]

    sections: list[ParsedSection] = []
    for order, (page, end, section_slug) in enumerate(zip(pages, ends, slugs, strict=True), 1):
        inner = [h for h in headings if page.start <= h.line < end and h is not page.heading and h.level >= 2]
        parts = [ParsedTimedPart(h.title, h.minutes, h.text) for h in inner if h.minutes and h.level > 2]
        sections.append(
            ParsedSection(
                order=order,
                slug=section_slug,
                title=page.heading.title,
                group=page.group,
                minutes=page.heading.minutes,
                markdown="\n".join(lines[page.start : end]).strip("\n") + "\n",
                timed_parts=parts,
                heading=page.heading.text,
                line=page.start + 1,
                is_glossary=is_glossary_title(page.heading.text) and page.heading.level == 2,
            )
        )
    for group_line in sorted({p.group_line for p in pages if p.group_line is not None}):
        group_heading = next(h for h in headings if h.line == group_line)
        total = sum(p.heading.minutes for p in pages if p.group_line == group_line)
        if group_heading.minutes and total != group_heading.minutes:
            warnings.append(
                f"line {group_line + 1}: {group_heading.text!r} states {group_heading.minutes} minutes, "
                f"its pages add up to {total}"
            )

    diagrams: list[ParsedDiagram] = []
    for fence in fences:
        if fence.language != "mermaid":
            continue
        owner = next(
            (s for s, p, e in zip(sections, pages, ends, strict=True) if p.start <= fence.start < e), None
        )
        if owner is None:
            warnings.append(
                f"line {fence.start + 1}: a diagram above the first '##' is not one of the lesson's numbered diagrams"
            )
            continue
        above = [h for h in headings if h.line < fence.start]
        diagrams.append(
            ParsedDiagram(
                len(diagrams) + 1,
                owner.slug,
                above[-1].title if above else owner.title,
                "\n".join(lines[fence.start + 1 : fence.end]),
                fence.start + 1,
            )
        )

    glossary: list[ParsedTerm] = []
    term_slugs: set[str] = set()
    for section in sections:
        if section.is_glossary:
            glossary += parse_glossary(
                section.markdown,
                outline.get("glossary_slugs", {}),
                term_slugs,
                len(glossary) + 1,
                section.line,
            )
    if any(s.is_glossary for s in sections) and not glossary:
        warnings.append("the key-word page lists no '- **용어(English)**: 정의' items")

    week, day, session = _place(title.text)
    stated = _stated_minutes(lines, pages, ends)
    total = sum(s.minutes for s in sections)
    if not total:
        warnings.append("no time boxes: no heading states its minutes, e.g. '(10분)'")
    elif stated is not None and stated != total:
        untimed = [s for s in sections if not s.minutes and s.order > 1 and not s.is_glossary]
        hint = (
            "; pages without a time box: " + ", ".join(f"line {s.line} {s.heading!r}" for s in untimed)
            if untimed
            else ""
        )
        warnings.append(f"minutes add up to {total}, not {stated} as the lesson states{hint}")
    warnings += authoring_slips(lines, fences)

    before_title = [line for line in lines[: title.line] if line.strip()]
    title_block = (
        lines[: title.line] + lines[title.line + 1 : pages[0].start]
        if before_title
        else lines[title.line + 1 : pages[0].start]
    )
    return ParsedLesson(
        slug=outline.get("slug") or slug,
        title=title.text,
        title_markdown="\n".join(title_block).strip() + "\n",
        source=source,
        sections=sections,
        diagrams=diagrams,
        glossary=glossary,
        week=week,
        day=day,
        session=session,
        stated_minutes=stated,
        warnings=warnings,
    )


def lesson_slug_for(path: Path, source: str = "") -> str:
    """Return the lesson slug for a file: its place in the course, else its file name.

    The place comes from the title ('# Week 2 Day 4 Session 2: …'), else from the path
    ('week2/day4/session_2.md'): 'week2-day4-session2'. Authors who keep a course in folders name every
    file 'session_N.md', so the file name alone would give two lessons the same address. Without a full
    place the file name gives the slug: 'docker-basics.md' → 'docker-basics'. ASCII only (lesson addresses
    use Django's <slug:> converter); '' when neither gives ASCII letters.
    """
    title = next((line for line in source.splitlines() if line.startswith("# ")), "")
    week, day, session = _place(title)
    if None in (week, day, session):
        week, day, session = place_from_path(path.as_posix())
    if None not in (week, day, session):
        return f"week{week}-day{day}-session{session}"
    return slugify_ascii(path.stem.removesuffix(".outline"))[:SLUG_LENGTH].strip("-")


def outline_path_for(path: Path) -> Path:
    """Return where a lesson's optional outline override lives: beside it, '<stem>.outline.json'."""
    return path.with_name(f"{path.stem}.outline.json")


def read_lesson_file(path: Path, *, slug: str = "") -> ParsedLesson:
    """Read and parse one lesson file with its outline override if one is beside it.

    Raises OSError (unreadable), UnicodeDecodeError (not UTF-8) and LessonFormatError (bad text, bad
    outline JSON, no usable slug).
    """
    source = path.read_text(encoding="utf-8")
    outline: dict = {}
    outline_file = outline_path_for(path)
    if outline_file.exists():
        try:
            outline = json.loads(outline_file.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise LessonFormatError(
                f"{outline_file.name} line {exc.lineno}: not valid JSON: {exc.msg}"
            ) from exc
        try:
            check_outline(outline)
        except LessonFormatError as exc:
            raise LessonFormatError(f"{outline_file.name}: {exc.message}") from exc
    chosen = slug or outline.get("slug") or lesson_slug_for(path, source)
    if not chosen:
        raise LessonFormatError(
            f"cannot make a lesson slug from the file name {path.name!r} (ASCII letters, digits, '-' only); "
            "give one with --slug"
        )
    if not re.fullmatch(r"[-a-zA-Z0-9_]+", chosen) or len(chosen) > SLUG_LENGTH:
        raise LessonFormatError(
            f"the lesson slug {chosen!r} is its web address: ASCII letters, digits, '-' and '_' only, at most 50"
        )
    if slug:
        outline = {**outline, "slug": slug}
    return parse_lesson(source, outline, slug=chosen)


def read_outline(path: Path) -> tuple[str, dict]:
    """Return (the Markdown source, the outline) for an outline file next to its lesson (older callers)."""
    outline = json.loads(path.read_text(encoding="utf-8"))
    source_name = outline.get("source") or path.name.replace(".outline.json", ".md")
    source = (path.parent / source_name).read_text(encoding="utf-8")
    return source, outline
