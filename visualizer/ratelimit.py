"""Rate limits per identity: a token bucket per (purpose, who), shared by every socket and request of that
identity in this process, kept in a bounded least-recently-used map (wsflow.budget, shared with the classroom
socket; TokenBucket and Limits are re-exported here).

Who is an identity key from visualizer.identity.rate_key (`user:…`, `visitor:…`, `session:…`, or `addr:…` for
a client without a session): ten sockets of one browser share one bucket, so opening more sockets does not buy
more rate. An address's bucket, shared by everyone behind it who has no session, holds ADDRESS_FACTOR
identities' worth (a classroom behind one NAT). Like the Kubernetes API server's max-in-flight and API Priority
and Fairness filters (k8s.io/apiserver pkg/server/filters), the limits are per server process; a refusal says
when to come back (`retry_after`, seconds), as their 429 answers do with Retry-After.
"""

from __future__ import annotations

from wsflow.budget import ANSWER_BUDGETS, MAX_KEYS, Limits, TokenBucket

__all__ = ["ADDRESS_FACTOR", "MAX_KEYS", "RATES", "Limits", "TokenBucket", "limits", "parse_spec"]

# purpose -> (tokens per second, burst). "act": console commands, clock controls, completions and scenario
# frames of the cluster socket, and writes through the Kubernetes API (5/s, bursts of 10: fast typing and a
# script of a few `kubectl apply` pass). "api": every Kubernetes API request (kubectl sends several per
# command). "resync": full snapshots a client asks for (a page that lost a diff needs one; a flood is coalesced,
# visualizer.consumers). "sandbox": new visitors (browsers without a session, each given a cluster) per address,
# set by settings.RATE_LIMIT_SANDBOX_ADDRESS ("COUNT/SECONDS": COUNT at once, refilled over SECONDS; default
# 60/600: a class of 60 behind one NAT at once, then one every 10 s).
# "errors" and "ping": the budgets of answers that cost the sender nothing, the classroom socket's too
# (wsflow.budget.ANSWER_BUDGETS).
RATES: dict[str, tuple[float, int]] = {
    "act": (5.0, 10),
    "api": (30.0, 120),
    "resync": (0.5, 4),
    **ANSWER_BUDGETS,
    "sandbox": (60 / 600, 60),
}
# An address's bucket holds this many identities' worth (a classroom behind one NAT), for every purpose but
# "sandbox" (itself counted per address).
ADDRESS_FACTOR = 40


def parse_spec(spec: str) -> tuple[float, int] | None:
    """Return (tokens per second, burst) for a setting written "COUNT/SECONDS" (COUNT at once, refilled over
    SECONDS), or None for "off"; raise ValueError otherwise (the same form as settings.RATE_LIMITS)."""
    text = (spec or "").strip().lower()
    if text in {"off", "0", "none"}:
        return None
    count, _, seconds = text.partition("/")
    burst, window = int(count), int(seconds)
    if burst < 1 or window < 1:
        raise ValueError(f"a rate limit must look like 60/600 (count/seconds) or off; got {spec!r}")
    return burst / window, burst


limits = Limits(RATES, address_factor=ADDRESS_FACTOR, unscaled={"sandbox"})
