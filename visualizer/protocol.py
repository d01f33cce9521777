"""The visualizer websocket protocol: message types, version, and the parse/build helpers.

One source of truth, mirrored by the "Visualizer" part of `docs/protocol.md` (one heading per type) and by
`static/js/visualizer/protocol.js`; a test checks that the three list the same types. Every frame is a
JSON object `{"v": VERSION, "type": ..., ...fields}`. Incoming frames are validated here (size, JSON, type,
the exact set of fields and their types), so the consumer only sees well-formed messages; anything else
becomes an `error` frame, never a closed socket.
"""

from __future__ import annotations

import json

VERSION = 1
# A YAML apply may carry 64 KiB of YAML (the engine's own limit) plus the JSON around it.
MAX_FRAME = 72 * 1024
SPEEDS = (0.5, 1.0, 2.0, 4.0, 8.0)

_ANY = object()
_ID = (int, str)
_STR_OR_NULL = (str, type(None))
_NUM_OR_NULL = (int, float, type(None))

# Sent by a page. Commands and controls need the "control" role; the rest are open to every viewer.
CLIENT_TYPES: dict[str, dict[str, object]] = {
    "command": {"id": _ID, "text": str, "stdin": _STR_OR_NULL},
    "control": {"action": str, "value": _NUM_OR_NULL},
    "complete": {"id": _ID, "prefix": str},
    "resync": {},
    "scenario.start": {"scenario": str},
    "scenario.stop": {},
    "ping": {},
}
CONTROL_ONLY = {"command", "control", "scenario.start", "scenario.stop"}
CONTROL_ACTIONS = {"pause", "play", "step", "speed", "reset"}

# Sent by the server.
SERVER_TYPES = (
    "snapshot",
    "diff",
    "clock",
    "result",
    "completions",
    "scenario",
    "error",
    "pong",
)


class ProtocolError(Exception):
    """A frame the server refuses; `code` is stable for clients, `message` is Korean for people."""

    def __init__(self, code: str, message: str, ref: object = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.ref = ref


def parse(text: object) -> tuple[str, dict]:
    """Return (type, fields) of a valid incoming frame; raise ProtocolError otherwise."""
    if not isinstance(text, str):
        raise ProtocolError("binary", "텍스트 프레임만 받습니다.")
    if len(text) > MAX_FRAME:
        raise ProtocolError("too_large", f"메시지가 너무 큽니다 (최대 {MAX_FRAME // 1024} KiB).")
    try:
        data = json.loads(text)
    except ValueError:
        raise ProtocolError("bad_json", "JSON 형식이 아닙니다.") from None
    if not isinstance(data, dict):
        raise ProtocolError("bad_frame", "메시지는 JSON 객체여야 합니다.")
    kind = data.pop("type", None)
    version = data.pop("v", VERSION)
    ref = data.get("id")
    if version != VERSION:
        raise ProtocolError("version", f"프로토콜 버전 {VERSION}만 지원합니다. 페이지를 새로고침하세요.", ref)
    schema = CLIENT_TYPES.get(kind) if isinstance(kind, str) else None
    if schema is None:
        raise ProtocolError("unknown_type", f"알 수 없는 메시지 유형입니다: {str(kind)[:40]}", ref)
    if set(data) != set(schema):
        raise ProtocolError("bad_fields", f"{kind}: 필드는 {sorted(schema)}이어야 합니다.", ref)
    for name, expected in schema.items():
        value = data[name]
        if expected is _ANY:
            continue
        if isinstance(value, bool) or not isinstance(value, expected):
            raise ProtocolError("bad_fields", f"{kind}.{name}의 형식이 올바르지 않습니다.", ref)
    if kind == "control":
        _check_control(data)
    return kind, data


def _check_control(data: dict) -> None:
    action, value = data["action"], data["value"]
    if action not in CONTROL_ACTIONS:
        raise ProtocolError("bad_fields", f"control.action 은 {sorted(CONTROL_ACTIONS)} 중 하나여야 합니다.")
    if action == "speed" and value not in SPEEDS:
        raise ProtocolError("bad_fields", f"속도는 {', '.join(f'{s:g}×' for s in SPEEDS)} 중 하나여야 합니다.")


def build(kind: str, **fields: object) -> str:
    """Return the serialised server frame of `kind` (text, so a broadcast never re-serialises it)."""
    if kind not in SERVER_TYPES:
        raise ValueError(f"not a server message type: {kind}")
    return json.dumps({"v": VERSION, "type": kind, **fields}, ensure_ascii=False, separators=(",", ":"))


def error(code: str, message: str, ref: object = None) -> str:
    """Return an `error` frame; `ref` echoes the id of the request it answers, if any."""
    return build("error", code=code, message=message, ref=ref)
