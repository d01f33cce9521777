"""Classroom routes: join by code, instructor dashboard, quizzes, pairs, share board."""

from django.urls import path

from course.classroom import views

app_name = "classroom"

urlpatterns = [
    path("", views.index, name="index"),
    path("start/", views.start, name="start"),
    path("join/", views.join, name="join"),
    path("<str:code>/", views.student, name="student"),
    path("<str:code>/s/<slug:slug>/", views.fragment, name="fragment"),
    path("<str:code>/pair/", views.pair, name="pair"),
    path("<str:code>/teach/", views.teach, name="teach"),
    path("<str:code>/projector/", views.projector, name="projector"),
    path("<str:code>/projector/s/<slug:slug>/", views.projector_section, name="projector_section"),
    path("<str:code>/export.csv", views.export_csv, name="export"),
    path("<str:code>/end/", views.end, name="end"),
]
