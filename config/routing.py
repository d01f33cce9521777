"""All websocket routes, gathered from the apps that define them, each behind the identity it needs.

The classroom's sockets get Channels' full session and auth stack, with the server's own `send` kept in the
scope outside it (wsflow.daphne.ServerSendMiddleware) so the consumer can still pause its connection's reading;
the visualizer's cluster socket reads the session once at connect (visualizer.session_scope), so its high-rate
fan-out skips the send wrapper.
"""

from channels.auth import AuthMiddlewareStack
from django.urls import URLPattern

from course.routing import websocket_urlpatterns as course_patterns
from visualizer.routing import websocket_urlpatterns as visualizer_patterns
from wsflow.daphne import ServerSendMiddleware


def _with_auth(pattern: URLPattern) -> URLPattern:
    return URLPattern(
        pattern.pattern,
        ServerSendMiddleware(AuthMiddlewareStack(pattern.callback)),
        pattern.default_args,
        pattern.name,
    )


websocket_urlpatterns: list = [*(_with_auth(p) for p in course_patterns), *visualizer_patterns]
