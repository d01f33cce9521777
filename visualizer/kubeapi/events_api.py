"""Events, as core/v1 `Event` (`/api/v1/…/events`) and `events.k8s.io/v1` `Event`, from the engine's records.

The engine keeps what its components emitted (`Cluster.events`); `kubectl get events` shows them aggregated
(visualizer.engine.kubectl.events: one Event per repeated occurrence, `count` and `lastTimestamp` moving).
Here the same aggregated records become Event objects (`events.as_event`, with the involved object's uid so
`kubectl describe` finds them by `involvedObject.uid`), listed in etcd key order, filtered by the selectors of
selectors.py (`involvedObject.name/namespace/kind/uid`, `reason`, `type`, `source`, …), and printed as a Table
with the printer's columns (printers.go `eventColumnDefinitions`, the same for both groups as they share one
storage). The events.k8s.io/v1 form follows kubernetes pkg/apis/events/v1/conversion.go: `regarding`,
`note`, `reportingController`, `deprecatedSource`, `deprecatedFirstTimestamp`, `deprecatedLastTimestamp`,
`deprecatedCount`.

Events are read-only here: writes to them answer 405 (a real cluster accepts them, kubectl never sends one).
"""

from __future__ import annotations

from visualizer.engine.kubectl import events

from . import selectors, status, tables
from .http import ApiResponse, json_response

_COLUMNS = [
    ("Last Seen", "string", 0, "The time at which the most recent occurrence of this event was recorded."),
    ("Type", "string", 0, "Type of this event (Normal, Warning), new types could be added in the future"),
    (
        "Reason",
        "string",
        0,
        "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
    ),
    ("Object", "string", 0, "The object that this event is about."),
    (
        "Subobject",
        "string",
        1,
        "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.",
    ),
    (
        "Source",
        "string",
        1,
        "The component reporting this event. Should be a short machine understandable string.",
    ),
    ("Message", "string", 0, "A human-readable description of the status of this operation."),
    (
        "First Seen",
        "string",
        1,
        "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)",
    ),
    ("Count", "string", 1, "The number of times this event has occurred."),
    ("Name", "string", 1, tables.NAME_DOC),
]


def column_definitions() -> list[dict]:
    """Returns the event Table's columns (printers.go `eventColumnDefinitions`; `Name` is format `name`)."""
    return [
        {"name": n, "type": t, "format": "name" if n == "Name" else "", "description": d, "priority": p}
        for n, t, p, d in _COLUMNS
    ]


def core_event(cluster, record: dict) -> dict:
    """Returns the core/v1 Event of an aggregated record (events.as_event: a stable uid, the involved
    object's uid, the store revision as resourceVersion), as the console's `-o yaml` prints it too."""
    return events.as_event(record, cluster)


def v1_event(core: dict) -> dict:
    """Returns the events.k8s.io/v1 form of a core/v1 Event (pkg/apis/events/v1 conversion)."""
    out = {
        "kind": "Event",
        "apiVersion": "events.k8s.io/v1",
        "metadata": core["metadata"],
        "eventTime": None,
        "reason": core["reason"],
        "regarding": core["involvedObject"],
        "note": core["message"],
        "type": core["type"],
        "reportingController": core["reportingComponent"],
        "reportingInstance": core["reportingInstance"],
        "deprecatedSource": core["source"],
        "deprecatedFirstTimestamp": core["firstTimestamp"],
        "deprecatedLastTimestamp": core["lastTimestamp"],
        "deprecatedCount": core["count"],
    }
    return out


def _records(cluster, namespace: str | None) -> list[dict]:
    return events.key_order(
        [r for r in events.aggregate(cluster.events) if events.in_namespace(r, namespace)]
    )


def _served(cluster, served, record: dict) -> dict:
    core = core_event(cluster, record)
    return v1_event(core) if served.group == "events.k8s.io" else core


def list_(ctx, req, served, target) -> ApiResponse:
    """Answers a list of events in a namespace or all namespaces (EventList or Table)."""
    wanted = tables.negotiate(req)
    if wanted is None:
        return tables.not_acceptable()
    match = selectors.matcher(req, served)
    c = ctx.cluster
    pairs = []
    for r in _records(c, target.namespace):
        obj = _served(c, served, r)
        if match(obj):
            pairs.append((r, obj))
    rv = str(c.store.revision)
    if wanted.as_ == "Table":
        now = c.clock.now
        items = [(obj, events.wide_cells(r, now)) for r, obj in pairs]
        return json_response(tables.table(column_definitions(), items, rv, req, wanted.version))
    return json_response(
        {
            "kind": "EventList",
            "apiVersion": served.group_version,
            "metadata": {"resourceVersion": rv},
            "items": [obj for _, obj in pairs],
        }
    )


def get(ctx, req, served, target) -> ApiResponse:
    """Answers GET of one event by name; 404 `events "x" not found` when there is none."""
    wanted = tables.negotiate(req)
    if wanted is None:
        return tables.not_acceptable()
    if target.namespace is None:
        return status.page_not_found()
    c = ctx.cluster
    for r in _records(c, target.namespace):
        if events.event_name(r) == target.name:
            obj = _served(c, served, r)
            if wanted.as_ == "Table":
                cells = events.wide_cells(r, c.clock.now)
                rv = obj["metadata"]["resourceVersion"]
                return json_response(
                    tables.table(column_definitions(), [(obj, cells)], rv, req, wanted.version)
                )
            return json_response(obj)
    return status.not_found(served.qualified, target.name, served.plural, served.group)
