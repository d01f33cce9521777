"""The toy cluster page with long output and the workload kinds, in a real browser (issue 10 trial findings).

- `kubectl describe` output is readable at 1366×768, 1920×1080 and 390 px: the console's wide view (a toggle
  button, Esc closes it) keeps the monospace columns and scrolls sideways only inside the output;
- StatefulSet, DaemonSet (the docs' fluentd in kube-system), Job and CronJob get owner cards listing their pods
  (StatefulSet pods by ordinal) and a finished Job pod reads Completed, as `kubectl get pods` STATUS does;
- a bad indent is marked on the line it is on, and the prefix explains kubectl's go-yaml line number;
- YAML over 64 KiB is refused by the page before sending, in the engine's own words.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import open_page
from tests.browser.test_visualizer import run, set_speed, wait_for, wait_live
from tests.engine.world.examples import PI_JOB as PI
from tests.engine.world.test_world_workloads import FLUENTD
from tests.visualizer.test_snapshot_workloads import HELLO_CJ, WEB_STS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OUTPUT = ".viz-term-output"
SIZES = {"laptop": (1366, 768), "projector": (1920, 1080), "phone": (390, 844)}


# For each pod id: the pod card painted at the centre of that pod's card (scrolled into view), or null.
_TOPMOST = """ids => ids.map(id => {
  const g = document.querySelector(`g[data-pod="${id}"]`);
  if (!g) return null;
  g.scrollIntoView({block: "center"});
  const r = g.getBoundingClientRect();
  return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2)?.closest("g[data-pod]")?.dataset.pod ?? null;
})"""


def _widths(page) -> dict:
    return page.eval_on_selector(
        OUTPUT,
        "o => ({scroll: o.scrollWidth, client: o.clientWidth, height: o.clientHeight,"
        " page: document.documentElement.scrollWidth, view: window.innerWidth})",
    )


@pytest.mark.parametrize("size", SIZES)
def test_kubectl_describe_is_readable_in_the_wide_view(browser, asgi_server, screenshot_dir, size):
    width, height = SIZES[size]
    context, page, watch = open_page(browser, asgi_server, width=width, height=height)
    page.goto("/cluster/")
    wait_live(page)
    # The example hint wraps inside the pane instead of running off its right edge.
    first = _widths(page)
    assert first["scroll"] <= first["client"] + 1, first
    set_speed(page)
    run(page, "kubectl create deployment web --image=nginx:1.20 --replicas=1")
    wait_for(lambda: page.locator('g[data-pod][data-ready="true"]').count() == 1, page, what="a ready pod")
    name = page.locator("g[data-pod]").first.get_attribute("data-name")
    run(page, f"kubectl describe pod {name}")
    text = page.locator(OUTPUT).inner_text()
    assert "Events:" in text and f"Successfully assigned default/{name} to" in text
    expand = page.locator('[data-control="expand"]')
    before = _widths(page)
    if before["scroll"] > before["client"] + 4:
        # The lines are wider than the pane: the wide-view button says so.
        assert expand.get_attribute("data-hint") == "1"
    page.screenshot(path=str(screenshot_dir / f"visualizer-{size}-describe.png"))

    # Keyboard only: focus the toggle, Enter opens the wide view, Esc closes it and gives focus back.
    expand.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(".viz-input.is-expanded")
    assert expand.get_attribute("aria-pressed") == "true"
    wide = _widths(page)
    assert wide["client"] > before["client"] and wide["height"] > before["height"], (before, wide)
    # The page itself never scrolls sideways; a line still wider than the pane scrolls inside it.
    assert wide["page"] <= wide["view"], wide
    longest = page.eval_on_selector(OUTPUT, "o => Math.max(...o.textContent.split('\\n').map(l => l.length))")
    if size == "projector":
        assert wide["scroll"] <= wide["client"] + 1, (wide, longest)  # a 1920 px window shows whole lines
    assert page.evaluate("getComputedStyle(document.querySelector('.viz-term-output')).whiteSpace") == "pre"
    page.screenshot(path=str(screenshot_dir / f"visualizer-{size}-describe-wide.png"))
    page.keyboard.press("Escape")
    page.wait_for_selector(".viz-input:not(.is-expanded)")
    assert page.evaluate("document.activeElement.dataset.control") == "expand"
    watch.assert_clean()
    context.close()


def test_every_workload_kind_has_an_owner_card_with_its_pods(browser, asgi_server, screenshot_dir):
    context, page, watch = open_page(browser, asgi_server, width=1366, height=768)
    page.goto("/cluster/")
    wait_live(page)
    set_speed(page)
    page.get_by_role("tab", name=re.compile("YAML")).click()
    for manifest in (WEB_STS, FLUENTD, PI, HELLO_CJ):
        page.locator(".viz-yaml textarea").fill(manifest)
        page.locator('[data-action="diff"]').click()
        page.wait_for_selector('[data-action="apply"]:not([disabled])')
        page.locator('[data-action="apply"]').click()
        page.wait_for_function(
            "() => /created/.test(document.querySelector('.viz-yaml-message').textContent)"
        )

    card = page.locator(".v-band-statefulset")
    wait_for(
        lambda: card.get_attribute("data-pods") == "web-0 web-1 web-2", page, what="web-0..2 on the card"
    )
    # The docs' fluentd DaemonSet in kube-system: a card with one pod per node, the control plane included.
    ds = page.locator(".v-band-daemonset")
    assert ds.get_attribute("data-namespace") == "kube-system" and "kube-system · " in ds.text_content()
    wait_for(lambda: len((ds.get_attribute("data-pods") or "").split()) == 4, page, what="4 fluentd pods")
    assert page.locator(".v-node-cp g[data-node]").count() == 0  # no kubelet box: a box of pods only
    assert page.locator('g[data-pod^="kube-system/fluentd-elasticsearch-"]').count() == 4
    assert page.locator('g[data-pod^="kube-system/kube-proxy-"]').count() == 0  # drawn as node components
    # The pi Job's pod finishes: STATUS Completed, and the badge says Completed rather than NotReady.
    pi = page.locator(".v-band-job")
    wait_for(lambda: "Complete" in pi.text_content(), page, timeout=60, what="the pi Job complete")
    pi_pod = page.locator('g[data-pod^="default/pi-"]')
    assert pi_pod.get_attribute("data-status") == "Completed"
    assert pi_pod.get_attribute("data-badge") == "✓ Completed"
    assert "v-pod-notready" not in (pi_pod.get_attribute("class") or "")
    # The CronJob's card counts its Jobs once the schedule fired (every minute).
    cj = page.locator(".v-band-cronjob")
    wait_for(lambda: re.search(r"Job [1-9]", cj.text_content()), page, timeout=60, what="a hello Job")
    # The hello pod sorts before web-0 on its node and takes web-0's slot while web-0 slides on: a pod card
    # already drawn is never painted over by a newcomer (the screenshot once showed web-0 missing).
    older = [
        p
        for p in page.eval_on_selector_all("g[data-pod]", "gs => gs.map(g => g.dataset.pod)")
        if "/hello-" not in p
    ]
    assert page.evaluate(_TOPMOST, older) == older
    # Every pod `kubectl get pods -A` lists is drawn as a pod card, but kubeadm's add-ons (kube-proxy is drawn
    # as a node component, CoreDNS is the cluster's own): the StatefulSet's web-0 on its node as on its card.
    page.get_by_role("tab", name=re.compile("console")).click()
    run(page, "kubectl get pods -A --no-headers")
    listed = {
        f"{ns}/{name}"
        for ns, name, *_ in (line.split() for line in page.locator(OUTPUT).inner_text().splitlines())
        if ns in ("default", "kube-system") and not name.startswith(("kube-proxy-", "coredns-"))
    }
    assert {"default/web-0", "default/web-1", "default/web-2"} <= listed and len(listed) >= 9, listed
    drawn = page.eval_on_selector_all("g[data-pod]:not(.v-leaving)", "gs => gs.map(g => g.dataset.pod)")
    assert sorted(drawn) == sorted(listed)
    page.wait_for_function(
        "() => !document.getAnimations().some(a => a.effect?.target?.closest?.('.v-pods'))"
    )
    for pod in listed:
        box = page.locator(f'g[data-pod="{pod}"]').bounding_box()
        assert box and box["width"] > 100 and box["height"] > 40, (pod, box)
        assert page.eval_on_selector(f'g[data-pod="{pod}"]', "g => getComputedStyle(g).opacity") == "1", pod
    assert page.evaluate(_TOPMOST, sorted(listed)) == sorted(listed)  # each card seen, none under another
    page.screenshot(path=str(screenshot_dir / "visualizer-laptop-workload-kinds.png"), full_page=True)
    watch.assert_clean()
    context.close()


def test_a_bad_indent_and_a_too_large_paste_in_the_yaml_editor(browser, asgi_server, screenshot_dir):
    context, page, watch = open_page(browser, asgi_server, width=1366, height=768)
    page.goto("/cluster/")
    wait_live(page)
    page.get_by_role("tab", name=re.compile("YAML")).click()
    bad = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  selector:\n    matchLabels:\n"
        "      app: nginx\n  replicas: 2 # two pods\n    template:\n    metadata:\n      labels:\n        app: nginx\n"
    )
    page.locator(".viz-yaml textarea").fill(bad)
    page.locator('[data-action="diff"]').click()
    page.wait_for_selector(".y-error-line")
    # The marker is on line 10, where `template:` is indented too far; kubectl (go-yaml) says "line 9".
    assert page.locator(".y-error-gutter").inner_text().strip() == "10"
    message = page.locator(".viz-yaml-message").inner_text()
    assert message.startswith("⚠ 10번째 줄 5번째 칸")
    assert "“line 9”" in message and "yaml: line 9: did not find expected key" in message
    page.screenshot(path=str(screenshot_dir / "visualizer-laptop-yaml-bad-indent.png"))

    sent = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda f: sent.append(len(f))))
    big = "".join(
        f"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm{i}\ndata:\n  k: '{'x' * 230}'\n"
        for i in range(240)
    )
    # As a paste does: one input event with the whole text (Playwright's fill of 70 KB is very slow).
    page.eval_on_selector(
        ".viz-yaml textarea", "(a, text) => { a.value = text; a.dispatchEvent(new Event('input')); }", big
    )
    page.locator('[data-action="diff"]').click()
    size = len(big.encode())
    page.wait_for_function(
        "() => /65,536 bytes/.test(document.querySelector('.viz-yaml-message').textContent)"
    )
    assert page.locator(".viz-yaml-message").inner_text() == (
        f"⚠ error: the input is {size:,} bytes; the simulator accepts at most 65,536 bytes (64 KiB) of YAML per command"
    )
    assert not [n for n in sent if n > 4096]  # nothing big went to the server
    watch.assert_clean()
    context.close()
