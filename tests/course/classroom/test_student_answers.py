"""The student side of answering: self-paced answers and live votes never block each other, the hello gives a
reloaded page back its votes, and every student sees their own shuffle of each question."""

import json
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from course.classroom import actions, grading, shuffle, state
from course.classroom.protocol import ProtocolError
from course.models import Answer, ClassSession, Question, Student
from tests.course.classroom.conftest import student_cookie

pytestmark = pytest.mark.django_db

LIVE = "etcd-role"  # single, answer 1
OTHER = "definition"  # single, answer 1
# (live question open, round, revealed)
LIVE_STATES = [
    (False, 0, False),
    (True, 1, False),
    (True, 1, True),
    (True, 2, False),
    (True, 2, True),
]


def frames_to(frames, group):
    return [json.loads(text) for g, text in frames if g == group]


def set_live(klass, is_open: bool, round_: int, revealed: bool) -> ClassSession:
    if is_open:
        actions.open_live(klass, LIVE)
        if round_ == 2:
            actions.revote_live(klass)
        if revealed:
            actions.reveal_live(klass)
    return ClassSession.objects.select_related("lesson", "live_question").get(pk=klass.pk)


@pytest.mark.parametrize(("is_open", "round_", "revealed"), LIVE_STATES)
@pytest.mark.parametrize("key", [LIVE, OTHER])
def test_self_paced_answers_are_stored_whatever_the_live_question_does(
    klass, alice, is_open, round_, revealed, key
):
    session = set_live(klass, is_open, round_, revealed)
    frames = actions.submit_answer(session, alice, key, 1, 0)
    stored = Answer.objects.get(student=alice, question__key=key, round=0)
    assert (stored.response, stored.correct) == (1, True)
    reply = frames_to(frames, state.student_group(alice.pk))[0]
    held = is_open and key == LIVE and not revealed
    # The grade of the question being voted on waits for the reveal; anything else is graded at once.
    assert reply["held"] is held
    assert reply["correct"] == (None if held else True)
    assert bool(reply["explanation"]) is not held
    assert reply["correct_response"] == (None if held else 1)
    # The dashboard hears about it either way.
    assert frames_to(frames, state.staff_group(klass.pk))[0]["answered"] == 1


@pytest.mark.parametrize(("is_open", "round_", "revealed"), LIVE_STATES)
@pytest.mark.parametrize("key", [LIVE, OTHER])
@pytest.mark.parametrize("vote_round", [1, 2])
def test_votes_count_only_for_the_open_question_and_its_round(
    klass, alice, is_open, round_, revealed, key, vote_round
):
    session = set_live(klass, is_open, round_, revealed)
    live_round = is_open and key == LIVE and vote_round == round_
    accepted = live_round and not revealed  # a revealed round is closed: the histogram would be copied
    if accepted:
        frames = actions.submit_answer(session, alice, key, 0, vote_round)
        assert Answer.objects.filter(student=alice, round=vote_round).count() == 1
        reply = frames_to(frames, state.student_group(alice.pk))[0]
        assert reply["explanation"] == "" and reply["correct_response"] is None
        assert reply["correct"] is None  # a vote's grade is never sent to the voter
    else:
        with pytest.raises(ProtocolError) as info:
            actions.submit_answer(session, alice, key, 0, vote_round)
        assert info.value.code == ("revealed" if live_round else "not_live")
        assert not Answer.objects.filter(student=alice, round=vote_round).exists()


def test_a_live_question_cannot_be_reopened_or_replaced_while_open(klass, alice):
    """A stray O on the dashboard must not wipe the round's votes: the open question is closed first."""
    session = set_live(klass, True, 1, False)
    actions.submit_answer(session, alice, LIVE, 1, 1)
    for key in (LIVE, OTHER):
        with pytest.raises(ProtocolError) as info:
            actions.open_live(session, key)
        assert info.value.code == "live_open"
    session.refresh_from_db()
    assert session.live_question.key == LIVE and session.live_round == 1
    assert Answer.objects.filter(student=alice, round=1).count() == 1
    actions.close_live(session)
    actions.open_live(session, OTHER)  # closed first: opening works again


def test_the_revealed_answer_and_explanation_reach_the_class_only_after_the_reveal(klass):
    """Students and the projector see the right answer itself once revealed, for every kind of question."""
    expected = {
        "etcd-role": ["etcd"],
        "master-components": ["API Server", "스케줄러", "컨트롤러", "etcd"],
        "six-step-flow": list(Question.objects.get(key="six-step-flow").choices),
        "component-roles": None,
    }
    for key, lines in expected.items():
        session = ClassSession.objects.select_related("lesson", "live_question").get(pk=klass.pk)
        actions.open_live(session, key)
        session.refresh_from_db()
        before = state.live_payload(session, names=False)
        assert before["answer_lines"] == [] and before["explanation"] == ""
        assert state.live_payload(session, names=True)["answer_lines"]  # the instructor sees it all along
        actions.reveal_live(session)
        session.refresh_from_db()
        after = state.live_payload(session, names=False)
        question = Question.objects.get(key=key)
        assert after["explanation"] == question.explanation
        if lines is not None:
            assert after["answer_lines"] == lines
        else:  # matching: every row with its own target
            right = question.choices["right"]
            assert after["answer_lines"] == [
                f"{left} → {right[i]}"
                for left, i in zip(question.choices["left"], question.answer, strict=True)
            ]
            assert after["answer_lines"][0] == "API Server → 모든 요청 처리"
        actions.close_live(session)


def test_an_unknown_round_is_refused(klass, alice):
    for bad in (-1, 3):
        with pytest.raises(ProtocolError) as info:
            actions.submit_answer(klass, alice, OTHER, 1, bad)
        assert info.value.code == "bad_round"
    assert not Answer.objects.exists()


def test_the_hello_carries_the_live_votes_the_prediction_and_held_grades(klass, alice, bob):
    session = set_live(klass, True, 1, False)
    actions.submit_answer(session, alice, LIVE, 0, 1)
    actions.submit_answer(session, alice, LIVE, 1, 0)  # the same question, self-paced: stored, grade held
    actions.submit_answer(session, alice, OTHER, 0, 0)
    hello = state.student_hello(session, alice, timezone.now())
    assert hello["live_votes"] == {"1": 0}
    assert hello["answered"] == {
        LIVE: {"response": 1, "correct": None},
        OTHER: {"response": 0, "correct": False},
    }
    assert state.student_hello(session, bob, timezone.now())["live_votes"] == {}
    actions.revote_live(session)  # round 2 keeps the round-1 vote
    actions.submit_answer(session, alice, LIVE, 1, 2)
    hello = state.student_hello(session, alice, timezone.now())
    assert hello["live_votes"] == {"1": 0, "2": 1}
    actions.reveal_live(session)
    session.refresh_from_db()
    assert state.student_hello(session, alice, timezone.now())["answered"][LIVE] == {
        "response": 1,
        "correct": True,
    }
    actions.close_live(session)
    session.refresh_from_db()
    assert state.student_hello(session, alice, timezone.now())["live_votes"] == {}


def test_the_hello_carries_the_students_prediction(klass, alice):
    call_command("loaddata", "predictions", verbosity=0)
    from course.models.classroom import Prediction

    prediction = Prediction.objects.get(key="predict-delete-pod")
    actions.prediction_opened(klass, prediction, [])
    actions.vote_prediction(klass, alice, prediction.key, 1)
    assert state.student_hello(klass, alice, timezone.now())["my_prediction"] == 1


# Per-student shuffles ---------------------------------------------------------------------------------


def correct_from_labels(question: Question, public: dict):
    """Answer as a student would: find the right labels on the shuffled page and submit their values."""
    kind, choices, answer = question.kind, question.choices, question.answer
    if kind == "single":
        return next(c["index"] for c in public["choices"] if c["label"] == choices[answer])
    if kind == "multiple":
        wanted = {choices[i] for i in answer}
        return [c["index"] for c in public["choices"] if c["label"] in wanted]
    if kind == "ordering":
        # Put the shown steps in the true order of their labels.
        by_label = {c["label"]: c["index"] for c in public["choices"]}
        return [by_label[label] for label in choices]
    options = public["choices"]["right"]
    return [next(o["index"] for o in options if o["label"] == choices["right"][t]) for t in answer]


def test_every_fixture_question_is_shuffled_per_student_and_still_grades(klass):
    students = [actions.join(klass, f"학생{i}", "beginner")[0] for i in range(12)]
    questions = Question.objects.exclude(kind="yaml")
    assert questions.count() >= 25
    for question in questions:
        orders = set()
        for student in students:
            public = state.question_public(question, klass.lesson.slug, student.pk)
            assert "answer" not in public
            assert public == state.question_public(question, klass.lesson.slug, student.pk)  # stable
            shown = [
                c["index"]
                for c in (public["choices"]["right"] if question.kind == "matching" else public["choices"])
            ]
            orders.add(tuple(shown))
            if question.kind == "ordering":
                assert shown != list(range(len(question.choices)))
            elif question.kind == "matching":
                assert shown != list(range(len(question.choices["right"])))
                assert shown[: len(question.answer)] != question.answer[: len(shown)]
                assert public["choices"]["left"] == question.choices["left"]
            else:
                assert shown != list(range(len(question.choices)))
            response = correct_from_labels(question, public)
            assert grading.grade(question.kind, question.choices, question.answer, response).correct, (
                question.key
            )
        if len(shown) > 2:  # two targets have one order besides the authored one
            assert len(orders) > 1, f"{question.key}: every student got the same order"


def test_the_dashboard_and_projector_keep_the_authored_shapes(klass):
    single = state.question_public(Question.objects.get(key=OTHER), klass.lesson.slug)
    assert single["choices"] == Question.objects.get(key=OTHER).choices
    authored = Question.objects.get(key="component-roles").choices
    matching = state.question_public(Question.objects.get(key="component-roles"), klass.lesson.slug)
    assert matching["choices"]["left"] == authored["left"]
    assert sorted(matching["choices"]["right"]) == sorted(authored["right"])


def test_the_room_never_sees_a_matching_answer_on_the_diagonal_nor_an_ordering_answer(klass):
    """The projector is read by every student: its one list follows the same rules as a student's shuffle."""
    for question in Question.objects.filter(kind__in=["matching", "ordering"]):
        shown = state.question_public(question, klass.lesson.slug)["choices"]
        if question.kind == "matching":
            right = question.choices["right"]
            order = [right.index(label) for label in shown["right"]]
            assert sorted(order) == list(range(len(right)))
            assert shuffle.diagonal_hits(order, question.answer) <= 1, question.key
        else:
            order = [item["index"] for item in shown]
            assert order != sorted(order), question.key
            assert not grading.grade(question.kind, question.choices, question.answer, order).correct


def test_each_student_gets_the_live_question_in_their_own_order(klass, alice, bob):
    frames = actions.open_live(klass, "component-roles")
    mine = frames_to(frames, state.student_group(alice.pk))[0]
    theirs = frames_to(frames, state.student_group(bob.pk))[0]
    session = ClassSession.objects.select_related("lesson", "live_question").get(pk=klass.pk)
    assert mine["question"] == state.question_public(session.live_question, klass.lesson.slug, alice.pk)
    assert theirs["question"] == state.question_public(session.live_question, klass.lesson.slug, bob.pk)
    assert mine["question"]["choices"]["right"] != theirs["question"]["choices"]["right"]
    projector = frames_to(frames, state.projector_group(klass.pk))[0]
    assert (
        projector["question"]["choices"]
        == state.question_public(session.live_question, klass.lesson.slug)["choices"]
    )
    hello = state.student_hello(session, Student.objects.get(pk=alice.pk), timezone.now())
    assert hello["live"]["question"] == mine["question"]
    # Closing reaches every student at once.
    closed = actions.close_live(session)
    assert frames_to(closed, state.students_group(klass.pk))[0]["question"] is None


def test_the_section_page_shows_the_students_order_with_original_values(klass, alice, bob):
    pages = {}
    for student in (alice, bob):
        client = Client(HTTP_COOKIE=student_cookie(student))
        html = client.get(
            reverse("course:classroom:fragment", args=[klass.code, "concept-3"])
        ).content.decode()
        form = html[html.index('id="quiz-component-roles"') :]
        form = form[: form.index("</form>")]
        first_select = form[form.index("<select") : form.index("</select>")]
        pages[student.pk] = re.findall(r'<option value="(\d+)">', first_select)
    assert sorted(pages[alice.pk], key=int) == [str(i) for i in range(6)]
    assert pages[alice.pk] != pages[bob.pk]
    expected = [
        str(c["index"])
        for c in state.question_public(
            Question.objects.get(key="component-roles"), klass.lesson.slug, alice.pk
        )["choices"]["right"]
    ]
    assert pages[alice.pk] == expected


def test_a_held_answer_renders_without_its_grade(klass, alice):
    session = set_live(klass, True, 1, False)
    actions.submit_answer(session, alice, LIVE, 1, 0)
    client = Client(HTTP_COOKIE=student_cookie(alice))
    html = client.get(reverse("course:classroom:fragment", args=[klass.code, "concept-3"])).content.decode()
    form = html[html.index('id="quiz-etcd-role"') :]
    form = form[: form.index("</form>")]
    assert "답을 저장했습니다" in form and "정답입니다" not in form and "다시 생각해 보세요" not in form
    actions.reveal_live(session)
    html = client.get(reverse("course:classroom:fragment", args=[klass.code, "concept-3"])).content.decode()
    form = html[html.index('id="quiz-etcd-role"') :]
    assert "정답입니다" in form[: form.index("</form>")]
