"""Websocket routes of the visualizer."""

from django.urls import path

from visualizer.consumers import ClusterConsumer

websocket_urlpatterns = [
    path("ws/cluster/<str:public_id>/", ClusterConsumer.as_asgi()),
]
