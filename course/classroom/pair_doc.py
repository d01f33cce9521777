"""A pair's shared answer as a Yjs document (CRDT), merged on the server with pycrdt.

Partners edit the same answer at the same time, on laptops and phones, sometimes offline: every browser keeps
a Yjs document (static/js/classroom/pair.js) and sends its changes as Yjs updates (binary, v1 encoding,
base64 on the wire). The server applies them here to the pair's stored document (`Pair.ydoc`), so two
partners typing in one field at once both keep every character, whatever order the updates arrive in.

The document has one root per prompt of the class's lesson's discussion (course.classroom.discussion, which
names them; pair.js reads the names from the page):

- `features`: a Y.Array of choice keys (the "choose K of M" prompt, if the lesson has one). A pick appends its
  key; an unpick deletes its entries.
- one Y.Text per other prompt: `practice` / `automation` for prompts 2 / 3 (the names they had when the
  discussion was written for the first lesson only), `prompt-N` otherwise.

Without a discussion (`discussion=None`) the document has the first lesson's shape (course.classroom.features):
the picker of its 8 features and the two texts.

The plain answer of `Pair` is derived from the document after every change (`derive`): `Pair.answers` by
prompt number, and the columns features / practice / automation mirroring the roots of those names. The share
board, the projector, the spotlight, the class chart and the CSV export read them.

Limits (PAIR_TEXT_MAX characters per text, the picker's pick limit) hold after every merge. A single update
can't break them — browsers never produce one that does — so one that would is refused (`Refused`), as are
updates that can't be decoded, are too large, put the wrong types in the document or depend on changes the
server never received; a refused update changes nothing. A root the discussion does not name is refused,
unless the stored document already has it (a lesson re-imported with fewer prompts must not lock a pair out). Two partners' updates that are fine alone can exceed a limit together (both pick a third
feature at once; both type into a nearly full text). That merge is resolved deterministically by the server
with an edit of its own (`Applied.fix`, sent to the partners like any update): only the first PICK distinct
picks in the array's order are kept — the order Yjs gives concurrent inserts, the same on every replica — and
a text keeps its first PAIR_TEXT_MAX characters. `Applied.notice` says what was removed, in Korean.

pycrdt indexes Text by UTF-8 byte (Yjs in the browser by UTF-16 unit); only the server's trim uses an
index here, computed from the code-point prefix.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field

from pycrdt import Array, Doc, Map, Text, merge_updates

from course.classroom import features as feature_catalog
from course.classroom.discussion import PICK_ROOT, Discussion
from course.models.classroom import PAIR_TEXT_MAX

TEXT_ROOTS = ("practice", "automation")
FEATURES_ROOT = PICK_ROOT
ROOTS = (FEATURES_ROOT, *TEXT_ROOTS)
# Bytes of one decoded update. A full offline session of one student (every field typed and retyped) stays
# well under this; the frame limit (protocol.MAX_FRAME) leaves room for its base64 form.
UPDATE_MAX_BYTES = 48_000
STATE_VECTOR_MAX_BYTES = 2_000
# Seeding a document for a pair whose plain fields were written before documents existed uses this fixed
# client id, so two seedings of the same fields produce identical (hence mergeable) items.
SEED_CLIENT_ID = 1
PICK = feature_catalog.PICK


class Refused(Exception):
    """An update or state vector the server will not apply; `code` is stable, `message` Korean."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Shape:
    """What a document may hold: its text roots, and the picker's valid keys, labels and limit."""

    texts: tuple[str, ...]
    choices: dict[str, str]  # key -> Korean label, in the lesson's order ({} without a picker)
    pick: int

    @classmethod
    def of(cls, discussion: Discussion | None) -> Shape:
        if discussion is None:
            return LEGACY_SHAPE
        picker = discussion.picker
        return cls(
            texts=tuple(p.root for p in discussion.text_prompts),
            choices={c.key: c.label for c in picker.choices} if picker else {},
            pick=picker.pick if picker else 0,
        )

    @property
    def roots(self) -> tuple[str, ...]:
        return ((FEATURES_ROOT,) if self.pick else ()) + self.texts


LEGACY_SHAPE = Shape(texts=TEXT_ROOTS, choices=dict(feature_catalog.FEATURES), pick=PICK)


@dataclass(frozen=True)
class Fields:
    """The plain answer derived from a document: the picks (`features`), the texts of `practice` and
    `automation`, and the texts of any other root (`others`, root name -> text)."""

    features: list[str] = field(default_factory=list)
    practice: str = ""
    automation: str = ""
    others: dict[str, str] = field(default_factory=dict)

    def text(self, root: str) -> str:
        if root in TEXT_ROOTS:
            return getattr(self, root)
        return self.others.get(root, "")

    def answers(self, discussion: Discussion | None) -> dict[str, object]:
        """Return the answers by prompt number ("1"…): a list of keys for the picker, text otherwise."""
        if discussion is None:
            return {"1": list(self.features), "2": self.practice, "3": self.automation}
        return {p.key: list(self.features) if p.pick else self.text(p.root) for p in discussion.prompts}

    def empty(self) -> bool:
        return not (self.features or self.practice or self.automation or any(self.others.values()))


@dataclass(frozen=True)
class Applied:
    """The outcome of `apply_update`.

    `state`: the whole document to store. `fields`: derived from it. `fix`: the server's own update resolving
    a merge that broke a limit (b"" when none), to be sent to the partners after the client's update.
    `notice`: Korean, what the fix removed ("" when none). `changed`: whether the document changed at all
    (a re-sent update changes nothing and is still acknowledged).
    """

    state: bytes
    fields: Fields
    fix: bytes = b""
    notice: str = ""
    changed: bool = True


def decode_b64(text: str, *, limit: int = UPDATE_MAX_BYTES) -> bytes:
    """Return the bytes of a base64 string; raise Refused when it is not base64 or decodes to > `limit`."""
    if len(text) > (limit * 4) // 3 + 4:
        raise Refused("pair_too_large", f"페어 답변 변경 내용이 너무 큽니다 (최대 {limit:,}바이트).")
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise Refused(
            "pair_bad_update", "페어 답변 변경 내용을 읽을 수 없습니다 (base64가 아님). 새로고침하세요."
        ) from None
    if len(data) > limit:
        raise Refused("pair_too_large", f"페어 답변 변경 내용이 너무 큽니다 (최대 {limit:,}바이트).")
    return data


def encode_b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def seed(fields: Fields) -> bytes:
    """Return a document holding `fields`, built deterministically (fixed client id, fixed order)."""
    doc = Doc(client_id=SEED_CLIENT_ID)
    values = {name: fields.text(name) for name in (*TEXT_ROOTS, *sorted(fields.others))}
    with doc.transaction():
        if fields.features:
            doc.get(FEATURES_ROOT, type=Array).extend(list(fields.features))
        for name, value in values.items():
            if value:
                text = doc.get(name, type=Text)
                text += value
    return doc.get_update()


def load(state: bytes, fallback: Fields | None = None) -> Doc:
    """Return the document of `state`; an empty state is seeded from `fallback` (the pair's plain fields)."""
    if not state and fallback is not None and not fallback.empty():
        state = seed(fallback)
    doc = Doc()
    if state:
        doc.apply_update(state)
    return doc


def _roots(doc: Doc, shape: Shape = LEGACY_SHAPE) -> tuple[Array, dict[str, Text]]:
    return doc.get(FEATURES_ROOT, type=Array), {name: doc.get(name, type=Text) for name in shape.texts}


def _texts_of(doc: Doc, shape: Shape = LEGACY_SHAPE) -> dict[str, str]:
    _, texts = _roots(doc, shape)
    return {name: str(text) for name, text in texts.items()}


def derive(doc: Doc, discussion: Discussion | None = None) -> Fields:
    """Return the plain answer of a document: the first `pick` distinct valid choice keys, the texts (each
    cut to PAIR_TEXT_MAX)."""
    shape = Shape.of(discussion)
    picks, texts = _roots(doc, shape)
    chosen: list[str] = []
    for key in picks.to_py() or []:
        if isinstance(key, str) and key in shape.choices and key not in chosen:
            chosen.append(key)
    values = {name: str(text)[:PAIR_TEXT_MAX] for name, text in texts.items()}
    return Fields(
        features=chosen[: shape.pick],
        practice=values.pop("practice", ""),
        automation=values.pop("automation", ""),
        others=values,
    )


def _parse_state_vector(data: bytes) -> dict[int, int]:
    """Decode a Yjs state vector (varuint count, then varuint client / varuint clock pairs)."""
    pos = 0

    def varuint() -> int:
        nonlocal pos
        value, shift = 0, 0
        while True:
            if pos >= len(data):
                raise ValueError("truncated state vector")
            byte = data[pos]
            pos += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                return value

    count = varuint()
    vector = {}
    for _ in range(count):
        client = varuint()
        vector[client] = varuint()
    return vector


def _check_shape(
    state: bytes,
    shape: Shape = LEGACY_SHAPE,
    kept: frozenset[str] = frozenset(),
    kept_keys: frozenset = frozenset(),
) -> None:
    """Raise Refused unless the document has only the shape's roots (or roots in `kept`, those the stored
    document already had), each holding its own kind of content; picks are the shape's choices or keys the
    stored document already held (`kept_keys`: a re-imported lesson must not lock a pair out)."""
    doc = Doc()
    doc.apply_update(state)
    unknown = set(doc.keys()) - set(shape.roots) - kept
    if unknown:
        raise Refused("pair_bad_types", "페어 답변에 없는 항목이 들어 있습니다. 새로고침하세요.")
    # Keyed entries on a root (Y.Map-style) are never written by pair.js; read the roots as maps to see them.
    for name in shape.roots:
        if list(doc.get(name, type=Map).keys()):
            raise Refused("pair_bad_types", "페어 답변의 형식이 올바르지 않습니다. 새로고침하세요.")
    check = Doc()
    check.apply_update(state)
    picks, texts = _roots(check, shape)
    for key in picks.to_py() or []:
        if not isinstance(key, str) or (key not in shape.choices and key not in kept_keys):
            raise Refused(
                "pair_bad_types", f"{len(shape.choices)}가지 중에서만 고를 수 있습니다. 새로고침하세요."
            )
    for text in texts.values():
        for insert, attrs in text.diff():
            if not isinstance(insert, str) or attrs:
                raise Refused("pair_bad_types", "페어 답변에는 글자만 쓸 수 있습니다.")


def _fix_limits(doc: Doc, shape: Shape = LEGACY_SHAPE, numbers: dict[str, int] | None = None) -> str:
    """Resolve a merge beyond the limits with a server edit on `doc`; return the Korean notice ("" if none).

    `numbers`: root -> prompt number, for the notice (the legacy 2 / 3 when None)."""
    picks, texts = _roots(doc, shape)
    pick = shape.pick
    notes: list[str] = []
    # No picker in this lesson (re-imported without one): leave any old picks as they are.
    keys = (picks.to_py() or []) if pick else []
    seen: list[str] = []
    drop: list[int] = []
    for index, key in enumerate(keys):
        if key in seen or len(seen) >= pick:
            drop.append(index)
            if key not in seen:
                notes.append(shape.choices.get(key, key))
        else:
            seen.append(key)
    trims: dict[str, int] = {}
    for name, text in texts.items():
        value = str(text)
        if len(value) > PAIR_TEXT_MAX:
            trims[name] = len(value) - PAIR_TEXT_MAX
    if not drop and not trims:
        return ""
    with doc.transaction(origin="server-limits"):
        for index in reversed(drop):
            del picks[index]
        for name in trims:
            text = texts[name]
            keep = len(str(text)[:PAIR_TEXT_MAX].encode("utf-8"))  # pycrdt indexes Text by UTF-8 byte
            del text[keep:]
    messages = []
    if notes:
        dropped = ", ".join(f"'{n}'" for n in notes)
        messages.append(
            f"두 사람이 동시에 골라 {pick}개를 넘었습니다. 먼저 합쳐진 {pick}개를 남기고 {dropped} 선택을 뺐습니다."
        )
    numbers = numbers or {"practice": 2, "automation": 3}
    for name, extra in trims.items():
        label = f"{numbers.get(name, '')}번"
        messages.append(
            f"{label} 답이 동시에 입력되어 {PAIR_TEXT_MAX}자를 넘었습니다. 끝의 {extra}자를 잘랐습니다."
        )
    return " ".join(messages)


def apply_update(
    state: bytes, update: bytes, fallback: Fields | None = None, discussion: Discussion | None = None
) -> Applied:
    """Merge one client update into the stored document `state` and return what to store and send.

    Raises Refused (and changes nothing) when the update can't be decoded, depends on changes the server
    never received (`pair_stale`: the browser syncs and sends them along), puts the wrong types in the
    document, or on its own grows a text by more than PAIR_TEXT_MAX characters or the picks by more than the
    pick limit. `discussion`: the class's lesson's (None: the first lesson's shape).
    """
    shape = Shape.of(discussion)
    numbers = {p.root: p.number for p in discussion.prompts} if discussion else None
    doc = load(state, fallback)
    kept = frozenset(doc.keys())
    before_vector = doc.get_state()
    before_texts = _texts_of(doc, shape)
    before_keys = _roots(doc, shape)[0].to_py() or []
    before_picks = len(before_keys)
    try:
        if not update:
            raise ValueError("empty update")
        doc.apply_update(update)
    except BaseException as exc:  # pyo3 raises PanicException (a BaseException) on some malformed input
        if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit):
            raise
        raise Refused(
            "pair_bad_update", "페어 답변 변경 내용을 읽을 수 없습니다. 페이지를 새로고침하세요."
        ) from None
    merged = doc.get_update()
    # Parts of the update that depend on changes the server never received stay pending inside Yrs and
    # would be silently lost when the document is stored. Merging the raw update into the stored form
    # reveals them: for an update fully integrated the merge is the document itself (checked against
    # browser-made Yjs updates in tests/course/classroom/test_pair_doc.py).
    if merge_updates(merged, update) != merged:
        raise Refused(
            "pair_stale", "서버에 아직 없는 변경에 이어진 내용입니다. 다시 맞춘 뒤 자동으로 보냅니다."
        )
    _check_shape(merged, shape, kept, frozenset(k for k in before_keys if isinstance(k, str)))
    after_texts = _texts_of(doc, shape)
    for name in shape.texts:
        if len(after_texts[name]) - len(before_texts[name]) > PAIR_TEXT_MAX:
            raise Refused("pair_too_long", f"{PAIR_TEXT_MAX}자까지 입력할 수 있습니다.")
    if len(_roots(doc, shape)[0]) - before_picks > shape.pick:
        raise Refused("pair_too_many", f"{shape.pick}개까지 고를 수 있습니다.")
    vector_before_fix = doc.get_state()
    notice = _fix_limits(doc, shape, numbers)
    fix = doc.get_update(vector_before_fix) if notice else b""
    final = doc.get_update() if notice else merged
    return Applied(
        state=final,
        fields=derive(doc, discussion),
        fix=fix,
        notice=notice,
        changed=doc.get_state() != before_vector
        or _texts_of(doc, shape) != before_texts
        or (_roots(doc, shape)[0].to_py() or []) != before_keys,
    )


def replace_field(state: bytes, name: str, value, fallback: Fields | None = None) -> bytes:
    """Return an update replacing one root (`features` with a list of keys, or a text root) as one edit."""
    doc = load(state, fallback)
    before = doc.get_state()
    with doc.transaction():
        if name == FEATURES_ROOT:
            picks = doc.get(FEATURES_ROOT, type=Array)
            picks.clear()
            picks.extend(list(value))
        else:
            text = doc.get(name, type=Text)
            text.clear()
            text += value
    return doc.get_update(before)


def sync(state: bytes, client_vector: bytes, fallback: Fields | None = None) -> tuple[bytes, bytes]:
    """Return (the update a client with `client_vector` lacks, the server's state vector).

    Raises Refused when the state vector can't be decoded.
    """
    doc = load(state, fallback)
    try:
        _parse_state_vector(client_vector)
        missing = doc.get_update(client_vector)
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit):
            raise
        raise Refused("pair_bad_sync", "페어 답변 동기화 요청을 읽을 수 없습니다. 새로고침하세요.") from None
    return missing, doc.get_state()


def state_of(state: bytes, fallback: Fields | None = None) -> bytes:
    """Return the whole document (seeded from `fallback` when nothing was stored yet)."""
    if state:
        return state
    return load(state, fallback).get_update()
