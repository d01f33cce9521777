"""Per-client limits on joining a class and on entering pair codes, counted in Django's cache; and the
classroom socket's budgets per identity (`socket_budgets`, per process, at the end): of the answers that cost a
sender nothing, and of the frames that write to the database.

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
atomic add + incr, and our own answer (HTTP 429 with `Retry-After`, the form and a Korean message).
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy, gettext_noop

from wsflow.budget import ANSWER_BUDGETS, Limits

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


def retry_after(scope: str, keys: dict[str, str], limits: dict[str, str], now: float | None = None) -> int:
    """Return the whole seconds (at least 1) until every key that is over its limit starts a fresh window: the
    `Retry-After` of a refusal (RFC 9110 §10.2.3), as the visualizer's 429 answers and kube-apiserver's say
    when to come back. Counts nothing."""
    now = time.time() if now is None else now
    wait = 0.0
    for kind, ident in keys.items():
        limit = parse(limits.get(kind, "off"))
        if limit is not None and (cache.get(_cache_key(scope, kind, ident, limit, now)) or 0) > limit.count:
            wait = max(wait, limit.seconds - now % limit.seconds)
    return max(1, math.ceil(wait))


def retry_after_request(scope: str, request) -> int:
    """`retry_after` for this request's client (after `allow_request` refused it)."""
    return retry_after(scope, client_keys(request), settings.RATE_LIMITS[scope])


# The classroom socket's answers that cost a sender nothing — `error` for a refused frame and `pong` — have
# budgets per identity (wsflow.budget.ANSWER_BUDGETS, the cluster socket's too): a joined student, or anyone
# holding a join cookie, sending bad frames or pings without reading would otherwise have the server write (and
# buffer) an answer for each, and every answered ping is a database write (presence.seen). Unlike the join and
# pair limits above these are counted in the process that holds the socket, not in the cache: what they bound
# is that process's own work and memory (as the Kubernetes API server's per-process in-flight limits do), and
# a cache round trip per frame would cost more than the answer it saves.
#
# The frames a student sends that write to the database have budgets per student too (all their tabs share
# them): a joined student could otherwise send valid answers as fast as the socket takes them, each one a
# write. purpose -> (tokens per second, burst), generous for a real class:
# - "answers": `answer` (the self-paced quiz and peer-instruction votes) and `predict.vote`. 30 at once covers
#   a whole quiz answered quickly with a few changes of mind per question, then one every 2 s for as long as
#   the class lasts (a vote changed every few seconds is still taken).
# - "pair": `pair.update`, the pair's shared answer as its partners type. The page sends one at a time, 150 ms
#   after the last keystroke and once the previous is acknowledged (pair.js); past the budget it waits and
#   sends the edits merged, so typing fast loses nothing, it is saved in fewer writes.
# `pair.sync` reads and writes nothing; `ping` has its own budget above (each pong is a presence write).
FRAME_BUDGETS: dict[str, tuple[float, int]] = {
    "answers": (0.5, 30),
    "pair": (2.0, 30),
}
FRAME_PURPOSE = {"answer": "answers", "predict.vote": "answers", "pair.update": "pair"}
SOCKET_BUDGETS = {**ANSWER_BUDGETS, **FRAME_BUDGETS}
# The `too_fast` error's message per purpose; the frame's `retry_after` says in how many seconds to send again.
TOO_FAST = {
    "answers": gettext_noop("답을 너무 자주 보냈습니다. 잠시 후 다시 보내세요."),
    "pair": gettext_noop("저장이 너무 잦습니다. 잠시 후 모아서 저장합니다."),
}
socket_budgets = Limits(SOCKET_BUDGETS)


def socket_key(student_id: int | None, user) -> str:
    """Return the identity a classroom socket's budgets are kept under: `student:<pk>` for a student (all their
    tabs share it), `user:<pk>` for an instructor's dashboard or projector, `anonymous` otherwise."""
    if student_id is not None:
        return f"student:{student_id}"
    if getattr(user, "is_authenticated", False):
        return f"user:{user.pk}"
    return "anonymous"
