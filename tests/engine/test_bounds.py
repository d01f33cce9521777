"""Bounded engine memory under repeated commands (issue 12 §3): an anonymous sandbox re-applying the same 50
ConfigMaps twice a second must not grow the server. Each structure that a command appends to stays under its
bound, the way Kubernetes bounds its own (watch cache window, event store, compaction)."""

import json

from visualizer.engine import Cluster
from visualizer.engine.cluster import EVENT_RING, LOG_MAX, TRACE_MAX
from visualizer.engine.journal import TOUCHED_MAX
from visualizer.engine.store import DIRTY_MAX


def config_maps(value: str) -> str:
    """50 ConfigMaps as a JSON stream (kubectl apply -f - reads it as YAML's faster twin)."""
    return "\n".join(
        json.dumps(
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"cm{i}"}, "data": {"k": value}}
        )
        for i in range(50)
    )


def test_reapplying_50_config_maps_2000_times_stays_within_every_bound():
    c = Cluster(workers=2, seed=3)
    first, second = config_maps("a"), config_maps("b")
    objects = None
    start_version = c.version
    saved_bytes = []
    for i in range(2000):
        result = c.run("kubectl apply -f -", stdin=first if i % 2 else second)
        assert result.ok, result.output
        c.advance(0.5)
        if i % 50 == 0:  # the live host saves after commands; the stored deltas stay within the base's size
            c.saving.save_text(c)
            saved_bytes.append((c.saving.delta_bytes, c.saving.base_bytes))
        if i == 1:
            objects = len(c.store.objects)
    assert len(c.store.objects) == objects  # the same 50 objects, rewritten
    assert len(c._log) <= LOG_MAX
    assert len(c.events) <= EVENT_RING
    assert len(c.trace) <= TRACE_MAX
    assert len(c.once) <= 2001
    assert len(c.clock._heap) < 50 and len(c.clock._due) < 50
    assert len(c.store.dirty) <= DIRTY_MAX
    assert all(len(m.touched) <= TOUCHED_MAX for m in c.runtime.sandbox_maps().values())
    assert all(delta <= base for delta, base in saved_bytes)
    for cm in c.store.list("ConfigMap", "default"):
        assert len(json.dumps(cm)) < 1000  # no per-apply history (managedFields, annotations) piles up
    # A viewer that fell behind the change-log window re-lists (a fresh snapshot), as after 410 Gone.
    assert c.version - start_version > LOG_MAX
    assert c.diff_since(start_version) is None
    assert c.diff_since(c.version) is not None
    # The whole state did not grow either: it is the 50 ConfigMaps, the bounded rings and the cluster itself.
    assert len(json.dumps(c.to_dict())) < 400_000
