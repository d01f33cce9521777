"""`GET <collection>?watch=true`: a newline-delimited JSON event stream, including watch-list.

What the real server does, and this module copies (reference Part A §A7):
- Options are validated as apiserver's `ValidateListOptions` does for a watch
  [S apimachinery pkg/apis/meta/internalversion/validation/validation.go `validateWatchOptions`]: a 422
  `ListOptions.meta.k8s.io "" is invalid: …` for `sendInitialEvents` without `resourceVersionMatch=NotOlderThan`,
  `resourceVersionMatch` without `sendInitialEvents`, or a match other than NotOlderThan.
- `resourceVersion` unset or "0": an ADDED for every current match first (apiserver
  pkg/storage/cacher/watch_cache.go `getAllEventsSinceLocked`), then the changes. A specific RV: the changes
  after it, or, when it fell out of the cache's window, one `ERROR` event carrying a 410 `Expired` Status
  `too old resource version: N (M)` and the end of the stream (cacher.go `newErrWatcher`).
- watch-list (`sendInitialEvents=true&resourceVersionMatch=NotOlderThan`): ADDED for every match, then, when
  `allowWatchBookmarks` is set, a BOOKMARK carrying the snapshot's RV and the annotation
  `k8s.io/initial-events-end: "true"`, then the changes (client-go tools/cache/reflector.go `watchList`).
- Selectors: an object that starts matching arrives as ADDED, one that stops matching as DELETED carrying its
  previous content with the event's RV (cacher/cache_watcher.go `convertToWatchEvent`).
- `allowWatchBookmarks`: a BOOKMARK (an object of the watched kind with only `metadata.resourceVersion`)
  about every minute (cacher.go `defaultBookmarkFrequency`).
- `timeoutSeconds`: the stream ends cleanly after that many (real) seconds; without it the real server picks
  1800–3600 s (handlers/get.go `handleWatch`), here 3600 s so a student's `kubectl get -w` stays open (kubectl
  exits when the server closes the watch: reference fact 15).
- A Table `Accept` (`kubectl get -w`): every event's object is a one-row Table; only the first carries
  `columnDefinitions` (apiserver pkg/endpoints/handlers/watch.go `watchEmbeddedEncoder`).
- If the engine's store was replaced under a running watch (a reset, a rolled-back console command), the
  watch gets the 410 ERROR event and ends, as after an etcd compaction: clients relist.

Events come from `ctx.cache` (watchcache.WatchCache), only for the served kind (autoscaling v1 and v2 both
watch HorizontalPodAutoscalers, v1 presented in the v1 shape) and, for a namespaced path, that namespace.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from . import status
from .http import ApiRequest, ApiResponse, dumps

DEFAULT_TIMEOUT = 3600.0  # seconds; the real server: min-request-timeout (1800) × [1, 2)
BOOKMARK_EVERY = 60.0  # seconds between periodic bookmarks (cacher.go defaultBookmarkFrequency)
INITIAL_EVENTS_END = "k8s.io/initial-events-end"
JSON_STREAM = "application/json"
log = logging.getLogger(__name__)


def start(ctx, req: ApiRequest, served, target, clock: Callable[[], float] = time.monotonic) -> ApiResponse:
    """Answers a watch: validates the options, writes the initial events as the body and returns a response
    whose `stream` yields the later ones (see the module docstring). `clock` gives real seconds (tests)."""
    problem = _validate(req)
    if problem is not None:
        return problem
    rv_text = req.param("resourceVersion") or ""
    if rv_text not in ("", "0") and not (rv_text.isascii() and rv_text.isdigit()):
        # storage APIObjectVersioner.ParseResourceVersion → InterpretWatchError → NewInvalid(resource, "")
        # [S apiserver pkg/storage/api_object_versioner.go, pkg/registry/generic/registry/storage_factory.go]
        cause = f'Invalid value: "{rv_text}": strconv.ParseUint: parsing "{rv_text}": invalid syntax'
        details = {
            "name": "",
            "kind": served.plural,
            "causes": [{"reason": "FieldValueInvalid", "message": cause, "field": "resourceVersion"}],
        }
        if served.group:
            details["group"] = served.group
        return status.failure(
            422, "Invalid", f'{served.qualified} "" is invalid: resourceVersion: {cause}', details
        )
    timeout_text = req.param("timeoutSeconds")
    timeout = DEFAULT_TIMEOUT
    if timeout_text not in (None, ""):
        try:
            timeout = float(int(timeout_text))
        except ValueError:
            return status.bad_request(f'timeoutSeconds: Invalid value: "{timeout_text}": not an integer')
        if timeout <= 0:  # handlers/get.go: no timeout asked → the server's own
            timeout = DEFAULT_TIMEOUT
    wanted = _wanted(req)
    if wanted is None:
        from . import tables

        return tables.not_acceptable()
    match = _matcher(req, served)
    table = wanted.as_ == "Table"
    kind = WatchStream
    if served.kind in ("Event", "Lease"):  # kept outside the store: compared snapshot to snapshot
        from .watch_events import EventWatch, LeaseWatch

        kind = EventWatch if served.kind == "Event" else LeaseWatch
    stream = kind(
        ctx, req, served, target, match, table=table, timeout=timeout, clock=clock, version=wanted.version
    )
    return ApiResponse(200, stream.initial(ctx), JSON_STREAM, [], stream, timeout)


class WatchStream:
    """One watch's state: the last resourceVersion delivered, and how to filter and encode events.

    `initial(ctx)` returns the first chunk (initial ADDED events, the initial-events-end bookmark, or a 410
    ERROR); `poll(ctx)` returns the chunks for the changes since, and sets `finished` at the deadline or after
    an ERROR event.
    """

    def __init__(
        self,
        ctx,
        req: ApiRequest,
        served,
        target,
        match: Callable[[dict], bool],
        *,
        table: bool = False,
        timeout: float = DEFAULT_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
        version: str = "v1",
    ):
        self.req = req
        self.version = version
        self.served = served
        self.namespace = target.namespace
        self.match = match
        self.table = table
        self.bookmarks = req.flag("allowWatchBookmarks")
        self.send_initial = req.param("sendInitialEvents")
        self.rv_text = req.param("resourceVersion") or ""
        self.clock = clock
        self.deadline = clock() + timeout
        self.next_bookmark = clock() + BOOKMARK_EVERY
        self.finished = False
        self.store = ctx.cache.store
        self.rv = 0
        self._columns_sent = False
        self._ctx = ctx

    # ------------------------------------------------------------------ stream
    def initial(self, ctx) -> bytes:
        """Returns the body written before streaming starts (see the class docstring)."""
        cache = ctx.cache
        if self.wants_initial():
            self.rv = cache.revision
            out = [self._event("ADDED", obj) for obj in self._current(ctx)]
            if self.send_initial is not None and self.bookmarks:
                out.append(self._bookmark(self.rv, end=True))
            return b"".join(out)
        self.rv = int(self.rv_text)
        if cache.since(self.rv) is None:
            self.finished = True
            return self._expired(self.rv, cache.floor)
        return b"".join(self._changes(ctx))

    def wants_initial(self) -> bool:
        """True when the watch starts with an ADDED per current match: watch-list (`sendInitialEvents=true`),
        or a legacy watch from "any" version (resourceVersion unset or "0")."""
        if self.send_initial is not None:
            return self.send_initial.lower() in ("true", "1", "t")
        return self.rv_text in ("", "0")

    def poll(self, ctx) -> list[bytes]:
        """Returns the encoded events since the last call (may be empty). Never raises: a fault of the
        simulator ends the watch with an ERROR event carrying a 500 InternalError Status."""
        if self.finished:
            return []
        try:
            return self._poll(ctx)
        except Exception:  # noqa: BLE001 - the transport must get an event, never a traceback
            log.exception("kubeapi: watch of %s failed", self.served.qualified)
            self.finished = True
            obj = status.status_object(
                500, "InternalError", "Internal error occurred: the simulator could not continue this watch"
            )
            return [dumps({"type": "ERROR", "object": obj}) + b"\n"]

    def _poll(self, ctx) -> list[bytes]:
        self._ctx = ctx
        if ctx.cache.store is not self.store or ctx.cache.revision < self.rv:
            # replaced, or rolled back in place (a failed console command restores its checkpoint)
            self.finished = True
            return [self._expired(self.rv, ctx.cache.floor)]
        out = self._changes(ctx)
        if self.finished:
            return out
        now = self.clock()
        if now >= self.deadline:
            self.finished = True
        elif self.bookmarks and now >= self.next_bookmark:
            self.next_bookmark = now + BOOKMARK_EVERY
            out.append(self._bookmark(max(self.rv, ctx.cache.revision)))
        return out

    def _changes(self, ctx) -> list[bytes]:
        changes = ctx.cache.since(self.rv)
        if changes is None:
            self.finished = True
            return [self._expired(self.rv, ctx.cache.floor)]
        out = []
        kind = self.served.engine_kind
        for change in changes:
            self.rv = change.rv
            if change.obj.get("kind") != kind:
                continue
            new = present(self.served, change.obj)
            old = present(self.served, change.old) if change.old is not None else None
            now_ok = change.type != "DELETED" and self._passes(new)
            was_ok = old is not None and self._passes(old)
            if now_ok and not was_ok:
                out.append(self._event("ADDED", new))
            elif now_ok:
                out.append(self._event("MODIFIED", new))
            elif was_ok:
                last = new if change.type == "DELETED" else _with_rv(old, change.rv)
                out.append(self._event("DELETED", last))
        return out

    # ------------------------------------------------------------------ helpers
    def _passes(self, obj: dict) -> bool:
        if self.namespace is not None and obj["metadata"].get("namespace") != self.namespace:
            return False
        return self.match(obj)

    def _current(self, ctx) -> list[dict]:
        kind = self.served.engine_kind
        if kind is None:
            return []
        from .reads import collect

        return collect(ctx.cluster, self.served, self.namespace, self.match)

    def _event(self, etype: str, obj: dict) -> bytes:
        shown = obj
        if self.table:
            shown = self._table(shown)
        return dumps({"type": etype, "object": shown}) + b"\n"

    def _table(self, obj: dict) -> dict:
        first = not self._columns_sent
        self._columns_sent = True
        return table_of(self._ctx, self.req, self.served, obj, with_columns=first, version=self.version)

    def _bookmark(self, rv: int, end: bool = False) -> bytes:
        meta: dict = {"resourceVersion": str(rv)}
        if end:
            meta["annotations"] = {INITIAL_EVENTS_END: "true"}
        obj = {"kind": self.served.kind, "apiVersion": self.served.group_version, "metadata": meta}
        return dumps({"type": "BOOKMARK", "object": obj}) + b"\n"

    @staticmethod
    def _expired(rv: int, floor: int) -> bytes:
        obj = status.status_object(410, "Expired", f"too old resource version: {rv} ({floor})")
        return dumps({"type": "ERROR", "object": obj}) + b"\n"


def present(served, obj: dict) -> dict:
    """Returns the object as this group-version serves it (autoscaling/v1 HPAs in the v1 shape: reads.py)."""
    from .reads import served_form

    return served_form(obj, served)


def table_of(ctx, req: ApiRequest, served, obj: dict, *, with_columns: bool, version: str = "v1") -> dict:
    """Returns the one-row `meta.k8s.io` Table of a watch event, cells from the console's printers
    (tables.engine_table); `columnDefinitions` only in the first event, null after, as the real encoder
    sends them (apiserver pkg/endpoints/handlers/watch.go)."""
    from . import tables

    rv = obj["metadata"].get("resourceVersion", "")
    table = tables.engine_table(ctx.cluster, req, obj["kind"], [obj], rv, version)
    if not with_columns:
        table["columnDefinitions"] = None
    return table


def _wanted(req: ApiRequest):
    """Returns what the Accept asks for (tables.negotiate): None when nothing acceptable (406)."""
    from . import tables

    return tables.negotiate(req)


def _with_rv(obj: dict, rv: int) -> dict:
    return dict(obj, metadata=dict(obj["metadata"], resourceVersion=str(rv)))


def _validate(req: ApiRequest) -> ApiResponse | None:
    """Returns the 422 of `validateWatchOptions` (WatchList gate on) or None when the options are valid."""
    match = req.param("resourceVersionMatch") or ""
    send = req.param("sendInitialEvents")
    causes = []
    if send is not None and match != "NotOlderThan":
        causes.append(
            (
                "resourceVersionMatch",
                "FieldValueForbidden",
                "Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
            )
        )
    if match:
        if send is None:
            causes.append(
                (
                    "resourceVersionMatch",
                    "FieldValueForbidden",
                    "Forbidden: resourceVersionMatch is "
                    "forbidden for watch unless sendInitialEvents is provided",
                )
            )
        if match != "NotOlderThan":
            causes.append(
                (
                    "resourceVersionMatch",
                    "FieldValueNotSupported",
                    f'Unsupported value: "{match}": supported values: "NotOlderThan"',
                )
            )
        if req.param("continue"):
            causes.append(
                (
                    "resourceVersionMatch",
                    "FieldValueForbidden",
                    "Forbidden: resourceVersionMatch is forbidden when continue is provided",
                )
            )
    if not causes:
        return None
    texts = [f"{f}: {m}" for f, _, m in causes]
    joined = texts[0] if len(texts) == 1 else "[" + ", ".join(texts) + "]"
    details = {
        "group": "meta.k8s.io",
        "kind": "ListOptions",
        "causes": [{"reason": r, "message": m, "field": f} for f, r, m in causes],
    }
    return status.failure(422, "Invalid", f'ListOptions.meta.k8s.io "" is invalid: {joined}', details)


def _matcher(req: ApiRequest, served) -> Callable[[dict], bool]:
    from .selectors import matcher

    return matcher(req, served)
