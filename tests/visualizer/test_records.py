"""Saving a live cluster as a base plus deltas (records.save, ClusterRecord.state_dict), on SQLite and, with
DATABASE_URL set, PostgreSQL.

A save after a one-pod change stores one small ClusterDelta row whatever the cluster's size; loading is the
base plus the deltas in order and equals `to_dict()`; a new base drops the deltas before it (compaction);
a process that lost the lease writes nothing; a crash after an acknowledged save loses nothing.
"""

import json

import pytest

from visualizer import records
from visualizer.live_cluster import LiveCluster, restore_engine
from visualizer.models import ClusterDelta, ClusterRecord

pytestmark = pytest.mark.django_db

OWNER = "process-a"


def hosted(pods: int = 3) -> tuple[ClusterRecord, LiveCluster]:
    record = ClusterRecord.objects.create(owner_key=f"visitor:{pods}", lease_owner=OWNER)
    live = LiveCluster(record.public_id, restore_engine(None))
    if pods:
        result = live.engine.run(f"kubectl create deployment web --image=nginx:1.21 --replicas={pods}")
        assert result.ok, result.output
        live.engine.advance(30)
    return record, live


def save(record: ClusterRecord, live: LiveCluster, owner: str = OWNER) -> bool:
    return records.save(record.public_id, live.record_fields(), owner)


def loaded(record: ClusterRecord) -> dict:
    return records.load(record.public_id).state_dict


def test_the_first_save_is_a_base_and_later_ones_are_deltas():
    record, live = hosted()
    assert save(record, live)
    assert json.loads(ClusterRecord.objects.get(pk=record.pk).state) == live.engine.to_dict()
    assert not ClusterDelta.objects.filter(record=record).exists()
    assert live.engine.run("kubectl scale deployment web --replicas=4").ok
    assert save(record, live)
    live.engine.advance(10)
    assert save(record, live)
    assert ClusterDelta.objects.filter(record=record).count() == 2
    assert loaded(record) == live.engine.to_dict()
    assert json.dumps(loaded(record)) == json.dumps(live.engine.to_dict())


def one_pod_delta(pods: int) -> tuple[int, int]:
    """Returns (bytes of the delta stored after deleting one pod, bytes of the base) at `pods` pods."""
    record, live = hosted(pods)
    assert save(record, live)
    base = len(ClusterRecord.objects.get(pk=record.pk).state)
    pod = live.engine.store.list("Pod", "default")[0]["metadata"]["name"]
    assert live.engine.run(f"kubectl delete pod {pod}").ok
    assert save(record, live)
    payload = ClusterDelta.objects.get(record=record).payload
    assert ClusterRecord.objects.get(pk=record.pk).delta_bytes == len(payload)
    return len(payload), base


def test_a_one_pod_change_writes_a_small_delta_whatever_the_size():
    small, _ = one_pod_delta(10)
    large, base = one_pod_delta(100)
    # The pod, its ReplicaSet, Deployment and Endpoints, one sandbox, the command's events and trace, the RNG
    # state: ~25 KB at 10 pods and about the same at 100 (the Endpoints object lists every address), against
    # a base of ~1.2 MB.
    assert large < base / 10
    assert large < small * 1.5


def test_a_new_base_compacts_the_deltas_in_the_same_save():
    record, live = hosted()
    assert save(record, live)
    for replicas in (4, 5, 6):
        assert live.engine.run(f"kubectl scale deployment web --replicas={replicas}").ok
        assert save(record, live)
    assert ClusterDelta.objects.filter(record=record).count() == 3
    live.engine.saving.invalidate()  # as when the deltas outweigh the base
    assert save(record, live)
    stored = ClusterRecord.objects.get(pk=record.pk)
    assert not ClusterDelta.objects.filter(record=record).exists() and stored.delta_bytes == 0
    assert json.loads(stored.state) == live.engine.to_dict()


def test_deltas_outweighing_the_base_are_compacted_automatically():
    record, live = hosted(1)
    assert save(record, live)
    for i in range(120):
        assert live.engine.run(f"kubectl scale deployment web --replicas={1 + i % 4}").ok
        live.engine.advance(3)
        assert save(record, live)
        stored = ClusterRecord.objects.get(pk=record.pk)
        assert stored.delta_bytes <= len(stored.state)
    assert loaded(record) == live.engine.to_dict()


def test_a_process_that_lost_the_lease_writes_nothing():
    record, live = hosted()
    assert save(record, live)
    before = ClusterRecord.objects.get(pk=record.pk)
    assert records.release_lease(record.public_id, OWNER) is None
    assert records.acquire_lease(record.public_id, "process-b", ttl=30)
    assert live.engine.run("kubectl scale deployment web --replicas=5").ok
    assert not save(record, live)  # a delta
    live.engine.saving.invalidate()
    assert not save(record, live)  # a base
    after = ClusterRecord.objects.get(pk=record.pk)
    assert after.state == before.state and after.version == before.version
    assert not ClusterDelta.objects.filter(record=record).exists()


def test_a_crash_after_an_acknowledged_save_loses_nothing():
    record, live = hosted()
    assert save(record, live)
    assert live.engine.run("kubectl scale deployment web --replicas=5").ok
    assert save(record, live)  # acknowledged: the reply goes out after this
    acknowledged = live.engine.to_dict()
    assert live.engine.run("kubectl scale deployment web --replicas=1").ok  # never saved: the process dies
    resumed = restore_engine(loaded(record))
    assert resumed.to_dict() == acknowledged
    assert len(resumed.store.pods_matching("default", {"app": "web"})) == 5


@pytest.mark.django_db(transaction=True)
def test_a_process_takes_over_a_saved_cluster_from_within_its_event_loop(monkeypatch):
    """The host loads base + deltas off the event loop's thread: `state_dict` queries the deltas, and Django
    refuses a query from async code (SynchronousOnlyOperation closed every socket of a saved cluster)."""
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE")  # tests/conftest.py allows it for Playwright; Daphne not
    import asyncio

    from visualizer.host import ClusterHost

    record, live = hosted(3)
    assert save(record, live)
    live.engine.run("kubectl scale deployment web --replicas=4")
    assert save(record, live)
    assert ClusterDelta.objects.filter(record=record).count() == 1
    ClusterRecord.objects.filter(pk=record.pk).update(lease_owner="", lease_expires=None)

    async def take_over():
        host = ClusterHost()
        frames: list[dict] = []

        async def send(message):
            frames.append(json.loads(message["text"]))

        try:
            await host.attach(record.public_id, "view", send)
            return host.clusters[record.public_id].live.engine.to_dict(), frames
        finally:
            await host.shutdown()

    state, frames = asyncio.run(take_over())
    assert state == live.engine.to_dict()
    assert frames[0]["type"] == "snapshot"
