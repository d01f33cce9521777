"""All websocket routes, gathered from the apps that define them."""

from course.routing import websocket_urlpatterns as course_patterns
from visualizer.routing import websocket_urlpatterns as visualizer_patterns

websocket_urlpatterns: list = [*course_patterns, *visualizer_patterns]
