"""Who is looking at a cluster: an owner key from the login or the browser session, and the role it earns.

Students have no accounts: a random visitor id in their Django session identifies their sandbox across
reloads. Instructors are staff users. Pure functions over plain values, shared by views and the consumer.
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

SESSION_KEY = "visualizer_visitor"
CONTROL = "control"
VIEW = "view"


@dataclass(frozen=True)
class Viewer:
    owner_key: str
    is_staff: bool
    is_superuser: bool


def owner_key_for(user, session) -> str:
    """Return the key that owns this person's clusters, creating a visitor id in the session if needed."""
    if user is not None and getattr(user, "is_authenticated", False):
        return f"user:{user.pk}"
    visitor = session.get(SESSION_KEY)
    if not visitor:
        visitor = secrets.token_urlsafe(12)
        session[SESSION_KEY] = visitor
    return f"visitor:{visitor}"


def existing_owner_key(user, session) -> str | None:
    """Return the owner key without creating one (websockets cannot save a new session)."""
    if user is not None and getattr(user, "is_authenticated", False):
        return f"user:{user.pk}"
    visitor = session.get(SESSION_KEY) if session is not None else None
    return f"visitor:{visitor}" if visitor else None


def client_address(
    client: Iterable | None, headers: Iterable[tuple[bytes, bytes]] = (), *, trust_forwarded: bool = False
) -> str:
    """Return the client's IP address as text ("unknown" when the server was not told).

    `client` is the ASGI scope's `client` ([host, port]); `headers` the scope's raw headers. Behind a reverse
    proxy every request comes from the proxy, so when `trust_forwarded` (settings.TRUST_X_FORWARDED_FOR) the
    address is the last hop of X-Forwarded-For: the one the trusted proxy appended. Earlier hops are whatever
    the client wrote and are never believed (Django's docs on REMOTE_ADDR and proxies say the same).
    """
    if trust_forwarded:
        forwarded = [v for k, v in headers if k.lower() == b"x-forwarded-for"]
        if forwarded:
            last = forwarded[-1].decode("latin-1").split(",")[-1].strip()
            try:
                return str(ipaddress.ip_address(last))
            except ValueError:
                pass
    host = list(client)[0] if client else None
    return str(host) if host else "unknown"


def rate_key(user, session, address: str) -> str:
    """Return the key the rate limits (visualizer.ratelimit) count this person under: who is asking, by the
    best evidence there is.

    The logged-in user, else the browser session's visitor id, else the session itself (a stored session
    only: a cookie naming no session is no evidence), else the address (`addr:<ip>`, shared by everyone
    behind it without a session, so its buckets are a classroom's size). Sessions live in the database, so a
    client cannot invent identities; new visitor ids are limited per address (views, ratelimit "sandbox").
    """
    owner = existing_owner_key(user, session)
    if owner is not None:
        return owner
    key = getattr(session, "session_key", None) if session is not None else None
    if key:
        return "session:" + hashlib.sha256(key.encode()).hexdigest()[:20]
    return f"addr:{address}"


def role_for(
    *,
    kind: str,
    record_owner: str,
    share_token: str,
    viewer_key: str | None,
    is_superuser: bool,
    offered_token: str | None,
) -> str | None:
    """Return "control", "view" or None (refused) for a viewer of a cluster.

    A sandbox is driven by its owner alone and watched by whoever holds its share link. A class demo is
    driven by its instructor (or a superuser) and watched by everyone.
    """
    if viewer_key is not None and viewer_key == record_owner:
        return CONTROL
    if kind == "demo":
        return CONTROL if is_superuser else VIEW
    if offered_token and secrets.compare_digest(offered_token, share_token):
        return VIEW
    return None
