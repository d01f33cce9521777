"""Lesson routes."""

from django.urls import path

from course import views

app_name = "course"

urlpatterns = [
    path("", views.home, name="home"),
    path("lesson/<slug:lesson_slug>/", views.lesson, name="lesson"),
    path("lesson/<slug:lesson_slug>/<str:section_slug>/", views.section, name="section"),
]
