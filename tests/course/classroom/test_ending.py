"""Ending a class: the dashboard's button, no new students, every screen told, everything kept."""

import pytest
from django.test import Client
from django.urls import reverse

from course.classroom import actions, state
from course.models import ClassSession, Student
from tests.course.classroom.conftest import student_cookie
from tests.course.classroom.test_consumers import connect, receive, send, staff_cookie


def end(client, klass):
    return client.post(reverse("course:classroom:end", args=[klass.code]))


@pytest.mark.django_db
def test_the_dashboard_has_a_confirmed_end_button_and_ending_marks_the_class(client, klass, instructor):
    client.force_login(instructor)
    page = client.get(reverse("course:classroom:teach", args=[klass.code])).content.decode()
    assert 'id="end-form"' in page and "data-confirm=" in page
    response = end(client, klass)
    assert response.status_code == 302 and response.url == reverse(
        "course:classroom:teach", args=[klass.code]
    )
    klass.refresh_from_db()
    assert klass.ended_at is not None
    page = client.get(response.url).content.decode()
    assert 'id="class-ended"' in page and 'id="end-form"' not in page
    listing = client.get(reverse("course:classroom:index")).content.decode()
    assert 'data-ended="true"' in listing and "끝남" in listing


@pytest.mark.django_db
def test_only_the_classes_instructor_ends_it_and_only_by_post(client, klass, other_staff, alice):
    assert client.get(reverse("course:classroom:end", args=[klass.code])).status_code == 405
    assert end(client, klass).status_code == 302 and "login" in end(client, klass).url  # students: to sign-in
    client.force_login(other_staff)
    assert end(client, klass).status_code == 404
    klass.refresh_from_db()
    assert klass.ended_at is None


@pytest.mark.django_db
def test_an_ended_class_admits_nobody_and_keeps_everything(client, klass, alice, instructor):
    actions.submit_answer(klass, alice, "definition", 1, 0)
    first = actions.end_class(klass)
    assert {group for group, _ in first} == {
        state.students_group(klass.pk),
        state.staff_group(klass.pk),
        state.projector_group(klass.pk),
    }
    ended_at = ClassSession.objects.get().ended_at
    actions.end_class(klass)  # twice keeps the first time
    assert ClassSession.objects.get().ended_at == ended_at

    response = client.post(reverse("course:classroom:join"), {"code": klass.code, "nickname": "늦은 학생"})
    assert response.status_code == 410 and "이 수업은 끝났습니다" in response.content.decode()
    assert not Student.objects.filter(nickname="늦은 학생").exists()
    # The QR target refuses a new browser the same way ...
    page = Client().get(reverse("course:classroom:student", args=[klass.code]))
    assert page.status_code == 410 and "이 수업은 끝났습니다" in page.content.decode()
    # ... while Alice still sees her page, and the export still has her answer.
    mine = Client()
    mine.cookies.load(student_cookie(alice))
    assert mine.get(reverse("course:classroom:student", args=[klass.code])).status_code == 200
    client.force_login(instructor)
    export = client.get(reverse("course:classroom:export", args=[klass.code])).content.decode()
    assert "Alice" in export and "definition" in export


@pytest.mark.django_db(transaction=True)
async def test_connected_students_are_told_and_their_frames_refused(klass, alice, instructor):
    from asgiref.sync import sync_to_async

    student, ok, _ = await connect(f"/ws/class/{klass.code}/", student_cookie(alice))
    assert ok
    await receive(student, "hello")
    teacher = await sync_to_async(Client)()
    await sync_to_async(teacher.force_login)(instructor)
    response = await sync_to_async(end)(teacher, klass)
    assert response.status_code == 302
    ended = await receive(student, "ended")
    assert ended["ended_at"] > 0
    await send(student, "answer", question="definition", response=1, round=0)
    error = await receive(student, "error")
    assert error["code"] == "ended" and "수업이 끝났습니다" in error["message"]
    await student.disconnect()
    # A student reconnecting later is told right after hello.
    again, ok, _ = await connect(f"/ws/class/{klass.code}/", student_cookie(alice))
    assert ok
    await receive(again, "hello")
    assert (await receive(again))["type"] == "ended"
    await again.disconnect()
    # The dashboard socket is unaffected: the instructor can still look around.
    staff, ok, _ = await connect(
        f"/ws/class/{klass.code}/teach/", await sync_to_async(staff_cookie)(instructor)
    )
    assert ok and (await receive(staff, "hello"))["role"] == "staff"
    await staff.disconnect()
