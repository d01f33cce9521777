"""Websocket routes of the course app (classroom live updates)."""

from django.urls import path

from course.classroom.consumer import ClassroomConsumer

websocket_urlpatterns: list = [
    path("ws/class/<str:code>/", ClassroomConsumer.as_asgi(), {"role": "student"}),
    path("ws/class/<str:code>/teach/", ClassroomConsumer.as_asgi(), {"role": "staff"}),
    path("ws/class/<str:code>/projector/", ClassroomConsumer.as_asgi(), {"role": "projector"}),
]
