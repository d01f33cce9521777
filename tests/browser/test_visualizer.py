"""The live cluster visualizer in a real browser: console, rolling update, shared demo, YAML errors, export.

Each test drives the page as a student or an instructor would, at 8× simulated speed so the cluster moves
quickly, and refuses console errors, failed responses and requests to other hosts (`watch.assert_clean()`).
"""

from __future__ import annotations

import json
import re
import time

import pytest

from tests.browser.conftest import open_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POD = ".viz-cluster g[data-pod]"
OWNED = ".viz-cluster g[data-pod]:not(.v-pod-docker):not(.v-leaving)"


def wait_live(page) -> None:
    page.wait_for_selector('.viz-cluster[data-connection="open"]')
    page.wait_for_selector(".viz-cluster[data-version]")


def set_speed(page, speed: str = "8") -> None:
    page.locator(f'[data-speed="{speed}"]').click()
    page.wait_for_selector(f'[data-speed="{speed}"][aria-pressed="true"]')


def run(page, command: str) -> None:
    box = page.locator(".viz-term-input")
    before = page.locator(".viz-term-output .viz-term-prompt").count()
    box.fill(command)
    box.press("Enter")
    page.wait_for_function(
        "n => document.querySelectorAll('.viz-term-output .viz-term-prompt').length > n"
        " && !document.querySelector('.viz-term[data-busy]')",
        arg=before,
    )


def pods(page) -> list[dict]:
    return page.eval_on_selector_all(
        OWNED,
        "els => els.map(g => ({name: g.dataset.name, version: g.dataset.version, ready: g.dataset.ready === 'true',"
        " status: g.dataset.status}))",
    )


def wait_for(predicate, page, timeout: float = 30.0, what: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        page.wait_for_timeout(150)
    raise AssertionError(f"timed out waiting for {what}: {pods(page)}")


def test_a_deployment_typed_in_the_console_reaches_ready_and_rolls_to_a_new_version(
    browser, asgi_server, screenshot_dir
):
    context, page, watch = open_page(browser, asgi_server, width=1366, height=768)
    page.goto("/cluster/")
    wait_live(page)
    set_speed(page)
    run(page, "kubectl create deployment web --image=nginx:1.20 --replicas=3")
    assert "deployment.apps/web created" in page.locator(".viz-term-output").inner_text()

    wait_for(
        lambda: len([p for p in pods(page) if p["ready"] and p["version"] == "1.20"]) == 3,
        page,
        what="three ready nginx:1.20 pods",
    )
    cards = pods(page)
    assert len(cards) == 3 and all(p["status"] == "Running" for p in cards)
    # Every card states its version and readiness in words, not only in colour.
    assert page.locator(f"{OWNED} .v-ver-text").first.text_content() == "1.20"
    assert page.locator(f"{OWNED} .v-ready-text").first.text_content() == "✓ Ready"

    run(page, "kubectl set image deployment/web nginx=nginx:1.21")
    both = wait_for(
        lambda: {p["version"] for p in pods(page)} >= {"1.20", "1.21"},
        page,
        what="a moment with both versions on screen",
    )
    assert both
    page.screenshot(path=str(screenshot_dir / "visualizer-laptop-rolling-update.png"))
    wait_for(
        lambda: (lambda ps: len(ps) == 3 and all(p["version"] == "1.21" and p["ready"] for p in ps))(
            pods(page)
        ),
        page,
        timeout=60,
        what="three ready nginx:1.21 pods",
    )

    # The narration reached the live region, and the 6-step flow was lit along the way.
    assert page.locator(".viz-event-list li").count() > 5
    assert "배치했습니다" in page.locator(".viz-event-list").inner_text()
    watch.assert_clean()
    context.close()


def test_history_and_tab_completion_in_the_console(browser, asgi_server):
    context, page, watch = open_page(browser, asgi_server)
    page.goto("/cluster/")
    wait_live(page)
    run(page, "kubectl get nodes")
    assert re.search(r"worker-1\s+Ready", page.locator(".viz-term-output").inner_text())
    box = page.locator(".viz-term-input")
    box.press("ArrowUp")
    assert box.input_value() == "kubectl get nodes"
    box.fill("kubectl get nod")
    box.press("Tab")
    page.wait_for_function(
        "() => document.querySelector('.viz-term-input').value.startsWith('kubectl get nodes')"
    )
    page.reload()
    wait_live(page)
    page.locator(".viz-term-input").press("ArrowUp")
    assert page.locator(".viz-term-input").input_value() == "kubectl get nodes"
    watch.assert_clean()
    context.close()


def _demo_cluster(django_user_model):
    from visualizer.models import ClusterRecord

    teacher = django_user_model.objects.create_user("teacher", password="teacher-password-1", is_staff=True)
    return ClusterRecord.objects.create(
        kind="demo", owner_key=f"user:{teacher.pk}", name="demo", title="수업 데모 클러스터"
    )


def test_a_second_viewer_of_the_demo_cluster_sees_the_same_pods(
    browser, asgi_server, django_user_model, screenshot_dir
):
    record = _demo_cluster(django_user_model)
    t_ctx, teacher, t_watch = open_page(browser, asgi_server, width=1920, height=1080)
    teacher.goto(f"/admin/login/?next=/cluster/c/{record.public_id}/")
    teacher.locator("#id_username").fill("teacher")
    teacher.locator("#id_password").fill("teacher-password-1")
    teacher.locator("input[type=submit]").click()
    wait_live(teacher)
    set_speed(teacher)

    s_ctx, student, s_watch = open_page(
        browser, asgi_server, width=390, height=844, is_mobile=True, has_touch=True
    )
    student.goto(f"/cluster/c/{record.public_id}/")
    wait_live(student)
    assert student.locator(".viz-readonly").is_visible()
    assert student.locator(".viz-term-input").count() == 0
    assert student.locator("[data-control]").count() == 0

    run(teacher, "kubectl create deployment web --image=nginx:1.20 --replicas=3")
    names = wait_for(
        lambda: (
            lambda ps: sorted(p["name"] for p in ps) if len(ps) == 3 and all(p["ready"] for p in ps) else None
        )(pods(teacher)),
        teacher,
        what="the teacher's three ready pods",
    )
    wait_for(
        lambda: sorted(p["name"] for p in pods(student)) == names and all(p["ready"] for p in pods(student)),
        student,
        what="the student's copy",
    )
    # The clock belongs to the cluster: the student sees the teacher's 8×.
    assert "8" in student.locator('[data-part="clock-state"]').inner_text()
    student.screenshot(path=str(screenshot_dir / "visualizer-phone-readonly.png"), full_page=True)
    t_watch.assert_clean()
    s_watch.assert_clean()
    t_ctx.close()
    s_ctx.close()


def test_a_yaml_error_is_marked_at_its_line(browser, asgi_server, screenshot_dir):
    context, page, watch = open_page(browser, asgi_server, width=1366, height=768)
    page.goto("/cluster/")
    wait_live(page)
    page.get_by_role("tab", name=re.compile("YAML")).click()
    broken = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n   selector: x\n"
    page.locator(".viz-yaml textarea").fill(broken)
    page.locator('[data-action="diff"]').click()
    page.wait_for_selector(".y-error-line")
    lines = page.locator(".viz-yaml-highlight .y-line")
    marked = [
        i + 1 for i in range(lines.count()) if "y-error-line" in (lines.nth(i).get_attribute("class") or "")
    ]
    assert marked == [7]
    assert page.locator(".y-error-gutter").inner_text().strip() == "7"
    assert "7" in page.locator(".viz-yaml-message").inner_text()
    assert page.locator('[data-action="apply"]').is_disabled()
    page.screenshot(path=str(screenshot_dir / "visualizer-laptop-yaml-error.png"))

    # A valid template: diff first, then apply; the pods appear.
    page.locator(".viz-yaml select").select_option("deployment")
    page.locator('[data-action="diff"]').click()
    page.wait_for_selector('[data-action="apply"]:not([disabled])')
    assert "+" in page.locator(".viz-yaml-diff").inner_text()
    page.locator('[data-action="apply"]').click()
    page.wait_for_function(
        "() => /created|configured/.test(document.querySelector('.viz-yaml-message').textContent)"
    )
    wait_for(lambda: len(pods(page)) == 3, page, what="three pods from the template")
    watch.assert_clean()
    context.close()


def test_the_mermaid_export_of_a_cluster_renders_as_svg(browser, asgi_server, screenshot_dir):
    context, page, watch = open_page(browser, asgi_server, width=1366, height=768)
    page.goto("/cluster/")
    wait_live(page)
    assert page.evaluate("() => typeof window.mermaid") == "undefined"  # loaded only when the panel opens
    run(page, "kubectl create deployment web --image=nginx:1.20 --replicas=2")
    page.wait_for_timeout(1500)  # the state is saved after the command
    page.locator('[data-tool="export"]').click()
    page.wait_for_selector('#viz-export[data-state="ready"]', timeout=20000)
    assert page.locator('#viz-export [data-part="graph"] .viz-export-render svg').count() == 1
    assert page.locator('#viz-export [data-part="trace"] .viz-export-render svg').count() == 1
    page.screenshot(path=str(screenshot_dir / "visualizer-laptop-mermaid-export.png"))
    assert (
        "flowchart" in page.locator('#viz-export [data-part="graph"] .viz-export-source').text_content()
        or "graph" in page.locator('#viz-export [data-part="graph"] .viz-export-source').text_content()
    )
    watch.assert_clean()
    context.close()


def test_a_classroom_cluster_on_the_projector(browser, asgi_server, django_user_model, screenshot_dir):
    """30 pods on 5 workers, mid rolling update, fit on a 1920×1080 projector (screenshots for review)."""
    from visualizer.engine import Cluster
    from visualizer.models import ClusterRecord

    c = Cluster(workers=5, seed=1)
    for cmd in [
        "kubectl create deployment web --image=nginx:1.20 --replicas=18",
        "kubectl expose deployment web --port=80",
        "kubectl create deployment api --image=httpd:2.4 --replicas=10",
        "docker run -d --name legacy nginx:1.20",
        "docker run -d --name cache redis:7.2",
    ]:
        assert c.run(cmd).ok, cmd
    c.advance(30)
    c.run("sim traffic web 60")
    c.run("kubectl cordon worker-4")
    c.run("kubectl set image deployment/web nginx=nginx:1.21")
    c.advance(2)
    teacher = django_user_model.objects.create_user("teacher", password="teacher-password-1", is_staff=True)
    record = ClusterRecord.objects.create(
        kind="demo",
        owner_key=f"user:{teacher.pk}",
        name="demo",
        title="수업 데모 클러스터",
        state=json.dumps(c.to_dict()),
        version=c.version,
        paused=True,
    )
    context, page, watch = open_page(browser, asgi_server, width=1920, height=1080)
    page.goto(f"/admin/login/?next=/cluster/c/{record.public_id}/")
    page.locator("#id_username").fill("teacher")
    page.locator("#id_password").fill("teacher-password-1")
    page.locator("input[type=submit]").click()
    wait_live(page)
    assert len(page.locator(POD).all()) >= 30
    page.wait_for_timeout(800)
    page.screenshot(path=str(screenshot_dir / "visualizer-projector.png"))
    # The picture fits the projector without scrolling.
    box = page.locator(".viz-svg").bounding_box()
    assert box["y"] + box["height"] <= 1080
    watch.assert_clean()
    context.close()


def test_a_guided_scenario_completes_its_steps_from_the_cluster_state(
    browser, asgi_server, lesson, screenshot_dir
):
    from django.core.management import call_command

    call_command("loaddata", "scenarios", verbosity=0)
    context, page, watch = open_page(browser, asgi_server, width=1366, height=768)
    page.goto("/cluster/scenarios/")
    page.get_by_role("link", name=re.compile("컨테이너 배포")).click()
    wait_live(page)
    page.wait_for_selector('.viz-step-list li[data-index="0"][data-state="current"]')
    set_speed(page)
    # The hint goes into the console; the step completes when the cluster shows three scheduled pods.
    page.locator('.viz-step-list li[data-index="0"] .viz-hint-use').click()
    assert page.locator(".viz-term-input").input_value().startswith("kubectl create deployment web")
    page.locator(".viz-term-input").press("Enter")
    page.wait_for_selector('.viz-step-list li[data-index="0"][data-state="done"]', timeout=30000)
    page.wait_for_selector('.viz-step-list li[data-index="1"][data-state="done"]', timeout=30000)
    assert page.locator('.viz-step-list li[data-index="2"]').get_attribute("aria-current") == "step"
    assert "2/4" in page.locator('[data-part="progress"]').inner_text()
    page.screenshot(path=str(screenshot_dir / "visualizer-laptop-scenario.png"))
    watch.assert_clean()
    context.close()


def test_the_pair_scenario_shows_two_live_clusters_and_a_share_link_is_read_only(
    browser, asgi_server, lesson, screenshot_dir
):
    from django.core.management import call_command

    call_command("loaddata", "scenarios", verbosity=0)
    context, page, watch = open_page(browser, asgi_server, width=1920, height=1080)
    page.goto("/cluster/scenarios/imperative-vs-declarative/")
    page.wait_for_function(
        "() => document.querySelectorAll('.viz-cluster[data-connection=\"open\"][data-version]').length === 2"
    )
    assert page.locator(".viz-cluster-label").all_inner_texts() == [
        "A: 명령형 (docker run)",
        "B: 선언형 (Deployment)",
    ]
    page.locator('.viz-step-list li[data-index="0"] .viz-hint-use').click()
    assert page.locator('.viz-cluster[data-index="0"] .viz-term-input').input_value().startswith("docker run")
    page.locator('.viz-cluster[data-index="0"] .viz-term-input').press("Enter")
    page.wait_for_selector('.viz-cluster[data-index="0"] g[data-pod].v-pod-docker')
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(screenshot_dir / "visualizer-projector-pair-scenario.png"))

    # The sandbox of one visitor is refused to another, and its share link opens it read-only.
    share = page.locator('.viz-cluster[data-index="0"] [data-tool="share"]').get_attribute("data-url")
    cluster_url = page.evaluate(
        "() => JSON.parse(document.getElementById('viz-configs').textContent)[0].cluster"
    )
    watch.assert_clean()
    other_ctx, other, other_watch = open_page(browser, asgi_server, width=1366, height=768)
    response = other.goto(f"/cluster/c/{cluster_url}/")
    assert response.status == 403
    assert "볼 수 없습니다" in other.locator("h1").inner_text()
    other_watch.failed_responses.clear()
    other_watch.console_errors.clear()  # the browser logs the expected 403
    other.goto(share)
    wait_live(other)
    assert other.locator(".viz-readonly").is_visible()
    assert other.locator(".viz-term-input").count() == 0
    other.wait_for_selector("g[data-pod].v-pod-docker")
    other_watch.assert_clean()
    other_ctx.close()
    context.close()
