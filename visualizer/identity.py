"""Who is looking at a cluster: an owner key from the login or the browser session, and the role it earns.

Students have no accounts: a random visitor id in their Django session identifies their sandbox across
reloads. Instructors are staff users. Pure functions over plain values, shared by views and the consumer.
"""

from __future__ import annotations

import secrets
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
