"""Safe YAML loading: line/column errors, aliases refused, size and document limits."""

import pytest

from visualizer.engine.yaml_input import MAX_BYTES, MAX_DOCUMENTS, YamlError, load_documents


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


def _namespaces(count: int, form: str) -> str:
    names = [f"ns-{n}" for n in range(count)]
    if form == "yaml":
        return "---\n".join(f"apiVersion: v1\nkind: Namespace\nmetadata: {{name: {n}}}\n" for n in names)
    if form == "json":
        return "\n".join(
            f'{{"apiVersion":"v1","kind":"Namespace","metadata":{{"name":"{n}"}}}}' for n in names
        )
    items = "".join(f"- {{apiVersion: v1, kind: Namespace, metadata: {{name: {n}}}}}\n" for n in names)
    return f"apiVersion: v1\nkind: List\nitems:\n{items}"


@pytest.mark.parametrize("form", ["yaml", "json", "list"])
def test_more_objects_than_the_limit_get_one_message_however_they_came(form):
    """50 objects pass; 51 are refused with the same words whether they came as YAML documents, a JSON stream or
    a List's items. The words are kubectl-style English, as the simulator's other limits (docs/engine.md
    "Limits": the console prints what kubectl would; the page translates its own notes, not these)."""
    assert len(load_documents(_namespaces(MAX_DOCUMENTS, form))) == MAX_DOCUMENTS
    with pytest.raises(YamlError) as info:
        load_documents(_namespaces(MAX_DOCUMENTS + 1, form))
    assert info.value.message == (
        "error: too many objects: the input holds more than 50; the simulator accepts at most 50 objects per "
        "command"
    )
    assert (info.value.line, info.value.column) == (None, None)


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


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # Observed with kubectl v1.37.1: go-yaml's words, scanner errors on their line, parser errors on the line
        # before, no line for a problem on the first line.
        (
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a: b\n",
            "yaml: line 4: mapping values are not allowed in this context",
        ),
        (
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n spec: x\n",
            "yaml: line 4: did not find expected key",
        ),
        (
            "apiVersion: v1\nkind: Pod\nmetadata:\n\tname: a\n",
            "yaml: line 4: found character that cannot start any token",
        ),
        ("apiVersion: v1\nkind: Pod\nmetadata: {name: a\n", "yaml: line 3: did not find expected ',' or '}'"),
        ("a:\n  - b\n  c: d\n", "yaml: line 2: did not find expected '-' indicator"),
        ("a: b\nc\n", "yaml: line 3: could not find expected ':'"),
        (",\n", "yaml: did not find expected node content"),
        ("\t", "yaml: found character that cannot start any token"),
    ],
)
def test_syntax_errors_read_as_kubectl_prints_them(text, message):
    """`error: error parsing STDIN: error converting YAML to JSON: <go-yaml's message>`."""
    with pytest.raises(YamlError) as info:
        load_documents(text)
    assert info.value.message == f"error: error parsing STDIN: error converting YAML to JSON: {message}"


def test_json_streams_are_read_object_after_object():
    """`{…}{…}`, one per line, and a trailing comma (read as YAML) all work; an unfinished object is EOF."""
    a = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}'
    b = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b"}}'
    assert [d["metadata"]["name"] for d in load_documents(a + b)] == ["a", "b"]
    assert [d["metadata"]["name"] for d in load_documents(a + "\n\n" + b + "\n")] == ["a", "b"]
    assert [d["metadata"]["name"] for d in load_documents(a[:-1] + ",}")] == ["a"]
    with pytest.raises(YamlError) as info:
        load_documents(a[:-1])
    assert info.value.message == "error: error parsing STDIN: unexpected EOF"


def test_nothing_to_apply_names_the_verb():
    """Only `---` and comments, or an empty List: `no objects passed to <verb>`."""
    for text in ("---\n# nothing\n", "apiVersion: v1\nkind: List\nitems: []\n", "  \n"):
        with pytest.raises(YamlError) as info:
            load_documents(text, verb="create")
        assert info.value.message == "error: no objects passed to create"


def test_documents_that_are_not_objects_or_lack_kind_get_kubectls_client_words():
    """`invalid object to validate`; one missing field bare, two in brackets."""
    hint = "; if you choose to ignore these errors, turn validation off with --validate=false"
    for text, detail in (
        ("- a\n- b\n", "invalid object to validate"),
        ("just a string\n", "invalid object to validate"),
        ("kind: Pod\nmetadata: {name: x}\n", "apiVersion not set"),
        ("metadata: {name: x}\n", "[apiVersion not set, kind not set]"),
    ):
        with pytest.raises(YamlError) as info:
            load_documents(text)
        assert info.value.message == f'error: error validating "STDIN": error validating data: {detail}{hint}'


def test_the_console_prints_the_limit_and_creates_nothing():
    from visualizer.engine import Cluster

    cluster = Cluster()
    before = cluster.run("kubectl get namespaces -o name").output
    result = cluster.run("kubectl apply -f -", stdin=_namespaces(MAX_DOCUMENTS + 1, "yaml"))
    assert not result.ok and result.output.startswith(
        "error: too many objects: the input holds more than 50;"
    )
    assert cluster.run("kubectl get namespaces -o name").output == before
