"""The pair discussion of a lesson, read from the author's own text: its prompts and, for a "choose K of the
M things" prompt, the M things to pick from.

The author writes (course/content/week2-day4-session2.md, tests/corpus/lessons/*.md):

    ## 💭 함께 생각해보기 (10분)
    ### 🤝 페어 토론 (5분)
    **토론 주제**:
    1. **기능 우선순위**: "8가지 기능 중 가장 중요하다고 생각하는 3가지는?"
    2. "로그 수집기를 같은 Pod에 넣을까, 다른 Pod로 뺄까?"
    - 실습에서 본 이벤트 순서를 개념 1의 흐름도와 맞춰 보기

Rules (`lesson_discussion`):

- Where: the sections whose heading contains `함께 생각해보기`; when none of them holds prompts, every section
  with a `페어 토론` heading, in reading order (a lesson may run a short pair discussion inside 핵심 개념 and
  another after the practice: a class's pair sheet holds both).
- What: the ordered or unordered list following a `토론 주제` line (bold optional; GFM lets the list start on
  the next line without a blank line, GFM spec §5.2/§5.3). Items keep their order; at most MAX_PROMPTS.
- An item `**라벨**: 질문` has a label; a question in straight or curly quotes is taken without them, and text
  after the closing quote (`→ 다음 세션 예고`) is kept as the prompt's note. Inline Markdown (`**`, backticks)
  is dropped: prompts are shown as plain text, as written.
- A picker: a question asking to choose K of M things (`8가지 기능 중 … 3가지`, K < M) whose lesson has one
  section with exactly M numbered headings `#### [emoji] N. 이름 (English)` numbered 1…M gets those M as
  choices and a pick limit of K. Only the first such prompt is a picker; the others are free text.
- A lesson without prompts gets one free-text prompt, 토론 메모 (`Discussion.authored` False): the instructor
  may still pair students (pairing is theirs to start), and a paired student expects a place to write with
  their partner rather than an empty card; the share board then works as for any lesson.

Keys (stable across imports; stored pair documents, exports and tests use them):

- A prompt's answer is keyed by its number ("1"…"5") in `Pair.answers`.
- Its root in the pair's Yjs document (course.classroom.pair_doc) is `features` for the picker, and
  `prompt-N` for a text prompt, except prompts 2 and 3, which keep the names `practice` and `automation` they
  had when the discussion was written for the first lesson only (TEXT_ROOT_ALIASES). That alias keeps every
  stored document and every browser's unsent edit (localStorage) loading unchanged, with no rewrite of Yjs
  histories — a rewritten document would have new item ids, and a browser holding the old one would send its
  old history back.
- A choice's key is its English name as a slug (`Load Balancing` → `load-balancing`), so it survives the
  author reordering the list; CHOICE_KEY_ALIASES maps the three English names of the first lesson whose slugs
  differ from the keys stored before choices came from the lesson. A choice without an English name is
  `item-N` (its number in the list).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_PROMPTS = 5
DISCUSSION_HEADING = "함께 생각해보기"
PAIR_HEADING = "페어 토론"
TOPIC_LABEL = "토론 주제"
FREE_PROMPT = "토론 메모"  # gettext_noop'd in the template and translated in locale/en/translations.json
PICK_ROOT = "features"
TEXT_ROOT_ALIASES = {2: "practice", 3: "automation"}
CHOICE_KEY_ALIASES = {
    "service-discovery": "discovery",
    "secret-management": "secrets",
    "storage-management": "storage",
}

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_ITEM = re.compile(r"^ {0,3}(?:\d{1,9}[.)]|[-*+])\s+(.*)$")
_TOPIC = re.compile(r"^ {0,3}(?:\*\*|__)?\s*" + TOPIC_LABEL + r"\s*(?:\*\*|__)?\s*:?\s*(?:\*\*|__)?\s*:?\s*$")
_LABELLED = re.compile(r"^(?:\*\*|__)(.+?)(?:\*\*|__)\s*:\s*(.*)$|^(?:\*\*|__)(.+?):(?:\*\*|__)\s*(.*)$")
_QUOTED = re.compile(r'^(?:"([^"]+)"|“([^”]+)”)\s*(.*)$')
_CHOOSE = re.compile(r"(\d+)\s*(?:가지|개)\D*?중\D*?(\d+)\s*(?:가지|개)")
_NUMBERED = re.compile(r"^ {0,3}####\s+(?:[^\w\s]+\s+)?(\d+)\.\s+(.+?)\s*$")
_ENGLISH = re.compile(r"^(.*?)\s*\(([^()]*[A-Za-z][^()]*)\)$")


@dataclass(frozen=True)
class Choice:
    """One thing a picker offers: `key` stored in the pair document, `label` (Korean, as written), `en`."""

    key: str
    label: str
    en: str = ""


@dataclass(frozen=True)
class Prompt:
    """One discussion prompt: `number` 1…MAX_PROMPTS, `label` ("" when none), `question` (plain text),
    `note` (text after the quoted question, "" when none), `section` (slug of the section it is in),
    `pick` (how many to choose; 0 for free text) and `choices` (the picker's things)."""

    number: int
    question: str
    label: str = ""
    note: str = ""
    section: str = ""
    pick: int = 0
    choices: tuple[Choice, ...] = ()

    @property
    def key(self) -> str:
        return str(self.number)

    @property
    def kind(self) -> str:
        return "pick" if self.pick else "text"

    @property
    def root(self) -> str:
        if self.pick:
            return PICK_ROOT
        return TEXT_ROOT_ALIASES.get(self.number, f"prompt-{self.number}")

    def as_dict(self) -> dict:
        """Return the prompt as frames carry it (see state.py)."""
        return {
            "key": self.key,
            "number": self.number,
            "label": self.label,
            "question": self.question,
            "note": self.note,
            "section": self.section,
            "kind": self.kind,
            "root": self.root,
            "pick": self.pick,
            "choices": [{"key": c.key, "label": c.label, "en": c.en} for c in self.choices],
        }


@dataclass(frozen=True)
class Discussion:
    """A lesson's pair discussion: its prompts in order; `authored` False for the 토론 메모 fallback."""

    prompts: tuple[Prompt, ...]
    authored: bool = True

    @property
    def picker(self) -> Prompt | None:
        return next((p for p in self.prompts if p.pick), None)

    @property
    def text_prompts(self) -> tuple[Prompt, ...]:
        return tuple(p for p in self.prompts if not p.pick)

    @property
    def roots(self) -> dict[str, Prompt]:
        return {p.root: p for p in self.prompts}

    def as_list(self) -> list[dict]:
        return [p.as_dict() for p in self.prompts]


FREE_DISCUSSION = Discussion((Prompt(number=1, question=FREE_PROMPT),), authored=False)


def plain(text: str) -> str:
    """Return inline Markdown as plain text: emphasis markers and code backticks dropped, spaces squeezed."""
    text = re.sub(r"(`+)(.+?)\1", r"\2", text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    return " ".join(text.split())


def _outside_fences(markdown: str) -> list[str | None]:
    """Return the lines of `markdown`, None for lines inside fenced code (CommonMark §4.5)."""
    out: list[str | None] = []
    fence = ""
    for line in markdown.splitlines():
        found = _FENCE.match(line)
        if fence:
            out.append(None)
            closes = found and found.group(1)[0] == fence[0] and len(found.group(1)) >= len(fence)
            if closes and not line.strip().lstrip(fence[0]):
                fence = ""
            continue
        if found:
            fence = found.group(1)
            out.append(None)
            continue
        out.append(line)
    return out


def parse_item(text: str) -> tuple[str, str, str]:
    """Return (label, question, note) of one list item's text (see the module rules)."""
    label = ""
    text = text.strip()
    found = _LABELLED.match(text)
    if found:
        label = plain(found.group(1) or found.group(3) or "")
        text = (found.group(2) if found.group(1) is not None else found.group(4)) or ""
    note = ""
    quoted = _QUOTED.match(text.strip())
    if quoted:
        text = quoted.group(1) or quoted.group(2) or ""
        note = plain(quoted.group(3))
    return label, plain(text), note


def topic_items(markdown: str) -> list[tuple[str, str, str]]:
    """Return (label, question, note) for every item of every list following a `토론 주제` line of
    `markdown`, in order (items without a question are skipped)."""
    lines = _outside_fences(markdown)
    items: list[tuple[str, str, str]] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if line is None or not _TOPIC.match(line):
            continue
        # The list may follow directly or after blank lines; it ends at the first line that is neither an
        # item, an indented continuation / nested item (ignored) nor a blank line followed by more items.
        started = False
        while i < len(lines):
            line = lines[i]
            if line is None:
                break
            if not line.strip():
                if started and not (i + 1 < len(lines) and lines[i + 1] and _ITEM.match(lines[i + 1])):
                    break
                i += 1
                continue
            found = _ITEM.match(line)
            if found and len(line) - len(line.lstrip()) < 2:
                started = True
                label, question, note = parse_item(found.group(1))
                if question:
                    items.append((label, question, note))
            elif not (started and line.startswith((" ", "\t"))):
                break
            i += 1
    return items


def _first_heading(markdown: str) -> str:
    for line in _outside_fences(markdown):
        found = _HEADING.match(line) if line is not None else None
        if found:
            return found.group(2)
    return ""


def _has_pair_heading(markdown: str) -> bool:
    return any(
        line is not None and (found := _HEADING.match(line)) and PAIR_HEADING in found.group(2)
        for line in _outside_fences(markdown)
    )


def choice_key(english: str, number: int) -> str:
    """Return the stored key of a choice: its English name as a slug (aliased), else `item-N`."""
    slug = re.sub(r"[^a-z0-9]+", "-", english.lower()).strip("-")
    if not slug:
        return f"item-{number}"
    return CHOICE_KEY_ALIASES.get(slug, slug)


def numbered_choices(markdown: str) -> list[Choice]:
    """Return the `#### [emoji] N. 이름 (English)` headings of one section as choices, when they are
    numbered 1, 2, … in order (else [])."""
    found = [m for line in _outside_fences(markdown) if line is not None and (m := _NUMBERED.match(line))]
    if not found or [int(m.group(1)) for m in found] != list(range(1, len(found) + 1)):
        return []
    choices: list[Choice] = []
    for m in found:
        name = plain(m.group(2))
        english = _ENGLISH.match(name)
        label, en = (english.group(1), english.group(2).strip()) if english else (name, "")
        key = choice_key(en, int(m.group(1)))
        if any(c.key == key for c in choices):
            key = f"item-{m.group(1)}"
        choices.append(Choice(key=key, label=label, en=en))
    return choices


def pick_of(question: str) -> tuple[int, int] | None:
    """Return (K, M) when `question` asks to choose K of M things (`8가지 … 중 … 3가지`), else None."""
    found = _CHOOSE.search(question)
    if not found:
        return None
    total, pick = int(found.group(1)), int(found.group(2))
    return (pick, total) if 0 < pick < total else None


def discussion_of(sections: list[tuple[str, str]]) -> Discussion:
    """Return the discussion of a lesson given its sections as (slug, body Markdown) in order.

    Pure: no database. See the module docstring for the rules.
    """
    where = [(slug, body) for slug, body in sections if DISCUSSION_HEADING in _first_heading(body)]
    found = [(slug, item) for slug, body in where for item in topic_items(body)]
    if not found:
        where = [(slug, body) for slug, body in sections if _has_pair_heading(body)]
        found = [(slug, item) for slug, body in where for item in topic_items(body)]
    if not found:
        return FREE_DISCUSSION
    lists = [choices for _, body in sections if (choices := numbered_choices(body))]
    prompts: list[Prompt] = []
    picker_taken = False
    for number, (slug, (label, question, note)) in enumerate(found[:MAX_PROMPTS], start=1):
        pick, choices = 0, ()
        wanted = None if picker_taken else pick_of(question)
        if wanted:
            matching = [c for c in lists if len(c) == wanted[1]]
            if len(matching) == 1:
                pick, choices, picker_taken = wanted[0], tuple(matching[0]), True
        prompts.append(
            Prompt(
                number=number,
                question=question,
                label=label,
                note=note,
                section=slug,
                pick=pick,
                choices=choices,
            )
        )
    return Discussion(tuple(prompts))


def lesson_discussion(lesson_id: int | None) -> Discussion:
    """Return the discussion of a stored lesson (its sections' Markdown); FREE_DISCUSSION for none."""
    from course.models import Section

    if lesson_id is None:
        return FREE_DISCUSSION
    rows = Section.objects.filter(lesson_id=lesson_id).order_by("order").values_list("slug", "body_markdown")
    return discussion_of(list(rows))


def split_source(source: str) -> list[tuple[str, str]]:
    """Return a whole lesson's Markdown as (`part-N`, text) parts, one per `##` heading (text before the first
    one is part 0), for reading a lesson's discussion from its source alone (tests, a lesson without
    sections). Headings inside fenced code do not split."""
    parts: list[list[str]] = [[]]
    for raw, line in zip(source.splitlines(), _outside_fences(source), strict=True):
        found = _HEADING.match(line) if line is not None else None
        if found and len(found.group(1)) == 2:
            parts.append([])
        parts[-1].append(raw)
    return [(f"part-{n}", "\n".join(lines)) for n, lines in enumerate(parts) if lines]


def source_discussion(source: str) -> Discussion:
    """Return the discussion of a lesson's whole Markdown source (see `split_source`)."""
    return discussion_of(split_source(source))
