"""Colour emoji on a machine without an emoji font: the headings' emoji come from the vendored Twemoji COLR
font ("Orchestra Emoji", static/css/base.css), fetched from the app itself, drawn in colour, not as boxes.

Screenshot: docs/screenshots/emoji-heading-laptop.png (the concept-1 headings).
"""

import shutil
import subprocess

import pytest

from tests.browser.conftest import open_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LESSON = "/lesson/week2-day4-session2"


def system_emoji_fonts() -> list[str]:
    """The fonts fontconfig knows that cover U+1F4D6 (📖) in colour; [] when none (or no fontconfig)."""
    if not shutil.which("fc-list"):
        return []
    found = subprocess.run(
        ["fc-list", ":charset=1f4d6:color=true", "family"], capture_output=True, text=True, check=False
    )
    return [line for line in found.stdout.splitlines() if line.strip()]


# Draw a string on a canvas in the heading's own font stack and report its width and how many of its pixels
# are coloured (channels apart by more than 25: tofu boxes and monochrome glyphs are grey or black).
DRAW = """async ([selector, text]) => {
  await document.fonts.ready;
  const family = getComputedStyle(document.querySelector(selector)).fontFamily;
  const canvas = document.createElement('canvas');
  canvas.width = 96; canvas.height = 96;
  const ctx = canvas.getContext('2d');
  ctx.font = `64px ${family}`;
  ctx.textBaseline = 'top';
  ctx.fillStyle = '#000';
  ctx.fillText(text, 8, 8);
  const data = ctx.getImageData(0, 0, 96, 96).data;
  let coloured = 0, inked = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] > 0) inked += 1;
    const spread = Math.max(data[i], data[i + 1], data[i + 2]) - Math.min(data[i], data[i + 1], data[i + 2]);
    if (data[i + 3] > 128 && spread > 25) coloured += 1;
  }
  return {width: ctx.measureText(text).width, coloured, inked, pixels: Array.from(data).join(',')};
}"""


def test_heading_emoji_are_drawn_in_colour_from_the_vendored_font(
    browser, asgi_server, lesson, screenshot_dir
):
    """With no emoji font on the machine, 📖 🔍 🎼 in the headings are coloured glyphs with a width, unlike
    the tofu box of U+FFFF; the woff2 came from the app (200), and the vendored face reports loaded."""
    installed = system_emoji_fonts()
    if installed:
        pytest.skip(f"this machine has an emoji font ({installed[0]}): the vendored fallback is not used")
    context, page, watch = open_page(browser, asgi_server, width=1366, height=768)
    fetched = []
    page.on("response", lambda r: fetched.append((r.url, r.status)) if "twemoji" in r.url else None)
    page.goto(f"{LESSON}/concept-1/")
    page.wait_for_function("() => document.fonts.status === 'loaded'")
    faces = page.evaluate(
        "() => [...document.fonts].filter(f => f.family.replace(/\"/g, '') === 'Orchestra Emoji')"
        ".map(f => f.status)"
    )
    assert faces == ["loaded"], faces
    assert [status for url, status in fetched if "/static/vendor/twemoji-colr-font/twemoji." in url] == [200]
    assert page.evaluate("() => document.fonts.check('64px \"Orchestra Emoji\"', '📖')")

    tofu = page.evaluate(DRAW, [".section-body h2", "\uffff"])
    for emoji in ["📖", "🔍", "🎼"]:
        drawn = page.evaluate(DRAW, [".section-body h2", emoji])
        assert drawn["width"] > 40, (emoji, drawn["width"])
        assert drawn["coloured"] > 200, (emoji, drawn["coloured"])
        assert drawn["pixels"] != tofu["pixels"], emoji
    assert tofu["coloured"] == 0
    heading = page.locator(".section-body h2").first
    assert heading.inner_text().startswith("📖")
    top = heading.bounding_box()
    bottom = page.locator(".section-body h4").first.bounding_box()
    page.screenshot(
        path=str(screenshot_dir / "emoji-heading-laptop.png"),
        clip={
            "x": top["x"] - 8,
            "y": top["y"] - 8,
            "width": 720,
            "height": bottom["y"] + bottom["height"] - top["y"] + 16,
        },
    )
    watch.assert_clean()
    context.close()
