"""A class runs on ONE lesson of the course: the instructor picks it at start, and the class then uses that
lesson's sections, quizzes, predictions, scenarios and checklist only (two lessons in every test)."""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from course.classroom import actions, checklist, state
from course.classroom.protocol import ProtocolError
from course.models import ClassSession, Question
from course.models.classroom import Prediction
from tests.course.lessons import make_lesson, place
from visualizer.models import Scenario, ScenarioCompletion

pytestmark = pytest.mark.django_db


@pytest.fixture
def second(lesson, quizzes):
    """A second lesson (week 3) with two sections, two quizzes of its own (one per outcome kind it checks),
    a prediction and a scenario, beside the shipped lesson (week 2) and its 31 quizzes."""
    place(lesson, 2, 4, 2)
    other = make_lesson(
        "week3-day1-session1",
        week=3,
        day=1,
        session=1,
        sections=[("intro", 10, 0), ("pods", 20, 2)],
    )
    for order, (key, section, outcome) in enumerate(
        [("pods-what", "intro", ""), ("pods-restart", "pods", "definition")]
    ):
        Question.objects.create(
            key=key,
            lesson=other,
            order=order,
            section=section,
            outcome=outcome,
            kind="single",
            prompt=f"{key} 질문",
            choices=["예", "아니요"],
            answer=0,
            explanation=f"{key} 해설",
        )
    Prediction.objects.create(
        key="pods-predict",
        lesson=other,
        section="pods",
        prompt="파드를 지우면?",
        choices=["다시 생긴다", "사라진다"],
        answer=0,
        explanation="컨트롤러가 다시 만든다",
        action="kubectl delete pod {pod:app=web}",
    )
    Scenario.objects.create(slug="pods-lab", title="파드 실습", lesson=other, diagram_number=1, steps=[])
    return other


def start(client, lesson_pk=None, **extra):
    data = {"title": "반", **extra}
    if lesson_pk is not None:
        data["lesson"] = lesson_pk
    return client.post(reverse("course:classroom:start"), data)


def join(client, klass, nickname="민수"):
    client.post(
        reverse("course:classroom:join"), {"code": klass.code, "nickname": nickname, "level": "beginner"}
    )


def test_the_start_form_lists_the_lessons_and_defaults_to_the_most_recent_classs_lesson(
    client, instructor, lesson, second
):
    client.force_login(instructor)
    page = client.get(reverse("course:classroom:index")).content.decode()
    options = re.findall(r'<option value="(\d+)"( selected)?>', page)
    # Course order (week 2 before week 3); with no class yet the course's first lesson is preselected.
    assert options == [(str(lesson.pk), " selected"), (str(second.pk), "")]
    start(client, second.pk)
    page = client.get(reverse("course:classroom:index")).content.decode()
    assert re.findall(r'<option value="(\d+)"( selected)?>', page) == [
        (str(lesson.pk), ""),
        (str(second.pk), " selected"),
    ]
    # Without a choice the new class takes the default too.
    start(client)
    assert ClassSession.objects.first().lesson == second


def test_starting_on_a_lesson_that_does_not_exist_is_refused_and_starts_nothing(
    client, instructor, lesson, second
):
    client.force_login(instructor)
    for bad in ("999999", "abc", "-1"):
        response = start(client, bad)
        assert response.status_code == 400
        assert "그런 레슨이 없습니다" in response.content.decode()
    assert not ClassSession.objects.exists()


def test_the_second_lessons_class_shows_its_own_sections_and_quizzes_only(client, instructor, second):
    client.force_login(instructor)
    start(client, second.pk)
    klass = ClassSession.objects.get()
    assert klass.lesson == second and klass.current_section == "intro"

    # The dashboard: its sections, its quizzes and its prediction, nothing of the first lesson.
    teach = client.get(reverse("course:classroom:teach", args=[klass.code])).content.decode()
    config = json.loads(
        re.search(r'<script id="classroom-config" type="application/json">(.*?)</script>', teach, re.S).group(
            1
        )
    )
    assert config["sections"] == ["intro", "pods"]
    assert sorted(config["questions"]) == ["pods-restart", "pods-what"]
    assert "pods-predict" in teach and "predict-delete-pod" not in teach
    assert 'data-lesson="week3-day1-session1"' in teach  # the header names the class's lesson

    # The student: the intro section with its quiz; the first lesson's quizzes never appear.
    student = Client()
    join(student, klass)
    page = student.get(reverse("course:classroom:student", args=[klass.code])).content.decode()
    assert "intro of week3-day1-session1" in page
    assert 'data-key="pods-what"' in page and 'data-key="pods-restart"' not in page
    fragment = student.get(reverse("course:classroom:fragment", args=[klass.code, "pods"])).content.decode()
    assert 'data-key="pods-restart"' in fragment and 'data-key="pods-what"' not in fragment
    assert len(re.findall(r'data-key="', fragment)) == 1
    # The first lesson's section slugs are not this class's sections.
    assert (
        student.get(reverse("course:classroom:fragment", args=[klass.code, "concept-3"])).status_code == 404
    )


def test_the_first_lessons_class_keeps_its_own_quizzes(client, instructor, lesson, second):
    client.force_login(instructor)
    start(client, lesson.pk)
    klass = ClassSession.objects.get()
    teach = client.get(reverse("course:classroom:teach", args=[klass.code])).content.decode()
    config = json.loads(
        re.search(r'<script id="classroom-config" type="application/json">(.*?)</script>', teach, re.S).group(
            1
        )
    )
    assert len(config["questions"]) == 31 and "pods-what" not in config["questions"]


def test_another_lessons_question_or_prediction_is_unknown_in_a_class(instructor, lesson, second):
    klass = actions.start_class(instructor, second)
    student, _ = actions.join(klass, "Alice", "beginner")
    for call in (
        lambda: actions.submit_answer(klass, student, "why-tempo", 2, 0),
        lambda: actions.open_live(klass, "why-tempo"),
        lambda: actions.prediction_to_open(klass, "predict-delete-pod"),
    ):
        with pytest.raises(ProtocolError) as raised:
            call()
        assert raised.value.code in ("unknown_question", "unknown_prediction")
    actions.submit_answer(klass, student, "pods-what", 0, 0)  # its own question is accepted
    assert [row["key"] for row in state.predictions(klass)] == ["pods-predict"]
    hello = state.staff_hello(klass, timezone.now())
    assert [r["question"] for r in hello["results"]] == ["pods-what", "pods-restart"]


def test_the_checklist_has_the_lessons_own_outcomes_evidence_and_preview(instructor, lesson, second):
    """The second lesson's questions prove `definition` only, its scenarios no outcome by name; the first
    lesson's scenarios completed by the student are no evidence here; its Markdown has no 다음 세션 준비."""
    klass = actions.start_class(instructor, second)
    student, _ = actions.join(klass, "Alice", "beginner", visualizer_key="user:9")
    Scenario.objects.create(slug="six-step-flow", title="6단계", lesson=lesson, diagram_number=10, steps=[])
    ScenarioCompletion.objects.create(owner_key="user:9", scenario="six-step-flow")
    ScenarioCompletion.objects.create(owner_key="user:9", scenario="pods-lab")
    mine = state.checklist_for_student(klass, student)
    assert [row["outcome"] for row in mine["outcomes"]] == ["definition"]
    assert mine["scenarios"] == ["파드 실습"]
    assert mine["next"] is None
    assert checklist.scenario_evidence([student.pk], second.pk) == {}
    assert [row["outcome"] for row in state.checklist_for_class(klass)["outcomes"]] == ["definition"]
    # In a class of the first lesson the same completion counts (architecture), with the lesson's preview.
    first = actions.start_class(instructor, lesson)
    other, _ = actions.join(first, "Bob", "beginner", visualizer_key="user:9")
    assert checklist.scenario_evidence([other.pk], lesson.pk) == {other.pk: {"architecture"}}
    assert state.checklist_for_student(first, other)["next"]["title"] == "Session 3 연결점"


def test_the_checklist_goes_on_the_lessons_task_list_section(client, instructor, lesson, second):
    """The shipped lesson's checklist is on 세션 마무리 (its task list); a lesson without a task list gets it on
    its last section, and a lesson whose content proves no outcome shows none."""
    assert state.checklist_section(actions.start_class(instructor, lesson)) == "wrap-up"
    klass = actions.start_class(instructor, second)
    assert state.checklist_section(klass) == "pods"
    student = Client()
    join(student, klass)
    page = student.get(reverse("course:classroom:fragment", args=[klass.code, "pods"])).content.decode()
    assert 'id="my-checklist"' in page and "오케스트레이션의 정확한 정의와 철학 이해" in page
    assert "8가지 핵심 기능" not in page
    Question.objects.filter(lesson=second).update(outcome="")
    page = student.get(reverse("course:classroom:fragment", args=[klass.code, "pods"])).content.decode()
    assert 'id="my-checklist"' not in page


def test_next_session_is_read_from_the_lessons_markdown(lesson):
    """The shipped lesson's 다음 세션 준비, as the author wrote it (emphasis and quotes left out)."""
    assert checklist.next_session(lesson.source) == {
        "title": "Session 3 연결점",
        "points": [
            "오케스트레이션을 구현하는 구체적 도구들 비교",
            "Docker Swarm: 간단하고 Docker 친화적",
            "Kubernetes: 강력하고 업계 표준",
            "상황별 최적 도구 선택 기준",
        ],
        "questions": [
            "간단한 시스템 vs 복잡한 시스템, 어떤 도구가 적합할까?",
            "학습 비용 vs 기능 풍부함, 어떤 것을 선택할까?",
        ],
    }
    assert checklist.next_session("# T\n## 📝 세션 마무리\n- [x] 끝\n") is None


def question_form(lesson, section: str, key: str = "pods-new") -> dict:
    return {
        "key": key,
        "lesson": lesson.pk,
        "order": 5,
        "section": section,
        "outcome": "",
        "kind": "single",
        "prompt": "새 질문",
        "choices": '["예", "아니요"]',
        "answer": "0",
        "explanation": "해설",
        "is_active": "on",
    }


def test_the_admin_adds_a_quiz_to_any_lesson_and_refuses_a_section_of_another(admin_client, lesson, second):
    """The section must be one of the chosen lesson's: concept-2 is the first lesson's, not the second's."""
    url = reverse("admin:course_question_add")
    response = admin_client.post(url, question_form(second, "concept-2"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "concept-2" in page and "섹션이 없습니다" in page and "intro, pods" in page
    assert not Question.objects.filter(key="pods-new").exists()
    missing = {**question_form(second, "intro"), "lesson": ""}
    assert admin_client.post(url, missing).status_code == 200
    assert not Question.objects.filter(key="pods-new").exists()

    assert admin_client.post(url, question_form(second, "pods")).status_code == 302
    assert Question.objects.get(key="pods-new").lesson == second
    # The list filters by lesson.
    listing = admin_client.get(
        reverse("admin:course_question_changelist") + f"?lesson__id__exact={second.pk}"
    )
    assert "pods-new" in listing.content.decode() and "why-tempo" not in listing.content.decode()


def test_the_admin_checks_a_predictions_section_against_its_lesson(admin_client, lesson, second):
    prediction = Prediction.objects.get(key="pods-predict")
    url = reverse("admin:course_prediction_change", args=[prediction.pk])
    form = {
        "key": "pods-predict",
        "lesson": second.pk,
        "order": 0,
        "section": "why",
        "prompt": "파드를 지우면?",
        "choices": '["다시 생긴다", "사라진다"]',
        "answer": 0,
        "explanation": "x",
        "fresh": "on",
        "setup": "[]",
        "action": "kubectl delete pod {pod:app=web}",
        "is_active": "on",
    }
    assert admin_client.post(url, form).status_code == 200
    assert Prediction.objects.get(key="pods-predict").section == "pods"
    assert admin_client.post(url, {**form, "section": ""}).status_code == 302  # no section: allowed
    assert Prediction.objects.get(key="pods-predict").section == ""


def test_the_data_migration_gives_unassigned_rows_to_the_first_lesson(lesson, quizzes):
    """Migration 0011 (course) and 0004 (visualizer): rows from before lessons owned them join
    week2-day4-session2 when it exists; scenarios that practise no figure stay lesson-independent."""
    import importlib

    from django.apps import apps
    from django.core.management import call_command

    call_command("loaddata", "predictions", "scenarios", verbosity=0)
    Scenario.objects.create(slug="free", title="자유 실습", steps=[])
    for model in (Question, Prediction, Scenario):
        model.objects.update(lesson=None)
    importlib.import_module("course.migrations.0012_lesson_owns_quizzes").assign_first_lesson(apps, None)
    importlib.import_module("visualizer.migrations.0004_scenario_lesson").assign_first_lesson(apps, None)
    assert not Question.objects.filter(lesson__isnull=True).exists()
    assert not Prediction.objects.filter(lesson__isnull=True).exists()
    assert list(Scenario.objects.filter(lesson__isnull=True).values_list("slug", flat=True)) == ["free"]
    assert Scenario.objects.filter(lesson=lesson).count() == 10


def test_a_quiz_fixture_for_another_lesson_loads_without_pk_and_reloads_in_place(tmp_path, second):
    """The docs' fixture format (docs/classroom.md, Quizzes for any lesson): lesson by slug, no pk."""
    from django.core.management import call_command

    entry = {
        "model": "course.question",
        "fields": {
            "key": "w3-extra",
            "lesson": ["week3-day1-session1"],
            "order": 10,
            "section": "pods",
            "outcome": "",
            "kind": "single",
            "prompt": "처음 문장",
            "choices": ["가", "나"],
            "answer": 1,
            "explanation": "해설",
            "is_active": True,
        },
    }
    path = tmp_path / "quizzes-week3.json"
    path.write_text(json.dumps([entry], ensure_ascii=False), encoding="utf-8")
    call_command("loaddata", str(path), verbosity=0)
    entry["fields"]["prompt"] = "고친 문장"
    path.write_text(json.dumps([entry], ensure_ascii=False), encoding="utf-8")
    call_command("loaddata", str(path), verbosity=0)
    assert list(Question.objects.filter(key="w3-extra").values_list("prompt", "lesson")) == [
        ("고친 문장", second.pk)
    ]
