"""Exec and attach over a websocket (`v5.channel.k8s.io`), as kubectl v1.37 opens them (reference §A3c).

The ASGI edge of execute.py's sessions, which run on the cluster's owner process (visualizer.host kinds
`exec.open`, `exec.step`, `exec.close`): authenticate the bearer token (the read-only token may not exec:
`pods/exec` is a `create`), refuse what the session refuses, accept with the one subprotocol kubectl offers,
then relay binary frames both ways (channel byte first: 0 stdin, 1 stdout, 2 stderr, 3 the final Status, 4
resize, 255 close) and poll the session every POLL seconds for output of its own (an attached process).
A refused upgrade closes the handshake (Daphne answers 403): kubectl then retries the same URL once as a
SPDY POST, which the HTTP transport answers with the session's refusal (subresources.py), so kubectl prints it.
Websocket pings (every 5 s from kubectl) are answered by Daphne itself.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import re
from urllib.parse import parse_qs

from channels.db import database_sync_to_async

from visualizer import records

from . import channels_v5
from .transport import allow, bearer, rate_key_for
from .transport import decode_reply as _reply

PROTOCOL = "v5.channel.k8s.io"
POLL = 0.1  # seconds between polls of a session for output it makes on its own
PATH = re.compile(
    r"^/k8s/(?P<cluster>[A-Za-z0-9_-]{1,24})/api/v1/namespaces/(?P<ns>[^/]+)/pods/(?P<pod>[^/]+)/"
    r"(?P<sub>exec|attach)$"
)


async def app(scope, receive, send) -> None:
    """The ASGI application for `/k8s/…` websocket requests."""
    message = await receive()
    if message["type"] != "websocket.connect":
        return
    match = PATH.match(scope["path"])
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
    token = bearer(headers)
    caller = await database_sync_to_async(records.api_caller)(match["cluster"], token) if match else None
    # Only the controlling token may exec (a create on pods/exec); the SPDY retry then explains the refusal.
    if (
        caller is None
        or caller[0] != "control"
        or not allow(rate_key_for(scope, "control", caller[2]), "POST")
    ):
        await send({"type": "websocket.close", "code": 1008})
        return
    from visualizer.host import get_host

    host, public_id = get_host(), match["cluster"]
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    fields = {
        "namespace": match["ns"],
        "pod": match["pod"],
        "query": query,
        "attach": match["sub"] == "attach",
    }
    opened = _reply(await host.drive(public_id, "exec.open", fields))
    if opened is None or opened["type"] != "api.exec":
        await send({"type": "websocket.close", "code": 1008})
        return
    subprotocols = scope.get("subprotocols") or []
    await send({"type": "websocket.accept", "subprotocol": PROTOCOL if PROTOCOL in subprotocols else None})
    await _relay(host, public_id, opened, receive, send)


async def _send_frames(send, reply: dict) -> None:
    for channel, data in reply.get("frames", []):
        await send({"type": "websocket.send", "bytes": channels_v5.encode(channel, base64.b64decode(data))})


async def _relay(host, public_id: str, opened: dict, receive, send) -> None:
    """Moves frames between kubectl and the session until it finishes or kubectl leaves."""
    await _send_frames(send, opened)
    stream = opened.get("stream")
    if opened.get("finished") or not stream:
        await send({"type": "websocket.close", "code": 1000})
        return
    inbox: asyncio.Queue = asyncio.Queue()

    async def read() -> None:
        while True:
            message = await receive()
            await inbox.put(message)
            if message["type"] == "websocket.disconnect":
                return

    reader = asyncio.get_running_loop().create_task(read())
    try:
        while True:
            message = None
            with contextlib.suppress(TimeoutError):
                message = await asyncio.wait_for(inbox.get(), POLL)
            if message is not None and message["type"] == "websocket.disconnect":
                await host.drive(public_id, "exec.close", {"stream": stream})
                return
            step = {"stream": stream, "channel": None}
            if message is not None:
                data = message.get("bytes")
                if data is None:
                    continue  # text frames are not part of the protocol: ignored, as client-go never sends them
                try:
                    channel, payload = channels_v5.decode(data)
                except channels_v5.FrameError:
                    continue
                step = {"stream": stream, "channel": channel, "data": base64.b64encode(payload).decode()}
            reply = _reply(await host.drive(public_id, "exec.step", step))
            if reply is None:
                await send({"type": "websocket.close", "code": 1011})
                return
            await _send_frames(send, reply)
            if reply.get("finished"):
                await send({"type": "websocket.close", "code": 1000})
                return
    finally:
        reader.cancel()
