"""The classroom's defences in a real browser: the Content-Security-Policy is enforced and breaks nothing,
the loopback warning shows where the join link is, and ending a class reaches a connected student.

Screenshots: the dashboard with its warning (laptop and projector sizes), the projector, and a phone told
the class has ended.
"""

import pytest

from tests.browser.conftest import open_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_policy_blocks_inline_script_and_the_language_switch_still_works(browser, asgi_server):
    context, page, watch = open_page(browser, asgi_server)
    page.goto("/class/")
    # An injected inline script does not run: the browser enforces the header, and says so in the console.
    ran = page.evaluate(
        """() => { const s = document.createElement("script"); s.textContent = "window.injected = 1";
                   document.body.append(s); return window.injected === 1; }"""
    )
    assert ran is False
    assert any("Content Security Policy" in message for message in watch.console_errors), watch.console_errors
    watch.console_errors.clear()
    # The language switch used an inline onchange handler; it now works from static/js/site.js.
    page.locator("#lang-select").select_option("en")
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    page.locator("#lang-select").select_option("ko")
    page.wait_for_function("() => document.documentElement.lang === 'ko'")
    watch.assert_clean()
    context.close()


def test_the_instructor_ends_the_class_and_the_student_is_told(
    browser, asgi_server, instructor_account, screenshot_dir
):
    teacher_ctx, teacher, teacher_watch = open_page(browser, asgi_server, width=1366, height=768)
    sign_in(teacher)
    teacher.locator("#start-form button[type=submit]").click()
    teacher.wait_for_selector("#socket-status[data-state=open]")
    code = teacher.locator("#class-code").inner_text().strip()
    # The test server listens on 127.0.0.1 only: the dashboard says so and what to type instead.
    warning = teacher.locator("#join-warning")
    port = asgi_server.rsplit(":", 1)[1]
    assert f"make run HOST=0.0.0.0 PORT={port}" in warning.inner_text()  # the port in use, not the default
    # At 1366×768 the card may sit below the fold: the sticky top bar says so in view, and leads to it.
    pill = teacher.locator("#join-warning-pill")
    assert pill.is_visible() and pill.bounding_box()["y"] < 768
    pill.click()
    assert warning.is_visible()
    teacher.screenshot(path=screenshot_dir / "lan-dashboard-warning-1366.png")
    teacher.set_viewport_size({"width": 1920, "height": 1080})
    teacher.screenshot(path=screenshot_dir / "lan-dashboard-warning-1920.png")
    projector = teacher_ctx.new_page()
    projector.set_viewport_size({"width": 1920, "height": 1080})
    projector.goto(f"/class/{code}/projector/")
    assert projector.locator("#join-warning").is_visible()
    projector.screenshot(path=screenshot_dir / "lan-projector-warning-1920.png")

    phone_ctx, phone, phone_watch = open_page(
        browser, asgi_server, width=390, height=844, is_mobile=True, has_touch=True
    )
    phone.goto(f"/class/{code}/")
    phone.get_by_label("닉네임").fill("보라")
    phone.locator("#join-form button[type=submit]").click()
    phone.wait_for_selector("#socket-status[data-state=open]")

    # Ending asks first: dismissing changes nothing, accepting ends the class.
    teacher.once("dialog", lambda dialog: dialog.dismiss())
    teacher.locator("#end-class").click()
    assert teacher.locator("#end-form").is_visible()
    teacher.once("dialog", lambda dialog: dialog.accept())
    teacher.locator("#end-class").click()
    teacher.wait_for_selector("#class-ended")
    assert "수업이 끝났습니다" in teacher.locator("#class-ended").inner_text()

    phone.wait_for_selector("#class-ended")
    assert "수업이 끝났습니다" in phone.locator("#class-ended").inner_text()
    # The projector, open all along, says so too without a reload.
    projector.wait_for_selector(".cls-pj-side #class-ended")
    phone.screenshot(path=screenshot_dir / "lan-student-ended-390.png")

    # A latecomer with the code is turned away with a clear message.
    late_ctx, late, late_watch = open_page(browser, asgi_server, width=390, height=844, is_mobile=True)
    late.goto("/class/")
    late.locator("#join-code").fill(code)
    late.get_by_label("닉네임").fill("늦은 학생")
    late.locator("#join-form button[type=submit]").click()
    assert "이 수업은 끝났습니다" in late.locator(".cls-error").inner_text()
    assert late_watch.failed_responses and late_watch.failed_responses[0].startswith("410 ")
    late_watch.failed_responses.clear()
    late_watch.console_errors.remove(
        "Failed to load resource: the server responded with a status of 410 (Gone)"
    )

    for watch in (teacher_watch, phone_watch, late_watch):
        watch.assert_clean()
    for context in (teacher_ctx, phone_ctx, late_ctx):
        context.close()
