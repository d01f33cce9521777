"""Two partners co-edit one pair answer in real browsers, typing Korean through a (simulated) IME at once.

One partner on a laptop, one on a phone (390 px). Each syllable is composed as an IME composes it — the
initial consonant, then consonant + vowel, then the full syllable (`Input.imeSetComposition` over a CDP
session) — and committed with `Input.insertText`; the partner's syllables are committed while the other is
still composing, so remote edits arrive mid-composition. Every character of both sentences must end up in
both textareas, the database and the instructor's board, with no stray jamo; "저장됨" only once the server
acknowledged. Then a reload, and an offline → closed tab → online round trip.
"""

import re

import pytest

from course.classroom import actions
from course.classroom.features import FEATURES
from course.models import ClassSession, Pair
from tests.browser.conftest import CHROMIUM, join_class, open_page, sign_in
from tests.browser.ime import JAMO, Typist, type_together

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP_SENTENCE = "우리 팀은 자동 확장이 꼭 필요해요."
PHONE_SENTENCE = "헬스 체크로 장애를 빨리 찾아요!"


def value(page, selector="#pair-practice") -> str:
    return page.locator(selector).input_value()


def wait_saved(page):
    page.wait_for_selector("#pair-sync[data-state=saved]", timeout=15_000)


def test_two_partners_type_korean_into_one_field_at_once(browser, asgi_server, klass, screenshot_dir):
    laptop_ctx, laptop, laptop_watch = open_page(browser, asgi_server, width=1366, height=768)
    phone_ctx, phone, phone_watch = open_page(
        browser, asgi_server, width=390, height=844, is_mobile=True, has_touch=True
    )
    modules = []
    laptop.on(
        "request", lambda r: modules.append(r.url) if "/vendor/" in r.url and r.url.endswith(".js") else None
    )
    join_class(laptop, klass.code, "지민")
    join_class(phone, klass.code, "보라")
    actions.form_pairs(ClassSession.objects.get(pk=klass.pk))
    pair = Pair.objects.get(session=klass)
    for page in (laptop, phone):
        page.reload()
        page.wait_for_selector("#pair-box:not([hidden])")
        wait_saved(page)
    teacher_ctx, teacher, teacher_watch = open_page(browser, asgi_server, width=1920, height=1080)
    sign_in(teacher)
    teacher.goto(f"/class/{klass.code}/teach/")
    teacher.wait_for_selector("#socket-status[data-state=open]")

    # Yjs and lib0 load as ES modules under their hashed (long-cacheable) names, from this server only.
    assert any("/static/vendor/yjs/yjs." in url for url in modules)
    assert len([u for u in modules if "/static/vendor/lib0/" in u]) > 20
    assert all(re.search(r"\.[0-9a-f]{12}\.js$", url) for url in modules), modules

    a = Typist(laptop, "#pair-practice", LAPTOP_SENTENCE)
    b = Typist(phone, "#pair-practice", PHONE_SENTENCE)
    mid_composition = type_together(a, b)
    assert mid_composition > 5

    expected = len(LAPTOP_SENTENCE) + len(PHONE_SENTENCE)
    for page in (laptop, phone):
        page.wait_for_function(
            "(n) => document.getElementById('pair-practice').value.length === n", arg=expected, timeout=15_000
        )
        wait_saved(page)
    text = value(laptop)
    assert value(phone) == text
    assert LAPTOP_SENTENCE in text and PHONE_SENTENCE in text, text
    assert not JAMO.search(text)
    pair.refresh_from_db()
    assert pair.practice == text and pair.ydoc
    teacher.wait_for_function(
        "(t) => document.getElementById('board').textContent.includes(t)", arg=text, timeout=10_000
    )
    assert not JAMO.search(teacher.locator("#board").inner_text())

    # Feature picks merge too; the phone's panel as a student sees it.
    laptop.locator("#pair-features input[value=deployment]").check()
    phone.locator("#pair-features input[value=health-check]").check()
    for page in (laptop, phone):
        page.wait_for_function("() => document.querySelectorAll('#pair-features input:checked').length === 2")
        wait_saved(page)
    pair.refresh_from_db()
    assert sorted(pair.features) == ["deployment", "health-check"]

    # Both pick a third feature at once (the phone's pick waits offline): the merge has four picks, and the
    # server keeps the first three in the document's order, with a notice on both screens.
    phone_ctx.set_offline(True)
    phone.wait_for_function("() => navigator.onLine === false")
    phone.locator("#pair-features input[value=storage]").check()
    phone.wait_for_selector("#pair-sync[data-state=offline]")
    laptop.locator("#pair-features input[value=secrets]").check()
    wait_saved(laptop)
    phone_ctx.set_offline(False)
    for page in (laptop, phone):
        page.wait_for_selector("#pair-notice:not([hidden])", timeout=10_000)
        wait_saved(page)
    pair.refresh_from_db()
    # The two earlier picks (concurrent too: their order is the CRDT's) come first, then one of the two.
    assert len(pair.features) == 3 and sorted(pair.features[:2]) == ["deployment", "health-check"]
    dropped = ({"secrets", "storage"} - set(pair.features)).pop()
    for page in (laptop, phone):
        checked = page.eval_on_selector_all("#pair-features input:checked", "els => els.map((e) => e.value)")
        assert sorted(checked) == sorted(pair.features)
        assert FEATURES[dropped] in page.locator("#pair-notice").inner_text()
    phone.locator("#pair").scroll_into_view_if_needed()
    phone.locator("#pair").screenshot(path=str(screenshot_dir / "pair-coediting-phone.png"))
    laptop.locator("#pair").screenshot(path=str(screenshot_dir / "pair-coediting-laptop.png"))
    phone_watch.assert_clean()

    # A reload in the same moment as a keystroke, before the page could send it: the update is in
    # localStorage, and the reloaded page sends it.
    laptop.locator("#pair-automation").click()
    pending = laptop.evaluate(
        """() => {
            const area = document.getElementById('pair-automation');
            area.value = '새로고침 전에 쓴 문장';
            area.setSelectionRange(area.value.length, area.value.length);
            area.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertText' }));
            const keys = Object.keys(localStorage).filter((k) => k.startsWith('orchestra-lab:pair:'));
            const pending = keys.map((k) => JSON.parse(localStorage.getItem(k)).length);
            location.reload();  // in the same task: the send timer never fires on this page
            return pending;
        }"""
    )
    assert pending == [1]
    laptop.wait_for_selector("#pair-box:not([hidden])")
    wait_saved(laptop)
    phone.wait_for_function(
        "() => document.getElementById('pair-automation').value === '새로고침 전에 쓴 문장'", timeout=10_000
    )
    pair.refresh_from_db()
    assert pair.automation == "새로고침 전에 쓴 문장"
    assert (
        laptop.evaluate(
            "() => Object.keys(localStorage).filter((k) => k.startsWith('orchestra-lab:pair:')).length"
        )
        == 0
    )

    # Offline: "저장됨" is not claimed; the tab is closed; back online a new tab sends what was typed.
    phone_ctx.set_offline(True)
    phone.wait_for_function("() => navigator.onLine === false")
    phone.locator("#pair-automation").click()
    phone.evaluate(
        "() => { const a = document.getElementById('pair-automation'); a.setSelectionRange(a.value.length, a.value.length); }"
    )
    phone.keyboard.insert_text(" 오프라인 추가")
    phone.wait_for_selector("#pair-sync[data-state=offline]")
    assert "연결되면 저장됩니다" in phone.locator("#pair-sync").inner_text()
    pair.refresh_from_db()
    assert "오프라인 추가" not in pair.automation
    phone.close()
    phone_ctx.set_offline(False)
    phone = phone_ctx.new_page()
    phone.goto(f"/class/{klass.code}/")
    phone.wait_for_selector("#pair-box:not([hidden])")
    wait_saved(phone)
    assert value(phone, "#pair-automation") == "새로고침 전에 쓴 문장 오프라인 추가"
    laptop.wait_for_function(
        "() => document.getElementById('pair-automation').value.endsWith('오프라인 추가')", timeout=10_000
    )
    pair.refresh_from_db()
    assert pair.automation == "새로고침 전에 쓴 문장 오프라인 추가"

    for watch in (laptop_watch, teacher_watch):
        watch.assert_clean()
    for ctx in (laptop_ctx, phone_ctx, teacher_ctx):
        ctx.close()


def test_the_pair_panel_runs_under_a_csp_without_inline_scripts(browser, asgi_server, klass):
    """Yjs loads without an import map or any inline script: the pair panel works under `script-src 'self'`.

    The header is added by the test (the app's own CSP comes separately). A document fulfilled by the test
    counts as public for Chromium's local-network checks, which would then block the socket to 127.0.0.1:
    this test runs its own Chromium without them.
    """
    own = browser.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=["--no-sandbox", "--disable-gpu", "--disable-features=LocalNetworkAccessChecks"],
    )
    try:
        ctx, page, watch = open_page(own, asgi_server, width=390, height=844, is_mobile=True, has_touch=True)
        violations = []
        page.on(
            "console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None
        )

        def with_csp(route):
            response = route.fetch()
            headers = {**response.headers, "content-security-policy": "script-src 'self'; object-src 'none'"}
            route.fulfill(response=response, headers=headers)

        page.route(re.compile(r".*/class/[^/]+/$"), with_csp)
        join_class(page, klass.code, "민수")
        page.locator("#pair-none button[type=submit]").first.click()  # 페어 코드 만들기
        page.wait_for_selector("#pair-box:not([hidden])")
        wait_saved(page)
        page.locator("#pair-practice").click()
        page.keyboard.insert_text("혼자서도 저장")
        wait_saved(page)
        assert Pair.objects.get(session=klass).practice == "혼자서도 저장"
        # The site header's language switch still has an inline handler (fixed with the app's CSP); nothing
        # else may be refused: no module, no import map, no inline script.
        assert [v for v in violations if "inline event handler" not in v] == []
        assert watch.page_errors == [] and watch.failed_responses == []
        ctx.close()
    finally:
        own.close()
