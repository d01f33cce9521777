"""The classroom websocket protocol: message types, version, and the parse/build helpers.

One source of truth, mirrored by `docs/protocol.md` (one heading per type) and
`static/js/classroom/protocol.js`; a test checks the three list the same types. Every frame is a JSON
object `{"v": VERSION, "type": ..., ...fields}`. Incoming frames are validated here — size, JSON, type, the
exact set of fields and their types — so consumers only ever see well-formed messages; anything else becomes
an `error` frame, never a closed socket.
"""

from wscodec import ANY, FrameError, decode, encode

VERSION = 1
# Characters. A YAML answer (4,000) fits with room to spare; so does a pair's Yjs update in base64 (at most
# pair_doc.UPDATE_MAX_BYTES = 48,000 bytes → 64,000 characters), e.g. a whole offline session's edits.
MAX_FRAME = 66_000

_ANY = ANY
_INT_OR_NULL = (int, type(None))

# Sent by a student's page.
STUDENT_TYPES: dict[str, dict[str, object]] = {
    "answer": {"question": str, "response": _ANY, "round": int},
    # Co-editing the pair's answer (course/classroom/pair_doc.py): Yjs updates and state vectors, base64.
    "pair.sync": {"pair": int, "state_vector": str},
    "pair.update": {"pair": int, "update": str, "id": int},
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
    "roster.rename": {"student": int, "nickname": str},
    "roster.remove": {"student": int},
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
    "pair.sync",
    "pair.update",
    "pair.ack",
    "board",
    "spotlight",
    "chart",
    "discussion",
    "checklist",
    "predict",
    "predict.voted",
    "ended",
    "renamed",
    "removed",
)


ProtocolError = FrameError


def parse(text, *, staff: bool) -> tuple[str, dict]:
    """Return (type, fields) of a valid incoming frame; raise ProtocolError otherwise."""
    return decode(
        text,
        version=VERSION,
        max_frame=MAX_FRAME,
        schemas=STAFF_TYPES if staff else STUDENT_TYPES,
        too_large=f"메시지가 너무 큽니다 (최대 {MAX_FRAME}자).",
    )


def build(kind: str, **fields) -> str:
    """Return the serialised server frame of `kind` (text, so a group broadcast never re-serialises it)."""
    if kind not in SERVER_TYPES:
        raise ValueError(f"not a server message type: {kind}")
    return encode(VERSION, kind, fields)


def error(code: str, message: str, ref: object = None, retry_after: int | None = None) -> str:
    """Return an `error` frame; `ref` echoes the refused frame's `id` when it had one (pair.update);
    `retry_after` (whole seconds) says when a frame refused for its rate may be sent again (`too_fast`)."""
    fields: dict[str, object] = {"code": code, "message": message}
    if ref is not None:
        fields["ref"] = ref
    if retry_after is not None:
        fields["retry_after"] = retry_after
    return build("error", **fields)
