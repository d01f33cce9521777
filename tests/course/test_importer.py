"""Splitting the instructor's Markdown into sections, minutes, diagrams and glossary terms."""

from pathlib import Path

import pytest
from django.core.management import call_command

from course.importer import LessonFormatError, parse_lesson, read_outline
from course.models import Diagram, GlossaryTerm, Lesson, Section, TimedPart

OUTLINE = Path(__file__).resolve().parents[2] / "course" / "content" / "week2-day4-session2.outline.json"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "lesson" / "week2-day4-session2.md"


@pytest.fixture
def parsed():
    source, outline = read_outline(OUTLINE)
    return parse_lesson(source, outline)


def test_the_content_is_the_instructors_text_unchanged():
    """The project's copy of the lesson is byte-for-byte the instructor's file."""
    source, _ = read_outline(OUTLINE)
    if not SHARED.exists():
        pytest.skip(f"{SHARED} is not beside this checkout")
    assert source == SHARED.read_text(encoding="utf-8")


def test_sections_follow_the_lesson_with_the_minutes_it_states(parsed):
    """Each section carries the minutes its heading states: 5, 12, 12, 11, 10 = 50."""
    assert [(s.slug, s.minutes) for s in parsed.sections] == [
        ("overview", 0),
        ("why", 5),
        ("concept-1", 12),
        ("concept-2", 12),
        ("concept-3", 11),
        ("discussion", 10),
        ("keywords", 0),
        ("wrap-up", 0),
    ]
    assert parsed.total_minutes == 50


def test_the_discussion_keeps_its_five_plus_five_split(parsed):
    """함께 생각해보기 (10분) is one section holding 페어 토론 5분 and 전체 공유 5분."""
    discussion = next(s for s in parsed.sections if s.slug == "discussion")
    assert [(p.title, p.minutes) for p in discussion.timed_parts] == [
        ("🤝 페어 토론", 5),
        ("🎯 전체 공유", 5),
    ]


def test_concepts_are_grouped_under_their_35_minute_heading(parsed):
    """개념 1–3 sit under 핵심 개념 (35분), whose heading opens the first of them."""
    groups = {s.slug: s.group for s in parsed.sections}
    assert groups["concept-1"] == groups["concept-2"] == groups["concept-3"] == "📖 핵심 개념 (35분)"
    assert groups["why"] == "" and groups["discussion"] == ""
    assert parsed.sections[2].markdown.startswith("## 📖 핵심 개념 (35분)\n")


def test_nothing_of_the_text_is_lost_in_the_split(parsed):
    """Title block and sections together are the whole source, line for line."""
    source_lines = [line for line in parsed.source.splitlines() if line.strip()]
    rebuilt = [parsed.source.splitlines()[0]] + parsed.title_markdown.splitlines()
    for section in parsed.sections:
        rebuilt += section.markdown.splitlines()
    assert [line for line in rebuilt if line.strip()] == source_lines


def test_all_ten_diagrams_are_found_with_the_heading_they_illustrate(parsed):
    """The ten mermaid fences are numbered in reading order; headings inside code blocks are ignored."""
    assert len(parsed.diagrams) == 10
    assert [d.section_slug for d in parsed.diagrams].count("concept-2") == 8
    assert parsed.diagrams[0].heading == "🎼 오케스트레이션이란?"
    assert parsed.diagrams[9].heading == "🏗️ 마스터-워커 구조"
    assert parsed.diagrams[9].source.startswith('graph TB\n    subgraph "마스터 노드 (Control Plane)"')


def test_glossary_terms_come_from_the_key_words_section(parsed):
    """핵심 키워드 yields nine terms with their English names, definitions and categories."""
    terms = {t.term: t for t in parsed.glossary}
    assert len(terms) == 9
    assert terms["오케스트레이션"].english == "Orchestration"
    assert terms["오케스트레이션"].definition == "여러 컨테이너의 자동 관리"
    assert terms["API Server"].english == ""
    assert terms["스케줄러"].category == "🔤 아키텍처 용어"


def test_an_outline_naming_a_missing_heading_is_refused():
    """An outline that disagrees with the text is an error, not a silently wrong lesson."""
    source, outline = read_outline(OUTLINE)
    outline["sections"][1]["heading"] = "없는 제목"
    with pytest.raises(LessonFormatError, match="없는 제목"):
        parse_lesson(source, outline)


def test_an_unclosed_code_fence_is_refused():
    """A fence that never closes would swallow the rest of the lesson: refuse it with its line."""
    with pytest.raises(LessonFormatError, match="line 3"):
        parse_lesson("# T\n\n```bash\n## A\n", {"slug": "t", "sections": [{"slug": "a", "heading": "A"}]})


@pytest.mark.django_db
def test_import_command_stores_the_lesson(capsys):
    """import_lesson stores 8 sections, 10 diagrams, 9 terms and the 5+5 parts."""
    call_command("import_lesson")
    lesson = Lesson.objects.get()
    assert lesson.total_minutes == 50
    assert Section.objects.count() == 8
    assert Diagram.objects.count() == 10
    assert GlossaryTerm.objects.count() == 9
    assert TimedPart.objects.filter(section__slug="discussion").count() == 2
    assert "8 sections, 50 minutes, 10 diagrams" in capsys.readouterr().out


@pytest.mark.django_db
def test_reimporting_changes_nothing():
    """Importing twice leaves the same rows, with the same ids and the same HTML."""
    call_command("import_lesson")

    def state():
        return (
            list(Section.objects.values_list("pk", "slug", "order", "minutes", "body_html")),
            list(Diagram.objects.values_list("pk", "number", "source")),
            list(GlossaryTerm.objects.values_list("pk", "slug", "definition")),
            list(TimedPart.objects.values_list("pk", "title", "minutes")),
        )

    before = state()
    call_command("import_lesson")
    assert state() == before


@pytest.mark.django_db
def test_the_fixture_matches_a_fresh_import(tmp_path):
    """fixtures/lesson.json is exactly what the importer produces today (regenerate with --write-fixture)."""
    fresh = tmp_path / "lesson.json"
    call_command("import_lesson", write_fixture=str(fresh))
    committed = Path(__file__).resolve().parents[2] / "fixtures" / "lesson.json"
    assert fresh.read_text(encoding="utf-8") == committed.read_text(encoding="utf-8")


@pytest.mark.django_db
def test_loading_the_fixture_twice_is_idempotent():
    """load_course can run on every `make run`: the second load updates rows instead of duplicating them."""
    call_command("load_course", verbosity=0)
    call_command("load_course", verbosity=0)
    assert Lesson.objects.count() == 1
    assert Section.objects.count() == 8
    assert Diagram.objects.count() == 10


@pytest.mark.django_db
def test_load_course_keeps_admin_edits_until_the_shipped_text_changes(tmp_path, settings):
    """An unchanged fixture is not reloaded (admin edits stay); a changed one is, and --force reloads all."""
    call_command("load_course", verbosity=0)
    Section.objects.filter(slug="why").update(title="강사가 고친 제목")
    call_command("load_course", verbosity=0)
    assert Section.objects.get(slug="why").title == "강사가 고친 제목"
    call_command("load_course", force=True, verbosity=0)
    assert Section.objects.get(slug="why").title == "🤔 왜 필요한가?"
