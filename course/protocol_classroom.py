"""The classroom websocket protocol: message types, version, and the parse/build helpers.

One source of truth, mirrored by `docs/protocol.md` (one heading per type) and
`static/js/classroom/protocol.js`; a test checks the three list the same types. Every frame is a JSON
object `{"v": VERSION, "type": ..., ...fields}`. Incoming frames are validated here — size, JSON, type, the
exact set of fields and their types — so consumers only ever see well-formed messages; anything else becomes
an `error` frame, never a closed socket.
"""

import json

VERSION = 1
MAX_FRAME = 16_000  # characters; a YAML answer (4,000) and pair text (500) fit with room to spare

_ANY = object()
_INT_OR_NULL = (int, type(None))

# Sent by a student's page.
STUDENT_TYPES: dict[str, dict[str, object]] = {
    "answer": {"question": str, "response": _ANY, "round": int},
    "pair.update": {"field": str, "value": _ANY},
    "predict.vote": {"prediction": str, "choice": int},
    "ping": {},
}
# Sent by the instructor's dashboard.
STAFF_TYPES: dict[str, dict[str, object]] = {
    "section.set": {"section": str},
    "live.open": {"question": str},
    "live.reveal": {},
    "live.revote": {},
    "live.close": {},
    "pairs.form": {},
    "discussion.start": {},
    "spotlight.set": {"pair": _INT_OR_NULL},
    "pair.hide": {"pair": int, "hidden": bool},
    "predict.open": {"prediction": str},
    "predict.play": {},
    "predict.close": {},
    "ping": {},
}
CLIENT_TYPES = sorted(set(STUDENT_TYPES) | set(STAFF_TYPES))

# Sent by the server.
SERVER_TYPES = (
    "hello",
    "error",
    "pong",
    "section",
    "answer.result",
    "results",
    "live",
    "roster",
    "pair",
    "board",
    "spotlight",
    "chart",
    "discussion",
    "checklist",
    "predict",
    "predict.voted",
)


class ProtocolError(Exception):
    """A frame the server refuses; `code` is stable for clients, `message` is Korean for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def parse(text, *, staff: bool) -> tuple[str, dict]:
    """Return (type, fields) of a valid incoming frame; raise ProtocolError otherwise."""
    if not isinstance(text, str):
        raise ProtocolError("binary", "텍스트 프레임만 받습니다.")
    if len(text) > MAX_FRAME:
        raise ProtocolError("too_large", f"메시지가 너무 큽니다 (최대 {MAX_FRAME}자).")
    try:
        data = json.loads(text)
    except ValueError:
        raise ProtocolError("bad_json", "JSON 형식이 아닙니다.") from None
    if not isinstance(data, dict):
        raise ProtocolError("bad_frame", "메시지는 JSON 객체여야 합니다.")
    kind = data.pop("type", None)
    version = data.pop("v", VERSION)
    if version != VERSION:
        raise ProtocolError("version", f"프로토콜 버전 {VERSION}만 지원합니다. 페이지를 새로고침하세요.")
    schema = (STAFF_TYPES if staff else STUDENT_TYPES).get(kind) if isinstance(kind, str) else None
    if schema is None:
        raise ProtocolError("unknown_type", f"알 수 없는 메시지 유형입니다: {str(kind)[:40]}")
    if set(data) != set(schema):
        raise ProtocolError("bad_fields", f"{kind}: 필드는 {sorted(schema)}이어야 합니다.")
    for name, expected in schema.items():
        value = data[name]
        if expected is _ANY:
            continue
        if isinstance(value, bool) and expected is not bool:
            raise ProtocolError("bad_fields", f"{kind}.{name}의 형식이 올바르지 않습니다.")
        if not isinstance(value, expected):
            raise ProtocolError("bad_fields", f"{kind}.{name}의 형식이 올바르지 않습니다.")
    return kind, data


def build(kind: str, **fields) -> str:
    """Return the serialised server frame of `kind` (text, so a group broadcast never re-serialises it)."""
    if kind not in SERVER_TYPES:
        raise ValueError(f"not a server message type: {kind}")
    return json.dumps({"v": VERSION, "type": kind, **fields}, ensure_ascii=False, separators=(",", ":"))


def error(code: str, message: str) -> str:
    return build("error", code=code, message=message)
