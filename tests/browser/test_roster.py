"""People in a real browser: the dashboard's roster shows who is online, the instructor renames and removes
students, and the student's 세션 마무리 checklist ticks itself live from their answers.

Screenshots: docs/screenshots/roster-*.png (dashboard at projector and laptop size, the removed student's
phone, the wrap-up checklist).
"""

import re

import pytest

from tests.browser.conftest import join_class, open_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def row(page, nickname: str):
    return page.locator(
        "#roster li", has=page.locator(".cls-roster-name", has_text=re.compile(f"^{nickname}$"))
    )


def answer_single(page, key: str, index: int) -> None:
    form = page.locator(f"#quiz-{key}")
    form.locator(f'input[value="{index}"]').check()
    form.locator("button[type=submit]").click()
    page.wait_for_selector(f"#quiz-{key} .quiz-feedback[data-correct]")


def test_roster_presence_rename_remove_and_a_live_checklist(
    browser, asgi_server, instructor_account, screenshot_dir
):
    teacher_ctx, teacher, teacher_watch = open_page(browser, asgi_server, width=1920, height=1080)
    sign_in(teacher)
    teacher.locator("#start-form button[type=submit]").click()
    teacher.wait_for_selector("#socket-status[data-state=open]")
    code = teacher.locator("#class-code").inner_text().strip()
    teacher.locator("#tab-students").click()  # the roster and the checklist live in the dashboard's tab 5

    a_ctx, alice, alice_watch = open_page(browser, asgi_server, width=1366, height=768)
    join_class(alice, code, "지민", "초급")
    b_ctx, bora, bora_watch = open_page(
        browser, asgi_server, width=390, height=844, is_mobile=True, has_touch=True
    )
    join_class(bora, code, "보라", "고급")
    c_ctx, chris, _ = open_page(browser, asgi_server)
    join_class(chris, code, "크리스", "중급")

    # Everyone online; the counts say so.
    teacher.wait_for_function("() => document.getElementById('online-count').textContent === '3'")
    assert teacher.locator("#student-count").inner_text() == "3"
    for name in ("지민", "보라", "크리스"):
        assert row(teacher, name).get_attribute("data-online") == "true"
        assert "접속 중" in row(teacher, name).inner_text()

    # Chris closes the laptop: the roster shows him as gone without a reload, and counts drop.
    c_ctx.close()
    teacher.wait_for_function(
        "() => document.getElementById('online-count').textContent === '2'", timeout=10_000
    )
    gone = row(teacher, "크리스")
    assert gone.get_attribute("data-online") == "false" and "방금 전 접속" in gone.inner_text()
    assert teacher.locator("#student-count").inner_text() == "3"

    # Percentages over the students present: Alice answers, so "응답 1/2" (Chris left, Bora is here).
    alice.locator('.cls-sections a[data-slug="concept-1"]').click()
    alice.wait_for_selector("#quiz-definition")
    answer_single(alice, "definition", 1)
    teacher.wait_for_function(
        "() => document.querySelector('#result-definition .cls-answered')?.textContent === '응답 1/2'"
    )
    teacher.screenshot(path=str(screenshot_dir / "roster-dashboard-projector.png"))

    # Rename: the student's own page shows the new name live.
    row(teacher, "지민").locator('[data-action="rename"]').click()
    teacher.locator(".cls-rename-input").fill("  보라 ")
    teacher.locator(".cls-rename button[type=submit]").click()
    alice.wait_for_function("() => document.getElementById('me-name').textContent === '보라 (2)'")
    teacher.wait_for_selector('#roster .cls-roster-name:text-is("보라 (2)")')
    teacher.set_viewport_size({"width": 1366, "height": 768})
    teacher.locator("#roster").scroll_into_view_if_needed()
    teacher.screenshot(path=str(screenshot_dir / "roster-dashboard-laptop.png"))

    # The checklist: the lesson's task list in 세션 마무리 starts unticked and ticks itself live.
    wrap = a_ctx.new_page()
    wrap.goto(f"/class/{code}/")
    wrap.wait_for_selector("#socket-status[data-state=open]")
    wrap.locator("#follow").uncheck()
    wrap.locator('.cls-sections a[data-slug="wrap-up"]').click()
    wrap.wait_for_selector('li[data-outcome="definition"]')
    boxes = wrap.locator('.section-body li.task-item input[type="checkbox"]')
    assert boxes.count() == 4 and not any(boxes.nth(i).is_checked() for i in range(4))
    evidence = wrap.locator('li[data-outcome="definition"] [data-part="evidence"]')
    assert evidence.inner_text() == "(퀴즈 1/1 정답)"
    alice.locator('.cls-sections a[data-slug="why"]').click()
    alice.wait_for_selector("#quiz-why-tempo")
    answer_single(alice, "why-tempo", 2)
    wrap.wait_for_function(
        "() => document.querySelector('li[data-outcome=\"definition\"] input').checked", timeout=10_000
    )
    assert evidence.inner_text() == "(퀴즈 2/2 정답)"
    assert wrap.locator('li[data-outcome="definition"]').get_attribute("data-done") == "true"
    wrap.locator('li[data-outcome="definition"]').scroll_into_view_if_needed()
    wrap.screenshot(path=str(screenshot_dir / "roster-wrap-up-checklist.png"))
    # The dashboard's checklist follows too (Alice reached it, out of the two students present).
    teacher.wait_for_function(
        "() => document.querySelector('#checklist li[data-outcome=\"definition\"]')?.textContent.includes('1/2')"
    )

    # Remove Bora: her page is told, her socket is closed for good, her cookie no longer works.
    teacher.once("dialog", lambda dialog: dialog.accept())
    row(teacher, "보라").locator('[data-action="remove"]').click()
    bora.wait_for_selector("#removed-notice")
    bora.wait_for_selector("#socket-status[data-state=denied]")
    bora.screenshot(path=str(screenshot_dir / "roster-removed-phone.png"))
    teacher.wait_for_function("() => document.getElementById('student-count').textContent === '2'")
    assert row(teacher, "보라").count() == 0
    bora.locator("#removed-notice a").click()
    bora.wait_for_selector("#join-form")
    join_class(bora, code, "보라", "고급")
    teacher.wait_for_function("() => document.getElementById('student-count').textContent === '3'")

    for watch in (teacher_watch, alice_watch, bora_watch):
        watch.assert_clean()
    for ctx in (teacher_ctx, a_ctx, b_ctx):
        ctx.close()
