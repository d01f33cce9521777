"""The cluster websocket: decode a frame, check the role and the rate, hand it to the host, send the reply."""

from __future__ import annotations

from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from visualizer import protocol, records
from visualizer.host import get_host
from visualizer.identity import CONTROL, existing_owner_key, role_for
from visualizer.ratelimit import TokenBucket

RATE_LIMITED = {"command", "control", "scenario.start", "scenario.stop", "complete"}


class ClusterConsumer(AsyncWebsocketConsumer):
    connection = None

    async def connect(self) -> None:
        public_id = self.scope["url_route"]["kwargs"]["public_id"]
        record = await database_sync_to_async(records.load)(public_id)
        if record is None:
            await self.close(code=4404)
            return
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        user = self.scope.get("user")
        self.role = role_for(
            kind=record.kind,
            record_owner=record.owner_key,
            share_token=record.share_token,
            viewer_key=existing_owner_key(user, self.scope.get("session")),
            is_superuser=bool(getattr(user, "is_superuser", False)),
            offered_token=(query.get("share") or [None])[0],
        )
        if self.role is None:
            await self.close(code=4403)
            return
        await self.accept()
        self.limiter = TokenBucket(rate=5.0, burst=10)
        self.host = get_host()
        self.connection = await self.host.attach(public_id, self.role, self.send_text)

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
            kind, fields = protocol.parse(text_data if text_data is not None else bytes_data)
        except protocol.ProtocolError as exc:
            await self.send_text(protocol.error(exc.code, exc.message, exc.ref))
            return
        ref = fields.get("id")
        if kind in protocol.CONTROL_ONLY and self.role != CONTROL:
            await self.send_text(
                protocol.error(
                    "forbidden", "읽기 전용으로 보고 있습니다. 이 클러스터는 조작할 수 없습니다.", ref
                )
            )
            return
        if kind in RATE_LIMITED and not self.limiter.allow():
            await self.send_text(
                protocol.error("rate_limited", "요청이 너무 많습니다. 잠시 후 다시 시도하세요.", ref)
            )
            return
        for text in await self.host.handle(self.connection, kind, fields):
            await self.send_text(text)

    async def disconnect(self, code) -> None:
        if self.connection is not None:
            await self.host.detach(self.connection)
            self.connection = None
