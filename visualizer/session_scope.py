"""Who is on the other end of a cluster socket, read once at connect, with `send` left unwrapped.

Channels' SessionMiddleware wraps every `send` of a connection to save the session on HTTP responses;
a cluster socket never saves its session but sends up to ten frames a second to hundreds of viewers,
and the wrapper was measured at about 6 % of the server's CPU in that fan-out (bench/visualizer.py with
py-spy). This middleware puts the same `session` (read-only) and `user` into the scope and passes `send`
straight through.
"""

from __future__ import annotations

from http.cookies import SimpleCookie
from importlib import import_module
from types import SimpleNamespace

from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from django.conf import settings
from django.contrib import auth


def _cookies(scope) -> dict[str, str]:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            parsed = SimpleCookie()
            parsed.load(value.decode("latin-1"))
            return {key: morsel.value for key, morsel in parsed.items()}
    return {}


def load_identity(session_key: str | None):
    """Return (session, user) for a session cookie, as Django's request would see them."""
    engine = import_module(settings.SESSION_ENGINE)
    session = engine.SessionStore(session_key)
    user = auth.get_user(SimpleNamespace(session=session))  # reads the session: loads it here, in the thread
    return session, user


class SessionIdentityMiddleware(BaseMiddleware):
    async def __call__(self, scope, receive, send):
        key = _cookies(scope).get(settings.SESSION_COOKIE_NAME)
        session, user = await database_sync_to_async(load_identity)(key)
        return await super().__call__({**scope, "session": session, "user": user}, receive, send)
