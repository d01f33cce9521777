"""`GET /api/v1/namespaces/{ns}/pods/{name}/log`: a container's log as `text/plain`, optionally followed.

The text is the engine's container log, the same lines the console's `kubectl logs` prints (both read
`visualizer.engine.kubectl.commands.container_log_lines`), one `\\n` after each complete line.

Parameters (api core/v1 types.go `PodLogOptions`; kubelet pkg/kubelet/kuberuntime/logs/logs.go):
- `container`: required when the pod has several containers — 400 `a container name must be specified for
  pod p, choose one of: [a b]` (` or one of the init containers: [i]` appended when there are some); an
  unknown one is 400 `container x is not valid for pod p` (kubernetes pkg/registry/core/pod/strategy.go
  `LogLocation`). A pod not yet bound to a node has no log location: an empty answer, as the real server gives.
- `previous`: the instance before the last restart; none → 400 `previous terminated container "c" in pod
  "p" not found` (kubelet_pods.go `validateContainerLogStatus`). A container that never started: 400
  `container "c" in pod "p" is waiting to start: <reason>`.
- `tailLines` (last N lines), `limitBytes` (at most N bytes, cut anywhere), `timestamps` (each line
  prefixed with its time in RFC 3339 with 9 fraction digits and a space: kubelet `RFC3339NanoFixed`),
  `sinceSeconds` / `sinceTime` (lines written at or after that time). Times are in the client's clock, moved
  from simulated time by the same whole-second offset as every other timestamp of the API (visualizer/engine/wallclock.py).
- `follow`: the response stays open: each poll writes the lines the container wrote since, as simulated
  time passes; it ends when that container instance stops (exit, restart, pod deleted), as the kubelet's
  follow ends with the log file of the instance.

Line times: the engine keeps a time for each write of a container's output when it records them
(`ctr["logTimes"]`, one per log chunk); older records without them use the container's start time.
"""

from __future__ import annotations

import logging
from datetime import datetime

from visualizer.engine.clock import EPOCH
from visualizer.engine.kubectl.commands import CommandError, container_log_lines, runtime_container
from visualizer.engine.kubectl.logtimes import line_times as _line_times
from visualizer.engine.kubectl.logtimes import nano_stamp as _nano_stamp

from . import status
from .http import ApiRequest, ApiResponse

CONTENT_TYPE = "text/plain"
FOLLOW_TIMEOUT = 4 * 3600.0  # real seconds a followed log may stay open (the transport's cap)
_PRINTED = "Error from server (BadRequest): "
log = logging.getLogger(__name__)


def handle(ctx, req: ApiRequest, served, target) -> ApiResponse:
    """Answers a pods/log GET (see the module docstring); every refusal is a Status."""
    c = ctx.cluster
    pod = c.store.get(f"/registry/pods/{target.namespace}/{target.name}")
    if pod is None:
        return status.not_found("pods", target.name)
    opts = _options(req)
    if isinstance(opts, ApiResponse):
        return opts
    spec = pod["spec"]
    names = [x["name"] for x in spec["containers"]]
    inits = [x["name"] for x in spec.get("initContainers") or []]
    cname = opts["container"]
    if not cname:
        if len(names) != 1:
            msg = f"a container name must be specified for pod {target.name}, choose one of: [{' '.join(names)}]"
            if inits:
                msg += f" or one of the init containers: [{' '.join(inits)}]"
            return status.bad_request(msg)
        cname = names[0]
    elif cname not in names + inits:
        return status.bad_request(f"container {cname} is not valid for pod {target.name}")
    if not spec.get("nodeName"):
        return ApiResponse(200, b"", CONTENT_TYPE)
    _, ctr = runtime_container(c, pod, cname)
    try:
        lines = container_log_lines(pod, cname, ctr, opts["previous"])
    except CommandError as err:
        text = str(err)
        return status.bad_request(text[len(_PRINTED) :] if text.startswith(_PRINTED) else text)
    open_last = bool(not opts["previous"] and (ctr.get("logState") or {}).get("open"))
    times = _line_times(ctr, lines, opts["previous"])
    entries = list(zip(times, lines, strict=True))
    partial = entries.pop() if open_last and entries else None
    # timestamps go out in the client's clock, as every other timestamp of the API (visualizer/engine/wallclock.py)
    offset = ctx.offset()
    shift = round(offset) if opts["timestamps"] else None
    since = _since(opts, c.clock.now, offset)
    if since is not None:
        entries = [e for e in entries if e[0] >= since]
    if opts["tail"] is not None:
        entries = entries[-opts["tail"] :] if opts["tail"] else []
    follow = opts["follow"] and not opts["previous"] and ctr.get("state") == "running"
    body = b"".join(_line(t, text, shift) for t, text in entries)
    if partial is not None and not follow:
        body += _line(partial[0], partial[1], shift)[:-1]
    limit = opts["limit"]
    if limit is not None and len(body) >= limit:
        return ApiResponse(200, body[:limit], CONTENT_TYPE)
    if not follow:
        return ApiResponse(200, body, CONTENT_TYPE)
    stream = LogFollow(pod, cname, ctr, sent=len(lines) - (1 if partial else 0), opts=opts, written=len(body))
    return ApiResponse(200, body, CONTENT_TYPE, [], stream, FOLLOW_TIMEOUT)


class LogFollow:
    """A followed log: `poll(ctx)` returns the complete lines the container instance wrote since the last
    call (with their timestamps when asked) and sets `finished` when the instance is gone."""

    def __init__(self, pod: dict, cname: str, ctr: dict, *, sent: int, opts: dict, written: int = 0):
        self.key = f"/registry/pods/{pod['metadata']['namespace']}/{pod['metadata']['name']}"
        self.uid = pod["metadata"].get("uid")
        self.cname = cname
        self.instance = (ctr.get("restartCount"), ctr.get("startedAt"))
        self.sent = sent  # complete lines of this instance already written
        self.last = None  # the text of the last line written (re-anchors after log rotation)
        self.timestamps = opts["timestamps"]
        self.limit = opts["limit"]
        self.written = written
        self.finished = False

    def poll(self, ctx) -> list[bytes]:
        """Returns the new lines as one chunk (or nothing); see the class docstring. Never raises: a fault
        of the simulator ends the followed log (kubectl then returns, as when the container stops)."""
        if self.finished:
            return []
        try:
            return self._poll(ctx)
        except Exception:  # noqa: BLE001 - the transport must end the response cleanly
            log.exception("kubeapi: following the log of %s failed", self.key)
            self.finished = True
            return []

    def _poll(self, ctx) -> list[bytes]:
        c = ctx.cluster
        pod = c.store.get(self.key)
        if pod is None or pod["metadata"].get("uid") != self.uid:
            self.finished = True
            return []
        _, ctr = runtime_container(c, pod, self.cname)
        if ctr is None:
            self.finished = True
            return []
        same = (ctr.get("restartCount"), ctr.get("startedAt")) == self.instance
        logs = ctr["logs"] if same else ctr["prevLogs"]
        from visualizer.engine.programs.machine import log_lines

        lines = log_lines(logs)
        running = same and ctr.get("state") == "running"
        complete = len(lines) - (1 if running and (ctr.get("logState") or {}).get("open") and lines else 0)
        start = self.sent
        if complete < self.sent:  # the oldest chunks were rotated away: find where we were
            start = _anchor(lines[:complete], self.last)
        times = _line_times(ctr, lines, not same)
        shift = ctx.offset() if self.timestamps else None
        out = b"".join(_line(times[i], lines[i], shift) for i in range(start, complete))
        if complete > start:
            self.last = lines[complete - 1]
        self.sent = complete
        if not running:
            self.finished = True
        if self.limit is not None and self.written + len(out) >= self.limit:
            out = out[: self.limit - self.written]
            self.finished = True
        self.written += len(out)
        return [out] if out else []


def _anchor(lines: list[str], last: str | None) -> int:
    for i in range(len(lines) - 1, -1, -1):
        if lines[i] == last:
            return i + 1
    return 0


def _line(t: float, text: str, shift: float | None) -> bytes:
    """One log line; with `shift` (seconds from simulated to client time) prefixed by its timestamp."""
    if shift is not None:
        return f"{_nano_stamp(t + shift)} {text}\n".encode()
    return f"{text}\n".encode()


def _since(opts: dict, now: float, offset: float) -> float | None:
    """The simulated time from which lines are sent (`sinceTime` is in the client's clock), or None."""
    if opts["since_seconds"] is not None:
        return now - opts["since_seconds"]
    if opts["since_time"] is None:
        return None
    return opts["since_time"] - offset


def _options(req: ApiRequest) -> dict | ApiResponse:
    """Returns the parsed PodLogOptions, or the 400 the parameter decoder answers for a malformed value."""
    opts: dict = {
        "container": req.param("container") or "",
        "previous": req.flag("previous"),
        "timestamps": req.flag("timestamps"),
        "follow": req.flag("follow"),
    }
    for name, key, minimum in (
        ("tailLines", "tail", 0),
        ("limitBytes", "limit", 1),
        ("sinceSeconds", "since_seconds", 1),
    ):
        text = req.param(name)
        if text in (None, ""):
            opts[key] = None
            continue
        try:
            value = int(text)
        except ValueError:
            return status.bad_request(
                f'{name}: Invalid value: "{text}": strconv.ParseInt: parsing "{text}": invalid syntax'
            )
        if value < minimum:
            word = "greater than or equal to 0" if minimum == 0 else "greater than 0"
            return status.failure(
                422,
                "Invalid",
                f'PodLogOptions "{req.path.rsplit("/", 2)[-2]}" is invalid: {name}: Invalid value: {value}: '
                f"must be {word}",
                {"name": req.path.rsplit("/", 2)[-2], "kind": "PodLogOptions"},
            )
        opts[key] = value
    since_time = req.param("sinceTime")
    opts["since_time"] = None
    if since_time:
        try:
            when = datetime.fromisoformat(since_time.replace("Z", "+00:00"))
            opts["since_time"] = (when - EPOCH).total_seconds()
        except (ValueError, TypeError):
            return status.bad_request(
                f'parsing time "{since_time}" as "2006-01-02T15:04:05Z07:00": cannot parse "{since_time}"'
            )
        if opts["since_seconds"] is not None:
            return status.failure(422, "Invalid", "at most one of sinceTime or sinceSeconds may be specified")
    return opts
