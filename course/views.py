"""Lesson pages: fetch, call, render."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from course.models import Lesson
from course.navigation import course_entries, course_map, lesson_outline, next_lesson
from course.practice_links import add_practice_links, links_for


def home(request: HttpRequest) -> HttpResponse:
    """The course: every lesson by week, day and session, or how to import one when there is none."""
    entries = course_entries()
    if not entries:
        return render(request, "course/empty.html", status=503)
    context = {
        "weeks": course_map(entries),
        "lesson_count": len(entries),
        "total_minutes": sum(e.minutes for e in entries),
    }
    return render(request, "course/home.html", context)


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
    body = add_practice_links(outline.current.body_html, links_for(found))
    following = None if outline.next else next_lesson(found)
    if following is not None:
        page_config["nextUrl"] = following.get_absolute_url()
    context = {
        "lesson": found,
        "outline": outline,
        "page_config": page_config,
        "body_html": body,
        "next_lesson": following,
    }
    return render(request, "course/section.html", context)
