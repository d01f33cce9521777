"""Splitting the instructor's Markdown into pages, minutes, diagrams and glossary terms (course.importer, pure)."""

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course.importer import (
    LessonFormatError,
    auto_section_slug,
    is_glossary_title,
    parse_lesson,
    parse_time_box,
    read_lesson_file,
    strip_time_box,
)

CONTENT = Path(__file__).resolve().parents[2] / "course" / "content"
LESSON = CONTENT / "week2-day4-session2.md"
OUTLINE = CONTENT / "week2-day4-session2.outline.json"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "lesson" / "week2-day4-session2.md"


@pytest.fixture
def parsed():
    """The lesson as `import_lesson` reads it: the automatic split plus the outline's slugs."""
    return read_lesson_file(LESSON)


@pytest.fixture
def automatic():
    """The same lesson split with no outline at all."""
    return parse_lesson(LESSON.read_text(encoding="utf-8"), slug="week2-day4-session2")


def test_the_content_is_the_instructors_text_unchanged():
    """The project's copy of the lesson is byte-for-byte the instructor's file."""
    if not SHARED.exists():
        pytest.skip(f"{SHARED} is not beside this checkout")
    assert LESSON.read_text(encoding="utf-8") == SHARED.read_text(encoding="utf-8")


# --- time boxes -------------------------------------------------------------------------------------------

TIME_BOXES = [
    ("🤔 왜 필요한가? (5분)", 5, "🤔 왜 필요한가?"),
    ("🎯 전체 공유 (5분):", 5, "🎯 전체 공유"),
    ("🤔 왜 필요한가? (5분 - 동기부여 및 맥락 제공)", 5, "🤔 왜 필요한가?"),
    ("🛠️ 실습 (15분) - nginx Pod 띄우기", 15, "🛠️ 실습 - nginx Pod 띄우기"),
    ("🔍 개념 1 (12분) 정의와 철학", 12, "🔍 개념 1 정의와 철학"),
    ("🤝 페어 토론（5분）", 5, "🤝 페어 토론"),
    ("정리 (약 5분)", 5, "정리"),
    ("📖 핵심 개념 (총 35분)", 35, "📖 핵심 개념"),
    ("토론 (5-10분)", 10, "토론"),
    ("토론 (5~10분)", 10, "토론"),
    ("토론 (5–10분)", 10, "토론"),
    ("종합 실습 (1시간)", 60, "종합 실습"),
    ("종합 실습 (1시간 30분)", 90, "종합 실습"),
    ("종합 실습 (1.5시간)", 90, "종합 실습"),
    ("퀴즈 (90초)", 2, "퀴즈"),
    ("퀴즈 (30초)", 1, "퀴즈"),
    ("Warm-up (5 min)", 5, "Warm-up"),
    ("Lab (2 hours)", 120, "Lab"),
    ("개념 2: 8가지 핵심 기능 (12분)", 12, "개념 2: 8가지 핵심 기능"),
    ("(3분) 앞에 온 상자", 3, "앞에 온 상자"),
    ("서비스 (Service) (10분)", 10, "서비스 (Service)"),
    # Not time boxes: no number, a letter straight after the unit, no parentheses, English in parentheses.
    ("🎯 추가 도전 과제 (시간 여유시)", 0, "🎯 추가 도전 과제 (시간 여유시)"),
    ("실적 (3분기)", 0, "실적 (3분기)"),
    ("10분 쉬는 시간", 0, "10분 쉬는 시간"),
    ("🚀 1. 컨테이너 배포 (Deployment)", 0, "🚀 1. 컨테이너 배포 (Deployment)"),
    ("🕘 세션 정보", 0, "🕘 세션 정보"),
]


@pytest.mark.parametrize(("heading", "minutes", "title"), TIME_BOXES)
def test_time_boxes_in_every_form_the_author_writes(heading, minutes, title):
    """parse_time_box reads each variant (docstring table); strip_time_box leaves the title readable."""
    box = parse_time_box(heading)
    assert (box.minutes if box else 0) == minutes
    assert strip_time_box(heading) == title


def test_the_last_time_box_of_a_heading_counts():
    """A heading that mentions a duration before its own box takes the box at the end."""
    assert parse_time_box("(2분) 복습 후 실습 (10분)").minutes == 10


# --- the automatic split reproduces the outline ----------------------------------------------------------


def test_the_automatic_split_is_the_outline_split(parsed, automatic):
    """Without any outline the lesson splits into the same 8 pages, titles, minutes, groups and Markdown."""

    def shape(lesson):
        return [
            (s.title, s.minutes, s.group, s.markdown, [(p.title, p.minutes) for p in s.timed_parts])
            for s in lesson.sections
        ]

    assert shape(automatic) == shape(parsed)
    assert [s.slug for s in automatic.sections] == [s.slug for s in parsed.sections]
    assert [(t.slug, t.term) for t in automatic.glossary] == [(t.slug, t.term) for t in parsed.glossary]


def test_pages_follow_the_lesson_with_the_minutes_it_states(parsed):
    """Each page carries the minutes its heading states: 5, 12, 12, 11, 10 = 50, as 세션 정보 says."""
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
    assert parsed.agenda == "5+12+12+11+10=50"
    assert parsed.stated_minutes == 50
    assert parsed.warnings == []


def test_the_overview_holds_the_session_info_and_goals(parsed):
    """세션 정보 and 세션 목표 / 학습 목표 come before the clock starts: one opening page."""
    overview = parsed.sections[0].markdown
    assert overview.startswith("## 🕘 세션 정보\n")
    assert "## 🎯 세션 목표\n### 📚 학습 목표" in overview
    assert "왜 필요한가" not in overview
    assert parsed.sections[1].markdown.startswith("### 🤔 왜 필요한가? (5분)\n")


def test_the_discussion_keeps_its_five_plus_five_split(parsed):
    """함께 생각해보기 (10분) is one page holding 페어 토론 5분 and 전체 공유 5분."""
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
    """Title block and pages together are the whole source, line for line."""
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


def test_glossary_terms_come_from_the_key_words_page(parsed):
    """핵심 키워드 yields nine terms with their English names, definitions, categories and slugs."""
    terms = {t.term: t for t in parsed.glossary}
    assert len(terms) == 9
    assert terms["오케스트레이션"].english == "Orchestration"
    assert terms["오케스트레이션"].definition == "여러 컨테이너의 자동 관리"
    assert terms["API Server"].english == "" and terms["API Server"].slug == "api-server"
    assert terms["스케줄러"].category == "🔤 아키텍처 용어"
    assert [s.is_glossary for s in parsed.sections] == [s.slug == "keywords" for s in parsed.sections]


def test_week_day_and_session_come_from_the_title(parsed):
    assert (parsed.week, parsed.day, parsed.session) == (2, 4, 2)
    assert parsed.slug == "week2-day4-session2"


@pytest.mark.parametrize(
    ("title", "place"),
    [
        ("# Week 2 Day 4 Session 2: 주제", (2, 4, 2)),
        ("# Week 2 - Day 4 - Session 2: 주제", (2, 4, 2)),
        ("# week 12 day 1 session 3 — 주제", (12, 1, 3)),
        ("# November Week 2 Day 4 Session 2: ECS", (2, 4, 2)),
        ("# W2D4S2 주제", (2, 4, 2)),
        ("# Week 2 Day 1 Lab 1: 실습", (2, 1, None)),
        ("# 오케스트레이션 개념", (None, None, None)),
    ],
)
def test_the_place_in_the_course_in_each_title_form(title, place):
    lesson = parse_lesson(f"{title}\n\n## 본문\n글\n", slug="t")
    assert (lesson.week, lesson.day, lesson.session) == place


# --- other lessons: small texts ---------------------------------------------------------------------------

SHAPED = """# Week 1 Day 1 Session 1: 연습

## 🕘 세션 정보
**시간**: 09:00-09:50 (50분)

## 🎯 세션 목표
### 📚 학습 목표
- 목표

### 🤔 왜 필요한가? (5분)
동기

## 📖 핵심 개념 (35분)

### 🔍 개념 1: 첫째 (12분)
### 💡 예시
하나
### 🔍 개념 2: 둘째 (12분)
### 💡 예시
둘
### 🔍 개념 3: 셋째 (11분)
셋

## 💭 함께 생각해보기 (10분)
### 🤝 페어 토론 (5분)
### 🎯 전체 공유 (5분)

## 🔑 핵심 키워드
### 🆕 새로운 용어
- **파드(Pod)**: 가장 작은 단위
- **kubelet**: 노드 에이전트
- **CNI (Container Network Interface)**: 네트워크 표준
- **파드**: 같은 이름 다시
- **서비스:** 콜론이 굵게
- **레이블** - 대시로 구분

## 🔑 핵심 키워드
- **네임스페이스(Namespace)**: 격리

## 📝 세션 마무리
끝
"""


def test_repeated_headings_keep_their_content_on_their_own_page():
    """Two '### 💡 예시' and two '## 🔑 핵심 키워드' neither fail nor move text; slugs stay unique."""
    lesson = parse_lesson(SHAPED, slug="t")
    slugs = [s.slug for s in lesson.sections]
    assert slugs == [
        "overview",
        "why",
        "concept-1",
        "concept-2",
        "concept-3",
        "discussion",
        "keywords",
        "keywords-2",
        "wrap-up",
    ]
    concept_1, concept_2 = lesson.sections[2], lesson.sections[3]
    assert "하나" in concept_1.markdown and "둘" not in concept_1.markdown
    assert "둘" in concept_2.markdown and "하나" not in concept_2.markdown
    assert lesson.agenda == "5+12+12+11+10=50" and lesson.warnings == []


def test_glossary_items_in_each_form_get_unique_slugs():
    """English name → slug, else slugify_unicode of the term (Korean kept), de-duplicated across both pages."""
    lesson = parse_lesson(SHAPED, slug="t")
    assert [(t.slug, t.term, t.english, t.definition) for t in lesson.glossary] == [
        ("pod", "파드", "Pod", "가장 작은 단위"),
        ("kubelet", "kubelet", "", "노드 에이전트"),
        ("container-network-interface", "CNI", "Container Network Interface", "네트워크 표준"),
        ("파드", "파드", "", "같은 이름 다시"),
        ("서비스", "서비스", "", "콜론이 굵게"),
        ("레이블", "레이블", "", "대시로 구분"),
        ("namespace", "네임스페이스", "Namespace", "격리"),
    ]
    assert [t.order for t in lesson.glossary] == list(range(1, 8))


def test_the_outline_glossary_slugs_override_the_automatic_ones():
    lesson = parse_lesson(SHAPED, {"glossary_slugs": {"파드": "the-pod"}}, slug="t")
    assert lesson.glossary[0].slug == "the-pod"


def test_the_outline_renames_pages_matching_repeated_headings_in_turn():
    """Outline slugs apply to the page named by the heading; a repeated heading matches its next use."""
    outline = {
        "sections": [
            {"slug": "first-keys", "heading": "🔑 핵심 키워드"},
            {"slug": "more-keys", "heading": "🔑 핵심 키워드"},
        ]
    }
    lesson = parse_lesson(SHAPED, outline, slug="t")
    assert [s.slug for s in lesson.sections if s.is_glossary] == ["first-keys", "more-keys"]


def test_an_outline_naming_a_missing_heading_is_refused():
    """An outline that disagrees with the text is an error naming the heading, not a silently wrong lesson."""
    outline = json.loads(OUTLINE.read_text(encoding="utf-8"))
    outline["sections"][1]["heading"] = "없는 제목"
    with pytest.raises(LessonFormatError, match="없는 제목"):
        parse_lesson(LESSON.read_text(encoding="utf-8"), outline)


def test_minutes_that_miss_the_stated_length_are_a_warning():
    """35 minutes of time boxes in a lesson that says 50분: the report says so."""
    text = SHAPED.replace("(10분)", "").replace("(5분)\n동기", "\n동기").replace("(5분)", "")
    lesson = parse_lesson(text, slug="t")
    assert lesson.total_minutes == 35
    assert lesson.warnings[0].startswith("minutes add up to 35, not 50 as the lesson states")


def test_a_lesson_without_time_boxes_keeps_the_template_pages():
    """No time boxes anywhere: same pages (왜 필요한가, 개념 N are pages by name), 0 minutes, a warning."""
    import re

    untimed = re.sub(r" \(\d+분\)", "", SHAPED)
    lesson = parse_lesson(untimed, slug="t")
    assert [s.slug for s in lesson.sections] == [s.slug for s in parse_lesson(SHAPED, slug="t").sections]
    assert lesson.total_minutes == 0
    assert any("no time boxes" in w for w in lesson.warnings)


def test_other_timed_groups_stay_one_page_with_timed_parts():
    """A timed '##' that is not the concepts keeps its timed '###' as parts, even a 15-minute one."""
    text = "# T\n\n## 🛠️ 실습과 정리 (20분)\n### 🛠️ 실습 (15분) - 띄우기\n글\n### 🤝 페어 토론 (5분)\n"
    lesson = parse_lesson(text, slug="t")
    assert len(lesson.sections) == 1
    assert [(p.title, p.minutes) for p in lesson.sections[0].timed_parts] == [
        ("🛠️ 실습 - 띄우기", 15),
        ("🤝 페어 토론", 5),
    ]


def test_an_untimed_section_split_by_a_timed_part_with_nothing_before_it_becomes_its_group():
    text = "# T\n\n## 🕘 정보 (5분)\n글\n\n## 🛠️ 실습\n\n### 1단계 (10분)\n가\n### 2단계 (15분)\n나\n"
    lesson = parse_lesson(text, slug="t")
    assert [(s.title, s.minutes, s.group) for s in lesson.sections] == [
        ("🕘 정보", 5, ""),
        ("1단계", 10, "🛠️ 실습"),
        ("2단계", 15, "🛠️ 실습"),
    ]
    assert lesson.sections[1].markdown.startswith("## 🛠️ 실습\n")


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("🔍 개념 1: 오케스트레이션 정의와 철학 (12분)", "concept-1"),
        ("🕘 세션 정보", "overview"),
        ("🤔 왜 필요한가? (5분 - 동기부여 및 맥락 제공)", "why"),
        ("💭 함께 생각해보기 (10분)", "discussion"),
        ("📝 세션 마무리", "wrap-up"),
        ("🛠️ 실습과 정리 (20분)", "실습과-정리"),
        ("⚖️ 3. 로드 밸런싱 (Load Balancing)", "3-로드-밸런싱-load-balancing"),
    ],
)
def test_automatic_page_slugs(title, slug):
    assert auto_section_slug(title) == slug


@pytest.mark.parametrize(
    ("title", "is_glossary"),
    [
        ("🔑 핵심 키워드", True),
        ("핵심키워드", True),
        ("🔑 키워드", True),
        ("📚 핵심 용어", True),
        ("📝 세션 마무리", False),
    ],
)
def test_the_glossary_page_is_found_by_its_words(title, is_glossary):
    assert is_glossary_title(title) is is_glossary


def test_headings_in_code_blocks_are_code():
    """'# comment' lines inside a fence neither start pages nor become the title."""
    text = "# T\n\n## A\n```bash\n# not a heading\n## nor this\n```\n\n## B\n"
    assert [s.title for s in parse_lesson(text, slug="t").sections] == ["A", "B"]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("# T\n\n```bash\n## A\n", 3, "code fence is never closed"),
        ("글만 있다\n", None, "no '# Week N Day N Session N: 주제' title"),
        ("# T\n\n글\n", 1, "no '##' headings"),
    ],
)
def test_unreadable_lessons_are_refused_with_their_line(text, line, message):
    with pytest.raises(LessonFormatError, match=message) as raised:
        parse_lesson(text, slug="t")
    assert raised.value.line == line


def test_a_definition_too_long_for_the_database_is_refused_with_its_line():
    text = "# T\n\n## 🔑 핵심 키워드\n- **용어**: " + "가" * 301 + "\n"
    with pytest.raises(LessonFormatError, match="definition is longer than 300") as raised:
        parse_lesson(text, slug="t")
    assert raised.value.line == 4


# --- any text of headings, lines and code blocks -----------------------------------------------------------

_HEADINGS = st.sampled_from(
    [
        "## 🕘 세션 정보",
        "## 🎯 세션 목표",
        "### 📚 학습 목표",
        "### 🤔 왜 필요한가? (5분)",
        "## 📖 핵심 개념 (35분)",
        "### 🔍 개념 1: 하나 (12분)",
        "### 🔍 개념 2 (12분)",
        "### 💡 예시",
        "#### 🎼 더 깊이",
        "## 💭 함께 생각해보기 (10분)",
        "### 🤝 페어 토론 (5분)",
        "## 🔑 핵심 키워드",
        "## 🛠️ 실습",
        "### 1단계 (약 10분)",
        "## 📝 세션 마무리",
    ]
)
_LINES = st.sampled_from(
    ["글", "- **파드(Pod)**: 단위", "", "```bash\n# 주석\n```", "```mermaid\ngraph LR\n  A-->B\n```"]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_HEADINGS, _LINES), min_size=1, max_size=30))
def test_any_arrangement_splits_without_losing_or_moving_text(blocks):
    """Whatever the order of headings: pages are consecutive slices of the text, slugs unique, minutes ≥ 0."""
    source = "# Week 1 Day 1 Session 1: 임의\n\n## 시작\n" + "\n".join(blocks) + "\n"
    lesson = parse_lesson(source, slug="t")
    rebuilt = lesson.title_markdown.strip("\n") + "\n" + "".join(s.markdown for s in lesson.sections)
    body = source.split("\n", 1)[1]
    assert [line for line in rebuilt.splitlines() if line.strip()] == [
        line for line in body.splitlines() if line.strip()
    ]
    slugs = [s.slug for s in lesson.sections]
    assert len(set(slugs)) == len(slugs) and all(slugs)
    assert len(lesson.diagrams) == source.count("```mermaid")
    assert lesson.total_minutes == sum(s.minutes for s in lesson.sections)


# --- slips GitHub renders silently but that change the lesson's pages --------------------------------------


def test_a_heading_without_its_space_is_named_in_a_warning():
    source = LESSON.read_text(encoding="utf-8").replace(
        "## 💭 함께 생각해보기 (10분)", "##💭 함께 생각해보기 (10분)"
    )
    parsed = parse_lesson(source, slug="x")
    line = source.splitlines().index("##💭 함께 생각해보기 (10분)") + 1
    assert (
        f"line {line}: '##💭 함께 생각해보기 (10분)' is not a heading on GitHub: put a space after the #s"
        in (parsed.warnings)
    )
    assert "discussion" not in [s.slug for s in parsed.sections]


def test_a_missing_closing_fence_that_swallows_a_heading_is_named():
    """The author deletes the ``` closing concept 1's first diagram: the block now runs to the next bare ```
    and swallows '#### 📜 선언적 vs 명령적 관리'; the report names that line and the fence that opened it."""
    lines = LESSON.read_text(encoding="utf-8").splitlines()
    opened = lines.index("```mermaid")
    closing = next(i for i in range(opened + 1, len(lines)) if lines[i] == "```")
    del lines[closing]
    parsed = parse_lesson("\n".join(lines) + "\n", slug="x")
    slips = [w for w in parsed.warnings if "reads like a heading" in w]
    assert slips and slips[0].endswith("is a closing ``` missing above it?")
    assert f"the code block opened on line {opened + 1} holds '#### 📜 선언적 vs 명령적 관리'" in slips[0]


def test_the_minutes_warning_names_the_pages_without_a_time_box():
    source = LESSON.read_text(encoding="utf-8").replace(
        "### 🔍 개념 2: 8가지 핵심 기능 (12분)", "### 🔍 개념 2: 8가지 핵심 기능 (12뷴)"
    )
    warning = next(w for w in parse_lesson(source, slug="x").warnings if w.startswith("minutes add up"))
    assert warning.startswith("minutes add up to 38, not 50 as the lesson states; pages without a time box:")
    assert "'🔍 개념 2: 8가지 핵심 기능 (12뷴)'" in warning


def test_the_shipped_lesson_and_the_corpus_have_no_slips():
    corpus = Path(__file__).resolve().parents[1] / "corpus" / "lessons"
    for path in [LESSON, *sorted(corpus.glob("*.md"))]:
        warnings = parse_lesson(path.read_text(encoding="utf-8"), slug="x").warnings
        assert not [w for w in warnings if "heading" in w and "line" in w], (path.name, warnings)
