"""Safe YAML loading: line/column errors, aliases refused, size and document limits."""

import pytest

from visualizer.engine.yaml_input import MAX_BYTES, YamlError, load_documents


def test_a_syntax_error_reports_line_and_column():
    """A YAML syntax error carries its line and column, and kubectl's message."""
    with pytest.raises(YamlError) as info:
        load_documents("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  labels: a: b\n")
    assert info.value.line == 5
    assert info.value.column is not None
    assert "error parsing STDIN: error converting YAML to JSON: yaml: line 5" in info.value.message


def test_aliases_and_anchors_are_refused():
    """A YAML anchor is refused with its position (no billion-laughs expansion)."""
    with pytest.raises(YamlError) as info:
        load_documents("a: &x [1, 2]\nb: *x\n")
    assert "not allowed" in info.value.message and info.value.line == 1


def test_oversized_input_is_refused():
    """More than 64 KiB of YAML is refused with a clear message."""
    with pytest.raises(YamlError) as info:
        load_documents("a: " + "x" * (MAX_BYTES + 1))
    assert "64 KiB" in info.value.message


def test_multi_document_input_and_lists_are_expanded():
    """Several documents and `kind: List` items all come back as objects."""
    text = (
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n"
        "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Namespace, metadata: {name: b}}\n"
    )
    assert [d["metadata"]["name"] for d in load_documents(text)] == ["a", "b"]


def test_timestamps_stay_strings():
    """Dates stay strings so every object is JSON."""
    doc = load_documents("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {day: 2025-03-03}\n")[0]
    assert doc["data"]["day"] == "2025-03-03"


def test_documents_without_kind_are_refused():
    """A document without apiVersion/kind gets a validation error."""
    with pytest.raises(YamlError) as info:
        load_documents("metadata: {name: x}\n")
    assert "kind not set" in info.value.message


def test_deep_nesting_is_refused_quickly_with_a_position():
    """Flow or block nesting beyond 40 levels is refused with line and column, not a recursion error."""
    import time

    for text in ("a: " + "[" * 800 + "]" * 800, "a:\n" + "".join("  " * i + "- \n" for i in range(80))):
        start = time.process_time()
        with pytest.raises(YamlError) as info:
            load_documents(text)
        assert "nested more than 40 levels" in info.value.message and info.value.line
        assert time.process_time() - start < 0.2


def test_brackets_inside_quotes_and_comments_do_not_count():
    """Brackets in quoted strings and comments are not nesting."""
    doc = load_documents(
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: "'
        + "[" * 60
        + '"} # '
        + "{" * 60
        + "\n"
    )
    assert doc[0]["data"]["a"] == "[" * 60
