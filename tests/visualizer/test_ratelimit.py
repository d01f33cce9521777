"""Token buckets per identity in a bounded map (visualizer.ratelimit) and the identity keys they are kept under
(visualizer.identity.rate_keys, client_address)."""

from types import SimpleNamespace

from tests.clock import ManualClock
from visualizer.identity import SESSION_KEY, client_address, rate_key
from visualizer.ratelimit import Limits, TokenBucket


def test_a_bucket_gives_its_burst_then_its_rate_and_says_how_long_to_wait():
    clock = ManualClock()
    bucket = TokenBucket(rate=2.0, burst=3, clock=clock)
    assert [bucket.allow() for _ in range(4)] == [True, True, True, False]
    assert bucket.wait() == 0.5
    clock.now = 0.5
    assert bucket.allow() and not bucket.allow()


def test_keys_share_a_bucket_and_a_refusal_spends_nothing():
    clock = ManualClock()
    limits = Limits({"act": (1.0, 2)}, address_factor=3, clock=clock)
    assert limits.allow("act", "visitor:a", "addr:1.2.3.4")
    assert limits.allow("act", "visitor:a", "addr:1.2.3.4")
    assert not limits.allow("act", "visitor:a", "addr:1.2.3.4")  # visitor:a is empty
    # ... and the refusal took nothing from the address, which allows 3 × 2 = 6 in a burst.
    assert limits.bucket("act", "addr:1.2.3.4").tokens == 4.0
    assert [limits.allow("act", f"visitor:{n}", "addr:1.2.3.4") for n in "bcdef"] == [True] * 4 + [False]
    assert limits.retry_after("act", "visitor:f", "addr:1.2.3.4") == 1


def test_the_map_is_bounded_and_forgets_the_least_recently_used():
    limits = Limits({"act": (1.0, 1)}, max_keys=3, clock=ManualClock())
    for key in ("user:1", "user:2", "user:3"):
        assert limits.allow("act", key)
    limits.bucket("act", "user:1")  # used again: now the most recent
    limits.allow("act", "user:4")
    assert len(limits) == 3
    assert not limits.allow("act", "user:1")  # still remembered (and empty)
    assert limits.allow("act", "user:2")  # forgotten, so a fresh bucket


def session(data=None, key="k" * 32):
    return SimpleNamespace(get=(data or {}).get, session_key=key)


def test_the_rate_key_is_the_user_then_the_visitor_then_the_session_then_the_address():
    user = SimpleNamespace(is_authenticated=True, pk=7)
    anonymous = SimpleNamespace(is_authenticated=False)
    assert rate_key(user, session(), "1.2.3.4") == "user:7"
    assert rate_key(anonymous, session({SESSION_KEY: "v1"}), "1.2.3.4") == "visitor:v1"
    identity = rate_key(anonymous, session(), "1.2.3.4")
    assert identity.startswith("session:") and "k" * 32 not in identity  # hashed, never the cookie itself
    # A cookie naming no stored session loads as session_key None: the address is all there is.
    assert rate_key(anonymous, session(key=None), "1.2.3.4") == "addr:1.2.3.4"
    assert rate_key(None, None, "unknown") == "addr:unknown"


def test_the_client_address_believes_only_the_hop_a_trusted_proxy_appended():
    headers = [(b"x-forwarded-for", b"6.6.6.6, 203.0.113.5")]
    assert client_address(["10.0.0.1", 5000], headers) == "10.0.0.1"  # not trusted: the peer
    assert client_address(["10.0.0.1", 5000], headers, trust_forwarded=True) == "203.0.113.5"
    bad = [(b"x-forwarded-for", b"not-an-address")]
    assert client_address(["10.0.0.1", 5000], bad, trust_forwarded=True) == "10.0.0.1"
    assert client_address(None) == "unknown"
