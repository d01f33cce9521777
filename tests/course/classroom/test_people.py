"""People: presence counted in the database, rename and remove, and counts over the students present."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from course.classroom import actions, identity, presence, state
from course.classroom.protocol import ProtocolError
from course.models import Answer, Pair, Student
from course.models.classroom import Prediction, PredictionVote
from tests.course.classroom.conftest import online

pytestmark = pytest.mark.django_db


def frames_to(frames, group, kind=None):
    found = [json.loads(text) for g, text in frames if g == group]
    return [f for f in found if kind is None or f["type"] == kind]


def test_a_student_is_online_while_a_socket_is_open_and_recently_seen(alice):
    now = timezone.now()
    assert presence.connected(alice.pk, now) is True  # came online
    assert presence.connected(alice.pk, now) is False  # a second tab: already online
    assert presence.disconnected(alice.pk, now) is False  # one tab left
    assert presence.disconnected(alice.pk, now) is True  # went offline
    assert presence.disconnected(alice.pk, now) is False  # never below zero
    alice.refresh_from_db()
    assert alice.sockets == 0 and alice.last_seen == now


def test_a_crashed_process_leaves_no_ghost_for_longer_than_the_window(klass, alice):
    """A process that died never decrements: the counter says 1, but without a ping the student fades."""
    start = timezone.now()
    presence.connected(alice.pk, start)
    assert presence.online_ids(klass, start + timedelta(seconds=59)) == {alice.pk}
    assert presence.online_ids(klass, start + timedelta(seconds=61)) == set()
    # The page's ping (every 25 s) is a sign of life that brings the student back.
    presence.seen(alice.pk, start + timedelta(seconds=70))
    assert presence.online_ids(klass, start + timedelta(seconds=75)) == {alice.pk}


def test_the_roster_shows_presence_and_counts(klass, alice, bob):
    online(alice)
    roster = state.roster(klass)
    rows = {s["nickname"]: s for s in roster["students"]}
    assert (roster["count"], roster["online"], roster["online_window"]) == (2, 1, 60)
    assert rows["Alice"]["online"] and rows["Alice"]["last_seen"] and not rows["Bob"]["online"]
    assert rows["Bob"]["last_seen"] is None and rows["Bob"]["level_label"] == "고급"
    assert state.projector_roster(klass) == {"students": [], "count": 1}
    assert state.projector_hello(klass, timezone.now())["students"] == 1


def test_results_count_the_students_present_not_everyone_who_joined(klass, alice, bob):
    chris, _ = actions.join(klass, "Chris", "intermediate")
    online(alice, bob)  # Chris joined, then closed the laptop
    frames = actions.submit_answer(klass, alice, "definition", 1, 0)
    summary = frames_to(frames, state.staff_group(klass.pk), "results")[0]
    assert (summary["answered"], summary["students"], summary["percent_answered"]) == (1, 2, 50)
    assert summary["not_answered"] == ["Bob"]
    # Alice leaves: her answer still counts, and so does she for this question.
    presence.disconnected(alice.pk)
    (summary,) = [s for s in state.class_results(klass, [alice.answers.get().question]) if s]
    assert (summary["answered"], summary["students"], summary["not_answered"]) == (1, 2, ["Bob"])
    assert chris.nickname not in json.dumps(summary)


def test_the_prediction_histogram_counts_the_students_present(klass, alice, bob, db):
    from django.core.management import call_command

    call_command("loaddata", "predictions", verbosity=0)
    online(alice)
    prediction = Prediction.objects.get(key="predict-delete-pod")
    actions.prediction_opened(klass, prediction, [])
    klass.refresh_from_db()
    frames = actions.vote_prediction(klass, alice, prediction.key, 0)
    staff = frames_to(frames, state.staff_group(klass.pk), "predict")[0]
    assert (staff["histogram"]["answered"], staff["histogram"]["students"]) == (1, 1)


def test_an_answer_with_an_outcome_refreshes_the_students_checklist_and_the_dashboards(klass, alice):
    frames = actions.submit_answer(klass, alice, "definition", 1, 0)
    mine = frames_to(frames, state.student_group(alice.pk), "checklist")[0]
    row = next(r for r in mine["outcomes"] if r["outcome"] == "definition")
    assert (row["answered"], row["correct"], row["done"]) == (1, 1, False)
    # The dashboard's copy comes from the consumer's throttled refresh, not from every answer.
    assert not frames_to(frames, state.staff_group(klass.pk), "checklist")
    (klass_list,) = [json.loads(text) for _, text in actions.class_checklist_frames_for(klass.pk)]
    assert {r["students"] for r in klass_list["outcomes"]} == {1}
    assert {r["reached"] for r in klass_list["outcomes"]} == {0}


def test_the_instructor_renames_a_student_cleaned_and_unique(klass, alice, bob):
    actions.form_pairs(klass)
    frames = actions.rename_student(klass, alice.pk, "  Bob\u0000 ")
    alice.refresh_from_db()
    assert alice.nickname == "Bob (2)"
    assert frames_to(frames, state.student_group(alice.pk), "renamed") == [
        {"v": 1, "type": "renamed", "nickname": "Bob (2)"}
    ]
    roster = frames_to(frames, state.staff_group(klass.pk), "roster")[0]
    assert sorted(s["nickname"] for s in roster["students"]) == ["Bob", "Bob (2)"]
    pair = frames_to(frames, state.student_group(bob.pk), "pair")[0]
    assert sorted(pair["pair"]["members"]) == ["Bob", "Bob (2)"]
    assert frames_to(frames, state.staff_group(klass.pk), "board")
    # The same name again is a no-op that still answers with the roster.
    assert actions.rename_student(klass, alice.pk, "Bob (2)")
    alice.refresh_from_db()
    assert alice.nickname == "Bob (2)"


@pytest.mark.parametrize(
    ("student", "name", "code"), [(None, "x", "unknown_student"), ("alice", " \t", "bad_nickname")]
)
def test_a_bad_rename_is_refused_and_changes_nothing(klass, alice, student, name, code):
    with pytest.raises(ProtocolError) as info:
        actions.rename_student(klass, alice.pk if student else 999_999, name)
    assert info.value.code == code and info.value.message
    alice.refresh_from_db()
    assert alice.nickname == "Alice"


def test_removing_a_student_deletes_their_answers_tells_them_and_their_cookie_stops_working(
    klass, alice, bob, db
):
    from django.core.management import call_command

    call_command("loaddata", "predictions", verbosity=0)
    client = Client()
    client.cookies[identity.cookie_name(klass.code)] = identity.cookie_signer(
        identity.cookie_name(klass.code)
    ).sign(str(alice.pk))
    page = reverse("course:classroom:student", args=[klass.code])
    assert 'id="me-name">Alice<' in client.get(page).content.decode()
    actions.form_pairs(klass)
    actions.submit_answer(klass, alice, "definition", 1, 0)
    actions.submit_answer(klass, bob, "definition", 0, 0)
    prediction = Prediction.objects.get(key="predict-delete-pod")
    actions.prediction_opened(klass, prediction, [])
    klass.refresh_from_db()
    actions.vote_prediction(klass, alice, prediction.key, 1)
    alice.refresh_from_db()
    actions.update_pair(klass, alice, "practice", "우리 팀은 배포 자동화")

    frames = actions.remove_student(klass, alice.pk)
    told = frames_to(frames, state.student_group(alice.pk), "removed")[0]
    assert told["message"] and told["join_url"] == page
    assert not Student.objects.filter(pk=alice.pk).exists()
    assert list(Answer.objects.values_list("student__nickname", flat=True)) == ["Bob"]
    assert not PredictionVote.objects.exists()
    assert Pair.objects.get().practice == "우리 팀은 배포 자동화"  # the pair keeps its shared answer
    roster = frames_to(frames, state.staff_group(klass.pk), "roster")[0]
    assert [s["nickname"] for s in roster["students"]] == ["Bob"]
    definition = next(
        r for r in frames_to(frames, state.staff_group(klass.pk), "results") if r["question"] == "definition"
    )
    assert (definition["answered"], definition["percent_correct"]) == (1, 0)
    assert frames_to(frames, state.student_group(bob.pk), "pair")[0]["pair"]["members"] == ["Bob"]
    # The old cookie no longer names a student: the join form shows, and joining again works.
    again = client.get(page).content.decode()
    assert 'name="nickname"' in again and "me-name" not in again
    response = client.post(
        reverse("course:classroom:join"), {"code": klass.code, "nickname": "Alice", "level": "beginner"}
    )
    assert response.status_code == 302
    assert Student.objects.filter(nickname="Alice").exclude(pk=alice.pk).exists()
    with pytest.raises(ProtocolError) as info:
        actions.remove_student(klass, alice.pk)
    assert info.value.code == "unknown_student"


def test_the_export_leaves_out_a_removed_student(klass, alice, bob, instructor):
    actions.submit_answer(klass, alice, "definition", 1, 0)
    actions.remove_student(klass, alice.pk)
    client = Client()
    client.force_login(instructor)
    text = client.get(reverse("course:classroom:export", args=[klass.code])).content.decode()
    assert "Alice" not in text


@pytest.mark.presence
@pytest.mark.django_db(transaction=True)
async def test_the_dashboard_sees_students_come_and_go_and_can_rename_and_remove_them(
    klass, alice, bob, instructor, monkeypatch
):
    from course.classroom import consumer
    from tests.course.classroom.conftest import student_cookie
    from tests.course.classroom.test_consumers import connect, receive, send, staff_cookie

    monkeypatch.setattr(consumer, "REFRESH_THROTTLE", 0.0)
    teacher, ok, _ = await connect(f"/ws/class/{klass.code}/teach/", staff_cookie(instructor))
    hello = await receive(teacher, "hello")
    assert (hello["roster"]["count"], hello["roster"]["online"]) == (2, 0)
    projector, ok, _ = await connect(f"/ws/class/{klass.code}/projector/", staff_cookie(instructor))
    assert (await receive(projector, "hello"))["students"] == 0

    student, ok, _ = await connect(f"/ws/class/{klass.code}/", student_cookie(alice))
    assert ok and (await receive(student, "hello"))["checklist"]["outcomes"]
    roster = await receive(teacher, "roster")
    assert roster["online"] == 1 and [s["online"] for s in roster["students"]] == [True, False]
    assert (await receive(projector, "roster"))["count"] == 1
    definition = await receive(teacher, "results")  # every result follows, counted over who is here
    assert definition["students"] == 1

    await send(student, "ping")
    assert (await receive(student, "pong")) == {"v": 1, "type": "pong"}
    # An answer: the student's own checklist at once, the dashboard's through the throttled refresh.
    await send(student, "answer", question="definition", response=1, round=0)
    mine = await receive(student, "checklist")
    assert next(r for r in mine["outcomes"] if r["outcome"] == "definition")["answered"] == 1
    klass_list = await receive(teacher, "checklist")
    while next(r for r in klass_list["outcomes"] if r["outcome"] == "definition")["students"] != 1:
        klass_list = await receive(teacher, "checklist")

    await send(teacher, "roster.rename", student=alice.pk, nickname="앨리스")
    assert (await receive(student, "renamed"))["nickname"] == "앨리스"
    await send(teacher, "roster.rename", student=alice.pk, nickname="   ")
    refused = await receive(teacher, "error")
    assert refused["code"] == "bad_nickname" and refused["message"] == "닉네임을 입력하세요."

    await send(teacher, "roster.remove", student=alice.pk)
    told = await receive(student, "removed")
    assert told["join_url"] == f"/class/{klass.code}/"
    assert (await student.receive_output(timeout=3))["type"] == "websocket.close"
    roster = await receive(teacher, "roster", timeout=3)
    while any(s["id"] == alice.pk for s in roster["students"]):  # the rename's roster came first
        roster = await receive(teacher, "roster", timeout=3)
    assert [s["nickname"] for s in roster["students"]] == ["Bob"]
    # The removed student's cookie opens no socket any more.
    again, ok, code = await connect(f"/ws/class/{klass.code}/", student_cookie(alice))
    assert not ok and code == 4403
    for comm in (teacher, projector):
        await comm.disconnect()


@pytest.mark.presence
@pytest.mark.django_db(transaction=True)
async def test_a_student_going_offline_updates_the_roster(klass, alice, instructor, monkeypatch):
    from course.classroom import consumer
    from tests.course.classroom.conftest import student_cookie
    from tests.course.classroom.test_consumers import connect, receive, staff_cookie

    monkeypatch.setattr(consumer, "REFRESH_THROTTLE", 0.0)
    teacher, _, _ = await connect(f"/ws/class/{klass.code}/teach/", staff_cookie(instructor))
    await receive(teacher, "hello")
    tab1, _, _ = await connect(f"/ws/class/{klass.code}/", student_cookie(alice))
    tab2, _, _ = await connect(f"/ws/class/{klass.code}/", student_cookie(alice))
    assert (await receive(teacher, "roster"))["online"] == 1
    await tab1.disconnect()
    await tab2.disconnect()
    roster = await receive(teacher, "roster")
    assert roster["online"] == 0 and roster["students"][0]["last_seen"]
    assert await Student.objects.filter(pk=alice.pk, sockets=0).aexists()
    await teacher.disconnect()
