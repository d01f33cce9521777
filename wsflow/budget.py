"""Token buckets per (purpose, identity), shared by every socket of one identity in this process, in a bounded
least-recently-used map; and the budgets of the answers a socket gives for free.

An identity key names who is asking (the visualizer's `user:…`, `visitor:…`, `session:…`, `addr:…`; the
classroom's `student:…`, `user:…`): ten sockets of one browser share one bucket, so opening more sockets does
not buy more rate. A key starting `addr:` (everyone behind one address without a session) gets
`address_factor` identities' worth. Like the Kubernetes API server's max-in-flight and API Priority and
Fairness filters (k8s.io/apiserver pkg/server/filters), the limits are per server process; a refusal says when
to come back (`retry_after`, seconds), as their 429 answers do with Retry-After.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable, Collection

# purpose -> (tokens per second, burst) of the answers both websocket apps give whatever the frame costs its
# sender: "errors", the `error` answers to refused frames (bursts of 20, then 5 a second); "ping", `pong`s (a
# page pings every 20-25 s per tab: bursts of 10, then 1 a second). A client that sends 7-byte bad frames or
# pings without reading would otherwise make the server write and buffer an answer for each; over its budget a
# frame is still refused (or the ping ignored), silently.
ANSWER_BUDGETS: dict[str, tuple[float, int]] = {
    "errors": (5.0, 20),
    "ping": (1.0, 10),
}
MAX_KEYS = 20_000  # buckets kept per process; the least recently used is forgotten first (it was full anyway)


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
    """Token buckets per (purpose, identity key) in a bounded LRU map.

    `rates`: purpose -> (tokens per second, burst). `address_factor`: how many identities' worth an `addr:` key
    gets, for every purpose but those in `unscaled` (a purpose that is itself counted per address).
    """

    def __init__(
        self,
        rates: dict[str, tuple[float, int]],
        *,
        max_keys: int = MAX_KEYS,
        address_factor: int = 1,
        unscaled: Collection[str] = (),
        clock: Callable[[], float] = time.monotonic,
    ):
        self.rates = dict(rates)
        self.max_keys = max_keys
        self.address_factor = address_factor
        self.unscaled = frozenset(unscaled)
        self.clock = clock
        self._buckets: OrderedDict[tuple[str, str], TokenBucket] = OrderedDict()

    def bucket(self, purpose: str, key: str) -> TokenBucket:
        """Return the bucket of `key` for `purpose` (KeyError for an unknown purpose), most recent first."""
        found = self._buckets.get((purpose, key))
        if found is not None:
            self._buckets.move_to_end((purpose, key))
            return found
        rate, burst = self.rates[purpose]
        if key.startswith("addr:") and purpose not in self.unscaled:
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
