"""Markdown parsers for the lessons: Python-Markdown (the renderer before issue 9) against markdown-it-py.

Two questions, one table each:

1. Correctness: for each construct the lesson authors use, does the parser give GitHub's structure? The
   expected HTML is GitHub's, taken from the GitHub Flavored Markdown spec 0.29-gfm
   (https://github.github.com/gfm/, cited per construct) or, for the lessons' own text, written to the
   same rules. Both sides are compared after the same nh3 sanitiser, as *structure*: the sequence of
   elements with the attributes that change meaning (href, align, type/checked/disabled, start) and the
   text with whitespace runs collapsed. Highlighting spans, code wrappers (`div.codehilite`), heading ids
   and permalinks, classes and `rel` are not structure and are ignored; `style="text-align: x"` counts as
   `align="x"` so Python-Markdown is not penalised for spelling alignment differently.
2. Speed: CPU milliseconds of this process (`process_time`, which moves little when other processes share the
   cores, unlike wall time) to render each lesson (Markdown to sanitised HTML, Pygments included, mermaid
   fences extracted first as the app does), median of `--repeat` runs (default 7).

Lessons: course/content/*.md, plus the corpus helper's lessons at ../wt-corpus/tests/corpus/lessons/*.md
(or `--corpus DIR`) when that directory exists; they are read in place, never copied.
"""

from __future__ import annotations

import argparse
import html
import re
import time
from html.parser import HTMLParser
from pathlib import Path

from bench.common import fmt_ms, load_average, median, table

TITLE = "Markdown parsers: GitHub correctness and time per lesson (Python-Markdown vs markdown-it-py)"
ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "wt-corpus" / "tests" / "corpus" / "lessons"
GFM = "https://github.github.com/gfm/"

# (name, Markdown, GitHub's HTML, source of the expected HTML)
CONSTRUCTS: list[tuple[str, str, str, str]] = [
    (
        "bullet list interrupts a paragraph",
        "Foo\n- bar\n- baz\n",
        "<p>Foo</p><ul><li>bar</li><li>baz</li></ul>",
        f"{GFM}#lists (`Foo` / `- bar` / `- baz`)",
    ),
    (
        "ordered list from 1 interrupts a paragraph (토론 주제)",
        '**토론 주제**:\n1. **기능 우선순위**: "3가지는?"\n2. **실무 적용**: "필요한 기능은?"\n',
        '<p><strong>토론 주제</strong>:</p><ol><li><strong>기능 우선순위</strong>: "3가지는?"</li>'
        '<li><strong>실무 적용</strong>: "필요한 기능은?"</li></ol>',
        f"{GFM}#lists (a list starting at 1 may interrupt a paragraph)",
    ),
    (
        "ordered list from 14 does not interrupt",
        "The number of windows in my house is\n14.  The number of doors is 6.\n",
        "<p>The number of windows in my house is\n14.  The number of doors is 6.</p>",
        f"{GFM}#lists (`14.` example)",
    ),
    (
        "nested list, 2-space indent",
        "- 환경 차이\n  - 라이브러리 버전\n    - 더 깊이\n- 다음\n",
        "<ul><li>환경 차이<ul><li>라이브러리 버전<ul><li>더 깊이</li></ul></li></ul></li><li>다음</li></ul>",
        f"{GFM}#list-items (content column rule)",
    ),
    (
        "ordered list nested under a bullet",
        "- 순서\n  1. `RUN`\n  2. `COPY`\n",
        "<ul><li>순서<ol><li><code>RUN</code></li><li><code>COPY</code></li></ol></li></ul>",
        f"{GFM}#list-items",
    ),
    (
        "task list",
        "- [ ] foo\n- [x] bar\n",
        '<ul><li><input disabled="" type="checkbox"> foo</li>'
        '<li><input checked="" disabled="" type="checkbox"> bar</li></ul>',
        f"{GFM}#task-list-items-extension- (example 279)",
    ),
    (
        "nested task list",
        "- [x] foo\n  - [ ] bar\n  - [x] baz\n- [ ] bim\n",
        '<ul><li><input checked="" disabled="" type="checkbox"> foo<ul>'
        '<li><input disabled="" type="checkbox"> bar</li>'
        '<li><input checked="" disabled="" type="checkbox"> baz</li></ul></li>'
        '<li><input disabled="" type="checkbox"> bim</li></ul>',
        f"{GFM}#task-list-items-extension- (example 280)",
    ),
    (
        "table",
        "| foo | bar |\n| --- | --- |\n| baz | bim |\n",
        "<table><thead><tr><th>foo</th><th>bar</th></tr></thead>"
        "<tbody><tr><td>baz</td><td>bim</td></tr></tbody></table>",
        f"{GFM}#tables-extension- (example 198)",
    ),
    (
        "table alignment",
        "| abc | defghi |\n:-: | -----------:\nbar | baz\n",
        '<table><thead><tr><th align="center">abc</th><th align="right">defghi</th></tr></thead>'
        '<tbody><tr><td align="center">bar</td><td align="right">baz</td></tr></tbody></table>',
        f"{GFM}#tables-extension- (example 199)",
    ),
    (
        "table: escaped pipes in cells",
        "| f\\|oo  |\n| ------ |\n| b `\\|` az |\n| b **\\|** im |\n",
        "<table><thead><tr><th>f|oo</th></tr></thead><tbody><tr><td>b <code>|</code> az</td></tr>"
        "<tr><td>b <strong>|</strong> im</td></tr></tbody></table>",
        f"{GFM}#tables-extension- (example 200)",
    ),
    (
        "table: short and long rows",
        "| abc | def |\n| --- | --- |\n| bar |\n| bar | baz | boo |\n",
        "<table><thead><tr><th>abc</th><th>def</th></tr></thead><tbody><tr><td>bar</td><td></td></tr>"
        "<tr><td>bar</td><td>baz</td></tr></tbody></table>",
        f"{GFM}#tables-extension- (example 204)",
    ),
    (
        "table: header only, no tbody",
        "| abc | def |\n| --- | --- |\n",
        "<table><thead><tr><th>abc</th><th>def</th></tr></thead></table>",
        f"{GFM}#tables-extension- (example 205)",
    ),
    (
        "table interrupts a paragraph",
        "비교:\n| 구분 | 이미지 |\n|---|---|\n| 상태 | 읽기 전용 |\n",
        "<p>비교:</p><table><thead><tr><th>구분</th><th>이미지</th></tr></thead>"
        "<tbody><tr><td>상태</td><td>읽기 전용</td></tr></tbody></table>",
        "cmark-gfm table extension (a delimiter row turns the paragraph's last line into a header)",
    ),
    (
        "strikethrough",
        "~~Hi~~ Hello, world!\n",
        "<p><del>Hi</del> Hello, world!</p>",
        f"{GFM}#strikethrough-extension- (example 491)",
    ),
    (
        "strikethrough does not span paragraphs",
        "This ~~has a\n\nnew paragraph~~.\n",
        "<p>This ~~has a</p><p>new paragraph~~.</p>",
        f"{GFM}#strikethrough-extension- (example 492)",
    ),
    (
        "www. autolink",
        "www.commonmark.org\n",
        '<p><a href="http://www.commonmark.org">www.commonmark.org</a></p>',
        f"{GFM}#autolinks-extension- (example 621)",
    ),
    (
        "www. autolink, trailing period excluded",
        "Visit www.commonmark.org/a.b.\n",
        '<p>Visit <a href="http://www.commonmark.org/a.b">www.commonmark.org/a.b</a>.</p>',
        f"{GFM}#autolinks-extension- (example 623)",
    ),
    (
        "bare https:// autolink",
        "공식 문서: https://docs.docker.com/build/cache/ 참고\n",
        '<p>공식 문서: <a href="https://docs.docker.com/build/cache/">https://docs.docker.com/build/cache/</a>'
        " 참고</p>",
        f"{GFM}#autolinks-extension- (extended url autolink)",
    ),
    (
        "bare domain is not a link",
        "kubernetes.io 에서\n",
        "<p>kubernetes.io 에서</p>",
        f"{GFM}#autolinks-extension- (only www., http://, https://, e-mail)",
    ),
    (
        "code fence directly after a text line",
        "**명령적 (Imperative)**:\n```bash\ndocker run -d nginx:1.20\n```\n",
        "<p><strong>명령적 (Imperative)</strong>:</p><pre><code>docker run -d nginx:1.20\n</code></pre>",
        f"{GFM}#fenced-code-blocks (a fence may interrupt a paragraph)",
    ),
    (
        "soft line break (a .md file)",
        "**시간**: 10:00-10:50\n**목표**: 이해\n",
        "<p><strong>시간</strong>: 10:00-10:50\n<strong>목표</strong>: 이해</p>",
        f"{GFM}#soft-line-breaks; GitHub files keep newlines soft (docs/lesson-rendering.md)",
    ),
    (
        "hard line break (two spaces, backslash)",
        "foo  \nbar\\\nbaz\n",
        "<p>foo<br>bar<br>baz</p>",
        f"{GFM}#hard-line-breaks",
    ),
    (
        "raw <div align=center> with Markdown inside (blank lines)",
        '<div align="center">\n\n**🎼 오케스트레이션**\n\n</div>\n',
        '<div align="center"><p><strong>🎼 오케스트레이션</strong></p></div>',
        f"{GFM}#html-blocks (type 6 ends at a blank line)",
    ),
    (
        "<details><summary> with Markdown inside",
        "<details>\n<summary>💡 힌트</summary>\n\n- `Pending`: Events<br>\n\n</details>\n",
        "<details><summary>💡 힌트</summary><ul><li><code>Pending</code>: Events<br></li></ul></details>",
        f"{GFM}#html-blocks",
    ),
    (
        "emoji in a heading",
        "## 🕘 세션 정보\n",
        "<h2>🕘 세션 정보</h2>",
        f"{GFM}#atx-headings",
    ),
    (
        "glossary item: bold with parentheses then colon",
        "- **오케스트레이션(Orchestration)**: 여러 컨테이너의 자동 관리\n",
        "<ul><li><strong>오케스트레이션(Orchestration)</strong>: 여러 컨테이너의 자동 관리</li></ul>",
        f"{GFM}#emphasis-and-strong-emphasis (flanking rules)",
    ),
    (
        "blockquote",
        "> **여러 컨테이너를 자동으로 배포하는 기술**\n",
        "<blockquote><p><strong>여러 컨테이너를 자동으로 배포하는 기술</strong></p></blockquote>",
        f"{GFM}#block-quotes",
    ),
]

STRUCTURAL_ATTRS = {"href", "align", "type", "checked", "disabled", "start"}


class _Structure(HTMLParser):
    """Collects (kind, tag/text, attrs) events, dropping what is presentation rather than structure."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple] = []
        self._skip_depth = 0  # inside a.headerlink
        self._dropped: list[bool] = []  # per open tag: was its start dropped?

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if self._skip_depth or (tag == "a" and "headerlink" in classes):
            self._skip_depth += tag == "a" or self._skip_depth == 0
            return
        drop = tag == "span" or (tag == "div" and ({"codehilite", "highlight"} & set(classes)))
        if tag not in ("br", "input", "hr"):
            self._dropped.append(bool(drop))
        if drop:
            return
        style = a.pop("style", None) or ""
        if m := re.search(r"text-align:\s*(\w+)", style):
            a["align"] = m.group(1)
        kept = tuple(sorted((k, v or "") for k, v in a.items() if k in STRUCTURAL_ATTRS))
        self.events.append(("start", tag, kept))

    def handle_endtag(self, tag: str) -> None:
        if self._skip_depth:
            if tag == "a":
                self._skip_depth -= 1
            return
        if tag in ("br", "input", "hr"):
            return
        if self._dropped and self._dropped.pop():
            return
        self.events.append(("end", tag, ()))

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        text = re.sub(r"\s+", " ", data).strip()
        if not text:
            return
        if self.events and self.events[-1][0] == "text":
            self.events[-1] = ("text", self.events[-1][1] + " " + text, ())
        else:
            self.events.append(("text", text, ()))


def structure(fragment: str) -> list[tuple]:
    """Return the structural events of an HTML fragment (see the module docstring)."""
    parser = _Structure()
    parser.feed(fragment)
    parser.close()
    return parser.events


def python_markdown(text: str) -> str:
    """The renderer before issue 9: Python-Markdown with extra, codehilite, toc, sane_lists, nl2br; a raw
    `<div>` line made `markdown="1"`; `[x]` items made checkboxes by a regex on the output."""
    import markdown
    from markdown.extensions.toc import slugify_unicode

    text = re.sub(r"^<div(?![^>]*\bmarkdown=)([^>]*)>\s*$", r'<div\1 markdown="1">', text, flags=re.M)
    out = markdown.markdown(
        text,
        extensions=["extra", "codehilite", "toc", "sane_lists", "nl2br"],
        extension_configs={
            "codehilite": {"css_class": "codehilite", "guess_lang": False},
            "toc": {"slugify": slugify_unicode, "permalink": "#"},
        },
    )
    return re.sub(
        r"<li>\[([ xX])\]\s*",
        lambda m: '<li class="task-item"><input type="checkbox" disabled{}> '.format(
            " checked" if m.group(1) != " " else ""
        ),
        out,
    )


def markdown_it(text: str) -> str:
    """The renderer of issue 9: markdown-it-py configured as course/markdown_gfm.py."""
    from course.markdown_gfm import to_html

    return to_html(text)


PARSERS = {"Python-Markdown": python_markdown, "markdown-it-py": markdown_it}


def available() -> str | None:
    try:
        import markdown  # noqa: F401
        import markdown_it  # noqa: F401
    except ImportError as e:
        return f"{e.name} is not installed (`make install` installs both)"
    return None


def _lessons(corpus: Path) -> list[Path]:
    paths = sorted((ROOT / "course" / "content").glob("*.md"))
    if corpus.is_dir():
        paths += sorted(corpus.glob("*.md"))
    return paths


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench markdown_parsers -- ")
    parser.add_argument("--repeat", type=int, default=7, help="runs per lesson and parser (median shown)")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="directory of extra lesson .md files")
    args = parser.parse_args(argv)

    from course.rendering import extract_mermaid, sanitise

    rows = []
    scores = dict.fromkeys(PARSERS, 0)
    for name, source, expected, cite in CONSTRUCTS:
        want = structure(expected)
        cells = []
        for label, render in PARSERS.items():
            ok = structure(sanitise(render(source))) == want
            scores[label] += ok
            cells.append("yes" if ok else "**no**")
        rows.append([name, *cells, cite])
    rows.append(["**matches GitHub**", *(f"**{scores[p]} / {len(CONSTRUCTS)}**" for p in PARSERS), ""])
    print("Does each construct come out with GitHub's structure (after the app's sanitiser)?")
    print()
    print(table(["construct", *PARSERS, "expected HTML from"], rows, align="l" + "c" * len(PARSERS) + "l"))
    print()

    timing_rows = []
    totals = dict.fromkeys(PARSERS, 0.0)
    for path in _lessons(args.corpus):
        text, _ = extract_mermaid(path.read_text(encoding="utf-8"))
        cells = []
        for label, render in PARSERS.items():
            render(text)  # warm-up: imports, Pygments lexers, the parser's own caches
            runs = []
            for _ in range(args.repeat):
                t0 = time.process_time()
                sanitise(render(text))
                runs.append(time.process_time() - t0)
            totals[label] += median(runs)
            cells.append(fmt_ms(median(runs)))
        rel = path.relative_to(ROOT.parent) if path.is_relative_to(ROOT.parent) else path
        timing_rows.append([html.escape(str(rel)), f"{len(text):,}", *cells])
    timing_rows.append(["**total**", "", *(f"**{fmt_ms(totals[p])}**" for p in PARSERS)])
    print(
        f"CPU milliseconds to render a lesson to sanitised HTML (median of {args.repeat}; mermaid extracted; "
        f"load average {load_average()}):"
    )
    print()
    print(table(["lesson", "chars", *(f"{p} ms" for p in PARSERS)], timing_rows))
    print()
    return 0
