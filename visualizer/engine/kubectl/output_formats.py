"""kubectl's template printers: `-o jsonpath=TEMPLATE` and `-o custom-columns=HEADER:PATH,…`.

The JSONPath dialect is kubectl's own (client-go `util/jsonpath`, doc page
https://kubernetes.io/docs/reference/kubectl/jsonpath/), not RFC 9535: a template is text with `{…}` actions;
an action is a path (`.items[*].metadata.name`, `..image`, `['key']`, `[0]`, `[-1]`, `[1:3]`,
`[?(@.type=="Ready")]`), a quoted literal (`{"\\n"}`, `{"\\t"}`) or `{range PATH}…{end}`. Several results of
one action print separated by a space; strings print raw, other values as compact JSON. kubectl's printer
allows missing keys (`--allow-missing-template-keys=true`), so a missing field prints nothing.

custom-columns (kubectl `pkg/cmd/get/customcolumn.go`): `HEADER:PATH` pairs separated by commas; the path is
"relaxed" (`.metadata.name`, `metadata.name` and `{.metadata.name}` are equal); a missing value prints
`<none>`, several values are joined by `,`; columns are aligned by the same tabwriter as `get` tables.
"""

from __future__ import annotations

import json
import re

from . import printers
from .args import CommandError


class JsonPathError(CommandError):
    """A template kubectl refuses (unclosed action, bad filter); `str()` is kubectl's error line."""


# ------------------------------------------------------------------------------------------ parsing
def _split_template(template: str) -> list[tuple[str, str]]:
    """Returns [("text", s) | ("action", inside-braces)] for a template; raises JsonPathError."""
    parts: list[tuple[str, str]] = []
    i = 0
    while i < len(template):
        start = template.find("{", i)
        if start < 0:
            parts.append(("text", template[i:]))
            break
        if start > i:
            parts.append(("text", template[i:start]))
        depth, j, quote = 0, start, None
        while j < len(template):
            ch = template[j]
            if quote:
                if ch == "\\":
                    j += 1
                elif ch == quote:
                    quote = None
            elif ch in "\"'":
                quote = ch
            elif ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        if j >= len(template):
            raise JsonPathError(f"error: error parsing jsonpath {template}, unclosed action")
        parts.append(("action", template[start + 1 : j].strip()))
        i = j + 1
    return parts


_STEP = re.compile(
    r"""\.\.(?P<recursive>(?:[\w/-]|\\.)+|\*)
      | \.(?P<field>(?:[\w/-]|\\.)+|\*)
      | \[(?P<bracket>(?:[^\]'"]|'[^']*'|"[^"]*")*)\]
    """,
    re.VERBOSE,
)


def _parse_path(path: str) -> list[tuple[str, object]]:
    """Returns the steps of `.a[*].b..c[?(@.x=="y")]` as (kind, argument) pairs."""
    path = path.strip()
    if path.startswith(("$", "@")):
        path = path[1:]
    steps: list[tuple[str, object]] = []
    i = 0
    while i < len(path):
        m = _STEP.match(path, i)
        if not m:
            raise JsonPathError(f"error: error parsing jsonpath {{{path}}}, unrecognized character in action")
        # `kubernetes\.io/hostname`: an escaped dot belongs to the key (jsonpath page, "escape").
        if m.group("recursive") is not None:
            steps.append(("recursive", m.group("recursive").replace("\\.", ".")))
        elif m.group("field") is not None:
            steps.append(("field", m.group("field").replace("\\.", ".")))
        else:
            steps.append(_bracket(m.group("bracket"), path))
        i = m.end()
    return steps


def _bracket(text: str, path: str) -> tuple[str, object]:
    text = text.strip()
    if text == "*":
        return ("all", None)
    if text.startswith("?(") and text.endswith(")"):
        m = re.fullmatch(r"\s*(@[^\s=!<>]*)\s*(==|!=|<=|>=|<|>)?\s*(.*?)\s*", text[2:-1])
        if not m:
            raise JsonPathError(f"error: error parsing jsonpath {{{path}}}, invalid filter")
        return ("filter", (m.group(1), m.group(2), m.group(3)))
    if text[:1] in "'\"":
        keys = [k.strip()[1:-1] for k in text.split(",")]
        return ("keys", keys)
    if ":" in text:
        try:
            bounds = [int(b) if b.strip() else None for b in text.split(":")[:3]]
        except ValueError:
            raise JsonPathError(
                f"error: error parsing jsonpath {{{path}}}, invalid array index {text}"
            ) from None
        return ("slice", bounds)
    try:
        return ("index", int(text))
    except ValueError:
        raise JsonPathError(f"error: error parsing jsonpath {{{path}}}, invalid array index {text}") from None


# ------------------------------------------------------------------------------------------ evaluation
def _walk_all(value):
    yield value
    if isinstance(value, dict):
        for v in value.values():
            yield from _walk_all(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk_all(v)


def _literal(text: str):
    text = text.strip()
    if text[:1] in "'\"" and text[-1:] == text[:1]:
        return text[1:-1]
    try:
        return json.loads(text)
    except ValueError:
        return text


def _compare(left, op: str, right) -> bool:
    if isinstance(left, (int, float)) and isinstance(right, str):
        try:
            right = float(right)
        except ValueError:
            return False
    try:
        return {
            "==": left == right,
            "!=": left != right,
            "<": left < right,
            ">": left > right,
            "<=": left <= right,
            ">=": left >= right,
        }[op]
    except TypeError:
        return False


def evaluate(path: str, data) -> list:
    """Returns every value the path selects in data (missing keys select nothing)."""
    current = [data]
    for kind, arg in _parse_path(path):
        nxt = []
        if kind == "keys" and len(arg) > 1:
            # A union evaluates each member over every current value in turn (client-go evalUnion).
            for k in arg:
                nxt.extend(evaluate("." + k if "." in k else f"['{k}']", value) for value in current)
            current = [v for found in nxt for v in found]
            continue
        for value in current:
            if kind == "field":
                if arg == "*":
                    nxt.extend(
                        value.values()
                        if isinstance(value, dict)
                        else value
                        if isinstance(value, list)
                        else []
                    )
                elif isinstance(value, dict) and arg in value:
                    nxt.append(value[arg])
            elif kind == "recursive":
                for node in _walk_all(value):
                    if isinstance(node, dict) and (arg == "*" or arg in node):
                        nxt.extend(node.values() if arg == "*" else [node[arg]])
            elif kind == "keys":
                # ['metadata.name', 'status.capacity'] is a union of child paths (jsonpath page example).
                for k in arg:
                    if isinstance(value, dict) and k in value:
                        nxt.append(value[k])
                    elif "." in k:
                        nxt.extend(evaluate("." + k, value))
            elif kind == "all":
                nxt.extend(
                    value if isinstance(value, list) else value.values() if isinstance(value, dict) else []
                )
            elif kind == "index":
                if isinstance(value, list) and -len(value) <= arg < len(value):
                    nxt.append(value[arg])
            elif kind == "slice":
                if isinstance(value, list):
                    nxt.extend(value[slice(*arg)])
            elif kind == "filter":
                left_path, op, right = arg
                items = value if isinstance(value, list) else [value]
                for item in items:
                    found = evaluate(left_path, item) if left_path != "@" else [item]
                    if op is None:
                        if found:
                            nxt.append(item)
                    elif right.startswith("@"):
                        other = evaluate(right, item)
                        if found and other and _compare(found[0], op, other[0]):
                            nxt.append(item)
                    elif found and _compare(found[0], op, _literal(right)):
                        nxt.append(item)
        current = nxt
    return current


def _text(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "<nil>"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def _unescape(literal: str) -> str:
    """Returns a quoted template literal with Go's escapes (`\\n`, `\\t`, …) applied; raises JsonPathError."""
    try:
        return literal.encode("latin-1", "backslashreplace").decode("unicode_escape")
    except UnicodeDecodeError:
        raise JsonPathError(
            f'error: error parsing jsonpath "{literal}", invalid escape in string literal'
        ) from None


def jsonpath(template: str, data) -> str:
    """Returns the text of a kubectl JSONPath template over data; raises JsonPathError for a bad template."""
    parts = _split_template(template)
    out: list[str] = []

    def run(index: int, scope) -> int:
        while index < len(parts):
            kind, body = parts[index]
            if kind == "text":
                out.append(body)
            elif body == "end":
                return index
            elif body.startswith("range"):
                # client-go jsonpath parseInsideAction: the `range` prefix, a space optional (`{range.items[*]}`)
                items = evaluate(body[5:].strip(), scope)
                if len(items) == 1 and isinstance(items[0], list) and "[" not in body:
                    items = items[0]
                end = _matching_end(index)
                for item in items:
                    run(index + 1, item)
                index = end
            elif body[:1] in "\"'":
                out.append(_unescape(body[1:-1]))
            else:
                out.append(" ".join(_text(v) for v in evaluate(body, scope)))
            index += 1
        return index

    def _matching_end(index: int) -> int:
        depth = 0
        for j in range(index, len(parts)):
            kind, body = parts[j]
            if kind == "action" and body.startswith("range"):
                depth += 1
            elif kind == "action" and body == "end":
                depth -= 1
                if depth == 0:
                    return j
        raise JsonPathError(f"error: error parsing jsonpath {template}, unclosed range")

    run(0, data)
    return "".join(out)


# ------------------------------------------------------------------------------------------ printers
def _relaxed(path: str) -> str:
    """kubectl's RelaxedJSONPathExpression: `metadata.name` → `.metadata.name`, braces optional."""
    path = path.strip()
    if path.startswith("{") and path.endswith("}"):
        path = path[1:-1]
    if path and not path.startswith((".", "[")):
        path = "." + path
    return path


def go_sprint(value) -> str:
    """Returns Go's fmt.Sprint of a decoded JSON value: `map[a:1 b:x]` (sorted keys), `[a b]`, `true`, `<nil>`."""
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{go_sprint(value[k])}" for k in sorted(value)) + "]"
    if isinstance(value, list):
        return "[" + " ".join(go_sprint(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "<nil>"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def custom_columns(spec: str, objects: list[dict]) -> str:
    """Returns the `-o custom-columns=HEADER:PATH,…` table for objects."""
    columns = []
    for part in spec.split(","):
        header, colon, path = part.partition(":")
        if not colon or not header:
            raise CommandError("error: custom-columns format specified, but no custom columns given")
        columns.append((header, _relaxed(path)))
    rows = []
    for obj in objects:
        row = []
        for _, path in columns:
            values = evaluate(path, obj)
            # customcolumn.go: fmt.Sprint of each value, joined by commas; nothing found is `<none>`.
            row.append(",".join(go_sprint(v) for v in values) if values else "<none>")
        rows.append(row)
    return printers.table([h for h, _ in columns], rows)


def render(fmt: str, objects: list[dict], single: bool) -> str:
    """Prints objects with `jsonpath=…` or `custom-columns=…`; a list prints as `kind: List` for jsonpath."""
    name, eq, arg = fmt.partition("=")
    if name == "jsonpath" and eq:
        data = objects[0] if single and len(objects) == 1 else printers.as_list(objects)
        return jsonpath(arg, data)
    if name == "custom-columns" and eq:
        return custom_columns(arg, objects)
    if name in ("jsonpath", "custom-columns"):
        raise CommandError(f"error: {name} template format specified but no template given")
    raise CommandError(
        "error: the simulator prints -o yaml, json, name, wide, jsonpath=… and custom-columns=…; "
        f"go-template is not available (asked for {fmt})"
    )
