"""Group commit (visualizer.host.ClusterHost.execute): commands that arrive while a save is being written are
applied, then share the next save; each reply still goes out only after a save that covers its state.

With a save that takes 50 ms, ten commands sent at once cost two saves instead of ten; each reply finds its
command in what was persisted (checked the moment the reply arrives, and read back from the database); a
failed save fails the commands it covered, and the next save is a whole base that persists them.
"""

import asyncio
import json
import threading
import time

import pytest
from channels.db import database_sync_to_async

from visualizer import records
from visualizer.host import ClusterHost
from visualizer.models import ClusterRecord

pytestmark = pytest.mark.django_db(transaction=True)

SAVE_SECONDS = 0.05


class SlowSaves:
    """records.save taking SAVE_SECONDS more; notes the ConfigMaps each written save persisted (in the saver
    thread, before the save's future resolves) and can fail chosen saves."""

    def __init__(self, fail: set[int] = frozenset()):
        self.real = records.save
        self.fail = fail
        self.calls = 0
        self.kinds: list[str] = []
        self.persisted: set[str] = set()
        self.lock = threading.Lock()

    def __call__(self, public_id: str, fields: dict, owner: str) -> bool:
        time.sleep(SAVE_SECONDS)
        with self.lock:
            self.calls += 1
            call = self.calls
        self.kinds.append("base" if "state" in fields else "delta")
        if call in self.fail:
            raise RuntimeError("database is locked")
        written = self.real(public_id, fields, owner)
        state = records.load(public_id).state_dict
        self.persisted = {
            o["metadata"]["name"] for o in state["store"]["objects"] if o.get("kind") == "ConfigMap"
        }
        return written


def command(host: ClusterHost, public_id: str, i: int):
    hosted = host.clusters[public_id]
    return host.execute(
        hosted, "command", {"id": i, "text": f"kubectl create configmap cm-{i}", "stdin": None}
    )


async def owned(host: ClusterHost) -> str:
    record = await database_sync_to_async(ClusterRecord.objects.create)(owner_key="visitor:gc")
    await host.drive(record.public_id, "control", {"action": "pause", "value": None})
    assert host.clusters[record.public_id].live is not None
    return record.public_id


def run(scenario):
    async def main():
        host = ClusterHost()
        try:
            return await scenario(host)
        finally:
            await host.shutdown()

    return asyncio.run(main())


def test_commands_arriving_during_a_save_share_the_next_one(monkeypatch):
    saves = SlowSaves()
    monkeypatch.setattr(records, "save", saves)
    seen: dict[int, set[str]] = {}

    async def scenario(host):
        public_id = await owned(host)
        saves.calls = 0

        async def one(i: int):
            await asyncio.sleep(0.001 * i)
            reply = await command(host, public_id, i)
            seen[i] = set(saves.persisted)  # at once: what was persisted when the reply arrived
            assert json.loads(reply[0])["ok"], reply
            stored = await database_sync_to_async(lambda: records.load(public_id).state_dict)()
            assert f"cm-{i}" in {o["metadata"]["name"] for o in stored["store"]["objects"]}

        await asyncio.gather(*(one(i) for i in range(10)))
        return saves.calls

    calls = run(scenario)
    assert all(f"cm-{i}" in persisted for i, persisted in seen.items()) and len(seen) == 10
    assert calls <= 3  # the first command's save, then one (or two) for the nine that came during it


def test_a_failed_save_fails_the_commands_it_covered_and_the_next_save_is_a_base(monkeypatch):
    saves = SlowSaves()
    monkeypatch.setattr(records, "save", saves)

    async def scenario(host):
        public_id = await owned(host)
        saves.calls, saves.kinds = 0, []
        saves.fail = {2}
        first = asyncio.create_task(command(host, public_id, 0))
        await asyncio.sleep(0.01)  # the first save is being written: these three wait for the next
        rest = [asyncio.create_task(command(host, public_id, i)) for i in (1, 2, 3)]
        results = await asyncio.gather(first, *rest, return_exceptions=True)
        after = await command(host, public_id, 4)
        return results, after

    results, after = run(scenario)
    assert json.loads(results[0][0])["ok"]
    assert all(isinstance(r, RuntimeError) for r in results[1:]), results
    assert saves.kinds[:3] == ["delta", "delta", "base"]  # the failed batch's save, then a whole base
    assert json.loads(after[0])["ok"]
    assert {f"cm-{i}" for i in range(5)} <= saves.persisted  # the base persisted what the failure did not


def broadcast_frames(host: ClusterHost) -> list[dict]:
    """Record every frame the host fans out to its viewers (parsed), in order."""
    frames: list[dict] = []
    real = host.fan_out

    async def recording(hosted, texts):
        frames.extend(json.loads(t) for t in texts if t.startswith("{"))
        await real(hosted, texts)

    host.fan_out = recording
    return frames


def test_a_batch_of_commands_goes_out_as_one_diff(monkeypatch):
    """Ten commands sent at once are broadcast as one diff (or two or three: they may straddle a save), not
    ten back to back; the diffs chain and end at the cluster's version."""
    monkeypatch.setattr(records, "save", SlowSaves())

    async def scenario(host):
        public_id = await owned(host)
        frames = broadcast_frames(host)
        await asyncio.gather(*(command(host, public_id, i) for i in range(10)))
        return frames, host.clusters[public_id].live.engine.version

    frames, version = run(scenario)
    diffs = [f for f in frames if f["type"] == "diff"]
    assert 1 <= len(diffs) <= 3, [(d["from"], d["to"]) for d in diffs]
    assert all(b["from"] == a["to"] for a, b in zip(diffs, diffs[1:], strict=False))
    assert diffs[-1]["to"] == version


def test_a_request_between_commands_of_a_batch_sees_their_diff_first(monkeypatch):
    """A control request queued between two commands of one batch is broadcast after the first command's
    diff and before the second's: viewers see the changes in the order they were made."""
    monkeypatch.setattr(records, "save", SlowSaves())

    async def scenario(host):
        public_id = await owned(host)
        hosted = host.clusters[public_id]
        frames = broadcast_frames(host)
        first = asyncio.create_task(command(host, public_id, 0))
        await asyncio.sleep(0.01)  # the first save is being written: the next three wait for one batch
        rest = [
            asyncio.create_task(command(host, public_id, 1)),
            asyncio.create_task(host.execute(hosted, "control", {"action": "speed", "value": 2})),
            asyncio.create_task(command(host, public_id, 2)),
        ]
        await asyncio.gather(first, *rest)
        return frames

    frames = run(scenario)
    kinds = [f["type"] for f in frames]
    assert kinds == ["diff", "diff", "clock", "diff"], kinds
