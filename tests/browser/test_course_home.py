"""The course home in a real browser (projector, laptop, phone) and a class started on the second lesson."""

import pytest

from tests.browser.conftest import join_class, open_page, sign_in
from tests.course.lessons import make_lesson, place

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = [("projector", 1920, 1080), ("laptop", 1366, 768), ("phone", 390, 844)]


@pytest.fixture
def course(lesson):
    """The shipped lesson (week 2, day 4, session 2) and four more around it, one without a place."""
    place(lesson, 2, 4, 2)
    make_lesson(
        "w2-d4-s1", week=2, day=4, session=1, title="Week 2 Day 4 Session 1: 컨테이너 복습과 도커 네트워크"
    )
    make_lesson(
        "w2-d5-s1",
        week=2,
        day=5,
        session=1,
        title="Week 2 Day 5 Session 1: Kubernetes 아키텍처 심화 — 컨트롤 플레인의 모든 구성 요소 살펴보기",
        sections=[("intro", 10, 1), ("parts", 25, 3), ("wrap", 15, 0)],
    )
    make_lesson("w3-d1-s1", week=3, day=1, session=1, title="Week 3 Day 1 Session 1: 파드와 디플로이먼트")
    make_lesson("appendix", title="부록: 실습 환경 준비")
    return lesson


def test_the_course_home_lists_every_lesson_on_projector_laptop_and_phone(
    browser, asgi_server, course, screenshot_dir
):
    """Grouped by week then day, in course order; nothing overflows sideways; a lesson opens from its card and
    its pages lead back to 전체 과정."""
    for name, width, height in SIZES:
        context, page, watch = open_page(browser, asgi_server, width=width, height=height)
        page.goto("/")
        weeks = page.locator(".course-week h2").all_inner_texts()
        assert [w.split()[0] for w in weeks] == ["2주차", "3주차", "그"]
        slugs = page.locator(".course-lesson").evaluate_all("els => els.map(e => e.dataset.lesson)")
        assert slugs == ["w2-d4-s1", "week2-day4-session2", "w2-d5-s1", "w3-d1-s1", "appendix"]
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name}: the page scrolls sideways by {overflow}px"
        card = page.locator('.course-lesson[data-lesson="week2-day4-session2"]')
        assert "50분" in card.inner_text() and "8쪽" in card.inner_text() and "그림 10개" in card.inner_text()
        page.screenshot(path=str(screenshot_dir / f"course-home-{name}.png"), full_page=True)
        if name == "laptop":
            card.locator("a").click()
            page.wait_for_url("**/lesson/week2-day4-session2/overview/")
            page.get_by_role("link", name="전체 과정").click()
            page.wait_for_url(asgi_server + "/")
        watch.assert_clean()
        context.close()


def test_a_class_started_on_the_second_lesson_uses_its_sections_and_quizzes(
    browser, asgi_server, course, instructor_account, screenshot_dir
):
    """The instructor picks week 3 in the start form; the dashboard's agenda and the student's page are that
    lesson's, with its own quiz and none of the first lesson's."""
    from course.models import Lesson, Question

    second = Lesson.objects.get(slug="w3-d1-s1")
    Question.objects.create(
        key="w3-what",
        lesson=second,
        section="intro",
        kind="single",
        prompt="파드는 무엇의 묶음일까요?",
        choices=["컨테이너", "노드"],
        answer=0,
        explanation="파드는 컨테이너의 묶음입니다.",
    )
    context, teacher, watch = open_page(browser, asgi_server, width=1366, height=768)
    sign_in(teacher)
    teacher.locator("#start-lesson").select_option(label="Week 3 Day 1 Session 1: 파드와 디플로이먼트")
    teacher.screenshot(path=str(screenshot_dir / "classroom-start-lesson-choice.png"))
    teacher.locator("#start-form button[type=submit]").click()
    teacher.wait_for_url("**/teach/")
    code = teacher.url.rstrip("/").split("/")[-2]

    phone, student, student_watch = open_page(browser, asgi_server, width=390, height=844)
    join_class(student, code, "민수")
    student.wait_for_selector('[data-key="w3-what"]')
    assert student.locator("[data-key]").count() == 1
    assert "intro of w3-d1-s1" in student.locator(".section-body").first.inner_text()
    student.screenshot(path=str(screenshot_dir / "classroom-second-lesson-student.png"))
    # Back on /class/, the next class starts on the same lesson unless the instructor picks another.
    teacher.goto("/class/")
    assert teacher.locator("#start-lesson").input_value() == str(second.pk)
    watch.assert_clean()
    student_watch.assert_clean()
    phone.close()
    context.close()
