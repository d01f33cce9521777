"""The websocket envelope both apps speak: `{"v": VERSION, "type": ..., ...fields}` as JSON text.

Each app's protocol module (course/classroom/protocol.py, visualizer/protocol.py) declares its message
types as schemas and calls `decode` and `encode` here, so the checks every frame goes through (text, size,
nesting, JSON, numbers, keys, text, version, known type, exactly the declared fields with their types) are
written once. Every refusal is a FrameError with a stable `code` (docs/protocol.md, "error"): nothing a client
sends raises anything else, so a consumer answers it with an `error` frame and keeps the socket open.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping

ANY = object()  # a field whose content the app checks itself

# The deepest JSON a frame may nest (the frame object is depth 1). The schemas need 2 at most (a classroom
# answer's list inside the frame object); two more levels let a wrongly typed field (an object where a string
# goes) get the clearer `bad_fields`. Deeper text is refused before it is parsed (`too_deep`).
MAX_DEPTH = 4
# JSON numbers a browser can hold exactly: JavaScript's Number.MAX_SAFE_INTEGER (ECMA-262 §21.1.2.6).
MAX_SAFE_INTEGER = 2**53 - 1

# A JSON string, or an unterminated one up to the end of the text: a match never fails once it has started, so
# blanking strings out stays linear even for 70,000 unterminated quotes (the JSON parser refuses those anyway).
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\\?\Z)', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class FrameError(Exception):
    """A frame the server refuses; `code` is stable for clients, `message` is Korean for people."""

    def __init__(self, code: str, message: str, ref: object = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.ref = ref


def nesting_exceeds(text: str, limit: int) -> bool:
    """Return whether JSON `text` nests arrays/objects deeper than `limit` levels, without parsing it.

    Linear in the text, and in C: strings are blanked out, everything but brackets is dropped, objects count
    as arrays, and each of `limit` passes removes the innermost `[]` pairs; a pair left after that is deeper
    than `limit`. (Unbalanced brackets are JSON's to refuse.) Most frames take the first shortcut: fewer
    opening brackets than `limit` cannot nest deeper.
    """
    if text.count("[") + text.count("{") <= limit:
        return False
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text)).replace("{", "[").replace("}", "]")
    for _ in range(limit):
        shorter = brackets.replace("[]", "")
        if len(shorter) == len(brackets):
            return False
        brackets = shorter
    return "[]" in brackets


def _int(digits: str) -> int:
    # Checked on the text first: Python refuses to convert more than 4,300 digits (a ValueError from deep
    # inside the parser), and a long number is refused before it costs a quadratic conversion.
    if len(digits.lstrip("-")) > 16 or abs(value := int(digits)) > MAX_SAFE_INTEGER:
        raise FrameError("bad_number", f"정수가 너무 큽니다 (최대 ±{MAX_SAFE_INTEGER}).")
    return value


def _float(text: str) -> float:
    value = float(text[:400]) if len(text) <= 400 else math.inf
    if not math.isfinite(value):
        raise FrameError("bad_number", "표현할 수 없는 숫자입니다 (유한한 배정밀도 실수만 받습니다).")
    return value


def _constant(name: str) -> float:
    raise FrameError("bad_number", f"JSON에는 {name} 값이 없습니다 (RFC 8259 §6).")


def _object(pairs: list[tuple[str, object]]) -> dict:
    data = dict(pairs)
    if len(data) != len(pairs):
        raise FrameError("duplicate_key", "같은 키가 두 번 나옵니다 (RFC 8259 §4: 키는 고유해야 합니다).")
    return data


def _has_lone_surrogate(value: object) -> bool:
    """Whether a parsed value holds a string that is not Unicode text (an unpaired `\\ud800` escape)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def loads(text: str, *, max_depth: int = MAX_DEPTH) -> object:
    """Parse one frame's JSON text strictly; raise FrameError (never another exception) when it is not valid.

    Refused: nesting deeper than `max_depth` (`too_deep`, checked before parsing), text that is not JSON
    (`bad_json`: empty, whitespace, syntax), numbers a browser cannot hold (`bad_number`: NaN, Infinity,
    1e999, integers beyond ±2^53−1), an object with a repeated key (`duplicate_key`; RFC 8259 §4 leaves its
    meaning open, so a reader may not guess), and strings with unpaired UTF-16 surrogates (`bad_text`: they
    cannot be sent back, saved or shown).
    """
    if nesting_exceeds(text, max_depth):
        raise FrameError("too_deep", f"JSON이 너무 깊게 중첩되어 있습니다 (최대 {max_depth}단계).")
    try:
        data = json.loads(
            text, parse_int=_int, parse_float=_float, parse_constant=_constant, object_pairs_hook=_object
        )
    except RecursionError:  # a nesting the scan let through (it never should): same answer, socket open
        raise FrameError("too_deep", f"JSON이 너무 깊게 중첩되어 있습니다 (최대 {max_depth}단계).") from None
    except ValueError:
        raise FrameError("bad_json", "JSON 형식이 아닙니다.") from None
    if _SURROGATE_ESCAPE.search(text) and _has_lone_surrogate(data):
        raise FrameError("bad_text", "문자열에 짝이 없는 UTF-16 대리 문자(\\ud800 등)가 있습니다.")
    return data


def decode(
    text: object,
    *,
    version: int,
    max_frame: int,
    too_large: str,
    schemas: Mapping[str, Mapping[str, object]],
    max_depth: int = MAX_DEPTH,
) -> tuple[str, dict]:
    """Return (type, fields) of a valid frame under `schemas`; raise FrameError otherwise.

    `text` is what the socket received (str for a text frame, bytes for a binary one); `max_frame` is in
    characters. `ref` on the error echoes the frame's `id`, when it has one, so a client knows which request
    failed. Codes: binary, too_large, too_deep, bad_json, bad_number, duplicate_key, bad_text, bad_frame,
    version, unknown_type, bad_fields.
    """
    if not isinstance(text, str):
        raise FrameError("binary", "텍스트 프레임만 받습니다.")
    if len(text) > max_frame:
        raise FrameError("too_large", too_large)
    data = loads(text, max_depth=max_depth)
    if not isinstance(data, dict):
        raise FrameError("bad_frame", "메시지는 JSON 객체여야 합니다.")
    kind = data.pop("type", None)
    sent_version = data.pop("v", version)
    ref = data.get("id")
    if isinstance(ref, bool) or not isinstance(ref, int | str):
        ref = None
    elif isinstance(ref, str):
        ref = ref[:64]
    if sent_version != version or isinstance(sent_version, bool):
        raise FrameError("version", f"프로토콜 버전 {version}만 지원합니다. 페이지를 새로고침하세요.", ref)
    schema = schemas.get(kind) if isinstance(kind, str) else None
    if schema is None:
        raise FrameError("unknown_type", f"알 수 없는 메시지 유형입니다: {str(kind)[:40]}", ref)
    if set(data) != set(schema):
        raise FrameError("bad_fields", f"{kind}: 필드는 {sorted(schema)}이어야 합니다.", ref)
    for name, expected in schema.items():
        value = data[name]
        if expected is ANY:
            continue
        # bool is an int in Python; a JSON true is never a valid number or id here.
        if (isinstance(value, bool) and expected is not bool) or not isinstance(value, expected):
            raise FrameError("bad_fields", f"{kind}.{name}의 형식이 올바르지 않습니다.", ref)
    return kind, data


def encode(version: int, kind: str, fields: Mapping[str, object]) -> str:
    """Return the compact JSON text of a frame (serialised once, shared by every recipient)."""
    return json.dumps({"v": version, "type": kind, **fields}, ensure_ascii=False, separators=(",", ":"))
