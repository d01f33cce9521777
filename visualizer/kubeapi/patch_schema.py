"""The merge rules of every field of the served kinds, read from the Kubernetes OpenAPI schemas.

Strategic merge patch and server-side apply both need to know, field by field, how a value merges: a list with
a patch merge key (`containers` by `name`, container `ports` by `containerPort`), a `set` of scalars
(`finalizers`), an atomic list replaced whole (`tolerations`, `args`), a `retainKeys` map (a Deployment's
`strategy`), an atomic struct (`selector`). The API server takes these from the Go struct tags
(`patchStrategy`, `patchMergeKey`, `+listType`, `+listMapKey`, `+mapType`); the OpenAPI documents carry the
same tags as `x-kubernetes-patch-strategy`, `x-kubernetes-patch-merge-key`, `x-kubernetes-list-type`,
`x-kubernetes-list-map-keys` and `x-kubernetes-map-type` [kubernetes api/openapi-spec; apimachinery
pkg/util/strategicpatch/meta.go `PatchMetaFromOpenAPI`]. They are read here from the definitions that the
`kubernetes-validate` package ships (its 1.37 "local" JSON schemas, generated from the 1.37 OpenAPI), never
typed by hand.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

_REF = "#/$defs/"


@cache
def _definitions() -> dict:
    """Returns the `$defs` of kubernetes-validate's 1.37 schemas (name → JSON schema), read from the file the
    OpenAPI builder serves from (openapi_build.definitions_path: found without importing the package, whose
    `__init__` loads jsonschema)."""
    from .openapi_build import definitions_path

    return json.loads(definitions_path().read_text())["$defs"]


@cache
def _by_gvk() -> dict[tuple[str, str], str]:
    """Returns (apiVersion, kind) → definition name from each definition's `x-kubernetes-group-version-kind`."""
    out = {}
    for name, schema in _definitions().items():
        for gvk in schema.get("x-kubernetes-group-version-kind") or ():
            gv = f"{gvk['group']}/{gvk['version']}" if gvk.get("group") else gvk["version"]
            out[(gv, gvk["kind"])] = name
    return out


@dataclass(frozen=True)
class Node:
    """How one field merges.

    `shape` is "struct" (named properties), "map" (string keys → `element`), "list", "scalar" or "any"
    (no schema: merged like a map, lists atomic). For lists: `list_type` "map" | "set" | "atomic",
    `keys` the list-map keys (server-side apply), `merge_key` the strategic-merge key, `strategy` the
    strategic patch strategy ("merge", "replace", "retainKeys", "merge,retainKeys" or ""). `atomic` marks a
    struct or map replaced whole (`x-kubernetes-map-type: atomic`).
    """

    schema: dict
    shape: str
    strategy: str = ""
    merge_key: str | None = None
    list_type: str = "atomic"
    keys: tuple[str, ...] = ()
    atomic: bool = False

    def child(self, name: str) -> Node:
        """Returns the node of a struct field or map value (`ANY` when unknown)."""
        if self.shape == "struct":
            prop = (self.schema.get("properties") or {}).get(name)
            return _node(prop) if prop is not None else ANY
        if self.shape == "map":
            return _node(self.schema.get("additionalProperties") or {})
        return ANY

    def element(self) -> Node:
        """Returns the node of a list's elements."""
        return _node(self.schema.get("items") or {}) if self.shape == "list" else ANY


def _resolve(schema: dict) -> dict:
    """Follows `$ref`s, keeping the referring field's own `x-kubernetes-*` annotations on top."""
    seen = 0
    out = dict(schema)
    while "$ref" in out and seen < 20:
        target = _definitions().get(out.pop("$ref")[len(_REF) :], {})
        out = {**target, **out}
        seen += 1
    return out


def _node(schema: dict) -> Node:
    s = _resolve(schema)
    types = s.get("type")
    types = set(types) if isinstance(types, list) else {types} if types else set()
    strategy = s.get("x-kubernetes-patch-strategy", "")
    if "array" in types:
        return Node(
            s,
            "list",
            strategy=strategy,
            merge_key=s.get("x-kubernetes-patch-merge-key"),
            list_type=s.get("x-kubernetes-list-type", "atomic"),
            keys=tuple(s.get("x-kubernetes-list-map-keys") or ()),
        )
    if "properties" in s:
        return Node(s, "struct", strategy=strategy, atomic=s.get("x-kubernetes-map-type") == "atomic")
    if "additionalProperties" in s:
        return Node(s, "map", strategy=strategy, atomic=s.get("x-kubernetes-map-type") == "atomic")
    if "object" in types:
        return Node(s, "any", strategy=strategy)
    if types or "oneOf" in s:
        return Node(s, "scalar")
    return Node(s, "any")


ANY = Node({}, "any")


def root(api_version: str, kind: str) -> Node:
    """Returns the node of a whole object of `kind` at `api_version` (`ANY` for a kind the schemas lack)."""
    name = _by_gvk().get((api_version, kind))
    return _node({"$ref": _REF + name}) if name else ANY


def unknown_fields(value, node: Node, path: str = "", smd: bool = False) -> list[tuple[str, dict, str]]:
    """Returns the fields of `value` its schema does not declare, in document order, as (path, the map holding
    it, its key). The path is as strict decoding prints it (`spec.foo`, `spec.taints[0].x`), or with `smd` as
    structured-merge-diff prints one (`.spec.foo`, `.spec.containers[name="c"].x`)."""
    out: list[tuple[str, dict, str]] = []
    if isinstance(value, dict) and node.shape in ("struct", "map"):
        props = node.schema.get("properties") or {}
        for key, v in value.items():
            full = f"{path}.{key}" if (path or smd) else key
            if node.shape == "struct" and key not in props:
                out.append((full, value, key))
                continue
            out += unknown_fields(v, node.child(key), full, smd)
    elif isinstance(value, list) and node.shape == "list":
        element = node.element()
        for i, v in enumerate(value):
            if smd and node.list_type == "map" and isinstance(v, dict):
                keys = ",".join(f"{k}={json.dumps(v[k])}" for k in node.keys if k in v)
                at = f"{path}[{keys}]"
            elif smd and node.list_type == "set":
                at = f"{path}[={json.dumps(v)}]"
            else:
                at = f"{path}[{i}]"
            out += unknown_fields(v, element, at, smd)
    return out
