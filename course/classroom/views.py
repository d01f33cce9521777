"""Classroom pages: join, the student's page, the instructor's dashboard, the projector, the CSV export.

Fetch, call an action, render. Live updates go out over the channel layer (`_broadcast`) so a change made
through a form reaches the sockets exactly like one made through a socket.
"""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from course.classroom import actions, answers, codes, demo, export, identity, qr, ratelimit, state
from course.classroom.join_link import JoinLink, join_link, serve_on_lan_command
from course.classroom.nicknames import NicknameError
from course.classroom.protocol import ProtocolError
from course.models import ClassSession, Lesson, Level, Question
from course.models.classroom import NICKNAME_MAX, PAIR_TEXT_MAX
from visualizer.identity import owner_key_for


def _broadcast(frames: actions.Frames) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    for group, text in frames:
        if group != actions.ME:
            async_to_sync(layer.group_send)(group, {"type": "frame", "text": text})


def _session(code: str) -> ClassSession:
    found = ClassSession.objects.select_related("lesson").filter(code=codes.normalize(code)).first()
    if found is None:
        raise Http404("no such class")
    return found


def _teaching(request: HttpRequest, code: str) -> ClassSession:
    session = _session(code)
    if not identity.can_teach(request.user, session):
        raise Http404("not your class")
    return session


ENDED_MESSAGE = gettext_lazy("이 수업은 끝났습니다. 새 수업 코드를 강사에게 물어보세요.")


def _join_context(code: str = "", nickname: str = "", level: str = Level.BEGINNER, error: str = "") -> dict:
    return {
        "code": code,
        "nickname": nickname,
        "level": level,
        "levels": Level.choices,
        "error": error,
        "nickname_max": NICKNAME_MAX,
    }


def _lessons_in_course_order():
    """Every lesson in the course's order: week, day, session (a missing one after every number), slug."""
    return Lesson.objects.order_by(
        *(F(name).asc(nulls_last=True) for name in ("week", "day", "session")), "slug"
    )


def _default_lesson(instructor) -> Lesson | None:
    """Return the lesson a new class starts on unless the instructor picks another: the lesson of their most
    recent class, else the course's first lesson (the only one, in a one-lesson course)."""
    recent = ClassSession.objects.filter(instructor=instructor).order_by("-created_at", "-pk").first()
    return recent.lesson if recent is not None else _lessons_in_course_order().first()


def _index_context(request: HttpRequest, code: str = "", error: str = "") -> dict:
    """The join form, plus for staff their classes and the start form with the lesson choice."""
    context = _join_context(code)
    if request.user.is_authenticated and request.user.is_staff:
        context["classes"] = ClassSession.objects.filter(instructor=request.user).select_related("lesson")[
            :20
        ]
        context["lessons"] = list(_lessons_in_course_order())
        default = _default_lesson(request.user)
        context["default_lesson"] = default.pk if default else None
        context["start_error"] = error
    return context


def index(request: HttpRequest) -> HttpResponse:
    """Join form for everyone; instructors also see their classes and the start button."""
    return render(
        request, "classroom/index.html", _index_context(request, codes.normalize(request.GET.get("code", "")))
    )


@require_POST
@staff_member_required
def start(request: HttpRequest) -> HttpResponse:
    """Start a class on the chosen lesson (`lesson`: its primary key; missing: `_default_lesson`).

    A lesson that does not exist (a stale form, a hand-made request) gets the form again with an error and
    starts nothing.
    """
    chosen = request.POST.get("lesson", "").strip()
    if chosen:
        lesson = Lesson.objects.filter(pk=int(chosen)).first() if chosen.isdigit() else None
        if lesson is None:
            error = gettext("그런 레슨이 없습니다. 목록에서 레슨을 고르세요.")
            return render(request, "classroom/index.html", _index_context(request, error=error), status=400)
    else:
        lesson = _default_lesson(request.user)
    if lesson is None:
        return render(request, "course/empty.html", status=503)
    session = actions.start_class(request.user, lesson, request.POST.get("title", "").strip())
    return redirect("course:classroom:teach", code=session.code)


def join(request: HttpRequest) -> HttpResponse:
    """POST: join the class named by the code with a nickname and a level; GET: the form."""
    if request.method != "POST":
        return redirect(
            reverse("course:classroom:index") + (f"?code={codes.normalize(request.GET.get('code', ''))}")
        )
    code = codes.normalize(request.POST.get("code", ""))
    nickname = request.POST.get("nickname", "")[:200]
    level = request.POST.get("level", Level.BEGINNER)
    # Every attempt counts, valid or not: a script can neither create students nor guess codes quickly.
    if not ratelimit.allow_request(ratelimit.JOIN, request):
        context = _join_context(code, nickname, level, ratelimit.MESSAGES[ratelimit.JOIN])
        response = render(request, "classroom/index.html", context, status=429)
        response["Retry-After"] = str(ratelimit.retry_after_request(ratelimit.JOIN, request))
        return response
    session = ClassSession.objects.filter(code=code).first() if code else None
    if session is None:
        context = _join_context(
            code, nickname, level, gettext("그런 수업 코드가 없습니다. 화면의 코드를 다시 확인하세요.")
        )
        return render(request, "classroom/index.html", context, status=400)
    existing = identity.student_from_request(request, session)
    if existing is not None:
        return redirect("course:classroom:student", code=session.code)
    if session.ended_at is not None:
        context = _join_context(code, nickname, level, ENDED_MESSAGE)
        return render(request, "classroom/index.html", context, status=410)
    try:
        # The browser's visualizer identity: its sandbox and guided scenarios become this student's evidence.
        student, frames = actions.join(session, nickname, level, owner_key_for(request.user, request.session))
    except NicknameError as exc:
        return render(
            request, "classroom/index.html", _join_context(code, nickname, level, str(exc)), status=400
        )
    _broadcast(frames)
    response = redirect("course:classroom:student", code=session.code)
    identity.set_student_cookie(response, student)
    return response


def _section_context(session: ClassSession, slug: str, student) -> dict:
    section = session.lesson.sections.filter(slug=slug).first()
    if section is None:
        raise Http404("no such section")
    answered = state.answered(session, student)
    questions = []
    for question in state.lesson_questions(session).filter(section=slug):
        public = state.question_public(question, session.lesson.slug, student.pk)  # the student's order
        public["previous"] = answered.get(question.key)
        public["explanation"] = question.explanation if public["previous"] else ""
        questions.append(public)
    context = {"session": session, "section": section, "questions": questions}
    if slug == state.checklist_section(session):
        checklist = state.checklist_for_student(session, student)
        # A lesson whose questions and scenarios prove no outcome has no checklist to show.
        if checklist["outcomes"]:
            context["checklist"] = checklist
    return context


def student(request: HttpRequest, code: str) -> HttpResponse:
    """The student's page, or the join form when this browser has not joined this class yet (the QR target)."""
    session = _session(code)
    me = identity.student_from_request(request, session)
    if me is None:
        if session.ended_at is not None:
            context = _join_context(session.code, error=ENDED_MESSAGE)
            return render(request, "classroom/index.html", context, status=410)
        return render(request, "classroom/index.html", _join_context(session.code))
    if not me.visualizer_key:  # joined before students were linked to the visualizer
        me.visualizer_key = owner_key_for(request.user, request.session)
        me.save(update_fields=["visualizer_key"])
    sections = state.sections(session)
    slugs = [row["slug"] for row in sections]
    # A section renamed by a re-import must not lock students out: fall back to the first one.
    slug = session.current_section if session.current_section in slugs else (slugs[0] if slugs else "")
    context = _section_context(session, slug, me)
    context.update(
        {
            "me": me,
            "sections": sections,
            "pair_error": request.session.pop("pair_error", ""),
            "discussion": answers.discussion_for(session),
            "pair_text_max": PAIR_TEXT_MAX,
            "demo": demo.links(session.demo_cluster) if session.demo_cluster_id else None,
            "config": {
                "code": session.code,
                "ws": reverse("course:classroom:student", args=[session.code]).replace(
                    "/class/", "/ws/class/", 1
                ),
                "fragment": reverse("course:classroom:fragment", args=[session.code, "__slug__"]),
                "section": slug,
            },
        }
    )
    return render(request, "classroom/student.html", context)


@require_GET
def fragment(request: HttpRequest, code: str, slug: str) -> HttpResponse:
    """One section with its quizzes, as the student page swaps it in while following the instructor."""
    session = _session(code)
    me = identity.student_from_request(request, session)
    if me is None:
        raise Http404("not in this class")
    return render(request, "classroom/_section.html", _section_context(session, slug, me))


@require_http_methods(["GET", "POST"])
def pair(request: HttpRequest, code: str) -> HttpResponse:
    """POST: pair by code (create a code to give a partner, or enter the partner's code). GET — a reload of
    the page a refused POST left in the address bar — goes back to the student's page."""
    session = _session(code)
    me = identity.student_from_request(request, session)
    if me is None or request.method != "POST":
        return redirect(reverse("course:classroom:student", args=[session.code]) + ("#pair" if me else ""))
    if session.ended_at is not None:
        request.session["pair_error"] = gettext("수업이 끝나 페어를 바꿀 수 없습니다.")
        return redirect(reverse("course:classroom:student", args=[session.code]) + "#pair")
    if request.POST.get("action") == "join" and not ratelimit.allow_request(ratelimit.PAIR, request):
        # The student's page again, with the message where the pair form is; nothing changed.
        request.session["pair_error"] = str(ratelimit.MESSAGES[ratelimit.PAIR])
        response = student(request, session.code)
        response.status_code = 429
        response["Retry-After"] = str(ratelimit.retry_after_request(ratelimit.PAIR, request))
        return response
    try:
        if request.POST.get("action") == "join":
            _, frames = actions.join_pair_by_code(session, me, request.POST.get("pair_code", ""))
        else:
            _, frames = actions.create_pair_code(session, me)
    except ProtocolError as exc:
        request.session["pair_error"] = gettext(exc.message)  # the catalog knows the pair-code refusals
        frames = []
    _broadcast(frames)
    return redirect(reverse("course:classroom:student", args=[session.code]) + "#pair")


def _join_link(request: HttpRequest, session: ClassSession) -> JoinLink:
    return join_link(
        reverse("course:classroom:student", args=[session.code]),
        scheme=request.scheme,
        host=request.get_host(),
        lan_mode=settings.LAN_MODE,
        addresses=settings.LAN_ADDRESSES,
        public_url=settings.PUBLIC_URL,
    )


def _answer_key(question: Question) -> dict:
    """Return what the dashboard shows of a matching or ordering question's answer (staff only): the
    correct pairs or the correct order, as text."""
    choices = question.choices or {}
    if question.kind == "matching":
        right = choices.get("right", [])
        pairs = zip(choices.get("left", []), question.answer or [], strict=False)
        return {"pairs": [[left, right[i] if 0 <= i < len(right) else "?"] for left, i in pairs]}
    if question.kind == "ordering":
        return {"order": list(choices)}  # stored in the correct order; students see a fixed shuffle
    return {}


@staff_member_required
def teach(request: HttpRequest, code: str) -> HttpResponse:
    session = _teaching(request, code)
    link = _join_link(request, session)
    join_url = link.url
    active = list(state.lesson_questions(session))
    questions = [state.question_public(q, session.lesson.slug) for q in active]
    keys = {q.key: _answer_key(q) for q in active}
    record = demo.ensure_demo(session)  # classes started before the demo existed get one here
    return render(
        request,
        "classroom/teach.html",
        {
            "session": session,
            "join_url": join_url,
            "join_problem": link.problem,
            "join_command": serve_on_lan_command(request.get_port()),
            "join_alternatives": link.alternatives,
            "qr": qr.qr_svg(join_url, title=f"QR: {join_url}"),
            "sections": state.sections(session),
            "questions": questions,
            "predictions": state.predictions(session),
            "demo": demo.links(record),
            # The instructor drives the demo (role "control") from the dashboard, as on its own page.
            "viz_config": demo.embed_config(request, record, "control"),
            "config": {
                "code": session.code,
                "ws": f"/ws/class/{session.code}/teach/",
                "questions": {
                    q["key"]: {
                        "prompt": q["prompt"],
                        "section": q["section"],
                        "kind": q["kind"],
                        "kind_label": q["kind_label"],
                        **keys[q["key"]],
                    }
                    for q in questions
                },
                "projector": reverse("course:classroom:projector", args=[session.code]),
                "sections": [row["slug"] for row in state.sections(session)],
            },
        },
    )


@staff_member_required
def projector(request: HttpRequest, code: str) -> HttpResponse:
    session = _teaching(request, code)
    link = _join_link(request, session)
    join_url = link.url
    record = demo.ensure_demo(session)
    return render(
        request,
        "classroom/projector.html",
        {
            "session": session,
            "join_url": join_url,
            "join_problem": link.problem,
            "join_command": serve_on_lan_command(request.get_port()),
            "qr": qr.qr_svg(join_url, scale=8, title=f"QR: {join_url}"),
            "demo": demo.links(record),
            # Read-only on the projector: the panel shows no controls even though the instructor's login
            # could drive it.
            "viz_config": demo.embed_config(request, record, "view"),
            "config": {
                "code": session.code,
                "ws": f"/ws/class/{session.code}/projector/",
                "fragment": reverse("course:classroom:projector_section", args=[session.code, "__slug__"]),
            },
        },
    )


@require_GET
@staff_member_required
def projector_section(request: HttpRequest, code: str, slug: str) -> HttpResponse:
    """The lesson section itself, as the projector shows it behind the live panel: its rendered body with
    the diagrams' sources (drawn by static/js/course/diagrams.js), without the quizzes."""
    session = _teaching(request, code)
    section = session.lesson.sections.filter(slug=slug).first()
    if section is None:
        raise Http404("no such section")
    return render(request, "classroom/_projector_section.html", {"section": section})


@require_POST
@staff_member_required
def end(request: HttpRequest, code: str) -> HttpResponse:
    """End the class (the dashboard's button, after a confirmation): no new students, everyone is told."""
    session = _teaching(request, code)
    _broadcast(actions.end_class(session))
    return redirect("course:classroom:teach", code=session.code)


@staff_member_required
def export_csv(request: HttpRequest, code: str) -> HttpResponse:
    """Every quiz answer, vote, prediction and pair answer of the class as one CSV file (see `export`)."""
    session = _teaching(request, code)
    # One language per file: the headers are Korean, so are the level labels, whatever the exporter's UI.
    with translation.override("ko"):
        text = export.class_csv(session)
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="class-{session.code}.csv"'
    return response
