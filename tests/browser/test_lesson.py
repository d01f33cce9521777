"""The lesson in a real browser: diagrams, glossary tooltips, keyboard navigation, progress, offline."""

import urllib.request

import pytest

from tests.browser.conftest import open_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LESSON = "/lesson/week2-day4-session2"


def wait_for_diagrams(page) -> None:
    page.wait_for_function(
        "() => [...document.querySelectorAll('.diagram-canvas')].every(c => c.dataset.state !== 'pending')",
        timeout=30_000,
    )


def test_all_ten_diagrams_render_as_svg_without_errors_or_foreign_requests(browser, asgi_server, lesson):
    """Every mermaid diagram of the lesson is drawn as SVG; the page asks nothing of any other host."""
    context, page, watch = open_page(browser, asgi_server)
    drawn = 0
    for slug in [s.slug for s in lesson.sections.order_by("order")]:
        page.goto(f"{LESSON}/{slug}/")
        wait_for_diagrams(page)
        assert page.locator(".diagram-canvas[data-state=error]").count() == 0
        drawn += page.locator(".diagram-canvas[data-state=rendered] > svg").count()
        if slug == "concept-3":
            # `style M1,M2,M3,M4 fill:...` colours four nodes; it must not draw a node named "M1,M2,M3,M4".
            labels = page.locator("#diagram-10 svg").text_content()
            assert "API Server" in labels and "M1,M2" not in labels and "W4,W5" not in labels
    assert drawn == 10
    watch.assert_clean()
    context.close()


def test_glossary_definition_appears_on_keyboard_focus(browser, asgi_server, lesson):
    """Focusing a linked key term shows its definition from 핵심 키워드."""
    context, page, watch = open_page(browser, asgi_server)
    page.goto(f"{LESSON}/overview/")
    term = page.locator("a.term[data-term=orchestration]").first
    tip = page.locator("#" + term.get_attribute("aria-describedby"))
    assert not tip.is_visible()
    term.focus()
    assert tip.is_visible()
    assert "여러 컨테이너의 자동 관리" in tip.inner_text()
    page.keyboard.press("Escape")
    assert not tip.is_visible()
    term.click()
    page.wait_for_url(f"**{LESSON}/keywords/#term-orchestration")
    assert page.locator("#term-orchestration").is_visible()
    watch.assert_clean()
    context.close()


def test_arrow_keys_move_between_sections(browser, asgi_server, lesson):
    """→ opens the next section and ← the previous one."""
    context, page, watch = open_page(browser, asgi_server)
    page.goto(f"{LESSON}/overview/")
    page.keyboard.press("ArrowRight")
    page.wait_for_url(f"**{LESSON}/why/")
    assert page.locator(".toc-item a[aria-current=page]").inner_text().startswith("🤔 왜 필요한가?")
    page.keyboard.press("ArrowLeft")
    page.wait_for_url(f"**{LESSON}/overview/")
    watch.assert_clean()
    context.close()


def test_reading_progress_is_remembered_by_the_browser(browser, asgi_server, lesson):
    """Sections already read are ticked in the table of contents after a reload, and the reader is offered to resume."""
    context, page, watch = open_page(browser, asgi_server)
    for slug in ["overview", "why", "concept-1"]:
        page.goto(f"{LESSON}/{slug}/")
    page.goto(f"{LESSON}/overview/")
    visited = page.locator(".toc-item.visited").evaluate_all("items => items.map(i => i.dataset.section)")
    assert visited == ["overview", "why", "concept-1"]
    assert "이어서 읽기" in page.locator(".resume-note").inner_text()
    watch.assert_clean()
    context.close()


def test_mermaid_is_served_compressed_by_the_app(asgi_server, lesson):
    """The 5 MB mermaid bundle goes out brotli-compressed from the app itself."""
    html = urllib.request.urlopen(f"{asgi_server}{LESSON}/concept-2/").read().decode()
    src = html.split('<script src="', 1)[1].split('"', 1)[0]
    assert "/static/vendor/mermaid/mermaid.min." in src
    request = urllib.request.Request(asgi_server + src, headers={"Accept-Encoding": "br"})
    with urllib.request.urlopen(request) as response:
        assert response.headers["Content-Encoding"] == "br"
        assert int(response.headers["Content-Length"]) < 2_000_000


@pytest.mark.parametrize(
    ("name", "width", "height"), [("projector", 1920, 1080), ("laptop", 1366, 768), ("phone", 390, 844)]
)
def test_screenshots_at_three_widths(browser, asgi_server, lesson, screenshot_dir, name, width, height):
    """The lesson lays out at projector, laptop and phone widths without horizontal scrolling."""
    context, page, watch = open_page(browser, asgi_server, width=width, height=height)
    for slug in ["overview", "concept-2", "concept-3"]:
        page.goto(f"{LESSON}/{slug}/")
        wait_for_diagrams(page)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        page.screenshot(path=str(screenshot_dir / f"lesson-{slug}-{name}.png"), full_page=False)
    watch.assert_clean()
    context.close()
