"""Incremental saves: a base state plus deltas, each in proportion to what changed since the previous save.

A live cluster is saved after every command and every second while it changes. Writing `to_dict()` whole
costs its size (6–8 MiB and ~150 ms at 1,000 pods) however little changed. Instead `SaveTracker.save_text`
returns either the whole state (a *base*) or a *delta* since the previous save, as JSON text:

- the store: the keys written since the last save (store.Store.dirty), each with the object or null; keys
  inserted or removed are marked "moved" and replayed as delete + append, so the order of `objects` (which
  `to_dict` and `list` follow) comes out identical;
- the container runtime: the sandboxes each node's map handed out (journal.TrackedDict) whose JSON changed
  since the last delta wrote them (a digest of each), the same way, and
  the node records without their sandboxes when their JSON differs from the last save (a few hundred bytes
  each, compared by value);
- the clock: timers added and removed (by their unique sequence number) and due-map changes;
- the events: those newer than the last save, plus the sequence of the oldest one kept (the ring's trim);
- the RNG: Python's Mersenne Twister rewrites its 624-word array only at a twist (once per 624 outputs); in
  between only its position moves, so a delta carries the position alone (`rng_pos`), and the whole state
  (6.7 KB) only after a twist;
- every other part (counters, trace, HPA history, kube-proxy counters, the runtime's volumes…) when its JSON
  changed, as per-key changes of its dicts (`ops`: kube-proxy's counters gain one pod at a time) wherever the
  keys kept their order, else whole.

`apply_delta(state, delta)` rebuilds `to_dict()` from a base and the deltas in order, exactly (tests compare
the text). A base is written instead of a delta the first time, after a load (the tracker does not know
what was saved before), when a tracker overflowed, and when the deltas since the last base add up to more
than the base itself: then the storage compacts them (records.save), so a cluster's stored size stays within
twice its state and loading costs at most that. The same idea as etcd's: a write-ahead log of changes,
compacted into a snapshot when it grows (etcd server/storage: snapshot-count).
"""

from __future__ import annotations

import hashlib
import json

from .journal import TrackedDict

DELTA_FORMAT = 2
# Formats apply_delta reads: 1 (before `rng_pos` and `ops`) is a subset of 2.
READABLE_FORMATS = (1, 2)
# How deep per-key changes go into a part's nested dicts (proxy → counts → service → pod is 3).
OPS_DEPTH = 3
# Parts of Cluster.to_dict() saved whole when their JSON changed (they are small or bounded).
SMALL_PARTS = (
    "schema",
    "config",
    "rng",
    "proxy",
    "event_seq",
    "version",
    "trace",
    "encrypt_at_rest",
    "hpa_history",
    "once",
    "docker_host",
    "images",
)
RUNTIME_PARTS = ("volumes", "faults", "load")
_DUMP = json.JSONEncoder(separators=(",", ":")).encode


def _small_parts(c) -> dict:
    """The small parts saved by value, except the RNG (see `_rng_delta`)."""
    return {
        "schema": 1,
        "config": c.config,
        "proxy": {"counts": c.kube_proxy.counts, "rules": c.kube_proxy.rules},
        "event_seq": c.event_seq,
        "version": c.version,
        "trace": c.trace,
        "encrypt_at_rest": c.encrypt_at_rest,
        "hpa_history": c.hpa_history,
        "once": c.once,
        "docker_host": c.docker_host,
        "images": list(c.images),
    }


def _rng_state(c) -> list:
    """The RNG state as `to_dict()` saves it: [version, 624 words + position, next gaussian or None]."""
    state = c.rng.getstate()
    return [state[0], list(state[1]), state[2]]


def _ops(old, new, depth: int):
    """Return how `old` (parsed JSON of the last save) became `new` (live JSON-like data), or None if equal.

    `["=", value]` replaces the value; `["d", {key: op}, [removed keys]]` changes a dict key by key, when `new`
    kept the order of `old`'s surviving keys and appended its new ones (then replaying the ops yields the same
    key order, which `to_dict()`'s text follows). Equality is by JSON text (1 and 1.0, True and 1 differ).
    """
    if type(old) is dict and type(new) is dict and depth > 0:
        removed = [k for k in old if k not in new]
        kept = [k for k in old if k in new]
        if list(new) != kept + [k for k in new if k not in old]:
            return ["=", new]
        changes = {}
        for key, value in new.items():
            op = _ops(old[key], value, depth - 1) if key in old else ["=", value]
            if op is not None:
                changes[key] = op
        return ["d", changes, removed] if changes or removed else None
    return None if _same_text(old, new) else ["=", new]


# Scalar types whose JSON text is equal exactly when the values are of the same type and equal (1, 1.0 and True
# are equal in Python, not in JSON). Floats are not here: 0.0 == -0.0 and their texts differ.
_EXACT_SCALARS = (str, int, bool, type(None))


def _same_text(old, new) -> bool:
    """True when `_DUMP(old) == _DUMP(new)`, for `old` parsed from JSON and `new` live data.

    A changed part's leaves (kube-proxy's per-pod counters: some ten thousand a save on the classroom demo) are
    compared directly; encoding each to compare the texts cost ~3.5 µs a leaf, most of a delta's CPU (issue 12
    §4). Anything but a plain scalar is still compared by its text.
    """
    kind = type(new)
    if kind in _EXACT_SCALARS:
        return type(old) is kind and old == new
    if kind is float and type(old) is float and old == new and new != 0.0:
        return True
    return _DUMP(old) == _DUMP(new)


def _patch(target, op):
    """Apply an `_ops` result to `target` (changed in place where it is a dict); return the new value."""
    if op[0] == "=":
        return op[1]
    for key in op[2]:
        del target[key]
    for key, sub in op[1].items():
        target[key] = _patch(target.get(key), sub)
    return target


def _node_record(n: dict) -> dict:
    return {k: (None if k == "sandboxes" else v) for k, v in n.items()}


class SaveTracker:
    """What was last saved of one cluster, to write only what changed since (see the module docstring)."""

    def __init__(self):
        self.saved = False  # False: the next save is a base
        self.base_bytes = 0
        self.delta_bytes = 0
        self._parts: dict[str, str] = {}
        self._rng_words: tuple = ()  # the RNG's 624 words as last saved
        self._nodes: dict[str, str] = {}
        self._heap: dict[int, list] = {}
        self._due: dict[tuple, float] = {}
        self._event_seq = 0
        # A digest of each sandbox's JSON as the last delta wrote it: reading a sandbox marks it touched (a
        # superset of what changed; `sim traffic` reads two and changes neither), and an unchanged one is
        # left out. Cleared with every base, which writes them all.
        self._sandbox_digests: dict[tuple[str, str], bytes] = {}
        # The trace list last saved: a command replaces `Cluster.trace` whole and never edits it in place (the
        # undo checkpoint keeps it by reference on the same rule, undo.py), so the same list is the same JSON
        # and needs no encoding to be compared (25 KB after a rollout: 0.14 ms a save otherwise).
        self._trace: list | None = None

    def invalidate(self) -> None:
        """Makes the next save a base (a save failed part-way, or the stored state is not known)."""
        self.saved = False

    def save_text(self, c) -> tuple[str, bool]:
        """Returns (JSON text, is_base) to store now, and records it as saved.

        The text is a whole `to_dict()` (is_base) or a delta for `apply_delta`. If storing it fails, call
        `invalidate()` so the next save is a base.
        """
        overflow = c.store.dirty_overflow or any(m.overflow for m in c.runtime.sandbox_maps().values())
        if self.saved and not overflow:
            text = _DUMP(self._delta(c))
            if self.delta_bytes + len(text) <= self.base_bytes:
                self.delta_bytes += len(text)
                return text, False
        text = _DUMP(c.to_dict(copy=False))  # encoded at once: no copy needed
        self._remember(c)
        self.saved, self.base_bytes, self.delta_bytes = True, len(text), 0
        return text, True

    # ------------------------------------------------------------------------------------------ tracking
    def _remember(self, c) -> None:
        """Records the comparison data of the current state and clears the write trackers."""
        self._parts = {name: _DUMP(value) for name, value in _small_parts(c).items()}
        self._trace = c.trace
        for name in RUNTIME_PARTS:
            self._parts["runtime." + name] = _DUMP(c.runtime.data[name])
        self._sandbox_digests = {}
        self._rng_words = c.rng.getstate()[1][:-1]
        self._nodes = {name: _DUMP(_node_record(n)) for name, n in c.runtime.data["nodes"].items()}
        self._heap = {e[1]: e for e in c.clock._heap}
        self._due = dict(c.clock._due)
        self._event_seq = c.event_seq
        c.store.reset_dirty()
        for m in c.runtime.sandbox_maps().values():
            m.reset_touched()

    def _part_op(self, name: str, value, parts: dict, ops: dict) -> None:
        """Record part `name` in `parts` (whole) or `ops` (per-key changes) if its JSON changed since the last
        save."""
        text = _DUMP(value)
        before = self._parts.get(name)
        if before == text:
            return
        # The saved text is parsed only when the part changed: `_ops` compares against it key by key.
        op = _ops(json.loads(before), value, OPS_DEPTH) if before is not None else ["=", value]
        if op is not None and op[0] == "d":
            ops[name] = op
        else:
            parts[name] = value
        self._parts[name] = text

    def _sandbox_writes(self, node: str, m: TrackedDict) -> list:
        """The [key, moved, sandbox or None] writes of one node's touched sandboxes that changed since saved."""
        writes = []
        digests = self._sandbox_digests
        for key, moved in m.touched.items():
            value = dict.get(m, key)
            if value is None:
                digests.pop((node, key), None)
                writes.append([key, moved, None])
                continue
            digest = hashlib.blake2b(_DUMP(value).encode(), digest_size=16).digest()
            if not moved and digests.get((node, key)) == digest:
                continue
            digests[(node, key)] = digest
            writes.append([key, moved, value])
        return writes

    def _delta(self, c) -> dict:
        parts: dict = {}
        ops: dict = {}
        for name, value in _small_parts(c).items():
            if name == "trace" and value is self._trace:
                continue
            self._part_op(name, value, parts, ops)
        self._trace = c.trace
        for name in RUNTIME_PARTS:
            self._part_op("runtime." + name, c.runtime.data[name], parts, ops)
        rng = c.rng.getstate()
        rng_pos = None
        if rng[1][:-1] == self._rng_words:
            rng_pos = [rng[1][-1], rng[2]]  # no twist since the last save: only the position moved
        else:
            parts["rng"] = [rng[0], list(rng[1]), rng[2]]
            self._rng_words = rng[1][:-1]
        store = c.store
        objects = store.objects
        writes = [[key, moved, objects.get(key)] for key, moved in store.dirty.items()]
        encrypted = {key: store.encrypted.get(key) for key in store.dirty}
        nodes, sandboxes = {}, {}
        for name, n in c.runtime.data["nodes"].items():
            text = _DUMP(_node_record(n))
            if self._nodes.get(name) != text:
                nodes[name] = _node_record(n)
                self._nodes[name] = text
            m = n["sandboxes"]
            if m.touched:
                changed = self._sandbox_writes(name, m)
                if changed:
                    sandboxes[name] = changed
        heap = {e[1]: e for e in c.clock._heap}
        added = [e for seq, e in heap.items() if seq not in self._heap]
        dropped = [seq for seq in self._heap if seq not in heap]
        due = c.clock._due
        due_set = {f"{q}\x00{k}": at for (q, k), at in due.items() if self._due.get((q, k)) != at}
        due_del = [f"{q}\x00{k}" for (q, k) in self._due if (q, k) not in due]
        events = [e for e in c.events if e["seq"] > self._event_seq]
        delta = {
            "delta": DELTA_FORMAT,
            "parts": parts,
            "ops": ops,
            "rng_pos": rng_pos,
            "store": {"revision": store.revision, "writes": writes, "encrypted": encrypted},
            "runtime": {"nodes": nodes, "sandboxes": sandboxes},
            "clock": {
                "now": c.clock.now,
                "seq": c.clock._seq,
                "add": added,
                "drop": dropped,
                "due": due_set,
                "undue": due_del,
            },
            "events": {"first": c.events[0]["seq"] if c.events else None, "new": events},
        }
        self._heap, self._due, self._event_seq = heap, dict(due), c.event_seq
        store.reset_dirty()
        for m in c.runtime.sandbox_maps().values():
            m.reset_touched()
        return delta


def _replay(target: dict, writes: list) -> None:
    """Applies [key, moved, value or None] writes to a dict so that its keys end in the live order."""
    for key, moved, value in writes:
        if moved:
            target.pop(key, None)
        if value is not None:
            target[key] = value
        elif not moved:
            target.pop(key, None)


def apply_delta(state: dict, delta: dict) -> dict:
    """Applies one delta (SaveTracker.save_text, is_base False) to a `to_dict()` state in place; returns it.

    Raises ValueError for something that is not a delta of a supported format, or a damaged one (as
    Cluster.from_dict does for a damaged state).
    """
    if not isinstance(delta, dict) or delta.get("delta") not in READABLE_FORMATS:
        raise ValueError("not a cluster state delta of a supported format")
    try:
        return _apply(state, delta)
    except (KeyError, TypeError, IndexError, AttributeError) as exc:
        raise ValueError(f"damaged cluster state delta ({type(exc).__name__}: {exc})") from None


def _apply(state: dict, delta: dict) -> dict:
    for name, value in delta["parts"].items():
        if name.startswith("runtime."):
            state["runtime"][name.removeprefix("runtime.")] = value
        elif name in SMALL_PARTS:
            state[name] = value
    for name, op in (delta.get("ops") or {}).items():
        if name.startswith("runtime."):
            runtime = state["runtime"]
            key = name.removeprefix("runtime.")
            runtime[key] = _patch(runtime[key], op)
        elif name in SMALL_PARTS:
            state[name] = _patch(state[name], op)
    rng_pos = delta.get("rng_pos")
    if rng_pos is not None and "rng" not in delta["parts"]:
        position, gauss = rng_pos
        state["rng"][1][-1] = position
        state["rng"][2] = gauss
    # The store: objects by key, in order, with the encryption flags of Secrets.
    s = delta["store"]
    store = state["store"]
    objects = {f"{_key_of(o)}": o for o in store["objects"]}
    _replay(objects, s["writes"])
    store["objects"] = list(objects.values())
    enc = store["encrypted"]
    _replay(enc, [[key, moved, s["encrypted"].get(key)] for key, moved, _ in s["writes"]])
    store["revision"] = s["revision"]
    # The runtime: node records (their sandboxes kept), then each node's sandboxes.
    nodes = state["runtime"]["nodes"]
    for name, record in delta["runtime"]["nodes"].items():
        sandboxes = (nodes.get(name) or {}).get("sandboxes") or {}
        nodes[name] = {k: (sandboxes if k == "sandboxes" else v) for k, v in record.items()}
    for name, writes in delta["runtime"]["sandboxes"].items():
        _replay(nodes[name]["sandboxes"], writes)
    # The clock: timers by their unique sequence number; to_dict's canonical order.
    cl = delta["clock"]
    clock = state["clock"]
    heap = {e[1]: e for e in clock["heap"]}
    for seq in cl["drop"]:
        heap.pop(seq, None)
    for e in cl["add"]:
        heap[e[1]] = e
    due = clock["due"]
    for ident in cl["undue"]:
        due.pop(ident, None)
    due.update(cl["due"])
    state["clock"] = {
        "now": cl["now"],
        "seq": cl["seq"],
        "heap": sorted(heap.values()),
        "due": dict(sorted(due.items())),
    }
    # The events ring: new events appended, the oldest dropped as the ring trimmed them.
    ev = delta["events"]
    events = state["events"] + ev["new"]
    first = ev["first"]
    state["events"] = [e for e in events if first is not None and e["seq"] >= first]
    return state


def _key_of(obj: dict) -> str:
    from .objects import key_of

    return key_of(obj)


__all__ = ["SaveTracker", "TrackedDict", "apply_delta"]
