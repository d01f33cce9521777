"""Diagrams in a real browser: every figure fits its column at projector, laptop and phone widths, and the
full-screen viewer opens, zooms, pans (mouse, keyboard, touch) and hands the focus back.

Screenshots: docs/screenshots/diagram-fit-{projector,laptop,phone}.png (the concept-1 figure, whole),
diagram-viewer-{projector,laptop,phone}.png (the open viewer).
"""

from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import open_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LESSON = "/lesson/week2-day4-session2"
WIDTHS = {"projector": (1920, 1080), "laptop": (1366, 768), "phone": (390, 844)}
# The sections that hold the lesson's ten diagrams.
DIAGRAM_SECTIONS = ["concept-1", "concept-2", "concept-3"]


def wait_for_diagrams(page) -> None:
    page.wait_for_function(
        "() => [...document.querySelectorAll('.diagram-canvas')].every(c => c.dataset.state !== 'pending')",
        timeout=30_000,
    )


def figure_boxes(page) -> list[dict]:
    """For every figure: the canvas's box and scroll sizes, the SVG's box and its viewBox (CSS px)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('figure.diagram')].map((figure) => {
          const canvas = figure.querySelector('.diagram-canvas');
          const svg = canvas.querySelector('svg');
          const c = canvas.getBoundingClientRect();
          const s = svg ? svg.getBoundingClientRect() : null;
          const vb = svg?.viewBox.baseVal;
          return {
            id: figure.id, state: canvas.dataset.state,
            canvas: {left: c.left, right: c.right, scrollWidth: canvas.scrollWidth, clientWidth: canvas.clientWidth},
            svg: s && {left: s.left, right: s.right, width: s.width, height: s.height},
            viewBox: vb && {width: vb.width, height: vb.height},
          };
        })"""
    )


def stage_box(page) -> dict:
    """The viewer's viewport and the drawn diagram's box in it, and the zoom percentage shown.

    Panzoom applies its transform in the next animation frame: wait for two frames before measuring."""
    return page.evaluate(
        """async () => {
          await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
          const v = document.querySelector('.viewer-viewport').getBoundingClientRect();
          const s = document.querySelector('.diagram-viewer .viewer-svg').getBoundingClientRect();
          return {
            viewport: {left: v.left, top: v.top, right: v.right, bottom: v.bottom},
            svg: {left: s.left, top: s.top, right: s.right, bottom: s.bottom, width: s.width, height: s.height},
            zoom: parseInt(document.querySelector('.viewer-zoom').value, 10),
          };
        }"""
    )


def inside(inner: dict, outer: dict, slack: float = 1.0) -> bool:
    return (
        inner["left"] >= outer["left"] - slack
        and inner["right"] <= outer["right"] + slack
        and inner.get("top", 0) >= outer.get("top", 0) - slack
        and inner.get("bottom", 0) <= outer.get("bottom", 0) + slack
    )


@pytest.mark.parametrize("device", list(WIDTHS))
def test_every_figure_is_whole_inside_its_column(browser, asgi_server, lesson, screenshot_dir, device):
    """No diagram loses a part: each SVG lies inside its canvas, nothing hides in a sideways scroll, and
    the SVG keeps its drawn aspect ratio (scaled, not cropped), at 1920, 1366 and 390 px."""
    width, height = WIDTHS[device]
    context, page, watch = open_page(browser, asgi_server, width=width, height=height)
    seen = 0
    for slug in DIAGRAM_SECTIONS:
        page.goto(f"{LESSON}/{slug}/")
        wait_for_diagrams(page)
        for box in figure_boxes(page):
            assert box["state"] == "rendered", box
            svg, canvas, view = box["svg"], box["canvas"], box["viewBox"]
            assert svg["width"] > 0 and svg["height"] > 0, box
            assert canvas["left"] - 1 <= svg["left"] and svg["right"] <= canvas["right"] + 1, box
            assert canvas["scrollWidth"] <= canvas["clientWidth"] + 1, box
            assert svg["width"] <= view["width"] + 1, box  # never drawn larger than mermaid drew it
            assert abs(svg["width"] / svg["height"] - view["width"] / view["height"]) < 0.02 * (
                view["width"] / view["height"]
            ), box
            seen += 1
        if slug == "concept-1":
            page.locator("#diagram-1").scroll_into_view_if_needed()
            page.locator("#diagram-1").screenshot(path=str(screenshot_dir / f"diagram-fit-{device}.png"))
    assert seen == 10
    watch.assert_clean()
    context.close()


def open_first_viewer(page) -> None:
    page.goto(f"{LESSON}/concept-1/")
    wait_for_diagrams(page)
    page.locator("#diagram-1 .diagram-zoom").click()
    page.wait_for_selector("dialog.diagram-viewer[open]")


def test_viewer_is_a_labelled_modal_dialog_driven_by_the_keyboard(
    browser, asgi_server, lesson, screenshot_dir
):
    """크게 보기 opens a modal dialog named by the figure's caption, the whole diagram fitted; + / - zoom,
    arrows pan (the lesson's ← / → do not change the section), 0 fits, Tab stays inside, Esc closes and
    the focus returns to the button."""
    context, page, watch = open_page(browser, asgi_server, width=1366, height=768)
    open_first_viewer(page)
    dialog = page.locator("dialog.diagram-viewer")
    caption = page.locator("#diagram-1 figcaption").inner_text().strip()
    title_id = dialog.get_attribute("aria-labelledby")
    assert page.locator(f"#{title_id}").inner_text().strip() == caption
    assert page.evaluate("() => document.querySelector('dialog.diagram-viewer').matches(':modal')")
    assert page.evaluate(
        "() => document.querySelector('dialog.diagram-viewer').contains(document.activeElement)"
    )
    for label in ["확대", "축소", "화면에 맞춤", "닫기"]:
        assert page.get_by_role("button", name=label, exact=True).count() == 1, label

    # The copy keeps mermaid's look (its <style> is scoped to the SVG's id) and the page keeps unique ids.
    looks = page.evaluate(
        """() => ['#diagram-1 .diagram-canvas svg', '.diagram-viewer .viewer-svg'].map((svg) => {
          const rect = document.querySelector(`${svg} .node rect`);
          return [getComputedStyle(rect).fill, getComputedStyle(rect).stroke];
        })"""
    )
    assert looks[0] == looks[1] and looks[0][1] not in ("none", ""), looks
    assert page.evaluate(
        "() => { const ids = [...document.querySelectorAll('[id]')].map(e => e.id);"
        " return ids.length === new Set(ids).size; }"
    )

    fitted = stage_box(page)
    assert inside(fitted["svg"], fitted["viewport"]), fitted
    # Fitted means as large as the viewport allows on one axis (16 px margins), not merely inside it.
    room_w = fitted["viewport"]["right"] - fitted["viewport"]["left"]
    room_h = fitted["viewport"]["bottom"] - fitted["viewport"]["top"]
    assert fitted["svg"]["width"] >= room_w - 40 or fitted["svg"]["height"] >= room_h - 40, fitted
    page.screenshot(path=str(screenshot_dir / "diagram-viewer-laptop.png"))

    page.keyboard.press("+")
    page.keyboard.press("+")
    zoomed = stage_box(page)
    assert zoomed["zoom"] > fitted["zoom"] and zoomed["svg"]["width"] > fitted["svg"]["width"] * 1.5, zoomed
    page.keyboard.press("ArrowRight")
    moved = stage_box(page)
    assert moved["svg"]["left"] < zoomed["svg"]["left"] - 40, (zoomed, moved)
    page.keyboard.press("ArrowDown")
    assert stage_box(page)["svg"]["top"] < moved["svg"]["top"] - 40
    assert urlsplit(page.url).path == f"{LESSON}/concept-1/"  # → panned, did not turn the page
    page.keyboard.press("-")
    assert stage_box(page)["zoom"] < moved["zoom"]
    page.keyboard.press("0")
    again = stage_box(page)
    assert again["zoom"] == fitted["zoom"] and abs(again["svg"]["left"] - fitted["svg"]["left"]) < 2, again

    for _ in range(8):
        page.keyboard.press("Tab")
        assert page.evaluate(
            "() => document.querySelector('dialog.diagram-viewer').contains(document.activeElement)"
        )
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(
        "() => document.querySelector('dialog.diagram-viewer').contains(document.activeElement)"
    )

    # A smaller window: 0 fits the diagram to the new viewport.
    page.set_viewport_size({"width": 1000, "height": 600})
    page.keyboard.press("+")
    page.keyboard.press("0")
    small = stage_box(page)
    assert inside(small["svg"], small["viewport"]), small
    assert small["svg"]["width"] >= small["viewport"]["right"] - small["viewport"]["left"] - 40, small

    page.keyboard.press("Escape")
    assert not dialog.evaluate("d => d.open")
    assert page.evaluate("() => document.activeElement.matches('#diagram-1 .diagram-zoom')")
    watch.assert_clean()
    context.close()


def test_viewer_zooms_with_the_wheel_at_the_pointer_and_pans_with_a_drag(
    browser, asgi_server, lesson, screenshot_dir
):
    """The wheel zooms about the pointer (the point under it stays put); a drag moves the diagram by the
    drag; the + − and 맞춤 buttons work; a click on the diagram itself also opens the viewer."""
    context, page, watch = open_page(browser, asgi_server, width=1920, height=1080)
    page.goto(f"{LESSON}/concept-1/")
    wait_for_diagrams(page)
    page.locator("#diagram-1 .diagram-canvas").click()
    page.wait_for_selector("dialog.diagram-viewer[open]")
    page.screenshot(path=str(screenshot_dir / "diagram-viewer-projector.png"))
    before = stage_box(page)
    # A point a quarter into the diagram; where it sits, as a fraction of the diagram, must not change.
    px = before["svg"]["left"] + before["svg"]["width"] * 0.25
    py = before["svg"]["top"] + before["svg"]["height"] * 0.5
    page.mouse.move(px, py)
    page.mouse.wheel(0, -300)
    page.wait_for_timeout(100)
    after = stage_box(page)
    assert after["zoom"] > before["zoom"], after
    fx = (px - after["svg"]["left"]) / after["svg"]["width"]
    fy = (py - after["svg"]["top"]) / after["svg"]["height"]
    assert abs(fx - 0.25) < 0.02 and abs(fy - 0.5) < 0.02, (fx, fy)

    page.mouse.move(960, 600)
    page.mouse.down()
    page.mouse.move(860, 540, steps=5)
    page.mouse.up()
    dragged = stage_box(page)
    assert abs((dragged["svg"]["left"] - after["svg"]["left"]) - -100) < 3, (after, dragged)
    assert abs((dragged["svg"]["top"] - after["svg"]["top"]) - -60) < 3, (after, dragged)

    dialog = page.locator("dialog.diagram-viewer")
    dialog.get_by_role("button", name="확대", exact=True).click()
    assert stage_box(page)["zoom"] > dragged["zoom"]
    dialog.get_by_role("button", name="화면에 맞춤").click()
    assert stage_box(page)["zoom"] == before["zoom"]
    dialog.get_by_role("button", name="축소", exact=True).click()
    assert stage_box(page)["zoom"] < before["zoom"]
    dialog.get_by_role("button", name="닫기").click()
    assert not dialog.evaluate("d => d.open")
    watch.assert_clean()
    context.close()


def touch(cdp, kind: str, points: list[tuple[float, float]]) -> None:
    cdp.send(
        "Input.dispatchTouchEvent",
        {"type": kind, "touchPoints": [{"x": x, "y": y, "id": i} for i, (x, y) in enumerate(points)]},
    )


def test_viewer_on_a_phone_pinch_zooms_and_one_finger_drags(browser, asgi_server, lesson, screenshot_dir):
    """At 390 px with a touch screen: a tap on the diagram opens the viewer, two fingers spreading apart
    zoom in, one finger dragging moves the diagram."""
    context, page, watch = open_page(
        browser, asgi_server, width=390, height=844, has_touch=True, is_mobile=True
    )
    page.goto(f"{LESSON}/concept-1/")
    wait_for_diagrams(page)
    page.locator("#diagram-1 .diagram-canvas").tap()
    page.wait_for_selector("dialog.diagram-viewer[open]")
    fitted = stage_box(page)
    assert inside(fitted["svg"], fitted["viewport"]), fitted
    page.screenshot(path=str(screenshot_dir / "diagram-viewer-phone.png"))

    cdp = context.new_cdp_session(page)
    cx = (fitted["viewport"]["left"] + fitted["viewport"]["right"]) / 2
    cy = (fitted["viewport"]["top"] + fitted["viewport"]["bottom"]) / 2
    touch(cdp, "touchStart", [(cx - 40, cy), (cx + 40, cy)])
    for step in range(1, 11):
        touch(cdp, "touchMove", [(cx - 40 - 10 * step, cy), (cx + 40 + 10 * step, cy)])
    touch(cdp, "touchEnd", [])
    pinched = stage_box(page)
    assert pinched["zoom"] > fitted["zoom"] * 1.5, (fitted, pinched)

    touch(cdp, "touchStart", [(cx, cy)])
    for step in range(1, 6):
        touch(cdp, "touchMove", [(cx + 12 * step, cy + 6 * step)])
    touch(cdp, "touchEnd", [])
    dragged = stage_box(page)
    assert abs((dragged["svg"]["left"] - pinched["svg"]["left"]) - 60) < 3, (pinched, dragged)
    assert abs((dragged["svg"]["top"] - pinched["svg"]["top"]) - 30) < 3, (pinched, dragged)
    page.screenshot(path=str(screenshot_dir / "diagram-viewer-phone-zoomed.png"))
    assert urlsplit(page.url).path == f"{LESSON}/concept-1/"
    watch.assert_clean()
    context.close()


def test_viewer_speaks_english_on_an_english_page(browser, asgi_server, lesson):
    """The button and the viewer's controls carry their English labels on an English page."""
    context, page, watch = open_page(browser, asgi_server, width=1366, height=768)
    context.add_cookies(
        [{"name": "django_language", "value": "en", "domain": urlsplit(asgi_server).hostname, "path": "/"}]
    )
    page.goto(f"{LESSON}/concept-1/")
    wait_for_diagrams(page)
    assert page.locator("#diagram-1 .diagram-zoom").inner_text().strip() == "Enlarge"
    page.locator("#diagram-1 .diagram-zoom").click()
    dialog = page.locator("dialog.diagram-viewer[open]")
    for label in ["Zoom in", "Zoom out", "Fit to screen", "Close"]:
        assert dialog.get_by_role("button", name=label, exact=True).count() == 1, label
    assert dialog.locator(".viewer-tools").get_attribute("aria-label") == "Zoom"
    watch.assert_clean()
    context.close()


def test_a_mermaid_block_without_diagram_rows_is_drawn(browser, asgi_server, lesson):
    """A section whose body holds a mermaid figure but which has no Diagram rows (saved by hand, or a
    fence the importer did not count) still loads mermaid.js and draws the SVG."""
    from course.rendering import render_section

    section = lesson.sections.get(slug="why")
    assert not section.diagrams.exists()
    section.body_html += render_section("```mermaid\ngraph LR\n    A[요청] --> B[응답]\n```\n")
    section.save()
    context, page, watch = open_page(browser, asgi_server, width=1366, height=768)
    page.goto(f"{LESSON}/why/")
    assert page.locator("script[src*='vendor/mermaid/mermaid.min']").count() == 1
    wait_for_diagrams(page)
    figure = page.locator("figure.diagram")
    assert figure.count() == 1
    assert figure.locator(".diagram-canvas[data-state=rendered] > svg").count() == 1
    assert "요청" in figure.locator("svg").text_content()
    watch.assert_clean()
    context.close()
