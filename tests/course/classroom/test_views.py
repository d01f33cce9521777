"""Classroom pages: join by code with a signed cookie, the instructor's pages, CSV export, escaping, CSRF."""

import csv
import io
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from course.classroom import actions, export
from course.models import ClassSession, Question, Student
from course.models.classroom import Prediction

pytestmark = pytest.mark.django_db


def join(client, klass, nickname="민수", level="intermediate"):
    return client.post(
        reverse("course:classroom:join"), {"code": klass.code.lower(), "nickname": nickname, "level": level}
    )


def test_it_shows_the_join_form(client, lesson):
    response = client.get(reverse("course:classroom:index") + "?code=abc")
    assert response.status_code == 200
    assert 'value="ABC"' in response.content.decode()


def test_joining_sets_a_signed_cookie_and_a_reload_keeps_the_student(client, klass):
    response = join(client, klass)
    assert response.status_code == 302 and response.url == reverse(
        "course:classroom:student", args=[klass.code]
    )
    student = Student.objects.get()
    assert (student.nickname, student.level) == ("민수", "intermediate")
    page = client.get(response.url)
    assert page.status_code == 200 and "민수" in page.content.decode()
    assert 'id="classroom-config"' in page.content.decode()
    join(client, klass)  # the same browser joining again stays the same student
    assert Student.objects.count() == 1


def test_a_forged_cookie_is_not_a_student(client, klass, alice):
    client.cookies[f"class_{klass.code}"] = str(alice.pk)
    page = client.get(reverse("course:classroom:student", args=[klass.code]))
    assert 'id="join-form"' in page.content.decode()


def test_a_wrong_code_shows_an_error(client, lesson):
    response = client.post(reverse("course:classroom:join"), {"code": "NOPE", "nickname": "x"})
    assert response.status_code == 400
    assert "수업 코드가 없습니다" in response.content.decode()


def test_an_empty_nickname_shows_an_error(client, klass):
    response = join(client, klass, nickname="   ")
    assert response.status_code == 400 and not Student.objects.exists()


def test_forms_need_a_csrf_token(klass):
    strict = Client(enforce_csrf_checks=True)
    assert join(strict, klass).status_code == 403


def test_nicknames_are_escaped(client, klass, instructor):
    join(client, klass, nickname="<img src=x onerror=alert(1)>")
    page = client.get(reverse("course:classroom:student", args=[klass.code])).content.decode()
    assert "<img src=x" not in page and "&lt;img src=x" in page


def test_the_fragment_renders_the_section_with_its_quizzes(client, klass):
    join(client, klass)
    page = client.get(reverse("course:classroom:fragment", args=[klass.code, "concept-3"])).content.decode()
    assert 'data-key="six-step-flow"' in page and 'data-kind="ordering"' in page
    assert client.get(reverse("course:classroom:fragment", args=[klass.code, "nope"])).status_code == 404


def test_the_wrap_up_shows_the_checklist_and_next_session(client, klass):
    join(client, klass)
    page = client.get(reverse("course:classroom:fragment", args=[klass.code, "wrap-up"])).content.decode()
    assert "마스터-워커 아키텍처 구조 이해" in page and "Docker Swarm" in page


def test_a_fragment_needs_the_cookie(client, klass):
    assert client.get(reverse("course:classroom:fragment", args=[klass.code, "why"])).status_code == 404


def test_students_can_pair_by_code(client, klass, bob):
    join(client, klass)
    client.post(reverse("course:classroom:pair", args=[klass.code]), {"action": "create"})
    me = Student.objects.get(nickname="민수")
    pair_code = me.pair.code
    other = Client()
    join(other, klass, nickname="지수")
    other.post(
        reverse("course:classroom:pair", args=[klass.code]), {"action": "join", "pair_code": pair_code}
    )
    assert Student.objects.get(nickname="지수").pair_id == me.pair_id
    other.post(reverse("course:classroom:pair", args=[klass.code]), {"action": "join", "pair_code": "ZZZZ"})
    page = other.get(reverse("course:classroom:student", args=[klass.code])).content.decode()
    assert "페어 코드가 없습니다" in page


def test_an_instructor_starts_a_class_and_sees_code_url_and_qr(client, lesson, quizzes, instructor):
    client.force_login(instructor)
    assert "start-form" in client.get(reverse("course:classroom:index")).content.decode()
    response = client.post(reverse("course:classroom:start"), {"title": "오후반"})
    klass = ClassSession.objects.get()
    assert response.url == reverse("course:classroom:teach", args=[klass.code])
    page = client.get(response.url).content.decode()
    assert klass.code in page and "<svg" in page and f"http://testserver/class/{klass.code}/" in page


def test_start_refuses_get_and_students(client, lesson):
    assert client.get(reverse("course:classroom:start")).status_code == 405
    assert client.post(reverse("course:classroom:start")).status_code == 302  # to the login page


def test_other_staff_cannot_open_someone_elses_class(client, klass, other_staff):
    client.force_login(other_staff)
    assert client.get(reverse("course:classroom:teach", args=[klass.code])).status_code == 404
    assert client.get(reverse("course:classroom:projector", args=[klass.code])).status_code == 404
    assert client.get(reverse("course:classroom:export", args=[klass.code])).status_code == 404


def test_the_projector_page_has_no_names(client, klass, alice, instructor):
    client.force_login(instructor)
    page = client.get(reverse("course:classroom:projector", args=[klass.code])).content.decode()
    assert klass.code in page and "Alice" not in page


def test_export_has_every_answer_prediction_and_pair_answer_under_korean_labels(
    client, klass, alice, bob, instructor
):
    call_command("loaddata", "predictions", verbosity=0)
    actions.submit_answer(klass, alice, "six-step-flow", [0, 1, 2, 3, 4, 5], 0)
    actions.submit_answer(klass, alice, "six-step-flow", [1, 0, 2, 3, 4, 5], 0)  # a second attempt
    actions.submit_answer(klass, bob, "component-roles", [0, 1, 2, 3, 4, 5], 0)
    prediction = Prediction.objects.get(key="predict-delete-pod")
    actions.prediction_opened(klass, prediction, [])
    klass.refresh_from_db()
    actions.vote_prediction(klass, bob, "predict-delete-pod", prediction.answer)
    actions.form_pairs(klass)
    alice.refresh_from_db()
    actions.update_pair(klass, alice, "practice", "=cmd|' /C calc'!A0")
    actions.update_pair(klass, alice, "features", ["deployment", "secrets"])
    client.force_login(instructor)
    response = client.get(reverse("course:classroom:export", args=[klass.code]))
    text = response.content.decode("utf-8")
    assert response["Content-Type"].startswith("text/csv") and text.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header, rows = table[0], table[1:]
    assert header == export.HEADER and header[:4] == ["구분", "수업 코드", "닉네임", "수준"]
    assert header[-3:] == ["정답", "시도 횟수", "마지막 수정 시각"]
    by_kind = {}
    for row in rows:
        by_kind.setdefault(row[0], []).append(dict(zip(header, row, strict=True)))
    quiz = by_kind["퀴즈"]
    assert [(r["닉네임"], r["수준"], r["문제 키"], r["정답"], r["시도 횟수"]) for r in quiz] == [
        ("Alice", "초급", "six-step-flow", "X", "2"),
        ("Bob", "고급", "component-roles", "O", "1"),
    ]
    steps = Question.objects.get(key="six-step-flow").choices
    assert quiz[0]["응답"] == " → ".join(steps[i] for i in [1, 0, 2, 3, 4, 5])
    assert "API Server=모든 요청 처리" in quiz[1]["응답"] and quiz[1]["라운드"] == "자율 풀이"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", quiz[0]["마지막 수정 시각"])
    (vote,) = by_kind["예측"]
    assert (vote["닉네임"], vote["정답"], vote["문제 키"]) == ("Bob", "O", "predict-delete-pod")
    assert vote["응답"] == prediction.choices[prediction.answer]
    pair_rows = by_kind["페어 토론"]
    assert len(pair_rows) == 3 and {r["페어"] for r in pair_rows} == {"1"}
    assert pair_rows[0]["응답"] == "컨테이너 배포 / 시크릿 관리"
    assert pair_rows[1]["응답"] == "'=cmd|' /C calc'!A0"  # formula neutralised
    assert pair_rows[1]["시도 횟수"] == "2" and pair_rows[1]["마지막 수정 시각"]
    assert set(pair_rows[0]["닉네임"].split(", ")) == {"Alice", "Bob"}
    assert len(rows) == 2 + 1 + 3  # the latest answer per question and round, with its attempts


def test_unknown_class_is_404(client, lesson):
    assert client.get(reverse("course:classroom:student", args=["ZZZZZZ"])).status_code == 404


def test_a_stale_current_section_falls_back_to_the_first(client, klass):
    klass.current_section = "renamed-away"
    klass.save()
    join(client, klass)
    page = client.get(reverse("course:classroom:student", args=[klass.code]))
    assert page.status_code == 200 and 'data-section="overview"' in page.content.decode()


def test_a_reload_of_the_pair_form_address_goes_back_to_the_student_page(client, klass):
    """A refused pair-code POST leaves /pair/ in the address bar: reloading it must not be a blank 405."""
    join(client, klass)
    response = client.get(reverse("course:classroom:pair", args=[klass.code]))
    assert response.status_code == 302
    assert response.url == reverse("course:classroom:student", args=[klass.code]) + "#pair"


def test_the_csv_is_korean_whatever_the_exporters_language(client, klass, instructor):
    student, _ = actions.join(klass, "민수", "intermediate")
    actions.submit_answer(klass, student, "definition", 1, 0)
    client.force_login(instructor)
    url = reverse("course:classroom:export", args=[klass.code])
    text = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode("utf-8-sig")
    row = next(r for r in csv.DictReader(io.StringIO(text)) if r["닉네임"] == "민수")
    assert row["수준"] == "중급" and row["구분"] == "퀴즈"
    assert "Intermediate" not in text


def test_join_errors_speak_the_pages_language(client, klass):
    """An English page gets English errors; the Korean page keeps the Korean ones."""
    url = reverse("course:classroom:join")
    english = client.post(url, {"code": "ZZZZZZ", "nickname": "x"}, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 400 and "There is no class with that code" in english.content.decode()
    korean = Client().post(url, {"code": "ZZZZZZ", "nickname": "x"}, HTTP_ACCEPT_LANGUAGE="ko")
    assert "그런 수업 코드가 없습니다" in korean.content.decode()
    blank = Client().post(url, {"code": klass.code, "nickname": "  "}, HTTP_ACCEPT_LANGUAGE="en")
    assert blank.status_code == 400 and "Enter a nickname." in blank.content.decode()
