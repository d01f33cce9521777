"""The classroom socket through the full ASGI stack (origin check, cookies, sessions), three roles."""

import json

import pytest
from channels.testing import WebsocketCommunicator
from django.test import Client

from config.asgi import application
from course.classroom import actions
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


async def test_partners_share_one_answer_and_other_pairs_see_nothing(klass, alice, bob, instructor):
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
    await send(socks[alice.pk], "pair.update", field="practice", value="<b>헬스 체크</b>")
    for pk in (alice.pk, partner):
        frame = await receive(socks[pk], "pair")
        assert frame["pair"]["practice"] == "<b>헬스 체크</b>"  # stored as typed; pages insert it as text
    assert await socks[outsider].receive_nothing(timeout=0.3)
    pair = await Pair.objects.aget(pk=pair_of[alice.pk])
    assert pair.practice == "<b>헬스 체크</b>"
    for comm in (teacher, *socks.values()):
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
    from channels.db import database_sync_to_async

    return await database_sync_to_async(actions.join)(klass, name, level)


def test_the_socket_reads_the_cookie_the_join_view_sets(klass):
    client = Client()
    client.post("/class/join/", {"code": klass.code, "nickname": "민수", "level": "beginner"})
    cookies = {name: morsel.value for name, morsel in client.cookies.items()}
    from course.classroom import identity

    assert identity.student_from_cookies(cookies, klass).nickname == "민수"
