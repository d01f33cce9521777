"""Simulated time as a user's clock sees it: timestamps shifted so that ages are simulated ages.

The engine stamps objects in simulated time from a fixed epoch (visualizer.engine.clock.EPOCH), and its clock
runs at the class's speed, pauses, and jumps. Server-printed columns (the Table's AGE) are computed here in
simulated time, but kubectl computes some ages itself from the timestamps against the machine's clock:
`describe`'s event ages, `get events -w`, `rollout history`. So every timestamp the API sends is moved by one
offset, `wall now − simulated now`, making `client now − timestamp` equal the simulated age at the moment of
the answer; timestamps a client sends (a status update) are moved back. Only the fields that are timestamps
in the Kubernetes types (metav1.Time / MicroTime, listed in FIELDS) are touched, and only when their value is
an RFC 3339 time: annotations that merely look like times (`kubectl.kubernetes.io/restartedAt`) are data.

The browser console prints with the same offset (`display_offset`, set for the duration of one console
command from `Cluster.wall_offset`, which the live host sets from the real clock; 0 in the engine's own
tests), so `kubectl get … -o yaml` and `describe` in the console print what the REST face returns.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta

from .clock import EPOCH

# Whole seconds added to every timestamp the console prints during the command being run (see above).
display_offset: ContextVar[int] = ContextVar("display_offset", default=0)

# JSON names of metav1.Time and metav1.MicroTime fields in the served kinds (k8s.io/api types.go).
FIELDS = frozenset(
    {
        "creationTimestamp",
        "deletionTimestamp",
        "lastTransitionTime",
        "lastUpdateTime",
        "lastProbeTime",
        "lastHeartbeatTime",
        "startedAt",
        "finishedAt",
        "startTime",
        "completionTime",
        "lastScheduleTime",
        "lastSuccessfulTime",
        "lastScaleTime",
        "firstTimestamp",
        "lastTimestamp",
        "eventTime",
        "lastObservedTime",
        "deprecatedFirstTimestamp",
        "deprecatedLastTimestamp",
        "renewTime",
        "acquireTime",
        "timestamp",
        "expirationTimestamp",
    }
)
_TIME = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d{1,9})?Z$")


def offset(sim_now: float, wall_now: float) -> int:
    """Returns the whole seconds to add to a simulated timestamp so the client sees simulated ages:
    `wall_now` (Unix seconds) minus the simulated instant `sim_now` (seconds since EPOCH), rounded."""
    return round(wall_now - (EPOCH.timestamp() + sim_now))


def _move(text: str, seconds: float) -> str:
    match = _TIME.match(text)
    if match is None:
        return text
    moved = datetime.strptime(match[1], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC) + timedelta(
        seconds=round(seconds)
    )
    return moved.strftime("%Y-%m-%dT%H:%M:%S") + (match[2] or "") + "Z"


def shift(data, seconds: float):
    """Returns `data` (JSON-like) with every timestamp field moved by `seconds` (whole seconds); shares
    untouched parts with the input, never mutates it."""
    if isinstance(data, dict):
        out = None
        for key, value in data.items():
            if isinstance(value, str):
                new = _move(value, seconds) if key in FIELDS or key == "time" else value
            elif isinstance(value, (dict, list)):
                new = shift(value, seconds)
            else:
                continue
            if new is not value:
                if out is None:
                    out = dict(data)
                out[key] = new
        return data if out is None else out
    if isinstance(data, list):
        items = [shift(v, seconds) for v in data]
        return data if all(a is b for a, b in zip(items, data, strict=True)) else items
    return data


def displayed(data):
    """Returns `data` with its timestamps as the console shows them now (display_offset; unchanged at 0)."""
    seconds = display_offset.get()
    return shift(data, seconds) if seconds else data


def to_wall(sim_seconds: float, sim_now: float, wall_now: float) -> datetime:
    """Returns the client-clock instant of simulated time `sim_seconds` (for text such as log timestamps)."""
    return EPOCH + timedelta(seconds=sim_seconds + offset(sim_now, wall_now))
