"""The cluster websocket: decode a frame, check the role and the rate, hand it to the host, send the reply.

Nothing a client sends closes the socket: a refused frame gets an `error` frame with a stable code, and a
failure while handling a good one gets `internal` (logged here, never shown). Rates are per identity
(visualizer.ratelimit), shared by every socket and the Kubernetes API face of one person. `resync` is
coalesced: at most one waits per connection, sent when the identity's snapshot budget allows. Answers that
cost the sender nothing (`error` for a refused frame, `pong`) have a budget too ("errors", "ping"): a client
sending 7-byte bad frames without reading would otherwise make the server buffer 100 bytes for each; over it,
the frame is still refused (or the ping ignored), silently.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from visualizer import protocol, records
from visualizer.host import get_host
from visualizer.identity import CONTROL, client_address, existing_owner_key, rate_key, role_for
from visualizer.ratelimit import limits
from visualizer.ws_transport import DaphneOutlet
from wsflow.daphne import watch_arrivals
from wsflow.inbox import InboxThrottle

log = logging.getLogger(__name__)

RATE_LIMITED = {"command", "control", "complete", "scenario.start", "scenario.stop"}
INTERNAL = "서버가 이 요청을 처리하지 못했습니다. 연결은 그대로이니 다시 시도하세요."


class ClusterConsumer(AsyncWebsocketConsumer):
    connection = None
    resync_later: asyncio.Task | None = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.inbox_throttle = InboxThrottle()

    async def connect(self) -> None:
        public_id = self.scope["url_route"]["kwargs"]["public_id"]
        record = await database_sync_to_async(records.load)(public_id)
        if record is None:
            await self.close(code=4404)
            return
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        user, session = self.scope.get("user"), self.scope.get("session")
        self.role = role_for(
            kind=record.kind,
            record_owner=record.owner_key,
            share_token=record.share_token,
            viewer_key=existing_owner_key(user, session),
            is_superuser=bool(getattr(user, "is_superuser", False)),
            offered_token=(query.get("share") or [None])[0],
        )
        if self.role is None:
            await self.close(code=4403)
            return
        address = client_address(
            self.scope.get("client"),
            self.scope.get("headers", []),
            trust_forwarded=getattr(settings, "TRUST_X_FORWARDED_FOR", False),
        )
        self.rate_key = rate_key(user, session, address)
        await self.accept()
        self.host = get_host()
        self.connection = await self.host.attach(public_id, self.role, self.send_text)
        # Paused as frames arrive (Twisted reads ahead of a consumer that is busy), resumed as they are handled.
        outlet = self.connection.outlet
        if isinstance(outlet, DaphneOutlet):
            watch_arrivals(outlet.protocol, self.inbox_throttle, outlet)

    async def dispatch(self, message: dict) -> None:
        """Hand a received frame straight to its handler; anything else (connect, disconnect) as Channels does.

        Channels' `AsyncConsumer.dispatch` first awaits `aclose_old_connections()` for every message: a
        `sync_to_async` hop to its thread pool and back, per frame. On a cluster's owner that hop was a
        per-command cost outside the command itself (issue 12 §4). A frame needs no Django connection of the
        event loop's: the database work it may lead to runs through `database_sync_to_async` (which closes
        old connections around each call itself) or the saver thread (visualizer.saver, which keeps its own).
        Connect and disconnect keep the hop: they are rare, and connect reads the database.
        """
        if message.get("type") == "websocket.receive":
            await self.websocket_receive(message)
            return
        await super().dispatch(message)

    async def send_text(self, text: str) -> None:
        """Send a frame to this socket: once attached, through the viewer's bounded buffer (visualizer.host,
        visualizer.viewer_buffer), so answers count against it as broadcasts do; before, straight out."""
        if self.connection is not None:
            await self.host.reply(None, self.connection, text)
        else:
            await self.base_send({"type": "websocket.send", "text": text})

    async def receive(self, text_data=None, bytes_data=None) -> None:
        if self.connection is None:
            return
        try:
            await self._receive(text_data if text_data is not None else bytes_data)
        except Exception:  # noqa: BLE001 - a frame must never close the socket and leave a ghost viewer behind
            log.exception("cluster frame failed on %s", self.connection.public_id)
            with contextlib.suppress(Exception):
                await self.send_text(protocol.error("internal", INTERNAL))
        self._throttle_inbox()

    def _throttle_inbox(self) -> None:
        """Stop reading this socket while too many of its frames wait, read again once they are worked off
        (wsflow.inbox): a client that sends faster than it is served is held by TCP, not by our memory."""
        connection = self.connection
        outlet = connection.outlet if connection is not None else None
        if outlet is not None:
            self.inbox_throttle.check(outlet)

    async def _receive(self, data: str | bytes | None) -> None:
        try:
            kind, fields = protocol.parse(data)
        except protocol.ProtocolError as exc:
            await self._refuse(exc.code, exc.message, exc.ref)
            return
        ref = fields.get("id")
        if kind in protocol.CONTROL_ONLY and self.role != CONTROL:
            await self._refuse(
                "forbidden", "읽기 전용으로 보고 있습니다. 이 클러스터는 조작할 수 없습니다.", ref
            )
            return
        if kind == "resync":
            await self._resync()
            return
        if kind == "ping":
            if limits.allow("ping", self.rate_key):
                await self.send_text(protocol.build("pong"))
            return
        if kind in RATE_LIMITED and not limits.allow("act", self.rate_key):
            wait = limits.retry_after("act", self.rate_key)
            await self._refuse("rate_limited", f"요청이 너무 많습니다. {wait}초 뒤에 다시 시도하세요.", ref)
            return
        for text in await self.host.handle(self.connection, kind, fields):
            await self.send_text(text)

    async def _refuse(self, code: str, message: str, ref: object) -> None:
        """Send an `error` frame if the identity's error budget allows (else the refusal is silent)."""
        if limits.allow("errors", self.rate_key):
            await self.send_text(protocol.error(code, message, ref))

    async def _resync(self) -> None:
        """Send a fresh snapshot now if the identity's budget allows, else once it does; a resync asked for
        while one waits is the same request (the waiting one will carry the state as it is then)."""
        if self.resync_later is not None and not self.resync_later.done():
            return
        if limits.allow("resync", self.rate_key):
            await self._send_snapshot()
            return
        self.resync_later = asyncio.get_running_loop().create_task(self._resync_when_allowed())

    async def _resync_when_allowed(self) -> None:
        try:
            while self.connection is not None:
                await asyncio.sleep(limits.retry_after("resync", self.rate_key))
                if self.connection is not None and limits.allow("resync", self.rate_key):
                    await self._send_snapshot()
                    return
        except Exception:  # noqa: BLE001 - as in receive: log, tell, keep the socket
            log.exception("delayed resync failed")
            with contextlib.suppress(Exception):
                await self.send_text(protocol.error("internal", INTERNAL))

    async def _send_snapshot(self) -> None:
        if self.connection is None:
            return
        for text in await self.host.handle(self.connection, "resync", {}):
            await self.send_text(text)

    async def disconnect(self, code) -> None:
        if self.resync_later is not None:
            self.resync_later.cancel()
            self.resync_later = None
        if self.connection is not None:
            connection, self.connection = self.connection, None
            await self.host.detach(connection)
