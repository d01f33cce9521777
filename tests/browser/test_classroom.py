"""The classroom in real browsers: an instructor, a projector and two students in separate contexts.

One story, as a class runs it: the instructor logs in and starts a class; two students join by code (one by
the form, one through the join URL the QR code encodes, on a phone); the class follows the instructor's
section; a quiz answer reaches the dashboard's histogram without a reload; a peer-instruction vote is
revealed on the projector; pairs are formed and the partners' shared answer syncs; the spotlight reaches
the projector. Screenshots of every view go to docs/screenshots/.
"""

import pytest
from django.core.management import call_command

from tests.browser.conftest import open_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def join(page, code: str, nickname: str, level_label: str) -> None:
    page.get_by_label("닉네임").fill(nickname)
    page.get_by_label(level_label).check()
    if not page.locator("#join-code").input_value():
        page.locator("#join-code").fill(code.lower())
    page.locator("#join-form button[type=submit]").click()
    page.wait_for_selector("#socket-status[data-state=open]")


def test_a_class_runs_live_across_instructor_projector_and_two_students(
    browser, asgi_server, instructor_account, screenshot_dir
):
    teacher_ctx, teacher, teacher_watch = open_page(browser, asgi_server, width=1920, height=1080)
    sign_in(teacher)
    teacher.locator("#start-title").fill("2기 오전반")
    teacher.locator("#start-form button[type=submit]").click()
    teacher.wait_for_selector("#socket-status[data-state=open]")
    code = teacher.locator("#class-code").inner_text().strip()
    join_url = teacher.locator("#join-url").inner_text().strip()
    assert join_url.endswith(f"/class/{code}/")

    projector = teacher_ctx.new_page()
    projector.set_viewport_size({"width": 1920, "height": 1080})
    projector_watch_errors: list[str] = []
    projector.on("console", lambda m: projector_watch_errors.append(m.text) if m.type == "error" else None)
    projector.goto(f"/class/{code}/projector/")
    projector.wait_for_selector("#socket-status[data-state=open]")

    # Two students: one types the code, one opens the join URL on a phone (what the QR code encodes).
    a_ctx, alice, alice_watch = open_page(browser, asgi_server, width=1366, height=768)
    alice.goto("/class/")
    join(alice, code, "지민", "초급")
    b_ctx, bora, bora_watch = open_page(
        browser, asgi_server, width=390, height=844, is_mobile=True, has_touch=True
    )
    bora.goto(join_url)
    assert bora.locator("#join-code").input_value() == code
    join(bora, code, "보라", "고급")
    teacher.wait_for_function("() => document.getElementById('student-count').textContent === '2'")

    # Pacing: the instructor moves to 개념 1 and both students follow without reloading.
    teacher.locator("[data-goto=concept-1]").click()
    for page in (alice, bora):
        page.wait_for_selector("article.cls-section[data-section=concept-1]")
    projector.wait_for_function("() => document.getElementById('now-title').textContent.includes('개념 1')")

    # A quiz answer: instant feedback for the student, the histogram updates on the dashboard.
    quiz = alice.locator("#quiz-definition")
    quiz.locator("input[value='1']").check()
    quiz.locator("button[type=submit]").click()
    alice.wait_for_selector("#quiz-definition .quiz-feedback[data-correct=true]")
    assert "레슨에서 다시 보기" in quiz.locator(".quiz-feedback").inner_text()
    card = teacher.locator("#result-definition")
    teacher.wait_for_function(
        "() => document.querySelector('#result-definition .cls-answered').textContent.includes('1/2')"
    )
    assert "정답률 100%" in card.inner_text()
    assert "보라" in card.locator(".cls-waiting").text_content()
    # A wrong answer on the phone: the same histogram moves to 2/2, 50 %.
    bora.locator("#quiz-definition input[value='0']").check()
    bora.locator("#quiz-definition button[type=submit]").click()
    bora.wait_for_selector("#quiz-definition .quiz-feedback[data-correct=false]")
    teacher.wait_for_function(
        "() => document.querySelector('#result-definition .cls-percent').textContent.includes('50%')"
    )

    # The answer survives a reload.
    alice.reload()
    alice.wait_for_selector("#socket-status[data-state=open]")
    assert alice.locator("#quiz-definition input[value='1']").is_checked()
    assert alice.locator("#quiz-definition .quiz-feedback[data-correct=true]").count() == 1

    # Peer instruction: open, vote, reveal on the projector.
    teacher.locator("#live-question").select_option("etcd-role")
    teacher.locator("#live-open").click()
    for page in (alice, bora):
        page.wait_for_selector("#live-panel:not([hidden])")
    alice.locator("#live-form input[value='1']").check()
    alice.locator("#live-form button[type=submit]").click()
    bora.locator("#live-form input[value='0']").check()
    bora.locator("#live-form button[type=submit]").click()
    teacher.wait_for_function(
        "() => document.querySelector('#live-rounds .cls-round p')?.textContent.includes('2/2')"
    )
    teacher.locator("#live-reveal").click()
    projector.wait_for_selector("#pj-live-rounds .cls-round")
    assert "정답률 50%" in projector.locator("#pj-live-rounds").inner_text()

    # Pairs: formed by level; the partners' shared answer syncs both ways.
    teacher.locator("[data-goto=discussion]").click()
    teacher.locator("#tab-pairs").click()  # the dashboard's pairs and share board tab
    teacher.locator("#form-pairs").click()
    teacher.locator("#start-discussion").click()
    for page in (alice, bora):
        page.wait_for_selector("#pair-box:not([hidden])")
        page.wait_for_selector("#discussion-timer:not([hidden])")
    alice.locator("#pair-practice").fill("우리 쇼핑몰은 <b>자동 확장</b>이 가장 필요")
    bora.wait_for_function("() => document.getElementById('pair-practice').value.includes('자동 확장')")
    for key in ("health-check", "rolling-update", "auto-scaling"):
        bora.locator(f"#pair-features input[value={key}]").check()
    alice.wait_for_function("() => document.querySelectorAll('#pair-features input:checked').length === 3")
    assert alice.locator("#pair-features input[value=storage]").is_disabled()
    bora.locator("#pair-automation").fill("배포와 복구까지 자동화")
    alice.wait_for_function("() => document.getElementById('pair-automation').value.includes('복구')")

    # Share board → spotlight on the projector (no names), and the class chart.
    teacher.wait_for_function(
        "() => document.querySelector('#board .cls-boardcard')?.textContent.includes('배포와 복구')"
    )
    teacher.locator("#board .cls-boardcard button", has_text="프로젝터에 표시").first.click()
    projector.wait_for_selector("#pj-spotlight:not([hidden])")
    spotlight = projector.locator("#pj-spotlight").inner_text()
    assert "<b>자동 확장</b>" in spotlight and "지민" not in spotlight and "보라" not in spotlight
    assert "1" in projector.locator("#chart .is-correct, #chart li").first.inner_text()
    alice.wait_for_selector("#spotlight-panel:not([hidden])")

    # Screenshots: students (laptop, phone), instructor and projector.
    alice.screenshot(path=screenshot_dir / "classroom-student-1366.png", full_page=False)
    bora.screenshot(path=screenshot_dir / "classroom-student-390.png", full_page=True)
    teacher.screenshot(path=screenshot_dir / "classroom-instructor-1920.png", full_page=True)
    projector.screenshot(path=screenshot_dir / "classroom-projector-1920.png", full_page=False)

    for watch in (teacher_watch, alice_watch, bora_watch):
        watch.assert_clean()
    assert projector_watch_errors == []
    for ctx in (teacher_ctx, a_ctx, b_ctx):
        ctx.close()


def test_predict_then_observe_on_the_class_demo_cluster(
    browser, asgi_server, instructor_account, screenshot_dir
):
    """The instructor pauses the demo and asks; a student predicts; the instructor plays `kubectl scale`:
    the histogram is revealed on the projector and the student's page, and the demo cluster embedded on the
    dashboard and the projector grows from 3 to 5 pods."""
    call_command("loaddata", "predictions", verbosity=0)
    teacher_ctx, teacher, teacher_watch = open_page(browser, asgi_server, width=1920, height=1080)
    sign_in(teacher)
    teacher.locator("#start-title").fill("예측 수업")
    teacher.locator("#start-form button[type=submit]").click()
    teacher.wait_for_selector("#socket-status[data-state=open]")
    teacher.locator("#tab-demo").click()  # the dashboard's demo cluster tab
    teacher.wait_for_selector(".cls-demo .viz-cluster[data-connection=open]")
    assert teacher.locator(".cls-demo [data-control=toggle]").count() == 1  # the instructor drives it here
    code = teacher.locator("#class-code").inner_text().strip()

    projector = teacher_ctx.new_page()
    projector.set_viewport_size({"width": 1920, "height": 1080})
    projector_errors: list[str] = []
    projector.on("console", lambda m: projector_errors.append(m.text) if m.type == "error" else None)
    projector.goto(f"/class/{code}/projector/")
    projector.wait_for_selector("#socket-status[data-state=open]")
    assert projector.locator(".cls-pj-demo [data-control]").count() == 0  # read-only on the projector

    s_ctx, student, student_watch = open_page(browser, asgi_server, width=1366, height=768)
    student.goto("/class/")
    join(student, code, "지민", "초급")
    assert student.locator("#sandbox-link").get_attribute("href") == "/cluster/"
    assert student.locator("#scenarios-link").get_attribute("href") == "/cluster/scenarios/"
    teacher.wait_for_function("() => document.getElementById('student-count').textContent === '1'")

    # Predict: the demo is paused and set up (3 pods), the prompt reaches the student and the projector.
    teacher.locator("#tab-live").click()
    teacher.locator("#predict-prompt").select_option("predict-scale")
    teacher.locator("#predict-open").click()
    student.wait_for_selector("#predict-panel:not([hidden])")
    projector.wait_for_selector("#pj-predict:not([hidden])")
    for page in (teacher, projector):
        page.wait_for_selector(".viz-cluster[data-pods='3']", state="attached")
        page.wait_for_function(
            "() => document.querySelector('.viz-cluster [data-part=clock-state]').textContent.includes('멈춤')"
        )
    assert "scale" in projector.locator("#pj-predict-prompt").inner_text()
    assert projector.locator("#pj-predict-result").inner_text() == ""  # nothing revealed yet

    student.locator("#predict-form input[value='2']").check()
    student.locator("#predict-form button[type=submit]").click()
    student.wait_for_function(
        "() => document.querySelector('#predict-form .quiz-feedback').textContent.includes('저장')"
    )
    teacher.wait_for_function("() => document.getElementById('predict-state').textContent.includes('1/1')")
    assert student.locator("#predict-result").inner_text() == ""

    # Observe: the action runs on the demo, its clock resumes, the class sees the predictions and the outcome.
    teacher.locator("#predict-play").click()
    projector.wait_for_selector("#pj-predict-result .cls-round")
    assert "정답률 100%" in projector.locator("#pj-predict-result").inner_text()
    student.wait_for_selector("#predict-result .cls-round")
    assert "내 예측이 맞았습니다" in student.locator("#predict-result").inner_text()
    assert "null" not in student.locator("#predict-result").inner_text()
    teacher.wait_for_function(
        "() => document.getElementById('predict-body').textContent.includes('deployment.apps/web scaled')"
    )
    assert "null" not in teacher.locator("#predict-body").inner_text()
    assert student.locator("#predict-form input[value='0']").is_disabled()
    for page in (teacher, projector):
        page.wait_for_selector(".viz-cluster[data-pods='5']", state="attached", timeout=15000)
    teacher.wait_for_function(
        "() => [...document.querySelectorAll('.viz-cluster [data-part=\"clock-state\"]')].every((el) => !el.textContent.includes('멈춤'))"
    )
    # Let the new pods reach Running before the screenshots.
    projector.wait_for_timeout(4000)
    teacher.locator(".cls-predictcontrol").scroll_into_view_if_needed()
    teacher.screenshot(path=screenshot_dir / "classroom-predict-dashboard-1920.png", full_page=False)
    projector.screenshot(path=screenshot_dir / "classroom-predict-projector-1920.png", full_page=False)
    student.screenshot(path=screenshot_dir / "classroom-predict-student-1366.png", full_page=False)

    for watch in (teacher_watch, student_watch):
        watch.assert_clean()
    assert projector_errors == []
    for ctx in (teacher_ctx, s_ctx):
        ctx.close()
