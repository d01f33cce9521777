"""The presenter view and the dashboard in a real browser, as a 50-minute class uses them.

The projector (1920×1080) shows the instructor's lesson section itself with its diagrams drawn and follows it
live; a live matching question shows its items and targets there; during predict → observe the demo cluster
takes the stage and the deleted pod is seen Terminating beside its replacement. The dashboard (1366×768) keeps
its controls in view without scrolling and answers its keyboard shortcuts. Screenshots go to docs/screenshots/.
"""

import pytest

from tests.browser.conftest import open_page, sign_in
from tests.browser.test_classroom import join

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def in_view(page, selector: str) -> bool:
    """Whether the element is fully inside the viewport without scrolling."""
    return page.evaluate(
        """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
        return r.width > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth; }""",
        selector,
    )


def test_presenter_view_and_dashboard_through_a_class(
    browser, asgi_server, instructor_account, screenshot_dir
):
    teacher_ctx, teacher, teacher_watch = open_page(browser, asgi_server, width=1366, height=768)
    sign_in(teacher)
    teacher.locator("#start-title").fill("발표 화면")
    teacher.locator("#start-form button[type=submit]").click()
    teacher.wait_for_selector("#socket-status[data-state=open]")
    code = teacher.locator("#class-code").inner_text().strip()

    # The dashboard at 1366×768: the moment's controls are on screen without scrolling, and stay there.
    for selector in (
        "#prev-section",
        "#next-section",
        "#section-timer",
        "#live-open",
        "#live-reveal",
        "#predict-open",
        "#predict-play",
        "#open-projector",
        "#help-open",
        "#student-count",
    ):
        assert in_view(teacher, selector), selector
    height = teacher.evaluate("document.documentElement.scrollHeight")
    assert height < 1600, height  # no longer a 3,000-px page

    projector = teacher_ctx.new_page()
    projector.set_viewport_size({"width": 1920, "height": 1080})
    projector_errors: list[str] = []
    projector.on("console", lambda m: projector_errors.append(m.text) if m.type == "error" else None)
    projector.on("pageerror", lambda e: projector_errors.append(str(e)))
    projector.goto(f"/class/{code}/projector/")
    projector.wait_for_selector("#socket-status[data-state=open]")
    # Nobody has joined yet: the join code and QR fill the screen.
    projector.wait_for_selector("#pj-join-big .cls-qr svg")
    assert projector.locator("#presenter").get_attribute("data-join") == "big"
    projector.screenshot(path=screenshot_dir / "presenter-join-1920.png")

    s_ctx, student, student_watch = open_page(browser, asgi_server, width=1366, height=768)
    student.goto("/class/")
    join(student, code, "지민", "초급")
    # Someone joined: the code shrinks to its corner and the lesson section is on the projector.
    projector.wait_for_selector("#presenter[data-join=small]")
    assert projector.locator("#pj-join-small").is_visible()
    assert "지민" not in projector.locator("body").inner_text()

    # ← / → on the dashboard move the class; the projector follows with the section itself, diagram drawn.
    teacher.locator("body").click(position={"x": 700, "y": 600})
    for title in ("왜", "개념 1", "개념 2", "개념 3"):
        teacher.keyboard.press("ArrowRight")
        teacher.wait_for_function(
            f"() => document.getElementById('now-title').textContent.includes('{title}')"
        )
    projector.wait_for_selector("article.cls-pj-body[data-section=concept-3]")
    projector.wait_for_selector(".cls-pj-body .diagram-canvas[data-state=rendered] svg", timeout=20000)
    teacher.keyboard.press("ArrowLeft")
    projector.wait_for_selector("article.cls-pj-body[data-section=concept-2]")
    projector.wait_for_selector(".cls-pj-body .diagram-canvas[data-state=rendered] svg", timeout=20000)
    size = projector.evaluate(
        "() => parseFloat(getComputedStyle(document.querySelector('.cls-pj-body')).fontSize)"
    )
    assert size >= 24, size  # large text on the projector
    width = projector.evaluate(
        "() => document.querySelector('.cls-pj-body .diagram-canvas svg').getBoundingClientRect().width"
    )
    assert width > 700, width  # diagrams as wide as the stage allows
    projector.screenshot(path=screenshot_dir / "presenter-section-1920.png")

    # Typing in an input does not move the class.
    teacher.locator("#live-question").focus()
    teacher.keyboard.press("ArrowRight")
    teacher.wait_for_timeout(400)
    assert "개념 2" in teacher.locator("#now-title").inner_text()

    # A live matching question: every item and target on the projector, and on the dashboard.
    teacher.locator("#live-question").select_option("component-roles")
    teacher.locator("body").click(position={"x": 700, "y": 700})
    teacher.keyboard.press("o")
    projector.wait_for_selector("#pj-live:not([hidden]) .cls-items-match")
    assert projector.locator("#pj-live .cls-match-left li").count() == 6
    assert projector.locator("#pj-live .cls-match-right li").count() == 6
    assert "kube-proxy" in projector.locator("#pj-live").inner_text()
    assert "네트워킹" in projector.locator("#pj-live").inner_text()
    assert teacher.locator("#live-items .cls-match-left li").count() == 6
    student.wait_for_selector("#live-panel:not([hidden])")
    for i in range(6):
        student.locator(f"#live-form select[name=m{i}]").select_option(str(i))
    student.locator("#live-form button[type=submit]").click()
    teacher.wait_for_function("() => document.getElementById('moment-text').textContent.includes('1/1')")
    teacher.keyboard.press("r")  # reveal
    projector.wait_for_selector("#pj-live-rounds .cls-round")
    assert "정답률 100%" in projector.locator("#pj-live-rounds").inner_text()
    projector.screenshot(path=screenshot_dir / "presenter-matching-1920.png")
    teacher.keyboard.press("n")  # round 2
    projector.wait_for_function(
        "() => document.getElementById('pj-live-state').textContent.startsWith('2라운드')"
    )
    teacher.screenshot(path=screenshot_dir / "dashboard-live-1366.png")

    # The help lists the shortcuts; Esc closes the help first, then (a second Esc) the question.
    teacher.keyboard.press("?")
    teacher.wait_for_selector("#shortcut-help[open]")
    assert "2라운드" in teacher.locator("#shortcut-help").inner_text()
    teacher.screenshot(path=screenshot_dir / "dashboard-help-1366.png")
    teacher.keyboard.press("Escape")
    teacher.wait_for_function("() => !document.getElementById('shortcut-help').open")
    assert teacher.locator("#live-close").is_enabled()
    teacher.keyboard.press("Escape")
    projector.wait_for_selector("#pj-live[hidden]", state="attached")

    # Results tab (2): matching and ordering results are legible, with their answer key.
    teacher.keyboard.press("2")
    teacher.wait_for_selector("#panel-results:not([hidden])")
    card = teacher.locator("#result-component-roles")
    assert card.get_attribute("data-kind") == "matching"
    card.locator(".cls-key summary").click()
    assert "etcd → 클러스터 정보 저장" in card.inner_text()
    teacher.keyboard.press("1")

    # Predict → observe: the demo takes the projector's stage; the deleted pod is seen Terminating.
    teacher.locator("#predict-prompt").select_option("predict-delete-pod")
    teacher.locator("#predict-open").click()
    projector.wait_for_selector("#presenter[data-predict=true]")
    projector.wait_for_selector(".cls-pj-demo .viz-cluster[data-pods='3']")
    student.wait_for_selector("#predict-panel:not([hidden])")
    student.locator("#predict-form input[value='1']").check()
    student.locator("#predict-form button[type=submit]").click()
    teacher.wait_for_function("() => document.getElementById('predict-state').textContent.includes('1/1')")
    teacher.locator("body").click(position={"x": 700, "y": 700})
    teacher.keyboard.press("e")  # play
    projector.wait_for_selector("#pj-predict-result .cls-round")
    projector.wait_for_selector(".cls-pj-demo .viz-cluster[data-pods='4']")
    projector.wait_for_selector(".cls-pj-demo .viz-cluster[data-observing=true]")
    projector.wait_for_timeout(600)  # the pod fade-in settles; the frame is held 3 s
    assert projector.locator(".cls-pj-demo .viz-cluster[data-pods='4']").count() == 1
    projector.screenshot(path=screenshot_dir / "presenter-observe-1920.png")
    projector.wait_for_selector(".cls-pj-demo .viz-cluster[data-pods='3']", timeout=20000)

    for watch in (teacher_watch, student_watch):
        watch.assert_clean()
    assert projector_errors == []
    for ctx in (teacher_ctx, s_ctx):
        ctx.close()
