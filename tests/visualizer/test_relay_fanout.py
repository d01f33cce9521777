"""The owner's frame relay against real Redis: one call per batch, channels_redis's own message format, in
order, nothing sent when nobody follows, and a follower that says it watches gets the next frame.

Skipped, with the reason, when REDIS_URL is unset (CI sets it).
"""

import asyncio
import os
import secrets
from types import SimpleNamespace

import pytest
from channels.layers import InMemoryChannelLayer

from visualizer import relay_fanout
from visualizer.relay import Relay, viewers_group
from visualizer.relay_fanout import FollowerFanout, supports

pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set: the relay fan-out is tested against Redis"
)


@pytest.fixture
async def layers():
    """Two processes' channel layers (each its own client prefix) on the test Redis, under a fresh prefix."""
    from channels_redis.core import RedisChannelLayer

    prefix = f"test-fanout-{secrets.token_hex(4)}"
    made = [RedisChannelLayer(hosts=[os.environ["REDIS_URL"]], prefix=prefix) for _ in range(2)]
    yield made
    await made[0].flush()
    for layer in made:
        await layer.close_pools()


def frames(texts: list[str], cluster: str = "c1") -> dict:
    return {"type": "vz.frames", "cluster": cluster, "texts": texts, "origin": "owner"}


async def owner_fanout(layer) -> FollowerFanout:
    own = await layer.new_channel()

    async def own_channel() -> str:
        return own

    return FollowerFanout(layer, own_channel, viewers_group)


async def test_queued_frames_reach_each_follower_in_order_with_one_call(layers):
    owner_layer, follower_layer = layers
    fanout = await owner_fanout(owner_layer)
    channels = [await follower_layer.new_channel() for _ in range(2)]
    for channel in channels:
        await follower_layer.group_add(viewers_group("c1"), channel)
    await follower_layer.group_add(viewers_group("c2"), channels[0])
    fanout.publish("c1", frames(["a"]))
    fanout.publish("c2", frames(["x"], "c2"))
    fanout.publish("c1", frames(["b", "c"]))
    # In order per cluster (one cluster's queued frames travel as one message); clusters in any order.
    both = [await asyncio.wait_for(follower_layer.receive(channels[0]), 5) for _ in range(2)]
    assert sorted((m["cluster"], m["texts"]) for m in both) == [("c1", ["a", "b", "c"]), ("c2", ["x"])]
    assert (await asyncio.wait_for(follower_layer.receive(channels[1]), 5))["texts"] == ["a", "b", "c"]
    assert fanout.calls == 1  # both clusters, both channels: one script call
    fanout.publish("c1", frames(["d"]))
    assert (await asyncio.wait_for(follower_layer.receive(channels[1]), 5))["texts"] == ["d"]
    fanout._worker.cancel()


async def test_nothing_is_sent_when_no_other_process_follows(layers):
    owner_layer, _ = layers
    fanout = await owner_fanout(owner_layer)
    await owner_layer.group_add(viewers_group("c1"), await fanout.own_channel())  # only this process
    assert await fanout.refresh("c1") == []

    def no_redis(index):
        raise AssertionError("Redis used although nobody follows")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(owner_layer, "connection", no_redis)
        for n in range(5):
            fanout.publish("c1", frames([str(n)]))
    assert fanout._worker is None and not fanout._queue and fanout.calls == 0


async def test_a_follower_that_says_it_watches_gets_the_next_frame(layers):
    """The owner's list was read (nobody) a moment ago; a follower joins and sends `vz.watching`: the owner
    rereads before its next message, so the frames after the follower's snapshot request reach it."""
    owner_layer, follower_layer = layers
    hosted = SimpleNamespace(live=object(), remote={})
    host = SimpleNamespace(clusters={"c1": hosted}, housekeeping_interval=5.0)
    relay = Relay(owner_layer, host)
    relay.start()
    await relay._channel()
    assert relay.fanout is not None and await relay.fanout.refresh("c1") == []
    follower = await follower_layer.new_channel()
    await follower_layer.group_add(viewers_group("c1"), follower)
    await relay._dispatch({"type": "vz.watching", "cluster": "c1", "process": follower, "count": 3})
    await relay.publish("c1", ["diff"])
    got = await asyncio.wait_for(follower_layer.receive(follower), 5)
    assert got["texts"] == ["diff"] and got["origin"] == relay.channel
    relay._reader.cancel()
    relay.fanout._worker.cancel()


async def test_only_the_channels_redis_release_it_was_written_for_is_used(layers, monkeypatch):
    import channels_redis

    assert supports(layers[0])
    assert not supports(InMemoryChannelLayer())
    monkeypatch.setattr(channels_redis, "__version__", "4.4.0")
    assert not supports(layers[0])
    assert Relay(layers[0], SimpleNamespace()).fanout is None  # falls back to group_send
    assert relay_fanout.SUPPORTED_VERSION == "4.3."


async def test_a_reply_to_another_process_follows_the_frames_its_request_made(layers):
    """The owner's relay of frames is not awaited in the broadcast any more; its reply to a follower's request
    waits for them, so the follower gets the command's diff before its `result` (as with `group_send`)."""
    owner_layer, follower_layer = layers
    follower = await follower_layer.new_channel()
    await follower_layer.group_add(viewers_group("c1"), follower)
    relay: Relay

    async def execute(hosted, kind, fields):
        await relay.publish("c1", ["diff"])
        return ["result"]

    host = SimpleNamespace(clusters={"c1": SimpleNamespace(live=object())}, execute=execute)
    relay = Relay(owner_layer, host)
    relay.start()
    await relay._channel()
    held = asyncio.Event()
    original = relay.fanout._send

    async def slow_send(batch):  # Redis slower than the reply's own round trips
        await held.wait()
        await original(batch)

    relay.fanout._send = slow_send
    request = {"type": "vz.rpc", "cluster": "c1", "kind": "command", "fields": {}, "role": "control"}
    answering = asyncio.create_task(relay._answer({**request, "reply_to": follower, "req": "r1"}))
    await asyncio.sleep(0.3)
    assert not answering.done()  # the reply waits for the frames
    held.set()
    first = await asyncio.wait_for(follower_layer.receive(follower), 5)
    second = await asyncio.wait_for(follower_layer.receive(follower), 5)
    assert (first["type"], first["texts"]) == ("vz.frames", ["diff"])
    assert (second["type"], second["texts"]) == ("vz.reply", ["result"])
    await answering
    relay._reader.cancel()
    relay.fanout._worker.cancel()
