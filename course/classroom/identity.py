"""Who is on the other end: a student by their signed cookie, an instructor by their staff login.

A student has no account; joining sets a signed, HttpOnly cookie per class holding their primary key. The
same signature check runs for HTTP requests (`request.get_signed_cookie`) and websockets (the cookie in
the handshake), so the socket trusts exactly what the page trusts.
"""

from django.conf import settings
from django.core import signing

from course.models import ClassSession, Student

SALT = "course.classroom.student"
MAX_AGE = 60 * 60 * 12  # a class day


def cookie_name(code: str) -> str:
    return f"class_{code}"


def cookie_signer(name: str):
    """Return the signer `response.set_signed_cookie(name, salt=SALT)` uses, so sockets read the same cookie."""
    # Django 5.2 derives the salt with a private helper; mirror it with a fallback for older versions.
    derive = getattr(signing, "_cookie_signer_salt", lambda key, salt: key + salt)
    return signing.get_cookie_signer(salt=derive(name, SALT))


def set_student_cookie(response, student: Student) -> None:
    """Set the signed class cookie; Secure exactly when the session cookie is (SECURE_COOKIES, behind HTTPS)."""
    response.set_signed_cookie(
        cookie_name(student.session.code),
        str(student.pk),
        salt=SALT,
        max_age=MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def student_from_request(request, session: ClassSession) -> Student | None:
    raw = request.get_signed_cookie(cookie_name(session.code), default=None, salt=SALT, max_age=MAX_AGE)
    return _student(raw, session)


def student_from_cookies(cookies: dict, session: ClassSession) -> Student | None:
    name = cookie_name(session.code)
    value = cookies.get(name)
    if not value:
        return None
    try:
        raw = cookie_signer(name).unsign(value, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    return _student(raw, session)


def _student(raw, session: ClassSession) -> Student | None:
    if not raw or not str(raw).isdigit():
        return None
    return Student.objects.select_related("session", "pair").filter(pk=int(raw), session=session).first()


def can_teach(user, session: ClassSession) -> bool:
    """Return whether `user` may run `session`: its instructor, or any superuser."""
    return bool(
        user
        and user.is_authenticated
        and user.is_staff
        and (user.pk == session.instructor_id or user.is_superuser)
    )
