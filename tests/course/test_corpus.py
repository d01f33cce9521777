"""The test corpus (tests/corpus): its files agree with expected.json, and importing them yields those facts.

The import tests run `import_lesson <file.md>` / `import_lesson <dir>`; they skip (with the reason) only
while the importer still needs an outline file. Counting rules: tests/corpus/README.md.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from tests.corpus.corpus import LESSONS_DIR, expected, lesson_files, mermaid_blocks
from tests.corpus.importing import find_lesson, import_lesson

LESSONS = expected()
IDS = [facts["slug"] for facts in LESSONS]

TIME_BOX = re.compile(r"\((\d+)\s*분")
HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
GLOSSARY_ITEM = re.compile(r"^- \*\*(?P<term>[^*(]+?)(?:\((?P<english>[^)]+)\))?\*\*\s*:\s*\S")
LITERAL_MARKER = re.compile(r"^\s*(?:[-*+] |\d+[.)] |\|)", re.MULTILINE)


def source_of(facts: dict) -> str:
    return (LESSONS_DIR / facts["file"]).read_text(encoding="utf-8")


def headings(source: str) -> list[tuple[int, str]]:
    """Return (level, text) of the headings outside code fences."""
    found, fenced = [], False
    for line in source.splitlines():
        if line.startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and (m := HEADING.match(line)):
            found.append((len(m.group(1)), m.group(2)))
    return found


def glossary_items(source: str) -> list[list[str]]:
    """Return [term, english] of each '- **용어(English)**: 정의' line under '## 🔑 핵심 키워드'."""
    items, inside = [], False
    for line in source.splitlines():
        if line.startswith("## "):
            inside = line.startswith("## 🔑 핵심 키워드")
        elif inside and (m := GLOSSARY_ITEM.match(line)):
            items.append([m.group("term").strip(), (m.group("english") or "").strip()])
    return items


def test_expected_json_lists_every_corpus_lesson():
    """Each lesson file has one entry in expected.json and each entry names an existing file."""
    assert sorted(f["file"] for f in LESSONS) == [p.name for p in lesson_files()]
    assert len(LESSONS) >= 5


@pytest.mark.parametrize("facts", LESSONS, ids=IDS)
def test_expected_facts_agree_with_the_lesson_text(facts):
    """Diagram types, glossary items, title and time boxes stated in expected.json are the file's own."""
    source = source_of(facts)
    assert source.splitlines()[0] == f"# {facts['title']}"
    week, day, session = re.match(r"Week (\d+) Day (\d+) Session (\d+):", facts["title"]).groups()
    assert (int(week), int(day), int(session)) == (facts["week"], facts["day"], facts["session"])
    assert [b.kind for b in mermaid_blocks(LESSONS_DIR / facts["file"])] == facts["diagram_types"]
    assert sum(p["diagrams"] for p in facts["pages"]) == len(facts["diagram_types"])
    assert glossary_items(source) == facts["glossary"]
    # Every time box in a heading is a page's, a timed part's or a group's (the sum of its pages).
    boxed = Counter(int(m.group(1)) for _, text in headings(source) if (m := TIME_BOX.search(text)))
    stated = Counter(p["minutes"] for p in facts["pages"] if p["minutes"])
    stated += Counter(t["minutes"] for p in facts["pages"] for t in p["timed_parts"])
    groups = Counter()
    for p in facts["pages"]:
        if p["group"]:
            groups[p["group"]] += p["minutes"]
    stated += Counter(m for m in groups.values() if m)
    assert boxed == stated
    assert sum(p["minutes"] for p in facts["pages"]) == facts["total_minutes"]
    for page in facts["pages"]:
        if page["timed_parts"]:
            assert sum(t["minutes"] for t in page["timed_parts"]) == page["minutes"], page["title"]
    line = next(line for line in source.splitlines() if line.startswith("**시간**:"))
    minutes = re.search(r"(\d+)분", line)
    assert (int(minutes.group(1)) if minutes else None) == facts["stated_minutes"]


# --- Once imported ---------------------------------------------------------------------------------


@pytest.fixture
def imported(db):
    """Import every corpus lesson one file at a time; return {slug: Lesson}."""
    for facts in LESSONS:
        import_lesson(LESSONS_DIR / facts["file"])
    return {facts["slug"]: find_lesson(facts) for facts in LESSONS}


def _prefix_matches(actual: str, wanted: str) -> bool:
    return actual == wanted if not wanted else actual.startswith(wanted)


@pytest.mark.parametrize("facts", LESSONS, ids=IDS)
def test_an_imported_lesson_has_its_pages_minutes_and_timed_parts(imported, facts):
    """Pages in order with their titles, groups and minutes; timed parts; the total the author intends."""
    lesson = imported[facts["slug"]]
    assert lesson.title == facts["title"]
    assert (lesson.week, lesson.day, lesson.session) == (facts["week"], facts["day"], facts["session"])
    sections = list(lesson.sections.order_by("order"))
    got = [(s.title, s.minutes) for s in sections]
    assert len(sections) == len(facts["pages"]), got
    for section, page in zip(sections, facts["pages"], strict=True):
        assert section.title.startswith(page["title"]), got
        assert section.minutes == page["minutes"], got
        assert _prefix_matches(section.group, page["group"]), (section.title, section.group)
        parts = [(p.title, p.minutes) for p in section.timed_parts.order_by("order")]
        assert len(parts) == len(page["timed_parts"]), (section.title, parts)
        for (title, minutes), want in zip(parts, page["timed_parts"], strict=True):
            assert title.startswith(want["title"]) and minutes == want["minutes"], (section.title, parts)
    assert lesson.total_minutes == facts["total_minutes"]


@pytest.mark.parametrize("facts", LESSONS, ids=IDS)
def test_an_imported_lesson_has_its_diagrams_and_glossary(imported, facts):
    """Every mermaid fence is a numbered diagram on its page; every glossary line a term, in order."""
    lesson = imported[facts["slug"]]
    sources = [b.source for b in mermaid_blocks(LESSONS_DIR / facts["file"])]
    diagrams = list(lesson.diagrams.order_by("number"))
    assert [d.number for d in diagrams] == list(range(1, len(sources) + 1))
    assert [d.source.strip() for d in diagrams] == [s.strip() for s in sources]
    per_page = [s.diagrams.count() for s in lesson.sections.order_by("order")]
    assert per_page == [p["diagrams"] for p in facts["pages"]]
    figures = sum(s.body_html.count('<figure class="diagram"') for s in lesson.sections.all())
    assert figures == len(sources)
    assert [[t.term, t.english] for t in lesson.glossary.order_by("order")] == facts["glossary"]


@pytest.mark.parametrize("facts", LESSONS, ids=IDS)
def test_an_imported_lesson_renders_lists_tables_and_links_as_github_does(imported, facts):
    """Lists and tables right after a line of text are lists and tables; task items, strikethrough and
    bare URLs become checkboxes, <del> and links; no list or table marker is left as paragraph text."""
    lesson = imported[facts["slug"]]
    html = lesson.title_html + "".join(s.body_html for s in lesson.sections.order_by("order"))
    html = re.sub(r"<figure.*?</figure>", "", html, flags=re.DOTALL)
    assert html.count("<table") == facts["tables"]
    assert len(re.findall(r"<(?:ul|ol)[\s>]", html)) == facts["lists"]
    assert len(re.findall(r'<input[^>]*type="checkbox"', html)) == facts["task_items"]
    assert len(re.findall(r"<(?:del|s)>", html)) == facts["strikethrough"]
    for url in facts["autolinks"]:
        assert f'href="{url}"' in html, url
    # Code blocks keep the contract `div.codehilite > pre > code`; data-lang is the fence's first word.
    blocks = re.findall(r'<div class="codehilite"(?: data-lang="([^"]*)")?>', html)
    assert len(blocks) == sum(facts["code_blocks"].values())
    assert Counter(lang for lang in blocks if lang) == Counter(
        {lang: n for lang, n in facts["code_blocks"].items() if lang}
    )
    paragraphs = re.findall(r"<p[\s>].*?</p>", html, flags=re.DOTALL)
    literal = [p for p in paragraphs if LITERAL_MARKER.search(re.sub(r"<[^>]+>", "", p))]
    assert literal == []


def test_importing_the_same_file_twice_changes_nothing(imported):
    """A second import of a corpus lesson leaves the same pages, diagrams and terms."""
    facts = LESSONS[0]
    lesson = imported[facts["slug"]]
    before = (list(lesson.sections.values_list("pk", "title", "minutes")), lesson.diagrams.count())
    import_lesson(LESSONS_DIR / facts["file"])
    lesson.refresh_from_db()
    assert (list(lesson.sections.values_list("pk", "title", "minutes")), lesson.diagrams.count()) == before


def test_import_lesson_takes_a_directory_of_lessons(db):
    """`import_lesson <dir>` imports every lesson file in it."""
    from course.models import Lesson

    import_lesson(LESSONS_DIR)
    for facts in LESSONS:
        assert find_lesson(facts).sections.count() == len(facts["pages"])
    assert Lesson.objects.count() >= len(LESSONS)
