"""A cluster and its owner's socket against a real Daphne (tests/servers.start_daphne), shared by the tests that
flood it or watch it slowly: test_backpressure_daphne, test_slow_link_daphne, test_inbox_daphne."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator

from django.contrib.sessions.backends.db import SessionStore
from django.test import override_settings

from tests.servers import SERVER_SECRET_KEY
from visualizer.identity import SESSION_KEY
from visualizer.models import ClusterRecord


def owned_cluster(visitor: str) -> tuple[str, ClusterRecord]:
    """Create a browser session of the visitor `visitor`, signed with the test server's key, and a cluster it
    owns; return the session's Cookie header value (`sessionid=…`) and the cluster's record."""
    with override_settings(SECRET_KEY=SERVER_SECRET_KEY):
        session = SessionStore()
        session[SESSION_KEY] = visitor
        session.create()
    record = ClusterRecord.objects.create(owner_key=f"visitor:{visitor}")
    return f"sessionid={session.session_key}", record


def socket_path(record: ClusterRecord, *, shared: bool = False) -> str:
    """The path of the cluster's socket: its owner's, or with `shared` a share link viewer's (read only)."""
    base = f"/ws/cluster/{record.public_id}/"
    return f"{base}?share={record.share_token}" if shared else base


def owner_socket(port: int, cookie: str, record: ClusterRecord):
    """Connect (`async with`) the owner's socket of the cluster on the server at `port`; frames of any size."""
    from websockets.asyncio.client import connect

    return connect(
        f"ws://127.0.0.1:{port}{socket_path(record)}",
        origin=f"http://127.0.0.1:{port}",
        additional_headers={"Cookie": cookie},
        max_size=None,
    )


@contextlib.asynccontextmanager
async def driver_and_viewer(port: int, cookie: str, record: ClusterRecord) -> AsyncIterator[tuple]:
    """Yield (driver, viewer): the owner's socket, its `control` hello read, and a share-link viewer's socket,
    its first frame (the snapshot) left for the test to read."""
    from websockets.asyncio.client import connect

    async with (
        owner_socket(port, cookie, record) as driver,
        connect(
            f"ws://127.0.0.1:{port}{socket_path(record, shared=True)}",
            origin=f"http://127.0.0.1:{port}",
            max_size=None,
        ) as viewer,
    ):
        assert json.loads(await driver.recv())["role"] == "control"
        yield driver, viewer


async def drain(ws) -> None:
    """Read and drop every frame until the socket closes (a socket left unread would stall the server's
    sends to it)."""
    from websockets.exceptions import ConnectionClosed

    with contextlib.suppress(ConnectionClosed):
        async for _ in ws:
            pass
