"""Guided-scenario checks: a small declarative language evaluated against a cluster's state, and step progress.

A scenario step is complete when the cluster *shows* it (three ready pods, an endpoint gone, a restart
counted), never because a command was typed or a button pressed: the student may reach the state any way
they like (a one-line `kubectl`, YAML in the editor, tab completion), and a wrong action leaves the step open.

Checks only read. A `ClusterView` takes one `Cluster.snapshot()` per evaluation and, for the two checks that
look inside a container (`file`, `env`), runs `kubectl exec POD -- cat|printenv`, which the engine's shell
answers without changing anything. Nothing here calls `advance` or a mutating command, so checking never
moves the simulation (a test compares `to_dict()` before and after). The language is documented in the
"Scenario checks" section of docs/engine.md; `validate_check` rejects unknown types and keys, so a typo in
the fixture fails a test instead of leaving a step that can never complete.

Progress (`ScenarioProgress`) is a JSON-ready state dict the runtime persists with the cluster record:
the indices of completed steps and, for the current step, a *baseline* taken when it became current (the
simulated time, the last event number, the pods that existed). Steps complete strictly in order, and a
completed step stays completed even if the cluster later changes (the student is allowed to move on).

Why the snapshot rather than `kubectl get -o json`: it is one call that already joins what the checks need
(pods with readiness and their owner, bare Docker containers, Service endpoints and kube-proxy request counts,
HPA status, PVC phases, encryption at rest, recent events), and it is the same picture the student sees.
"""

from __future__ import annotations

import copy
import shlex
from collections.abc import Mapping, MutableMapping

SIDES = ("a", "b")
# Measures accept `name`, `name_at_least` and `name_at_most` (non-negative integers).
SUFFIXES = ("", "_at_least", "_at_most")

# Per check type: filter keys (with their accepted Python types) and measure names.
POD_FILTERS = {
    "selector": str,
    "name": str,
    "image": str,
    "status": (str, list),
    "node": str,
    "node_ready": bool,
    "new": bool,
    "uses_secret": str,
    "uses_claim": str,
    "owner": str,
    "terminating": bool,
    "failing_probe": str,
}
POD_MEASURES = ("count", "ready", "not_ready", "running", "scheduled", "restarts")
CONTAINER_FILTERS = {"image": str, "host": str, "name": str}
CONTAINER_MEASURES = ("count", "running", "exited", "restarts")

# Types whose value may be the object's name (other keys then sit beside it) or a dict of parameters.
NAMED = {
    "deployment": (
        {"exists": bool, "image": str, "strategy": str},
        ("replicas", "ready", "updated", "available", "total", "revision"),
    ),
    "service": ({"exists": bool, "type": str, "port": int}, ()),
    "endpoints": ({}, ("count", "not_ready")),
    "traffic": ({}, ("pods", "total")),
    "hpa": ({"exists": bool, "target_cpu": int}, ("replicas", "desired", "min", "max")),
    "secret": ({"exists": bool, "keys": list, "encrypted": bool}, ()),
    "pvc": ({"exists": bool, "phase": str}, ()),
    "node": ({"exists": bool, "ready": bool, "cordoned": bool, "up": bool}, ("pods",)),
}
COLLECTIONS = {
    "pods": (POD_FILTERS, POD_MEASURES),
    "bare_containers": (CONTAINER_FILTERS, CONTAINER_MEASURES),
    "replicasets": ({"deployment": str, "image": str}, ("count", "active")),
    "pvs": ({"phase": str}, ("count",)),
    "nodes": ({"ready": bool, "cordoned": bool}, ("count",)),
}
EVENT_KEYS = {"reason": str, "object": str, "component": str, "type": str}
INSIDE = {  # checks that read inside a container with a read-only `kubectl exec`
    "file": {"selector": str, "path": str, "contains": str, "new": bool},
    "env": {"selector": str, "var": str, "value": str, "new": bool},
}
FLAGS = {"encryption_at_rest": bool}
READ_ONLY_SHELL = ("cat", "ls", "env", "printenv")
COMBINATORS = ("all", "any", "not", "on")


class CheckError(ValueError):
    """A check definition that is not part of the language; the message names where it is."""


# ---------------------------------------------------------------------------------------------- validation
def _measure_keys(measures) -> set[str]:
    return {m + s for m in measures for s in SUFFIXES}


def _check_params(params: dict, filters: dict, measures, where: str, required: tuple = ()) -> None:
    allowed = set(filters) | _measure_keys(measures)
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise CheckError(f"{where}: unknown key(s) {unknown}; allowed: {sorted(allowed)}")
    for key in required:
        if key not in params:
            raise CheckError(f"{where}: `{key}` is required")
    for key, value in params.items():
        if key in filters:
            expected = filters[key]
            if isinstance(value, bool) and expected is not bool:
                raise CheckError(f"{where}.{key}: expected {expected}, got a boolean")
            if not isinstance(value, expected):
                raise CheckError(f"{where}.{key}: expected {expected}, got {type(value).__name__}")
            if isinstance(value, list) and not all(isinstance(v, str) for v in value):
                raise CheckError(f"{where}.{key}: expected a list of strings")
        elif isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise CheckError(f"{where}.{key}: expected a non-negative integer")


def _split_named(check: dict, kind: str, where: str) -> tuple[str, dict]:
    """Returns (name, params) of a named check in either form: {"deployment": "web", "ready": 3} or nested."""
    value = check[kind]
    if isinstance(value, str):
        return value, {k: v for k, v in check.items() if k != kind}
    if isinstance(value, dict):
        if len(check) != 1:
            raise CheckError(f"{where}: with a nested {kind!r} dict, no other keys may sit beside it")
        params = dict(value)
        name = params.pop("service" if kind in ("endpoints", "traffic") else "name", None)
        if not isinstance(name, str) or not name:
            raise CheckError(f"{where}.{kind}: `name` is required")
        return name, params
    raise CheckError(f"{where}.{kind}: expected an object name or a dict")


def check_type(check: dict) -> str:
    """Returns the type key of a check (the one key of the language it carries)."""
    if not isinstance(check, dict) or not check:
        raise CheckError("a check must be a non-empty dict")
    known = [
        k
        for k in check
        if k in NAMED or k in COLLECTIONS or k in INSIDE or k in FLAGS or k in COMBINATORS or k == "event"
    ]
    if len(known) != 1:
        raise CheckError(f"a check needs exactly one type key, got {sorted(check)}")
    return known[0]


def validate_check(check: object, where: str = "check", sides: tuple[str, ...] = ("a",)) -> None:
    """Raises CheckError unless `check` is a valid check (see docs/engine.md, "Scenario checks")."""
    kind = check_type(check)  # type: ignore[arg-type]
    assert isinstance(check, dict)
    here = f"{where}.{kind}"
    if kind in ("all", "any"):
        if len(check) != 1 or not isinstance(check[kind], list) or not check[kind]:
            raise CheckError(f"{here}: expected a non-empty list of checks")
        for i, sub in enumerate(check[kind]):
            validate_check(sub, f"{here}[{i}]", sides)
    elif kind == "not":
        if len(check) != 1:
            raise CheckError(f"{here}: no other keys may sit beside `not`")
        validate_check(check["not"], here, sides)
    elif kind == "on":
        if set(check) != {"on", "check"}:
            raise CheckError(f"{here}: expected exactly {{'on': side, 'check': {{...}}}}")
        if check["on"] not in sides:
            raise CheckError(f"{here}: side must be one of {list(sides)} for this layout")
        validate_check(check["check"], f"{where}.check", sides)
    elif kind in NAMED:
        name, params = _split_named(check, kind, where)
        filters, measures = NAMED[kind]
        _check_params(params, filters, measures, here)
    elif kind in COLLECTIONS:
        if len(check) != 1 or not isinstance(check[kind], dict):
            raise CheckError(f"{here}: expected a dict of filters and measures")
        filters, measures = COLLECTIONS[kind]
        _check_params(check[kind], filters, measures, here)
        if kind == "pods" and "selector" in check[kind]:
            parse_selector(check[kind]["selector"], here)
        if kind == "pods" and check[kind].get("failing_probe", "liveness") not in ("liveness", "readiness"):
            raise CheckError(f"{here}.failing_probe: expected liveness or readiness")
    elif kind in INSIDE:
        if len(check) != 1 or not isinstance(check[kind], dict):
            raise CheckError(f"{here}: expected a dict")
        keys = INSIDE[kind]
        required = ("selector", "path") if kind == "file" else ("selector", "var")
        _check_params(check[kind], keys, (), here, required)
        parse_selector(check[kind]["selector"], here)
        if kind == "file" and not check[kind]["path"].startswith("/"):
            raise CheckError(f"{here}.path: expected an absolute path")
    elif kind == "event":
        if len(check) != 1 or not isinstance(check["event"], dict) or not check["event"]:
            raise CheckError(f"{here}: expected a non-empty dict of event fields")
        _check_params(check["event"], EVENT_KEYS, (), here)
    elif kind in FLAGS and (len(check) != 1 or not isinstance(check[kind], FLAGS[kind])):
        raise CheckError(f"{here}: expected {FLAGS[kind].__name__}")


def parse_selector(text: str, where: str = "selector") -> dict[str, str]:
    """Returns the equality-based label selector `a=b,c=d` as a dict."""
    out = {}
    for part in text.split(","):
        key, eq, value = part.strip().partition("=")
        if not eq or not key.strip() or "!" in key:
            raise CheckError(f"{where}: selector {text!r} must be `key=value[,key=value]`")
        out[key.strip()] = value.strip().lstrip("=")
    return out


def validate_scenario(scenario: Mapping) -> None:
    """Raises CheckError unless a scenario definition (fixture fields) is well formed."""
    slug = scenario.get("slug", "?")
    layout = scenario.get("layout", "single")
    if layout not in ("single", "pair"):
        raise CheckError(f"{slug}: layout must be single or pair")
    sides = SIDES if layout == "pair" else ("a",)
    for i, entry in enumerate(scenario.get("setup") or ()):
        if isinstance(entry, str):
            continue
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("command"), str)
            or set(entry) - {"command", "stdin", "on", "advance"}
        ):
            raise CheckError(f"{slug}.setup[{i}]: expected a command string or {{command, stdin?, on?}}")
        if entry.get("on", "a") not in sides:
            raise CheckError(f"{slug}.setup[{i}].on: side must be one of {list(sides)}")
    steps = scenario.get("steps")
    if not isinstance(steps, list) or not steps:
        raise CheckError(f"{slug}: steps must be a non-empty list")
    for i, step in enumerate(steps):
        where = f"{slug}.steps[{i}]"
        if not isinstance(step, dict):
            raise CheckError(f"{where}: expected a dict")
        missing = {"title", "text", "hint", "check"} - set(step)
        if missing:
            raise CheckError(f"{where}: missing {sorted(missing)}")
        extra = set(step) - {"title", "text", "hint", "check", "yaml", "on"}
        if extra:
            raise CheckError(f"{where}: unknown key(s) {sorted(extra)}")
        for key in ("title", "text", "hint"):
            if not isinstance(step[key], str) or not step[key].strip():
                raise CheckError(f"{where}.{key}: expected non-empty text")
        if "yaml" in step and not isinstance(step["yaml"], str):
            raise CheckError(f"{where}.yaml: expected text")
        if "on" in step and step["on"] not in sides:
            raise CheckError(f"{where}.on: side must be one of {list(sides)}")
        validate_check(step["check"], f"{where}.check", sides)


# ---------------------------------------------------------------------------------------------- reading
class ClusterView:
    """Read-only access to one cluster for one evaluation: a single snapshot plus read-only `kubectl exec`."""

    def __init__(self, cluster, baseline: Mapping | None = None):
        self.cluster = cluster
        self.baseline = baseline or {}
        self._snap: dict | None = None

    @property
    def snap(self) -> dict:
        if self._snap is None:
            self._snap = self.cluster.snapshot()
        return self._snap

    def section(self, name: str) -> dict:
        return self.snap.get(name) or {}

    def pods(self) -> list[dict]:
        """Returns the Kubernetes pods (not bare containers) of the snapshot, with their `ns/name` id."""
        return [dict(item, id=ident) for ident, item in self.section("pods").items() if not item.get("bare")]

    def containers(self) -> list[dict]:
        """Returns the bare `docker run` containers on every machine."""
        return [item for item in self.section("pods").values() if item.get("bare")]

    def find(self, section: str, name: str, namespace: str = "default") -> dict | None:
        items = self.section(section)
        return items.get(f"{namespace}/{name}") or items.get(name)

    def exec_read(self, pod: str, command: str) -> str | None:
        """Returns the output of a read-only command in a pod (`cat`, `ls`, `env`, `printenv`), None on error."""
        words = shlex.split(command)
        if not words or words[0] not in READ_ONLY_SHELL:
            raise CheckError(
                f"only {', '.join(READ_ONLY_SHELL)} may run in a container while checking: {command!r}"
            )
        result = self.cluster.run(f"kubectl exec {shlex.quote(pod)} -- {command}")
        return result.output if result.ok else None


def _compare(value: int, params: Mapping, measure: str) -> bool:
    if measure in params and value != params[measure]:
        return False
    if f"{measure}_at_least" in params and value < params[f"{measure}_at_least"]:
        return False
    return not (f"{measure}_at_most" in params and value > params[f"{measure}_at_most"])


def _measures(values: Mapping[str, int], params: Mapping, measures) -> bool:
    return all(_compare(values[m], params, m) for m in measures)


def _labels_match(selector: Mapping[str, str], labels: Mapping | None) -> bool:
    labels = labels or {}
    return all(labels.get(k) == v for k, v in selector.items())


def _select_pods(view: ClusterView, params: Mapping) -> list[dict]:
    """Returns the pods matching the filter keys of a `pods`/`file`/`env` check."""
    pods = view.pods()
    if not params.get("terminating", False):
        pods = [p for p in pods if not p.get("deleting")]
    if "selector" in params:
        selector = parse_selector(params["selector"])
        pods = [p for p in pods if _labels_match(selector, p.get("labels"))]
    if "name" in params:
        pods = [p for p in pods if p["name"] == params["name"] or p["name"].startswith(params["name"] + "-")]
    if "image" in params:
        pods = [p for p in pods if params["image"] in (p.get("images") or [p.get("image")])]
    if "status" in params:
        wanted = [params["status"]] if isinstance(params["status"], str) else params["status"]
        pods = [p for p in pods if p.get("status") in wanted]
    if "node" in params:
        pods = [p for p in pods if p.get("node") == params["node"]]
    if "node_ready" in params:
        nodes = view.section("nodes")
        pods = [
            p
            for p in pods
            if p.get("node") and bool((nodes.get(p["node"]) or {}).get("ready")) == params["node_ready"]
        ]
    if params.get("new"):
        before = set(view.baseline.get("pods") or ())
        pods = [p for p in pods if p["id"] not in before]
    if "uses_secret" in params:
        pods = [
            p for p in pods if any(s.get("secret") == params["uses_secret"] for s in p.get("secrets") or ())
        ]
    if "uses_claim" in params:
        pods = [
            p for p in pods if any(v.get("claim") == params["uses_claim"] for v in p.get("volumes") or ())
        ]
    if "failing_probe" in params:
        pods = [p for p in pods if (p.get("probes") or {}).get(params["failing_probe"]) == "failing"]
    if "owner" in params:
        kind, _, name = params["owner"].rpartition("/")
        pods = [p for p in pods if _owned_by(view, p, kind.lower(), name)]
    return pods


def _owned_by(view: ClusterView, pod: dict, kind: str, name: str) -> bool:
    owner = pod.get("owner") or {}
    if kind in ("", "replicaset", "rs") and owner.get("kind") == "ReplicaSet" and owner.get("name") == name:
        return True
    if kind in ("", "deployment", "deploy") and owner.get("kind") == "ReplicaSet":
        rs = view.find("replicasets", owner.get("name", ""), pod.get("namespace") or "default")
        return bool(rs and rs.get("owner") == name)
    return False


def _eval_named(kind: str, name: str, params: Mapping, view: ClusterView) -> bool:
    filters, measures = NAMED[kind]
    section = {
        "deployment": "deployments",
        "service": "services",
        "endpoints": "services",
        "traffic": "services",
        "hpa": "hpas",
        "secret": "secrets",
        "pvc": "pvcs",
        "node": "nodes",
    }[kind]
    item = view.find(section, name)
    if "exists" in params and (item is not None) != params["exists"]:
        return False
    if item is None:
        return params.get("exists") is False
    if kind == "deployment":
        if "image" in params and params["image"] not in item.get("images", ()):
            return False
        if "strategy" in params and item.get("strategy") != params["strategy"]:
            return False
        values = {m: int(item.get(m) or 0) for m in measures}
    elif kind == "service":
        if "type" in params and item.get("type") != params["type"]:
            return False
        if "port" in params and params["port"] not in [p.get("port") for p in item.get("ports") or ()]:
            return False
        values = {}
    elif kind == "endpoints":
        eps = item.get("endpoints") or ()
        values = {
            "count": sum(1 for e in eps if e.get("ready")),
            "not_ready": sum(1 for e in eps if not e.get("ready")),
        }
    elif kind == "traffic":
        served = {pod: n for pod, n in (item.get("requests") or {}).items() if n > 0}
        values = {"pods": len(served), "total": sum(served.values())}
    elif kind == "hpa":
        if "target_cpu" in params and item.get("targetCPU") != params["target_cpu"]:
            return False
        values = {m: int(item.get(m) or 0) for m in measures}
    elif kind == "secret":
        if "keys" in params and not set(params["keys"]) <= set(item.get("keys") or ()):
            return False
        if "encrypted" in params:
            stored = (
                view.section("etcd").get(f"/registry/secrets/{item.get('namespace') or 'default'}/{name}")
                or {}
            )
            if bool(stored.get("encrypted")) != params["encrypted"]:
                return False
        values = {}
    elif kind == "pvc":
        if "phase" in params and item.get("status") != params["phase"]:
            return False
        values = {}
    else:  # node
        for flag in ("ready", "cordoned", "up"):
            if flag in params and bool(item.get(flag)) != params[flag]:
                return False
        values = {"pods": sum(1 for p in view.pods() if p.get("node") == name and not p.get("deleting"))}
    return _measures(values, params, measures)


def _eval_collection(kind: str, params: Mapping, view: ClusterView) -> bool:
    if kind == "pods":
        pods = _select_pods(view, params)
        values = {
            "count": len(pods),
            "ready": sum(1 for p in pods if p.get("ready")),
            "not_ready": sum(1 for p in pods if not p.get("ready")),
            "running": sum(1 for p in pods if p.get("phase") == "Running"),
            "scheduled": sum(1 for p in pods if p.get("node")),
            "restarts": sum(int(p.get("restarts") or 0) for p in pods),
        }
        return _measures(values, params, POD_MEASURES)
    if kind == "bare_containers":
        boxes = view.containers()
        for key, field in (("image", "image"), ("host", "node"), ("name", "name")):
            if key in params:
                boxes = [b for b in boxes if b.get(field) == params[key]]
        values = {
            "count": len(boxes),
            "running": sum(1 for b in boxes if b.get("phase") == "Running"),
            "exited": sum(1 for b in boxes if b.get("phase") != "Running"),
            "restarts": sum(int(b.get("restarts") or 0) for b in boxes),
        }
        return _measures(values, params, CONTAINER_MEASURES)
    if kind == "replicasets":
        sets = list(view.section("replicasets").values())
        if "deployment" in params:
            sets = [r for r in sets if r.get("owner") == params["deployment"]]
        if "image" in params:
            sets = [r for r in sets if params["image"] in (r.get("images") or ())]
        values = {"count": len(sets), "active": sum(1 for r in sets if r.get("desired"))}
        return _measures(values, params, ("count", "active"))
    if kind == "pvs":
        vols = list(view.section("pvs").values())
        if "phase" in params:
            vols = [v for v in vols if v.get("status") == params["phase"]]
        return _measures({"count": len(vols)}, params, ("count",))
    # nodes
    nodes = [n for n in view.section("nodes").values() if n.get("role") != "control-plane"]
    for flag in ("ready", "cordoned"):
        if flag in params:
            nodes = [n for n in nodes if bool(n.get(flag)) == params[flag]]
    return _measures({"count": len(nodes)}, params, ("count",))


def _eval_inside(kind: str, params: Mapping, view: ClusterView) -> bool:
    # `ls` before `cat` and `env` rather than `printenv NAME`: a command that fails makes the engine roll the
    # whole cluster back to a checkpoint, which is correct but costly on every evaluation while a step waits.
    pods = [p for p in _select_pods(view, params) if p.get("ready")]
    for pod in pods:
        if kind == "file":
            folder, _, base = params["path"].rpartition("/")
            listing = view.exec_read(pod["name"], f"ls {shlex.quote(folder or '/')}")
            if listing is None or base not in listing.split():
                continue
            out = view.exec_read(pod["name"], f"cat {shlex.quote(params['path'])}")
            if out is not None and params.get("contains", "") in out:
                return True
        else:
            out = view.exec_read(pod["name"], "env") or ""
            values = dict(line.partition("=")[::2] for line in out.splitlines() if "=" in line)
            value = values.get(params["var"])
            if value is not None and ("value" not in params or value == params["value"]):
                return True
    return False


def _eval_event(params: Mapping, view: ClusterView) -> bool:
    after = int(view.baseline.get("event_seq") or 0)
    for ev in reversed(view.snap.get("events") or ()):
        if ev.get("seq", 0) <= after:
            break
        if "reason" in params and ev.get("reason") != params["reason"]:
            continue
        if "type" in params and ev.get("type") != params["type"]:
            continue
        if "object" in params and not str(ev.get("object", "")).startswith(params["object"]):
            continue
        if "component" in params and not str(ev.get("component", "")).startswith(params["component"]):
            continue
        return True
    return False


def evaluate(check: Mapping, clusters, baselines: Mapping | None = None, _views: dict | None = None) -> bool:
    """Returns True when the cluster state satisfies `check`.

    `clusters` is a `Cluster` or a mapping {"a": Cluster, "b": Cluster} (pair layout); `baselines` maps a side
    to the baseline taken when the step became current ({"time", "event_seq", "pods"}).
    """
    views = _views if _views is not None else {}
    return _evaluate(check, _as_sides(clusters), baselines or {}, views, "a")


def _as_sides(clusters) -> Mapping:
    return clusters if isinstance(clusters, Mapping) else {"a": clusters}


def _view(sides: Mapping, baselines: Mapping, views: dict, side: str) -> ClusterView | None:
    """Returns the view of one side, or None when the caller did not pass that side's cluster."""
    if side not in views:
        views[side] = ClusterView(sides[side], baselines.get(side)) if side in sides else None
    return views[side]


def _evaluate(check: Mapping, sides: Mapping, baselines: Mapping, views: dict, side: str) -> bool:
    kind = check_type(check)  # type: ignore[arg-type]
    if kind == "all":
        return all(_evaluate(c, sides, baselines, views, side) for c in check["all"])
    if kind == "any":
        return any(_evaluate(c, sides, baselines, views, side) for c in check["any"])
    if kind == "not":
        return not _evaluate(check["not"], sides, baselines, views, side)
    if kind == "on":
        return _evaluate(check["check"], sides, baselines, views, check["on"])
    view = _view(sides, baselines, views, side)
    if view is None:
        return False  # A check on a cluster we cannot see is not satisfied (a pair needs both sides).
    if kind in NAMED:
        name, params = _split_named(check, kind, "check")  # type: ignore[arg-type]
        return _eval_named(kind, name, params, view)
    if kind in COLLECTIONS:
        return _eval_collection(kind, check[kind], view)
    if kind in INSIDE:
        return _eval_inside(kind, check[kind], view)
    if kind == "event":
        return _eval_event(check["event"], view)
    return bool(view.snap.get("encryptionAtRest")) == check["encryption_at_rest"]


def _uses_new(check: object) -> bool:
    if isinstance(check, dict):
        return check.get("new") is True or any(_uses_new(v) for v in check.values())
    if isinstance(check, list):
        return any(_uses_new(v) for v in check)
    return False


def take_baseline(cluster, with_pods: bool = True) -> dict:
    """Returns what a step compares against: the clock, the newest event number and the existing pods."""
    snap = cluster.snapshot()
    events = snap.get("events") or ()
    base = {"time": snap.get("now", 0.0), "event_seq": events[-1]["seq"] if events else 0}
    if with_pods:
        base["pods"] = sorted(
            ident for ident, item in (snap.get("pods") or {}).items() if not item.get("bare")
        )
    return base


# ---------------------------------------------------------------------------------------------- setup
def setup_commands(scenario: Mapping, side: str = "a") -> list[tuple[str, str | None, float]]:
    """Returns the (command, stdin, seconds to advance after it) to run on a fresh cluster of one side."""
    out = []
    for entry in scenario.get("setup") or ():
        if isinstance(entry, str):
            entry = {"command": entry}
        if entry.get("on", side) == side:  # An entry without `on` runs on every side.
            out.append((entry["command"], entry.get("stdin"), float(entry.get("advance", 0))))
    return out


def apply_setup(scenario: Mapping, clusters, side: str = "a") -> list:
    """Runs a scenario's setup on fresh clusters; returns the failed CommandResults (empty when all worked).

    `clusters` is one `Cluster` (playing `side`, "a" unless told) or {"a": …, "b": …}. A setup entry is a
    command string or {command, stdin?, on?}; one without `on` runs on every side of a pair scenario.
    """
    failures = []
    pairs = clusters.items() if isinstance(clusters, Mapping) else [(side, clusters)]
    for name, cluster in pairs:
        for command, stdin, seconds in setup_commands(scenario, name):
            result = cluster.run(command, stdin=stdin)
            if not result.ok:
                failures.append(result)
            if seconds:
                cluster.advance(seconds)
    return failures


# ---------------------------------------------------------------------------------------------- progress
class ScenarioProgress:
    """Step-by-step progress of one scenario over one cluster (or a pair), kept in a JSON-ready `state`.

    state = {"slug": str, "completed": [0, 1, …], "baselines": {"a": {...}, "b": {...}}}
    """

    def __init__(self, scenario: Mapping, state: Mapping | None = None):
        self.scenario = scenario
        steps = scenario.get("steps") or []
        self.steps = steps
        fresh = {"slug": scenario.get("slug", ""), "completed": [], "baselines": {}}
        if isinstance(state, Mapping) and state.get("slug") == fresh["slug"]:
            completed = [i for i in state.get("completed") or () if isinstance(i, int)]
            # Completed steps form a prefix: keep the longest valid one (robust to a hand-edited state).
            prefix = 0
            while prefix < len(steps) and prefix in completed:
                prefix += 1
            fresh["completed"] = list(range(prefix))
            fresh["baselines"] = copy.deepcopy(dict(state.get("baselines") or {}))
        self.state: dict = fresh

    @property
    def current(self) -> int:
        """Returns the index of the first step not yet completed (len(steps) when all are)."""
        return len(self.state["completed"])

    @property
    def complete(self) -> bool:
        return self.current >= len(self.steps)

    def _rebaseline(self, sides: Mapping) -> None:
        step = self.steps[self.current] if not self.complete else None
        with_pods = step is not None and _uses_new(step.get("check"))
        self.state["baselines"] = {side: take_baseline(c, with_pods) for side, c in sides.items()}

    def update(self, clusters) -> dict:
        """Evaluates the current step (and the following ones while they hold); returns the progress payload.

        Call it after every command and after the clock advances (a few times a second is plenty). Checks
        only read the clusters.
        """
        sides = _as_sides(clusters)
        if not self.state["baselines"] and not self.complete:
            self._rebaseline(sides)
        while not self.complete:
            step = self.steps[self.current]
            try:
                holds = evaluate(step["check"], sides, self.state["baselines"])
            except (CheckError, KeyError, TypeError, ValueError, AttributeError):
                # A definition edited into something outside the language (the fixture itself is validated
                # by the tests) must not break the live cluster: the step just stays open.
                holds = False
            if not holds:
                break
            self.state["completed"].append(self.current)
            if self.complete:
                self.state["baselines"] = {}
            else:
                self._rebaseline(sides)
        return self.payload()

    def payload(self) -> dict:
        """Returns the `scenario` message body: {slug, title, steps: [{title, text, hint, done}], current, complete}."""
        done = set(self.state["completed"])
        steps = []
        for i, step in enumerate(self.steps):
            item = {"title": step["title"], "text": step["text"], "hint": step["hint"], "done": i in done}
            if step.get("yaml"):
                item["yaml"] = step["yaml"]
            if step.get("on"):
                item["on"] = step["on"]
            steps.append(item)
        return {
            "slug": self.scenario.get("slug", ""),
            "title": self.scenario.get("title", ""),
            "steps": steps,
            "current": min(self.current, len(self.steps)),
            "complete": self.complete,
        }


def start(scenario: Mapping, clusters, state: MutableMapping | None = None) -> dict:
    """Runs the setup on fresh clusters; returns the progress payload for step 1 (`state` filled in place)."""
    apply_setup(scenario, clusters)
    return progress(scenario, clusters, state)


def progress(scenario: Mapping, clusters, state: MutableMapping | None = None) -> dict:
    """Returns the progress payload after evaluating the clusters; updates `state` in place for persisting.

    `clusters` is the scenario's `Cluster`, or {"a": Cluster, "b": Cluster} for a pair layout (a check on a
    side that is not passed counts as not satisfied). `state` is the dict saved with the cluster record
    (start with `{}`); it is rewritten in place so the caller can persist the same object.
    """
    tracker = ScenarioProgress(scenario, state)
    payload = tracker.update(clusters)
    if state is not None:
        state.clear()
        state.update(tracker.state)
    return payload
