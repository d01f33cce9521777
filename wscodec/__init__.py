"""The websocket envelope both apps speak: `{"v": VERSION, "type": ..., ...fields}` as JSON text.

Each app's protocol module (course/classroom/protocol.py, visualizer/protocol.py) declares its message
types as schemas and calls `decode` and `encode` here, so the checks every frame goes through (text, size,
JSON object, version, known type, exactly the declared fields with their types) are written once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

ANY = object()  # a field whose content the app checks itself


class FrameError(Exception):
    """A frame the server refuses; `code` is stable for clients, `message` is Korean for people."""

    def __init__(self, code: str, message: str, ref: object = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.ref = ref


def decode(
    text: object, *, version: int, max_frame: int, too_large: str, schemas: Mapping[str, Mapping[str, object]]
) -> tuple[str, dict]:
    """Return (type, fields) of a valid frame under `schemas`; raise FrameError otherwise.

    `ref` on the error echoes the frame's `id`, when it has one, so a client knows which request failed.
    """
    if not isinstance(text, str):
        raise FrameError("binary", "텍스트 프레임만 받습니다.")
    if len(text) > max_frame:
        raise FrameError("too_large", too_large)
    try:
        data = json.loads(text)
    except ValueError:
        raise FrameError("bad_json", "JSON 형식이 아닙니다.") from None
    if not isinstance(data, dict):
        raise FrameError("bad_frame", "메시지는 JSON 객체여야 합니다.")
    kind = data.pop("type", None)
    sent_version = data.pop("v", version)
    ref = data.get("id")
    if isinstance(ref, bool) or not isinstance(ref, int | str):
        ref = None
    if sent_version != version:
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
