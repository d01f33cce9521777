"""The student's page through a real 50-minute class: nothing typed is lost, the live question never moves the
page, self-paced quizzes keep working while it is open, and phones get fields they can use.

A laptop student types YAML and half a matching question when the instructor moves on (the page stays, a
banner offers to follow, the section then opens at its top); a reload gives back every draft, the recorded
answers and the live vote; a live question opened while the student reads deep in a section shows in the
sheet without moving the page. A phone student gets 16 px fields and 44 px targets. Screenshots of the
phone during a live question and of the laptop go to docs/screenshots/.
"""

import pytest

from course.models import Answer
from tests.browser.conftest import join_class, open_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YAML = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"


def start_class(browser, base_url):
    ctx, teacher, watch = open_page(browser, base_url, width=1920, height=1080)
    sign_in(teacher)
    teacher.locator("#start-form button[type=submit]").click()
    teacher.wait_for_selector("#socket-status[data-state=open]")
    return ctx, teacher, teacher.locator("#class-code").inner_text().strip()


def goto_section(teacher, page, slug: str) -> None:
    teacher.locator(f"[data-goto={slug}]").click()
    page.wait_for_function(
        f"() => document.querySelector('.cls-sections a.is-live')?.dataset.slug === '{slug}'"
    )


def reload(page) -> None:
    page.reload()
    page.wait_for_selector("#socket-status[data-state=open]")


def test_drafts_survive_moves_and_reloads_and_the_live_question_never_moves_the_page(
    browser, asgi_server, instructor_account, screenshot_dir
):
    t_ctx, teacher, code = start_class(browser, asgi_server)
    s_ctx, page, watch = open_page(browser, asgi_server, width=1366, height=768)
    join_class(page, code, "지민")

    goto_section(teacher, page, "concept-1")
    page.wait_for_selector("article.cls-section[data-section=concept-1]")
    assert "{#" not in page.locator("body").inner_text()  # no template comment leaks onto the page

    # Mid-matching and mid-YAML: half the rows picked, YAML typed, the cursor still in the textarea.
    matching = page.locator("#quiz-declarative-vs-imperative")
    first_label = matching.locator("select").nth(0).locator("option").nth(1).inner_text()
    matching.locator("select").nth(0).select_option(label=first_label)
    picked = matching.locator("select").nth(0).input_value()
    yaml = page.locator("#yaml-yaml-nginx")
    yaml.click()
    yaml.fill(YAML)
    assert page.evaluate("() => document.activeElement.id") == "yaml-yaml-nginx"

    # The instructor moves on: the page stays, the banner says where the class went.
    goto_section(teacher, page, "concept-2")
    page.wait_for_selector("#follow-banner:not([hidden])")
    assert (
        "강사가 ‘🔍 개념 2: 8가지 핵심 기능’(으)로 이동했습니다"
        in page.locator("#follow-banner").inner_text()
    )
    assert page.locator("article.cls-section").get_attribute("data-section") == "concept-1"
    assert yaml.input_value() == YAML
    page.screenshot(path=str(screenshot_dir / "student-follow-banner-laptop.png"))

    # 이동: the class's section, opened at its top.
    page.locator("#follow-go").click()
    page.wait_for_selector("article.cls-section[data-section=concept-2]")
    assert page.locator("#follow-banner").is_hidden()
    top = page.evaluate("() => document.getElementById('section-slot').getBoundingClientRect().top")
    assert 0 <= top < 768

    # Not typing any more: the next move follows at once, and opens at the top even from deep down.
    page.evaluate("() => document.activeElement.blur()")
    page.mouse.wheel(0, 3000)
    page.wait_for_function("() => window.scrollY > 1000")
    goto_section(teacher, page, "concept-3")
    page.wait_for_selector("article.cls-section[data-section=concept-3]")
    page.wait_for_function("() => document.getElementById('section-slot').getBoundingClientRect().top >= 0")

    # A reload (or a closed tab) gives the drafts back when the student browses to concept-1 again.
    reload(page)
    page.locator(".cls-sections a[data-slug=concept-1]").click()
    page.wait_for_selector("article.cls-section[data-section=concept-1]")
    assert page.locator("#yaml-yaml-nginx").input_value() == YAML
    assert page.locator("#quiz-declarative-vs-imperative select").nth(0).input_value() == picked
    assert page.locator("#quiz-declarative-vs-imperative select").nth(1).input_value() == ""
    assert page.locator("#quiz-yaml-nginx").get_attribute("data-draft") == "true"
    page.locator("#back-to-live").click()
    page.wait_for_selector("article.cls-section[data-section=concept-3]")

    # Deep in a section, a live question opens: it shows in the sheet and the page does not move.
    page.mouse.wheel(0, 1800)
    page.wait_for_function("() => window.scrollY > 800")
    page.wait_for_timeout(300)
    before = page.evaluate(
        "() => [window.scrollY, document.querySelector('#quiz-six-step-flow').getBoundingClientRect().top]"
    )
    teacher.locator("#live-question").select_option("etcd-role")
    teacher.locator("#live-open").click()
    page.wait_for_selector("#live-panel:not([hidden])")
    page.wait_for_selector("#class-sheet[data-open=true]")
    page.wait_for_timeout(300)
    after = page.evaluate(
        "() => [window.scrollY, document.querySelector('#quiz-six-step-flow').getBoundingClientRect().top]"
    )
    assert after == before
    box = page.locator("#live-form").bounding_box()
    assert box and box["y"] >= 0 and box["y"] < 768
    page.screenshot(path=str(screenshot_dir / "student-live-sheet-laptop.png"))

    # A self-paced quiz answered while the live question is open is graded and stored.
    quiz = page.locator("#quiz-self-healing")
    quiz.scroll_into_view_if_needed()
    quiz.locator("input[value='1']").check()
    quiz.locator("button[type=submit]").click()
    page.wait_for_selector("#quiz-self-healing .quiz-feedback[data-correct=true]")
    assert Answer.objects.filter(question__key="self-healing", round=0, correct=True).count() == 1

    # The same question as the live one: stored, its grade held until the reveal.
    own = page.locator("#quiz-etcd-role")
    own.scroll_into_view_if_needed()
    own.locator("input[value='1']").check()
    own.locator("button[type=submit]").click()
    page.wait_for_function(
        "() => document.querySelector('#quiz-etcd-role .quiz-feedback').textContent.includes('답을 저장했습니다')"
    )
    assert Answer.objects.filter(question__key="etcd-role", round=0).count() == 1

    # Vote, then a reload shows the recorded vote.
    page.locator("#live-form input[value='0']").check()
    page.locator("#live-form button[type=submit]").click()
    page.wait_for_function(
        "() => document.querySelector('#live-form .quiz-feedback').textContent.includes('투표했습니다')"
    )
    reload(page)
    page.wait_for_selector("#live-panel:not([hidden])")
    assert page.locator("#live-form input[value='0']").is_checked()
    assert "투표했습니다" in page.locator("#live-form .quiz-feedback").inner_text()
    assert page.locator("#quiz-self-healing input[value='1']").is_checked()
    assert page.locator("#quiz-self-healing .quiz-feedback[data-correct=true]").count() == 1

    # Round 2: a new pick not yet sent survives a reload as a draft.
    teacher.locator("#live-reveal").click()
    page.wait_for_selector("#live-results .cls-round")
    teacher.locator("#live-revote").click()
    page.wait_for_function("() => document.getElementById('live-round').textContent.startsWith('2')")
    page.locator("#live-form input[value='1']").check()
    reload(page)
    page.wait_for_selector("#live-panel:not([hidden])")
    page.wait_for_function("() => document.getElementById('live-round').textContent.startsWith('2')")
    assert page.locator("#live-form input[value='1']").is_checked()

    # The sheet collapses to its bar and opens again.
    page.locator("#sheet-toggle").click()
    assert page.locator("#class-sheet").get_attribute("data-open") == "false"
    assert page.locator("#live-form").is_hidden()
    page.locator("#sheet-toggle").click()
    assert page.locator("#live-form").is_visible()

    watch.assert_clean()
    s_ctx.close()
    t_ctx.close()


def test_a_phone_gets_usable_fields_and_a_bottom_sheet(
    browser, asgi_server, instructor_account, screenshot_dir
):
    t_ctx, teacher, code = start_class(browser, asgi_server)
    p_ctx, phone, watch = open_page(
        browser, asgi_server, width=390, height=844, is_mobile=True, has_touch=True
    )
    join_class(phone, code, "보라")
    goto_section(teacher, phone, "concept-2")
    phone.wait_for_selector("article.cls-section[data-section=concept-2]")

    def measure(selector: str) -> list[tuple[float, float]]:
        sizes = []
        for el in phone.locator(selector).all():
            el.scroll_into_view_if_needed()
            box = el.bounding_box()
            font = el.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
            sizes.append((box["height"], font))
        return sizes

    selects = measure("#quiz-feature-situations select")
    assert selects and all(h >= 44 and f >= 16 for h, f in selects), selects
    for height, _ in measure("#quiz-feature-storage .quiz-choice"):
        assert height >= 44
    for height, _ in measure("#quiz-scaling-flow .cls-icon"):
        assert height >= 44
    for height, _ in measure("form.quiz button[type=submit]"):
        assert height >= 44
    for el in phone.locator("#quiz-scaling-flow .cls-icon").all()[:2]:
        assert el.bounding_box()["width"] >= 44

    goto_section(teacher, phone, "concept-1")
    phone.wait_for_selector("article.cls-section[data-section=concept-1]")
    yaml_sizes = measure("#yaml-yaml-nginx")
    assert yaml_sizes[0][0] >= 44 and yaml_sizes[0][1] >= 16

    # Pick an option in a matching dropdown the way a phone does.
    select = phone.locator("#quiz-declarative-vs-imperative select").first
    select.select_option(index=1)
    assert select.input_value() != ""

    # A live matching question arrives as a bottom sheet across the width, its dropdowns as usable.
    phone.evaluate("() => window.scrollTo(0, 900)")
    before = phone.evaluate("() => window.scrollY")
    teacher.locator("#live-question").select_option("component-roles")
    teacher.locator("#live-open").click()
    phone.wait_for_selector("#class-sheet[data-open=true]")
    assert phone.evaluate("() => window.scrollY") == before
    sheet = phone.locator("#class-sheet").bounding_box()
    assert sheet["x"] == 0 and abs(sheet["width"] - 390) < 1
    assert abs(sheet["y"] + sheet["height"] - 844) < 2
    live_selects = measure("#live-form select")
    assert live_selects and all(h >= 44 and f >= 16 for h, f in live_selects), live_selects
    assert phone.evaluate("() => window.scrollY") == before  # scrolling inside the sheet leaves the page
    phone.locator("#live-form select").first.select_option(index=2)
    phone.screenshot(path=str(screenshot_dir / "student-live-sheet-phone.png"))
    bar = phone.locator("#sheet-toggle").bounding_box()
    assert bar["height"] >= 44
    phone.locator("#sheet-toggle").click()
    phone.screenshot(path=str(screenshot_dir / "student-sheet-collapsed-phone.png"))
    # Re-rendering on a reveal keeps the pick.
    teacher.locator("#live-reveal").click()
    phone.wait_for_selector("#live-results .cls-round")
    assert phone.locator("#live-form select").first.input_value() != ""

    watch.assert_clean()
    p_ctx.close()
    t_ctx.close()


DRAFTS_CHECK = """
async () => {
  const base = document.querySelector("script[type=module][src*='student']").src;
  const d = await import(new URL("./drafts.js", base).href);
  const out = {};
  out.key = d.draftKey("ABC123", 7, "quiz", "yaml-nginx");
  let now = 1000;
  const store = new Map();
  const storage = {
    getItem: (k) => (store.has(k) ? store.get(k) : null), setItem: (k, v) => store.set(k, v),
    removeItem: (k) => store.delete(k), key: (i) => [...store.keys()][i], get length() { return store.size; },
  };
  const mine = d.createDrafts("ABC123", 7, storage, () => now);
  const other = d.createDrafts("ABC123", 8, storage, () => now);
  mine.save("quiz", "q1", [1, null, 0]);
  mine.save("live", "q1", 2);
  out.loaded = mine.load("quiz", "q1");
  out.live = mine.load("live", "q1");
  out.otherStudent = other.load("quiz", "q1") === undefined;
  mine.clear("quiz", "q1");
  out.cleared = mine.load("quiz", "q1") === undefined && mine.load("live", "q1") === 2;
  storage.setItem(d.draftKey("ABC123", 7, "quiz", "bad"), "{not json");
  out.brokenDropped = mine.load("quiz", "bad") === undefined && !store.has(d.draftKey("ABC123", 7, "quiz", "bad"));
  now += d.MAX_AGE_MS + 1;
  out.staleDropped = mine.load("live", "q1") === undefined;
  const failing = { getItem() { throw new Error("denied"); }, setItem() { throw new Error("quota"); }, removeItem() { throw new Error("denied"); } };
  const safe = d.createDrafts("ABC123", 7, failing);
  safe.save("quiz", "q", 1); safe.clear("quiz", "q");
  out.failingStorage = safe.load("quiz", "q") === undefined;
  try { d.draftKey("A", 1, "nope", "q"); out.badSlot = false; } catch { out.badSlot = true; }
  return out;
}
"""


def test_draft_storage_is_keyed_by_class_student_and_question(browser, asgi_server, instructor_account):
    t_ctx, teacher, code = start_class(browser, asgi_server)
    s_ctx, page, watch = open_page(browser, asgi_server)
    join_class(page, code, "지민")
    result = page.evaluate(DRAFTS_CHECK)
    assert result == {
        "key": "orchestra-draft:ABC123:7:quiz:yaml-nginx",
        "loaded": [1, None, 0],
        "live": 2,
        "otherStudent": True,
        "cleared": True,
        "brokenDropped": True,
        "staleDropped": True,
        "failingStorage": True,
        "badSlot": True,
    }
    watch.assert_clean()
    s_ctx.close()
    t_ctx.close()


def test_two_quick_moves_end_on_the_latest_section_whatever_order_their_fragments_come_back(
    browser, asgi_server, instructor_account
):
    """The instructor's → → sends two moves at once; on a busy LAN the first section's fragment can come back
    after the second's. Found by the whole-class rehearsal under load (a student stayed on `why`): the page
    must end on the section the class is at, not on whichever fetch finished last."""
    t_ctx, teacher, code = start_class(browser, asgi_server)
    s_ctx, page, watch = open_page(browser, asgi_server, width=1366, height=768)
    join_class(page, code, "지민")
    held = []
    page.route(
        "**/s/why/", lambda route: held.append(route)
    )  # hold the first move's fragment until the second has shown

    teacher.locator("[data-goto=why]").click()
    page.wait_for_function("() => document.querySelector('.cls-sections a.is-live')?.dataset.slug === 'why'")
    teacher.locator("[data-goto=concept-1]").click()
    page.wait_for_selector("article.cls-section[data-section=concept-1]")
    assert len(held) == 1

    with page.expect_response("**/s/why/"):
        held[0].continue_()
    page.wait_for_timeout(500)  # the stale fragment's body is read and dropped (before the fix: shown)
    assert page.locator("article.cls-section").get_attribute("data-section") == "concept-1"
    assert page.locator(".cls-sections a[aria-current=page]").get_attribute("data-slug") == "concept-1"
    assert watch.page_errors == []
    t_ctx.close()
    s_ctx.close()
