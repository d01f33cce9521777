"""Classroom routes: join by code, instructor dashboard, quizzes, pairs, share board."""

app_name = "classroom"

urlpatterns: list = []
