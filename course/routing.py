"""Websocket routes of the course app (classroom live updates)."""

websocket_urlpatterns: list = []
