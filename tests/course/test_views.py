"""Lesson pages over HTTP: redirects, navigation, 404s, the agenda and the admin."""

import pytest
from django.contrib.auth.models import User

from course.navigation import lesson_outline
from tests.course.lessons import make_lesson, place

pytestmark = pytest.mark.django_db

LESSON = "/lesson/week2-day4-session2"


@pytest.fixture
def placed(lesson):
    """The shipped lesson at its place in the course: week 2, day 4, session 2."""
    return place(lesson, 2, 4, 2)


def test_the_lesson_address_opens_its_first_section(client, lesson):
    """/lesson/<slug>/ leads to the lesson's first section."""
    response = client.get(f"{LESSON}/", follow=True)
    assert response.redirect_chain[-1][0] == f"{LESSON}/overview/"
    assert response.status_code == 200


def test_home_lists_the_lesson_with_its_minutes_pages_and_diagrams(client, placed):
    """/ is the course: the shipped lesson under 2주차 · 4일차, with 50분, 8 pages, 10 diagrams, linked."""
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "2주차" in html and "4일차" in html and "세션 2" in html
    item = html[html.index('data-lesson="week2-day4-session2"') :]
    item = item[: item.index("</li>")]
    assert f'href="{LESSON}/"' in item
    assert '<span class="course-title">오케스트레이션 개념과 핵심 기능</span>' in item
    assert "50분" in item and "8쪽" in item and "그림 10개" in item


def test_home_orders_lessons_by_week_day_and_session_with_unplaced_lessons_last(client, placed):
    """Lessons sort by week, day, session; a lesson whose title names no week comes after every week."""
    make_lesson("w1-d1-s2", week=1, day=1, session=2)
    make_lesson("w1-d1-s1", week=1, day=1, session=1)
    make_lesson("w1-d3-s1", week=1, day=3, session=1)
    make_lesson("loose")
    html = client.get("/").content.decode()
    order = ["w1-d1-s1", "w1-d1-s2", "w1-d3-s1", "week2-day4-session2", "loose"]
    positions = [html.index(f'data-lesson="{slug}"') for slug in order]
    assert positions == sorted(positions)
    # One heading per week and per day: week 1 (days 1 and 3), week 2 (day 4), then the unplaced lessons.
    assert html.count('<section class="course-week"') == 3
    assert html.count("<h3>") == 3
    assert html.index("1주차") < html.index("1일차") < html.index("3일차") < html.index("2주차")
    assert html.index("2주차") < html.index("그 밖의 레슨") < positions[-1]


def test_home_in_english_says_week_and_day(client, placed):
    """The English page names the groups Week 2 and Day 4."""
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert "Week 2" in html and "Day 4" in html
    assert '<span class="course-session">Session 2</span>' in html
    assert "8 pages" in html and "10 diagrams" in html


def test_a_lesson_page_links_back_to_the_course(client, lesson):
    """Every lesson page's header has 전체 과정, the course home."""
    html = client.get(f"{LESSON}/why/").content.decode()
    assert '<a class="course-home-link" href="/">전체 과정</a>' in html


def test_home_without_a_lesson_explains_how_to_load_it(client):
    """An empty database gets a page saying how to load the lesson, not an error."""
    response = client.get("/")
    assert response.status_code == 503
    html = response.content.decode()
    assert "load_course" in html
    assert "python manage.py import_lesson course/content/" in html


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

    Scenario.objects.create(
        slug="rolling-update", title="롤링 업데이트", lesson=lesson, diagram_number=7, steps=[]
    )
    html = client.get(f"{LESSON}/concept-2/").content.decode()
    assert html.count('class="try-it"') == 1
    link_at = html.index('href="/cluster/scenarios/rolling-update/"')
    assert html.index('id="diagram-7"') < link_at < html.index('id="diagram-8"')


def test_try_it_links_only_where_the_scenario_belongs_to_that_lesson_and_figure(client, lesson):
    """Two lessons, each with a figure 2: a scenario of the second lesson's figure 2 links there only, the
    first lesson's scenarios never link from the second lesson, and a lesson-independent one links nowhere."""
    from visualizer.models import Scenario

    other = make_lesson("w3-d1-s1", week=3, day=1, session=1, sections=[("intro", 10, 1), ("more", 10, 2)])
    Scenario.objects.create(
        slug="first-fig2", title="첫 레슨 그림 2", lesson=lesson, diagram_number=2, steps=[]
    )
    Scenario.objects.create(
        slug="other-fig2", title="둘째 레슨 그림 2", lesson=other, diagram_number=2, steps=[]
    )
    Scenario.objects.create(slug="loose", title="레슨 없음", diagram_number=3, steps=[])

    first = client.get(f"{LESSON}/concept-2/").content.decode()
    assert 'href="/cluster/scenarios/first-fig2/"' in first
    assert "other-fig2" not in first and "/scenarios/loose/" not in first
    assert first.count('class="try-it"') == 1

    second = client.get("/lesson/w3-d1-s1/more/").content.decode()
    assert second.count('class="try-it"') == 1
    link_at = second.index('href="/cluster/scenarios/other-fig2/"')
    assert second.index('id="diagram-2"') < link_at < second.index('id="diagram-3"')
    assert "first-fig2" not in second and "/scenarios/loose/" not in second


def test_a_lessons_topic_drops_the_place_prefix_only():
    """The home shows "주제" of "Week 2 Day 4 Session 2: 주제"; other titles stay whole."""
    from course.models import Lesson
    from course.navigation import LessonEntry

    def topic(title: str) -> str:
        return LessonEntry(Lesson(title=title), 0, 0, 0).topic

    assert topic("Week 2 Day 4 Session 2: 오케스트레이션 개념") == "오케스트레이션 개념"
    assert topic("week 10 day 1 session 3:  파드") == "파드"
    assert topic("부록: Week 2 Day 4 Session 2: 복습") == "부록: Week 2 Day 4 Session 2: 복습"
    assert topic("Week 2 Day 4 Session 2:") == "Week 2 Day 4 Session 2:"


def test_a_lesson_without_time_boxes_shows_no_agenda_bar(client, lesson):
    """No "0분 진행 계획": the bar only appears when the lesson plans its minutes."""
    untimed = make_lesson("untimed", week=1, day=1, session=1, sections=[("intro", 0, 0), ("more", 0, 0)])
    assert 'class="agenda"' not in client.get(untimed.sections.first().get_absolute_url()).content.decode()
    assert 'class="agenda"' in client.get(f"{LESSON}/overview/").content.decode()


def test_the_last_page_of_a_lesson_leads_to_the_next_lesson(client, placed):
    """The course reads on: the shipped lesson's last page links to the next session; the course's last
    page links nowhere further."""
    later = make_lesson("later", week=2, day=5, session=1)
    last = client.get(f"{LESSON}/wrap-up/").content.decode()
    assert 'class="pager-link next next-lesson"' in last and f'href="{later.get_absolute_url()}"' in last
    middle = client.get(f"{LESSON}/concept-1/").content.decode()
    assert "next-lesson" not in middle
    end = client.get(later.sections.order_by("order").last().get_absolute_url()).content.decode()
    assert "next-lesson" not in end


def test_lesson_pages_and_the_course_home_link_to_the_classroom(client, placed):
    for url in ("/", f"{LESSON}/overview/"):
        assert 'class="class-link" href="/class/"' in client.get(url).content.decode()
