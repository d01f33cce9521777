"""Server-side Markdown rendering: tables, highlighted code, anchors, sanitising, diagrams, key terms."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from course.mermaid_text import normalise
from course.rendering import DiagramRef, TermRef, render_markdown, render_section

TERMS = [
    TermRef("orchestration", "오케스트레이션", "Orchestration", "여러 컨테이너의 자동 관리"),
    TermRef("scheduler", "스케줄러", "Scheduler", "컨테이너 배치 결정"),
]


def test_tables_render_as_html_tables():
    """Pipe tables become <table> with header cells."""
    html = render_markdown("| 기능 | 설명 |\n|---|---|\n| 배포 | 자동 |\n")
    assert "<table>" in html and "<th>기능</th>" in html and "<td>자동</td>" in html


def test_fenced_code_is_highlighted():
    """A yaml fence is highlighted by Pygments inside .codehilite."""
    html = render_markdown("```yaml\nkind: Deployment\n```\n")
    assert 'class="codehilite"' in html
    assert '<span class="nt">kind</span>' in html


def test_headings_get_unicode_anchors_with_a_permalink():
    """Korean headings get GitHub's ids (the emoji goes, its space stays as '-') and a link to themselves."""
    html = render_markdown("## 🕘 세션 정보\n")
    assert '<h2 id="-세션-정보">' in html
    assert 'href="#-세션-정보"' in html


def test_raw_div_is_kept_and_its_markdown_rendered():
    """The lesson's <div align="center"> survives, with the bold text inside it rendered."""
    html = render_markdown('<div align="center">\n**🎼 오케스트레이션** • **🤖 자동화**\n</div>\n')
    assert '<div align="center">' in html
    assert "<strong>🎼 오케스트레이션</strong>" in html


def test_scripts_handlers_and_javascript_urls_are_removed():
    """Anything executable in the Markdown is stripped; the text stays."""
    html = render_markdown(
        '<div onclick="alert(1)">hi</div>\n\n<script>alert(2)</script>\n\n[x](javascript:alert(3))\n'
        '<img src=x onerror="alert(4)">\n'
    )
    assert "onclick" not in html and "<script" not in html and "javascript:" not in html
    assert "onerror" not in html and "alert(2)" not in html
    assert "hi" in html


def test_task_list_items_become_disabled_checkboxes():
    """'- [x] item' renders a ticked, read-only checkbox."""
    html = render_markdown("- [x] 이해\n- [ ] 복습\n")
    assert '<li class="task-item"><input type="checkbox" disabled="" checked=""> 이해</li>' in html
    assert '<li class="task-item"><input type="checkbox" disabled=""> 복습</li>' in html


def test_mermaid_fence_becomes_a_numbered_figure_with_its_source_as_text_alternative():
    """The diagram is a figure mermaid.js fills; the escaped source is its description."""
    html = render_markdown(
        "```mermaid\ngraph LR\n  A[<b>x</b>] --> B\n```\n", [DiagramRef(7, "롤링 업데이트")]
    )
    assert 'id="diagram-7"' in html
    assert 'aria-describedby="diagram-7-source"' in html
    assert "그림 7. 롤링 업데이트" in html
    assert "A[&lt;b&gt;x&lt;/b&gt;] --&gt; B" in html
    assert "<b>x</b>" not in html


def test_multi_node_style_lines_are_split_for_drawing_only():
    """`style A,B fill:...` is drawn as one style per node; the text alternative keeps the original."""
    assert (
        normalise("graph TB\n    style M1,M2 fill:#fff3e0")
        == "graph TB\n    style M1 fill:#fff3e0\n    style M2 fill:#fff3e0"
    )
    html = render_markdown("```mermaid\ngraph TB\n    style M1,M2 fill:#fff3e0\n```\n", [DiagramRef(1, "x")])
    assert '<pre class="mermaid-render" hidden>graph TB\n    style M1 fill:#fff3e0' in html
    assert "style M1,M2 fill:#fff3e0" in html


def test_first_mention_of_a_term_links_to_the_glossary_with_its_definition():
    """Only the first prose mention is linked, with a tooltip carrying the definition."""
    html = render_section("오케스트레이션은 좋다. 오케스트레이션은 또 좋다.\n", TERMS, scope="why")
    assert html.count('class="term"') == 1
    assert 'href="../keywords/#term-orchestration"' in html
    assert 'aria-describedby="tip-why-orchestration"' in html
    assert "여러 컨테이너의 자동 관리" in html


def test_terms_in_headings_code_and_diagrams_are_not_linked():
    """Headings, inline code, code blocks and diagram sources stay as they are."""
    source = "## 스케줄러\n\n`스케줄러`\n\n```\n스케줄러\n```\n\n```mermaid\ngraph TB\n A[스케줄러]\n```\n"
    assert 'class="term"' not in render_section(source, TERMS, diagrams=[DiagramRef(1, "x")])


def test_english_term_names_match_whole_words_only():
    """'Scheduler' links, 'Schedulers2x' inside a word does not."""
    assert 'class="term"' not in render_section("NotAScheduler2x\n", TERMS)
    assert 'data-term="scheduler"' in render_section("the Scheduler decides\n", TERMS)


def test_glossary_entries_get_anchors_instead_of_links():
    """In 핵심 키워드 each entry gets the id the links point at."""
    html = render_section(
        "- **오케스트레이션(Orchestration)**: 여러 컨테이너의 자동 관리\n", TERMS, is_glossary=True
    )
    assert '<li id="term-orchestration">' in html
    assert 'class="term"' not in html


def test_more_mermaid_fences_than_diagram_refs_number_the_extras_after_the_last_known():
    """Used to raise IndexError (refs[i] past the end): extras continue from the last given number.

    They are captioned with the nearest heading above them, without its time box, as the importer does.
    """
    source = (
        "### 🔍 개념 (12분)\n```mermaid\ngraph LR\n A-->B\n```\n"
        "#### 🔄 추가 그림\n```mermaid\ngraph LR\n C-->D\n```\n\n```mermaid\ngraph LR\n E-->F\n```\n"
    )
    html = render_markdown(source, [DiagramRef(4, "개념")])
    numbers = re.findall(r'<figure class="diagram" id="diagram-(\d+)" data-diagram="(\d+)">', html)
    assert numbers == [("4", "4"), ("5", "5"), ("6", "6")]
    assert "그림 4. 개념" in html and "그림 5. 🔄 추가 그림" in html and "그림 6. 🔄 추가 그림" in html
    assert "C--&gt;D" in html and "E--&gt;F" in html and "ORCHESTRALABDIAGRAM" not in html


def test_mermaid_fences_without_any_refs_are_numbered_from_one():
    """No DiagramRefs at all (an admin preview): figures 1, 2, … in order, nothing raises."""
    html = render_markdown("```mermaid\ngraph LR\n A-->B\n```\n\n```mermaid\ngraph LR\n C-->D\n```\n")
    assert re.findall(r'id="diagram-(\d+)"', html) == ["1", "2"]


def test_fewer_mermaid_fences_than_refs_use_the_first_refs():
    """Refs beyond the fences are ignored."""
    html = render_markdown("```mermaid\ngraph LR\n A-->B\n```\n", [DiagramRef(2, "a"), DiagramRef(3, "b")])
    assert re.findall(r'id="diagram-(\d+)"', html) == ["2"]


def test_a_fence_never_closed_runs_to_the_end_instead_of_raising():
    """CommonMark 4.5: an unclosed fence holds the rest of the text (an admin edit must not give a 500)."""
    code = render_markdown("text\n```python\nx = 1\n\n## not a heading\n")
    assert code.startswith('<p>text</p>\n<div class="codehilite" data-lang="python">')
    assert "## not a heading" in code and "<h2" not in code
    figure = render_markdown("```mermaid\ngraph LR\n A-->B\n", [DiagramRef(3, "x")])
    assert 'id="diagram-3"' in figure and "A--&gt;B" in figure


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "```mermaid",
                "```",
                "~~~",
                "````yaml",
                "graph LR",
                " A-->B",
                "## 제목 (5분)",
                "- [x] a",
                "| a |",
                "|---|",
                "<div>",
                "</div>",
                "text",
                "",
                "  - b",
                "1. c",
                "<script>x</script>",
                "ORCHESTRALABDIAGRAM0X",
            ]
        ),
        max_size=30,
    ),
    st.integers(min_value=0, max_value=4),
)
def test_any_text_and_any_number_of_refs_render_without_raising(lines, refs):
    """Whatever the mix of fences, tags and refs, render_markdown returns sanitised HTML."""
    html = render_markdown("\n".join(lines), [DiagramRef(n + 1, "h") for n in range(refs)])
    assert "<script" not in html


def test_a_mermaid_fence_in_a_list_item_stays_in_the_item_with_its_indentation_removed():
    """The figure is inside the <li>; the source loses the fence's two-space indent (CommonMark 4.5)."""
    html = render_markdown(
        "- 단계\n  ```mermaid\n  graph LR\n    A-->B\n  ```\n- 다음\n", [DiagramRef(1, "x")]
    )
    assert re.search(r"<li>\s*<p>단계</p>\s*<figure class=\"diagram\" id=\"diagram-1\"", html)
    assert "<code>graph LR\n  A--&gt;B</code>" in html
    assert html.count("<li>") == 2


def test_glossary_entries_of_a_loose_list_get_anchors_too():
    """Blank lines between the items put each item's text in <p>; the id still lands on the <li>."""
    html = render_section(
        "- **오케스트레이션(Orchestration)**: 자동 관리\n\n- **스케줄러(Scheduler)**: 배치 결정\n",
        TERMS,
        is_glossary=True,
    )
    assert re.search(
        r'<li id="term-orchestration">\s*<p><strong>오케스트레이션\(Orchestration\)</strong>', html
    )
    assert re.search(r'<li id="term-scheduler">\s*<p><strong>스케줄러\(Scheduler\)</strong>', html)
