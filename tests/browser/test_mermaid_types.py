"""Every mermaid diagram of the test corpus, drawn by the vendored mermaid 12.3.0 in a real Chromium.

The corpus (tests/corpus/lessons) uses every diagram type mermaid 12 draws. The diagrams are put into a
lesson through the ORM and the renderer (course/rendering.py), so the page, static/js/course/diagrams.js
and its mermaid settings (theme, securityLevel "strict") are the ones a student gets; no importer needed.
"""

from __future__ import annotations

import hashlib

import pytest

from tests.browser.conftest import open_page
from tests.corpus.corpus import ROLE_OF_KIND, MermaidBlock, lesson_files, mermaid_blocks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LESSON_SLUG = "corpus-diagrams"

FIGURE_STATES = """() => [...document.querySelectorAll('figure.diagram')].map(f => {
  const canvas = f.querySelector('.diagram-canvas');
  const svg = canvas.querySelector(':scope > svg');
  const box = svg ? svg.getBoundingClientRect() : null;
  return {
    number: Number(f.dataset.diagram),
    state: canvas.dataset.state,
    role: svg ? svg.getAttribute('aria-roledescription') : null,
    text: svg ? svg.textContent : canvas.textContent,
    width: box ? box.width : 0,
    height: box ? box.height : 0,
  };
})"""


def build_lesson() -> dict[str, list[MermaidBlock]]:
    """Store one page per corpus lesson holding that lesson's diagrams; return {page slug: blocks}."""
    from course.models import Diagram, Lesson, Section
    from course.rendering import DiagramRef, render_section

    source = "# Corpus diagrams\n"
    lesson = Lesson.objects.create(
        slug=LESSON_SLUG,
        title="Corpus diagrams",
        source=source,
        source_sha256=hashlib.sha256(source.encode()).hexdigest(),
        title_html="",
    )
    pages: dict[str, list[MermaidBlock]] = {}
    number = 0
    for order, path in enumerate(lesson_files(), 1):
        blocks = mermaid_blocks(path)
        markdown = "".join(f"#### {b.heading}\n\n```mermaid\n{b.source}\n```\n\n" for b in blocks)
        refs = [DiagramRef(number + i, b.heading) for i, b in enumerate(blocks, 1)]
        section = Section.objects.create(
            lesson=lesson,
            order=order,
            slug=path.stem,
            title=path.stem,
            body_markdown=markdown,
            body_html=render_section(markdown, diagrams=refs, scope=path.stem),
        )
        for ref, block in zip(refs, blocks, strict=True):
            Diagram.objects.create(
                lesson=lesson, section=section, number=ref.number, heading=ref.heading, source=block.source
            )
        number += len(blocks)
        pages[path.stem] = blocks
    return pages


def test_the_corpus_uses_every_diagram_type_mermaid_12_draws():
    """Every type in ROLE_OF_KIND appears in the corpus at least once, and nothing else does."""
    kinds = {b.kind for path in lesson_files() for b in mermaid_blocks(path)}
    assert kinds == set(ROLE_OF_KIND)


@pytest.mark.parametrize(
    "scheme,width,height",
    [("light", 1366, 768), ("dark", 1920, 1080)],
    ids=["light-laptop", "dark-projector"],
)
def test_every_corpus_diagram_is_drawn_as_an_svg_of_its_type(browser, asgi_server, scheme, width, height):
    """Each corpus diagram becomes a non-empty SVG of its own type: no syntax-error picture, no error box."""
    pages = build_lesson()
    context, page, watch = open_page(browser, asgi_server, width=width, height=height, color_scheme=scheme)
    drawn = 0
    for slug, blocks in pages.items():
        page.goto(f"/lesson/{LESSON_SLUG}/{slug}/")
        page.wait_for_function(
            "() => [...document.querySelectorAll('.diagram-canvas')].every(c => c.dataset.state !== 'pending')",
            timeout=60_000,
        )
        figures = page.evaluate(FIGURE_STATES)
        assert len(figures) == len(blocks), slug
        for figure, block in zip(figures, blocks, strict=True):
            where = f"{block.file} diagram {block.number} ({block.kind}): {figure['text'][:300]}"
            assert figure["state"] == "rendered", where
            assert figure["role"] == ROLE_OF_KIND[block.kind], where
            assert "Syntax error" not in figure["text"], where
            assert figure["text"].strip(), where
            assert figure["width"] > 50 and figure["height"] > 30, where
            drawn += 1
    assert drawn == sum(len(b) for b in pages.values()) == 25
    watch.assert_clean()
    context.close()
