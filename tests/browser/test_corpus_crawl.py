"""Crawl every page of every corpus lesson in a real Chromium after `import_lesson <file.md>`.

On each page: every diagram drawn as an SVG, lists and tables present as HTML (no list or table marker left
at the start of a line of paragraph text), element ids unique, no console error and no request to any host
but the live server. Skips (with the reason) only while import_lesson still needs an outline file.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import open_page
from tests.corpus.corpus import LESSONS_DIR, expected
from tests.corpus.importing import find_lesson, import_lesson

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LESSONS = expected()

PAGE_FACTS = """() => {
  const bodies = [...document.querySelectorAll('.section-body, .lesson-hero')];
  const inBody = (selector) => bodies.flatMap(b => [...b.querySelectorAll(selector)])
    .filter(el => !el.closest('figure.diagram'));
  const literal = /^\\s*(?:[-*+] |\\d+[.)] |\\|)/;
  // Ids inside a drawn SVG are mermaid's own (its mindmap repeats node ids); the page's must be unique.
  const ids = [...document.querySelectorAll('[id]')].filter(el => !el.closest('svg')).map(el => el.id);
  return {
    figures: bodies.flatMap(b => [...b.querySelectorAll('figure.diagram')]).length,
    drawn: document.querySelectorAll('figure.diagram .diagram-canvas[data-state=rendered] > svg').length,
    errors: [...document.querySelectorAll('figure.diagram .diagram-canvas[data-state=error]')]
      .map(c => c.textContent.slice(0, 200)),
    syntaxErrors: [...document.querySelectorAll('figure.diagram svg')]
      .filter(svg => /Syntax error/.test(svg.textContent)).length,
    tables: inBody('table').length,
    lists: inBody('ul, ol').length,
    checkboxes: inBody('input[type=checkbox]').length,
    literal: inBody('p').flatMap(p => p.innerText.split('\\n')).filter(line => literal.test(line)),
    duplicateIds: ids.filter((id, i) => ids.indexOf(id) !== i),
  };
}"""


@pytest.mark.parametrize("facts", LESSONS, ids=[f["slug"] for f in LESSONS])
def test_every_page_of_a_corpus_lesson_draws_its_diagrams_lists_and_tables(browser, asgi_server, facts):
    """All pages of the lesson, in order: diagrams as SVG, lists and tables as HTML, nothing foreign."""
    import_lesson(LESSONS_DIR / facts["file"])
    lesson = find_lesson(facts)
    sections = list(lesson.sections.order_by("order"))
    context, page, watch = open_page(browser, asgi_server)
    page.goto(lesson.get_absolute_url())
    page.wait_for_url(f"**{sections[0].get_absolute_url()}")
    totals = {"drawn": 0, "tables": 0, "lists": 0, "checkboxes": 0}
    for section in sections:
        page.goto(section.get_absolute_url())
        page.wait_for_function(
            "() => [...document.querySelectorAll('.diagram-canvas')].every(c => c.dataset.state !== 'pending')",
            timeout=60_000,
        )
        seen = page.evaluate(PAGE_FACTS)
        where = f"{facts['file']} / {section.title}"
        assert seen["errors"] == [] and seen["syntaxErrors"] == 0, (where, seen["errors"])
        assert seen["drawn"] == seen["figures"], where
        assert seen["literal"] == [], (where, seen["literal"])
        assert seen["duplicateIds"] == [], (where, seen["duplicateIds"])
        for key in totals:
            totals[key] += seen[key]
    assert totals == {
        "drawn": len(facts["diagram_types"]),
        "tables": facts["tables"],
        "lists": facts["lists"],
        "checkboxes": facts["task_items"],
    }
    watch.assert_clean()
    context.close()
