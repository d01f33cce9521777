"""Exec and attach over a websocket (`v5.channel.k8s.io`), as kubectl v1.37 opens them (reference §A3c).

Wired to the pure exec sessions of execute.py once they land; until then the upgrade is refused.
"""

from __future__ import annotations


async def app(scope, receive, send) -> None:
    """The ASGI application for `/k8s/…` websocket requests."""
    message = await receive()
    if message["type"] == "websocket.connect":
        await send({"type": "websocket.close", "code": 1011})
