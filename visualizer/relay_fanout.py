"""The owner's side of the frame relay: each batch of a cluster's frames to every following process in ONE Redis call.

channels_redis's `group_send` costs the sender four awaited round trips per message (expire the group, read it,
expire each channel's old messages, then the Lua script that adds the message). An owner sends every frame it
produces that way, on the path of the command that made it (issue 12 §4). Here the owner keeps the list of the
follower channels of a cluster's viewers group (reread every REFRESH_SECONDS, and at once when a follower says
it watches, `Relay._dispatch`), and a task of its own sends what was queued with one script doing what
`group_send`'s does for those channels, also dropping expired messages (channels_redis 4.3, `core.py`). When
no other process follows, nothing is sent at all.

The message format, the channel keys and the capacities are channels_redis's own, built by its private helper
`_map_channel_keys_to_connection`; `supports` checks the version this was written against (4.3) and the helpers,
and `visualizer.relay` falls back to `group_send` otherwise.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

# How long a cluster's list of follower channels is trusted before it is read again (seconds). A follower that
# joins also tells the owner (`vz.watching`), which rereads at once; this bounds how long one that left still
# gets frames (they expire unread in its channel, as with `group_send`).
REFRESH_SECONDS = 2.0

# The channels_redis release whose private helpers and message layout this module relies on.
SUPPORTED_VERSION = "4.3."

# Per channel key: drop expired messages, add the message unless the channel is full, renew the key's expiry.
# KEYS: channel keys; ARGV: their messages, their capacities, then now (s) and expiry (s). Returns how many
# channels were full. `group_send`'s script (channels_redis 4.3 core.py) plus its ZREMRANGEBYSCORE pipeline.
SEND_LUA = """
local n = #KEYS
local now = tonumber(ARGV[2 * n + 1])
local expiry = tonumber(ARGV[2 * n + 2])
local full = 0
for i = 1, n do
    redis.call('ZREMRANGEBYSCORE', KEYS[i], 0, math.floor(now) - expiry)
    if redis.call('ZCOUNT', KEYS[i], '-inf', '+inf') < tonumber(ARGV[n + i]) then
        redis.call('ZADD', KEYS[i], now, ARGV[i])
        redis.call('EXPIRE', KEYS[i], expiry)
    else
        full = full + 1
    end
end
return full
"""


def supports(layer) -> bool:
    """True when `layer` is the channels_redis layer this module was written against (4.3) with its helpers."""
    try:
        import channels_redis
        from channels_redis.core import RedisChannelLayer
    except ImportError:
        return False
    return (
        isinstance(layer, RedisChannelLayer)
        and getattr(channels_redis, "__version__", "").startswith(SUPPORTED_VERSION)
        and all(
            hasattr(layer, name)
            for name in ("_map_channel_keys_to_connection", "_group_key", "connection", "consistent_hash")
        )
    )


class FollowerFanout:
    """Sends a cluster's frames to the other processes in its viewers group, batched, in order, off the caller.

    `own_channel` is awaited for this process's relay channel (left out of the list); `group_of` names a
    cluster's viewers group.
    """

    def __init__(
        self,
        layer,
        own_channel: Callable[[], Awaitable[str]],
        group_of: Callable[[str], str],
        refresh_seconds: float = REFRESH_SECONDS,
    ):
        self.layer = layer
        self.own_channel = own_channel
        self.group_of = group_of
        self.refresh_seconds = refresh_seconds
        # cluster -> (follower channels, monotonic time they were read)
        self.followers: dict[str, tuple[list[str], float]] = {}
        self._queue: deque[tuple[str, dict]] = deque()
        self._wake = asyncio.Event()
        self._worker: asyncio.Task | None = None
        self._script = None
        self.calls = 0  # Redis calls that carried frames (for tests and benchmarks)
        # Messages queued and messages handled (sent, or lost with a failed call) so far, and who waits for
        # the handled count to reach a number (`sent`).
        self._queued = 0
        self._handled = 0
        self._waiters: list[tuple[int, asyncio.Future]] = []

    # ------------------------------------------------------------------ the follower list
    def nobody_follows(self, public_id: str, now: float) -> bool:
        """True when the cluster's list is fresh and names no other process: then a frame costs no Redis."""
        known = self.followers.get(public_id)
        return known is not None and not known[0] and now - known[1] < self.refresh_seconds

    async def refresh(self, public_id: str) -> list[str]:
        """Read the cluster's viewers group (members added within channels_redis's group expiry), without
        this process's channel; one round trip."""
        layer = self.layer
        group = self.group_of(public_id)
        connection = layer.connection(layer.consistent_hash(group))
        members = await connection.zrangebyscore(
            layer._group_key(group), int(time.time()) - layer.group_expiry, "+inf"
        )
        own = await self.own_channel()
        channels = [m.decode("utf8") for m in members if m.decode("utf8") != own]
        self.followers[public_id] = (channels, time.monotonic())
        return channels

    # ------------------------------------------------------------------ sending
    def publish(self, public_id: str, message: dict) -> None:
        """Queue a `vz.frames` message for the cluster's followers; returns at once (the worker sends it)."""
        if self.nobody_follows(public_id, time.monotonic()):
            return
        self._queue.append((public_id, message))
        self._queued += 1
        self._wake.set()
        if self._worker is None or self._worker.done():
            self._worker = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._queue:
                batch = list(self._queue)
                self._queue.clear()
                try:
                    await self._send(batch)
                except asyncio.CancelledError:
                    raise
                except Exception:  # noqa: BLE001 - a Redis hiccup loses these frames (followers resync), not the relay
                    log.exception("relaying %d frames failed", len(batch))
                self._handled += len(batch)
                self._release_waiters()

    async def sent(self) -> None:
        """Return once every message queued so far has been sent (or lost with a failed call).

        The owner's reply to another process's request goes after this: the frames its command broadcast then
        reach that process before the reply, as they did when `group_send` was awaited in the broadcast.
        """
        target = self._queued
        if self._handled >= target:
            return
        future = asyncio.get_running_loop().create_future()
        self._waiters.append((target, future))
        await future

    def _release_waiters(self) -> None:
        waiting = []
        for target, future in self._waiters:
            if self._handled >= target:
                if not future.done():
                    future.set_result(None)
            else:
                waiting.append((target, future))
        self._waiters = waiting

    async def _send(self, batch: list[tuple[str, dict]]) -> None:
        """Send queued messages: one per cluster (its frames joined in order), one script call per Redis host."""
        merged: dict[str, dict] = {}
        for public_id, message in batch:
            if public_id in merged:
                merged[public_id]["texts"] = merged[public_id]["texts"] + message["texts"]
            else:
                merged[public_id] = dict(message)
        now = time.monotonic()
        per_connection: dict[int, tuple[list, list, list]] = {}
        for public_id, message in merged.items():
            known = self.followers.get(public_id)
            channels = known[0] if known is not None and now - known[1] < self.refresh_seconds else None
            if channels is None:
                channels = await self.refresh(public_id)
            if not channels:
                continue
            by_connection, messages, capacities = self.layer._map_channel_keys_to_connection(
                channels, message
            )
            for index, keys in by_connection.items():
                k, m, c = per_connection.setdefault(index, ([], [], []))
                k.extend(keys)
                m.extend(messages[key] for key in keys)
                c.extend(capacities[key] for key in keys)
        for index, (keys, messages, capacities) in per_connection.items():
            connection = self.layer.connection(index)
            if self._script is None:
                self._script = connection.register_script(SEND_LUA)
            self.calls += 1
            full = await self._script(
                keys=keys, args=[*messages, *capacities, time.time(), self.layer.expiry], client=connection
            )
            if full:
                log.info("%d of %d follower channels full", full, len(keys))
