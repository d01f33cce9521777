"""Lesson pages: fetch, call, render."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from course.models import Lesson
from course.navigation import lesson_outline


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
        return render(request, "404.html", status=404)
    return render(request, "course/section.html", {"lesson": found, "outline": outline})
