"""Per-client limits on joining a class and on entering pair codes, counted in Django's cache.

A client is its network address and, once it has one, its browser session: a script that drops its cookies
still comes from one address, and one browser cannot use up an address shared by a whole class behind NAT.
Limits are "COUNT/SECONDS" strings from `settings.RATE_LIMITS[scope][kind]` (or "off"): at most COUNT attempts
in each window of SECONDS. Windows are fixed (counted from the epoch), so a client can at worst make 2×COUNT
attempts across a window boundary, which still keeps a 8-character pair code (31**8 codes) out of reach.

Why Django's cache framework rather than django-ratelimit: the counters need to be shared by several Daphne
processes, which the cache gives with Redis (settings.CACHES follows REDIS_URL), and local memory does for
the single process `make run` starts. django-ratelimit counts the same way, but its system checks reject the
local-memory cache (error E003) and warn about Django's own Redis cache (W001), it answers 403 unless each
view handles its flag, and it is one more dependency for what is here about thirty lines: two keys, an
atomic add + incr, and our own answer (HTTP 429 with the form and a Korean message).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy

JOIN = "join"
PAIR = "pair"
MESSAGES = {
    JOIN: gettext_lazy("참여 시도가 너무 많습니다. 잠시 후 다시 시도하세요."),
    PAIR: gettext_lazy("페어 코드 시도가 너무 많습니다. 잠시 후 다시 시도하세요."),
}


@dataclass(frozen=True)
class Limit:
    """At most `count` attempts in each window of `seconds`."""

    count: int
    seconds: int


def parse(spec: str) -> Limit | None:
    """Return the limit written as "COUNT/SECONDS", or None for "off"; raise ImproperlyConfigured otherwise."""
    text = (spec or "").strip().lower()
    if text in {"off", "0", "none"}:
        return None
    count, _, seconds = text.partition("/")
    try:
        limit = Limit(int(count), int(seconds))
    except ValueError:
        limit = None
    if limit is None or limit.count < 1 or limit.seconds < 1:
        raise ImproperlyConfigured(
            f"a rate limit must look like 40/600 (attempts/seconds) or off; got {spec!r}"
        )
    return limit


def client_keys(request) -> dict[str, str]:
    """Return who is asking: {"address": REMOTE_ADDR, "session": session key} (the session only if it exists).

    A request without a session is not given one here, so a refused attempt stores nothing.
    """
    keys = {"address": request.META.get("REMOTE_ADDR") or "unknown"}
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        keys["session"] = session.session_key
    return keys


def _cache_key(scope: str, kind: str, ident: str, limit: Limit, now: float) -> str:
    digest = hashlib.sha256(ident.encode()).hexdigest()[
        :24
    ]  # addresses and session keys stay out of the cache
    return f"ratelimit:{scope}:{kind}:{digest}:{limit.seconds}:{int(now // limit.seconds)}"


def allow(scope: str, keys: dict[str, str], limits: dict[str, str], now: float | None = None) -> bool:
    """Count one attempt of `scope` for every key and return whether all of them are still within their limit.

    `limits` maps a key kind ("address", "session") to its "COUNT/SECONDS" spec; kinds without a key or a
    limit are not counted. Refused attempts count too, so hammering does not shorten the wait.
    """
    now = time.time() if now is None else now
    allowed = True
    for kind, ident in keys.items():
        limit = parse(limits.get(kind, "off"))
        if limit is None:
            continue
        key = _cache_key(scope, kind, ident, limit, now)
        # add() then incr() is atomic in Redis and in local memory: no two processes read the same count.
        cache.add(key, 0, timeout=limit.seconds + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=limit.seconds + 1)
            count = 1
        allowed = allowed and count <= limit.count
    return allowed


def allow_request(scope: str, request) -> bool:
    """Count one attempt of `scope` ("join" or "pair") by this request's client; False when over the limit."""
    return allow(scope, client_keys(request), settings.RATE_LIMITS[scope])
