"""Decoding hostile JSON and YAML within bounds: nesting depth, number size, alias expansion.

A request body (API server) or a manifest (console `kubectl apply -f -`) is decoded here before anything walks
it, so that no input reaches Python's recursion limit or its 4,300-digit integer limit (both would surface as a
500 / "internal simulator error" instead of the 400 BadRequest kube-apiserver answers).

- **JSON depth.** Go's encoding/json (and sigs.k8s.io/json, its fork that apimachinery decodes with) refuses
  nesting deeper than 10,000 (`maxNestingDepth` in encoding/json scanner.go) with the SyntaxError
  `invalid character '[' exceeded max depth`. The simulator's own walkers are recursive, so it stops earlier,
  at MAX_DEPTH levels (no built-in kind nests deeper than about 20), with the same wording plus the limit.
- **JSON numbers.** Go decodes a number into an untyped value as int64 or float64 (apimachinery
  pkg/util/json `convertNumber`); a literal that fits neither (a 10,000-digit integer, `1e999`) is refused
  as `json: cannot unmarshal number 9999…(10000 digits) into Go value of type float64`. `NaN` and
  `Infinity` are not JSON at all (`invalid character 'N' looking for beginning of value`).
- **YAML** is read as go-yaml v2 reads it (gopkg.in/yaml.v2, which sigs.k8s.io/yaml converts to JSON with):
  flow and block nesting above 10,000 is `exceeded max depth of 10000` (scannerc.go `max_flow_level`,
  `max_indents`), here MAX_DEPTH; aliases are expanded but `document contains excessive aliasing` when the
  expansion outweighs the document (decode.go `allowedAliasRatio`); an integer beyond int64/uint64 becomes a
  float, and one beyond float64 (or written base 60, `1:20`) stays a string (resolve.go `resolve`).

Errors are DecodeLimitError (a ValueError) with the message and, where known, the 1-based line and column.
"""

from __future__ import annotations

import json
import math
import re
from itertools import accumulate
from typing import Any

import yaml

GO_MAX_DEPTH = 10_000  # encoding/json scanner.go maxNestingDepth; go-yaml v2 max_flow_level / max_indents
MAX_DEPTH = 100  # the simulator's own bound (its walkers recurse); real objects nest about 20 levels
_INT64 = (-(2**63), 2**64)  # go-yaml tries ParseInt then ParseUint (64 bits)
_TOKENS = re.compile(r'"(?:[^"\\]+|\\.)*"?|[\[\]{}]', re.S)
_STRINGS = re.compile(r'"(?:[^"\\]+|\\.)*"?', re.S)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_DELTA = {"[": 1, "{": 1, "]": -1, "}": -1}


class DecodeLimitError(ValueError):
    """A body refused while decoding: `message` (Go's wording), `line`/`column` 1-based or None."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


def _place(text: str, offset: int) -> tuple[int, int]:
    """Returns the 1-based (line, column) of a character offset."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _depth_error(text: str, offset: int, limit: int) -> DecodeLimitError:
    line, column = _place(text, offset)
    if limit >= GO_MAX_DEPTH:
        message = f"invalid character {text[offset]!r} exceeded max depth"
    else:
        message = (
            f"invalid character {text[offset]!r} exceeded max depth of {limit} "
            f"(the simulator's limit; Kubernetes allows {GO_MAX_DEPTH})"
        )
    return DecodeLimitError(message, line, column)


def check_json_depth(text: str, limit: int = MAX_DEPTH) -> None:
    """Raises DecodeLimitError when `[`/`{` nest deeper than `limit` outside strings (linear, no recursion).

    The message is Go's scanner error (`invalid character '[' exceeded max depth`), naming the simulator's limit
    when it is below Go's 10,000.
    """
    if text.count("[") + text.count("{") <= limit:
        return
    # Fast path in C (regex, map, accumulate): the deepest level outside strings; the loop below finds the place.
    brackets = _NOT_BRACKETS.sub("", _STRINGS.sub("", text))
    if max(accumulate(map(_DELTA.__getitem__, brackets)), default=0) <= limit:
        return
    depth, first = 0, None
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > GO_MAX_DEPTH:  # what kube-apiserver itself answers
                raise _depth_error(text, match.start(), GO_MAX_DEPTH)
            if depth > limit and first is None:
                first = match.start()
        elif token in "]}":
            depth -= 1
    if first is not None:
        raise _depth_error(text, first, limit)


def _number_error(literal: str) -> DecodeLimitError:
    shown = literal if len(literal) <= 24 else f"{literal[:20]}…({len(literal.lstrip('+-'))} digits)"
    return DecodeLimitError(f"json: cannot unmarshal number {shown} into Go value of type float64")


def _parse_int(literal: str):
    if len(literal) <= 20:
        return int(literal)
    if math.isinf(float(literal)):
        raise _number_error(literal)
    return int(literal) if len(literal) <= 400 else float(literal)


def _parse_float(literal: str) -> float:
    value = float(literal)
    if math.isinf(value):
        raise _number_error(literal)
    return value


def _parse_constant(name: str):
    if name.startswith("-"):
        raise DecodeLimitError("invalid character 'I' in numeric literal")
    raise DecodeLimitError(f"invalid character {name[0]!r} looking for beginning of value")


DECODER_HOOKS = {"parse_int": _parse_int, "parse_float": _parse_float, "parse_constant": _parse_constant}


def loads_json(data: bytes | str, limit: int = MAX_DEPTH) -> Any:
    """Returns a JSON document decoded within bounds.

    Raises UnicodeDecodeError (bytes not UTF-8), DecodeLimitError (too deep, a number beyond float64, NaN or
    Infinity) or json.JSONDecodeError (any other syntax error; callers word it as Go does).
    """
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    check_json_depth(text, limit)
    return json.loads(text, **DECODER_HOOKS)


# ---------------------------------------------------------------------------------------------- YAML
_GO_YAML_FLOAT = re.compile(
    r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$"
)  # resolve.go yamlStyleFloat


def _alias_ratio(decodes: int) -> float:
    """go-yaml v2 decode.go `allowedAliasRatio`: 99 % of decodes may come from aliases up to 400,000, then
    falling smoothly to 10 % at 4,000,000."""
    if decodes <= 400_000:
        return 0.99
    if decodes >= 4_000_000:
        return 0.10
    return 0.99 - 0.89 * ((decodes - 400_000) / 3_600_000)


def _yaml_too_deep(line: int, column: int, limit: int) -> DecodeLimitError:
    """go-yaml's scanner error (`yaml: line 3: exceeded max depth of 10000`; no line on the first line)."""
    where = f"line {line}: " if line > 1 else ""
    note = "" if limit >= GO_MAX_DEPTH else f" (the simulator's limit; Kubernetes allows {GO_MAX_DEPTH})"
    return DecodeLimitError(f"yaml: {where}exceeded max depth of {limit}{note}", line, column)


class GoYamlNumbers:
    """Constructors giving numbers the types go-yaml v2 gives them: a mixin for a SafeLoader subclass, which
    must then be passed to `use_go_yaml_numbers` (PyYAML looks constructors up in a per-class table)."""

    def construct_yaml_int(self, node):
        value = self.construct_scalar(node)
        plain = value.replace("_", "")
        if ":" in plain:
            return value  # go-yaml v2 reads no base-60 numbers
        if len(plain) <= 70:  # 64 binary digits, a sign and a prefix: anything longer is beyond 64 bits
            number = yaml.SafeLoader.construct_yaml_int(self, node)
            if _INT64[0] <= number < _INT64[1]:
                return number
        if _GO_YAML_FLOAT.match(plain):
            number = float(plain)
            if not math.isinf(number):
                return number
        return value

    def construct_yaml_float(self, node):
        value = self.construct_scalar(node)
        if ":" in value:
            return value
        number = yaml.SafeLoader.construct_yaml_float(self, node)
        if math.isinf(number) and "inf" not in value.lower():
            return value  # strconv.ParseFloat out of range: go-yaml keeps the text
        return number


def use_go_yaml_numbers(loader: type) -> type:
    """Registers GoYamlNumbers' int and float constructors on a GoYamlNumbers SafeLoader subclass; returns it."""
    loader.add_constructor("tag:yaml.org,2002:int", GoYamlNumbers.construct_yaml_int)
    loader.add_constructor("tag:yaml.org,2002:float", GoYamlNumbers.construct_yaml_float)
    return loader


class LimitedLoader(GoYamlNumbers, yaml.SafeLoader):
    """SafeLoader bounded as go-yaml v2 is: nesting at most `max_depth` (DecodeLimitError `exceeded max depth
    of N` at the node's line/column), alias expansion within go-yaml's ratio (`document contains excessive
    aliasing`), numbers as go-yaml types them."""

    max_depth = MAX_DEPTH

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0
        self._sizes: dict[int, int] = {}
        self._open: list[int] = []
        self._decodes = 0
        self._aliased = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            target = self.anchors.get(event.anchor)
            size = self._sizes.get(id(target), 1)
            self._decodes += 1 + size
            self._aliased += size
            if self._open:
                self._open[-1] += 1 + size
            if (
                self._aliased > 100
                and self._decodes > 1000
                and self._aliased / self._decodes > _alias_ratio(self._decodes)
            ):
                mark = event.start_mark
                raise DecodeLimitError(
                    "yaml: document contains excessive aliasing", mark.line + 1, mark.column + 1
                )
            return super().compose_node(parent, index)
        if self.check_event(yaml.ScalarEvent):  # depth counts collections, as JSON's and go-yaml's do
            self._decodes += 1
            if self._open:
                self._open[-1] += 1
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > self.max_depth:
            mark = self.peek_event().start_mark
            raise _yaml_too_deep(mark.line + 1, mark.column + 1, self.max_depth)
        self._open.append(0)
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
            inner = self._open.pop()
        self._decodes += 1
        self._sizes[id(node)] = inner + 1
        if self._open:
            self._open[-1] += inner + 1
        return node


use_go_yaml_numbers(LimitedLoader)


def _flow_prescan(text: str) -> None:
    """Raises DecodeLimitError when `[`/`{` nest deeper than go-yaml's 10,000 (its own message, as
    kube-apiserver answers); the composer enforces the simulator's smaller bound exactly. Quoted text and
    comments are skipped. Linear; run only when the text holds more than 10,000 openers."""
    depth, quote, comment, prev = 0, None, False, "\n"
    for offset, ch in enumerate(text):
        if ch == "\n":
            comment = False
        elif comment:
            pass
        elif quote:
            if ch == quote and not (quote == '"' and prev == "\\"):
                quote = None
        elif ch in "'\"" and prev in " \t\n[{,:":
            quote = ch
        elif ch == "#" and prev in " \t\n":
            comment = True
        elif ch in "[{":
            depth += 1
            if depth > GO_MAX_DEPTH:
                raise _yaml_too_deep(*_place(text, offset), GO_MAX_DEPTH)
        elif ch in "]}":
            depth = max(0, depth - 1)
        prev = ch


def load_yaml(data: bytes | str, limit: int = MAX_DEPTH) -> Any:
    """Returns the single YAML document of `data` decoded within bounds (yaml.safe_load's contract).

    Raises UnicodeDecodeError, DecodeLimitError (too deep, excessive aliasing) or yaml.YAMLError (syntax).
    """
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    if text.count("[") + text.count("{") > GO_MAX_DEPTH:
        _flow_prescan(text)
    loader = LimitedLoader(text)
    loader.max_depth = limit
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()
