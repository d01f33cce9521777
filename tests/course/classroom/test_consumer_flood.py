"""The classroom socket under a joined student's flood (course.classroom.consumer): the error and pong budgets
per identity, the budgets of the frames that write (answers, pair edits), reading paused while frames wait,
nothing escaping `receive`, nobody left counted online.

Through the full ASGI stack with Channels' communicator; tests/course/classroom/test_flood_daphne.py floods a
real Daphne."""

import json
import math

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from course.classroom import consumer, pair_doc, presence
from course.classroom.protocol import STUDENT_TYPES
from course.classroom.ratelimit import FRAME_BUDGETS, FRAME_PURPOSE, SOCKET_BUDGETS, TOO_FAST
from course.models import Answer, Pair, Student
from tests.clock import ManualClock
from tests.course.classroom.conftest import student_cookie
from tests.course.classroom.test_consumers import _paired_sockets, _synced_doc, _type, connect, receive, send
from wsflow.budget import ANSWER_BUDGETS, Limits

pytestmark = pytest.mark.django_db(transaction=True)
ERROR_BURST = ANSWER_BUDGETS["errors"][1]
PING_BURST = ANSWER_BUDGETS["ping"][1]


@pytest.fixture
def clock(monkeypatch):
    """Fresh budgets on a clock that moves only when the test says (no refill while frames are sent)."""
    clock = ManualClock()
    monkeypatch.setattr(consumer, "socket_budgets", Limits(SOCKET_BUDGETS, clock=clock), raising=False)
    return clock


async def drain(comm, timeout=0.5) -> list[dict]:
    """Every frame that arrives until none has for `timeout` seconds."""
    frames = []
    while not await comm.receive_nothing(timeout=timeout):
        frames.append(json.loads(await comm.receive_from()))
    return frames


async def student_socket(klass, student):
    comm, ok, _ = await connect(f"/ws/class/{klass.code}/", student_cookie(student))
    assert ok
    await receive(comm, "hello")
    return comm


async def sockets_of(student) -> int:
    return (await Student.objects.aget(pk=student.pk)).sockets


async def test_bad_frames_get_errors_within_the_identity_budget_shared_by_its_tabs(klass, alice, bob, clock):
    first, second = await student_socket(klass, alice), await student_socket(klass, alice)
    for _ in range(ERROR_BURST + 15):
        await first.send_to(text_data="not json")
    errors = await drain(first)
    assert [f["code"] for f in errors] == ["bad_json"] * ERROR_BURST
    # Alice's other tab spends the same budget: refused silently too; Bob has his own.
    await second.send_to(text_data="not json")
    assert await second.receive_nothing(timeout=0.5)
    other = await student_socket(klass, bob)
    await other.send_to(text_data="not json")
    assert (await receive(other))["code"] == "bad_json"
    # The budget refills at its rate, and the socket was open all along.
    clock.now += 1.0
    await first.send_to(text_data="[]")
    assert [f["code"] for f in await drain(first)] == ["bad_frame"]
    for comm in (first, second, other):
        await comm.disconnect()


async def test_pings_over_the_budget_get_no_pong_and_no_presence_write(klass, alice, clock, monkeypatch):
    writes = []
    seen = presence.seen
    monkeypatch.setattr(presence, "seen", lambda student_id: writes.append(student_id) or seen(student_id))
    comm = await student_socket(klass, alice)
    for _ in range(PING_BURST + 10):
        await send(comm, "ping")
    assert [f["type"] for f in await drain(comm)] == ["pong"] * PING_BURST
    assert writes == [alice.pk] * PING_BURST
    clock.now += 1.0
    await send(comm, "ping")
    assert (await receive(comm))["type"] == "pong"
    await comm.disconnect()


class FakeReader:
    """A connection whose inbox the test sets; records what the consumer asked of it."""

    def __init__(self) -> None:
        self.waiting = 0
        self.calls: list[str] = []
        self.watched_by = None

    def watch(self, throttle) -> bool:
        self.watched_by = throttle  # under Daphne, frames arriving are checked too (tests/wsflow)
        return True

    def inbox(self) -> int:
        return self.waiting

    def pause_reading(self) -> None:
        self.calls.append("pause")

    def resume_reading(self) -> None:
        self.calls.append("resume")


async def test_reading_pauses_while_more_than_64_frames_wait_and_resumes_when_worked_off(
    klass, alice, clock, monkeypatch
):
    reader = FakeReader()
    monkeypatch.setattr(consumer, "reader_for", lambda scope, send: reader, raising=False)
    comm = await student_socket(klass, alice)
    # Under Daphne the inbox is Daphne's application queue; here the test says how many frames wait after
    # each one handled: a flood piles up past 64, then is worked off.
    for waiting in (10, 64, 65, 80, 40, 9, 8, 3, 70):
        reader.waiting = waiting
        await comm.send_to(text_data="{bad")  # refused frames count as much as good ones
        await drain(comm, timeout=0.2)
    assert reader.calls == ["pause", "resume", "pause"]
    assert reader.watched_by is not None and reader.watched_by.paused
    await comm.disconnect()


async def test_a_failure_while_handling_or_fanning_out_leaves_the_socket_open_and_counted_once(
    klass, alice, clock, monkeypatch
):
    comm = await student_socket(klass, alice)
    assert await sockets_of(alice) == 1

    async def fails(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr(consumer, "_handle", fails)
    await send(comm, "answer", question="definition", response=1, round=0)
    assert (await receive(comm))["code"] == "server"

    # The action worked but a group send fails (before: the exception left `receive`, the consumer ended
    # without `disconnect`, and the student stayed counted online with a dead socket).
    async def answered(*args):
        return [("class.nowhere", "{}")]

    monkeypatch.setattr(consumer, "_handle", answered)

    async def layer_down(*args, **kwargs):
        raise ConnectionError("channel layer down")

    layer = get_channel_layer()
    working = layer.group_send
    monkeypatch.setattr(layer, "group_send", layer_down)
    await send(comm, "answer", question="definition", response=1, round=0)
    assert (await receive(comm))["code"] == "server"
    monkeypatch.setattr(layer, "group_send", working)
    await send(comm, "ping")
    assert (await receive(comm))["type"] == "pong"
    await comm.disconnect()
    assert await sockets_of(alice) == 0


@pytest.mark.parametrize(
    "text",
    [
        '{"type":"answer","question":"definition","response":' + "[" * 5000 + "]" * 5000 + ',"round":0}',
        '{"type":"predict.vote","prediction":"p","choice":' + "9" * 5000 + "}",
        '{"type":"ping","type":"ping"}',
        '{"type":"answer","question":1,"response":1,"round":"0"}',
        "x" * 70_000,
    ],
    ids=["deep", "huge-number", "duplicate-key", "wrong-types", "oversized"],
)
async def test_a_flood_of_malformed_frames_leaves_nothing_behind(klass, alice, instructor, clock, text):
    comm = await student_socket(klass, alice)
    assert await database_sync_to_async(presence.online_ids)(klass) == {alice.pk}
    for _ in range(50):
        await comm.send_to(text_data=text)
    frames = await drain(comm)
    assert len(frames) == ERROR_BURST and all(f["type"] == "error" and f["message"] for f in frames)
    assert all(any("\uac00" <= ch <= "\ud7a3" for ch in f["message"]) for f in frames)  # Korean, for people
    clock.now += 10.0
    await send(comm, "ping")
    assert (await receive(comm))["type"] == "pong"
    await comm.disconnect()
    # Gone for good: no socket counted, not online on the dashboard's roster.
    assert await sockets_of(alice) == 0
    assert await database_sync_to_async(presence.online_ids)(klass) == set()


ANSWERS_RATE, ANSWERS_BURST = FRAME_BUDGETS["answers"]
PAIR_RATE, PAIR_BURST = FRAME_BUDGETS["pair"]


def test_every_student_frame_that_writes_has_a_budget():
    """A frame type added to the protocol must be given a budget here, or be known to write nothing."""
    assert set(FRAME_PURPOSE) == set(STUDENT_TYPES) - {"ping", "pair.sync"}
    assert set(FRAME_PURPOSE.values()) == set(FRAME_BUDGETS) == set(TOO_FAST)


@database_sync_to_async
def answer_writes(student) -> int:
    """The answer writes stored for a student: one per row created, one per later change (`attempts`)."""
    return sum(Answer.objects.filter(student=student).values_list("attempts", flat=True))


async def test_a_flood_of_answers_writes_at_most_the_budget_then_is_refused_with_the_socket_open(
    klass, alice, bob, clock
):
    # Two tabs of one student share one budget: the budget is the student's, not the socket's.
    tabs = [await student_socket(klass, alice), await student_socket(klass, alice)]
    for n in range(200):
        await send(tabs[n % 2], "answer", question="definition", response=n % 4, round=0)
    frames = await drain(tabs[0])
    await drain(tabs[1])
    # Every result reaches both tabs (through the student's group): one per answer stored.
    assert [f["type"] for f in frames if f["type"] != "error"].count("answer.result") == ANSWERS_BURST
    assert await answer_writes(alice) == ANSWERS_BURST
    errors = [f for f in frames if f["type"] == "error"]
    assert errors and all(f["code"] == "too_fast" for f in errors)
    # The refusals are answers that cost nothing: within the error budget (these are the first tab's half).
    assert len(errors) <= ERROR_BURST
    assert errors[0]["retry_after"] == math.ceil(1 / ANSWERS_RATE)
    assert any("\uac00" <= ch <= "\ud7a3" for ch in errors[0]["message"])  # Korean, for people
    # Bob has his own budget.
    other = await student_socket(klass, bob)
    await send(other, "answer", question="definition", response=1, round=0)
    assert (await receive(other))["type"] == "answer.result"
    # The sockets stayed open; once the budget refills, the next answer is stored.
    clock.now += 1 / ANSWERS_RATE
    await send(tabs[0], "answer", question="definition", response=2, round=0)
    assert (await receive(tabs[0]))["type"] == "answer.result"
    assert await answer_writes(alice) == ANSWERS_BURST + 1
    # One token came back, not more.
    await send(tabs[1], "answer", question="definition", response=3, round=0)
    assert [f["code"] for f in await drain(tabs[1]) if f["type"] == "error"] == ["too_fast"]
    assert await answer_writes(alice) == ANSWERS_BURST + 1
    for comm in (*tabs, other):
        await comm.disconnect()


async def test_pair_updates_over_the_budget_are_refused_with_their_id_and_stored_merged_after(
    klass, alice, bob, instructor, clock
):
    teacher, socks, pair_id, _partner, _outsider = await _paired_sockets(klass, alice, bob, instructor)
    comm = socks[alice.pk]
    mine, _ = await _synced_doc(comm, pair_id)
    flood = PAIR_BURST + 20
    for n in range(1, flood + 1):
        await send(comm, "pair.update", pair=pair_id, update=_type(mine, "practice", "가"), id=n)
    frames = await drain(comm)
    acks = [f["id"] for f in frames if f["type"] == "pair.ack"]
    refused = [f for f in frames if f["type"] == "error"]
    assert acks == list(range(1, PAIR_BURST + 1))
    # Each refusal names the update it refuses (pair.js keeps those edits and sends them again, merged).
    assert refused and all(f["code"] == "too_fast" and f["retry_after"] >= 1 for f in refused)
    assert [f["ref"] for f in refused] == list(range(PAIR_BURST + 1, PAIR_BURST + 1 + len(refused)))
    pair = await Pair.objects.aget(pk=pair_id)
    assert pair.revision == PAIR_BURST and pair.practice == "가" * PAIR_BURST
    # After the wait, what the server lacks goes in one update, as pair.js sends its pending edits merged.
    clock.now += 1 / PAIR_RATE
    _, server_vector = await _synced_doc(comm, pair_id, mine)
    await send(
        comm, "pair.update", pair=pair_id, update=pair_doc.encode_b64(mine.get_update(server_vector)), id=99
    )
    assert (await receive(comm, "pair.ack"))["id"] == 99
    pair = await Pair.objects.aget(pk=pair_id)
    assert pair.revision == PAIR_BURST + 1 and pair.practice == "가" * flood
    for sock in (teacher, *socks.values()):
        await sock.disconnect()
