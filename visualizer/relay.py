"""Carries a cluster's frames and requests between Daphne processes over the channel layer.

Each process listens on one channel of its own. It joins `vz.<cluster>` for every cluster its viewers
watch, so the owner's frames cross the layer once per process rather than once per viewer, and joins
`vzo.<cluster>` for every cluster it owns, so other processes can forward commands to it. The owner sends
frames to the members of `vz.<cluster>` with one Redis call per batch from a task of its own
(visualizer.relay_fanout), and none when no other process follows; other layers use `group_send`.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time

from visualizer import protocol
from visualizer.live_cluster import SNAPSHOT
from visualizer.relay_fanout import FollowerFanout, supports

log = logging.getLogger(__name__)


def viewers_group(public_id: str) -> str:
    return f"vz.{public_id}"


def owner_group(public_id: str) -> str:
    return f"vzo.{public_id}"


class Relay:
    def __init__(self, layer, host):
        self.layer = layer
        self.host = host
        self.channel: str | None = None
        self._ready = asyncio.Event()
        self._reader: asyncio.Task | None = None
        self._pending: dict[str, asyncio.Future] = {}
        self.fanout = FollowerFanout(layer, self._channel, viewers_group) if supports(layer) else None

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
            if message.get("origin") == self.channel:
                return
            hosted = self.host.clusters.get(message["cluster"])
            if hosted is None or hosted.live is not None:
                return
            # In arrival order, before anything awaits: a viewer joining a shared snapshot request needs them.
            hosted.shares.relayed(message["texts"], SNAPSHOT)
            if SNAPSHOT in message["texts"]:
                # Building per-role snapshots needs a round trip through this very reader: do it aside.
                asyncio.get_running_loop().create_task(self.host.fan_out(hosted, message["texts"]))
            else:
                await self.host.fan_out(hosted, message["texts"])
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
                if self.fanout is not None:
                    # Before this reader takes the next message: a follower joins its group, then says it
                    # watches, then asks for a snapshot, so the frames after that snapshot reach it.
                    await self.fanout.refresh(message["cluster"])

    async def _answer(self, message: dict) -> None:
        hosted = self.host.clusters.get(message["cluster"])
        if hosted is None or hosted.live is None:
            return  # not the owner (any more): the caller times out and may take over
        if message["kind"] == "resync":
            texts = await self.host._snapshot_for(hosted, message["role"])  # shared while the state holds
        else:
            texts = await self.host.execute(hosted, message["kind"], message["fields"])
        if self.fanout is not None:
            await self.fanout.sent()  # the frames the request made go ahead of its reply
        await self.layer.send(
            message["reply_to"], {"type": "vz.reply", "req": message["req"], "texts": texts}
        )

    # ------------------------------------------------------------------ membership
    async def follow(self, public_id: str) -> None:
        await self.layer.group_add(viewers_group(public_id), await self._channel())

    async def unfollow(self, public_id: str) -> None:
        await self.layer.group_discard(viewers_group(public_id), await self._channel())

    async def own(self, public_id: str) -> None:
        log.debug("relay %s owns %s", self.channel, public_id)
        await self.layer.group_add(owner_group(public_id), await self._channel())

    async def disown(self, public_id: str) -> None:
        await self.layer.group_discard(owner_group(public_id), await self._channel())

    # ------------------------------------------------------------------ traffic
    async def publish(self, public_id: str, texts: list[str]) -> None:
        """Send a cluster's broadcast frames to the other processes whose viewers watch it.

        With channels_redis 4.3 this queues them and returns without awaiting Redis (relay_fanout sends them
        in order); otherwise through the layer's `group_send`.
        """
        message = {"type": "vz.frames", "cluster": public_id, "texts": texts, "origin": await self._channel()}
        if self.fanout is not None:
            self.fanout.publish(public_id, message)
        else:
            await self.layer.group_send(viewers_group(public_id), message)

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
