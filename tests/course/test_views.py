"""Lesson pages over HTTP: redirects, navigation, 404s, the agenda and the admin."""

import pytest
from django.contrib.auth.models import User

from course.navigation import lesson_outline

pytestmark = pytest.mark.django_db

LESSON = "/lesson/week2-day4-session2"


def test_home_opens_the_first_section(client, lesson):
    """/ leads to the lesson, which opens at its first section."""
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == f"{LESSON}/overview/"
    assert response.status_code == 200


def test_home_without_a_lesson_explains_how_to_load_it(client):
    """An empty database gets a page saying how to load the lesson, not an error."""
    response = client.get("/")
    assert response.status_code == 503
    assert "load_course" in response.content.decode()


def test_a_section_page_shows_its_body_toc_and_pager(client, lesson):
    """A section page has the section HTML, every section in the TOC, and previous/next links."""
    html = client.get(f"{LESSON}/concept-2/").content.decode()
    assert 'id="diagram-2"' in html and 'id="diagram-9"' in html
    assert html.count('class="toc-item') == 8
    assert (
        f'rel="prev" href="{LESSON}/concept-1/"' in html or f'href="{LESSON}/concept-1/" rel="prev"' in html
    )
    assert f'href="{LESSON}/concept-3/" rel="next"' in html
    assert 'aria-current="page"' in html
    assert "vendor/mermaid/mermaid.min" in html


def test_mermaid_is_loaded_only_where_there_are_diagrams(client, lesson):
    """Sections without diagrams do not download the 5 MB mermaid bundle."""
    assert "mermaid.min" not in client.get(f"{LESSON}/keywords/").content.decode()
    assert "mermaid.min" in client.get(f"{LESSON}/concept-3/").content.decode()


def test_unknown_section_and_lesson_are_404(client, lesson):
    """A wrong address gets the friendly 404 page."""
    assert client.get(f"{LESSON}/nope/").status_code == 404
    assert client.get("/lesson/nope/").status_code == 404


def test_agenda_lays_out_fifty_minutes(lesson):
    """The agenda bar holds the five timed sections, starting at 0, 5, 17, 29 and 40 minutes."""
    outline = lesson_outline(lesson, "why")
    assert [(slot.section.slug, slot.start_minute, slot.minutes) for slot in outline.agenda] == [
        ("why", 0, 5),
        ("concept-1", 5, 12),
        ("concept-2", 17, 12),
        ("concept-3", 29, 11),
        ("discussion", 40, 10),
    ]
    assert outline.total_minutes == 50
    assert sum(slot.width_percent for slot in outline.agenda) == pytest.approx(100)


def test_the_page_is_in_korean_by_default_and_english_on_request(client, lesson):
    """Korean first; the language switch gives the English chrome."""
    assert "다음" in client.get(f"{LESSON}/why/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(f"{LESSON}/why/").content.decode()
    assert '<html lang="en"' in html
    assert "Next" in html


def test_the_admin_edits_a_section_and_the_page_is_rerendered(client, lesson):
    """Staff change a section's Markdown in the admin; the students' page shows the new text."""
    User.objects.create_superuser("teacher", "t@example.com", "pw-for-tests-only")
    client.force_login(User.objects.get(username="teacher"))  # django-axes needs a request to authenticate
    section = lesson.sections.get(slug="keywords")
    response = client.post(
        f"/admin/course/section/{section.pk}/change/",
        {
            "lesson": lesson.pk,
            "order": section.order,
            "slug": section.slug,
            "title": section.title,
            "group": section.group,
            "minutes": section.minutes,
            "body_markdown": section.body_markdown + "\n- **추가 용어**: <script>x()</script>설명\n",
            "body_html": "ignored",
            "timed_parts-TOTAL_FORMS": 0,
            "timed_parts-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    html = client.get(f"{LESSON}/keywords/").content.decode()
    assert "추가 용어" in html and "<script>x()" not in html
    assert '<li id="term-orchestration">' in html


def test_figures_with_a_guided_scenario_get_a_try_it_link(client, lesson):
    """Each lesson figure that has a scenario links to it with 실습해보기; others get no link."""
    from visualizer.models import Scenario

    Scenario.objects.create(slug="rolling-update", title="롤링 업데이트", diagram_number=7, steps=[])
    html = client.get(f"{LESSON}/concept-2/").content.decode()
    assert html.count('class="try-it"') == 1
    link_at = html.index('href="/cluster/scenarios/rolling-update/"')
    assert html.index('id="diagram-7"') < link_at < html.index('id="diagram-8"')
