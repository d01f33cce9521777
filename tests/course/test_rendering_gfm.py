"""Lesson Markdown renders as GitHub renders a .md file (GFM spec 0.29-gfm, https://github.github.com/gfm/).

Each test asserts the exact HTML structure after the app's sanitiser, with the whitespace between tags
removed (`flat`). The lesson's own text is read from course/content, never copied here.
"""

import re
from pathlib import Path

import pytest

from course.rendering import render_markdown

LESSON = Path(__file__).resolve().parents[2] / "course" / "content" / "week2-day4-session2.md"
LINK = 'rel="noopener noreferrer"'


BLOCK = r"</?(?:ul|ol|li|p|table|thead|tbody|tr|th|td|div|details|summary|h[1-6]|blockquote|pre)\b[^>]*>"


def flat(fragment: str) -> str:
    """Return the fragment without the whitespace the renderer puts around block tags (inline kept)."""
    return re.sub(rf"\s*({BLOCK})\s*", r"\1", fragment).strip()


def lesson_block(label: str) -> str:
    """Return the lesson's lines from the one starting with `label` up to the next blank line."""
    lines = LESSON.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(label))
    end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
    return "\n".join(lines[start:end]) + "\n"


# --- lists and tables that interrupt a paragraph (the lesson's four cases) --------------------------


@pytest.mark.parametrize(
    ("label", "tag"),
    [
        ("**토론 주제**:", "ol"),
        ("**공유 내용**:", "ul"),
        ("**Session 3 연결점**:", "ul"),
        ("**미리 생각해볼 질문**:", "ul"),
    ],
)
def test_the_lessons_lists_after_a_line_of_text_are_lists(label, tag):
    """GFM 5.4 Lists: a bullet list, or an ordered list starting at 1, may interrupt a paragraph."""
    block = lesson_block(label)
    items = block.splitlines()[1:]
    html = flat(render_markdown(block))
    name = label.strip("*:").rstrip("*")
    assert html.startswith(f"<p><strong>{name}</strong>:</p><{tag}><li>")
    assert html.endswith(f"</li></{tag}>")
    assert html.count("<li>") == len(items) > 1
    assert "<br" not in html and "\n- " not in html and "1. " not in html


def test_the_whole_lesson_has_its_four_lists():
    """In the full lesson each of the four labels is directly followed by its list."""
    html = flat(render_markdown(LESSON.read_text(encoding="utf-8")))
    for label, tag in [
        ("토론 주제", "ol"),
        ("공유 내용", "ul"),
        ("Session 3 연결점", "ul"),
        ("미리 생각해볼 질문", "ul"),
    ]:
        assert f"<p><strong>{label}</strong>:</p><{tag}><li>" in html


def test_bullet_list_interrupts_a_paragraph_gfm_example():
    """GFM 5.4 Lists, `Foo` / `- bar` / `- baz`."""
    assert flat(render_markdown("Foo\n- bar\n- baz\n")) == "<p>Foo</p><ul><li>bar</li><li>baz</li></ul>"


def test_an_ordered_list_not_starting_at_1_does_not_interrupt():
    """GFM 5.4 Lists: `14.` after a line of text stays in the paragraph."""
    html = render_markdown("The number of windows in my house is\n14.  The number of doors is 6.\n")
    assert flat(html) == "<p>The number of windows in my house is\n14.  The number of doors is 6.</p>"


def test_an_ordered_list_keeps_its_start_number():
    """GFM 5.2 List items: the start number of an ordered list is kept (`<ol start="3">`)."""
    assert flat(render_markdown("3. a\n4. b\n")) == '<ol start="3"><li>a</li><li>b</li></ol>'


def test_a_table_interrupts_a_paragraph():
    """cmark-gfm's table extension: a header and delimiter row after a line of text start a table."""
    html = flat(render_markdown("비교:\n| 구분 | 이미지 |\n|---|---|\n| 상태 | 읽기 전용 |\n"))
    assert html == (
        "<p>비교:</p><table><thead><tr><th>구분</th><th>이미지</th></tr></thead>"
        "<tbody><tr><td>상태</td><td>읽기 전용</td></tr></tbody></table>"
    )


# --- nested lists, task lists ----------------------------------------------------------------------


def test_nested_lists_follow_the_content_column():
    """GFM 5.2 List items: two spaces under `- ` and three under `1. ` nest."""
    html = flat(render_markdown("- 환경\n  - 버전\n    - 더 깊이\n- 다음\n1. 하나\n   - 안\n"))
    assert html == (
        "<ul><li>환경<ul><li>버전<ul><li>더 깊이</li></ul></li></ul></li><li>다음</li></ul>"
        "<ol><li>하나<ul><li>안</li></ul></li></ol>"
    )


def test_the_lessons_task_list_is_disabled_checkboxes():
    """GFM 5.3 Task list items: the lesson's `- [x]` items are ticked, read-only checkboxes."""
    block = lesson_block("- [x]")
    html = flat(render_markdown(block))
    count = len(block.splitlines())
    assert html.startswith('<ul class="contains-task-list"><li class="task-item">')
    assert html.count('<input type="checkbox" disabled="" checked="">') == count == 4
    assert "[x]" not in html


def test_nested_task_list_gfm_example_280():
    """GFM example 280: task items nest, unticked and ticked."""
    html = flat(render_markdown("- [x] foo\n  - [ ] bar\n  - [x] baz\n- [ ] bim\n"))
    assert html == (
        '<ul class="contains-task-list"><li class="task-item"><input type="checkbox" disabled="" checked=""> foo'
        '<ul class="contains-task-list"><li class="task-item"><input type="checkbox" disabled=""> bar</li>'
        '<li class="task-item"><input type="checkbox" disabled="" checked=""> baz</li></ul></li>'
        '<li class="task-item"><input type="checkbox" disabled=""> bim</li></ul>'
    )


def test_brackets_without_a_space_after_are_not_a_task():
    """GFM 5.3: the marker must be followed by whitespace; `[x]y` stays text."""
    assert flat(render_markdown("- [x]y\n")) == "<ul><li>[x]y</li></ul>"


# --- tables ----------------------------------------------------------------------------------------


def test_table_alignment_gfm_example_199():
    """GFM example 199: `:-:` centres, `-:` right-aligns, written as align attributes."""
    html = flat(render_markdown("| abc | defghi |\n:-: | -----------:\nbar | baz\n"))
    assert html == (
        '<table><thead><tr><th align="center">abc</th><th align="right">defghi</th></tr></thead>'
        '<tbody><tr><td align="center">bar</td><td align="right">baz</td></tr></tbody></table>'
    )


def test_table_escaped_pipes_gfm_example_200():
    """GFM example 200: `\\|` is a pipe in a cell, also inside code and strong."""
    html = flat(render_markdown("| f\\|oo  |\n| ------ |\n| b `\\|` az |\n| b **\\|** im |\n"))
    assert html == (
        "<table><thead><tr><th>f|oo</th></tr></thead><tbody><tr><td>b <code>|</code> az</td></tr>"
        "<tr><td>b <strong>|</strong> im</td></tr></tbody></table>"
    )


def test_table_without_body_rows_has_no_tbody_gfm_example_205():
    """GFM example 205."""
    html = flat(render_markdown("| abc | def |\n| --- | --- |\n"))
    assert html == "<table><thead><tr><th>abc</th><th>def</th></tr></thead></table>"


# --- code --------------------------------------------------------------------------------------------


def test_the_lessons_code_fence_after_a_bold_line():
    """`**명령적 (Imperative)**:` then a bash fence: a paragraph, then highlighted code with data-lang."""
    html = flat(render_markdown(LESSON.read_text(encoding="utf-8")))
    assert (
        '<p><strong>명령적 (Imperative)</strong>:</p><div class="codehilite" data-lang="bash"><pre><span></span><code>'
        in html
    )
    assert '<div class="codehilite" data-lang="yaml"><pre><span></span><code><span class="c1">' in html


def test_fence_highlighting_keeps_pygments_classes():
    """Pygments' short classes (static/css/pygments.css) inside div.codehilite > pre > code."""
    html = render_markdown("```YAML extra words\nkind: Deployment\n```\n")
    assert html.startswith('<div class="codehilite" data-lang="yaml"><pre><span></span><code>')
    assert '<span class="nt">kind</span>' in html
    assert html.rstrip().endswith("</code></pre></div>")


def test_a_fence_without_or_with_an_unknown_language_is_plain_text():
    """No info string: no data-lang; an unknown one: data-lang kept, the code escaped, not highlighted."""
    plain = flat(render_markdown("```\n<b>x</b>\n```\n"))
    assert (
        plain == '<div class="codehilite"><pre><span></span><code>&lt;b&gt;x&lt;/b&gt;\n</code></pre></div>'
    )
    odd = flat(render_markdown("```nosuchlang\na < b\n```\n"))
    assert odd == (
        '<div class="codehilite" data-lang="nosuchlang"><pre><span></span><code>a &lt; b\n</code></pre></div>'
    )


def test_a_hostile_info_string_cannot_break_out_of_the_attribute():
    """The language is reduced to word characters before it becomes data-lang."""
    html = render_markdown('```"><script>alert(1)</script>\nx\n```\n')
    assert "<script" not in html and "alert(1)" not in html.split("<code>")[0]


# --- inlines -----------------------------------------------------------------------------------------


def test_strikethrough_gfm_examples_491_492():
    """GFM 6.5: `~~x~~` is `<del>`; it does not span paragraphs."""
    assert flat(render_markdown("~~Hi~~ Hello, world!\n")) == "<p><del>Hi</del> Hello, world!</p>"
    assert flat(render_markdown("This ~~has a\n\nnew paragraph~~.\n")) == (
        "<p>This ~~has a</p><p>new paragraph~~.</p>"
    )


def test_extended_autolinks_gfm_examples():
    """GFM 6.9: www. (with http://), bare https://, trailing period left out; a bare domain is text."""
    html = flat(
        render_markdown("Visit www.commonmark.org/a.b. 문서: https://kubernetes.io/docs/ 와 kubernetes.io\n")
    )
    assert html == (
        f'<p>Visit <a href="http://www.commonmark.org/a.b" {LINK}>www.commonmark.org/a.b</a>. '
        f'문서: <a href="https://kubernetes.io/docs/" {LINK}>https://kubernetes.io/docs/</a> 와 kubernetes.io</p>'
    )


def test_no_autolinks_inside_code():
    """Code spans and blocks are never linked."""
    html = render_markdown("`www.example.com`\n\n```\nhttps://example.com\n```\n")
    assert "<a " not in html


def test_soft_line_breaks_stay_soft_as_in_a_github_md_file():
    """GitHub's file view keeps a single newline soft (no <br>): the lesson's 세션 정보 lines are one paragraph."""
    block = lesson_block("**시간**")
    html = flat(render_markdown(block))
    assert html.startswith("<p><strong>시간</strong>: 10:00-10:50 (50분)\n<strong>목표</strong>:")
    assert html.count("<p>") == 1 and "<br" not in html


def test_hard_line_breaks():
    """GFM 6.12: two trailing spaces or a backslash make <br>; so does raw `<br>`."""
    assert flat(render_markdown("foo  \nbar\\\nbaz<br>qux\n")) == "<p>foo<br>\nbar<br>\nbaz<br>qux</p>"


def test_emoji_headings_keep_the_emoji_and_get_an_id_without_it():
    """Emoji stay in the heading text; the id is GitHub's (github-slugger): the emoji goes, a repeat gets -1."""
    html = render_markdown("## 🕘 세션 정보\n\n## 🕘 세션 정보\n")
    assert flat(html) == (
        '<h2 id="-세션-정보">🕘 세션 정보<a class="headerlink" href="#-세션-정보" '
        f'title="이 제목으로 연결되는 링크 · Link to this heading" {LINK}>#</a></h2>'
        '<h2 id="-세션-정보-1">🕘 세션 정보<a class="headerlink" href="#-세션-정보-1" '
        f'title="이 제목으로 연결되는 링크 · Link to this heading" {LINK}>#</a></h2>'
    )


# --- raw HTML ------------------------------------------------------------------------------------------


def test_the_lessons_centered_div_renders_its_markdown():
    """The lesson's `<div align="center">` keeps its alignment and its bold/italic lines are rendered."""
    block = lesson_block('<div align="center">')
    html = flat(render_markdown(block))
    assert html.startswith(
        '<div align="center"><p><strong>🎼 오케스트레이션</strong> • <strong>🤖 자동화</strong>'
    )
    assert "<em>컨테이너들의 조화로운 협업을 위한 지휘자</em></p></div>" in html
    assert "**" not in html


def test_details_and_summary_with_markdown_inside():
    """`<details>`/`<summary>` survive (and `open`); the Markdown between them renders."""
    html = flat(
        render_markdown("<details open>\n<summary>💡 힌트</summary>\n- `Pending`: Events<br>\n</details>\n")
    )
    assert html == (
        '<details open=""><summary>💡 힌트</summary><ul><li><code>Pending</code>: Events<br></li></ul></details>'
    )


@pytest.mark.parametrize(
    ("source", "gone"),
    [
        ("<script>alert(1)</script>\n", ["<script", "alert(1)"]),
        ('<img src="x" onerror="alert(1)">\n', ["onerror", "<img", "alert"]),
        ('<div onclick="alert(1)">hi</div>\n', ["onclick", "alert"]),
        ("[x](javascript:alert(1))\n", ["javascript:", "alert"]),
        ('<a href="JaVaScRiPt:alert(1)">x</a>\n', ["avascript", "alert"]),
        ("<javascript:alert(1)>\n", ["href"]),
        ("[x](data:text/html;base64,PHNjcmlwdD4=)\n", ["data:", "href"]),
        ('<iframe src="https://evil.example"></iframe>\n', ["<iframe", "evil.example"]),
        ("<style>body{display:none}</style>\n", ["<style", "display:none"]),
        ('<div style="background:url(javascript:alert(1))">x</div>\n', ["style", "javascript"]),
        ('| a |\n|---|\n| <span style="position:fixed;top:0">b</span> |\n', ["style", "position"]),
        ('<svg onload="alert(1)"><circle/></svg>\n', ["<svg", "onload"]),
        ('<details ontoggle="alert(1)" open>\n<summary>s</summary>\n</details>\n', ["ontoggle", "alert"]),
    ],
)
def test_executable_or_styling_raw_html_is_removed(source, gone):
    """nh3 keeps only the lesson's tags and attributes, `http(s)`/`mailto` links and text-align styles."""
    html = render_markdown(source)
    for needle in gone:
        assert needle not in html
