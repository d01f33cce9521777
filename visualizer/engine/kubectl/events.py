"""`kubectl get events`: the Event list as the API server returns it and kubectl prints it.

What a real cluster shows, and why:
- **Aggregation.** client-go's EventCorrelator (tools/record/events_cache.go) turns a repeated event (same
  source, object, type, reason and message) into one Event whose `count` grows and whose `lastTimestamp`
  moves; `kubectl get events` therefore prints it once, LAST SEEN being the last occurrence, and
  `kubectl describe` prints its age as `45s (x4 over 2m)` (kubectl pkg/describe `DescribeEvents`).
- **Order.** The list comes back in etcd key order, `/registry/events/<namespace>/<event name>`, and an event
  is named `<involvedObject.name>.<hex of its first timestamp>` (client-go tools/record/event.go
  `makeEvent`): so events are grouped by namespace, then by object *name*, then by time — not by time alone.
  `--sort-by=.lastTimestamp` / `.metadata.creationTimestamp` (`.firstTimestamp`) sort by time.
- **Columns** (kubernetes pkg/printers/internalversion `eventColumnDefinitions`): `LAST SEEN TYPE REASON
  OBJECT MESSAGE`, with `NAMESPACE` first for `-A`; OBJECT is `<kind lowercased>/<name>`.
- **Field selectors** the API server supports for events (pkg/registry/core/event/strategy.go
  `ToSelectableFields`): `involvedObject.kind|namespace|name|uid|apiVersion|resourceVersion|fieldPath`,
  `reason`, `reportingComponent`, `source`, `type`, `metadata.name`, `metadata.namespace`; `=`, `==` and `!=`,
  comma-separated terms all apply. Any other field: `Error from server (BadRequest): Unable to find
  "/v1, Resource=events" that match label selector "", field selector "<sel>": field label not supported:
  <field>` (cli-runtime pkg/resource `EnhanceListError`).

Narration-only events (`synthetic`) are never listed: a real cluster does not record them.
"""

from __future__ import annotations

from .. import selectors
from ..apiserver import ApiError
from ..clock import EPOCH, human_duration, stamp
from ..objects import etcd_key, lookup_resource
from . import printers


def aggregate(events: list[dict]) -> list[dict]:
    """Returns one record per distinct event: the first occurrence with `first`, `last` (seconds) and `count`.

    Synthetic (narration-only) events are left out. Input order (emission order) is kept for ties.
    """
    groups: dict[tuple, dict] = {}
    for e in events:
        if e.get("synthetic"):
            continue
        key = (e.get("namespace", ""), e["object"], e["type"], e["reason"], e["message"], e["component"])
        g = groups.get(key)
        if g is None:
            groups[key] = dict(e, first=e["time"], last=e["time"], count=1)
        else:
            g["last"], g["count"] = e["time"], g["count"] + 1
    return list(groups.values())


def age_column(record: dict, now: float) -> str:
    """Returns describe's Age cell: `45s`, or `45s (x4 over 2m)` for an event seen several times."""
    last = human_duration(now - record["last"])
    if record.get("count", 1) > 1:
        return f"{last} (x{record['count']} over {human_duration(now - record['first'])})"
    return last


# The engine's component names → the event source a real cluster records (Event.source.component), as
# `kubectl describe` prints it in the From column (kubectl pkg/describe `formatEventSource`).
_SOURCES = {
    "scheduler": "default-scheduler",
    "hpa": "horizontal-pod-autoscaler",
    "controller-manager/persistentvolume-binder-controller": "persistentvolume-controller",
    "controller-manager/garbage-collector": "garbage-collector-controller",
}


def source_of(component: str) -> str:
    """Returns the From column for an engine component: `kubelet`, `default-scheduler`, `replicaset-controller`."""
    if component in _SOURCES:
        return _SOURCES[component]
    if component.startswith("kubelet/"):
        return "kubelet"
    return component.removeprefix("controller-manager/")


def describe_section(cluster, kind: str, name: str, namespace: str) -> str:
    """Returns `kubectl describe`'s Events block for one object: Type, Reason, Age (`45s (x4 over 2m)`), From,
    Message; `Events:            <none>` when there are none (as describe.py prints it)."""
    ref = f"{kind.lower()}/{name}"
    records = [
        r
        for r in aggregate(cluster.events)
        if r["object"] == ref and r.get("namespace", "") in (namespace, "")
    ]
    if not records:
        return "Events:            <none>"
    records.sort(key=lambda r: (r["first"], r["seq"]))
    now = cluster.clock.now
    rows = [
        ["  " + r["type"], r["reason"], age_column(r, now), source_of(r["component"]), r["message"]]
        for r in records[-20:]
    ]
    return "Events:\n" + printers.table(
        ["  Type", "Reason", "Age", "From", "Message"],
        [["  ----", "------", "----", "----", "-------"], *rows],
    )


def _kind_of(obj_ref: str) -> str:
    prefix = obj_ref.split("/", 1)[0]
    res = lookup_resource(prefix)
    return res.kind if res is not None else prefix[:1].upper() + prefix[1:]


def involved_object(record: dict, cluster=None) -> dict:
    """Returns the Event's `involvedObject` for a record: kind, name, namespace and, when the object is in the
    store, its `uid` (and `apiVersion`), which `kubectl describe` selects events by.

    A cluster-scoped object (a Node) has no namespace; the kubelet names its node by name, so a kubelet's
    node events carry the node's *name* as uid (kubelet.go `nodeRef`), which is why `kubectl describe node`
    looks the events up twice, by uid and by name (kubectl pkg/describe `DescribeEvents`).
    """
    kind = _kind_of(record["object"])
    _, _, name = record["object"].partition("/")
    res = lookup_resource(kind)
    namespaced = res is None or res.namespaced
    ref = {"kind": kind, "namespace": record.get("namespace") or "default", "name": name}
    if not namespaced:
        ref.pop("namespace")
    if kind == "Node" and record["component"].startswith("kubelet"):
        ref["uid"] = name
    elif cluster is not None and res is not None:
        obj = cluster.store.get(etcd_key(res, ref.get("namespace"), name))
        if obj is not None:
            ref["uid"] = obj["metadata"].get("uid", "")
    if res is not None and "uid" in ref:
        ref["apiVersion"] = res.api_version
    return ref


def as_event(record: dict, cluster=None) -> dict:
    """Returns the core/v1 Event object of an aggregated record, as `kubectl get events -o yaml` shows it.

    Its name is `<object name>.<hex of the first timestamp in Unix nanoseconds>` (client-go tools/record
    `makeEvent`), in the object's namespace (`default` for cluster-scoped objects); `source.component` is the
    reporter (`kubelet`, `default-scheduler`, …). With `cluster`, `involvedObject` carries the object's uid.
    """
    _, _, name = record["object"].partition("/")
    ns = record.get("namespace") or "default"
    # Simulated instants are shared by many events; the sequence number stands in for the nanoseconds that
    # keep real names unique.
    nanos = round((EPOCH.timestamp() + record["first"]) * 1e9) + record["seq"]
    source = source_of(record["component"])
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {
            "name": f"{name}.{nanos:x}",
            "namespace": ns,
            "creationTimestamp": stamp(record["first"]),
        },
        "involvedObject": involved_object(record, cluster),
        "reason": record["reason"],
        "message": record["message"],
        "type": record["type"],
        "count": record["count"],
        "firstTimestamp": stamp(record["first"]),
        "lastTimestamp": stamp(record["last"]),
        "source": {"component": source},
        "reportingComponent": source,
        "reportingInstance": "",
    }


def wide_cells(record: dict, now: float) -> list[str]:
    """Returns the wide row of one event (printers.go `printEvent` with Wide): LAST SEEN, TYPE, REASON, OBJECT,
    SUBOBJECT, SOURCE, MESSAGE, FIRST SEEN, COUNT, NAME; the narrow table shows columns 0-3 and 6."""
    return [
        human_duration(now - record["last"]),
        record["type"],
        record["reason"],
        record["object"],
        "",
        source_of(record["component"]),
        record["message"].strip(),
        human_duration(now - record["first"]),
        str(record["count"]),
        as_event(record)["metadata"]["name"],
    ]


def key_order(records: list[dict]) -> list[dict]:
    """Returns records in etcd key order, `/registry/events/<namespace>/<event name>` (how the API server
    lists them): by namespace, then by the Event's name (`<object name>.<hex time>`)."""
    return sorted(records, key=lambda r: ((r.get("namespace") or "default"), as_event(r)["metadata"]["name"]))


def in_namespace(record: dict, namespace: str | None) -> bool:
    """True when the record's Event lives in `namespace` (None: any); events about cluster-scoped objects
    live in `default`, as client-go's recorder puts them (tools/record/event.go `makeEvent`)."""
    return namespace is None or (record.get("namespace") or "default") == namespace


def table(
    cluster,
    namespace: str | None,
    field_selector: str | None = None,
    sort_by: str | None = None,
    output: str = "",
    no_headers: bool = False,
) -> str:
    """Returns `kubectl get events` output for one namespace (None = all, with a NAMESPACE column).

    `output` is `-o`: "" (the table), `wide` (adds SUBOBJECT, SOURCE, FIRST SEEN, COUNT, NAME), `yaml` or
    `json` (a List of Events) or `name` (`event/<name>`). Raises ApiError for an unsupported field selector
    and for a `--sort-by` path events do not have.
    """
    records = [r for r in aggregate(cluster.events) if in_namespace(r, namespace)]
    if field_selector:
        # The API server's field labels for events and its messages (selectors.py, shared with the REST face).
        try:
            terms = selectors.parse_field_selector(field_selector, "", "events")
        except ValueError as exc:
            raise ApiError(
                selectors.kubectl_message("/v1, Resource=events", "", field_selector, str(exc)),
                "BadRequest",
                400,
            ) from None
        records = [r for r in records if selectors.fields_match(terms, as_event(r, cluster), "", "events")]
    records = key_order(records)
    if sort_by:
        # kubectl sorts the rows it got (in key order) by the field of each Event, with Go's sort.Sort.
        from .gosort import sort_by_values
        from .output_formats import _relaxed, evaluate

        path = _relaxed(sort_by)
        objs = {id(r): as_event(r, cluster) for r in records}
        if records and not any(evaluate(path, o) for o in objs.values()):
            raise ApiError(
                f'error: couldn\'t find any field with path "{{{sort_by.strip("{}")}}}" in the list of objects'
            )
        records = sort_by_values(records, lambda r: evaluate(path, objs[id(r)]))
    if output in ("yaml", "json"):
        data = printers.as_list([as_event(r, cluster) for r in records])
        return printers.to_yaml(data) if output == "yaml" else printers.to_json(data, sort_keys=True)
    if not records:
        return f"No resources found in {namespace} namespace." if namespace else "No resources found"
    if output == "name":
        return "\n".join(f"event/{as_event(r)['metadata']['name']}" for r in records)
    now = cluster.clock.now
    wide = [wide_cells(r, now) for r in records]
    if output == "wide":
        headers = ["LAST SEEN", "TYPE", "REASON", "OBJECT", "SUBOBJECT", "SOURCE", "MESSAGE", "FIRST SEEN"]
        headers += ["COUNT", "NAME"]
        rows = wide
    else:
        headers = ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
        rows = [[*w[:4], w[6]] for w in wide]
    if namespace is None:
        headers = ["NAMESPACE", *headers]
        rows = [[r.get("namespace") or "default", *row] for r, row in zip(records, rows, strict=True)]
    if no_headers:
        return printers.table(rows[0], rows[1:])
    return printers.table(headers, rows)
