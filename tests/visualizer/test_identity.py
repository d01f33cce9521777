"""Who may drive or watch which cluster."""

from visualizer.identity import CONTROL, VIEW, existing_owner_key, owner_key_for, role_for
from visualizer.ratelimit import TokenBucket


def role(kind="sandbox", owner="visitor:a", viewer="visitor:a", superuser=False, token=None):
    return role_for(
        kind=kind,
        record_owner=owner,
        share_token="secret-token",
        viewer_key=viewer,
        is_superuser=superuser,
        offered_token=token,
    )


def test_a_sandbox_is_driven_by_its_owner_only():
    """The student who made the sandbox controls it; another student is refused."""
    assert role() == CONTROL
    assert role(viewer="visitor:b") is None
    assert role(viewer=None) is None


def test_a_share_link_gives_read_only_access():
    """Holding the share token lets anyone watch, never drive; a wrong token is refused."""
    assert role(viewer="visitor:b", token="secret-token") == VIEW
    assert role(viewer="visitor:b", token="guess") is None


def test_a_demo_cluster_is_driven_by_its_instructor_and_watched_by_everyone():
    """Students watch the class demo read-only; the instructor (or a superuser) drives it."""
    assert role(kind="demo", owner="user:1", viewer="user:1") == CONTROL
    assert role(kind="demo", owner="user:1", viewer="visitor:s") == VIEW
    assert role(kind="demo", owner="user:1", viewer=None) == VIEW
    assert role(kind="demo", owner="user:1", viewer="user:9", superuser=True) == CONTROL


def test_a_superuser_cannot_drive_a_students_sandbox():
    """Privacy: a sandbox stays its owner's, whoever else signs in."""
    assert role(viewer="user:9", superuser=True) is None


class FakeUser:
    is_authenticated = False


def test_visitors_get_a_stable_key_in_their_session():
    """The first page view stores a visitor id; later ones and the websocket read the same key."""
    session = {}
    key = owner_key_for(FakeUser(), session)
    assert key.startswith("visitor:") and owner_key_for(FakeUser(), session) == key
    assert existing_owner_key(FakeUser(), session) == key
    assert existing_owner_key(FakeUser(), {}) is None


def test_the_token_bucket_allows_a_burst_then_the_rate():
    """Ten at once, then five a second."""
    now = [0.0]
    bucket = TokenBucket(rate=5, burst=10, clock=lambda: now[0])
    assert all(bucket.allow() for _ in range(10))
    assert not bucket.allow()
    now[0] += 0.2
    assert bucket.allow() and not bucket.allow()
