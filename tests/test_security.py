"""Headers and defences every page gets: Content-Security-Policy without inline scripts, admin sign-in lockout,
Secure cookies behind HTTPS, HSTS when asked."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from course.classroom import identity

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_every_page_has_a_policy_without_inline_script(client, lesson):
    for url in ("/", reverse("course:classroom:index"), "/admin/login/", "/cluster/", "/no-such-page/"):
        response = client.get(url, follow=True)
        policy = directives(response["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'"], url
        assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
        assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
        assert policy["style-src"] == ["'self'", "'unsafe-inline'"]  # mermaid's diagrams carry inline styles


def test_pages_carry_no_inline_script_or_handler(client, lesson, django_user_model, klass_for_pages):
    """What the policy would block must not be there in the first place (JSON data blocks are fine)."""
    teacher = django_user_model.objects.get(username="teacher")
    client.force_login(teacher)
    code = klass_for_pages.code
    pages = [
        "/",
        "/lesson/week2-day4-session2/concept-3/",
        reverse("course:classroom:index"),
        reverse("course:classroom:teach", args=[code]),
        reverse("course:classroom:projector", args=[code]),
        "/cluster/",
        "/cluster/scenarios/",
    ]
    for url in pages:
        html = client.get(url, follow=True).content.decode()
        assert not INLINE_SCRIPT.findall(html), url
        assert not INLINE_HANDLER.findall(html), url


@pytest.fixture
def klass_for_pages(lesson, django_user_model):
    from django.core.management import call_command

    from course.classroom import actions

    call_command("loaddata", "quizzes", verbosity=0)
    teacher = django_user_model.objects.create_user("teacher", password="pw-for-tests-1", is_staff=True)
    return actions.start_class(teacher, lesson)


def sign_in(client, username, password):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


def test_admin_sign_in_locks_out_after_five_failures(django_user_model, settings):
    django_user_model.objects.create_user("teacher", password="right-password-1", is_staff=True)
    student = Client(REMOTE_ADDR="192.168.0.31")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(student, "teacher", "guess").status_code == 200  # the form again, with its error
    locked = sign_in(student, "teacher", "guess")
    body = locked.content.decode()
    assert locked.status_code == 429 and "로그인이 잠시 잠겼습니다" in body and "15분" in body
    # Locked means locked: the right password from that machine does not get in either.
    assert sign_in(student, "teacher", "right-password-1").status_code == 429
    # The instructor at their own machine is not locked out by a student's guesses.
    teacher = Client(REMOTE_ADDR="127.0.0.1")
    response = sign_in(teacher, "teacher", "right-password-1")
    assert response.status_code == 302 and response.url == "/admin/"


def test_the_class_cookie_is_secure_exactly_when_cookies_are(lesson, django_user_model, settings):
    from django.core.management import call_command

    from course.classroom import actions

    call_command("loaddata", "quizzes", verbosity=0)
    teacher = django_user_model.objects.create_user("teacher", password="pw-for-tests-1", is_staff=True)
    klass = actions.start_class(teacher, lesson)
    name = identity.cookie_name(klass.code)
    join = {"code": klass.code, "nickname": "민수"}
    plain = Client().post(reverse("course:classroom:join"), join)
    assert plain.cookies[name].value and not plain.cookies[name]["secure"]
    assert plain.cookies[name]["httponly"] and plain.cookies[name]["samesite"] == "Lax"
    settings.SESSION_COOKIE_SECURE = True
    secure = Client().post(reverse("course:classroom:join"), {**join, "nickname": "지수"})
    assert secure.cookies[name]["secure"] is True


def test_hsts_is_sent_only_when_configured(lesson, settings):
    """SecurityMiddleware reads the setting when it is built: a fresh client per value."""
    settings.SECURE_HSTS_SECONDS = 0
    assert "Strict-Transport-Security" not in Client().get("/class/", secure=True)
    settings.SECURE_HSTS_SECONDS = 3600
    assert Client().get("/class/", secure=True)["Strict-Transport-Security"] == "max-age=3600"


def test_no_opener_policy_on_plain_http_where_browsers_ignore_it_with_an_error(lesson):
    """On a LAN address over HTTP Chromium logs an error for Cross-Origin-Opener-Policy on every page."""
    assert "Cross-Origin-Opener-Policy" not in Client().get("/class/")


def test_the_language_switch_names_each_language_in_itself(lesson):
    """ "English" on a Korean page (not 영어), so a reader of either can find their own."""
    page = Client().get("/class/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert ">English</option>" in page and ">한국어</option>" in page
