"""Storing lessons: no silent replacement, idempotent re-imports, and the admin keeping diagrams in step."""

from pathlib import Path

import pytest
from django.urls import reverse

from course.importer import parse_lesson, read_lesson_file
from course.lesson_store import LessonExistsError, store_lesson
from course.models import Diagram, Lesson, Section

LESSON = Path(__file__).resolve().parents[2] / "course" / "content" / "week2-day4-session2.md"

SMALL = """# Week 1 Day 1 Session 1: 작은 수업

## 🕘 세션 정보
**시간**: 09:00-09:20 (20분)

### 🤔 왜 필요한가? (5분)
```mermaid
graph LR
  A --> B
```

## 📖 핵심 개념 (15분)
### 🔍 개념 1: 첫째 (15분)
#### 그림
```mermaid
graph TB
  C --> D
```
"""


@pytest.fixture
def small(db):
    return store_lesson(parse_lesson(SMALL, slug="small")).lesson


def test_a_different_text_under_an_existing_slug_is_refused(small):
    """Importing another text as 'small' names the lesson and --replace, and changes nothing."""
    other = parse_lesson(SMALL.replace("첫째", "다른 첫째"), slug="small")
    with pytest.raises(LessonExistsError, match=r"'small' \(Week 1 Day 1 Session 1: 작은 수업\).*--replace"):
        store_lesson(other)
    assert Section.objects.get(lesson=small, slug="concept-1").title == "🔍 개념 1: 첫째"
    assert store_lesson(other, replace=True).status == "replaced"
    assert Section.objects.get(lesson=small, slug="concept-1").title == "🔍 개념 1: 다른 첫째"


def test_the_same_text_again_is_unchanged_and_writes_nothing(small, django_assert_max_num_queries):
    again = parse_lesson(SMALL, slug="small")
    with django_assert_max_num_queries(8):  # reads only: no render, no writes
        assert store_lesson(again).status == "unchanged"


def test_reimporting_keeps_ids_and_html(db):
    """Importing the real lesson twice leaves the same rows, with the same ids and HTML."""
    store_lesson(read_lesson_file(LESSON))

    def state():
        return (
            list(Section.objects.values_list("pk", "slug", "order", "minutes", "body_html")),
            list(Diagram.objects.values_list("pk", "number", "source")),
        )

    before = state()
    assert store_lesson(read_lesson_file(LESSON)).status == "unchanged"
    assert state() == before
    # --replace with the same text rebuilds from the file: the same rows, ids and HTML again.
    assert store_lesson(read_lesson_file(LESSON), replace=True).status == "rebuilt"
    assert state() == before
    lesson = Lesson.objects.get()
    assert (lesson.week, lesson.day, lesson.session, lesson.total_minutes) == (2, 4, 2, 50)


# --- the admin ---------------------------------------------------------------------------------------------


def _save_in_admin(client, section: Section, markdown: str):
    """Post the section's change form as the admin page would, with new Markdown."""
    url = reverse("admin:course_section_change", args=[section.pk])
    data = {
        "lesson": section.lesson.pk,
        "order": section.order,
        "slug": section.slug,
        "title": section.title,
        "group": section.group,
        "minutes": section.minutes,
        "body_markdown": markdown,
        "timed_parts-TOTAL_FORMS": 0,
        "timed_parts-INITIAL_FORMS": 0,
        "timed_parts-MIN_NUM_FORMS": 0,
        "timed_parts-MAX_NUM_FORMS": 1000,
    }
    return client.post(url, data)


def test_a_mermaid_block_added_in_the_admin_becomes_a_diagram_and_later_ones_move(admin_client, small):
    """A second block on the 'why' page is diagram 2; the concept's diagram becomes 3 and its page re-renders."""
    why = Section.objects.get(lesson=small, slug="why")
    concept = Section.objects.get(lesson=small, slug="concept-1")
    assert 'data-diagram="2"' in concept.body_html
    markdown = why.body_markdown + "\n### 새 그림\n```mermaid\ngraph LR\n  X --> Y\n```\n"

    response = _save_in_admin(admin_client, why, markdown)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(Diagram.objects.filter(lesson=small).values_list("number", "section__slug", "heading")) == [
        (1, "why", "🤔 왜 필요한가?"),
        (2, "why", "새 그림"),
        (3, "concept-1", "그림"),
    ]
    why.refresh_from_db()
    concept.refresh_from_db()
    assert why.body_html.count('<figure class="diagram"') == 2
    assert 'data-diagram="2"' in why.body_html
    assert 'data-diagram="3"' in concept.body_html and 'data-diagram="2"' not in concept.body_html


def test_removing_a_block_in_the_admin_renumbers_and_drops_the_extra_row(admin_client, small):
    why = Section.objects.get(lesson=small, slug="why")
    markdown = why.body_markdown.split("```mermaid")[0]

    assert _save_in_admin(admin_client, why, markdown).status_code == 302

    assert list(Diagram.objects.filter(lesson=small).values_list("number", "section__slug")) == [
        (1, "concept-1")
    ]
    concept = Section.objects.get(lesson=small, slug="concept-1")
    assert 'data-diagram="1"' in concept.body_html


def test_a_section_added_in_the_admin_gets_its_diagram(admin_client, small):
    """A new page with a mermaid block (and a Korean slug) is saved, numbered and rendered as a figure."""
    url = reverse("admin:course_section_add")
    response = admin_client.post(
        url,
        {
            "lesson": small.pk,
            "order": 99,
            "slug": "새-페이지",
            "title": "새 페이지",
            "group": "",
            "minutes": 0,
            "body_markdown": "## 새 페이지\n```mermaid\ngraph LR\n  N --> M\n```\n",
            "timed_parts-TOTAL_FORMS": 0,
            "timed_parts-INITIAL_FORMS": 0,
            "timed_parts-MIN_NUM_FORMS": 0,
            "timed_parts-MAX_NUM_FORMS": 1000,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page = Section.objects.get(lesson=small, slug="새-페이지")
    assert Diagram.objects.get(lesson=small, number=3).section == page
    assert 'data-diagram="3"' in page.body_html


def test_an_unclosed_fence_in_the_admin_is_refused_with_its_line(admin_client, small):
    """The form says which line; the stored page and its diagrams are untouched."""
    why = Section.objects.get(lesson=small, slug="why")
    before = (why.body_markdown, why.body_html)
    response = _save_in_admin(admin_client, why, "### 제목\n글\n```bash\nls\n")
    assert response.status_code == 200
    assert "3번째 줄의 코드 블록(```)이 닫히지 않았습니다" in response.content.decode()
    why.refresh_from_db()
    assert (why.body_markdown, why.body_html) == before
    assert Diagram.objects.filter(lesson=small).count() == 2


def test_swapping_two_pages_in_the_lesson_admin_renumbers_their_diagrams(admin_client, small):
    """The inline saves a swap of orders (unique per lesson) and the diagrams follow the new reading order."""
    sections = list(small.sections.order_by("order"))
    new_order = {"overview": 1, "why": 3, "concept-1": 2}
    data = {
        "slug": small.slug,
        "title": small.title,
        "source": small.source,
        "source_sha256": small.source_sha256,
        "total_minutes": small.total_minutes,
        "title_html": small.title_html,
        "week": small.week,
        "day": small.day,
        "session": small.session,
        "sections-TOTAL_FORMS": len(sections),
        "sections-INITIAL_FORMS": len(sections),
        "sections-MIN_NUM_FORMS": 0,
        "sections-MAX_NUM_FORMS": 1000,
    }
    for i, section in enumerate(sections):
        data |= {
            f"sections-{i}-id": section.pk,
            f"sections-{i}-lesson": small.pk,
            f"sections-{i}-order": new_order[section.slug],
            f"sections-{i}-slug": section.slug,
            f"sections-{i}-title": section.title,
            f"sections-{i}-group": section.group,
            f"sections-{i}-minutes": section.minutes,
        }
    response = admin_client.post(reverse("admin:course_lesson_change", args=[small.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(small.sections.order_by("order").values_list("slug", "order")) == [
        ("overview", 1),
        ("concept-1", 2),
        ("why", 3),
    ]
    assert list(Diagram.objects.filter(lesson=small).values_list("number", "section__slug")) == [
        (1, "concept-1"),
        (2, "why"),
    ]
    assert 'data-diagram="1"' in Section.objects.get(lesson=small, slug="concept-1").body_html


def test_saving_a_page_unchanged_keeps_the_imported_diagrams(admin_client, db):
    """The admin's renumbering agrees with the importer: saving concept-2 as it is changes no Diagram row."""
    lesson = store_lesson(read_lesson_file(LESSON)).lesson
    before = list(
        Diagram.objects.filter(lesson=lesson).values_list(
            "pk", "number", "section__slug", "heading", "source"
        )
    )
    concept = Section.objects.get(lesson=lesson, slug="concept-2")
    html = concept.body_html
    assert _save_in_admin(admin_client, concept, concept.body_markdown).status_code == 302
    after = list(
        Diagram.objects.filter(lesson=lesson).values_list(
            "pk", "number", "section__slug", "heading", "source"
        )
    )
    assert after == before and len(after) == 10
    concept.refresh_from_db()
    assert concept.body_html == html
