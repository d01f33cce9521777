"""The visualizer websocket protocol: message types, version, and the parse/build helpers.

One source of truth, mirrored by the "Visualizer" part of `docs/protocol.md` (one heading per type) and by
`static/js/visualizer/protocol.js`; a test checks that the three list the same types. Every frame is a
JSON object `{"v": VERSION, "type": ..., ...fields}`. Incoming frames are validated here (size, JSON, type,
the exact set of fields and their types), so the consumer only sees well-formed messages; anything else
becomes an `error` frame, never a closed socket.
"""

from __future__ import annotations

from visualizer.engine.yaml_input import MAX_BYTES
from wscodec import FrameError, decode, encode

VERSION = 1
MAX_STDIN = MAX_BYTES  # the engine's limit on YAML per command, which the page checks before sending
# A YAML apply carries up to MAX_STDIN (64 KiB, the engine's own limit, which the page checks first with the
# engine's words) inside a JSON string, where `"`, `\\`, newlines and tabs take two characters each: twice
# that plus a 4096-character command (also escaped) and the envelope always fits.
MAX_FRAME = 144 * 1024
SPEEDS = (0.5, 1.0, 2.0, 4.0, 8.0)

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


ProtocolError = FrameError


def parse(text: object) -> tuple[str, dict]:
    """Return (type, fields) of a valid incoming frame; raise ProtocolError otherwise."""
    kind, data = decode(
        text,
        version=VERSION,
        max_frame=MAX_FRAME,
        schemas=CLIENT_TYPES,
        too_large=f"메시지가 너무 큽니다 (최대 {MAX_FRAME // 1024} KiB).",
    )
    if kind == "control":
        _check_control(data)
    return kind, data


def _check_control(data: dict) -> None:
    action, value = data["action"], data["value"]
    if action not in CONTROL_ACTIONS:
        raise ProtocolError("bad_fields", f"control.action 은 {sorted(CONTROL_ACTIONS)} 중 하나여야 합니다.")
    if action == "speed" and value not in SPEEDS:
        raise ProtocolError(
            "bad_fields", f"속도는 {', '.join(f'{s:g}×' for s in SPEEDS)} 중 하나여야 합니다."
        )


def build(kind: str, **fields: object) -> str:
    """Return the serialised server frame of `kind` (text, so a broadcast never re-serialises it)."""
    if kind not in SERVER_TYPES:
        raise ValueError(f"not a server message type: {kind}")
    return encode(VERSION, kind, fields)


def error(code: str, message: str, ref: object = None) -> str:
    """Return an `error` frame; `ref` echoes the id of the request it answers, if any."""
    return build("error", code=code, message=message, ref=ref)
