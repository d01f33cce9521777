"""Patches between two JSON values: what changed in a snapshot item, sent instead of the whole item.

A patch is a list of operations, applied in order (`apply_patch`), each naming a `path` (a list of object keys
and array indexes from the item's root):

    [path, value]                      set: the value at `path` becomes `value` (added if the key is new)
    [path]                             remove: the key at `path` is deleted
    [path, index, count, [items…]]     splice: the array at `path` loses `count` elements from `index` and
                                       gets `items` there instead (JavaScript's Array.prototype.splice)
    [path, index, count, "text"]       splice of an ASCII string (so that Python's and JavaScript's indexes
                                       agree): its `count` characters from `index` are replaced by "text"

A path of one key (the item's own fields, most operations) is written as that key, a string:
`["status", "Running"]` is `[["status"], "Running"]`.

It is JSON Patch (RFC 6902) reduced to its `add`/`replace`/`remove` operations with the path as an array
(no `~1` escaping of `/` in keys such as `default/web-1`), plus one splice for arrays, so that a pod joining a
Service's 30 endpoints costs one element, not the list. An object's `null` stays a value (unlike JSON Merge
Patch, RFC 7386, where `null` deletes): snapshot items use `null` for "not yet" (a pod's IP).

`diff_values(old, new)` returns the patch; `apply_patch(old, diff_values(old, new)) == new` holds exactly,
types included (`1`, `1.0` and `true` are different values here, as they are in JSON text). Pure Python, no
Django. The browser's copy is `static/js/visualizer/patch.js`.
"""

from __future__ import annotations

import copy
import json
from difflib import SequenceMatcher

# Arrays longer than this are replaced whole rather than compared element by element (the comparison is
# quadratic in the worst case); a Service's endpoints at 1,000 pods stays below it.
MAX_SPLICE_LEN = 4000
MIN_SPLICE_TEXT = 8  # characters; a shorter text is sent whole


def same(a: object, b: object) -> bool:
    """True when `a` and `b` are the same JSON value: equal and of the same JSON types throughout (Python's
    `1 == 1.0 == True` would hide a change of JSON text)."""
    ta = type(a)
    if ta is not type(b):
        return False
    if ta is dict:
        if a.keys() != b.keys():
            return False
        return all(same(v, b[k]) for k, v in a.items())
    if ta is list:
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def _op(path: tuple, *rest: object) -> list:
    return [path[0] if len(path) == 1 and type(path[0]) is str else [*path], *rest]


def _size(value: object) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def diff_values(old: object, new: object, path: tuple = ()) -> list[list]:
    """Return the patch (a list of operations, see the module docstring) turning `old` into `new`.

    `old` and `new` are JSON values (dict, list, str, int, float, bool, None). The result is [] when they
    are the same value. Never raises for JSON values.
    """
    if type(old) is dict and type(new) is dict:
        ops: list[list] = []
        for key in old:
            if key not in new:
                ops.append(_op((*path, key)))
        for key, value in new.items():
            if key not in old:
                ops.append(_op((*path, key), value))
            elif not same(old[key], value):
                ops += diff_values(old[key], value, (*path, key))
        return ops
    if type(old) is list and type(new) is list:
        if same(old, new):
            return []
        ops = _diff_lists(old, new, path)
        whole = _op(path, new)
        return ops if _size(ops) < _size(whole) else [whole]
    if same(old, new):
        return []
    if (
        type(old) is str
        and type(new) is str
        and len(new) > MIN_SPLICE_TEXT
        and old.isascii()
        and new.isascii()
    ):
        # A long text changed in one place (etcd's value summary "…"phase":"Pending"}" → "Running"): splice it.
        # ASCII only: JavaScript indexes strings in UTF-16 units, Python in code points.
        start = 0
        limit = min(len(old), len(new))
        while start < limit and old[start] == new[start]:
            start += 1
        end = 0
        while end < limit - start and old[-1 - end] == new[-1 - end]:
            end += 1
        op = _op(path, start, len(old) - start - end, new[start : len(new) - end])
        if _size(op) < _size(_op(path, new)):
            return [op]
    return [_op(path, new)]


def _diff_lists(old: list, new: list, path: tuple) -> list[list]:
    if len(old) > MAX_SPLICE_LEN or len(new) > MAX_SPLICE_LEN:
        return [_op(path, new)]
    a = [json.dumps(x, sort_keys=True, separators=(",", ":")) for x in old]
    b = [json.dumps(x, sort_keys=True, separators=(",", ":")) for x in new]
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    ops: list[list] = []
    # From the end backwards: each operation's index then still refers to the old array's positions.
    for tag, i1, i2, j1, j2 in reversed(matcher.get_opcodes()):
        if tag == "equal":
            continue
        if tag == "replace" and i2 - i1 == j2 - j1:
            # The same number of elements changed in place: patch each (a pod's endpoint turning ready).
            for k in range(i2 - i1 - 1, -1, -1):
                ops += diff_values(old[i1 + k], new[j1 + k], (*path, i1 + k))
            continue
        ops.append(_op(path, i1, i2 - i1, new[j1:j2]))
    return ops


def apply_patch(value: object, patch: list[list]) -> object:
    """Return a new value: `value` with `patch` applied (the input is not modified).

    Raises KeyError, IndexError or TypeError when the patch does not fit the value (it was made against
    another one): the caller then asks for a whole snapshot.
    """
    out = copy.deepcopy(value)
    for op in patch:
        path = [op[0]] if type(op[0]) is str else op[0]
        if not path:
            if len(op) == 2:
                out = copy.deepcopy(op[1])
                continue
            target, key = None, None
        else:
            target = out
            for step in path[:-1]:
                target = target[step]
            key = path[-1]
        if len(op) == 2:
            target[key] = copy.deepcopy(op[1])
        elif len(op) == 1:
            del target[key]
        else:
            array = out if not path else target[key]
            i, n = op[1], op[2]
            if type(array) is str and type(op[3]) is str:
                text = array[:i] + op[3] + array[i + n :]
                if not path:
                    out = text
                else:
                    target[key] = text
                continue
            if type(array) is not list:
                raise TypeError(f"splice of a non-array at {path}")
            array[i : i + n] = copy.deepcopy(op[3])
    return out
