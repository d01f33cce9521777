"""Lesson pages: fetch, call, render."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from course.models import Lesson
from course.navigation import lesson_outline
from course.practice_links import add_practice_links
from visualizer.models import Scenario


def home(request: HttpRequest) -> HttpResponse:
    lesson = Lesson.objects.order_by("pk").first()
    if lesson is None:
        return render(request, "course/empty.html", status=503)
    return redirect(lesson.get_absolute_url())


def lesson(request: HttpRequest, lesson_slug: str) -> HttpResponse:
    found = get_object_or_404(Lesson, slug=lesson_slug)
    first = found.sections.order_by("order").first()
    if first is None:
        return render(request, "course/empty.html", status=503)
    return redirect(first.get_absolute_url())


def section(request: HttpRequest, lesson_slug: str, section_slug: str) -> HttpResponse:
    found = get_object_or_404(Lesson, slug=lesson_slug)
    outline = lesson_outline(found, section_slug)
    if outline is None:
        raise Http404("no such section")
    page_config = {
        "lesson": found.slug,
        "section": outline.current.slug,
        "sections": [s.slug for s in outline.sections],
        "previousUrl": outline.previous.get_absolute_url() if outline.previous else None,
        "nextUrl": outline.next.get_absolute_url() if outline.next else None,
    }
    scenarios = Scenario.objects.filter(diagram_number__isnull=False).only("slug", "title", "diagram_number")
    body = add_practice_links(
        outline.current.body_html, {s.diagram_number: (s.get_absolute_url(), s.title) for s in scenarios}
    )
    context = {"lesson": found, "outline": outline, "page_config": page_config, "body_html": body}
    return render(request, "course/section.html", context)
