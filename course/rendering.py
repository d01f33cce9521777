"""Turn a section's Markdown into the safe HTML a student's browser receives.

Rendering happens once, at import (or when the admin saves a section), never per request. The Markdown is
read as GitHub reads a `.md` file (course/markdown_gfm.py, on markdown-it-py; docs/lesson-rendering.md has the
measurement behind that choice). Mermaid fences become figures that mermaid.js draws in the browser, with the
source kept as the text alternative; the lesson's raw HTML (`<div align="center">`) is kept, its Markdown
rendered, and the whole page sanitised by nh3.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import quote, unquote

import nh3

from course.importer import Heading, LessonFormatError, scan
from course.markdown_gfm import HeadingIds, to_html
from course.mermaid_text import normalise

PLACEHOLDER = "ORCHESTRALABDIAGRAM{}X"
PLACEHOLDER_P = re.compile(r"<p>ORCHESTRALABDIAGRAM(\d+)X</p>")
# A link to a heading of the same file, as the author writes it: `[개념 2](#-개념-2-8가지-핵심-기능-12분)`.
SAME_PAGE_LINK = re.compile(r'href="#([^"]+)"')
SKIP_TAGS = {
    "a",
    "code",
    "pre",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "figure",
    "summary",
    "script",
    "style",
    "button",
}
TAG = re.compile(r"(<[^>]+>)")

ALLOWED_TAGS = {
    "a",
    "abbr",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "input",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "title"},
    "a": {"href"},
    "div": {"align", "data-lang"},
    "details": {"open"},
    "ol": {"start"},
    "input": {"type", "checked", "disabled"},
    "td": {"align", "style"},
    "th": {"align", "style"},
    "span": {"aria-hidden"},
}


@dataclass(frozen=True)
class DiagramRef:
    """What the figure of a diagram needs: its lesson-wide number and the heading it illustrates."""

    number: int
    heading: str


@dataclass(frozen=True)
class TermRef:
    slug: str
    term: str
    english: str
    definition: str


def scan_fences(lines: list[str]) -> tuple[list[Heading], list[tuple[int, int, str]]]:
    """Return the importer's `scan()` of `lines`, with a fence left open running to the end of the text.

    CommonMark 4.5 (fenced code blocks): "If the end of the containing block (or document) is reached and no
    closing code fence has been found, the code block contains all of the lines after the opening code
    fence". The importer rejects such a lesson; a section edited in the admin must still render.
    """
    try:
        return scan(lines)
    except LessonFormatError:
        pass
    for closer in ("`" * 80, "~" * 80):  # longer than any opening fence, so it closes whichever is open
        try:
            headings, fences = scan([*lines, closer])
        except LessonFormatError:
            continue
        return headings, [(start, min(end, len(lines)), language) for start, end, language in fences]
    return scan([])


def extract_mermaid(source: str) -> tuple[str, list[str]]:
    """Return the Markdown with each mermaid fence replaced by a placeholder paragraph, and the sources.

    A fence never closed runs to the end of `source` (`scan_fences`). An indented fence (inside a list item)
    leaves its placeholder at the same indentation, so the figure stays in the item, and loses that much
    indentation from each source line (CommonMark 4.5: "up to N spaces of indentation are removed").
    """
    lines = source.splitlines()
    _, fences = scan_fences(lines)
    diagrams: list[str] = []
    out: list[str] = []
    cursor = 0
    for start, end, language in fences:
        if language != "mermaid":
            continue
        indent = lines[start][: len(lines[start]) - len(lines[start].lstrip(" "))]
        out.extend(lines[cursor:start])
        out.extend(["", indent + PLACEHOLDER.format(len(diagrams)), ""])
        body = lines[start + 1 : end]
        diagrams.append("\n".join(_dedent(line, len(indent)) for line in body))
        cursor = end + 1
    out.extend(lines[cursor:])
    return "\n".join(out) + "\n", diagrams


def _dedent(line: str, n: int) -> str:
    """Return `line` without up to `n` leading spaces."""
    return line[min(n, len(line) - len(line.lstrip(" "))) :]


def figure_html(ref: DiagramRef, source: str) -> str:
    """Return the figure mermaid.js fills in; the escaped source doubles as the text alternative."""
    n = ref.number
    code = html.escape(source)
    heading = html.escape(ref.heading)
    drawn = normalise(source)
    render_text = f'<pre class="mermaid-render" hidden>{html.escape(drawn)}</pre>' if drawn != source else ""
    return (
        f'<figure class="diagram" id="diagram-{n}" data-diagram="{n}">'
        f'<div class="diagram-canvas" role="img" aria-labelledby="diagram-{n}-caption" '
        f'aria-describedby="diagram-{n}-source" data-state="pending">'
        f'<p class="diagram-status">다이어그램을 그리는 중… <span class="en">Drawing the diagram…</span></p></div>{render_text}'
        f'<figcaption id="diagram-{n}-caption">그림 {n}. {heading}</figcaption>'
        f'<details class="diagram-text"><summary>다이어그램 소스 (텍스트 대안) <span class="en">Diagram source</span></summary>'
        f'<pre class="mermaid-source" id="diagram-{n}-source"><code>{code}</code></pre></details>'
        f"</figure>"
    )


def sanitise(fragment: str) -> str:
    """Return the fragment with only the tags and attributes the lesson needs."""
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        filter_style_properties={"text-align"},
    )


def _term_pattern(term: TermRef) -> re.Pattern[str]:
    names = [re.escape(term.term)] + ([rf"\b{re.escape(term.english)}\b"] if term.english else [])
    return re.compile("|".join(names))


def link_terms(fragment: str, terms: Sequence[TermRef], glossary_href: str, scope: str) -> str:
    """Return the fragment with the first prose mention of each term linked to its glossary entry.

    The link carries a tooltip with the lesson's definition, shown on hover and on keyboard focus.
    Headings, code, diagrams and existing links are left alone.
    """
    pending = list(terms)
    patterns = {t.slug: _term_pattern(t) for t in pending}
    parts = TAG.split(fragment)
    depth = 0
    for i, part in enumerate(parts):
        if part.startswith("<"):
            name = re.match(r"</?\s*([a-zA-Z0-9]+)", part)
            if name and name.group(1).lower() in SKIP_TAGS and not part.endswith("/>"):
                depth += -1 if part.startswith("</") else 1
        elif part and depth == 0 and pending:
            parts[i] = _link_text(part, pending, patterns, glossary_href, scope)
    return "".join(parts)


def _link_text(text: str, pending: list[TermRef], patterns: dict, glossary_href: str, scope: str) -> str:
    """Link the earliest mention of any pending term, then carry on after it; linked terms leave `pending`."""
    out: list[str] = []
    while pending:
        matches = [(m.start(), t, m) for t in pending if (m := patterns[t.slug].search(text))]
        if not matches:
            break
        _, term, found = min(matches, key=lambda item: item[0])
        tip_id = f"tip-{scope}-{term.slug}"
        label = html.escape(term.term + (f"({term.english})" if term.english else ""))
        out.append(text[: found.start()])
        out.append(
            f'<span class="term-wrap"><a class="term" href="{glossary_href}#term-{term.slug}" '
            f'data-term="{term.slug}" aria-describedby="{tip_id}">{found.group(0)}</a>'
            f'<span class="term-tip" role="tooltip" id="{tip_id}"><strong>{label}</strong> '
            f"{html.escape(term.definition)}</span></span>"
        )
        text = text[found.end() :]
        pending.remove(term)
    out.append(text)
    return "".join(out)


def mark_glossary_entries(fragment: str, terms: Iterable[TermRef]) -> str:
    """Return the glossary list with an id on each entry, so term links land on it."""
    for term in terms:
        label = html.escape(term.term + (f"({term.english})" if term.english else ""))
        # A loose list (blank lines between the items) wraps each item's text in <p>.
        entry = re.compile(rf"<li>(\s*(?:<p>)?<strong>{re.escape(label)}</strong>)")
        fragment = entry.sub(
            lambda m, slug=term.slug: f'<li id="term-{slug}">{m.group(1)}', fragment, count=1
        )
    return fragment


def diagram_refs(source: str, diagrams: Sequence[DiagramRef], count: int) -> list[DiagramRef]:
    """Return one DiagramRef for each of the `count` mermaid fences of `source`, in order.

    The first fences take the given `diagrams` (the importer's lesson-wide numbers). Fences beyond them (a
    section edited to hold more diagrams than were imported) are numbered on from the last given number
    (or from 1 when none were given), and captioned with the nearest heading above the fence in `source`,
    without its time box (empty when there is none), as the importer captions them. Extra `diagrams` beyond
    the fences are ignored. Never raises.
    """
    refs = list(diagrams[:count])
    if len(refs) == count:
        return refs
    given = len(refs)
    lines = source.splitlines()
    headings, fences = scan_fences(lines)
    starts = [start for start, _, language in fences if language == "mermaid"]
    last = max((d.number for d in diagrams), default=0)
    for k in range(len(refs), count):
        line = starts[k] if k < len(starts) else len(lines)
        above = [h.title for h in headings if h.line < line]
        refs.append(DiagramRef(last + 1 + k - given, above[-1] if above else ""))
    return refs


def render_markdown(
    source: str, diagrams: Sequence[DiagramRef] = (), *, heading_ids: HeadingIds | None = None
) -> str:
    """Return sanitised HTML for `source`; its mermaid fences become figures numbered by `diagrams`.

    Any number of fences renders: those beyond `diagrams` are numbered by `diagram_refs`; a fence never
    closed runs to the end, as on GitHub. Headings get GitHub's ids, counted on from `heading_ids` (the
    lesson's earlier pages). Never raises on any text.
    """
    text, sources = extract_mermaid(source)
    clean = sanitise(to_html(text, heading_ids))
    refs = diagram_refs(source, diagrams, len(sources))

    def figure(m: re.Match[str]) -> str:
        i = int(m.group(1))
        # The author's own text may spell a placeholder; only the ones extract_mermaid made become figures.
        return figure_html(refs[i], sources[i]) if i < len(sources) else m.group(0)

    return PLACEHOLDER_P.sub(figure, clean)


def link_other_pages(fragment: str, anchor_pages: Mapping[str, str], here: str) -> str:
    """Return the fragment with each `href="#anchor"` whose heading is on another page pointing at that page.

    The author writes one file, where `#-개념-2-8가지-핵심-기능-12분` is a heading further down; the lesson
    is split into pages, so the link becomes `../concept-2/#-개념-2-…` (relative to /lesson/<lesson>/<page>/).
    `anchor_pages` maps heading ids to page slugs; `here` is this page's slug. Other links are left alone.
    """

    def point(m: re.Match[str]) -> str:
        fragment_id = m.group(1)
        page = anchor_pages.get(unquote(html.unescape(fragment_id)))
        if page is None or page == here:
            return m.group(0)
        return f'href="../{quote(page)}/#{fragment_id}"'

    return SAME_PAGE_LINK.sub(point, fragment) if anchor_pages else fragment


def render_section(
    source: str,
    terms: Sequence[TermRef] = (),
    *,
    diagrams: Sequence[DiagramRef] = (),
    glossary_href: str = "../keywords/",
    scope: str = "s",
    is_glossary: bool = False,
    heading_ids: HeadingIds | None = None,
    anchor_pages: Mapping[str, str] | None = None,
) -> str:
    """Return the section's HTML: rendered, sanitised, diagrams in place, key terms linked or anchored.

    `heading_ids` is the id count the lesson's earlier pages leave (lesson_store.page_anchors); with
    `anchor_pages` (heading id → page slug), links to a heading on another page lead there. `scope` is
    this page's slug.
    """
    body = render_markdown(source, diagrams, heading_ids=heading_ids)
    body = link_other_pages(body, anchor_pages or {}, scope)
    if is_glossary:
        return mark_glossary_entries(body, terms)
    return link_terms(body, terms, glossary_href, scope)


def rendering_fingerprint() -> str:
    """Return a sha256 hex digest that changes whenever stored lesson HTML may render differently.

    It covers this renderer's own modules and the versions of the libraries that shape the HTML (the
    Markdown parser, its autolinker, the highlighter, the sanitiser). load_course compares it with the one
    the database's pages were rendered with and renders them again when it differs.
    """
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for name in ("rendering.py", "markdown_gfm.py", "mermaid_text.py", "importer.py"):
        digest.update((here / name).read_bytes())
    for package in ("markdown-it-py", "linkify-it-py", "pygments", "nh3"):
        digest.update(f"{package}={metadata.version(package)};".encode())
    return digest.hexdigest()
