"""Client-side `kubectl apply`: the last-applied-configuration annotation and the three-way strategic merge.

What real kubectl does, and what these pure functions reproduce:

1. **The annotation** (`kubectl.kubernetes.io/last-applied-configuration`) holds the object *as submitted*
   (after kubectl fills `metadata.namespace`), serialised without the annotation itself — which leaves
   `"annotations":{}` — as compact JSON with sorted keys, HTML-escaped like Go's `encoding/json`, plus a
   trailing newline. No server defaults, no status, a Secret's `stringData` as typed
   [kubectl pkg/util/apply.go `GetModifiedConfiguration`, `CreateApplyAnnotation`].
2. **The patch** is `CreateThreeWayMergePatch(original=annotation, modified=file+annotation, current=live)`
   [kubectl pkg/cmd/apply/patcher.go; apimachinery pkg/util/strategicpatch/patch.go]: the changes from live
   to the file (ignoring deletions), merged with the deletions from the annotation to the file (ignoring
   changes). So a field in the file is set, a field that was in the annotation and left the file is deleted
   (`null`: the server re-defaults it, e.g. `replicas` back to 1), and a field neither mentions is left to
   whoever set it (`kubectl scale`, the HPA, the server's defaults). An empty patch `{}` means `unchanged`.
3. **Lists** with a `patchMergeKey` in the API's Go types (containers by `name`, container `ports` by
   `containerPort`, `env` by `name`, `volumes` by `name`, `volumeMounts` by `mountPath`, Service `ports` by
   `port`, …) merge element by element, with `$setElementOrder/<field>` and `{"$patch": "delete", key: v}`
   directives; every other list (`tolerations`, `args`, `command`, `accessModes`, …) is replaced whole
   [k8s.io/api core/v1 and apps/v1 types.go struct tags; docs tasks/manage-kubernetes-objects/
   update-api-object-kubectl-patch.md]. Maps whose strategy is `retainKeys` (a Deployment's `strategy`, each
   volume) get a `$retainKeys` directive so that switching `type: Recreate` drops `rollingUpdate`.
4. **The server** applies the patch to the live object (`strategic_merge`), then re-defaults and validates.

Simplifications, each stated: lists of scalars with a merge strategy (`finalizers`) are replaced whole;
server-only elements of a merge list keep their slots when `$setElementOrder` reorders the others.
"""

from __future__ import annotations

import json
import re

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
ORDER_PREFIX = "$setElementOrder/"
RETAIN_KEYS = "$retainKeys"

# Pod-spec list fields merged by a key [core/v1 types.go PodSpec tags].
_POD_SPEC_LISTS = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "volumes": "name",
    "imagePullSecrets": "name",
    "hostAliases": "ip",
    "topologySpreadConstraints": "topologyKey",
    "resourceClaims": "name",
    "schedulingGates": "name",
}
# Container list fields merged by a key [core/v1 types.go Container tags].
_CONTAINER_LISTS = {
    "ports": "containerPort",
    "env": "name",
    "volumeMounts": "mountPath",
    "volumeDevices": "devicePath",
}
_CONTAINER_FIELDS = ("containers", "initContainers", "ephemeralContainers")
# Lists whose elements are retainKeys maps (`patchStrategy:"merge,retainKeys"`).
_RETAIN_LIST_ELEMENTS = {"volumes", "resourceClaims"}


def list_merge_key(kind: str, path: tuple[str, ...]) -> str | None:
    """Returns the patchMergeKey of the list at `path` (field names from the object root, no indices), or
    None when the list is replaced whole. Source: the `patchMergeKey` struct tags of core/v1 and apps/v1."""
    field = path[-1]
    parent = path[-2] if len(path) > 1 else ""
    if field == "ownerReferences" and parent == "metadata":
        return "uid"
    if parent in _CONTAINER_FIELDS and field in _CONTAINER_LISTS:
        return _CONTAINER_LISTS[field]
    if parent == "spec" and field in _POD_SPEC_LISTS and _is_pod_spec(kind, path[:-1]):
        return _POD_SPEC_LISTS[field]
    if kind == "Service" and path == ("spec", "ports"):
        return "port"
    return None


def _is_pod_spec(kind: str, path: tuple[str, ...]) -> bool:
    """True when `path` names a PodSpec: a Pod's `spec` or any `template.spec`."""
    return (kind == "Pod" and path == ("spec",)) or path[-2:] == ("template", "spec")


def _retains_keys(kind: str, path: tuple[str, ...]) -> bool:
    """True for maps whose patch strategy is retainKeys (DeploymentSpec.strategy); volume elements are handled
    with their list."""
    return kind == "Deployment" and path == ("spec", "strategy")


# ---------------------------------------------------------------------------------------------- annotation
_GO_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def _go_numbers(value):
    """Returns value with integral floats as ints: Go prints float64 1.0 as `1` (YAML `memory: 1.0`)."""
    if isinstance(value, dict):
        return {k: _go_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_go_numbers(v) for v in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)
    return value


def go_json(value) -> str:
    """Returns `value` as Go's encoding/json writes a map: compact, keys sorted, `<>&` as \\u003c \\u003e
    \\u0026, other non-ASCII as UTF-8 [Go encoding/json `Marshal`, HTML escaping on by default]."""
    text = json.dumps(_go_numbers(value), separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return re.sub("[<>&\u2028\u2029]", lambda m: _GO_ESCAPES[m.group()], text)


def last_applied_configuration(submitted: dict) -> str:
    """Returns the annotation value for a submitted object: the object without the annotation (leaving
    `"annotations":{}`), Go-style compact sorted JSON and a trailing newline
    [kubectl pkg/util/apply.go `GetModifiedConfiguration`; observed with kubectl v1.37.1]."""
    obj = dict(submitted)
    meta = dict(obj.get("metadata") or {})
    annotations = dict(meta.get("annotations") or {})
    annotations.pop(LAST_APPLIED, None)
    meta["annotations"] = annotations
    obj["metadata"] = meta
    return go_json(obj) + "\n"


def with_last_applied(submitted: dict) -> dict:
    """Returns the `modified` configuration kubectl sends: the submitted object with its annotation set."""
    obj = json.loads(json.dumps(submitted))
    meta = obj.setdefault("metadata", {})
    annotations = meta.get("annotations") or {}
    annotations = dict(annotations)
    annotations[LAST_APPLIED] = last_applied_configuration(submitted)
    meta["annotations"] = annotations
    return obj


def original_configuration(live: dict) -> dict | None:
    """Returns the last-applied configuration stored on a live object, or None when there is none (an
    object made by `kubectl create`) or it is not a JSON object [kubectl pkg/util/apply.go
    `GetOriginalConfiguration`]."""
    text = ((live.get("metadata") or {}).get("annotations") or {}).get(LAST_APPLIED)
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


# ---------------------------------------------------------------------------------------------- diff
def _deep_equal(a, b) -> bool:
    """Go's reflect.DeepEqual on decoded JSON: types must match (1 is not 1.0, True is not 1)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_deep_equal(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_deep_equal(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def _key_str(value) -> str:
    """Returns a merge-key value as Go's `fmt.Sprintf("%v")` would (how strategicpatch compares them)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "<nil>"
    return str(value)


def _diff_maps(
    original: dict, modified: dict, kind: str, path: tuple, opts: tuple[bool, bool], retain: bool
) -> dict:
    """Returns the patch from original to modified [strategicpatch `diffMaps`]. opts = (ignore_deletions,
    ignore_changes_and_additions)."""
    ignore_deletions, ignore_changes = opts
    patch: dict = {}
    retain_list = []
    for key, mod in modified.items():
        if retain and mod is not None:
            retain_list.append(key)
        if key not in original:
            if not ignore_changes:
                patch[key] = mod
            continue
        orig = original[key]
        if type(orig) is not type(mod):
            if not ignore_changes:
                patch[key] = mod
            continue
        sub = path + (key,)
        if isinstance(orig, dict):
            value = _diff_maps(orig, mod, kind, sub, opts, _retains_keys(kind, sub))
            if value:
                patch[key] = value
        elif isinstance(orig, list):
            _diff_lists(key, orig, mod, patch, kind, sub, opts)
        elif not ignore_changes and not _deep_equal(orig, mod):
            patch[key] = mod
    if not ignore_deletions:
        for key in original:
            if key not in modified:
                patch[key] = None
    if retain_list and (patch or any(v is not None and k not in modified for k, v in original.items())):
        patch[RETAIN_KEYS] = sorted(retain_list)
    return patch


def _diff_lists(key: str, orig: list, mod: list, patch: dict, kind: str, path: tuple, opts) -> None:
    """Adds the patch of one list field [strategicpatch `handleSliceDiff`, `diffLists`]."""
    ignore_deletions, ignore_changes = opts
    merge_key = list_merge_key(kind, path)
    maps = all(isinstance(e, dict) and merge_key in e for e in orig + mod)
    if merge_key is None or not maps:
        if not ignore_changes and not _deep_equal(orig, mod):
            patch[key] = mod
        return
    retain = path[-1] in _RETAIN_LIST_ELEMENTS and _is_pod_spec(kind, path[:-1])
    by_orig = sorted(orig, key=lambda e: _key_str(e[merge_key]))
    by_mod = sorted(mod, key=lambda e: _key_str(e[merge_key]))
    items, deletes = [], []
    i = j = 0
    while i < len(by_orig) or j < len(by_mod):
        ko = _key_str(by_orig[i][merge_key]) if i < len(by_orig) else None
        km = _key_str(by_mod[j][merge_key]) if j < len(by_mod) else None
        if ko is not None and km is not None and ko == km:
            value = _diff_maps(by_orig[i], by_mod[j], kind, path, opts, retain)
            if value:
                value[merge_key] = by_mod[j][merge_key]
                items.append(value)
            i, j = i + 1, j + 1
        elif ko is None or (km is not None and ko > km):
            if not ignore_changes:
                items.append(by_mod[j])
            j += 1
        else:
            if not ignore_deletions:
                deletes.append({"$patch": "delete", merge_key: by_orig[i][merge_key]})
            i += 1
    order = [_key_str(e[merge_key]) for e in mod]
    items.sort(key=lambda e: order.index(_key_str(e[merge_key])))
    items += deletes
    same_order = len(orig) == len(mod) and all(
        _key_str(a[merge_key]) == _key_str(b[merge_key]) for a, b in zip(orig, mod, strict=True)
    )
    if items:
        patch[key] = items
    if (not ignore_changes and (items or not same_order)) or (not ignore_deletions and items):
        patch[ORDER_PREFIX + key] = [{merge_key: e[merge_key]} for e in mod]


def _merge_patches(first: dict, second: dict, kind: str, path: tuple) -> dict:
    """Returns two patches merged into one, `second` winning on conflicts, lists with a merge key merged by
    key (second's elements first) [strategicpatch `mergeMap` as used by `CreateThreeWayMergePatch`]."""
    out = dict(first)
    for key, value in second.items():
        if key not in out:
            out[key] = value
            continue
        mine = out[key]
        sub = path + (key,)
        if isinstance(mine, dict) and isinstance(value, dict):
            out[key] = _merge_patches(mine, value, kind, sub)
        elif (
            isinstance(mine, list)
            and isinstance(value, list)
            and not key.startswith("$")
            and list_merge_key(kind, sub)
        ):
            mk = list_merge_key(kind, sub)
            merged = []
            rest = list(mine)
            for element in value:
                twin = next((e for e in rest if _key_str(e.get(mk)) == _key_str(element.get(mk))), None)
                if twin is not None and "$patch" not in twin:
                    rest.remove(twin)
                    element = _merge_patches(twin, element, kind, sub)
                merged.append(element)
            out[key] = merged + rest
        else:
            out[key] = value
    return out


def three_way_merge_patch(original: dict | None, modified: dict, current: dict) -> dict:
    """Returns the strategic merge patch `kubectl apply` sends (`{}` when nothing would change).

    original: the live object's last-applied configuration (None → `{}`, nothing is deleted); modified: the
    submitted object with its new annotation (`with_last_applied`); current: the live object.
    [apimachinery pkg/util/strategicpatch/patch.go `CreateThreeWayMergePatch`: delta = diff(current →
    modified, ignoring deletions), deletions = diff(original → modified, ignoring changes and additions),
    patch = merge(deletions, delta)]."""
    kind = modified.get("kind") or current.get("kind") or ""
    delta = _diff_maps(current, modified, kind, (), (True, False), False)
    deletions = _diff_maps(original or {}, modified, kind, (), (False, True), False)
    return _merge_patches(deletions, delta, kind, ())


# ---------------------------------------------------------------------------------------------- server side
def _plain(value):
    """Returns a patch value stripped of directives and nulls (a value taken whole by the server)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if not k.startswith("$") and v is not None}
    if isinstance(value, list):
        return [_plain(v) for v in value if not (isinstance(v, dict) and v.get("$patch") == "delete")]
    return value


def strategic_merge(current: dict, patch: dict) -> dict:
    """Returns the live object with a strategic merge patch applied, as the API server does before
    defaulting and validation: `null` deletes, merge-key lists merge element-wise, `$patch: delete` removes an
    element, `$setElementOrder` orders, `$retainKeys` clears the other fields of a map
    [apimachinery strategicpatch `StrategicMergeMapPatch`]. Does not modify its arguments."""
    kind = patch.get("kind") or current.get("kind") or ""
    return _apply_map(json.loads(json.dumps(current)), patch, kind, ())


def _apply_map(cur: dict, patch: dict, kind: str, path: tuple) -> dict:
    retain = patch.get(RETAIN_KEYS)
    if isinstance(retain, list):
        cur = {k: v for k, v in cur.items() if k in retain}
    for key, value in patch.items():
        if key.startswith("$"):
            continue
        if value is None:
            cur.pop(key, None)
            continue
        sub = path + (key,)
        mine = cur.get(key)
        merge_key = list_merge_key(kind, sub) if isinstance(value, list) else None
        if isinstance(mine, dict) and isinstance(value, dict):
            cur[key] = _apply_map(mine, value, kind, sub)
        elif isinstance(mine, list) and merge_key:
            cur[key] = _apply_list(mine, value, merge_key, kind, sub)
        else:
            cur[key] = _plain(value)
    for key, value in patch.items():
        if key.startswith(ORDER_PREFIX) and isinstance(cur.get(key[len(ORDER_PREFIX) :]), list):
            field = key[len(ORDER_PREFIX) :]
            merge_key = list_merge_key(kind, path + (field,))
            if merge_key:
                cur[field] = _set_order(cur[field], value, merge_key)
    return cur


def _apply_list(cur: list, patch: list, merge_key: str, kind: str, path: tuple) -> list:
    out = list(cur)
    for element in patch:
        if not isinstance(element, dict):
            continue
        key = _key_str(element.get(merge_key))
        at = next(
            (i for i, e in enumerate(out) if isinstance(e, dict) and _key_str(e.get(merge_key)) == key), None
        )
        if element.get("$patch") == "delete":
            if at is not None:
                out.pop(at)
            continue
        if at is None:
            out.append(_plain(element))
        else:
            out[at] = _apply_map(out[at], element, kind, path)
    return out


def _set_order(items: list, order: list, merge_key: str) -> list:
    """Returns items with those named in `order` in that order; others keep their slots."""
    rank = {_key_str(o.get(merge_key)): i for i, o in enumerate(order) if isinstance(o, dict)}
    ranked = sorted(
        (e for e in items if isinstance(e, dict) and _key_str(e.get(merge_key)) in rank),
        key=lambda e: rank[_key_str(e.get(merge_key))],
    )
    it = iter(ranked)
    return [next(it) if isinstance(e, dict) and _key_str(e.get(merge_key)) in rank else e for e in items]
