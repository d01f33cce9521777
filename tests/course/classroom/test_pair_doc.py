"""The pair's shared answer as a CRDT document: merges, derived fields, limits, refusals, persistence."""

import random

import pytest
from pycrdt import Array, Doc, Map, Text, merge_updates

from course.classroom import features, pair_doc
from course.classroom.pair_doc import Fields, Refused
from course.models.classroom import PAIR_TEXT_MAX


def client_from(state: bytes) -> Doc:
    """A browser's copy of the document, started from the server's state."""
    doc = Doc()
    if state:
        doc.apply_update(state)
    return doc


def type_at_end(doc: Doc, root: str, value: str) -> bytes:
    """Append to a text root and return the update (what the browser would send)."""
    before = doc.get_state()
    text = doc.get(root, type=Text)
    text.insert(len(str(text).encode()), value)
    return doc.get_update(before)


def pick(doc: Doc, key: str) -> bytes:
    before = doc.get_state()
    doc.get("features", type=Array).append(key)
    return doc.get_update(before)


def test_concurrent_korean_inserts_from_two_partners_are_both_kept():
    state = pair_doc.apply_update(b"", type_at_end(client_from(b""), "practice", "우리는 ")).state
    minsu, jiyoung = client_from(state), client_from(state)
    from_minsu = type_at_end(minsu, "practice", "배포 자동화가 필요하다.")
    from_jiyoung = type_at_end(jiyoung, "practice", "헬스 체크가 중요하다.")
    first = pair_doc.apply_update(state, from_minsu)
    second = pair_doc.apply_update(first.state, from_jiyoung)
    text = second.fields.practice
    assert text.startswith("우리는 ")
    assert "배포 자동화가 필요하다." in text and "헬스 체크가 중요하다." in text
    assert len(text) == len("우리는 배포 자동화가 필요하다.헬스 체크가 중요하다.")
    # The other arrival order converges to the same text.
    other = pair_doc.apply_update(pair_doc.apply_update(state, from_jiyoung).state, from_minsu)
    assert other.fields.practice == text
    # And each partner, given the other's update, sees it too.
    minsu.apply_update(from_jiyoung)
    jiyoung.apply_update(from_minsu)
    assert str(minsu.get("practice", type=Text)) == str(jiyoung.get("practice", type=Text)) == text


def test_derived_fields_follow_the_document_and_a_resend_changes_nothing():
    doc = client_from(b"")
    update = pick(doc, "deployment")
    update2 = pick(doc, "health-check")
    update3 = type_at_end(doc, "automation", "배포까지 자동으로")
    state = b""
    for u in (update, update2, update3):
        state = pair_doc.apply_update(state, u).state
    fields = pair_doc.derive(pair_doc.load(state))
    assert fields == Fields(
        features=["deployment", "health-check"], practice="", automation="배포까지 자동으로"
    )
    again = pair_doc.apply_update(state, update3)
    assert not again.changed and again.fields == fields and not again.fix


def test_a_merge_yielding_a_fourth_pick_keeps_the_first_three_in_crdt_order_and_says_so():
    state = b""
    start = client_from(state)
    for key in ("deployment", "discovery"):
        state = pair_doc.apply_update(state, pick(start, key)).state
    a, b = client_from(state), client_from(state)
    from_a, from_b = pick(a, "secrets"), pick(b, "storage")
    first = pair_doc.apply_update(state, from_a)
    assert first.fields.features == ["deployment", "discovery", "secrets"] and not first.fix
    merged = pair_doc.apply_update(first.state, from_b)
    # Both browsers order the concurrent picks the same way; the server keeps the first three of that order.
    a.apply_update(from_b)
    order = [k for k in a.get("features", type=Array).to_py()]
    assert sorted(order[2:]) == ["secrets", "storage"]
    assert merged.fields.features == order[:3]
    assert merged.fix and "'" in merged.notice and "3개" in merged.notice
    assert features.FEATURES[order[3]] in merged.notice
    # The fix, applied by a browser, removes the fourth pick there too.
    a.apply_update(merged.fix)
    assert a.get("features", type=Array).to_py() == order[:3]
    assert pair_doc.derive(pair_doc.load(merged.state)).features == order[:3]


def test_two_texts_that_overflow_together_are_trimmed_to_the_limit():
    base = pair_doc.apply_update(b"", type_at_end(client_from(b""), "practice", "가" * 400)).state
    a, b = client_from(base), client_from(base)
    first = pair_doc.apply_update(base, type_at_end(a, "practice", "나" * 80))
    second = pair_doc.apply_update(first.state, type_at_end(b, "practice", "다" * 80))
    assert len(second.fields.practice) == PAIR_TEXT_MAX
    assert "60자" in second.notice and second.fix
    assert len(str(pair_doc.load(second.state).get("practice", type=Text))) == PAIR_TEXT_MAX


def _refused_without_change(state: bytes, update: bytes, code: str) -> None:
    before = pair_doc.derive(pair_doc.load(state))
    with pytest.raises(Refused) as caught:
        pair_doc.apply_update(state, update)
    assert caught.value.code == code and caught.value.message
    assert any("\uac00" <= ch <= "\ud7a3" for ch in caught.value.message)  # Korean
    assert pair_doc.derive(pair_doc.load(state)) == before


@pytest.fixture
def stored():
    doc = client_from(b"")
    state = pair_doc.apply_update(b"", type_at_end(doc, "practice", "처음 문장")).state
    return pair_doc.apply_update(state, pick(doc, "deployment")).state


def test_garbage_is_refused(stored):
    _refused_without_change(stored, b"\x01\x02garbage", "pair_bad_update")
    _refused_without_change(stored, b"", "pair_bad_update")


def test_a_text_longer_than_the_limit_in_one_update_is_refused(stored):
    _refused_without_change(stored, type_at_end(client_from(stored), "practice", "가" * 501), "pair_too_long")


def test_more_than_three_picks_in_one_update_are_refused(stored):
    doc = client_from(stored)
    before = doc.get_state()
    doc.get("features", type=Array).extend(["discovery", "secrets", "storage", "auto-scaling"])
    _refused_without_change(stored, doc.get_update(before), "pair_too_many")


@pytest.mark.parametrize(
    "spoil",
    [
        lambda d: d.get("features", type=Array).append("bitcoin"),
        lambda d: d.get("features", type=Array).append(42),
        lambda d: d.get("other", type=Text).insert(0, "x"),
        lambda d: d.get("practice", type=Map).__setitem__("k", "v"),
        lambda d: d.get("automation", type=Text).insert(0, "굵게", attrs={"bold": True}),
    ],
    ids=["unknown-feature", "number", "unknown-root", "map-on-text", "formatting"],
)
def test_wrong_types_are_refused(stored, spoil):
    doc = Doc()
    doc.apply_update(stored)
    before = doc.get_state()
    spoil(doc)
    _refused_without_change(stored, doc.get_update(before), "pair_bad_types")


def test_an_update_depending_on_changes_the_server_lacks_is_refused(stored):
    doc = client_from(stored)
    type_at_end(doc, "practice", " 하나")  # never sent
    second = type_at_end(doc, "practice", " 둘")
    _refused_without_change(stored, second, "pair_stale")


def test_partners_editing_in_bursts_are_never_refused_as_stale():
    """Random edits by two partners (inserts and deletes in both texts), sent in merged bursts and relayed
    like the server does: no update is taken for stale, and all three copies converge."""
    rng = random.Random(20261130)
    for _ in range(40):
        state = b""
        partners = [client_from(b""), client_from(b"")]
        unsent: list[list[bytes]] = [[], []]
        for _ in range(30):
            who = rng.randrange(2)
            doc = partners[who]
            before = doc.get_state()
            with doc.transaction():
                for _ in range(rng.randint(1, 4)):
                    text = doc.get(rng.choice(pair_doc.TEXT_ROOTS), type=Text)
                    value = str(text)
                    if value and rng.random() < 0.4:
                        start = rng.randrange(len(value))
                        end = min(len(value), start + rng.randint(1, 3))
                        del text[len(value[:start].encode()) : len(value[:end].encode())]
                    else:
                        at = rng.randint(0, len(value))
                        text.insert(len(value[:at].encode()), rng.choice(["가", "나다", " ", "헬스 체크"]))
            unsent[who].append(doc.get_update(before))
            if rng.random() < 0.5:
                update = merge_updates(*unsent[who]) if len(unsent[who]) > 1 else unsent[who][0]
                unsent[who] = []
                state = pair_doc.apply_update(state, update).state  # raises Refused if stale
                partners[1 - who].apply_update(update)
        for who in (0, 1):
            for update in unsent[who]:
                state = pair_doc.apply_update(state, update).state
                partners[1 - who].apply_update(update)
        server = pair_doc.derive(pair_doc.load(state))
        for doc in partners:
            assert pair_doc.derive(doc) == server


def test_base64_and_size_limits():
    assert pair_doc.decode_b64(pair_doc.encode_b64(b"\x00\x01")) == b"\x00\x01"
    with pytest.raises(Refused) as caught:
        pair_doc.decode_b64("not base64!")
    assert caught.value.code == "pair_bad_update"
    with pytest.raises(Refused) as caught:
        pair_doc.decode_b64(pair_doc.encode_b64(b"x" * (pair_doc.UPDATE_MAX_BYTES + 1)))
    assert caught.value.code == "pair_too_large"


def test_sync_returns_what_a_client_lacks_and_refuses_a_bad_state_vector(stored):
    fresh = Doc()
    missing, server_vector = pair_doc.sync(stored, fresh.get_state())
    fresh.apply_update(missing)
    assert str(fresh.get("practice", type=Text)) == "처음 문장"
    assert server_vector == pair_doc.load(stored).get_state()
    # A client already up to date gets nothing new.
    nothing, _ = pair_doc.sync(stored, fresh.get_state())
    fresh.apply_update(nothing)
    assert str(fresh.get("practice", type=Text)) == "처음 문장"
    with pytest.raises(Refused) as caught:
        pair_doc.sync(stored, b"\xff\xff\xff")
    assert caught.value.code == "pair_bad_sync"


def test_seeding_from_plain_fields_is_deterministic():
    fields = Fields(features=["secrets"], practice="예전 답", automation="")
    assert pair_doc.seed(fields) == pair_doc.seed(fields)
    assert pair_doc.derive(pair_doc.load(b"", fields)) == fields
    # Two browsers seeded separately merge without doubling the text.
    a, b = client_from(pair_doc.state_of(b"", fields)), client_from(pair_doc.state_of(b"", fields))
    a.apply_update(b.get_update())
    assert str(a.get("practice", type=Text)) == "예전 답"
