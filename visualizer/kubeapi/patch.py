"""The PATCH body types the API server accepts, applied to a live object.

- `application/strategic-merge-patch+json`: apimachinery pkg/util/strategicpatch/patch.go
  `StrategicMergeMapPatch`. Maps merge key by key, `null` deletes; lists follow the field's patch strategy
  from the OpenAPI schema (patch_schema.py): merged by their patch merge key (`containers` by `name`, `ports`
  by `containerPort`), scalar lists with strategy `merge` unioned, every other list replaced whole. Directives:
  `{"$patch": "delete", key: v}` drops a list element, `{"$patch": "replace"}` replaces a map or a whole list,
  `{"$patch": "delete"}` empties a map, `$setElementOrder/<field>` orders a merged list,
  `$deleteFromPrimitiveList/<field>` removes scalars, `$retainKeys` clears the other fields of a map.
- `application/merge-patch+json`: RFC 7386 (every list replaced whole, `null` deletes).
- `application/json-patch+json`: RFC 6902 through the maintained `jsonpatch` package.
- `application/apply-patch+yaml`: server-side apply, handled by managed_fields.py.
Errors are `PatchError(code, reason, message)` with the API server's code: a body that is not valid JSON or a
malformed directive is 400 BadRequest, a JSON patch that does not apply 422 [apiserver
pkg/endpoints/handlers/patch.go `applyJSPatch`, `interpretStrategicMergePatchError`].
"""

from __future__ import annotations

import json

import jsonpatch
import jsonpointer

from visualizer.engine.body_limits import DecodeLimitError, loads_json

from .patch_schema import ANY, Node

STRATEGIC = "application/strategic-merge-patch+json"
MERGE = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
APPLY = "application/apply-patch+yaml"
# The order kube-apiserver lists them in its 415 answer (apiserver pkg/endpoints/installer.go `supportedTypes`).
PATCH_TYPES = (JSON_PATCH, MERGE, STRATEGIC, APPLY)
MAX_JSON_PATCH_OPERATIONS = 10000  # patch.go maxJSONPatchOperations

ORDER = "$setElementOrder/"
DELETE_PRIMITIVE = "$deleteFromPrimitiveList/"
RETAIN = "$retainKeys"
DIRECTIVE = "$patch"


class PatchError(Exception):
    """A patch the server refuses: `code`, `reason` and the Status message."""

    def __init__(self, code: int, reason: str, message: str):
        super().__init__(message)
        self.code, self.reason, self.message = code, reason, message


def go_json_error(body: bytes, exc: ValueError) -> str:
    """Returns Go encoding/json's wording for a body that is not JSON: `unexpected end of JSON input` or
    `invalid character 'x' looking for beginning of value` (the usual two; others keep Python's text)."""
    text = body.decode("utf-8", "replace")
    if not text.strip():
        return "unexpected end of JSON input"
    pos = getattr(exc, "pos", None)
    if isinstance(pos, int) and pos >= len(text.rstrip()):
        return "unexpected end of JSON input"
    if isinstance(pos, int) and pos < len(text):
        ch = text[pos]
        if getattr(exc, "msg", "") == "Expecting value":
            return f"invalid character {ch!r} looking for beginning of value"
        return f"invalid character {ch!r} after object key:value pair"
    return str(exc)


def parse_json(body: bytes):
    """Returns the decoded JSON body; raises PatchError 400 in Go's wording."""
    try:
        return loads_json(body)
    except DecodeLimitError as exc:
        raise PatchError(400, "BadRequest", exc.message) from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise PatchError(400, "BadRequest", go_json_error(body, exc)) from None


# ---------------------------------------------------------------------------------------------- merge patch
def merge_patch(current, patch):
    """Returns `current` with an RFC 7386 merge patch applied (does not modify its arguments)."""
    if not isinstance(patch, dict):
        return json.loads(json.dumps(patch))
    out = dict(current) if isinstance(current, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


def apply_merge_patch(current: dict, body: bytes) -> dict:
    """Applies a `merge-patch+json` body; a non-object body is a 400 as Go's unmarshal into a map says."""
    patch = parse_json(body)
    if not isinstance(patch, dict):
        raise PatchError(
            400,
            "BadRequest",
            f"json: cannot unmarshal {_go_type(patch)} into Go value of type map[string]interface {{}}",
        )
    return merge_patch(current, patch)


def _go_type(value) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "bool"
    if value is None:
        return "null"
    return "number"


# ---------------------------------------------------------------------------------------------- JSON patch
def apply_json_patch(current: dict, body: bytes) -> dict:
    """Applies an RFC 6902 `json-patch+json` body. A body that is not a list of operations is 400; an operation
    that does not apply (missing path, failed `test`) is 422, as kube-apiserver answers."""
    ops = parse_json(body)
    if not isinstance(ops, list) or not all(isinstance(o, dict) for o in ops):
        raise PatchError(
            400, "BadRequest", f"json: cannot unmarshal {_go_type(ops)} into Go value of type jsonpatch.Patch"
        )
    if len(ops) > MAX_JSON_PATCH_OPERATIONS:
        raise PatchError(
            413,
            "RequestEntityTooLarge",
            f"The allowed maximum operations in a JSON patch is {MAX_JSON_PATCH_OPERATIONS}, got {len(ops)}",
        )
    try:
        patch = jsonpatch.JsonPatch(ops)
        return patch.apply(json.loads(json.dumps(current)))
    except (
        jsonpatch.InvalidJsonPatch,
        jsonpatch.JsonPatchException,
        jsonpointer.JsonPointerException,
        TypeError,
        KeyError,
        IndexError,
        ValueError,
    ):
        # evanphx/json-patch's own error is not passed on: NewGenericServerResponse(422, …) answers the generic
        # text, which kubectl prints as `The request is invalid: the server rejected our request due to an error
        # in our request` (apiserver handlers/patch.go `applyJSPatch`; patch_test.go "invalid-semantics").
        raise PatchError(422, "Invalid", GENERIC_422) from None


GENERIC_422 = "the server rejected our request due to an error in our request"


# ---------------------------------------------------------------------------------------------- strategic
def _key(value) -> str:
    """A merge-key value compared as strategicpatch does (`fmt.Sprintf("%v")`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "<nil>" if value is None else str(value)


def _merges(node: Node) -> bool:
    return node.shape == "list" and "merge" in node.strategy.split(",")


def clean(value):
    """Returns a patch value with its directives and nulls removed (a value that is taken whole)."""
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items() if not k.startswith("$") and v is not None}
    if isinstance(value, list):
        return [clean(v) for v in value if not (isinstance(v, dict) and v.get(DIRECTIVE) == "delete")]
    return value


def apply_strategic(current: dict, body: bytes, node: Node) -> dict:
    """Applies a `strategic-merge-patch+json` body to the live object described by `node` (the kind's root)."""
    patch = parse_json(body)
    if not isinstance(patch, dict):
        raise PatchError(
            400,
            "BadRequest",
            f"json: cannot unmarshal {_go_type(patch)} into Go value of type map[string]interface {{}}",
        )
    return strategic_merge(json.loads(json.dumps(current)), patch, node)


def strategic_merge(original: dict, patch: dict, node: Node) -> dict:
    """Returns `original` (which it may modify) with the strategic patch map applied [strategicpatch `mergeMap`]."""
    directive = patch.get(DIRECTIVE)
    if directive == "replace":
        return clean({k: v for k, v in patch.items() if k != DIRECTIVE})
    if directive == "delete":
        return {}
    if directive is not None:
        raise PatchError(400, "BadRequest", f"Unknown patch type: {directive}")  # ErrBadPatchType
    retain = patch.get(RETAIN)
    if RETAIN in patch:
        if not isinstance(retain, list):
            raise PatchError(400, "BadRequest", "invalid patch format for retainKeys")
        for key in patch:
            if not key.startswith("$") and key not in retain:
                raise PatchError(422, "Invalid", "patch content doesn't match retainKeys list")
        original = {k: v for k, v in original.items() if k in retain}
    for key, value in patch.items():
        if key.startswith(DELETE_PRIMITIVE):
            field = key[len(DELETE_PRIMITIVE) :]
            if not isinstance(value, list):
                raise PatchError(400, "BadRequest", "invalid patch format for primitive list")
            if isinstance(original.get(field), list):
                drop = {_key(v) for v in value}
                original[field] = [v for v in original[field] if _key(v) not in drop]
    for key, value in patch.items():
        if key.startswith("$"):
            continue
        if value is None:
            original.pop(key, None)
            continue
        child = node.child(key) if node is not ANY else ANY
        mine = original.get(key)
        if isinstance(value, dict) and isinstance(mine, dict):
            if child.strategy == "replace" or child.atomic:
                original[key] = clean(value)
            else:
                original[key] = strategic_merge(mine, value, child)
        elif isinstance(value, list) and isinstance(mine, list) and _merges(child):
            original[key] = _merge_list(mine, value, child)
        elif isinstance(value, dict):
            original[key] = strategic_merge({}, value, child)
        else:
            original[key] = clean(value)
    for key, value in patch.items():
        if key.startswith(ORDER):
            field = key[len(ORDER) :]
            if not isinstance(value, list):
                raise PatchError(400, "BadRequest", "invalid patch format for setElementOrder list")
            child = node.child(field)
            if isinstance(original.get(field), list):
                original[field] = _set_order(original[field], value, child.merge_key)
    return original


def _merge_list(original: list, patch: list, node: Node) -> list:
    """Merges a list whose strategy is `merge` [strategicpatch `mergeSlice`]."""
    if any(isinstance(e, dict) and e.get(DIRECTIVE) == "replace" for e in patch):
        return clean([e for e in patch if not (isinstance(e, dict) and DIRECTIVE in e)])
    key = node.merge_key
    if not key or not all(isinstance(e, dict) for e in patch):
        # a set of scalars: union in order [mergeSliceWithoutSpecialElements for primitives]
        out = list(original)
        seen = {_key(v) for v in out}
        for v in patch:
            if _key(v) not in seen:
                out.append(clean(v))
                seen.add(_key(v))
        return out
    out = [dict(e) if isinstance(e, dict) else e for e in original]
    for element in patch:
        if key not in element:
            raise PatchError(400, "BadRequest", f"map: {element} does not contain declared merge key: {key}")
        at = next(
            (i for i, e in enumerate(out) if isinstance(e, dict) and _key(e.get(key)) == _key(element[key])),
            None,
        )
        if element.get(DIRECTIVE) == "delete":
            out = [e for e in out if not (isinstance(e, dict) and _key(e.get(key)) == _key(element[key]))]
            continue
        if at is None:
            out.append(strategic_merge({}, element, node.element()))
        else:
            out[at] = strategic_merge(out[at], element, node.element())
    return out


def _set_order(items: list, order: list, merge_key: str | None) -> list:
    """Orders a merged list as `$setElementOrder` says; elements it does not name keep their relative place
    after the named ones [strategicpatch `normalizeElementOrder`]."""

    def ident(e):
        if merge_key and isinstance(e, dict):
            return _key(e.get(merge_key))
        return _key(e)

    rank = {ident(o): i for i, o in enumerate(order)}
    named = sorted((e for e in items if ident(e) in rank), key=lambda e: rank[ident(e)])
    rest = [e for e in items if ident(e) not in rank]
    return named + rest
