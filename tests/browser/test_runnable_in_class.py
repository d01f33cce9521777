"""In class, the section the instructor shows runs too: the student's class page gives the lesson's manifest
and docker blocks their buttons, and the sandbox opens beside the section, as on the lesson page. A section
loaded later (the class moves on and back) gets its buttons as well, with one panel for the page."""

import pytest

from tests.browser.conftest import join_class, open_page
from tests.browser.test_runnable_blocks import COMMANDS_BOX, FRAME, step_texts, wait_done, wait_frame_pods
from tests.browser.test_student_page import goto_section, start_class

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_student_runs_the_lessons_docker_block_from_the_class_page(
    browser, asgi_server, instructor_account, screenshot_dir
):
    t_ctx, teacher, code = start_class(browser, asgi_server)
    s_ctx, page, watch = open_page(browser, asgi_server, width=1366, height=768)
    join_class(page, code, "지민")

    goto_section(teacher, page, "concept-1")
    page.wait_for_selector(f"article.cls-section[data-section=concept-1] {COMMANDS_BOX} .runnable-run")
    assert page.locator(".runnable").count() == 2  # the imperative docker block and the Deployment
    page.locator(f"{COMMANDS_BOX} .runnable-run").click()
    wait_done(page, COMMANDS_BOX)
    steps = step_texts(page, COMMANDS_BOX)
    assert [s.split("\n")[0] for s in steps] == ["$ docker run -d nginx:1.20"] * 3
    assert page.locator("#runnable-panel").is_visible()
    wait_frame_pods(page, "g[data-pod].v-pod-docker", 3)
    page.screenshot(path=str(screenshot_dir / "classroom-runnable-student-1366.png"))

    # The class moves on and comes back: the section is loaded again and wired again, once.
    goto_section(teacher, page, "concept-2")
    page.wait_for_selector("article.cls-section[data-section=concept-2]")
    goto_section(teacher, page, "concept-1")
    page.wait_for_selector(f"article.cls-section[data-section=concept-1] {COMMANDS_BOX} .runnable-run")
    assert page.locator(".runnable").count() == 2
    assert page.locator(FRAME).count() == 1
    watch.assert_clean()
    s_ctx.close()
    t_ctx.close()
