"""All websocket routes, gathered from the apps that define them."""

websocket_urlpatterns: list = []
