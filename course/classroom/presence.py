"""Who is in the room: a student is online while they hold at least one open classroom socket.

The count of open sockets lives in the database (`Student.sockets`), changed with atomic `F()` updates, so
several Daphne processes agree on it. A process that crashes never runs its disconnects and would leave its
sockets counted forever, so online also needs a recent sign of life: `last_seen` is refreshed on connect,
on every `ping` (the student page sends one every 25 s) and on disconnect, and a student whose last sign
is older than ONLINE_WINDOW counts as gone whatever the counter says. A ghost therefore lasts at most a
minute.

"Present" is the rule behind every percentage the instructor sees (docs/classroom.md): the students
online now, plus those who answered the thing being counted even if they left since. Someone who joined
and went away does not inflate "응답 n/m".
"""

from datetime import datetime, timedelta

from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.utils import timezone

from course.models import ClassSession, Student

ONLINE_WINDOW = timedelta(seconds=60)  # more than two missed 25 s pings


def online_filter(now: datetime) -> Q:
    """Return the ORM condition "online at `now`" for Student rows."""
    return Q(sockets__gt=0, last_seen__gte=now - ONLINE_WINDOW)


def in_room_filter(now: datetime) -> Q:
    """Return the ORM condition "in the room at `now`": online, or joined and not connected yet.

    A student who joined by the form has no sign of life until their page's socket opens (last_seen is
    None): they are arriving, not gone. One who was online and is no longer has left.
    """
    return Q(last_seen__isnull=True) | online_filter(now)


def is_online(sockets: int, last_seen: datetime | None, now: datetime) -> bool:
    """Return whether a student with these presence fields counts as online at `now`."""
    return sockets > 0 and last_seen is not None and last_seen >= now - ONLINE_WINDOW


def online_ids(session: ClassSession, now: datetime | None = None) -> set[int]:
    """Return the ids of the class's students online now."""
    now = now or timezone.now()
    return set(session.students.filter(online_filter(now)).values_list("pk", flat=True))


def _row(student_id: int) -> tuple[int, datetime | None] | None:
    return Student.objects.filter(pk=student_id).values_list("sockets", "last_seen").first()


def connected(student_id: int, now: datetime | None = None) -> bool:
    """Count one more open socket for the student; return whether they just came online.

    One read and one atomic update: a race with another tab only changes whether a roster refresh is sent.
    """
    now = now or timezone.now()
    row = _row(student_id)
    if row is None:
        return False
    Student.objects.filter(pk=student_id).update(sockets=F("sockets") + 1, last_seen=now)
    return not is_online(row[0], row[1], now)


def disconnected(student_id: int, now: datetime | None = None) -> bool:
    """Count one socket less (never below zero); return whether the student just went offline."""
    now = now or timezone.now()
    row = _row(student_id)
    if row is None:
        return False
    Student.objects.filter(pk=student_id).update(sockets=Greatest(F("sockets") - 1, 0), last_seen=now)
    return is_online(row[0], row[1], now) and row[0] <= 1


def seen(student_id: int, now: datetime | None = None) -> None:
    """Note a sign of life (a ping): one write, no read. The consumer notices a socket that was silent for
    longer than ONLINE_WINDOW itself (it knows when it last heard from it) and refreshes the roster."""
    Student.objects.filter(pk=student_id).update(last_seen=now or timezone.now())
