"""GitHub Flavored Markdown for lesson files, on markdown-it-py: the parser configuration and its renderers.

`to_html(text)` returns unsanitised HTML shaped like GitHub's rendering of a `.md` file (the sanitiser and the
diagram/term passes live in course/rendering.py). What follows GitHub, and the rule it follows
(GFM spec 0.29-gfm, https://github.github.com/gfm/):

- CommonMark blocks and inlines (markdown-it-py's "commonmark" preset passes the CommonMark spec tests), so a
  bullet list, or an ordered list starting at 1, interrupts a paragraph (spec 5.4 "Lists": `Foo\\n- bar`), and
  nested lists follow the content column of their parent item (spec 5.2 "List items");
- tables (spec 4.10 "Tables (extension)"), which may also interrupt a paragraph as in cmark-gfm; column
  alignment is written as `align="left|center|right"` on `th`/`td`, as in the spec's examples;
- task list items (spec 5.3 "Task list items (extension)"): `- [ ] x` / `- [x] x` become disabled checkboxes;
- strikethrough (spec 6.5 "Strikethrough (extension)") as `<del>`;
- extended autolinks (spec 6.9 "Autolinks (extension)"): `www.` links (given `http://`), bare `http(s)://`
  URLs and e-mail addresses; a bare domain such as `kubernetes.io` is NOT linked, as on GitHub;
- soft line breaks stay line breaks in the source (no `<br>`), as on GitHub's view of a Markdown *file*; a
  hard break needs two trailing spaces, a backslash or `<br>` (spec 6.12 "Hard line breaks"). GitHub turns
  every newline into `<br>` only in comments, issues and pull requests (docs/lesson-rendering.md cites this);
- raw HTML is passed through (spec 4.6 "HTML blocks", 6.10 "Raw HTML") for the sanitiser to filter.

Where this deliberately differs from GitHub (documented in docs/lesson-rendering.md):

- a line holding only a block-level HTML tag (`<div align="center">`, `</div>`, `<details>`,
  `<summary>…</summary>`) is treated as if blank lines surrounded it, so the Markdown between
  `<div align="center">` and `</div>` is rendered, as the author means it; GitHub's HTML block (type 6) would
  swallow it raw up to the next blank line and show the `**` literally;
- fenced code is highlighted server-side by Pygments in `div.codehilite > pre > code` (the markup
  static/css/pygments.css styles), with `data-lang` = the info string's first word, lowercased;

Headings get GitHub's ids (github-slugger, the algorithm github.com uses for a Markdown file's heading
anchors: lowercased; every character that is not a letter, mark, number, connector, space or `-` removed;
each space to `-`; a repeated slug gets `-1`, `-2`, … counted through the whole file), so the author's own
links such as `[개념 1](#-개념-1-오케스트레이션-정의와-철학-12분)` land where they do on GitHub. Each heading also
gets an `a.headerlink` permalink. The whole-file count is kept across a lesson's pages by `HeadingIds`.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import TextLexer, get_lexer_by_name
from pygments.util import ClassNotFound

PERMALINK_TITLE = "이 제목으로 연결되는 링크 · Link to this heading"

# CommonMark HTML block type 6 tag names (spec 4.6): a line holding only one of these opens or closes a block.
BLOCK_TAGS = (
    "address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|details|dialog|dir|"
    "div|dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset|h[1-6]|head|header|hr|html|iframe|legend|"
    "li|link|main|menu|menuitem|nav|noframes|ol|optgroup|option|p|param|section|source|summary|table|tbody|"
    "td|tfoot|th|thead|title|tr|track|ul"
)
LONE_TAG = re.compile(
    rf"^(?:</?(?:{BLOCK_TAGS})(?:\s[^<>]*)?/?>|<summary(?:\s[^<>]*)?>.*</summary>)\s*$", re.IGNORECASE
)
FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})")
TASK_MARK = re.compile(r"^\[([ xX])\](?=\s)\s*")
LANG_SAFE = re.compile(r"[^\w+#.-]")
# Autolinks GitHub makes without `<…>` (spec 6.9): www., http(s)://, e-mail; never a bare domain.
EXTENDED_AUTOLINK = re.compile(r"^(?:www\.|https?://|mailto:|[^\s@/:]+@[^\s@]+\.[^\s@]+$)", re.IGNORECASE)


def pad_block_tags(text: str) -> str:
    """Return `text` with a blank line before and after each line that is a lone block-level HTML tag.

    Lines inside code fences and indented lines (list item content, indented code) are left alone.
    """
    out: list[str] = []
    fence: str | None = None
    for line in text.split("\n"):
        opener = FENCE_OPEN.match(line)
        if fence is None and opener:
            fence = opener.group(1)
        elif fence is not None and line.strip().startswith(fence) and line.strip().strip(fence[0]) == "":
            fence = None
        elif fence is None and LONE_TAG.match(line):
            out.extend(["", line, ""])
            continue
        out.append(line)
    return "\n".join(out)


def github_slug(text: str) -> str:
    """Return GitHub's anchor for a heading's text: '🕘 세션 정보' → '-세션-정보'.

    The rule of github-slugger (github.com/Flet/github-slugger, `slug()`), which github.com applies to the
    headings of a Markdown file: lowercase, keep letters, marks, numbers, connector punctuation, spaces and
    `-` (so an emoji goes, but the invisible VS16 after it, a mark, stays, as on GitHub), then each space
    becomes `-` (runs are not collapsed).
    """
    kept = (
        c
        for c in text.lower()
        if c in " -" or unicodedata.category(c)[0] in "LMN" or unicodedata.category(c) == "Pc"
    )
    return "".join(kept).replace(" ", "-")


class HeadingIds:
    """The heading ids of one Markdown file, unique as github-slugger makes them ('x', 'x-1', 'x-2', …).

    One instance follows a whole lesson, page after page, so a heading repeated on a later page gets the id
    GitHub gives it in the whole file. `copy()` lets a page be rendered from the state its predecessors left.
    """

    def __init__(self) -> None:
        self.occurrences: dict[str, int] = {}

    def take(self, text: str) -> str:
        """Return the id for the next heading with visible text `text`, and count it."""
        original = result = github_slug(text)
        while result in self.occurrences:
            self.occurrences[original] += 1
            result = f"{original}-{self.occurrences[original]}"
        self.occurrences[result] = 0
        return result

    def copy(self) -> HeadingIds:
        """Return an independent copy of the count so far."""
        twin = HeadingIds()
        twin.occurrences = dict(self.occurrences)
        return twin


def _inline_text(token: Token) -> str:
    """Return the plain text of an inline token (text and code spans), as the heading's visible text."""
    return "".join(
        c.content for c in token.children or [] if c.type in ("text", "code_inline", "html_inline")
    )


def _heading_text(inline: Token) -> str:
    """Return a heading's visible text, as the slug is made from it (tags dropped, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", "", _inline_text(inline)))


def _heading_ids(state) -> None:
    """Give each heading its GitHub id (counted by env["heading_ids"], else from 0) and a permalink anchor."""
    ids: HeadingIds = state.env.get("heading_ids") or HeadingIds()
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        inline = tokens[i + 1]
        anchor = ids.take(_heading_text(inline))
        token.attrSet("id", anchor)
        link = Token("html_inline", "", 0)
        link.content = f'<a class="headerlink" href="#{html.escape(anchor)}" title="{PERMALINK_TITLE}">#</a>'
        inline.children = [*(inline.children or []), link]


def _task_lists(state) -> None:
    """Turn `[ ]` / `[x]` at the start of a list item's first paragraph into a disabled checkbox.

    GFM spec "Task list items (extension)": the marker is `[`, a space or `x`/`X`, `]`, then whitespace.
    The item gets class `task-item` (static/css/lesson.css) and its list `contains-task-list`, like GitHub.
    """
    tokens = state.tokens
    lists: list[Token] = []
    for i, token in enumerate(tokens):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            lists.append(token)
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif (
            token.type == "list_item_open"
            and i + 2 < len(tokens)
            and tokens[i + 1].type == "paragraph_open"
            and tokens[i + 2].type == "inline"
        ):
            inline = tokens[i + 2]
            first = (inline.children or [None])[0]
            mark = TASK_MARK.match(first.content) if first is not None and first.type == "text" else None
            if not mark:
                continue
            first.content = first.content[mark.end() :]
            box = Token("html_inline", "", 0)
            checked = " checked" if mark.group(1) != " " else ""
            box.content = f'<input type="checkbox" disabled{checked}> '
            inline.children = [box, *(inline.children or [])]
            token.attrSet("class", "task-item")
            if lists:
                lists[-1].attrSet("class", "contains-task-list")


def _table_align(state) -> None:
    """Write column alignment as `align="…"` (GFM spec tables examples) instead of an inline style."""
    for token in state.tokens:
        if token.type in ("th_open", "td_open"):
            style = token.attrGet("style")
            if style and style.startswith("text-align:"):
                token.attrs.pop("style")
                token.attrSet("align", style.split(":", 1)[1])


def _github_autolinks(state) -> None:
    """Unlink what linkify-it found that GitHub would not: bare domains such as `kubernetes.io`."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children = block.children
        kept: list[Token] = []
        unlinking = False
        for i, child in enumerate(children):
            if child.type == "link_open" and child.markup == "linkify":
                shown = children[i + 1].content if i + 1 < len(children) else ""
                unlinking = not EXTENDED_AUTOLINK.match(shown)
                if unlinking:
                    continue
            elif child.type == "link_close" and child.markup == "linkify" and unlinking:
                unlinking = False
                continue
            kept.append(child)
        block.children = kept


def code_html(code: str, info: str) -> str:
    """Return Pygments-highlighted `code` as `div.codehilite > pre > code`, with `data-lang` when known.

    The language is the info string's first word, lowercased; an unknown or missing one is plain text
    (Python-Markdown's codehilite with `guess_lang=False` did the same).
    """
    lang = LANG_SAFE.sub("", info.split()[0].lower()) if info.strip() else ""
    try:
        lexer = get_lexer_by_name(lang) if lang else TextLexer()
    except ClassNotFound:
        lexer = TextLexer()
    out = highlight(code, lexer, _formatter())
    if lang:
        out = out.replace('<div class="codehilite">', f'<div class="codehilite" data-lang="{lang}">', 1)
    return out


@lru_cache(maxsize=1)
def _formatter() -> HtmlFormatter:
    return HtmlFormatter(cssclass="codehilite", wrapcode=True)


def _render_fence(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    return code_html(token.content, token.info)


def _render_code_block(self, tokens, idx, options, env) -> str:
    return code_html(tokens[idx].content, "")


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    """Return the configured parser (built once; markdown-it-py parsers are reusable and stateless)."""
    md = MarkdownIt("commonmark", {"html": True, "linkify": True, "breaks": False, "typographer": False})
    md.enable(["table", "strikethrough", "linkify"])
    # Keep every link as a link, as cmark-gfm does: the sanitiser drops a `javascript:` href and leaves the
    # text, where markdown-it's own check would print the whole `[x](javascript:…)` source instead.
    md.validateLink = lambda url: True
    md.core.ruler.push("github_autolinks", _github_autolinks)
    md.core.ruler.push("task_lists", _task_lists)
    md.core.ruler.push("table_align", _table_align)
    md.core.ruler.push("heading_ids", _heading_ids)
    md.add_render_rule("fence", _render_fence)
    md.add_render_rule("code_block", _render_code_block)
    md.add_render_rule("s_open", lambda self, tokens, idx, options, env: "<del>")
    md.add_render_rule("s_close", lambda self, tokens, idx, options, env: "</del>")
    return md


def to_html(text: str, heading_ids: HeadingIds | None = None) -> str:
    """Return GitHub-shaped, unsanitised HTML for the Markdown `text` (see the module docstring).

    `heading_ids` carries the id count of the file's earlier pages and is advanced past this text's headings.
    """
    return parser().render(pad_block_tags(text), {"heading_ids": heading_ids or HeadingIds()})


def heading_texts(text: str) -> list[str]:
    """Return the visible text of each heading of the Markdown `text`, in reading order."""
    tokens = parser().parse(pad_block_tags(text), {"heading_ids": HeadingIds()})
    return [_heading_text(tokens[i + 1]) for i, t in enumerate(tokens) if t.type == "heading_open"]
