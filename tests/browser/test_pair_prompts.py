"""A class on a corpus lesson: the pair sheet asks that lesson's prompts, two partners write to them, and the
share board and the projector show their answers under the lesson's own words."""

import pytest
from django.core.management import call_command

from course.classroom import actions
from course.models import ClassSession, Pair
from tests.browser.conftest import join_class, open_page, sign_in
from tests.corpus.corpus import LESSONS_DIR, expected
from tests.corpus.importing import find_lesson, import_lesson

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CORPUS_FILE = "week1-day2-session1.md"
PROMPTS = [
    "우리 팀 Dockerfile에서 가장 자주 바뀌는 줄은 어디에 있어야 할까?",
    "slim과 alpine 중 무엇을 고를까?",
    "이미지 안에 비밀번호가 들어가면 어떤 일이 생길까?",
]


@pytest.fixture
def corpus_class(lesson, django_user_model):
    import_lesson(LESSONS_DIR / CORPUS_FILE)
    facts = next(f for f in expected() if f["file"] == CORPUS_FILE)
    call_command("create_instructor", "teacher", password="teacher-password-1")
    teacher = django_user_model.objects.get(username="teacher")
    return actions.start_class(teacher, find_lesson(facts), "도커 오후반")


def test_two_partners_answer_a_corpus_lessons_prompts_and_the_share_board_shows_them(
    browser, asgi_server, corpus_class, screenshot_dir
):
    klass = corpus_class
    laptop_ctx, laptop, laptop_watch = open_page(browser, asgi_server, width=1366, height=768)
    phone_ctx, phone, phone_watch = open_page(
        browser, asgi_server, width=390, height=844, is_mobile=True, has_touch=True
    )
    join_class(laptop, klass.code, "지민")
    join_class(phone, klass.code, "보라")
    actions.form_pairs(ClassSession.objects.get(pk=klass.pk))
    for page in (laptop, phone):
        page.reload()
        page.wait_for_selector("#pair-box:not([hidden])")
        page.wait_for_selector("#pair-sync[data-state=saved]", timeout=15_000)
        # This lesson's three prompts, as written; no picker and none of the first lesson's prompts.
        labels = page.locator("#pair-box label.cls-prompt").all_inner_texts()
        assert [label.split(": ", 1)[1] for label in labels] == PROMPTS
        assert page.locator("#pair-features").count() == 0
        assert "8가지 기능" not in page.locator("#pair").inner_text()

    laptop.locator("#pair-prompt-1").fill("맨 아래에 COPY . .")
    phone.locator("#pair-automation").fill("빌드 인자로도 남으니 시크릿 마운트")
    for page in (laptop, phone):
        page.wait_for_selector("#pair-sync[data-state=saved]", timeout=15_000)
    # Each partner sees the other's answer.
    laptop.wait_for_function(
        "() => document.getElementById('pair-automation').value === '빌드 인자로도 남으니 시크릿 마운트'"
    )
    phone.wait_for_function("() => document.getElementById('pair-prompt-1').value === '맨 아래에 COPY . .'")
    pair = Pair.objects.get(session=klass)
    assert pair.answers == {"1": "맨 아래에 COPY . .", "2": "", "3": "빌드 인자로도 남으니 시크릿 마운트"}

    teacher_ctx, teacher, teacher_watch = open_page(browser, asgi_server, width=1366, height=768)
    sign_in(teacher)
    teacher.goto(f"/class/{klass.code}/teach/")
    teacher.wait_for_selector("#socket-status[data-state=open]")
    teacher.locator("#tab-pairs").click()
    card = teacher.locator(f"#pair-{pair.pk}")
    card.wait_for()
    lines = card.locator(".cls-paircard p").all_inner_texts()
    assert lines == [
        "캐시 전략: 맨 아래에 COPY . .",
        "베이스 이미지: —",
        "보안: 빌드 인자로도 남으니 시크릿 마운트",
    ]
    assert teacher.locator("#chart").is_hidden()  # no picker in this lesson, so no chart

    projector_ctx, projector, projector_watch = open_page(browser, asgi_server, width=1920, height=1080)
    sign_in(projector, f"/class/{klass.code}/projector/")
    projector.wait_for_selector("#socket-status[data-state=open]")
    card.locator("button", has_text="프로젝터에 표시").click()
    projector.wait_for_selector("#pj-spotlight:not([hidden])")
    shown = projector.locator("#pj-spotlight-body").inner_text()
    assert "캐시 전략" in shown and "빌드 인자로도 남으니 시크릿 마운트" in shown
    phone.wait_for_selector("#spotlight-panel:not([hidden])")

    projector.screenshot(path=str(screenshot_dir / "classroom-pair-corpus-projector-1920.png"))
    laptop.screenshot(path=str(screenshot_dir / "classroom-pair-corpus-student-1366.png"))
    phone.locator("#pair").scroll_into_view_if_needed()
    phone.screenshot(path=str(screenshot_dir / "classroom-pair-corpus-student-390.png"))
    teacher.screenshot(path=str(screenshot_dir / "classroom-pair-corpus-board-1366.png"))
    for watch in (laptop_watch, phone_watch, teacher_watch, projector_watch):
        watch.assert_clean()
    for ctx in (laptop_ctx, phone_ctx, teacher_ctx, projector_ctx):
        ctx.close()
