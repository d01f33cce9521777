"""Change tracking for state the engine mutates in place: which keys changed since the last save, and each
key's value before a console command touched it (so a failed command rolls back exactly).

The container runtime's sandboxes (one per pod, a few KB each with their files and logs) are the largest part
of a cluster's state and are mutated in place by the kubelet, so they cannot be compared or copied wholesale
after every command. Each node's sandbox map is a `TrackedDict`: every access by key marks the key as touched
(a superset of what changed: saving writes only touched sandboxes), and while an undo journal is open the
first access copies the old value (rolling back restores only those). Iterating over values or items touches
every key, so read-only walks over all sandboxes should go through `dict.values(m)` or similar.

This is the etcd-style "write only what changed" half of persistence; the other half (comparing small parts
by value) lives in `saving.py`.
"""

from __future__ import annotations

MISSING = object()  # "the key was absent": restoring it means deleting the key


def mark_written(written: dict, key: str, moved: bool, limit: int) -> bool:
    """Record `key` as written since the last save in `written` (key -> True when inserted or removed, so its
    position changed; insertion order kept). Returns True, with `written` cleared, once more than `limit` keys
    are listed: the next save then writes the whole state. Shared by the store and the runtime's maps."""
    if moved:
        written.pop(key, None)
        written[key] = True
    elif key not in written:
        written[key] = False
    if len(written) > limit:
        written.clear()
        return True
    return False


TOUCHED_MAX = 4096  # more touched keys than this between two saves: the next save writes the whole state


def copy_for_undo(value):
    """Returns a deep copy of JSON-like data that keeps `TrackedDict`s by reference (they journal themselves)."""
    t = type(value)
    if t is dict:
        return {k: copy_for_undo(v) for k, v in value.items()}
    if t is list:
        return [copy_for_undo(v) for v in value]
    return value


def clone_untracked(value):
    """Returns a deep copy of JSON-like data as plain dicts and lists, reading `TrackedDict`s without marking
    their keys as touched (a copy for saving or export is not a change)."""
    if isinstance(value, dict):
        return {k: clone_untracked(v) for k, v in dict.items(value)}
    if isinstance(value, list):
        return [clone_untracked(v) for v in value]
    return value


class TrackedDict(dict):
    """A dict that remembers the keys accessed since `reset_touched()` and, inside `open_undo()`…`close_undo()`,
    the value each key had before its first access.

    `touched` maps key -> True when the key was inserted or removed (its position in the dict may have
    changed; a delta replays it as delete + append), False when it was only read or written in place.
    `overflow` becomes True when more than TOUCHED_MAX keys were touched (the trackers are then dropped and the
    next save must write everything).
    """

    __slots__ = ("touched", "overflow", "_undo", "_order", "_touched_before")

    def __init__(self, *args):
        super().__init__(*args)
        self.touched: dict = {}
        self.overflow = False
        self._undo: dict | None = None
        self._order: list | None = None
        self._touched_before: tuple | None = None

    # ------------------------------------------------------------------------------------------ tracking
    def _note(self, key, moved: bool = False) -> None:
        undo = self._undo
        if undo is not None:
            if self._touched_before is None:
                self._touched_before = (dict(self.touched), self.overflow)
            if key not in undo:
                old = dict.get(self, key, MISSING)
                undo[key] = old if old is MISSING else copy_for_undo(old)
            if moved and self._order is None:
                self._order = list(self)
        if mark_written(self.touched, key, moved, TOUCHED_MAX):
            self.overflow = True

    def _note_all(self) -> None:
        for key in list(dict.keys(self)):
            self._note(key)

    def reset_touched(self) -> None:
        """Forgets what was touched (called once a save has written it)."""
        self.touched = {}
        self.overflow = False

    # ------------------------------------------------------------------------------------------ undo
    def open_undo(self) -> None:
        """Starts recording old values (a console command begins)."""
        self._undo, self._order, self._touched_before = {}, None, None

    def close_undo(self, rollback: bool) -> None:
        """Stops recording; with rollback, puts back every value (and the key order) from before open_undo."""
        undo, order, before = self._undo, self._order, self._touched_before
        self._undo = self._order = self._touched_before = None
        if not rollback or not undo:
            return
        for key, old in undo.items():
            if old is MISSING:
                dict.pop(self, key, None)
            else:
                dict.__setitem__(self, key, old)
        if order is not None:
            items = [(k, dict.__getitem__(self, k)) for k in order]
            dict.clear(self)
            dict.update(self, items)
        if before is not None:
            self.touched, self.overflow = before[0], before[1]

    # ------------------------------------------------------------------------------------------ dict API
    def __getitem__(self, key):
        if self._undo is not None or key not in self.touched:
            self._note(key)
        return dict.__getitem__(self, key)

    def get(self, key, default=None):
        if self._undo is not None or key not in self.touched:
            self._note(key)
        return dict.get(self, key, default)

    def __setitem__(self, key, value):
        self._note(key, not dict.__contains__(self, key))
        dict.__setitem__(self, key, value)

    def __delitem__(self, key):
        self._note(key, True)
        dict.__delitem__(self, key)

    def pop(self, key, *default):
        if dict.__contains__(self, key):
            self._note(key, True)
        return dict.pop(self, key, *default)

    def setdefault(self, key, default=None):
        self._note(key, not dict.__contains__(self, key))
        return dict.setdefault(self, key, default)

    def popitem(self):
        if dict.__len__(self):
            self._note(next(reversed(dict.keys(self))), True)
        return dict.popitem(self)

    def clear(self):
        for key in list(dict.keys(self)):
            self._note(key, True)
        dict.clear(self)

    def update(self, *args, **kwargs):
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def values(self):
        self._note_all()
        return dict.values(self)

    def items(self):
        self._note_all()
        return dict.items(self)

    def __ior__(self, other):
        self.update(other)
        return self

    def __reduce__(self):  # pickles and copies as a plain dict
        return (dict, (dict(self),))
