"""Field ownership (`metadata.managedFields`) and server-side apply.

Follows sigs.k8s.io/structured-merge-diff (typed/tofieldset.go, merge/update.go) as kube-apiserver uses it
(apimachinery pkg/util/managedfields/internal):
- A field set is the set of paths a value sets: every scalar, every atomic list or struct as one leaf, every
  element of an associative list (`k:{"name":"nginx"}`) or set (`v:"x"`), every entry of a plain map. It is
  stored as `fieldsV1`, a tree of `f:<field>` / `k:<keys>` / `v:<value>` keys where `.` marks a node that is
  itself owned (managedfields `FieldsV1`). Fields only the server sets (name, namespace, uid, resourceVersion,
  …) and, on the main resource, `status` are never owned [internal/stripmeta.go; the registries' reset fields].
- **Update** (create, PUT, the three patch types): the manager takes every path the write added or changed,
  away from anyone who owned it; removed paths leave every manager [merge/update.go `update`].
- **Apply** (`application/apply-patch+yaml`): the applied configuration is merged into the live object
  (associative lists by their keys, sets unioned, atomic values replaced). Paths it changes that another
  manager owns are conflicts (409, unless `force=true`, which takes them over); the applier then owns exactly
  the configuration's paths, and the paths it owned before, that it no longer applies and nobody else owns,
  are removed from the object [merge/update.go `Apply`, `prune`]. Applying the same value as another manager
  shares the field without conflict.
Simplifications, stated: `.` markers of newly added parent structs are not recorded (only those of list
elements and map entries that have children), and writes made by the engine's own components (controllers,
kubelets) do not record managers.
"""

from __future__ import annotations

import json

from .patch_schema import Node

Path = tuple[str, ...]
# Fields the field manager strips before tracking [managedfields internal/stripmeta.go].
_STRIPPED = {
    ("f:apiVersion",),
    ("f:kind",),
    ("f:metadata", "f:name"),
    ("f:metadata", "f:namespace"),
    ("f:metadata", "f:uid"),
    ("f:metadata", "f:resourceVersion"),
    ("f:metadata", "f:generation"),
    ("f:metadata", "f:creationTimestamp"),
    ("f:metadata", "f:deletionTimestamp"),
    ("f:metadata", "f:deletionGracePeriodSeconds"),
    ("f:metadata", "f:managedFields"),
    ("f:metadata", "f:selfLink"),
    ("f:status",),
}


class Conflicts(Exception):
    """An apply that would change fields other managers own: `message` and the Status `causes`."""

    def __init__(self, message: str, causes: list[dict]):
        super().__init__(message)
        self.message, self.causes = message, causes


# ---------------------------------------------------------------------------------------------- field sets
def _gojson(value) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=True)


# Defaults of list-map key fields (`+default="TCP"` on ContainerPort/ServicePort.protocol in k8s.io/api; the
# kubernetes-validate schemas drop OpenAPI `default`s): an element that omits the key is keyed by its default.
KEY_DEFAULTS = {"protocol": "TCP"}


def _elem_key(element, node: Node) -> str:
    """The path element of one list element: `k:{…}` for an associative list, `v:…` for a set."""
    if node.list_type == "map" and isinstance(element, dict):
        keys = {}
        for k in node.keys:
            if k in element:
                keys[k] = element[k]
            elif k in KEY_DEFAULTS:
                keys[k] = KEY_DEFAULTS[k]
        return "k:" + _gojson(keys)
    return "v:" + _gojson(element)


def field_values(value, node: Node, path: Path = ()) -> dict[Path, object]:
    """Returns the field set of `value` as {path: the value at that path} [typed/tofieldset.go]."""
    out: dict[Path, object] = {}
    _walk(value, node, path, out)
    for p in list(out):
        if any(p[: len(s)] == s for s in _STRIPPED):
            del out[p]
    return out


def _walk(value, node: Node, path: Path, out: dict) -> None:
    if isinstance(value, dict):
        if node.atomic:
            out[path] = value
            return
        for key, v in value.items():
            p = path + ("f:" + key,)
            _walk(v, node.child(key), p, out)
            if v is None or v == {} or node.shape != "struct":
                out[p] = v
        return
    if isinstance(value, list):
        if node.shape != "list" or node.list_type == "atomic":
            out[path] = value
            return
        element = node.element()
        for e in value:
            p = path + (_elem_key(e, node),)
            if node.list_type == "map":
                _walk(e, element, p, out)
            out[p] = e
        return
    out[path] = value


def to_fields_v1(paths) -> dict:
    """Returns the `fieldsV1` tree of a set of paths (keys sorted as Go's encoder writes a map)."""
    tree: dict = {}
    for p in paths:
        at = tree
        for e in p:
            at = at.setdefault(e, {})
    for p in paths:
        at = tree
        for e in p:
            at = at[e]
        if any(k != "." for k in at):
            at["."] = {}
    return _sorted(tree)


def _sorted(tree: dict) -> dict:
    return {k: _sorted(tree[k]) for k in sorted(tree)}


def from_fields_v1(tree: dict, path: Path = ()) -> set[Path]:
    """Returns the set of paths a `fieldsV1` tree holds."""
    out: set[Path] = set()
    if not isinstance(tree, dict):
        return out
    for key, sub in tree.items():
        if key == ".":
            out.add(path)
        elif isinstance(sub, dict) and sub:
            out |= from_fields_v1(sub, path + (key,))
        else:
            out.add(path + (key,))
    return out


def path_string(path: Path) -> str:
    """`.spec.template.spec.containers[name="nginx"].image`, as fieldpath.Path.String() prints a path."""
    out = []
    for e in path:
        kind, _, rest = e.partition(":")
        if kind == "f":
            out.append("." + rest)
        elif kind == "k":
            keys = json.loads(rest)
            out.append("[" + ",".join(f"{k}={_gojson(v)}" for k, v in keys.items()) + "]")
        elif kind == "v":
            out.append("[=" + rest + "]")
        else:
            out.append("[" + rest + "]")
    return "".join(out)


def _is_leaf(value) -> bool:
    return not isinstance(value, (dict, list)) or value in ({}, [])


def compare(old: dict | None, new: dict, node: Node) -> tuple[set, set, set]:
    """Returns (added, modified, removed) paths from `old` to `new` [typed.Comparison]."""
    before = field_values(old, node) if old is not None else {}
    after = field_values(new, node)
    added = set(after) - set(before)
    removed = set(before) - set(after)
    modified = {p for p in set(after) & set(before) if _is_leaf(after[p]) and after[p] != before[p]}
    modified |= {
        p for p in set(after) & set(before) if not _is_leaf(after[p]) and _atomic_changed(p, after, before)
    }
    return added, modified, removed


def _atomic_changed(p: Path, after: dict, before: dict) -> bool:
    """A container value that is itself a leaf of the set (atomic list or struct) changed as a whole."""
    has_children = any(len(q) > len(p) and q[: len(p)] == p for q in after)
    return not has_children and after[p] != before[p]


# ---------------------------------------------------------------------------------------------- entries
def _entries(obj: dict | None) -> list[dict]:
    return [
        dict(e) for e in ((obj or {}).get("metadata", {}).get("managedFields") or []) if isinstance(e, dict)
    ]


def _identity(e: dict) -> tuple:
    return (e.get("manager"), e.get("operation"), e.get("subresource", ""))


def on_update(
    old: dict | None,
    new: dict,
    manager: str,
    api_version: str,
    now: str,
    node: Node | None = None,
    subresource: str = "",
) -> None:
    """Records an Update by `manager` in `new["metadata"]["managedFields"]` (in place)."""
    from .patch_schema import root

    node = node or root(new.get("apiVersion", api_version), new.get("kind", ""))
    added, modified, removed = compare(old, new, node)
    entries = _entries(new) or _entries(old)
    changed = added | modified
    me = (manager, "Update", subresource)
    mine: set = set()
    kept = []
    for e in entries:
        paths = from_fields_v1(e.get("fieldsV1") or {})
        if _identity(e) == me:
            mine = paths - removed
            continue
        paths = paths - changed - removed
        if paths:
            e["fieldsV1"] = to_fields_v1(paths)
            kept.append(e)
    mine |= changed
    if mine:
        entry = {"manager": manager, "operation": "Update", "apiVersion": api_version, "time": now}
        entry["fieldsType"] = "FieldsV1"
        entry["fieldsV1"] = to_fields_v1(mine)
        if subresource:
            entry["subresource"] = subresource
        kept.append(entry)
    if kept:
        new["metadata"]["managedFields"] = kept
    else:
        new["metadata"].pop("managedFields", None)


# ---------------------------------------------------------------------------------------------- apply
def merge(live, config, node: Node):
    """Returns the applied configuration merged into the live value [typed.Merge]."""
    if isinstance(live, dict) and isinstance(config, dict) and not node.atomic:
        out = dict(live)
        for key, value in config.items():
            if value is None:
                out.pop(key, None)
            else:
                out[key] = merge(live.get(key), value, node.child(key))
        return out
    if isinstance(live, list) and isinstance(config, list) and node.shape == "list":
        if node.list_type == "map":
            out = list(live)
            for element in config:
                ident = _elem_key(element, node)
                at = next((i for i, e in enumerate(out) if _elem_key(e, node) == ident), None)
                if at is None:
                    out.append(element)
                else:
                    out[at] = merge(out[at], element, node.element())
            return out
        if node.list_type == "set":
            out = list(live)
            for v in config:
                if v not in out:
                    out.append(v)
            return out
    return json.loads(json.dumps(config))


def _remove(obj, path: Path) -> None:
    """Removes the value at `path` from `obj` (in place), if it is there."""
    parent = obj
    for e in path[:-1]:
        parent = _step(parent, e)
        if parent is None:
            return
    last = path[-1]
    kind, _, rest = last.partition(":")
    if kind == "f" and isinstance(parent, dict):
        parent.pop(rest, None)
    elif kind in ("k", "v") and isinstance(parent, list):
        parent[:] = [e for e in parent if not _matches(e, kind, rest)]


def _matches(element, kind: str, rest: str) -> bool:
    if kind == "k":
        keys = json.loads(rest)
        return isinstance(element, dict) and all(element.get(k) == v for k, v in keys.items())
    return _gojson(element) == rest


def _step(value, e: str):
    kind, _, rest = e.partition(":")
    if kind == "f":
        return value.get(rest) if isinstance(value, dict) else None
    if isinstance(value, list):
        return next((x for x in value if _matches(x, kind, rest)), None)
    return None


def _conflict_message(conflicts: list[tuple[str, str, Path]]) -> str:
    """apimachinery internal/conflict.go `getConflictMessage`."""
    if len(conflicts) == 1:
        who, _, path = conflicts[0]
        return f"Apply failed with 1 conflict: conflict with {who}: {path_string(path)}"
    by: dict[str, list[Path]] = {}
    for who, _, path in conflicts:
        by.setdefault(who, []).append(path)
    lines = []
    for who in sorted(by):
        lines.append(f"conflicts with {who}:")
        lines += [f"- {path_string(p)}" for p in by[who]]
    return f"Apply failed with {len(conflicts)} conflicts: " + "\n".join(lines)


def _who(e: dict) -> str:
    """internal/conflict.go `printManager`: `"kubectl-client-side-apply" using apps/v1` for an Update."""
    text = json.dumps(e.get("manager", ""))
    if e.get("subresource"):
        text += f' with subresource "{e["subresource"]}"'
    if e.get("operation") == "Update":
        text += f" using {e.get('apiVersion', '')}"
    return text


def apply(
    live: dict | None, config: dict, manager: str, api_version: str, now: str, force: bool, node: Node
) -> tuple[dict, list[dict]]:
    """Returns (the merged object, its managedFields) for an apply of `config` by `manager` over `live`
    (None: the object does not exist yet). Raises Conflicts when other managers own fields it changes."""
    base = json.loads(json.dumps(live)) if live is not None else {}
    merged = merge(base, config, node)
    applied = set(field_values(config, node))
    added, modified, removed = compare(live, merged, node) if live is not None else (set(), set(), set())
    changed = added | modified
    entries = _entries(live)
    me = (manager, "Apply", "")
    last: set = set()
    conflicts: list[tuple[str, str, Path]] = []
    sets = []
    for e in entries:
        paths = from_fields_v1(e.get("fieldsV1") or {})
        if _identity(e) == me:
            last = paths
            continue
        if e.get("subresource"):
            sets.append((e, paths))
            continue
        clash = sorted(paths & changed & applied)
        conflicts += [(_who(e), e.get("manager", ""), p) for p in clash]
        sets.append((e, paths))
    if conflicts and not force:
        causes = [
            {"reason": "FieldManagerConflict", "message": f"conflict with {who}", "field": path_string(p)}
            for who, _, p in conflicts
        ]
        raise Conflicts(_conflict_message(conflicts), causes)
    taken = {p for _, _, p in conflicts}
    kept = []
    others: set = set()
    for e, paths in sets:
        paths = paths - taken - removed
        if paths:
            e["fieldsV1"] = to_fields_v1(paths)
            kept.append(e)
            others |= paths
    for p in sorted(last - applied - others, key=len, reverse=True):
        _remove(merged, p)
    entry = {"manager": manager, "operation": "Apply", "apiVersion": api_version, "time": now}
    entry["fieldsType"] = "FieldsV1"
    entry["fieldsV1"] = to_fields_v1(applied)
    managed = ([entry] if applied else []) + kept
    merged.setdefault("metadata", {})["managedFields"] = managed
    return merged, managed
