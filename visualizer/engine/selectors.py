"""Label and field selectors as kube-apiserver parses, checks and matches them (pure; no web framework).

The console's `-l` / `--field-selector` and the REST face's `labelSelector` / `fieldSelector`
(visualizer.kubeapi.selectors `matcher`) share these functions; parse errors are ValueError carrying the real
server's message:

- label selectors: apimachinery pkg/labels/selector.go (`Lexer`, `Parser`, `NewRequirement`, key and value
  checks of pkg/util/validation/validation.go `IsQualifiedName`, `IsValidLabelValue`); e.g.
  `found '=', expected: ',' or 'end of string'` or `unable to parse requirement: <nil>: Invalid value: "-x": …`.
- field selectors: apimachinery pkg/fields/selector.go (`splitTerms`, `splitTerm`, `UnescapeValue`), then
  each label through the kind's field-label conversion (kubernetes pkg/apis/core/v1/conversion.go,
  pkg/apis/events/v1/conversion.go, pkg/apis/batch/v1/conversion.go; apimachinery pkg/runtime/conversion.go
  `DefaultMetaV1FieldSelectorConversion` for kinds without one, e.g. everything in `apps`) and matched against
  the registry's selectable fields (pkg/registry/core/*/strategy.go `…ToSelectableFields`): an unset bool
  reads `false`, an unset count `0`, an unset string "".

kubectl adds its own `Unable to find "…" that match label selector …: ` in front of these messages
(cli-runtime pkg/resource/selector.go `EnhanceListError`), so the server's message is the bare parser error;
`kubectl_message` builds that line for the console.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

Requirement = tuple[str, str, list[str]]  # (key, operator, values) as objects.matches reads them

# ----------------------------------------------------------------------------------------- validation text
_QNAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_QNAME_MSG = (
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
    "character"
)
_QNAME = re.compile(f"^{_QNAME_FMT}$")
_DNS1123_FMT = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
_DNS1123_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
    "start and end with an alphanumeric character"
)
_DNS1123 = re.compile(f"^{_DNS1123_FMT}$")
_VALUE_FMT = f"({_QNAME_FMT})?"
_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
    "start and end with an alphanumeric character"
)
_VALUE = re.compile(f"^{_VALUE_FMT}$")


def _regex_error(msg: str, fmt: str, *examples: str) -> str:
    """validation.go `RegexError` (its double space after each example's comma included)."""
    text = msg + " (e.g. "
    for i, ex in enumerate(examples):
        if i:
            text += " or "
        text += f"'{ex}', "
    return text + f"regex used for validation is '{fmt}')"


def _go_quote(value: str) -> str:
    """Go's `%q` for the plain strings a selector can hold."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def qualified_name_errors(value: str) -> list[str]:
    """validation.go `IsQualifiedName`: the problems of a label key (empty list when valid)."""
    errs: list[str] = []
    parts = value.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errs.append("prefix part must be non-empty")
        else:
            if len(prefix) > 253:
                errs.append("prefix part must be no more than 253 characters")
            if not _DNS1123.match(prefix):
                errs.append("prefix part " + _regex_error(_DNS1123_MSG, _DNS1123_FMT, "example.com"))
    else:
        return [
            "a qualified name "
            + _regex_error(_QNAME_MSG, _QNAME_FMT, "MyName", "my.name", "123-abc")
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]
    if not name:
        errs.append("name part must be non-empty")
    elif len(name) > 63:
        errs.append("name part must be no more than 63 characters")
    if not _QNAME.match(name):
        errs.append("name part " + _regex_error(_QNAME_MSG, _QNAME_FMT, "MyName", "my.name", "123-abc"))
    return errs


def label_value_errors(value: str) -> list[str]:
    """validation.go `IsValidLabelValue`: the problems of a label value (empty list when valid)."""
    errs = []
    if len(value) > 63:
        errs.append("must be no more than 63 characters")
    if not _VALUE.match(value):
        errs.append(_regex_error(_VALUE_MSG, _VALUE_FMT, "MyValue", "my_value", "12345"))
    return errs


# ------------------------------------------------------------------------------------------ label lexer
_ERROR, _EOS, _CLOSE, _COMMA, _NOT, _DEQ, _EQ, _GT, _ID, _IN, _LT, _NEQ, _NOTIN, _OPEN = range(14)
_TOKENS = {
    ")": _CLOSE,
    ",": _COMMA,
    "!": _NOT,
    "==": _DEQ,
    "=": _EQ,
    ">": _GT,
    "in": _IN,
    "<": _LT,
    "!=": _NEQ,
    "notin": _NOTIN,
    "(": _OPEN,
}
_SPECIAL = set("=!(),><")
_SPACE = set(" \t\r\n")
_BINARY_OPS = ["in", "notin", "=", "==", "!=", "gt", "lt"]
_OPS = {_IN: "In", _EQ: "=", _DEQ: "==", _GT: "Gt", _LT: "Lt", _NOTIN: "NotIn", _NEQ: "!="}


def _lex(text: str) -> list[tuple[int, str]]:
    """selector.go `Lexer.Lex` run to the end: the (token, literal) items the parser reads."""
    items, pos, n = [], 0, len(text)
    while True:
        while pos < n and text[pos] in _SPACE:
            pos += 1
        if pos >= n:
            items.append((_EOS, ""))
            return items
        if text[pos] in _SPECIAL:
            buf, last = "", None
            while pos < n and text[pos] in _SPECIAL:
                buf += text[pos]
                if buf in _TOKENS:
                    last = (_TOKENS[buf], buf)
                    pos += 1
                elif last is not None:
                    break
                else:
                    pos += 1
            items.append(last or (_ERROR, f"error expected: keyword found '{buf}'"))
            continue
        start = pos
        while pos < n and text[pos] not in _SPECIAL and text[pos] not in _SPACE:
            pos += 1
        word = text[start:pos]
        items.append((_TOKENS.get(word, _ID), word))


class _Parser:
    """selector.go `Parser`: recursive descent over the lexed items."""

    def __init__(self, text: str):
        self.items = _lex(text)
        self.pos = 0

    def _look(self, values: bool) -> tuple[int, str]:
        tok, lit = self.items[self.pos]
        return (_ID if values and tok in (_IN, _NOTIN) else tok), lit

    def _take(self, values: bool) -> tuple[int, str]:
        item = self._look(values)
        self.pos += 1
        return item

    def parse(self) -> list[Requirement]:
        reqs: list[Requirement] = []
        while True:
            tok, lit = self._look(True)
            if tok in (_ID, _NOT):
                try:
                    reqs.append(self._requirement())
                except ValueError as err:
                    raise ValueError(f"unable to parse requirement: {err}") from None
                t, lit2 = self._take(True)
                if t == _EOS:
                    return reqs
                if t == _COMMA:
                    t2, lit3 = self._look(True)
                    if t2 not in (_ID, _NOT):
                        raise ValueError(f"found '{lit3}', expected: identifier after ','")
                else:
                    raise ValueError(f"found '{lit2}', expected: ',' or 'end of string'")
            elif tok == _EOS:
                return reqs
            else:
                raise ValueError(f"found '{lit}', expected: !, identifier, or 'end of string'")

    def _requirement(self) -> Requirement:
        tok, lit = self._take(True)
        op = None
        if tok == _NOT:
            op = "DoesNotExist"
            tok, lit = self._take(True)
        if tok != _ID:
            raise ValueError(f"found '{lit}', expected: identifier")
        key = lit
        errs = qualified_name_errors(key)
        if errs:
            raise ValueError(f"<nil>: Invalid value: {_go_quote(key)}: {'; '.join(errs)}")
        if self._look(True)[0] in (_EOS, _COMMA):
            return (key, op or "Exists", [])
        if op == "DoesNotExist":
            return (key, op, [])
        tok, lit = self._take(False)
        if tok not in _OPS:
            raise ValueError(f"found '{lit}', expected: {', '.join(_BINARY_OPS)}")
        op = _OPS[tok]
        values = self._set_values() if op in ("In", "NotIn") else self._exact_value()
        return _new_requirement(key, op, sorted(values))

    def _set_values(self) -> set[str]:
        tok, lit = self._take(True)
        if tok != _OPEN:
            raise ValueError(f"found '{lit}' expected: '('")
        tok, lit = self._look(True)
        if tok in (_ID, _COMMA):
            values = self._identifiers()
            if self._take(True)[0] != _CLOSE:
                raise ValueError(f"found '{lit}', expected: ')'")
            return values
        if tok == _CLOSE:
            self._take(True)
            return {""}
        raise ValueError(f"found '{lit}', expected: ',', ')' or identifier")

    def _identifiers(self) -> set[str]:
        values: set[str] = set()
        while True:
            tok, lit = self._take(True)
            if tok == _ID:
                values.add(lit)
                tok2, lit2 = self._look(True)
                if tok2 == _COMMA:
                    continue
                if tok2 == _CLOSE:
                    return values
                raise ValueError(f"found '{lit2}', expected: ',' or ')'")
            if tok == _COMMA:
                if not values:
                    values.add("")
                tok2 = self._look(True)[0]
                if tok2 == _CLOSE:
                    values.add("")
                    return values
                if tok2 == _COMMA:
                    self._take(True)
                    values.add("")
                continue
            raise ValueError(f"found '{lit}', expected: ',', or identifier")

    def _exact_value(self) -> set[str]:
        tok, _ = self._look(True)
        if tok in (_EOS, _COMMA):
            return {""}
        tok, lit = self._take(True)
        if tok == _ID:
            return {lit}
        raise ValueError(f"found '{lit}', expected: identifier")


def _new_requirement(key: str, op: str, values: list[str]) -> Requirement:
    """selector.go `NewRequirement`'s value checks (the key was checked while parsing)."""
    errs = []
    if op in ("Gt", "Lt"):
        for i, v in enumerate(values):
            if not re.fullmatch(r"[+-]?[0-9]+", v):
                errs.append(
                    f"values[{i}]: Invalid value: {_go_quote(v)}: for 'Gt', 'Lt' operators, the value must be an "
                    "integer"
                )
    for i, v in enumerate(values):
        problems = label_value_errors(v)
        if problems:
            errs.append(f"values[{i}][{key}]: Invalid value: {_go_quote(v)}: {'; '.join(problems)}")
    if errs:
        raise ValueError(errs[0] if len(errs) == 1 else "[" + ", ".join(errs) + "]")
    return (key, op, values)


def parse_label_selector(text: str) -> list[Requirement]:
    """Returns the requirements of a `labelSelector` (operators `=`, `==`, `!=`, `In`, `NotIn`, `Exists`,
    `DoesNotExist`, `Gt`, `Lt`); raises ValueError with labels.Parse's message when malformed."""
    return sorted(_Parser(text).parse(), key=lambda r: r[0])


def normalized(reqs: list[Requirement]) -> list[Requirement]:
    """Returns requirements with `=`/`==` as `In` and `!=` as `NotIn` (the form objects.matches reads)."""
    return [(k, {"=": "In", "==": "In", "!=": "NotIn"}.get(op, op), v) for k, op, v in reqs]


def labels_match(reqs: list[Requirement], labels: dict | None) -> bool:
    """Returns True when `labels` satisfy every requirement (selector.go `Requirement.Matches`)."""
    from .objects import matches

    return matches(normalized(reqs), labels)


# ------------------------------------------------------------------------------------------ field rules
@dataclass(frozen=True)
class _Path:
    path: str
    kind: str = "str"  # "str", "bool" (unset reads false) or "int" (unset reads 0)
    fallback: str = ""  # a second path read when the first is empty (core Event `source`)


@dataclass(frozen=True)
class _Rules:
    accepted: dict[str, str]  # the client's label → the canonical label
    paths: dict[str, _Path] = field(default_factory=dict)  # canonical label → where its value is
    reject: str = "field label not supported: {label}"


def _rules(namespaced: bool, accepted=(), aliases=None, paths=None, reject=None) -> _Rules:
    acc = {"metadata.name": "metadata.name"}
    if namespaced:
        acc["metadata.namespace"] = "metadata.namespace"
    acc.update({label: label for label in accepted})
    acc.update(aliases or {})
    return _Rules(acc, dict(paths or {}), reject or "field label not supported: {label}")


_METADATA_ONLY = _Rules(
    {"metadata.name": "metadata.name", "metadata.namespace": "metadata.namespace"},
    {},
    '"{label}" is not a known field selector: only "metadata.name", "metadata.namespace"',
)
_EVENT_FIELDS = ("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath")

FIELD_RULES: dict[tuple[str, str], _Rules] = {
    ("", "pods"): _rules(
        True,
        (
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "spec.hostNetwork",
            "status.phase",
            "status.podIP",
            "status.podIPs",
            "status.nominatedNodeName",
        ),
        {"spec.host": "spec.nodeName"},
        {"spec.hostNetwork": _Path("spec.hostNetwork", "bool"), "status.podIPs": _Path("-")},
    ),
    ("", "nodes"): _rules(False, ("spec.unschedulable",), None, {"spec.unschedulable": _Path("", "bool")}),
    ("", "namespaces"): _rules(False, ("status.phase",)),
    ("", "secrets"): _rules(True, ("type",)),
    ("", "services"): _rules(True, ("spec.clusterIP", "spec.type")),
    ("", "replicationcontrollers"): _rules(
        True, ("status.replicas",), None, {"status.replicas": _Path("status.replicas", "int")}
    ),
    ("", "events"): _rules(
        True,
        tuple(f"involvedObject.{f}" for f in _EVENT_FIELDS)
        + ("reason", "reportingComponent", "source", "type"),
        None,
        {"source": _Path("source.component", fallback="reportingComponent")},
    ),
    ("events.k8s.io", "events"): _rules(
        True,
        ("reason", "type"),
        {f"regarding.{f}": f"involvedObject.{f}" for f in _EVENT_FIELDS}
        | {"reportingController": "reportingComponent"},
        {f"involvedObject.{f}": _Path(f"regarding.{f}") for f in _EVENT_FIELDS}
        | {"reportingComponent": _Path("reportingController")},
    ),
    ("batch", "jobs"): _rules(
        True,
        ("status.successful",),
        None,
        {"status.successful": _Path("status.succeeded", "int")},
        'field label "{label}" not supported for Job',
    ),
}
# Node `spec.unschedulable` is read from its own path (the empty path above marks "same as the label").


def _dig(obj: dict, path: str):
    cur = obj
    for part in path.split("."):
        if not isinstance(cur, dict):
            return None
        cur = cur.get(part)
    return cur


def _field_value(obj: dict, label: str, spec: _Path | None) -> str:
    spec = spec or _Path(label)
    if spec.path == "-":  # accepted by the conversion but never selectable: always ""
        return ""
    value = _dig(obj, spec.path or label)
    if (value is None or value == "") and spec.fallback:
        value = _dig(obj, spec.fallback)
    if spec.kind == "bool":
        return "true" if value is True else "false"
    if spec.kind == "int":
        return str(value if isinstance(value, int) else 0)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None or isinstance(value, dict | list) else str(value)


def _split_terms(text: str) -> list[str]:
    terms, start, in_slash = [], 0, False
    for i, ch in enumerate(text):
        if in_slash:
            in_slash = False
        elif ch == "\\":
            in_slash = True
        elif ch == ",":
            terms.append(text[start:i])
            start = i + 1
    terms.append(text[start:])
    return terms


def _unescape(value: str) -> str:
    if not any(c in value for c in "\\,="):
        return value
    out, in_slash = [], False
    for ch in value:
        if in_slash:
            if ch not in "\\,=":
                raise ValueError(f"invalid field selector: invalid escape sequence: \\{ch}")
            out.append(ch)
            in_slash = False
        elif ch == "\\":
            in_slash = True
        elif ch in ",=":
            raise ValueError(f"invalid field selector: unescaped character in value: {ord(ch)}")
        else:
            out.append(ch)
    if in_slash:
        raise ValueError("invalid field selector: invalid escape sequence: \\")
    return "".join(out)


def parse_field_selector(text: str, group: str = "", plural: str = "") -> list[tuple[str, bool, str]]:
    """Returns the terms `(canonical label, negated, value)` of a `fieldSelector` for a resource; raises
    ValueError with fields.ParseSelector's or the field-label conversion's message."""
    rules = FIELD_RULES.get((group, plural), _METADATA_ONLY)
    terms = []
    for part in sorted(_split_terms(text)) if text else []:
        if not part:
            continue
        for i in range(len(part)):
            op = next((o for o in ("!=", "==", "=") if part.startswith(o, i)), None)
            if op:
                lhs, rhs = part[:i], part[i + len(op) :]
                break
        else:
            raise ValueError(f"invalid selector: '{text}'; can't understand '{part}'")
        value = _unescape(rhs)
        terms.append((lhs, op == "!=", value))
    out = []
    for lhs, negated, value in terms:
        canonical = rules.accepted.get(lhs)
        if canonical is None:
            raise ValueError(rules.reject.format(label=lhs))
        out.append((canonical, negated, value))
    return out


def fields_match(terms: list[tuple[str, bool, str]], obj: dict, group: str = "", plural: str = "") -> bool:
    """Returns True when the object's selectable fields satisfy every field term."""
    rules = FIELD_RULES.get((group, plural), _METADATA_ONLY)
    for label, negated, value in terms:
        if (_field_value(obj, label, rules.paths.get(label)) == value) == negated:
            return False
    return True


def kubectl_message(gvr: str, label_text: str, field_text: str, error: str) -> str:
    """Returns the line kubectl prints for a list the server refused with a selector error:
    `Error from server (BadRequest): Unable to find "/v1, Resource=pods" that match label selector "a=b=c",
    field selector "": found '=', …` (cli-runtime pkg/resource/selector.go)."""
    return (
        f'Error from server (BadRequest): Unable to find "{gvr}" that match label selector "{label_text}", '
        f'field selector "{field_text}": {error}'
    )
