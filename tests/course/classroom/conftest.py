"""A fixed cast for classroom tests: one instructor, one other staff member, a class, Alice (초급) and Bob (고급)."""

import pytest
from django.core.management import call_command

from course.classroom import actions, consumer, identity, presence


@pytest.fixture
def quizzes(lesson):
    """The shipped quiz questions; they belong to the shipped lesson, which loads first."""
    call_command("loaddata", "quizzes", verbosity=0)


@pytest.fixture
def instructor(db, django_user_model):
    return django_user_model.objects.create_user("teacher", password="teacher-password", is_staff=True)


@pytest.fixture
def other_staff(db, django_user_model):
    return django_user_model.objects.create_user("other", password="other-password", is_staff=True)


@pytest.fixture
def klass(lesson, quizzes, instructor):
    return actions.start_class(instructor, lesson, "2기 오전반")


@pytest.fixture
def alice(klass):
    student, _ = actions.join(klass, "Alice", "beginner")
    return student


@pytest.fixture
def bob(klass):
    student, _ = actions.join(klass, "Bob", "advanced")
    return student


def student_cookie(student) -> str:
    """Return the Cookie header value a browser that joined as `student` sends."""
    name = identity.cookie_name(student.session.code)
    value = identity.cookie_signer(name).sign(str(student.pk))
    return f"{name}={value}"


@pytest.fixture(autouse=True)
def quiet_presence(request, monkeypatch):
    """Keep the consumer's throttled refreshes (presence, class checklist) out of tests about something
    else, so their frames arrive in the order the test expects; tests marked `presence` get the real thing.
    Every test starts with full socket budgets (ratelimit.socket_budgets)."""
    if request.node.get_closest_marker("presence") is None:
        monkeypatch.setattr(consumer, "refresh_later", lambda session_id, kind: None)
    # Fresh socket budgets: a student's pk may come again in the next test (a flushed database reuses it).
    consumer.socket_budgets.clear()
    yield
    for task in consumer._pending.values():
        task.cancel()
    consumer._pending.clear()
    consumer._sent.clear()


def online(*students) -> None:
    """Count one open socket for each student, as their page connecting would."""
    for student in students:
        presence.connected(student.pk)
