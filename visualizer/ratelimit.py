"""Rate limits per identity: a token bucket per (purpose, who), shared by every socket and request of that
identity in this process, kept in a bounded least-recently-used map.

Who is an identity key from visualizer.identity.rate_key (`user:…`, `visitor:…`, `session:…`, or `addr:…` for
a client without a session): ten sockets of one browser share one bucket, so opening more sockets does not buy
more rate. An address's bucket, shared by everyone behind it who has no session, holds ADDRESS_FACTOR
identities' worth (a classroom behind one NAT). Like the Kubernetes API server's max-in-flight and API Priority
and Fairness filters (k8s.io/apiserver pkg/server/filters), the limits are per server process; a refusal says
when to come back (`retry_after`, seconds), as their 429 answers do with Retry-After.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable

# purpose -> (tokens per second, burst). "act": console commands, clock controls, completions and scenario
# frames of the cluster socket, and writes through the Kubernetes API (5/s, bursts of 10: fast typing and a
# script of a few `kubectl apply` pass). "api": every Kubernetes API request (kubectl sends several per
# command). "resync": full snapshots a client asks for (a page that lost a diff needs one; a flood is coalesced,
# visualizer.consumers). "sandbox": new visitors (browsers without a session, each given a cluster) per address,
# set by settings.RATE_LIMIT_SANDBOX_ADDRESS ("COUNT/SECONDS": COUNT at once, refilled over SECONDS; default
# 60/600: a class of 60 behind one NAT at once, then one every 10 s).
# "errors": `error` answers to refused frames, "ping": `pong`s (a page pings every 20 s per tab; both are answers
# that cost the sender nothing, so a client that never reads could have the server buffer them without end).
RATES: dict[str, tuple[float, int]] = {
    "act": (5.0, 10),
    "api": (30.0, 120),
    "resync": (0.5, 4),
    "errors": (5.0, 20),
    "ping": (1.0, 10),
    "sandbox": (60 / 600, 60),
}
# An address's bucket holds this many identities' worth (a classroom behind one NAT), for "act", "api", "resync".
ADDRESS_FACTOR = 40
MAX_KEYS = 20_000  # buckets kept per process; the least recently used is forgotten first (it was full anyway)


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


class TokenBucket:
    """Allows `burst` actions at once and `rate` per second after that."""

    def __init__(self, rate: float = 5.0, burst: int = 10, clock: Callable[[], float] = time.monotonic):
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self.tokens = float(burst)
        self.stamp = clock()

    def _refill(self) -> None:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def available(self) -> bool:
        """Return whether a token is available now, without spending it."""
        self._refill()
        return self.tokens >= 1.0

    def allow(self) -> bool:
        """Return True and spend a token if one is available."""
        if self.available():
            self.tokens -= 1.0
            return True
        return False

    def wait(self) -> float:
        """Return the seconds until a token is available (0.0 when one is)."""
        self._refill()
        return 0.0 if self.tokens >= 1.0 else (1.0 - self.tokens) / self.rate


class Limits:
    """Token buckets per (purpose, identity key) in a bounded LRU map (one per process: `limits`)."""

    def __init__(
        self,
        rates: dict[str, tuple[float, int]] | None = None,
        *,
        max_keys: int = MAX_KEYS,
        address_factor: int = ADDRESS_FACTOR,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.rates = dict(RATES if rates is None else rates)
        self.max_keys = max_keys
        self.address_factor = address_factor
        self.clock = clock
        self._buckets: OrderedDict[tuple[str, str], TokenBucket] = OrderedDict()

    def bucket(self, purpose: str, key: str) -> TokenBucket:
        """Return the bucket of `key` for `purpose` (KeyError for an unknown purpose), most recent first."""
        found = self._buckets.get((purpose, key))
        if found is not None:
            self._buckets.move_to_end((purpose, key))
            return found
        rate, burst = self.rates[purpose]
        if key.startswith("addr:") and purpose != "sandbox":
            rate, burst = rate * self.address_factor, burst * self.address_factor
        found = self._buckets[(purpose, key)] = TokenBucket(rate, burst, self.clock)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return found

    def allow(self, purpose: str, *keys: str) -> bool:
        """Spend one token from each key's bucket if every one has a token; else spend nothing, return False."""
        buckets = [self.bucket(purpose, key) for key in dict.fromkeys(keys)]
        if not all(b.available() for b in buckets):
            return False
        for b in buckets:
            b.tokens -= 1.0
        return True

    def retry_after(self, purpose: str, *keys: str) -> int:
        """Return the whole seconds (at least 1) until every key's bucket has a token again."""
        return max(1, math.ceil(max(self.bucket(purpose, key).wait() for key in keys)))

    def configure(self, purpose: str, rate: float, burst: int) -> None:
        """Set a purpose's rate and burst; its buckets start afresh when they change."""
        if self.rates.get(purpose) != (rate, burst):
            self.rates[purpose] = (rate, burst)
            for key in [k for k in self._buckets if k[0] == purpose]:
                del self._buckets[key]

    def clear(self) -> None:
        """Forget every bucket (tests)."""
        self._buckets.clear()

    def __len__(self) -> int:
        return len(self._buckets)


limits = Limits()
