"""A page that watched a whole rollout shows what a freshly loaded page shows (the compact diffs add up).

The browser applies compact diffs (patches, events rendered from narration-table.js) on top of one snapshot;
a page open through a class's rolling update, a Service, a scale, a pod deletion and a YAML apply must end
with the same pod cards, Service bands and event texts as a page loaded afterwards, in Korean and English,
and a page reloaded mid-rollout must resync to the same state.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import open_page
from tests.browser.test_visualizer import OWNED, _demo_cluster, run, set_speed, wait_for, wait_live
from tests.engine.world.examples import NGINX_DEPLOYMENT  # kubernetes.io's Deployment example

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def cards(page) -> list[tuple]:
    """Every owned pod card as (name, version, ready, status, node, version colour), sorted."""
    rows = page.eval_on_selector_all(
        OWNED,
        "els => els.map(g => [g.dataset.name, g.dataset.version, g.dataset.ready, g.dataset.status,"
        " (g.closest('[data-node]') || {dataset: {}}).dataset.node || '',"
        " (g.querySelector('.v-pod-strip') || {getAttribute: () => ''}).getAttribute('fill')])",
    )
    return sorted(tuple(r) for r in rows)


def version_colours(page) -> dict[str, str]:
    """The colour of each version on the pod cards: {"1.21": "#d9480f", …} (one colour per version)."""
    out: dict[str, set] = {}
    for card in cards(page):
        out.setdefault(card[1], set()).add(card[5])
    assert all(len(c) == 1 for c in out.values()), out
    return {version: colours.pop() for version, colours in out.items()}


def bands(page) -> list[str]:
    """The owner and Service bands' texts, without the request counters (they move with traffic)."""
    texts = page.eval_on_selector_all(
        ".viz-cluster .v-band-title, .viz-cluster .v-band-sub",
        "els => els.map(e => e.textContent)",
    )
    return sorted(re.sub(r"(요청|requests?) \d+", "", t) for t in texts)


def events(page) -> list[str]:
    """The events panel's lines (step, component, text), oldest first, without the clock column."""
    return page.eval_on_selector_all(
        ".viz-event-list li",
        "els => els.map(li => [li.dataset.step, li.dataset.type,"
        " li.querySelector('.ev-who').textContent, li.querySelector('.ev-text').textContent,"
        " li.querySelector('.ev-en').textContent].join(' | '))",
    )


def settled(page, n: int, version: str) -> bool:
    ps = cards(page)
    return (
        len([p for p in ps if p[0].startswith("web-")]) == n
        and all(p[2] == "true" and p[3] == "Running" for p in ps)
        and {p[1] for p in ps if p[0].startswith("web-")} == {version}
    )


def pause(page) -> None:
    if page.locator('[data-control="toggle"][aria-pressed="false"]').count():
        page.locator('[data-control="toggle"]').click()
    page.wait_for_selector('[data-control="toggle"][aria-pressed="true"]')


def same_view(long_page, fresh_page) -> None:
    assert cards(long_page) == cards(fresh_page)
    assert bands(long_page) == bands(fresh_page)
    old, new = events(long_page), events(fresh_page)
    # A fresh page starts from the cluster's recent events; the long page holds at least as many lines.
    tail = min(len(old), len(new))
    assert tail > 5
    assert old[-tail:] == new[-tail:]


@pytest.mark.parametrize("language", ["ko", "en"])
def test_a_page_that_watched_the_rollout_equals_a_fresh_page(
    browser, asgi_server, django_user_model, tmp_path, language
):
    record = _demo_cluster(django_user_model)
    url = f"/cluster/c/{record.public_id}/"
    host = urlsplit(asgi_server).hostname
    lang_cookie = [{"name": "django_language", "value": language, "domain": host, "path": "/"}]

    t_ctx, teacher, t_watch = open_page(browser, asgi_server, width=1920, height=1080)
    t_ctx.add_cookies(lang_cookie)
    teacher.goto(f"/admin/login/?next={url}")
    teacher.locator("#id_username").fill("teacher")
    teacher.locator("#id_password").fill("teacher-password-1")
    teacher.locator("input[type=submit]").click()
    wait_live(teacher)
    set_speed(teacher)

    viewers = []
    for width, height, extra in ((1366, 768, {}), (390, 844, {"is_mobile": True, "has_touch": True})):
        ctx, page, watch = open_page(browser, asgi_server, width=width, height=height, **extra)
        ctx.add_cookies(lang_cookie)
        page.goto(url)
        wait_live(page)
        viewers.append((ctx, page, watch))
    laptop = viewers[0][1]

    run(teacher, "kubectl create deployment web --image=nginx:1.20 --replicas=6")
    run(teacher, "kubectl expose deployment web --port=80")
    wait_for(lambda: settled(teacher, 6, "1.20"), teacher, timeout=60, what="six ready 1.20 pods")
    run(teacher, "kubectl set image deployment/web nginx=nginx:1.21")
    # Mid-rollout the laptop reloads: it resyncs from a snapshot.
    wait_for(
        lambda: {p[1] for p in cards(teacher) if p[0].startswith("web-")} >= {"1.20", "1.21"},
        teacher,
        what="both versions on screen",
    )
    laptop.reload()
    wait_live(laptop)
    wait_for(lambda: settled(teacher, 6, "1.21"), teacher, timeout=90, what="six ready 1.21 pods")
    run(teacher, "kubectl scale deployment web --replicas=4")
    wait_for(lambda: settled(teacher, 4, "1.21"), teacher, timeout=60, what="four ready pods")
    victim = next(p[0] for p in cards(teacher) if p[0].startswith("web-"))
    run(teacher, f"kubectl delete pod {victim}")
    wait_for(
        lambda: settled(teacher, 4, "1.21") and victim not in {p[0] for p in cards(teacher)},
        teacher,
        timeout=60,
        what="the deleted pod replaced",
    )
    teacher.get_by_role("tab", name=re.compile("YAML")).click()
    teacher.locator(".viz-yaml textarea").fill(NGINX_DEPLOYMENT)
    teacher.locator('[data-action="diff"]').click()
    teacher.wait_for_selector('[data-action="apply"]:not([disabled])')
    teacher.locator('[data-action="apply"]').click()
    teacher.wait_for_function(
        "() => /created|configured/.test(document.querySelector('.viz-yaml-message').textContent)"
    )
    wait_for(
        lambda: (
            len([p for p in cards(teacher) if p[0].startswith("nginx-deployment-") and p[2] == "true"]) == 3
        ),
        teacher,
        timeout=60,
        what="the kubernetes.io nginx-deployment ready",
    )
    pause(teacher)
    # Let every viewer take the last frames before comparing.
    version = teacher.locator(".viz-cluster").get_attribute("data-version")
    for _, page, _ in viewers:
        page.wait_for_selector(f'.viz-cluster[data-version="{version}"]')

    f_ctx, fresh, f_watch = open_page(browser, asgi_server, width=1366, height=768)
    f_ctx.add_cookies(lang_cookie)
    fresh.goto(url)
    wait_live(fresh)
    fresh.wait_for_selector(f'.viz-cluster[data-version="{version}"]')

    teacher.screenshot(path=str(tmp_path / f"trial-projector-after-rollout-{language}.png"))
    fresh.screenshot(path=str(tmp_path / f"trial-fresh-after-rollout-{language}.png"))
    for i, (_, page, _) in enumerate(viewers):
        page.screenshot(path=str(tmp_path / f"trial-viewer{i}-after-rollout-{language}.png"), full_page=True)

    # Version colours are the cluster's, not the page's: the page that watched 1.20 → 1.21, the laptop reloaded
    # mid-rollout and a fresh page that never saw 1.20 colour 1.21 and 1.14.2 alike ("the orange pods are the
    # new version" holds for the whole class), and two versions never share a colour.
    colours = version_colours(fresh)
    assert set(colours) == {"1.21", "1.14.2"} and len(set(colours.values())) == 2, colours
    for page in (teacher, laptop, viewers[1][1]):
        assert version_colours(page) == colours
    for page in (teacher, *(v[1] for v in viewers)):
        same_view(page, fresh)
    for watch in (t_watch, f_watch, *(v[2] for v in viewers)):
        watch.assert_clean()
    for ctx in (t_ctx, f_ctx, *(v[0] for v in viewers)):
        ctx.close()


# A second tab of the same person, opened by the page itself, sends `count` commands at once.
BLAST = """([url, count]) => new Promise(resolve => {
  const ws = new WebSocket(url);
  const answers = [];
  // Refusals beyond the per-person error budget go unanswered (docs/protocol.md): stop waiting then.
  setTimeout(() => { ws.close(); resolve(answers); }, 5000);
  ws.onopen = () => { for (let i = 0; i < count; i++) ws.send(JSON.stringify({v: 1, type: "command", id: i,
    text: "kubectl get pods", stdin: null})); };
  ws.onmessage = e => { const f = JSON.parse(e.data);
    if (f.type === "result" || f.type === "error") answers.push(f.type === "error" ? f.code : "ok");
    if (answers.length === count) { ws.close(); resolve(answers); } };
})"""


def test_two_tabs_of_one_student_share_one_rate_limit_and_a_refusal_prints_once(browser, asgi_server):
    """Every socket of one browser session draws on one budget (docs/protocol.md: 10 at once, then 5 per second
    per person), and the console prints a refused command's error once, not twice."""
    context, page, watch = open_page(browser, asgi_server)
    sockets = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.goto("/cluster/")
    wait_live(page)
    url = next(u for u in sockets if "/ws/cluster/" in u)
    refused = None
    for _ in range(5):
        answers = page.evaluate(BLAST, [url, 20])
        assert set(answers) <= {"ok", "rate_limited"} and "rate_limited" in answers
        # At most the burst of 10 plus what refilled meanwhile: one budget, not one per socket.
        assert answers.count("ok") < 20
        run(page, "kubectl get pods")
        text = page.locator(".viz-term-output").inner_text()
        last = text[text.rindex("$ kubectl get pods") :]
        if "요청이 너무 많습니다" in last:
            refused = last
            break
    assert refused is not None, "the console's command was never refused after another tab drained the budget"
    assert refused.count("요청이 너무 많습니다") == 1, refused
    page.wait_for_timeout(2500)
    run(page, "kubectl get pods")
    assert (
        page.locator(".viz-term-output")
        .inner_text()
        .rstrip()
        .endswith("No resources found in default namespace.")
    )
    watch.assert_clean()
    context.close()
