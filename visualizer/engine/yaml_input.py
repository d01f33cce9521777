"""Safe loading of user YAML: size and document limits, no aliases, JSON types only, line/column errors.

PyYAML's safe loader is used with three changes: anchors and aliases are refused (a "billion laughs" input
cannot expand), timestamps stay strings (Kubernetes manifests are JSON), and every error carries the line and
column so the YAML editor can mark it. Messages follow kubectl: `error: error parsing STDIN: error
converting YAML to JSON: yaml: line 7: mapping values are not allowed in this context`.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

MAX_BYTES = 64 * 1024
MAX_DOCUMENTS = 50
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


class _Loader(yaml.SafeLoader):
    """SafeLoader without timestamps and without aliases, refusing nesting deeper than MAX_DEPTH."""

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


def load_documents(text, source: str = "STDIN") -> list[dict]:
    """Returns the non-empty documents of a multi-document YAML (or JSON) text; raises YamlError."""
    if text is None or (isinstance(text, str) and not text.strip()):
        raise YamlError("error: no objects passed to apply")
    if not isinstance(text, str):
        raise YamlError("error: input must be text")
    size = len(text.encode("utf-8", "replace"))
    if size > MAX_BYTES:
        raise YamlError(
            f"error: the input is {size:,} bytes; the simulator accepts at most {MAX_BYTES:,} bytes "
            "(64 KiB) of YAML per command"
        )
    _check_flow_depth(text)
    docs = []
    try:
        loader = _Loader(text)
        try:
            while loader.check_data():
                doc = loader.get_data()
                if doc is None:
                    continue
                docs.append(doc)
                if len(docs) > MAX_DOCUMENTS:
                    raise YamlError(
                        f"error: too many documents: the simulator accepts at most {MAX_DOCUMENTS} "
                        "objects per command"
                    )
        finally:
            loader.dispose()
    except YamlError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        problem = exc.problem or "invalid YAML"
        raise YamlError(
            f"error: error parsing {source}: error converting YAML to JSON: yaml: line {line}: {problem}",
            line,
            column,
        ) from None
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        raise YamlError(f"error: error parsing {source}: {exc}") from None
    expanded = []
    for i, doc in enumerate(docs):
        _check_json(doc)
        if not isinstance(doc, dict):
            raise YamlError(
                f"error: error parsing {source}: document {i + 1} is not a mapping (an object with "
                "apiVersion, kind and metadata)"
            )
        if doc.get("kind") == "List" and isinstance(doc.get("items"), list):
            expanded.extend(doc["items"])
        else:
            expanded.append(doc)
    docs = expanded
    if len(docs) > MAX_DOCUMENTS:
        raise YamlError(f"error: too many objects: the simulator accepts at most {MAX_DOCUMENTS} per command")
    for doc in docs:
        if not isinstance(doc, dict):
            raise YamlError(f"error: error parsing {source}: every item must be an object")
        missing = [f for f in ("apiVersion", "kind") if not doc.get(f)]
        if missing:
            raise YamlError(
                f'error: error validating "{source}": error validating data: [{", ".join(f"{m} not set" for m in missing)}]; '
                "if you choose to ignore these errors, turn validation off with --validate=false"
            )
        if not isinstance(doc.get("metadata"), dict):
            raise YamlError(
                f'error: error validating "{source}": error validating data: ValidationError(metadata): '
                'missing required field "metadata"'
            )
    return docs
