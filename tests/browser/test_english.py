"""The English UI in a real browser: with the language switched to English, the visualizer's cluster picture,
panels, event narration and YAML editor carry no Hangul (nothing here is user content), and the classroom
dashboard's roster and checklist speak English too, and so do the student's page, the dashboard and the projector
during a live question (only lesson and user content stay Korean).

Screenshots: docs/screenshots/visualizer-english-laptop.png, classroom-student-english-390.png,
classroom-dashboard-english-1366.png, classroom-projector-english-1920.png,
classroom-predict-projector-english-1920.png.
"""

import re
import time
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from tests.browser.conftest import open_page, sign_in
from tests.browser.test_visualizer import run, set_speed, wait_live

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]+")


def english_context(browser, base_url: str, **kwargs):
    context, page, watch = open_page(browser, base_url, **kwargs)
    context.add_cookies(
        [{"name": "django_language", "value": "en", "domain": urlsplit(base_url).hostname, "path": "/"}]
    )
    return context, page, watch


def hangul_in(page, selector: str) -> list[str]:
    """Every Hangul text a viewer can read under `selector`: HTML text, SVG labels and tooltips, the names
    buttons and regions announce, and text drawn by CSS."""
    return hangul_in_ui(page, NOTHING, selector)


def test_the_visualizer_in_english_has_no_hangul_in_the_picture_panels_or_events(
    browser, asgi_server, screenshot_dir
):
    context, page, watch = english_context(browser, asgi_server, width=1366, height=768)
    page.goto("/cluster/")
    assert page.locator("html").get_attribute("lang") == "en"
    wait_live(page)
    assert page.locator('.viz-cluster [data-part="status"]').inner_text() == "Live"
    set_speed(page)
    run(page, "kubectl create deployment web --image=nginx:1.20 --replicas=3")
    run(page, "kubectl expose deployment web --port=80")
    run(page, "kubectl autoscale deployment web --cpu-percent=50 --min=2 --max=5")
    run(page, "kubectl create secret generic db --from-literal=password=s3cret")
    run(page, "docker run -d nginx:1.20")
    # A storage claim from the YAML editor's template, through diff then apply.
    page.locator('[data-tab="yaml"]').click()
    page.locator(".viz-yaml select").select_option("pvc")
    page.locator('[data-action="diff"]').click()
    page.wait_for_selector('[data-action="apply"]:not([disabled])')
    page.locator('[data-action="apply"]').click()
    page.wait_for_selector('.viz-yaml-message[data-kind="ok"]')
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if (
            page.locator(".viz-cluster g[data-pod][data-ready=true]").count() >= 3
            and page.locator(".v-band-pvc").count()
        ):
            break
        page.wait_for_timeout(200)
    page.locator(".viz-cluster g[data-pod]").first.wait_for()
    assert page.locator(".viz-event-list li").count() > 5

    page.locator('[data-tab="console"]').click()
    run(page, "kubectl delete pod -l app=web")
    page.wait_for_selector(".viz-flow li.is-lit")
    leftovers = hangul_in(page, ".viz-cluster")
    assert leftovers == [], leftovers
    # The events are the engine's English narration, not the Korean with a gloss.
    assert "The scheduler placed" in page.locator(".viz-event-list").inner_text()
    assert page.locator(".v-part-title", has_text="Scheduler").count() == 1
    page.screenshot(path=str(screenshot_dir / "visualizer-english-laptop.png"))
    watch.assert_clean()
    context.close()


def test_the_classroom_roster_and_checklist_in_english(
    browser, asgi_server, lesson, django_user_model, screenshot_dir
):
    call_command("loaddata", "quizzes", verbosity=0)
    call_command("create_instructor", "teacher", password="teacher-password-1")
    context, teacher, watch = english_context(browser, asgi_server, width=1920, height=1080)
    sign_in(teacher)
    teacher.locator("#start-form button[type=submit]").click()
    teacher.wait_for_selector("#socket-status[data-state=open]")
    code = teacher.locator("#class-code").inner_text().strip()
    teacher.locator("#tab-students").click()  # the roster and the checklist live in the dashboard's tab 5
    s_ctx, student, _ = english_context(browser, asgi_server)
    student.goto(f"/class/{code}/")
    student.locator("#join-form input[name=nickname]").fill("Jimin")
    student.locator("#join-form input[name=level]").first.check()
    student.locator("#join-form button[type=submit]").click()
    student.wait_for_selector("#socket-status[data-state=open]")
    teacher.wait_for_function("() => document.getElementById('online-count').textContent === '1'")
    assert hangul_in(teacher, "#roster") == []
    assert "online" in teacher.locator("#roster").inner_text()
    assert hangul_in(teacher, "#checklist") == []
    assert "Understand the master–worker architecture" in teacher.locator("#checklist").inner_text()
    teacher.locator("#roster").scroll_into_view_if_needed()
    teacher.screenshot(path=str(screenshot_dir / "roster-dashboard-english.png"))
    watch.assert_clean()
    s_ctx.close()
    context.close()


# Everything a viewer can read (HTML text, the SVG picture's labels and tooltips, the names buttons and regions
# announce, text drawn by CSS), except under `skip` (lesson or user content: the lesson body and section
# titles, quiz prompts and choices, nicknames): what is left is the UI, which must be English on an English page.
NOTHING = ":not(*)"
VISIBLE_UI_TEXT = """
(root, skip) => {
  const out = [];
  const walk = (el) => {
    for (const node of el.childNodes) {
      if (node.nodeType === Node.TEXT_NODE) {
        const parent = node.parentElement;
        if (!parent || parent.closest('[hidden], template, script, style, textarea')) continue;
        const style = getComputedStyle(parent);
        if (style.display === 'none' || style.visibility === 'hidden') continue;
        if (node.textContent.trim()) out.push(node.textContent.trim());
      } else if (node.nodeType === Node.ELEMENT_NODE) {
        if (node.matches(skip) || node.closest('[hidden]')) continue;
        for (const attr of ['aria-label', 'title', 'placeholder']) {
          if (node.getAttribute(attr)) out.push(node.getAttribute(attr));
        }
        for (const pseudo of ['::before', '::after']) {
          const content = getComputedStyle(node, pseudo).content;
          if (content && content !== 'none' && content !== 'normal') out.push(content);
        }
        walk(node);
      }
    }
  };
  walk(root);
  return out;
}
"""
# Content shown as written on every page (Korean by design), and the language switch's own names.
CONTENT = (
    ".lang-switch, .section-body, #cls-section-title, .cls-sections a, #agenda button, #now-title, select, legend,"
    " .cls-revealed-lines, .cls-revealed-why,"  # a revealed live question's answer and explanation
    " .cls-prompt, .cls-choice-label, .cls-paircard strong,"  # the lesson's discussion prompts, as written
    " .cls-lesson"  # the class's lesson's title in the dashboard header
)
STUDENT_CONTENT = ", ".join(
    [CONTENT, ".quiz-choice span, .quiz-order-label, .quiz-order-buttons, .quiz-match-row > span"]
    + [".quiz-detail, .quiz-feedback > p:not([class]), .cls-bar-label"]
)
TEACH_CONTENT = ", ".join(
    [CONTENT, ".cls-result h3, #live-items, #live-state, .cls-bar-label, .cls-waiting p"]
)
PROJECTOR_CONTENT = ", ".join([CONTENT, "#pj-section, #pj-live-prompt, #pj-live-items, .cls-bar-label"])


def hangul_in_ui(page, skip: str, selector: str = "body") -> list[str]:
    texts = page.eval_on_selector(selector, VISIBLE_UI_TEXT, skip)
    return sorted({text for text in texts if HANGUL.search(text)})


def test_the_classroom_in_english_student_dashboard_and_projector_during_a_live_question(
    browser, asgi_server, lesson, django_user_model, screenshot_dir
):
    """A student on an English phone joins, answers a quiz, votes in a live question and writes in the pair
    panel; the instructor's dashboard and the projector are English too. Only content stays Korean."""
    call_command("loaddata", "quizzes", verbosity=0)
    call_command("create_instructor", "teacher", password="teacher-password-1")
    context, teacher, watch = english_context(browser, asgi_server, width=1366, height=768)
    sign_in(teacher)
    teacher.locator("#start-title").fill("Morning class")
    teacher.locator("#start-form button[type=submit]").click()
    teacher.wait_for_selector("#socket-status[data-state=open]")
    assert teacher.locator("#socket-status").inner_text() == "Live"
    code = teacher.locator("#class-code").inner_text().strip()
    projector = context.new_page()
    projector.set_viewport_size({"width": 1920, "height": 1080})
    projector.goto(f"/class/{code}/projector/")
    projector.wait_for_selector("#socket-status[data-state=open]")

    s_ctx, student, s_watch = english_context(
        browser, asgi_server, width=390, height=844, is_mobile=True, has_touch=True
    )
    student.goto(f"/class/{code}/")
    assert hangul_in_ui(student, CONTENT) == []
    student.locator("#join-form input[name=nickname]").fill("Jimin")
    student.locator("#join-form input[name=level]").first.check()
    student.locator("#join-form button[type=submit]").click()
    student.wait_for_selector("#socket-status[data-state=open]")
    assert student.locator("#socket-status").inner_text() == "Live"

    # A quiz answered: the feedback is English (the explanation is lesson content).
    teacher.locator("[data-goto=concept-1]").click()
    student.wait_for_selector("article.cls-section[data-section=concept-1]")
    quiz = student.locator("#quiz-definition")
    quiz.locator("input[value='1']").check()
    quiz.locator("button[type=submit]").click()
    student.wait_for_selector("#quiz-definition .quiz-feedback[data-correct=true]")
    feedback = quiz.locator(".quiz-feedback").inner_text()
    assert "Correct!" in feedback and "Review in the lesson" in feedback
    kinds = student.locator(".quiz-kind").all_inner_texts()
    assert kinds and not any(HANGUL.search(kind) for kind in kinds), kinds

    # The pair panel: a pair code of one's own, the 8 features by their English names, "Saved".
    student.locator("#pair-none button[type=submit]").first.click()
    student.wait_for_selector("#pair-box:not([hidden])")
    student.wait_for_selector("#pair-features input:not([disabled])")
    student.locator("#pair-features input[value=auto-scaling]").check()
    student.locator("#pair-practice").fill("Scaling out for the sale")
    student.wait_for_selector("#pair-sync[data-state=saved]")
    assert student.locator("#pair-sync").inner_text() == "Saved"
    assert "Auto Scaling" in student.locator("#pair-features").inner_text()
    assert student.locator("#pair-members").inner_text().startswith("pair ")
    assert hangul_in_ui(student, STUDENT_CONTENT, "#pair") == []

    # A live question: the student's sheet, the dashboard and the projector, before and after the reveal.
    teacher.locator("#live-question").select_option("etcd-role")
    teacher.locator("#live-open").click()
    student.wait_for_selector("#live-panel:not([hidden])")
    assert student.locator("#live-round").inner_text() == "Round 1"
    student.locator("#live-form input[value='1']").check()
    student.locator("#live-form button[type=submit]").click()
    student.wait_for_function(
        "() => document.querySelector('#live-form .quiz-feedback').textContent.includes('Vote recorded')"
    )
    teacher.wait_for_function(
        "() => document.querySelector('#live-rounds .cls-round p')?.textContent.includes('1/1')"
    )
    projector.wait_for_selector("#pj-live:not([hidden])")
    assert projector.locator("#pj-live-state").inner_text().startswith("Round 1 · Voting")
    assert teacher.locator("#live-state").inner_text().startswith("Round 1 voting · results hidden")
    assert teacher.locator("#moment-text").inner_text().startswith("Peer instruction round 1")
    assert hangul_in_ui(teacher, TEACH_CONTENT) == []
    assert hangul_in_ui(projector, PROJECTOR_CONTENT) == []
    teacher.locator("#live-reveal").click()
    projector.wait_for_selector("#pj-live-rounds .cls-round")
    student.wait_for_selector("#live-results .cls-round")
    assert "Answered 1/1 · Correct 100%" in projector.locator("#pj-live-rounds").inner_text()
    assert student.locator("#sheet-summary").inner_text() == "Live question · Round 1 · results shown"
    assert hangul_in_ui(student, STUDENT_CONTENT) == []
    assert hangul_in_ui(teacher, TEACH_CONTENT) == []
    assert hangul_in_ui(projector, PROJECTOR_CONTENT) == []

    student.screenshot(path=str(screenshot_dir / "classroom-student-english-390.png"))
    teacher.screenshot(path=str(screenshot_dir / "classroom-dashboard-english-1366.png"))
    projector.screenshot(path=str(screenshot_dir / "classroom-projector-english-1920.png"))
    watch.assert_clean()
    s_watch.assert_clean()
    s_ctx.close()
    context.close()


def test_predict_then_observe_in_english(browser, asgi_server, lesson, django_user_model, screenshot_dir):
    """Predict → observe on English pages: the student's panel and verdict, the dashboard's state and the
    projector's stage speak English; the prompt, its choices, the explanation and the demo's output are
    content."""
    call_command("loaddata", "predictions", verbosity=0)
    call_command("create_instructor", "teacher", password="teacher-password-1")
    context, teacher, watch = english_context(browser, asgi_server, width=1366, height=768)
    sign_in(teacher)
    teacher.locator("#start-title").fill("Predict class")  # else the badge shows the lesson's (Korean) title
    teacher.locator("#start-form button[type=submit]").click()
    teacher.wait_for_selector("#socket-status[data-state=open]")
    code = teacher.locator("#class-code").inner_text().strip()
    projector = context.new_page()
    projector.set_viewport_size({"width": 1920, "height": 1080})
    projector.goto(f"/class/{code}/projector/")
    projector.wait_for_selector("#socket-status[data-state=open]")
    s_ctx, student, s_watch = english_context(browser, asgi_server, width=1366, height=768)
    student.goto(f"/class/{code}/")
    student.locator("#join-form input[name=nickname]").fill("Jimin")
    student.locator("#join-form input[name=level]").first.check()
    student.locator("#join-form button[type=submit]").click()
    student.wait_for_selector("#socket-status[data-state=open]")

    teacher.locator("#predict-prompt").select_option("predict-scale")
    teacher.locator("#predict-open").click()
    student.wait_for_selector("#predict-panel:not([hidden])")
    projector.wait_for_selector("#pj-predict:not([hidden])")
    assert student.locator("#predict-phase").inner_text() == "Predict now"
    student.locator("#predict-form input[value='2']").check()
    student.locator("#predict-form button[type=submit]").click()
    student.wait_for_function(
        "() => document.querySelector('#predict-form .quiz-feedback').textContent.includes('Prediction saved')"
    )
    teacher.wait_for_function("() => document.getElementById('predict-state').textContent.includes('1/1')")
    assert (
        teacher.locator("#predict-state").inner_text().startswith("Demo paused · Collecting predictions 1/1")
    )
    assert projector.locator("#pj-predict-state").inner_text().startswith("The demo is paused")

    teacher.locator("#predict-play").click()
    projector.wait_for_selector("#pj-predict-result .cls-round")
    student.wait_for_selector("#predict-result .cls-round")
    teacher.wait_for_function(
        "() => document.getElementById('predict-body').textContent.includes('deployment.apps/web scaled')"
    )
    verdict = student.locator("#predict-result .quiz-verdict").inner_text()
    assert verdict.startswith("✅ My prediction was right · Correct: "), verdict
    assert "Class predictions" in student.locator("#predict-result").inner_text()
    prediction = ", ".join(
        [STUDENT_CONTENT, "#predict-result .quiz-verdict, #predict-result div > p:not([class])"]
    )
    assert hangul_in_ui(student, prediction) == []
    assert (
        hangul_in_ui(
            teacher, ", ".join([TEACH_CONTENT, "#predict-body h3, #predict-body div > p:not([class])"])
        )
        == []
    )
    assert (
        hangul_in_ui(
            projector,
            ", ".join([PROJECTOR_CONTENT, "#pj-predict-prompt, #pj-predict-choices, .cls-pj-explain"]),
        )
        == []
    )
    projector.screenshot(path=str(screenshot_dir / "classroom-predict-projector-english-1920.png"))
    watch.assert_clean()
    s_watch.assert_clean()
    s_ctx.close()
    context.close()
