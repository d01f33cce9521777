"""Runnable code blocks in a real browser: the lesson's own blocks run in the student's sandbox beside it.

Concept 1 of week2-day4-session2 has an imperative block (`docker run -d nginx:1.20` three times, with
comments) and a declarative one (a Deployment without a pod template). The first must start three
containers that the embedded sandbox draws; the second must come back with the API server's validation
error, shown as a lesson and not as a crash. A complete Deployment (a section written here) is created
and its pods appear. Each test refuses console errors, failed responses and requests to other hosts.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import open_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONCEPT_1 = "/lesson/week2-day4-session2/concept-1/"
FRAME = "iframe.runnable-frame"
MANIFEST_BOX = ".runnable[data-runnable=manifest]"
COMMANDS_BOX = ".runnable[data-runnable=commands]"
DONE = ":is([data-state=ok], [data-state=error], [data-state=failed])"

# What real Kubernetes answers for the lesson's Deployment (no spec.template): kubectl rebuilds the 422's
# causes one per line; the template's labels are a nil map (`null`) and its pod spec has no containers
# (kubernetes pkg/apis/apps/validation ValidatePodTemplateSpecForReplicaSet, apimachinery field errors).
LESSON_DEPLOYMENT_ERROR = (
    "$ kubectl apply -f -\n"
    'The Deployment "nginx" is invalid: \n'
    "* spec.template.metadata.labels: Invalid value: null: `selector` does not match template `labels`\n"
    "* spec.template.spec.containers: Required value"
)

# Modelled on the nginx-deployment example of https://kubernetes.io/docs/concepts/workloads/controllers/deployment/
# (controllers/nginx-deployment.yaml); the image is the lesson's nginx:1.20 instead of the page's 1.14.2,
# a tag the simulator's registry does not carry.
NGINX_DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-deployment
  labels:
    app: nginx
spec:
  replicas: 3
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:1.20
        ports:
        - containerPort: 80
"""

NOT_RUNNABLE = """```bash
kubectl get pods | grep nginx
```

```python
print("apiVersion: v1")
```
"""


@pytest.fixture
def manifest_section(db):
    """A lesson of one section: a complete Deployment in a yaml fence, and blocks that must not run."""
    from course.models import Lesson, Section
    from course.rendering import render_markdown

    source = f"## 완전한 Deployment\n\n```yaml\n{NGINX_DEPLOYMENT}```\n\n{NOT_RUNNABLE}"
    lesson = Lesson.objects.create(
        slug="runnable-fixture", title="Runnable fixture", source=source, source_sha256="0" * 64
    )
    Section.objects.create(
        lesson=lesson,
        order=0,
        slug="deployment",
        title="완전한 Deployment",
        body_markdown=source,
        body_html=render_markdown(source),
    )
    return "/lesson/runnable-fixture/deployment/"


def wait_done(page, box: str, timeout: float = 45_000) -> None:
    page.wait_for_selector(f"{box}{DONE}", timeout=timeout)


def step_texts(page, box: str) -> list[str]:
    return page.locator(f"{box} .runnable-step pre").evaluate_all("els => els.map(e => e.textContent)")


def frame_pods(page, selector: str) -> int:
    return page.frame_locator(FRAME).locator(selector).count()


def wait_frame_pods(page, selector: str, n: int, timeout_s: float = 40) -> None:
    """Wait until the embedded sandbox draws `n` cards matching `selector`."""
    for _ in range(int(timeout_s * 10)):
        if frame_pods(page, selector) == n:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"expected {n} × {selector} in the sandbox, saw {frame_pods(page, selector)}")


def test_the_lessons_deployment_shows_the_api_servers_validation_error(
    browser, asgi_server, lesson, screenshot_dir
):
    """Concept 1's template-less Deployment: the exact kubectl error inline, nothing created, no crash."""
    context, page, watch = open_page(browser, asgi_server, width=1366, height=768)
    page.goto(CONCEPT_1)
    button = page.locator(f"{MANIFEST_BOX} .runnable-run")
    assert button.inner_text() == "⎈ 내 클러스터에 적용"
    assert page.locator("#runnable-panel").is_hidden()
    button.click()
    wait_done(page, MANIFEST_BOX)

    assert page.locator(MANIFEST_BOX).get_attribute("data-state") == "error"
    assert step_texts(page, MANIFEST_BOX) == [LESSON_DEPLOYMENT_ERROR]
    assert page.locator(f"{MANIFEST_BOX} .runnable-step").get_attribute("data-state") == "error"
    note = page.locator(f"{MANIFEST_BOX} .runnable-step-note").inner_text()
    assert (
        "API 서버가 이 매니페스트를 검증하고 거부했습니다" in note and "클러스터는 바뀌지 않았습니다" in note
    )

    # The panel opened beside the lesson, live, and the refused manifest changed nothing there.
    panel = page.locator("#runnable-panel")
    assert panel.is_visible() and panel.get_attribute("data-state") == "ready"
    box = panel.bounding_box()
    assert box["x"] > 1366 / 2 and box["height"] == 768, box
    lesson_text = page.locator(".section-body").bounding_box()
    assert lesson_text["x"] + lesson_text["width"] <= box["x"] + 1, "the lesson stays beside the panel"
    sandbox = page.frame_locator(FRAME).locator(".viz-cluster")
    assert sandbox.get_attribute("data-pods") == "0"
    assert "$ kubectl apply -f -" in page.frame_locator(FRAME).locator(".viz-term-output").inner_text()
    page.locator(MANIFEST_BOX).scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "runnable-laptop-invalid-deployment.png"))
    watch.assert_clean()
    context.close()


def test_the_docker_block_starts_three_containers_in_the_sandbox(browser, asgi_server, lesson):
    """실행 runs the three `docker run` lines in order; each output inline; three containers drawn."""
    context, page, watch = open_page(browser, asgi_server, width=1366, height=768)
    page.goto(CONCEPT_1)
    button = page.locator(f"{COMMANDS_BOX} .runnable-run")
    assert button.inner_text() == "▶ 실행"
    button.click()
    wait_done(page, COMMANDS_BOX)

    assert page.locator(COMMANDS_BOX).get_attribute("data-state") == "ok"
    steps = step_texts(page, COMMANDS_BOX)
    assert len(steps) == 3, steps
    for text in steps:
        lines = text.split("\n")
        assert lines[0] == "$ docker run -d nginx:1.20"
        assert re.fullmatch(r"[0-9a-f]{64}", lines[-1]), text  # docker run -d prints the container id
    assert "Unable to find image 'nginx:1.20' locally" in steps[0]  # only the first run pulls the image

    wait_frame_pods(page, "g[data-pod].v-pod-docker", 3)
    assert frame_pods(page, "g[data-pod]:not(.v-pod-docker)") == 0  # containers, not pods: no controller
    console = page.frame_locator(FRAME).locator(".viz-term-output").inner_text()
    assert console.count("$ docker run -d nginx:1.20") == 3
    watch.assert_clean()
    context.close()


def test_a_complete_deployment_is_created_and_its_pods_appear(
    browser, asgi_server, manifest_section, screenshot_dir
):
    """The kubernetes.io nginx-deployment: `deployment.apps/nginx-deployment created`, then 3 pods."""
    context, page, watch = open_page(browser, asgi_server, width=1920, height=1080)
    page.goto(manifest_section)
    assert page.locator(".runnable").count() == 1, "a pipe and a python block get no button"
    page.locator(f"{MANIFEST_BOX} .runnable-run").click()
    wait_done(page, MANIFEST_BOX)
    assert page.locator(MANIFEST_BOX).get_attribute("data-state") == "ok"
    assert step_texts(page, MANIFEST_BOX) == [
        "$ kubectl apply -f -\ndeployment.apps/nginx-deployment created"
    ]

    sandbox = page.frame_locator(FRAME)
    sandbox.locator('[data-speed="8"]').click()
    wait_frame_pods(page, "g[data-pod]:not(.v-pod-docker):not(.v-leaving)", 3)
    names = sandbox.locator("g[data-pod]:not(.v-pod-docker)").evaluate_all(
        "els => els.map(g => g.dataset.name)"
    )
    assert all(re.fullmatch(r"nginx-deployment-[a-z0-9]+-[a-z0-9]{5}", n) for n in names), names
    page.wait_for_function(
        "() => [...document.querySelector('iframe.runnable-frame').contentDocument"
        ".querySelectorAll('g[data-pod]')].filter(g => g.dataset.ready === 'true').length === 3",
        timeout=40_000,
    )
    page.screenshot(path=str(screenshot_dir / "runnable-projector-deployment-created.png"))

    # Applying the same manifest again is the declarative no-op.
    page.locator(f"{MANIFEST_BOX} .runnable-run").click()
    page.wait_for_function(
        "() => document.querySelector('.runnable[data-runnable=manifest] .runnable-step pre')"
        "?.textContent.endsWith('unchanged')"
    )
    assert step_texts(page, MANIFEST_BOX) == [
        "$ kubectl apply -f -\ndeployment.apps/nginx-deployment unchanged"
    ]
    watch.assert_clean()
    context.close()


def test_on_a_phone_the_sandbox_is_a_bottom_sheet_that_the_keyboard_can_close(
    browser, asgi_server, lesson, screenshot_dir
):
    """390 px: the sheet covers the lower part, the lesson above; close, reopen and Esc by keyboard."""
    context, page, watch = open_page(
        browser, asgi_server, width=390, height=844, is_mobile=True, has_touch=True
    )
    page.goto(CONCEPT_1)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    page.locator(f"{COMMANDS_BOX} .runnable-run").click()
    wait_done(page, COMMANDS_BOX)
    assert page.locator(COMMANDS_BOX).get_attribute("data-state") == "ok"
    wait_frame_pods(page, "g[data-pod].v-pod-docker", 3)

    panel = page.locator("#runnable-panel")
    box = panel.bounding_box()
    assert box["width"] == 390 and box["y"] > 844 * 0.3 and abs(box["y"] + box["height"] - 844) < 1, box
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390, "no sideways scrolling"
    page.screenshot(path=str(screenshot_dir / "runnable-phone-docker-run.png"))

    opener = page.locator("#runnable-opener")
    assert opener.is_hidden()
    page.locator("[data-runnable-close]").click()
    assert panel.is_hidden() and opener.is_visible()
    opener.focus()
    page.keyboard.press("Enter")
    assert panel.is_visible() and opener.get_attribute("aria-expanded") == "true"
    assert page.evaluate("() => document.activeElement.matches('[data-runnable-close]')")
    page.keyboard.press("Escape")
    assert panel.is_hidden()
    assert page.evaluate("() => document.activeElement.id") == "runnable-opener"
    # Reopened, the sandbox is the same one: its containers are still there.
    opener.click()
    wait_frame_pods(page, "g[data-pod].v-pod-docker", 3)
    watch.assert_clean()
    context.close()


def test_a_broken_connection_shows_a_korean_message_and_retry_recovers(browser, asgi_server, lesson):
    """The sandbox's socket is refused: a clear message with 다시 시도, which works once it is back."""
    context, page, watch = open_page(browser, asgi_server, width=1366, height=768)
    refuse = {"on": True}

    def route(ws):
        if refuse["on"]:
            ws.close()
        else:
            ws.connect_to_server()

    context.route_web_socket(re.compile(r".*/ws/cluster/.*"), route)
    page.goto(CONCEPT_1)
    page.locator(f"{COMMANDS_BOX} .runnable-run").click()
    wait_done(page, COMMANDS_BOX, timeout=30_000)
    assert page.locator(COMMANDS_BOX).get_attribute("data-state") == "failed"
    failure = page.locator(f"{COMMANDS_BOX} .runnable-failure")
    assert "내 클러스터에 연결하지 못했습니다" in failure.inner_text()
    assert page.locator(f"{COMMANDS_BOX} .runnable-step").count() == 0, "nothing was sent"

    refuse["on"] = False
    failure.get_by_role("button", name="다시 시도").click()
    page.wait_for_selector(f"{COMMANDS_BOX}[data-state=ok]", timeout=30_000)
    assert len(step_texts(page, COMMANDS_BOX)) == 3
    watch.assert_clean()
    context.close()


def test_a_rate_limit_from_the_server_shows_its_message(browser, asgi_server, lesson):
    """The server's `rate_limited` error frame is shown as it says, and the run stops there."""
    context, page, watch = open_page(browser, asgi_server, width=1366, height=768)
    limited = "요청이 너무 많습니다. 3초 뒤에 다시 시도하세요."  # the server's words (visualizer.consumers)

    def route(ws):
        server = ws.connect_to_server()

        def from_page(message):
            found = re.search(
                r'"type":\s*"command".*?"id":\s*(\d+)|"id":\s*(\d+).*?"type":\s*"command"', message
            )
            if found:
                ref = found.group(1) or found.group(2)
                ws.send(f'{{"v":1,"type":"error","code":"rate_limited","message":"{limited}","ref":{ref}}}')
            else:
                server.send(message)

        ws.on_message(from_page)

    context.route_web_socket(re.compile(r".*/ws/cluster/.*"), route)
    page.goto(CONCEPT_1)
    page.locator(f"{COMMANDS_BOX} .runnable-run").click()
    wait_done(page, COMMANDS_BOX)
    step = page.locator(f"{COMMANDS_BOX} .runnable-step")
    assert step.count() == 1 and step.get_attribute("data-state") == "limited"
    assert step.inner_text().endswith(limited)
    assert page.locator(f"{COMMANDS_BOX} .runnable-summary").inner_text() == "요청이 너무 많습니다"
    watch.assert_clean()
    context.close()


def test_in_english_the_buttons_panel_and_messages_have_no_hangul(browser, asgi_server, lesson):
    """With the language switched to English, the runnable UI speaks English (the lesson stays Korean)."""
    from urllib.parse import urlsplit

    context, page, watch = open_page(browser, asgi_server, width=1366, height=768)
    context.add_cookies(
        [{"name": "django_language", "value": "en", "domain": urlsplit(asgi_server).hostname, "path": "/"}]
    )
    page.goto(CONCEPT_1)
    assert page.locator(f"{MANIFEST_BOX} .runnable-run").inner_text() == "⎈ Apply to my cluster"
    assert page.locator(f"{COMMANDS_BOX} .runnable-run").inner_text() == "▶ Run"
    page.locator(f"{MANIFEST_BOX} .runnable-run").click()
    wait_done(page, MANIFEST_BOX)
    ui = page.evaluate(
        """() => {
            const parts = ".runnable-bar, .runnable-summary, .runnable-step-note, .runnable-panel-head, #runnable-opener";
            const shown = [...document.querySelectorAll(parts)].map((e) => e.textContent);
            const named = [...document.querySelectorAll(".runnable [aria-label], .runnable-panel [aria-label], iframe[title]")]
                .map((e) => e.getAttribute("aria-label") || e.title);
            return shown.concat(named).join(" ");
        }"""
    )
    assert not re.search(r"[\uac00-\ud7a3]", ui), ui
    assert "Not applied" in ui and "The API server validated this manifest" in ui
    watch.assert_clean()
    context.close()
