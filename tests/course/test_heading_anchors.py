"""Heading ids as GitHub makes them, counted through the whole lesson file, and the author's `#heading` links
leading to the page that holds the heading once the lesson is split into pages."""

from pathlib import Path

import pytest
from django.core.management import call_command

from course.lesson_store import render_stored_section
from course.markdown_gfm import HeadingIds, github_slug
from course.models import Section

LESSON = Path(__file__).resolve().parents[2] / "course" / "content" / "week2-day4-session2.md"


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        # github-slugger's own examples (README and test/fixtures.json)
        ("foo bar baz", "foo-bar-baz"),
        ("😄 emoji", "-emoji"),
        ("Привет non-latin 你好", "привет-non-latin-你好"),
        # This lesson's headings, as GitHub links them
        ("🕘 세션 정보", "-세션-정보"),
        ("🔍 개념 1: 오케스트레이션 정의와 철학 (12분)", "-개념-1-오케스트레이션-정의와-철학-12분"),
        # VS16 after ⚖ is a mark (Mn): github-slugger keeps it, so GitHub's id starts with it
        ("⚖️ 3. 로드 밸런싱 (Load Balancing)", "\ufe0f-3-로드-밸런싱-load-balancing"),
        ("API Server / etcd", "api-server--etcd"),
    ],
)
def test_github_slug(text, slug):
    assert github_slug(text) == slug


def test_a_repeated_heading_is_numbered_through_the_file():
    ids = HeadingIds()
    assert [ids.take(t) for t in ("💡 예시", "💡 예시", "예시", "💡 예시")] == [
        "-예시",
        "-예시-1",
        "예시",
        "-예시-2",
    ]


LINKED = """# Week 9 Day 1 Session 1: 링크

## 🕘 세션 정보
**목차**: [왜](#-왜-필요한가-5분) · [개념 1](#-개념-1-첫째-12분) · [예시](#-예시-1) · [정보](#-세션-정보)

### 🤔 왜 필요한가? (5분)
#### 💡 예시
글

## 📖 핵심 개념 (12분)
### 🔍 개념 1: 첫째 (12분)
#### 💡 예시
글 [위로](#-세션-정보)
"""


@pytest.mark.django_db
def test_links_to_a_heading_on_another_page_lead_to_that_page(tmp_path):
    path = tmp_path / "week9-day1-session1.md"
    path.write_text(LINKED, encoding="utf-8")
    call_command("import_lesson", str(path), verbosity=0)
    pages = {s.slug: s.body_html for s in Section.objects.filter(lesson__slug="week9-day1-session1")}
    assert list(pages) == ["overview", "why", "concept-1"]
    overview = pages["overview"]
    # To other pages: ../<page>/#<id>, the id percent-encoded as markdown-it writes hrefs.
    assert 'href="../why/#-%EC%99%9C-%ED%95%84%EC%9A%94%ED%95%9C%EA%B0%80-5%EB%B6%84"' in overview
    assert 'href="../concept-1/#-%EA%B0%9C%EB%85%90-1-%EC%B2%AB%EC%A7%B8-12%EB%B6%84"' in overview
    # '#-예시-1' is the second 💡 예시 of the file, on the concept page (as on GitHub).
    assert 'href="../concept-1/#-%EC%98%88%EC%8B%9C-1"' in overview
    # A heading on the same page stays a same-page link.
    assert 'href="#-%EC%84%B8%EC%85%98-%EC%A0%95%EB%B3%B4"' in overview
    assert 'href="../overview/#-%EC%84%B8%EC%85%98-%EC%A0%95%EB%B3%B4"' in pages["concept-1"]
    # The ids the links point at are the ones the pages carry.
    assert '<h4 id="-예시">' in pages["why"] and '<h4 id="-예시-1">' in pages["concept-1"]


@pytest.mark.django_db
def test_an_admin_edit_renders_with_the_lessons_ids(tmp_path):
    """A page re-rendered alone (after an admin edit) keeps the ids the whole file gives it."""
    path = tmp_path / "week9-day1-session1.md"
    path.write_text(LINKED, encoding="utf-8")
    call_command("import_lesson", str(path), verbosity=0)
    concept = Section.objects.get(lesson__slug="week9-day1-session1", slug="concept-1")
    assert render_stored_section(concept) == concept.body_html


@pytest.mark.django_db
def test_the_shipped_lesson_carries_githubs_ids(lesson):
    concept2 = Section.objects.get(lesson=lesson, slug="concept-2")
    assert '<h3 id="-개념-2-8가지-핵심-기능-12분">' in concept2.body_html
    assert '<h4 id="\ufe0f-3-로드-밸런싱-load-balancing">' in concept2.body_html
