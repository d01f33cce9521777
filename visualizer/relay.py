"""Carries a cluster's frames and requests between Daphne processes.

Requests (commands forwarded to the owner, snapshot requests, "I watch") go over the channel layer: each
process listens on one channel of its own and joins `vzo.<cluster>` for every cluster it owns.

Frames go over Redis publish/subscribe when the layer is `channels_redis`'s RedisChannelLayer (anything else:
through the layer group `vz.<cluster>`, as before). A frame crosses once per process, never per viewer, and
costs the owner one PUBLISH, pipelined with the frames queued behind it, sent by a task of its own so the
owner's clock and fan-out never wait for Redis; the follower gets it pushed on one subscriber connection
without asking. Through the layer a frame cost the owner four round trips (channels_redis `group_send`:
ZREMRANGEBYSCORE, ZRANGE, a MULTI pipeline and an EVAL carrying its Lua script) and the follower a BZPOPMIN
and a backup-queue clean-up; profiled with two processes sharing a class, that was a tenth of the owner's
event loop and more than a tenth of the follower's (bench/RESULTS.md, scale-out).

Publish/subscribe delivers at most once: a frame lost while the subscriber reconnects, or dropped from a full
outbox (OUTBOX_FRAMES), is a gap, which the viewer sees (`from` is not the version it holds) and answers with
`resync`, as docs/protocol.md says. Order is kept: one publisher task, one subscriber connection. Frames and
the owner's snapshot replies travel separate paths, so either may come first; the snapshot's version decides
(a diff from before it is dropped, ClusterHost._fan_out_frame, and one after it waits in the share's tail,
visualizer.snapshot_share).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections import deque

import msgpack

from visualizer import protocol
from visualizer.live_cluster import SNAPSHOT

log = logging.getLogger(__name__)

# Frame messages waiting for Redis before the oldest are dropped (a minute of a 10 frames/s class while Redis is
# away; the followers' viewers resync on the gap).
OUTBOX_FRAMES = 600
# Frame messages sent in one pipelined round trip at most.
PUBLISH_BATCH = 64
# How long `follow` waits for Redis to confirm a subscription (seconds).
SUBSCRIBE_TIMEOUT = 5.0


def viewers_group(public_id: str) -> str:
    return f"vz.{public_id}"


def owner_group(public_id: str) -> str:
    return f"vzo.{public_id}"


def frames_channel(layer, public_id: str) -> str:
    """The Redis publish/subscribe channel of a cluster's frames. Channels are not per database in Redis:
    the layer's prefix and database number keep two deployments on one server apart."""
    pool = layer.connection(0).connection_pool
    return f"{layer.prefix}:{pool.connection_kwargs.get('db', 0)}:vzf.{public_id}"


class Relay:
    def __init__(self, layer, host):
        self.layer = layer
        self.host = host
        self.channel: str | None = None
        self._ready = asyncio.Event()
        self._reader: asyncio.Task | None = None
        self._pending: dict[str, asyncio.Future] = {}
        # Frames over Redis publish/subscribe when the layer is channels_redis's core layer (module doc).
        self.pubsub_frames = callable(getattr(layer, "connection", None)) and hasattr(layer, "prefix")
        self.origin = secrets.token_hex(6)
        self._outbox: deque[tuple[str, bytes]] = deque(maxlen=OUTBOX_FRAMES)
        self._outbox_ready: asyncio.Event | None = None
        self._publisher: asyncio.Task | None = None
        self._pubsub = None
        self._subscriber: asyncio.Task | None = None
        self._subscribing: dict[str, asyncio.Future] = {}
        self._channels: dict[str, str] = {}  # Redis channel -> cluster public id, while subscribed
        self._names: dict[str, str] = {}  # cluster public id -> its Redis channel
        self.dropped = 0  # frame messages dropped from a full outbox

    def start(self) -> None:
        if self._reader is None or self._reader.done():
            self._reader = asyncio.get_running_loop().create_task(self._read_forever())

    async def _channel(self) -> str:
        self.start()
        await self._ready.wait()
        return self.channel  # type: ignore[return-value]

    async def _read_forever(self) -> None:
        # The default prefix on purpose: channels_redis reads all of a process's "specific." channels with one
        # blocking pop, so a channel with another prefix would wait behind the consumers' pop (seconds).
        self.channel = await self.layer.new_channel()
        self._ready.set()
        while True:
            try:
                message = await self.layer.receive(self.channel)
                await self._dispatch(message)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - keep relaying whatever one message did
                log.exception("relay message failed")
                await asyncio.sleep(0.1)

    async def _dispatch(self, message: dict) -> None:
        kind = message.get("type")
        log.debug("relay %s got %s for %s", self.channel, kind, message.get("cluster"))
        if kind == "vz.frames":
            await self._frames(message["cluster"], message["texts"], message.get("origin"))
        elif kind == "vz.reply":
            future = self._pending.get(message["req"])
            if future is not None and not future.done():
                future.set_result(message["texts"])
        elif kind == "vz.rpc":
            asyncio.get_running_loop().create_task(self._answer(message))
        elif kind == "vz.watching":
            hosted = self.host.clusters.get(message["cluster"])
            if hosted is not None and hosted.live is not None:
                expires = time.monotonic() + 3 * self.host.housekeeping_interval
                hosted.remote[message["process"]] = (message["count"], expires)

    async def _frames(self, public_id: str, texts: list[str], origin: str | None) -> None:
        """Hand frames the owner relayed to this process's viewers of the cluster."""
        if origin in (self.channel, self.origin):
            return
        hosted = self.host.clusters.get(public_id)
        if hosted is None or hosted.live is not None:
            return
        # In arrival order, before anything awaits: a viewer joining a shared snapshot request needs them.
        hosted.shares.relayed(texts, SNAPSHOT)
        if SNAPSHOT in texts:
            # Building per-role snapshots needs a round trip through the layer's reader: do it aside.
            asyncio.get_running_loop().create_task(self.host.fan_out(hosted, texts))
        else:
            await self.host.fan_out(hosted, texts)

    async def _answer(self, message: dict) -> None:
        hosted = self.host.clusters.get(message["cluster"])
        if hosted is None or hosted.live is None:
            return  # not the owner (any more): the caller times out and may take over
        if message["kind"] == "resync":
            texts = await self.host._snapshot_for(hosted, message["role"])  # shared while the state holds
        else:
            texts = await self.host.execute(hosted, message["kind"], message["fields"])
        await self.layer.send(
            message["reply_to"], {"type": "vz.reply", "req": message["req"], "texts": texts}
        )

    # ------------------------------------------------------------------ membership
    async def follow(self, public_id: str) -> None:
        """Receive the cluster's frames from now on (returns once Redis confirmed the subscription)."""
        if not self.pubsub_frames:
            await self.layer.group_add(viewers_group(public_id), await self._channel())
            return
        channel = self._frames_channel(public_id)
        if channel in self._channels:
            return
        self._channels[channel] = public_id
        confirmed = self._subscribing[channel] = asyncio.get_running_loop().create_future()
        if self._pubsub is None:
            self._pubsub = self.layer.connection(0).pubsub()
        try:
            await self._pubsub.subscribe(channel)
            if self._subscriber is None or self._subscriber.done():
                self._subscriber = asyncio.get_running_loop().create_task(self._subscribe_forever())
            await asyncio.wait_for(asyncio.shield(confirmed), SUBSCRIBE_TIMEOUT)
        except BaseException:
            self._channels.pop(channel, None)
            self._subscribing.pop(channel, None)
            raise

    async def unfollow(self, public_id: str) -> None:
        if not self.pubsub_frames:
            await self.layer.group_discard(viewers_group(public_id), await self._channel())
            return
        channel = self._frames_channel(public_id)
        if self._channels.pop(channel, None) is not None and self._pubsub is not None:
            await self._pubsub.unsubscribe(channel)

    def _frames_channel(self, public_id: str) -> str:
        name = self._names.get(public_id)
        if name is None:
            if len(self._names) > 10_000:  # bounded: names are cheap to make again
                self._names.clear()
            name = self._names[public_id] = frames_channel(self.layer, public_id)
        return name

    async def _subscribe_forever(self) -> None:
        """Read the subscriber connection: confirmations, and frames (in the order the owner published them)."""
        pubsub = self._pubsub
        while self._channels or self._subscribing:
            try:
                message = await pubsub.get_message(timeout=1.0)
                if message is None:
                    continue
                channel = message["channel"].decode()
                if message["type"] == "subscribe":
                    confirmed = self._subscribing.pop(channel, None)
                    if confirmed is not None and not confirmed.done():
                        confirmed.set_result(None)
                elif message["type"] == "message" and channel in self._channels:
                    origin, texts = msgpack.unpackb(message["data"])
                    await self._frames(self._channels[channel], texts, origin)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - redis-py reconnects and subscribes again on the next read
                log.exception("relay subscriber failed")
                await asyncio.sleep(0.1)

    async def own(self, public_id: str) -> None:
        log.debug("relay %s owns %s", self.channel, public_id)
        await self.layer.group_add(owner_group(public_id), await self._channel())

    async def disown(self, public_id: str) -> None:
        await self.layer.group_discard(owner_group(public_id), await self._channel())

    # ------------------------------------------------------------------ traffic
    async def publish(self, public_id: str, texts: list[str]) -> None:
        """Send frames to the other processes' viewers of the cluster: queued, in order (see the module doc)."""
        if not self.pubsub_frames:
            await self.layer.group_send(
                viewers_group(public_id),
                {"type": "vz.frames", "cluster": public_id, "texts": texts, "origin": await self._channel()},
            )
            return
        if len(self._outbox) == self._outbox.maxlen:
            self.dropped += 1
        self._outbox.append((self._frames_channel(public_id), msgpack.packb([self.origin, texts])))
        if self._publisher is None or self._publisher.done():
            self._outbox_ready = asyncio.Event()
            self._publisher = asyncio.get_running_loop().create_task(self._publish_forever())
        self._outbox_ready.set()

    async def _publish_forever(self) -> None:
        """Send what the outbox holds, up to PUBLISH_BATCH frame messages per pipelined round trip."""
        redis = self.layer.connection(0)
        while True:
            await self._outbox_ready.wait()
            self._outbox_ready.clear()
            while self._outbox:
                batch = [self._outbox.popleft() for _ in range(min(len(self._outbox), PUBLISH_BATCH))]
                try:
                    if len(batch) == 1:
                        await redis.publish(*batch[0])
                    else:
                        pipe = redis.pipeline(transaction=False)
                        for channel, data in batch:
                            pipe.publish(channel, data)
                        await pipe.execute()
                except asyncio.CancelledError:
                    raise
                except Exception:  # noqa: BLE001 - lost frames are gaps the viewers resync on
                    log.exception("relay could not publish %d frame messages", len(batch))
                    await asyncio.sleep(0.1)

    async def close(self) -> None:
        """Stop the relay's tasks and let go of its subscriber connection."""
        for task in (self._reader, self._publisher, self._subscriber):
            if task is not None:
                task.cancel()
        if self._pubsub is not None:
            pubsub, self._pubsub = self._pubsub, None
            self._channels.clear()
            try:
                await pubsub.aclose()
            except Exception:  # noqa: BLE001 - it may be gone with Redis
                log.debug("closing the relay's subscriber failed")

    async def watching(self, public_id: str, count: int) -> None:
        await self.layer.group_send(
            owner_group(public_id),
            {"type": "vz.watching", "cluster": public_id, "process": await self._channel(), "count": count},
        )

    async def call(self, public_id: str, kind: str, fields: dict, role: str) -> list[str]:
        """Ask the owning process to carry out a request; return its reply frames, or a `busy` error."""
        req = secrets.token_hex(8)
        log.debug("relay %s asks the owner of %s for %s", self.channel, public_id, kind)
        future = asyncio.get_running_loop().create_future()
        self._pending[req] = future
        try:
            await self.layer.group_send(
                owner_group(public_id),
                {
                    "type": "vz.rpc",
                    "cluster": public_id,
                    "kind": kind,
                    "fields": fields,
                    "role": role,
                    "reply_to": await self._channel(),
                    "req": req,
                },
            )
            return await asyncio.wait_for(future, self.host.rpc_timeout)
        except TimeoutError:
            return [
                protocol.error(
                    "busy",
                    "클러스터 담당 프로세스가 응답하지 않습니다. 잠시 후 다시 시도하세요.",
                    fields.get("id"),
                )
            ]
        finally:
            self._pending.pop(req, None)
