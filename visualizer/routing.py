"""Websocket routes of the visualizer."""

from django.urls import path

from visualizer.consumers import ClusterConsumer
from visualizer.session_scope import SessionIdentityMiddleware

websocket_urlpatterns = [
    path("ws/cluster/<str:public_id>/", SessionIdentityMiddleware(ClusterConsumer.as_asgi())),
]
