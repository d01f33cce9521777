"""The classroom socket, one consumer for the three roles (student, instructor dashboard, projector).

The role comes from the URL and is checked against the cookie or staff login in `connect`. `receive` parses
a frame with `protocol.parse`, calls one function of `course.classroom.actions` in a worker
thread, and forwards the frames it returns: to this socket, or to a group as pre-serialised text (group
members send the text as-is, never re-serialising a Python object per viewer).

Nothing a client sends closes the socket or escapes `receive` (an escaped exception would end the consumer
without `disconnect`, leaving the student counted online and in the class's groups): a refused frame gets an
`error` frame with a stable code, a failure while handling a good one `server` (logged). A client that sends
faster than its frames are handled stops being read while more than 64 of them wait (wsflow.inbox), and the
answers that cost it nothing — `error` and `pong` — have budgets per identity (ratelimit.socket_budgets): over
them a bad frame is refused silently and a ping ignored (no pong, no presence write). So do a student's frames
that write to the database (`answer`, `predict.vote`, `pair.update`; ratelimit.FRAME_BUDGETS): over budget
one is refused with `too_fast` and writes nothing.
"""

import asyncio
import contextlib
import logging
import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.utils import timezone

from course.classroom import actions, identity, predict, presence, state
from course.classroom.protocol import ProtocolError, build, error, parse
from course.classroom.ratelimit import FRAME_PURPOSE, TOO_FAST, socket_budgets, socket_key
from course.models import ClassSession
from wsflow.daphne import UnknownReader, reader_for
from wsflow.inbox import InboxThrottle

log = logging.getLogger(__name__)

ROLES = ("student", "staff", "projector")


@database_sync_to_async
def _connect(code: str, role: str, user, cookies: dict):
    """Return (session, student, groups, hello frame, came online) or None when the socket may not join.

    A student's socket is counted here (`presence.connected`), in the same worker thread as the hello."""
    session = (
        ClassSession.objects.select_related(
            "lesson", "spotlight", "live_question", "prediction", "demo_cluster"
        )
        .filter(code=code)
        .first()
    )
    if session is None or role not in ROLES:
        log.info("classroom socket refused: no class %r", code)
        return None
    now = timezone.now()
    if role == "student":
        student = identity.student_from_cookies(cookies, session)
        if student is None:
            log.info(
                "classroom socket refused: no student cookie for %s (cookies: %s)", code, sorted(cookies)
            )
            return None
        groups = [state.students_group(session.pk), state.student_group(student.pk)]
        came_online = presence.connected(student.pk, now)
        hello = build("hello", **state.student_hello(session, student, now))
        return session, student, groups, hello, came_online
    if not identity.can_teach(user, session):
        log.info("classroom socket refused: %s may not teach %s", user, code)
        return None
    if role == "staff":
        return (
            session,
            None,
            [state.staff_group(session.pk)],
            build("hello", **state.staff_hello(session, now)),
            False,
        )
    return (
        session,
        None,
        [state.projector_group(session.pk)],
        build("hello", **state.projector_hello(session, now)),
        False,
    )


STAFF_ACTIONS = {
    "section.set": lambda s, f: actions.set_section(s, f["section"]),
    "live.open": lambda s, f: actions.open_live(s, f["question"]),
    "live.reveal": lambda s, f: actions.reveal_live(s),
    "live.revote": lambda s, f: actions.revote_live(s),
    "live.close": lambda s, f: actions.close_live(s),
    "pairs.form": lambda s, f: actions.form_pairs(s, seed=s.pk),
    "discussion.start": lambda s, f: actions.start_discussion(s),
    "spotlight.set": lambda s, f: actions.set_spotlight(s, f["pair"]),
    "pair.hide": lambda s, f: actions.hide_pair(s, f["pair"], f["hidden"]),
    "predict.close": lambda s, f: actions.close_prediction(s),
    "roster.rename": lambda s, f: actions.rename_student(s, f["student"], f["nickname"]),
    "roster.remove": lambda s, f: actions.remove_student(s, f["student"]),
}
# Staff frames that drive the demo cluster: async, since the visualizer's host lives on the event loop.
DEMO_ACTIONS = {
    "predict.open": lambda session_id, f: predict.open_prediction(session_id, f["prediction"]),
    "predict.play": lambda session_id, f: predict.play_prediction(session_id),
}


@database_sync_to_async
def _handle(session_id: int, student_id: int | None, kind: str, fields: dict) -> actions.Frames:
    """Run the action for one parsed frame against fresh rows (another socket may have changed them)."""
    session = ClassSession.objects.select_related(
        "lesson", "spotlight", "live_question", "prediction", "demo_cluster"
    ).get(pk=session_id)
    if student_id is None:
        return STAFF_ACTIONS[kind](session, fields)
    if session.ended_at is not None:  # answers and pairs of an ended class stay as they were
        raise ProtocolError("ended", "수업이 끝났습니다. 지금까지의 답과 페어 기록은 그대로 남아 있습니다.")
    student = session.students.select_related("pair").filter(pk=student_id).first()
    if student is None:
        raise ProtocolError("gone", "이 수업에서 더 이상 찾을 수 없습니다. 다시 참여하세요.")
    if kind == "answer":
        return actions.submit_answer(
            session, student, fields["question"], fields["response"], fields["round"]
        )
    if kind == "predict.vote":
        return actions.vote_prediction(session, student, fields["prediction"], fields["choice"])
    if kind == "pair.sync":
        return actions.sync_pair(session, student, fields["pair"], fields["state_vector"])
    return actions.edit_pair(session, student, fields["pair"], fields["update"], fields["id"])


# Refreshes of what many students' actions change at once — presence (roster and every count) and the class
# checklist — go out at most once every REFRESH_THROTTLE seconds per class and kind in each process, the
# last change always sent: a class starting with twelve joins in a minute, or 200 students answering in a
# benchmark, costs a handful of refreshes instead of one per event.
REFRESH_THROTTLE = 2.0
REFRESHES = {
    "presence": actions.presence_frames_for,
    "checklist": actions.class_checklist_frames_for,
}
_pending: dict[tuple[int, str], asyncio.Task] = {}
_sent: dict[tuple[int, str], float] = {}


def refresh_later(session_id: int, kind: str) -> None:
    """Schedule a refresh (`REFRESHES[kind]`) of a class, unless one is already waiting."""
    key = (session_id, kind)
    if key in _pending:
        return
    wait = max(0.0, _sent.get(key, 0.0) + REFRESH_THROTTLE - time.monotonic())
    _pending[key] = asyncio.get_running_loop().create_task(_send_refresh(key, wait))


def presence_changed(session_id: int) -> None:
    """A student came online or went offline: refresh the roster and every count over the students present."""
    refresh_later(session_id, "presence")


async def _send_refresh(key: tuple[int, str], wait: float) -> None:
    try:
        await asyncio.sleep(wait)
        _pending.pop(key, None)
        _sent[key] = time.monotonic()
        frames = await database_sync_to_async(REFRESHES[key[1]])(key[0])
        layer = get_channel_layer()
        for group, text in frames:
            await layer.group_send(group, {"type": "frame", "text": text})
    except Exception:  # best effort: the next change or a reconnect's hello brings a fresh state
        _pending.pop(key, None)
        log.exception("classroom %s refresh failed", key[1])


SERVER_ERROR = "서버 오류가 발생했습니다. 잠시 후 다시 시도하세요."


class ClassroomConsumer(AsyncWebsocketConsumer):
    groups_joined: list[str]
    session_id: int | None = None
    student_id: int | None = None
    staff = False
    heard_at = 0.0  # time.monotonic() of this socket's last connect or ping
    rate_key = "anonymous"  # whose budgets this socket's answers spend (ratelimit.socket_key)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.inbox_throttle = InboxThrottle()
        self.reader = UnknownReader()

    async def connect(self):
        kwargs = self.scope["url_route"]["kwargs"]
        role = kwargs.get("role", "student")
        found = await _connect(kwargs["code"], role, self.scope.get("user"), self.scope.get("cookies", {}))
        if found is None:
            await self.close(code=4403)
            return
        session, student, self.groups_joined, hello, came_online = found
        self.session_id = session.pk
        self.student_id = student.pk if student else None
        self.staff = role == "staff"
        self.rate_key = socket_key(self.student_id, self.scope.get("user"))
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        self.reader = reader_for(self.scope, self.base_send)
        self.reader.watch(self.inbox_throttle)  # paused as frames arrive, resumed as they are handled
        await self.send(text_data=hello)
        if session.ended_at is not None:
            await self.send(text_data=actions.ended_frame(session))
        self.heard_at = time.monotonic()
        if came_online:
            presence_changed(self.session_id)

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)
        if self.student_id is not None and await database_sync_to_async(presence.disconnected)(
            self.student_id
        ):
            presence_changed(self.session_id)

    async def student_removed(self, event):
        """The instructor removed this student: they were told (`removed`); the socket closes for good."""
        if self.student_id == event.get("student"):
            self.student_id = None  # the row is gone: nothing left to count on disconnect
            await self.close(code=4403)

    async def receive(self, text_data=None, bytes_data=None):
        try:
            await self._receive(text_data if bytes_data is None else bytes_data)
        except Exception:  # noqa: BLE001 - a frame must never end the consumer (see the module docstring)
            log.exception("classroom frame failed")
            with contextlib.suppress(Exception):
                await self._refuse("server", SERVER_ERROR, None)
        finally:
            # Stop reading this socket while too many of its frames wait, read again once they are worked off
            # (wsflow.inbox): a client that sends faster than it is served is held by TCP, not by our memory.
            self.inbox_throttle.check(self.reader)

    async def _refuse(self, code: str, message: str, ref: object) -> None:
        """Send an `error` frame if this identity's error budget allows (else the refusal is silent)."""
        if socket_budgets.allow("errors", self.rate_key):
            await self.send(text_data=error(code, message, ref))

    async def _too_fast(self, purpose: str, ref: object) -> None:
        """Refuse a frame over this student's write budget (ratelimit.FRAME_BUDGETS) before anything is read or
        written: a `too_fast` error saying in how many seconds to send again, within the error budget (a flood
        gets a few, then silence); the socket stays open."""
        if socket_budgets.allow("errors", self.rate_key):
            retry = socket_budgets.retry_after(purpose, self.rate_key)
            await self.send(text_data=error("too_fast", TOO_FAST[purpose], ref, retry_after=retry))

    async def _receive(self, data: str | bytes | None) -> None:
        try:
            if self.session_id is None:
                raise ProtocolError("not_joined", "수업에 참여하지 않았습니다.")
            if not self.staff and self.student_id is None:
                raise ProtocolError("read_only", "이 화면은 보기 전용입니다.")
            kind, fields = parse(data, staff=self.staff)
            if kind == "ping":
                await self._pong()
                return
            purpose = None if self.staff else FRAME_PURPOSE.get(kind)
            if purpose is not None and not socket_budgets.allow(purpose, self.rate_key):
                await self._too_fast(purpose, fields.get("id"))
                return
            if self.staff and kind in DEMO_ACTIONS:
                frames = await DEMO_ACTIONS[kind](self.session_id, fields)
            else:
                frames = await _handle(self.session_id, self.student_id, kind, fields)
        except ProtocolError as exc:
            await self._refuse(exc.code, exc.message, exc.ref)
            return
        for group, text in frames:
            if group == actions.ME:
                await self.send(text_data=text)
            else:
                await self.channel_layer.group_send(group, {"type": "frame", "text": text})
        if kind == "answer" and fields["round"] == 0:
            refresh_later(self.session_id, "checklist")  # the dashboard's checklist, throttled
        if kind == "roster.remove":
            student_group = state.student_group(fields["student"])
            await self.channel_layer.group_send(
                student_group, {"type": "student.removed", "student": fields["student"]}
            )

    async def _pong(self) -> None:
        """Answer a ping and note the student's sign of life, within this identity's ping budget: over it the
        ping is ignored (a page pings every 25 s; a flood is not a sign of more life)."""
        if not socket_budgets.allow("ping", self.rate_key):
            return
        await self.send(text_data=build("pong"))
        if self.student_id is not None:
            await database_sync_to_async(presence.seen)(self.student_id)
            # Silent for longer than the window: the dashboard already shows this student as gone.
            silent = time.monotonic() - self.heard_at > presence.ONLINE_WINDOW.total_seconds()
            self.heard_at = time.monotonic()
            if silent:
                presence_changed(self.session_id)

    async def frame(self, event):
        await self.send(text_data=event["text"])
