"""Events on the wire: a narration template id plus its parameters, rendered again by the browser.

An event record (`Cluster.emit`) carries three texts that are pure functions of a few names: `ko` and `en` come
from a narration template (`narration.TEMPLATES`), and `message`, `object`, `component` follow the
Kubernetes component that emits it (kubelet's `Started container nginx`, pkg/kubelet/events). Sending the
texts to every viewer ten times a second made events most of a diff frame; this module sends

    [template, [param, …]]               or   [template, [param, …], {field: value, …}]

where the params fill the template's fields in the order `TABLE[template]["fields"]` lists them (a text that is
a canonical integer as a number; a value of the field's `enums` list as its index; `true` for the previous
item's value of the same field, so a pod's name is not repeated event after event), and the optional
object holds the record's fields that differ from what the template's SHAPE renders (a `seq` other than the
previous event's + 1, a `time` other than the previous event's, a message the shape does not describe). A
record no template describes travels whole, as an object. `decode(encode(record)) == record` always holds:
`encode` checks it and falls back to the whole record, so a shape that does not fit an emitting site costs
bytes, never correctness.

Trace entries (`Cluster.trace`, the last command's story) use the same encoding with their own fields
(`TRACE_KEYS`). The browser's copy of the tables is generated: `static/js/visualizer/narration-table.js`
(`js_module()`; a test checks it is in sync), rendered by `static/js/visualizer/events.js`.
"""

from __future__ import annotations

import json
import re
import string

from .narration import TEMPLATES

EVENT_KEYS = (
    "seq",
    "time",
    "type",
    "reason",
    "object",
    "namespace",
    "component",
    "message",
    "ko",
    "en",
    "step",
    "synthetic",
)
TRACE_KEYS = ("step", "component", "reason", "object", "ko", "en")

_N, _D = "Normal", "default"
_RS = "controller-manager/replicaset-controller"
_DEP = "controller-manager/deployment-controller"


def _pod_kubelet(reason: str, message: str | None, synthetic: bool = False, etype: str = _N) -> dict:
    return {
        "type": etype,
        "reason": reason,
        "object": "pod/{pod}",
        "namespace": _D,
        "component": "kubelet/{node}",
        "message": message,
        "synthetic": synthetic,
    }


def _rs(reason: str, message: str) -> dict:
    return {
        "type": _N,
        "reason": reason,
        "object": "replicaset/{rs}",
        "namespace": _D,
        "component": _RS,
        "message": message,
        "synthetic": False,
    }


def _dep(message: str) -> dict:
    return {
        "type": _N,
        "reason": "ScalingReplicaSet",
        "object": "deployment/{deployment}",
        "namespace": _D,
        "component": _DEP,
        "message": message,
        "synthetic": False,
    }


# What each template's event usually says besides `ko`/`en`, as the emitting site writes it (the sites are named;
# their messages are the Kubernetes components' own). A `{field}` not among the template's own is an extra
# parameter. `None` (or a missing key) means "always sent as given". Only the default namespace is assumed.
SHAPES: dict[str, dict] = {
    # cluster.emit_request: the API server's two quiet steps of every write.
    "request": {
        "type": _N,
        "reason": "Accepted",
        "object": "{obj}",
        "namespace": _D,
        "component": "apiserver",
        "message": "{verb} {obj}",
        "synthetic": True,
    },
    "stored": {
        "type": _N,
        "reason": "Stored",
        "object": "{obj}",
        "namespace": _D,
        "component": "etcd",
        "message": "wrote {key}",
        "synthetic": True,
    },
    "deleted": {
        "type": _N,
        "reason": "Stored",
        "object": "{obj}",
        "namespace": _D,
        "component": "etcd",
        "message": "deleted {key}",
        "synthetic": True,
    },
    # controllers/deployment.py (pkg/controller/deployment: "Scaled up replica set %s from %d to %d").
    "scaled-up-rs": _dep("Scaled up replica set {rs} from {a} to {b}"),
    "scaled-down-rs": _dep("Scaled down replica set {rs} from {a} to {b}"),
    "created-rs": _dep("Scaled up replica set {rs} from 0 to {size}"),
    # controllers/replicaset.py (pkg/controller/replicaset: "Created pod: %v", "Deleted pod: %v").
    "pod-created": _rs("SuccessfulCreate", "Created pod: {pod}"),
    "pod-replaced": _rs("SuccessfulCreate", "Created pod: {pod}"),
    "pod-deleted": _rs("SuccessfulDelete", "Deleted pod: {pod}"),
    # scheduler.py (pkg/scheduler: "Successfully assigned %v/%v to %v").
    "scheduled": {
        "type": _N,
        "reason": "Scheduled",
        "object": "pod/{pod}",
        "namespace": _D,
        "component": "scheduler",
        "message": "Successfully assigned default/{pod} to {node}",
        "synthetic": False,
        # scheduler.py's reasons for its choice (and bind's default): sent as their index.
        "enums": {
            "why_ko": [
                "같은 워크로드의 파드가 가장 적은 노드",
                "남은 CPU 가장 많음",
                "점수가 가장 높음",
                "직접 지정",
            ],
            "why_en": ["fewest pods of the same workload", "most CPU left", "highest score", "set directly"],
        },
    },
    "failed-scheduling": {
        "type": "Warning",
        "reason": "FailedScheduling",
        "object": "pod/{pod}",
        "namespace": _D,
        "component": "scheduler",
        "synthetic": False,
    },
    # kubelet.py (pkg/kubelet/events and kuberuntime's messages).
    "sandbox": _pod_kubelet("SandboxCreating", "Creating pod sandbox for {pod}", synthetic=True),
    "pulling": _pod_kubelet("Pulling", 'Pulling image "{image}"'),
    "pulled": _pod_kubelet(
        "Pulled",
        'Successfully pulled image "{image}" in {took}s ({waited}s including waiting). Image size: {bytes} bytes.',
    ),
    "image-present": _pod_kubelet("Pulled", 'Container image "{image}" already present on machine'),
    "pull-failed": _pod_kubelet("Failed", None, etype="Warning"),
    "pull-backoff": _pod_kubelet("BackOff", 'Back-off pulling image "{image}"'),
    "created": _pod_kubelet("Created", "Created container: {container}"),
    "started": _pod_kubelet("Started", "Started container {container}"),
    "restarted": _pod_kubelet("Started", "Started container {container}"),
    "killing": _pod_kubelet("Killing", "Stopping container {container}"),
    "liveness-kill": _pod_kubelet("Killing", None),
    "unhealthy-liveness": _pod_kubelet("Unhealthy", None, etype="Warning"),
    "unhealthy-readiness": _pod_kubelet("Unhealthy", None, etype="Warning"),
    "crash-backoff": _pod_kubelet("BackOff", None, etype="Warning"),
    "container-exited": _pod_kubelet("Exited", "Container {container} exited with code {code} ({how})"),
    "config-error": _pod_kubelet("Failed", "Error: {why}", etype="Warning"),
    "failed-mount": _pod_kubelet("FailedMount", None, etype="Warning"),
    "pod-ready": _pod_kubelet("Ready", "Pod {pod} is Ready", synthetic=True),
    "pod-ready-no-service": _pod_kubelet("Ready", "Pod {pod} is Ready", synthetic=True),
    "pod-removed": _pod_kubelet("Deleted", "Pod {pod} terminated and removed", synthetic=True),
    # controllers/endpoints.py and kube_proxy.py.
    "endpoints": {
        "type": _N,
        "reason": "EndpointsUpdated",
        "object": "endpoints/{svc}",
        "namespace": _D,
        "component": "controller-manager/endpoints-controller",
        "message": "Endpoints of service {svc} now list {ready} ready address(es)",
        "synthetic": True,
    },
    "proxy-rules": {
        "type": _N,
        "reason": "RulesSynced",
        "object": "service/{svc}",
        "namespace": _D,
        "component": "kube-proxy",
        "message": "Programmed {ready} endpoint(s) for service default/{svc} on every node",
        "synthetic": True,
    },
    "hpa-unknown": {
        "type": "Warning",
        "reason": "FailedGetResourceMetric",
        "object": "horizontalpodautoscaler/{hpa}",
        "namespace": _D,
        "component": "hpa",
        "message": "{why}",
        "synthetic": False,
    },
    # docker_cli.py / runtime.py.
    "docker-run": {
        "type": _N,
        "reason": "Started",
        "object": "container/{name}",
        "namespace": _D,
        "component": "docker",
        "message": "Started container {name} ({image})",
        "synthetic": True,
    },
    "docker-removed": {
        "type": _N,
        "reason": "Destroy",
        "object": "container/{name}",
        "namespace": "",
        "component": "docker",
        "message": "Removed container {name}",
        "synthetic": True,
    },
}


def _pieces(text: str) -> list:
    """`"Started {container} on {node}"` → `["Started ", ["container"], " on ", ["node"]]` (literal `{{`/`}}`
    already unescaped), the form both renderers use."""
    out: list = []
    for literal, field, _spec, _conv in string.Formatter().parse(text):
        if literal:
            out.append(literal)
        if field is not None:
            out.append([field])
    return out


def _regex(pieces: list) -> re.Pattern:
    seen: set[str] = set()
    parts = []
    for piece in pieces:
        if isinstance(piece, str):
            parts.append(re.escape(piece))
        elif piece[0] in seen:
            parts.append(f"(?P={piece[0]})")
        else:
            seen.add(piece[0])
            parts.append(f"(?P<{piece[0]}>.*?)")
    return re.compile(r"\A" + "".join(parts) + r"\Z", re.S)


def _render(pieces: list, params: dict) -> str | None:
    out = []
    for piece in pieces:
        if isinstance(piece, str):
            out.append(piece)
        else:
            value = params.get(piece[0])
            if value is None:
                return None
            out.append(value if type(value) is str else str(value))
    return "".join(out)


def _build_table() -> dict[str, dict]:
    table = {}
    for key, (step, ko, en) in TEMPLATES.items():
        texts = {"ko": _pieces(ko), "en": _pieces(en)}
        shape = dict(SHAPES.get(key, {}))
        enums = shape.pop("enums", {})
        for name, value in shape.items():
            texts[name] = _pieces(value) if isinstance(value, str) else value
        fields: list[str] = []
        for value in texts.values():
            if isinstance(value, list):
                for piece in value:
                    if not isinstance(piece, str) and piece[0] not in fields:
                        fields.append(piece[0])
        table[key] = {"step": step, "fields": fields, "texts": texts}
        if enums:
            table[key]["enums"] = enums
    return table


# key → {"step", "fields": [name…], "texts": {record field: pieces | literal}}; the JS module is made of it.
TABLE = _build_table()
_REGEX = {
    key: {name: _regex(value) for name, value in spec["texts"].items() if isinstance(value, list)}
    for key, spec in TABLE.items()
}
_BY_REASON: dict[str, list[str]] = {}
for _key, _spec in TABLE.items():
    _BY_REASON.setdefault(_spec["texts"].get("reason") and "".join(_spec["texts"]["reason"]), []).append(_key)
_ALL = list(TABLE)


def _expected(key: str, name: str, params: dict, prev: dict) -> object:
    """What decoding yields for field `name` of a record of template `key` with no override (a sentinel
    `_MISSING` when the shape does not say)."""
    if name == "seq":
        return prev["seq"] + 1 if prev.get("seq") is not None else _MISSING
    if name == "time":
        return prev.get("time", _MISSING)
    if name == "step":
        return TABLE[key]["step"]
    value = TABLE[key]["texts"].get(name, _MISSING)
    if isinstance(value, list):
        text = _render(value, params)
        return _MISSING if text is None else text
    return value


_MISSING = object()


def _try(key: str, record: dict, keys: tuple[str, ...], prev: dict, before: dict) -> list | None:
    regexes = _REGEX[key]
    params: dict[str, str] = {}
    for name in ("ko", "en"):
        m = regexes[name].match(record[name]) if isinstance(record.get(name), str) else None
        if m is None:
            return None
        for field, value in m.groupdict().items():
            if params.setdefault(field, value) != value:
                return None
    for name, rx in regexes.items():
        if name in ("ko", "en") or not isinstance(record.get(name), str):
            continue
        m = rx.match(record[name])
        if m is None:
            continue
        extra = {f: v for f, v in m.groupdict().items() if f not in params}
        if all(params.get(f, v) == v for f, v in m.groupdict().items()):
            params.update(extra)
    overrides = {}
    for name in keys:
        want = record[name]
        got = _expected(key, name, params, prev)
        if got is _MISSING or not _same(got, want):
            if name in ("ko", "en"):
                return None
            overrides[name] = want
    # A value of a field's enum travels as its index, a canonical integer as a number (see _param), and the
    # previous record's value of the same field (the same pod, event after event) as `true`.
    enums = TABLE[key].get("enums", {})
    values = [
        True if f in params and before.get(f) == params[f] else _param(params.get(f), enums.get(f))
        for f in TABLE[key]["fields"]
    ]
    while values and values[-1] is None:
        values.pop()
    return [key, values, overrides] if overrides else [key, values]


def _param(value: str | None, enum: list[str] | None) -> str | int | None:
    """A parameter as sent: a value of the field's enum as its index, a canonical integer as a number (both
    renderers print it as the same text), anything else as the text."""
    if enum is not None:
        return enum.index(value) if value in enum else value
    if (
        value is not None
        and value.isdigit()
        and value.isascii()
        and str(int(value)) == value
        and len(value) < 16
    ):
        return int(value)
    return value


def _same(a: object, b: object) -> bool:
    return type(a) is type(b) and a == b


def encode(record: dict, keys: tuple[str, ...], prev: dict, before: dict | None = None) -> list | dict:
    """Return the wire form of one event or trace entry (`keys`: EVENT_KEYS or TRACE_KEYS), given the previous
    record of the same list (`prev`, {} for the first) and its parameters (`before`, see `params_of`). A record
    with other keys, or no template, is returned as it is (a dict). The result always decodes to `record`
    (checked)."""
    if tuple(record) != keys:
        return record
    before = before or {}
    reason = record.get("reason")
    candidates = _BY_REASON.get(reason, []) if isinstance(reason, str) else []
    for key in (*candidates, *(k for k in _ALL if k not in candidates)):
        out = _try(key, record, keys, prev, before)
        if out is not None and _same_record(decode(out, keys, prev, before), record):
            return out
    return record


def params_of(item: list | dict, before: dict) -> dict[str, str | int]:
    """Return the parameters of a wire item by field name (enum indexes and `true` resolved), given those of the
    item before it; a whole record has none."""
    if isinstance(item, dict):
        return {}
    spec = TABLE[item[0]]
    enums = spec.get("enums", {})
    params = {}
    for f, v in zip(spec["fields"], item[1], strict=False):
        if v is True:
            params[f] = before[f]
        elif f in enums and type(v) is int:
            params[f] = enums[f][v]
        elif v is not None:
            params[f] = v
    return params


def _same_record(a: dict, b: dict) -> bool:
    return list(a) == list(b) and all(_same(a[k], b[k]) for k in b)


def decode(item: list | dict, keys: tuple[str, ...], prev: dict, before: dict | None = None) -> dict:
    """Return the record `item` stands for (the inverse of `encode`), given the previous record and its
    parameters. Raises KeyError/IndexError/TypeError on an item that names no known template."""
    if isinstance(item, dict):
        return dict(item)
    key = item[0]
    overrides = item[2] if len(item) > 2 else {}
    params = params_of(item, before or {})
    out = {}
    for name in keys:
        if name in overrides:
            out[name] = overrides[name]
            continue
        value = _expected(key, name, params, prev)
        if value is _MISSING:
            raise KeyError(f"{key}: no value for {name}")
        out[name] = value
    return out


def encode_list(records: list[dict], keys: tuple[str, ...], events: list[dict] | None = None) -> list:
    """Return the wire form of a list of records (each encoded against the one before it).

    With `events` (the events the same diff carries), a trace entry that repeats one of them (the same step,
    component, reason, object and texts) is sent as that event's `seq`, a bare integer.
    """
    index = {}
    if events:
        for ev in events:
            if tuple(ev) == EVENT_KEYS:
                index.setdefault(tuple(ev[k] for k in TRACE_KEYS), ev["seq"])
    out, prev, before = [], {}, {}
    for record in records:
        seq = index.get(tuple(record.get(k) for k in TRACE_KEYS)) if index and tuple(record) == keys else None
        item = seq if seq is not None else encode(record, keys, prev, before)
        out.append(item)
        before = params_of(item, before) if isinstance(item, list) else {}
        prev = record
    return out


def decode_list(items: list, keys: tuple[str, ...], events: list[dict] | None = None) -> list[dict]:
    """Return the records of a list `encode_list` made; `events` are the events held after the same diff
    (where an integer item is looked up by `seq`)."""
    by_seq = {ev.get("seq"): ev for ev in events or ()}
    out, prev, before = [], {}, {}
    for item in items:
        if type(item) is int:
            ev = by_seq[item]
            prev, before = {k: ev[k] for k in keys}, {}
        else:
            prev = decode(item, keys, prev, before)
            before = params_of(item, before)
        out.append(prev)
    return out


def js_module() -> str:
    """Return the text of static/js/visualizer/narration-table.js (generated; see scripts/narration_table.py)."""
    rows = ",\n".join(
        f"  {json.dumps(key)}: " + json.dumps(spec, ensure_ascii=False, separators=(",", ":"))
        for key, spec in TABLE.items()
    )
    body = "{\n" + rows + ",\n}"
    return (
        "// Generated from visualizer/engine/narration.py and event_wire.py by scripts/narration_table.py; do not"
        " edit.\n// A test (tests/visualizer/test_event_wire_js.py) checks that it is in sync.\n"
        f"export const EVENT_KEYS = {json.dumps(list(EVENT_KEYS))};\n"
        f"export const TRACE_KEYS = {json.dumps(list(TRACE_KEYS))};\n"
        f"export const TEMPLATES = {body};\n"
    )
