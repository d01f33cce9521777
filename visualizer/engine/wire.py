"""The wire form of a diff: only what changed since the frame the viewers hold, compactly.

`Cluster.diff_since` returns every touched item whole and every event with its texts (docs/engine.md). A live
cluster's viewers all hold the same state (the last diff broadcast), so one `WireEncoder` per cluster keeps the
items and the trace as last sent and turns each engine diff into

    {"now": 12.5,
     "sections": {"pods": {"set": {id: item}, "patch": {id: [op…]}, "same": {id: [id…]},
                           "copy": [[id, base, [op…]], …], "remove": [id…]}, …},
     "events": [[template, [param…]], …],          # event_wire: template id + parameters
     "trace": [...],                                # only when the last command's trace changed
     "encryptionAtRest": true,                      # only when it changed
     "images": ["nginx:1.20", …]}                   # only when the cluster ran a new image

- an item the viewers already hold is sent as a patch (`patch.diff_values`; items of a section that get the
  same patch in this diff are listed under the first one's id in `same`), an unchanged one not at all;
- an item they do not hold yet (new, or first touched since the encoder started) is sent whole in `set`, or
  in `copy` as a patch of a sibling they hold (`base`; `null` for the item the previous copy made): a new pod
  of a ReplicaSet differs from the one before in its name, node and IP;
- events and trace entries travel as template id + parameters (`event_wire`).

`snapshot.apply_diff` applies an engine diff and a wire diff alike, so `apply_diff(held, wire) == snapshot at
the diff's version` holds exactly (tests/engine/test_wire.py; the browser's state.js does the same).

This follows the Kubernetes API server's watch cache in spirit (pkg/storage/cacher: one serialisation per event
shared by every watcher) and JSON Patch (RFC 6902) for the item patches. Memory: one copy of the items touched
since the cluster was loaded, per cluster (not per viewer).
"""

from __future__ import annotations

import json

from . import event_wire
from .patch import diff_values, same


def _family(ident: str) -> str:
    """`default/web-56dfd68544-x2k4p` → `default/web-56dfd68544`: the ReplicaSet's pods (and their etcd keys)
    are alike."""
    return ident.rpartition("-")[0]


def _size(value: object) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


MAX_FAMILIES = 4096  # remembered "last new item" per id family (bounded memory per cluster)
# Items replaced in the diffs encoded lately, kept to tell what a viewer at an earlier version holds (`items_at`):
# at most this many references (old items stay alive while referenced: bounded memory per cluster).
MAX_UNDO = 10_000


class WireEncoder:
    """Turns one cluster's successive engine diffs into wire diffs; holds what its viewers hold.

    Call `encode(diff)` with each engine diff broadcast, in order (diff["from"] must be the version of the
    previous one's "to"), and `forget()` whenever the viewers get a fresh snapshot instead (a reset, or a diff
    too old to build) or a diff is not sent. The encoder keeps the diff's items and trace as they are (no
    copy): nothing may modify them afterwards (`build_diff` builds them fresh; frames only serialise them).
    """

    def __init__(self) -> None:
        self.items: dict[str, dict[str, dict]] = {}  # section -> id -> item as the viewers hold it
        self.trace: list | None = None
        self.encryption: bool | None = None
        self.version: int | None = None
        # section, and (section, family) -> the id of the last new item sent (whole or copied): the sibling the
        # next new item of that family is copied from.
        self.last: dict = {}
        # Per diff encoded lately, oldest first: (its from, [(section, id, the item held before it or None)]).
        self.undo: list[tuple[int, list[tuple[str, str, dict | None]]]] = []
        self.undo_size = 0

    def forget(self) -> None:
        """Forget what the viewers hold: the next diffs send whole items (after a snapshot to everyone)."""
        self.items.clear()
        self.trace = None
        self.encryption = None
        self.version = None
        self.last.clear()
        self.undo.clear()
        self.undo_size = 0

    def hold(self, snapshot: dict) -> None:
        """Remember `snapshot` (`Cluster.snapshot()`, not modified afterwards) as what every viewer holds: the
        next diff, from its version, patches its items rather than sending them whole."""
        from .snapshot import KEYED

        self.forget()
        self.items = {section: dict(snapshot.get(section) or {}) for section in KEYED}
        self.trace = snapshot.get("trace")
        self.encryption = snapshot.get("encryptionAtRest")
        self.version = snapshot.get("version")

    def encode(self, diff: dict) -> dict:
        """Return the wire diff of an engine diff (`Cluster.diff_since`'s shape) and remember what it sends.

        The result holds no `from`/`to` (the frame carries them once). Raises nothing for a well-formed diff.
        """
        if self.version is not None and diff["from"] != self.version:
            self.forget()  # not the diff after the last one: what the viewers hold is unknown
        replaced: list[tuple[str, str, dict | None]] = []
        if self.version is not None:
            self.undo.append((self.version, replaced))
        self.version = diff["to"]
        out: dict = {"now": diff["now"]}
        sections = {}
        for section, change in diff["sections"].items():
            held = self.items.setdefault(section, {})
            setv, patch, remove, copies, new = {}, {}, [], [], []
            alike: dict[str, str] = {}  # a patch's text -> the first id it was sent for in this section
            samev: dict[str, list[str]] = {}  # that first id -> the other ids that get the same patch
            for ident in change["remove"]:
                replaced.append((section, ident, held.pop(ident, None)))
                remove.append(ident)
            for ident, item in change["set"].items():
                old = held.get(ident)
                if old is None:
                    new.append(ident)
                    continue
                ops = diff_values(old, item)
                if ops:
                    replaced.append((section, ident, old))
                    # Seven pods turning Ready at once get the same patch: it is sent once, with their ids.
                    text = json.dumps(ops, separators=(",", ":"))
                    first = alike.setdefault(text, ident)
                    if first == ident:
                        patch[ident] = ops
                    else:
                        samev.setdefault(first, []).append(ident)
                    held[ident] = item
            # Items the viewers do not hold: whole, or as a patch of a sibling they hold by then (the pod
            # created just before by the same ReplicaSet differs in a few fields). Applied after the patches,
            # in this order, so the sibling is read as it is after this diff.
            for ident in new:
                item = change["set"][ident]
                family = (section, _family(ident))
                base = self.last.get(family) or self.last.get(section)
                sibling = held.get(base) if base is not None else None
                ops = diff_values(sibling, item) if sibling is not None else None
                # `null` as the base: the item the previous copy made (a ReplicaSet's pods come in a row).
                ref = None if copies and copies[-1][0] == base else base
                if ops is not None and _size([ident, ref, ops]) < _size(item) + len(ident):
                    copies.append([ident, ref, ops])
                else:
                    setv[ident] = item
                replaced.append((section, ident, None))
                held[ident] = item
                if len(self.last) > MAX_FAMILIES:
                    self.last.clear()  # a long lesson's many names: the next copy just starts a new run
                self.last[family] = self.last[section] = ident
            entry = {}
            if setv:
                entry["set"] = setv
            if patch:
                entry["patch"] = patch
            if samev:
                entry["same"] = samev
            if copies:
                entry["copy"] = copies
            if remove:
                entry["remove"] = remove
            if entry:
                sections[section] = entry
        if sections:
            out["sections"] = sections
        if diff.get("events"):
            out["events"] = event_wire.encode_list(diff["events"], event_wire.EVENT_KEYS)
        if "trace" in diff and (self.trace is None or not same(self.trace, diff["trace"])):
            out["trace"] = event_wire.encode_list(diff["trace"], event_wire.TRACE_KEYS, diff.get("events"))
            self.trace = diff["trace"]
        if "images" in diff:
            out["images"] = diff["images"]  # rare (a new image) and a few names: sent whole
        if diff["encryptionAtRest"] != self.encryption:
            out["encryptionAtRest"] = diff["encryptionAtRest"]
            self.encryption = diff["encryptionAtRest"]
        self.undo_size += len(replaced)
        while self.undo and self.undo_size > MAX_UNDO:
            self.undo_size -= len(self.undo.pop(0)[1])
        return out

    def items_at(self, version: int, wanted: dict[str, object]) -> dict[str, dict[str, dict]] | None:
        """Return what every viewer held at `version` of the items named in `wanted` (section -> ids), as
        {section: {id: item}} without the ones they did not hold, or None when the kept diffs no longer reach
        back to `version` (or the encoder holds nothing). Undoes the diffs encoded since, newest first."""
        if self.version is None:
            return None
        start = len(self.undo)
        if version != self.version:
            start = next((i for i, (first, _) in enumerate(self.undo) if first == version), None)
            if start is None:
                return None
        out = {
            section: {i: self.items[section][i] for i in ids if i in self.items.get(section, {})}
            for section, ids in wanted.items()
        }
        for _first, replaced in reversed(self.undo[start:]):
            for section, ident, old in replaced:
                if section not in out or ident not in wanted[section]:
                    continue
                if old is None:
                    out[section].pop(ident, None)
                else:
                    out[section][ident] = old
        return out
