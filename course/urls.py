"""Lesson routes."""

from django.urls import include, path

from course import views

app_name = "course"

urlpatterns = [
    path("class/", include("course.classroom.urls")),
    path("", views.home, name="home"),
    path("lesson/<slug:lesson_slug>/", views.lesson, name="lesson"),
    path("lesson/<slug:lesson_slug>/<str:section_slug>/", views.section, name="section"),
]
