"""Safe loading of user YAML: size and document limits, no aliases, JSON types only, line/column errors.

PyYAML's safe loader is used with three changes: anchors and aliases are refused (a "billion laughs" input
cannot expand), timestamps stay strings (Kubernetes manifests are JSON), and every error carries the line and
column so the YAML editor can mark it. Messages follow kubectl v1.37 (observed with the real binary):

- syntax errors are go-yaml's (`error: error parsing STDIN: error converting YAML to JSON: yaml: line 7:
  mapping values are not allowed in this context`), PyYAML's problem texts translated; go-yaml numbers a
  *scanner* error by its line and a *parser* error by the line before it (its 0-based `problem_mark`), and the
  message keeps that number while `YamlError.line` marks the line the problem is on;
- a stream starting with `{` is JSON, object after object (`{…}{…}` or one per line), as cli-runtime's
  YAMLOrJSONDecoder reads it; a JSON syntax error falls back to YAML for the rest, an unfinished object is
  `unexpected EOF`;
- empty documents (`---`, comments) are skipped and a `kind: List` is expanded into its items; if nothing is
  left: `error: no objects passed to apply` (`create`, …);
- a document that is not an object: `error validating data: invalid object to validate`; one without
  `apiVersion`/`kind`: `error validating data: kind not set` (several problems in brackets:
  `[apiVersion not set, kind not set]`), both with kubectl's `--validate=false` hint.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import yaml

from .body_limits import DECODER_HOOKS, DecodeLimitError, GoYamlNumbers, use_go_yaml_numbers

MAX_BYTES = 64 * 1024
MAX_DOCUMENTS = 50
# The simulator's own limit, worded as its other limits are (kubectl's style, English: the console prints what
# kubectl would, and the page's own notes are what it translates; docs/engine.md "Limits"). One message however
# the objects came: YAML documents, a JSON stream or a `kind: List`'s items.
TOO_MANY_OBJECTS = (
    f"error: too many objects: the input holds more than {MAX_DOCUMENTS}; the simulator accepts at most "
    f"{MAX_DOCUMENTS} objects per command"
)
MAX_DEPTH = 40


@dataclass
class YamlError(Exception):
    """A YAML problem with its 1-based line and column (None when not tied to a place)."""

    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        return self.message

    def to_dict(self) -> dict:
        """Returns {"message", "line", "column"} for CommandResult.error."""
        return {"message": self.message, "line": self.line, "column": self.column}


def _too_deep(line: int, column: int) -> YamlError:
    return YamlError(
        f"error: error parsing STDIN: the document is nested more than {MAX_DEPTH} levels deep "
        f"(line {line}, column {column})",
        line,
        column,
    )


def _check_flow_depth(text: str) -> None:
    """Raises YamlError when [ and { nest deeper than MAX_DEPTH (checked before PyYAML, whose scanner is slow
    and recursive on such input). Quotes and comments are skipped; block nesting is checked while composing."""
    depth, line, column = 0, 1, 0
    quote = None
    comment = False
    prev = "\n"
    for ch in text:
        column += 1
        if ch == "\n":
            line, column, comment = line + 1, 0, False
        elif comment:
            pass
        elif quote:
            if ch == quote and not (quote == '"' and prev == "\\"):
                quote = None
        elif ch in "'\"" and (prev in " \t\n[{,:"):
            quote = ch
        elif ch == "#" and prev in " \t\n":
            comment = True
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise _too_deep(line, column)
        elif ch in "]}":
            depth = max(0, depth - 1)
        prev = ch


class _Loader(GoYamlNumbers, yaml.SafeLoader):
    """SafeLoader without timestamps and without aliases, refusing nesting deeper than MAX_DEPTH; numbers as
    go-yaml v2 types them (body_limits.GoYamlNumbers: a 10,000-digit integer stays a string)."""

    _depth = 0

    def compose_node(self, parent, index):
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise _too_deep(mark.line + 1, mark.column + 1)
            return self._compose_checked(parent, index)
        finally:
            self._depth -= 1

    def _compose_checked(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise YamlError(
                f"error: error parsing STDIN: YAML aliases (*{event.anchor}) are not allowed in this simulator "
                f"(line {event.start_mark.line + 1}, column {event.start_mark.column + 1})",
                event.start_mark.line + 1,
                event.start_mark.column + 1,
            )
        event = self.peek_event()
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise YamlError(
                f"error: error parsing STDIN: YAML anchors (&{anchor}) are not allowed in this simulator "
                f"(line {event.start_mark.line + 1}, column {event.start_mark.column + 1})",
                event.start_mark.line + 1,
                event.start_mark.column + 1,
            )
        return super().compose_node(parent, index)


use_go_yaml_numbers(_Loader)
_Loader.yaml_implicit_resolvers = {
    k: [(tag, regexp) for tag, regexp in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _check_json(value, depth=0, where="") -> None:
    if depth > MAX_DEPTH:
        raise YamlError(
            f"error: error parsing STDIN: the document is nested more than {MAX_DEPTH} levels deep"
        )
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise YamlError(
                    f"error: error parsing STDIN: error converting YAML to JSON: map key {k!r} is not a "
                    "string (quote it)"
                )
            _check_json(v, depth + 1)
    elif isinstance(value, list):
        for v in value:
            _check_json(v, depth + 1)
    elif isinstance(value, float) and value != value:
        raise YamlError("error: error parsing STDIN: NaN is not valid JSON")
    elif not (value is None or isinstance(value, (str, int, float, bool))):
        raise YamlError(
            f"error: error parsing STDIN: error converting YAML to JSON: unsupported value of type "
            f"{type(value).__name__}"
        )


# PyYAML's problem texts → go-yaml's (gopkg.in/yaml.v2 scannerc.go / parserc.go), which kubectl prints.
_GO_YAML_PROBLEMS = (
    ("mapping values are not allowed here", "mapping values are not allowed in this context"),
    ("that cannot start any token", "found character that cannot start any token"),
    ("expected ',' or '}'", "did not find expected ',' or '}'"),
    ("expected ',' or ']'", "did not find expected ',' or ']'"),
    ("expected '<document start>'", "did not find expected <document start>"),
    ("expected a comment or a line break", "did not find expected comment or line break"),
    ("expected alphabetic or numeric character", "did not find expected alphabetic or numeric character"),
    ("found unknown escape character", "found unknown escape character"),
    ("could not find expected ':'", "could not find expected ':'"),
    ("found unexpected end of stream", "found unexpected end of stream"),
    ("expected the node content", "did not find expected node content"),
)


def _go_yaml_error(exc: yaml.MarkedYAMLError) -> tuple[int | None, str]:
    """Returns (the line go-yaml names, its problem text) for a PyYAML error."""
    problem = exc.problem or "unknown problem parsing YAML content"
    context = exc.context or ""
    text = problem
    if problem.startswith("expected <block end>"):
        text = (
            "did not find expected '-' indicator"
            if "block collection" in context
            else "did not find expected key"
        )
    else:
        for mine, theirs in _GO_YAML_PROBLEMS:
            if mine in problem:
                text = theirs
                break
    # go-yaml (yaml.v2 decode.go `fail`): a problem on the first line (0-based 0) names no line unless its
    # context does; otherwise scanner errors name the 1-based line and parser errors the 0-based one.
    if exc.problem_mark is not None and exc.problem_mark.line != 0:
        scanner = isinstance(exc, yaml.scanner.ScannerError)
        line = exc.problem_mark.line + (1 if scanner else 0)
    else:
        line = exc.context_mark.line if exc.context_mark is not None else 0
    return line or None, text


def _split_json_stream(text: str, source: str) -> tuple[list, str]:
    """Returns (the leading JSON objects of a `{`-stream, the rest to read as YAML), as YAMLOrJSONDecoder does."""
    decoder = json.JSONDecoder(**DECODER_HOOKS)
    objects: list = []
    pos, end = 0, len(text)
    while True:
        while pos < end and text[pos] in " \t\r\n":
            pos += 1
        if pos >= end or text[pos] != "{":
            return objects, text[pos:]
        try:
            obj, pos = decoder.raw_decode(text, pos)
        except DecodeLimitError as exc:
            # A number beyond float64, NaN or Infinity (body_limits.py): the hook does not know where it was.
            word = str(exc).split(" ")[4] if " number " in str(exc) else "N"
            at = text.find(word[:20].rstrip("…"), pos)
            line = text.count("\n", 0, max(at, pos)) + 1
            column = max(at, pos) - text.rfind("\n", 0, max(at, pos))
            raise YamlError(f"error: error parsing {source}: {exc}", line, column) from None
        except json.JSONDecodeError as exc:
            last = len(text.rstrip())
            if exc.pos >= last:
                # The editor marks the last character of the unfinished object.
                line = text.count("\n", 0, last) + 1
                column = last - text.rfind("\n", 0, last)
                raise YamlError(
                    f"error: error parsing {source}: unexpected EOF", line, max(column - 1, 1)
                ) from None
            # Not JSON after all (a trailing comma, …): the decoder reads the rest as YAML.
            return objects, text[pos:]
        objects.append(obj)


def _doc_problems(doc) -> list[str]:
    """Returns kubectl's client-side checks of one document (cli-runtime pkg/resource, kubectl validation)."""
    if not isinstance(doc, dict):
        return ["invalid object to validate"]
    return [f"{f} not set" for f in ("apiVersion", "kind") if not doc.get(f)]


def load_documents(text, source: str = "STDIN", verb: str = "apply") -> list[dict]:
    """Returns the non-empty documents of a multi-document YAML (or JSON) text; raises YamlError.

    `source` is the name kubectl gives the input (`STDIN` for `-f -`); `verb` the command, for
    `error: no objects passed to <verb>`.
    """
    if text is None or (isinstance(text, str) and not text.strip(" \r\n")):
        # Only blanks and newlines: nothing to read (a tab is a YAML error, as go-yaml says).
        raise YamlError(f"error: no objects passed to {verb}")
    if not isinstance(text, str):
        raise YamlError("error: input must be text")
    size = len(text.encode("utf-8", "replace"))
    if size > MAX_BYTES:
        raise YamlError(
            f"error: the input is {size:,} bytes; the simulator accepts at most {MAX_BYTES:,} bytes "
            "(64 KiB) of YAML per command"
        )
    _check_flow_depth(text)
    docs: list = []
    if text.lstrip().startswith("{"):
        docs, text = _split_json_stream(text, source)
    try:
        loader = _Loader(text)
        try:
            while loader.check_data():
                doc = loader.get_data()
                if doc is None:
                    continue
                docs.append(doc)
                if len(docs) > MAX_DOCUMENTS:
                    raise YamlError(TOO_MANY_OBJECTS)  # stop reading: the rest would be refused anyway
        finally:
            loader.dispose()
    except YamlError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        go_line, problem = _go_yaml_error(exc)
        where = f"line {go_line}: " if go_line else ""
        raise YamlError(
            f"error: error parsing {source}: error converting YAML to JSON: yaml: {where}{problem}",
            line,
            column,
        ) from None
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        raise YamlError(f"error: error parsing {source}: {exc}") from None
    expanded = []
    for doc in docs:
        _check_json(doc)
        if isinstance(doc, dict) and doc.get("kind") == "List" and isinstance(doc.get("items"), list):
            # kubectl expands a `kind: List` (v1 List) into its items, each then handled on its own.
            expanded.extend(doc["items"])
        else:
            expanded.append(doc)
    docs = expanded
    if not docs:
        raise YamlError(f"error: no objects passed to {verb}")
    if len(docs) > MAX_DOCUMENTS:
        raise YamlError(TOO_MANY_OBJECTS)  # a JSON stream, or a `kind: List`'s items
    for doc in docs:
        problems = _doc_problems(doc)
        if problems:
            detail = problems[0] if len(problems) == 1 else "[" + ", ".join(problems) + "]"
            raise YamlError(
                f'error: error validating "{source}": error validating data: {detail}; if you choose to '
                "ignore these errors, turn validation off with --validate=false"
            )
        meta = doc.get("metadata")
        if meta is None:
            # An absent metadata decodes as an empty ObjectMeta; the API server then asks for a name (422).
            doc["metadata"] = {}
        elif not isinstance(meta, dict):
            raise YamlError(
                f'error: unable to decode "{source}": json: cannot unmarshal {_json_kind(meta)} into Go struct '
                "field metadataOnlyObject.metadata of type v1.ObjectMeta"
            )
    return docs


def _json_kind(value) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"
