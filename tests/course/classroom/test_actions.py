"""Actions change the class and return the frames to broadcast; the quiz fixture is complete and gradable."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from course.classroom import actions, grading, presence, state
from course.classroom.protocol import ProtocolError
from course.models import Answer, Pair, Question, Student
from tests.course.classroom.conftest import online

pytestmark = pytest.mark.django_db


def frames_to(frames, group):
    return [json.loads(text) for g, text in frames if g == group]


def test_the_quiz_fixture_covers_every_section_kind_and_outcome(lesson, quizzes):
    questions = list(Question.objects.all())
    assert len(questions) >= 24
    assert {q.section for q in questions} >= set(lesson.sections.values_list("slug", flat=True))
    assert {q.kind for q in questions} == {"single", "multiple", "ordering", "matching", "yaml"}
    assert {q.outcome for q in questions} >= {"definition", "features", "architecture", "declarative"}


def test_every_fixture_question_accepts_its_own_correct_answer(quizzes):
    for q in Question.objects.exclude(kind="yaml"):
        response = grading.correct_response(q.kind, q.choices, q.answer)
        assert grading.grade(q.kind, q.choices, q.answer, response).correct, q.key


def test_six_step_flow_is_an_ordering_question(quizzes):
    q = Question.objects.get(key="six-step-flow")
    assert q.kind == "ordering" and len(q.choices) == 6


def test_start_class_draws_a_unique_code_and_starts_at_the_first_section(klass, instructor, lesson):
    other = actions.start_class(instructor, lesson)
    assert other.code != klass.code and len(klass.code) == 6
    assert klass.current_section == "overview"


def test_duplicate_nicknames_are_numbered(klass, alice):
    student, frames = actions.join(klass, " Alice ", "advanced")
    assert student.nickname == "Alice (2)"
    assert frames_to(frames, state.staff_group(klass.pk))[0]["count"] == 2
    assert (
        frames_to(frames, state.projector_group(klass.pk))[0]["students"] == []
    )  # no names on the projector


def test_unknown_levels_fall_back_to_beginner(klass):
    student, _ = actions.join(klass, "Chris", "wizard")
    assert student.level == "beginner"


def test_moving_sections_banks_time_and_tells_everyone(klass):
    t0 = timezone.now()
    actions.set_section(klass, "why", t0)
    frames = actions.set_section(klass, "concept-1", t0 + timedelta(minutes=6))
    klass.refresh_from_db()
    assert klass.section_seconds["why"] == 360.0
    section = frames_to(frames, state.students_group(klass.pk))[0]
    assert section["section"] == "concept-1" and section["planned"] == 12 * 60
    why = next(row for row in section["agenda"] if row["slug"] == "why")
    assert why["overrun"] == 60
    assert len({g for g, _ in frames}) == 3


def test_moving_sections_sends_the_instructor_a_fresh_checklist(klass, alice):
    for key in ("six-step-flow", "component-roles"):
        question = Question.objects.get(key=key)
        actions.submit_answer(
            klass, alice, key, grading.correct_response(question.kind, question.choices, question.answer), 0
        )
    frames = actions.set_section(klass, "wrap-up")
    checklist = frames_to(frames, state.staff_group(klass.pk))[-1]
    assert checklist["type"] == "checklist"
    architecture = next(row for row in checklist["outcomes"] if row["outcome"] == "architecture")
    assert (architecture["reached"], architecture["students"]) == (1, 1)
    assert "Docker Swarm" in " ".join(checklist["next"]["points"])


def test_an_unknown_section_is_refused(klass):
    with pytest.raises(ProtocolError):
        actions.set_section(klass, "nope")


def test_answers_are_graded_stored_and_summarised_for_the_instructor(klass, alice, bob):
    online(bob)  # Bob is in the room but has not answered; Alice answers without a socket open
    frames = actions.submit_answer(klass, alice, "definition", 1, 0)
    reply = frames_to(frames, state.student_group(alice.pk))[0]
    assert reply["correct"] and reply["explanation"] and reply["section_url"].endswith("/concept-1/")
    summary = frames_to(frames, state.staff_group(klass.pk))[0]
    assert summary["answered"] == 1 and summary["not_answered"] == ["Bob"]
    assert not frames_to(frames, state.projector_group(klass.pk))

    actions.submit_answer(klass, alice, "definition", 0, 0)
    stored = Answer.objects.get(student=alice)
    assert (stored.correct, stored.attempts, stored.response) == (False, 2, 0)


def test_a_malformed_answer_is_refused_and_not_stored(klass, alice):
    with pytest.raises(ProtocolError) as info:
        actions.submit_answer(klass, alice, "definition", 99, 0)
    assert info.value.code == "invalid_answer"
    with pytest.raises(ProtocolError):
        actions.submit_answer(klass, alice, "no-such-question", 1, 0)
    assert not Answer.objects.exists()


def test_peer_instruction_runs_two_rounds_side_by_side(klass, alice, bob):
    online(alice, bob)
    with pytest.raises(ProtocolError):
        actions.submit_answer(klass, alice, "etcd-role", 1, 1)  # not open yet
    frames = actions.open_live(klass, "etcd-role")
    public = frames_to(frames, state.student_group(alice.pk))[0]
    assert public["round"] == 1 and public["rounds"] == [] and "answer" not in public["question"]
    assert frames_to(frames, state.students_group(klass.pk)) == []  # per student: each their own order
    actions.submit_answer(klass, alice, "etcd-role", 0, 1)
    actions.submit_answer(klass, bob, "etcd-role", 1, 1)
    actions.reveal_live(klass)
    actions.revote_live(klass)
    with pytest.raises(ProtocolError):
        actions.submit_answer(klass, alice, "etcd-role", 1, 1)  # round 1 is over
    actions.submit_answer(klass, alice, "etcd-role", 1, 2)
    frames = actions.reveal_live(klass)
    projector = frames_to(frames, state.projector_group(klass.pk))[0]
    assert [r["percent_correct"] for r in projector["rounds"]] == [50, 100]
    assert "Alice" not in json.dumps(projector, ensure_ascii=False)
    staff = frames_to(frames, state.staff_group(klass.pk))[0]
    assert staff["rounds"][1]["not_answered"] == ["Bob"]


def test_pairs_mix_levels_and_an_odd_class_gets_one_trio(klass, alice, bob):
    actions.join(klass, "Chris", "intermediate")
    frames = actions.form_pairs(klass, seed=1)
    pairs = list(klass.pairs.all())
    assert len(pairs) == 1 and pairs[0].members.count() == 3
    assert len(frames_to(frames, state.student_group(alice.pk))) == 1
    actions.join(klass, "Dana", "beginner")
    actions.form_pairs(klass)
    assert klass.pairs.count() == 1 and Student.objects.filter(pair__isnull=True).count() == 0


def test_pair_updates_reach_only_the_pair_and_the_instructor(klass, alice, bob):
    chris, _ = actions.join(klass, "Chris", "beginner")
    dana, _ = actions.join(klass, "Dana", "advanced")
    actions.form_pairs(klass, seed=2)
    alice.refresh_from_db()
    partner = Student.objects.get(pair=alice.pair_id, pk__in=[bob.pk, chris.pk, dana.pk])
    other = Student.objects.exclude(pair=alice.pair_id).first()
    frames = actions.update_pair(klass, alice, "practice", "<script>alert(1)</script> 헬스 체크")
    groups = {g for g, _ in frames}
    assert state.student_group(partner.pk) in groups
    assert state.student_group(other.pk) not in groups
    assert state.students_group(klass.pk) not in groups


def test_pair_input_is_limited(klass, alice, bob):
    actions.form_pairs(klass)
    alice.refresh_from_db()
    with pytest.raises(ProtocolError):
        actions.update_pair(klass, alice, "practice", "가" * 501)
    with pytest.raises(ProtocolError):
        actions.update_pair(klass, alice, "features", ["storage", "secrets", "discovery", "deployment"])
    with pytest.raises(ProtocolError):
        actions.update_pair(klass, alice, "hidden", True)
    frames = actions.update_pair(klass, alice, "features", ["storage", "bogus"])
    assert Pair.objects.get().features == ["storage"]
    chart = frames_to(frames, state.projector_group(klass.pk))[0]["features"]
    assert chart[0]["key"] == "storage" and chart[0]["count"] == 1


def test_a_student_without_a_pair_cannot_update_one(klass, alice):
    with pytest.raises(ProtocolError):
        actions.update_pair(klass, alice, "practice", "x")


def test_pair_by_code(klass, alice, bob):
    pair, _ = actions.create_pair_code(klass, alice)
    assert len(pair.code) == 8
    # Typed on a phone: lower case, with a dash and spaces.
    joined, _ = actions.join_pair_by_code(klass, bob, f" {pair.code[:4].lower()}-{pair.code[4:]} ")
    assert joined == pair and pair.members.count() == 2
    with pytest.raises(ProtocolError):
        actions.join_pair_by_code(klass, bob, "ZZZZ")


def test_spotlight_shows_a_pair_without_names_and_hiding_removes_it(klass, alice, bob):
    actions.form_pairs(klass)
    pair = Pair.objects.get()
    alice.refresh_from_db()
    actions.update_pair(klass, alice, "automation", "배포까지 자동화")
    frames = actions.set_spotlight(klass, pair.pk)
    shown = frames_to(frames, state.projector_group(klass.pk))[0]["pair"]
    assert shown["automation"] == "배포까지 자동화" and "members" not in shown
    assert frames_to(frames, state.students_group(klass.pk))[0]["pair"]["id"] == pair.pk
    frames = actions.hide_pair(klass, pair.pk, True)
    assert frames_to(frames, state.projector_group(klass.pk))[-1] == {
        "v": 1,
        "type": "spotlight",
        "pair": None,
    }
    assert all(row["count"] == 0 for row in state.chart(klass))


def test_hello_states_restore_everything_after_a_reload(klass, alice, bob):
    actions.set_section(klass, "concept-2")
    actions.submit_answer(klass, alice, "feature-storage", 0, 0)
    actions.form_pairs(klass)
    alice.refresh_from_db()
    actions.update_pair(klass, alice, "practice", "롤링 업데이트")
    hello = state.student_hello(klass, Student.objects.get(pk=alice.pk), timezone.now())
    assert hello["section"]["section"] == "concept-2"
    assert hello["answered"] == {"feature-storage": {"response": 0, "correct": True}}
    assert hello["pair"]["practice"] == "롤링 업데이트"
    staff = state.staff_hello(klass, timezone.now())
    assert len(staff["results"]) == Question.objects.count()
    assert staff["roster"]["count"] == 2


def test_pairs_leave_out_students_who_have_left(klass, alice, bob):
    """Four joined, one left: the three in the room make one trio; whoever left is not anyone's partner."""
    chris, _ = actions.join(klass, "Chris", "intermediate")
    dana, _ = actions.join(klass, "Dana", "beginner")
    for student in (alice, bob, chris, dana):
        presence.connected(student.pk)
    presence.disconnected(dana.pk)  # Dana closed the tab
    actions.form_pairs(klass, seed=3)
    pair = Pair.objects.get()
    assert sorted(pair.members.values_list("nickname", flat=True)) == ["Alice", "Bob", "Chris"]
    dana.refresh_from_db()
    assert dana.pair is None
    # Back in the room, Dana joins a pair the next time the instructor forms pairs.
    presence.connected(dana.pk)
    actions.form_pairs(klass)
    dana.refresh_from_db()
    assert dana.pair is not None
