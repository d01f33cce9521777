"""The classroom socket through the full ASGI stack (origin check, cookies, sessions), three roles."""

import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from pycrdt import Array, Doc, Text

from config.asgi import application
from course.classroom import actions, features, pair_doc
from course.models import Answer, Pair
from tests.course.classroom.conftest import student_cookie

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = (b"origin", b"http://testserver")


async def connect(path, cookie="", origin=ORIGIN):
    headers = [origin] + ([(b"cookie", cookie.encode())] if cookie else [])
    comm = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await comm.connect()
    return comm, connected, code


async def receive(comm, kind=None, timeout=3):
    """Return the next frame (of `kind`, skipping others)."""
    while True:
        frame = json.loads(await comm.receive_from(timeout=timeout))
        if kind is None or frame["type"] == kind:
            return frame


async def send(comm, kind, **fields):
    await comm.send_to(text_data=json.dumps({"v": 1, "type": kind, **fields}))


def staff_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


async def test_a_student_gets_hello_and_feedback_and_the_dashboard_updates(klass, alice, bob, instructor):
    teacher, ok, _ = await connect(f"/ws/class/{klass.code}/teach/", staff_cookie(instructor))
    assert ok
    hello = await receive(teacher, "hello")
    assert hello["role"] == "staff" and hello["roster"]["count"] == 2
    student, ok, _ = await connect(f"/ws/class/{klass.code}/", student_cookie(alice))
    assert ok
    hello = await receive(student, "hello")
    assert hello["me"]["nickname"] == "Alice" and hello["section"]["section"] == "overview"
    await send(student, "answer", question="definition", response=1, round=0)
    result = await receive(student, "answer.result")
    assert result["correct"] and "여러 컨테이너" in result["explanation"]
    summary = await receive(teacher, "results")
    # Bob joined but has no page open: "응답 1/1", nobody present is still to answer.
    assert (
        summary["question"] == "definition"
        and (summary["answered"], summary["students"]) == (1, 1)
        and summary["not_answered"] == []
    )
    assert await Answer.objects.acount() == 1
    await student.disconnect()
    await teacher.disconnect()


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '{"type":"nope"}',
        '{"type":"answer"}',
        "x" * 20_000,
        '{"type":"answer","question":"definition","response":77,"round":0}',
        '{"type":"answer","question":"nope","response":1,"round":0}',
        '{"type":"answer","question":"definition","response":1,"round":2}',
        '{"type":"pair.update","field":"practice","value":"x"}',
        '{"type":"pair.update","pair":1,"update":"AAA=","id":"x"}',
        '{"type":"section.set","section":"why"}',
    ],
)
async def test_bad_frames_get_an_error_and_the_socket_stays_open(klass, alice, text):
    student, _, _ = await connect(f"/ws/class/{klass.code}/", student_cookie(alice))
    await receive(student, "hello")
    await student.send_to(text_data=text)
    frame = await receive(student)
    assert frame["type"] == "error" and frame["message"]
    await send(student, "ping")
    assert (await receive(student))["type"] == "pong"
    await student.disconnect()


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (
            '{"type":"answer","question":"definition","response":'
            + "[" * 30_000
            + "]" * 30_000
            + ',"round":0}',
            "too_deep",
        ),
        ("[" * 60_000, "too_deep"),
        ('{"type":"predict.vote","prediction":"p","choice":1e999999}', "bad_number"),
        ('{"type":"predict.vote","prediction":"p","choice":' + "9" * 10_000 + "}", "bad_number"),
        ('{"type":"answer","question":"definition","response":NaN,"round":0}', "bad_number"),
        ('{"type":"ping","type":"ping"}', "duplicate_key"),
        ('{"type":"answer","question":"\\ud800","response":1,"round":0}', "bad_text"),
        ("", "bad_json"),
        ("  ", "bad_json"),
        ('{"type":"answer","question":"definition","response":1,"round":1.5}', "bad_fields"),
        ('{"type":"ping","__proto__":{}}', "bad_fields"),
    ],
)
async def test_hostile_frames_get_their_code_and_the_socket_stays_open(klass, alice, text, code):
    """The classroom socket shares wscodec with the visualizer's: the same hostile frames get the same codes."""
    student, _, _ = await connect(f"/ws/class/{klass.code}/", student_cookie(alice))
    await receive(student, "hello")
    await student.send_input({"type": "websocket.receive", "text": text})
    frame = await receive(student, "error")
    assert frame["code"] == code and frame["message"]
    await send(student, "ping")
    assert (await receive(student, "pong"))["type"] == "pong"
    await student.disconnect()


async def test_binary_frames_get_an_error(klass, alice):
    student, _, _ = await connect(f"/ws/class/{klass.code}/", student_cookie(alice))
    await receive(student, "hello")
    await student.send_to(bytes_data=b"\x00\x01")
    assert (await receive(student))["code"] == "binary"
    await student.disconnect()


async def test_a_foreign_origin_is_refused(klass, alice):
    _, ok, _ = await connect(
        f"/ws/class/{klass.code}/", student_cookie(alice), origin=(b"origin", b"http://evil.example")
    )
    assert not ok


async def test_no_cookie_or_a_forged_one_is_refused(klass, alice):
    _, ok, code = await connect(f"/ws/class/{klass.code}/")
    assert not ok and code == 4403
    _, ok, _ = await connect(f"/ws/class/{klass.code}/", f"class_{klass.code}={alice.pk}")
    assert not ok


async def test_students_and_other_staff_cannot_open_the_dashboard(klass, alice, other_staff):
    _, ok, _ = await connect(f"/ws/class/{klass.code}/teach/", student_cookie(alice))
    assert not ok
    _, ok, _ = await connect(f"/ws/class/{klass.code}/projector/", staff_cookie(other_staff))
    assert not ok


async def test_pacing_reaches_students_and_the_projector(klass, alice, instructor):
    cookie = staff_cookie(instructor)
    teacher, _, _ = await connect(f"/ws/class/{klass.code}/teach/", cookie)
    projector, _, _ = await connect(f"/ws/class/{klass.code}/projector/", cookie)
    student, _, _ = await connect(f"/ws/class/{klass.code}/", student_cookie(alice))
    for comm in (teacher, projector, student):
        await receive(comm, "hello")
    await send(teacher, "section.set", section="concept-2")
    for comm in (teacher, projector, student):
        frame = await receive(comm, "section")
        assert frame["section"] == "concept-2" and frame["planned"] == 720
    for comm in (teacher, projector, student):
        await comm.disconnect()


async def _paired_sockets(klass, alice, bob, instructor):
    """Form pairs among Alice, Bob, Chris and Dana; return the teacher's socket, everyone's, and the pairs."""
    chris, _ = await actions_join(klass, "Chris", "beginner")
    dana, _ = await actions_join(klass, "Dana", "advanced")
    teacher, _, _ = await connect(f"/ws/class/{klass.code}/teach/", staff_cookie(instructor))
    await receive(teacher, "hello")
    socks = {}
    for s in (alice, bob, chris, dana):
        socks[s.pk], _, _ = await connect(f"/ws/class/{klass.code}/", student_cookie(s))
        await receive(socks[s.pk], "hello")
    await send(teacher, "pairs.form")
    pair_of = {}
    for pk, comm in socks.items():
        pair_of[pk] = (await receive(comm, "pair"))["pair"]["id"]
    partner = next(pk for pk in socks if pk != alice.pk and pair_of[pk] == pair_of[alice.pk])
    outsider = next(pk for pk in socks if pair_of[pk] != pair_of[alice.pk])
    return teacher, socks, pair_of[alice.pk], partner, outsider


async def _synced_doc(comm, pair_id, doc=None):
    """Exchange state vectors like pair.js after hello; return the browser's document and the server's vector."""
    doc = doc or Doc()
    await send(comm, "pair.sync", pair=pair_id, state_vector=pair_doc.encode_b64(doc.get_state()))
    reply = await receive(comm, "pair.sync")
    assert reply["pair"] == pair_id
    doc.apply_update(pair_doc.decode_b64(reply["update"]))
    return doc, pair_doc.decode_b64(reply["state_vector"])


def _type(doc, root, value):
    before = doc.get_state()
    text = doc.get(root, type=Text)
    text.insert(len(str(text).encode()), value)
    return pair_doc.encode_b64(doc.get_update(before))


async def test_partners_co_edit_one_answer_and_other_pairs_see_nothing(klass, alice, bob, instructor):
    teacher, socks, pair_id, partner, outsider = await _paired_sockets(klass, alice, bob, instructor)
    mine, _ = await _synced_doc(socks[alice.pk], pair_id)
    theirs, _ = await _synced_doc(socks[partner], pair_id)
    # Both type into the same empty field at the same time, from the same starting point.
    from_me = _type(mine, "practice", "<b>헬스 체크</b>가 중요하다. ")
    from_them = _type(theirs, "practice", "배포 자동화가 먼저다.")
    await send(socks[alice.pk], "pair.update", pair=pair_id, update=from_me, id=1)
    await send(socks[partner], "pair.update", pair=pair_id, update=from_them, id=7)
    assert (await receive(socks[alice.pk], "pair.ack"))["id"] == 1
    assert (await receive(socks[partner], "pair.ack"))["id"] == 7
    # Each gets the other's update (and its own echo, harmless): apply everything received.
    for comm, doc in ((socks[alice.pk], mine), (socks[partner], theirs)):
        for _ in range(2):
            frame = await receive(comm, "pair.update")
            assert frame["pair"] == pair_id and frame["notice"] == ""
            doc.apply_update(pair_doc.decode_b64(frame["update"]))
    merged = str(mine.get("practice", type=Text))
    assert merged == str(theirs.get("practice", type=Text))
    assert "<b>헬스 체크</b>가 중요하다. " in merged and "배포 자동화가 먼저다." in merged
    pair = await Pair.objects.aget(pk=pair_id)
    assert pair.practice == merged and pair.revision == 2
    seen = [(await receive(teacher, "pair"))["pair"] for _ in range(4)]  # 2 from pairs.form, 2 edits
    assert seen[-1]["id"] == pair_id and seen[-1]["practice"] == merged  # stored as typed; pages use text
    assert await socks[outsider].receive_nothing(timeout=0.3)
    for comm in (teacher, *socks.values()):
        await comm.disconnect()


@pytest.mark.parametrize(
    ("update", "code"),
    [
        ("not base64!", "pair_bad_update"),
        (pair_doc.encode_b64(b"\x01\x02garbage"), "pair_bad_update"),
        (pair_doc.encode_b64(b"x" * 48_001), "pair_too_large"),
        ("features", "pair_bad_types"),  # replaced below by an update picking an unknown feature
        ("stale", "pair_stale"),  # replaced below by an update following one never sent
    ],
)
async def test_a_bad_update_gets_an_error_with_its_id_and_changes_nothing(klass, alice, bob, update, code):
    await database_sync_to_async(actions.form_pairs)(klass)
    student, _, _ = await connect(f"/ws/class/{klass.code}/", student_cookie(alice))
    pair_id = (await receive(student, "hello"))["pair"]["id"]
    doc, _ = await _synced_doc(student, pair_id)
    await send(student, "pair.update", pair=pair_id, update=_type(doc, "automation", "먼저 저장"), id=1)
    await receive(student, "pair.ack")
    if update == "stale":
        _type(doc, "automation", " 보내지 않은 변경")
        update = _type(doc, "automation", " 그 뒤의 변경")
    if update == "features":
        before = doc.get_state()
        doc.get("features", type=Array).append("bitcoin")
        update = pair_doc.encode_b64(doc.get_update(before))
    await send(student, "pair.update", pair=pair_id, update=update, id=2)
    frame = await receive(student, "error")
    assert frame["code"] == code and frame["ref"] == 2 and frame["message"]
    pair = await Pair.objects.aget(pk=pair_id)
    assert (pair.automation, pair.features, pair.revision) == ("먼저 저장", [], 1)
    await send(student, "ping")
    assert (await receive(student))["type"] == "pong"
    # Another pair's id is refused too.
    await send(student, "pair.update", pair=pair_id + 100, update=_type(doc, "practice", "x"), id=3)
    assert (await receive(student, "error"))["code"] == "pair_changed"
    await student.disconnect()


async def test_a_reconnecting_partner_resyncs_and_sends_what_it_typed_offline(klass, alice, bob, instructor):
    teacher, socks, pair_id, partner, _ = await _paired_sockets(klass, alice, bob, instructor)
    mine, _ = await _synced_doc(socks[alice.pk], pair_id)
    await socks[alice.pk].disconnect()
    offline = _type(mine, "automation", "오프라인에서 쓴 문장. ")  # typed while the socket was down
    theirs, _ = await _synced_doc(socks[partner], pair_id)
    await send(
        socks[partner],
        "pair.update",
        pair=pair_id,
        update=_type(theirs, "automation", "그동안 짝이 쓴 문장."),
        id=1,
    )
    await receive(socks[partner], "pair.ack")
    again, _, _ = await connect(f"/ws/class/{klass.code}/", student_cookie(alice))
    await receive(again, "hello")
    mine, server_vector = await _synced_doc(again, pair_id, mine)
    assert "그동안 짝이 쓴 문장." in str(mine.get("automation", type=Text))
    missing = pair_doc.encode_b64(mine.get_update(server_vector))
    assert offline  # what it lacks is exactly the offline edit
    await send(again, "pair.update", pair=pair_id, update=missing, id=1)
    assert (await receive(again, "pair.ack"))["id"] == 1
    for _ in range(2):  # its own echo, then Alice's offline edit
        frame = await receive(socks[partner], "pair.update")
        theirs.apply_update(pair_doc.decode_b64(frame["update"]))
    text = str(theirs.get("automation", type=Text))
    assert text == str(mine.get("automation", type=Text))
    assert "오프라인에서 쓴 문장. " in text and "그동안 짝이 쓴 문장." in text
    assert (await Pair.objects.aget(pk=pair_id)).automation == text
    for comm in (teacher, again, *socks.values()):
        await comm.disconnect()


async def test_the_spotlight_reaches_the_projector(klass, alice, bob, instructor):
    cookie = staff_cookie(instructor)
    teacher, _, _ = await connect(f"/ws/class/{klass.code}/teach/", cookie)
    projector, _, _ = await connect(f"/ws/class/{klass.code}/projector/", cookie)
    await receive(teacher, "hello")
    await receive(projector, "hello")
    await send(teacher, "pairs.form")
    pair_id = (await receive(teacher, "board"))["pairs"][0]["id"]
    await send(teacher, "spotlight.set", pair=pair_id)
    frame = await receive(projector, "spotlight")
    assert frame["pair"]["id"] == pair_id and "members" not in frame["pair"]
    await send(teacher, "pair.hide", pair=pair_id, hidden=True)
    assert (await receive(projector, "spotlight"))["pair"] is None
    await teacher.disconnect()
    await projector.disconnect()


async def test_peer_instruction_over_the_socket(klass, alice, instructor):
    cookie = staff_cookie(instructor)
    teacher, _, _ = await connect(f"/ws/class/{klass.code}/teach/", cookie)
    student, _, _ = await connect(f"/ws/class/{klass.code}/", student_cookie(alice))
    await receive(teacher, "hello")
    await receive(student, "hello")
    await send(teacher, "live.open", question="etcd-role")
    live = await receive(student, "live")
    assert live["question"]["key"] == "etcd-role" and live["round"] == 1 and "answer" not in live["question"]
    await send(student, "answer", question="etcd-role", response=1, round=1)
    vote = await receive(student, "answer.result")
    assert vote["explanation"] == "" and vote["correct_response"] is None
    await send(teacher, "live.reveal")
    live = await receive(student, "live")
    assert live["revealed"] and live["rounds"][0]["percent_correct"] == 100
    await teacher.disconnect()
    await student.disconnect()


async def test_the_projector_cannot_send_commands(klass, instructor):
    projector, _, _ = await connect(f"/ws/class/{klass.code}/projector/", staff_cookie(instructor))
    await receive(projector, "hello")
    await send(projector, "section.set", section="why")
    assert (await receive(projector))["code"] == "read_only"
    await projector.disconnect()


async def actions_join(klass, name, level):
    return await database_sync_to_async(actions.join)(klass, name, level)


def test_the_socket_reads_the_cookie_the_join_view_sets(klass):
    client = Client()
    client.post("/class/join/", {"code": klass.code, "nickname": "민수", "level": "beginner"})
    cookies = {name: morsel.value for name, morsel in client.cookies.items()}
    from course.classroom import identity

    assert identity.student_from_cookies(cookies, klass).nickname == "민수"


async def test_a_fourth_pick_from_a_merge_is_removed_by_the_server_with_a_notice(
    klass, alice, bob, instructor
):
    teacher, socks, pair_id, partner, _ = await _paired_sockets(klass, alice, bob, instructor)
    mine, _ = await _synced_doc(socks[alice.pk], pair_id)
    before = mine.get_state()
    mine.get("features", type=Array).extend(["deployment", "discovery"])
    await send(
        socks[alice.pk],
        "pair.update",
        pair=pair_id,
        update=pair_doc.encode_b64(mine.get_update(before)),
        id=1,
    )
    await receive(socks[alice.pk], "pair.ack")
    theirs, _ = await _synced_doc(socks[partner], pair_id)
    # Both pick a third feature at the same time.
    picks = {}
    for doc, key in ((mine, "secrets"), (theirs, "storage")):
        before = doc.get_state()
        doc.get("features", type=Array).append(key)
        picks[key] = pair_doc.encode_b64(doc.get_update(before))
    await send(socks[alice.pk], "pair.update", pair=pair_id, update=picks["secrets"], id=2)
    await receive(socks[alice.pk], "pair.ack")
    await send(socks[partner], "pair.update", pair=pair_id, update=picks["storage"], id=3)
    await receive(socks[partner], "pair.ack")
    notices = []
    for _ in range(4):  # Alice's update, Bob's, the server's fix; the first from the earlier edit
        frame = await receive(socks[partner], "pair.update")
        theirs.apply_update(pair_doc.decode_b64(frame["update"]))
        if frame["notice"]:
            notices.append(frame["notice"])
            break
    kept = [k for k in theirs.get("features", type=Array).to_py()]
    pair = await Pair.objects.aget(pk=pair_id)
    assert len(kept) == 3 and pair.features == kept and kept[:2] == ["deployment", "discovery"]
    dropped = ({"secrets", "storage"} - set(kept)).pop()
    assert notices and features.FEATURES[dropped] in notices[0]
    # The class chart follows the stored picks (the last chart frame is the one after the fix).
    charts = []
    while not await teacher.receive_nothing(timeout=0.3):
        frame = json.loads(await teacher.receive_from())
        if frame["type"] == "chart":
            charts.append(frame)
    counts = {row["key"]: row["count"] for row in charts[-1]["features"]}
    assert {k for k, c in counts.items() if c} == set(kept)
    for comm in (teacher, *socks.values()):
        await comm.disconnect()
