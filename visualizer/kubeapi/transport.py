"""The ASGI face of the Kubernetes API: `https://<host>:6443/k8s/<cluster>/…` to the cluster's owner process.

Thin on purpose (the logic is in the pure modules of this package): read the request, authenticate its bearer
token against the cluster (visualizer.records.api_identity: the owner's token controls, the share token
reads), apply the rate limits of the token's person (shared with their browser's sockets, visualizer.ratelimit), hand it to the process that owns the cluster (visualizer.host `drive`, through
the channel layer when another process owns it), write the answer. Long-running answers (watch, `logs -f`)
stay open: the stream is polled on the owner every POLL seconds and its chunks are written as they come,
until it finishes, its timeout passes, or the client goes away. Exec and attach (websocket,
`v5.channel.k8s.io`) are in exec_socket.py.

Every refusal is a Kubernetes `Status` (reference §A5): 401 for a missing or wrong token (kubectl: `error: You
must be logged in to the server (Unauthorized)`), 413 for a body over 3 MiB, 429 with `Retry-After` when a
client sends faster than the limits (client-go waits and retries, up to 10 times), 503 when the owner process
does not answer.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import re
import time
from urllib.parse import parse_qs

from channels.db import database_sync_to_async

from visualizer import records
from visualizer.identity import client_address
from visualizer.ratelimit import RATES, limits

from . import status
from .http import MAX_BODY_BYTES, ApiResponse

PREFIX = re.compile(r"^/k8s/(?P<cluster>[A-Za-z0-9_-]{1,24})(?P<rest>/.*)?$")
POLL = 0.1  # seconds between polls of an open stream
DEFAULT_STREAM_TIMEOUT = 1800.0  # kube-apiserver's min-request-timeout (seconds) for a watch without one
# Per identity (visualizer.ratelimit): every request (kubectl sends several per command: discovery is cached,
# GETs and watches are not) and, on top, writes, which spend from the same "act" bucket as the console's
# commands of that person's browser: a second face does not double the rate.
REQUEST_RATE, REQUEST_BURST = RATES["api"]
WRITE_RATE, WRITE_BURST = RATES["act"]
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def rate_key_for(scope, role: str, owner_key: str) -> str:
    """Return the rate-limit key of an API request (visualizer.ratelimit).

    The controlling token is its cluster owner's, so their requests count under the owner's key (`visitor:…`,
    `user:…`), the key of their browser's sockets; a share token is anyone's, so its holder counts by address.
    """
    from django.conf import settings

    if role == "control":
        return owner_key
    address = client_address(
        scope.get("client"),
        scope.get("headers", []),
        trust_forwarded=getattr(settings, "TRUST_X_FORWARDED_FOR", False),
    )
    return f"addr:{address}"


def allow(key: str, method: str) -> bool:
    """Spend the rate of one request (and of a write, for a write method); False when over the limit."""
    if not limits.allow("api", key):
        return False
    return method not in WRITE_METHODS or limits.allow("act", key)


def too_many_requests(seconds: int) -> ApiResponse:
    """The 429 Status with Retry-After, as kube-apiserver's max-in-flight and APF filters answer
    (k8s.io/apiserver pkg/server/filters; client-go waits that long and retries, up to 10 times)."""
    return status.failure(
        429,
        "TooManyRequests",
        "Too many requests, please try again later.",
        {"retryAfterSeconds": seconds},
        headers=[("Retry-After", str(seconds))],
    )


def bearer(headers: dict[str, str]) -> str:
    """Returns the bearer token of an `Authorization: Bearer <token>` header, or ""."""
    value = headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


async def send_response(send, resp: ApiResponse, *, more: bool = False) -> None:
    """Writes the status line, headers and body (the first chunk when `more`)."""
    headers = [(b"content-type", resp.content_type.encode("latin-1"))]
    headers += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in resp.headers]
    if not more:
        headers.append((b"content-length", str(len(resp.body)).encode()))
    headers.append((b"cache-control", b"no-cache, private"))
    await send({"type": "http.response.start", "status": resp.status, "headers": headers})
    await send({"type": "http.response.body", "body": resp.body, "more_body": more})


async def _read_body(receive) -> bytes | None:
    """Returns the request body, or None when it is larger than MAX_BODY_BYTES."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b""
        body = message.get("body", b"")
        size += len(body)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(body)
        if not message.get("more_body"):
            return b"".join(chunks)


def decode_reply(texts: list[str]) -> dict | None:
    """Returns the owner's answer (`{"type": "api.…", …}`) among the frames of a host call, or None (a `busy`
    error: the owner process did not answer)."""
    for text in texts:
        data = json.loads(text)
        if data.get("type", "").startswith("api."):
            return data
    return None


async def app(scope, receive, send) -> None:
    """The ASGI application for `/k8s/…` HTTP requests."""
    match = PREFIX.match(scope["path"])
    if match is None:
        await send_response(send, status.page_not_found())
        return
    public_id, path = match["cluster"], match["rest"] or "/"
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
    body = await _read_body(receive)
    if body is None:
        await send_response(
            send,
            status.failure(
                413, "RequestEntityTooLarge", f"Request entity too large: limit is {MAX_BODY_BYTES}"
            ),
        )
        return
    token = bearer(headers)
    caller = await database_sync_to_async(records.api_caller)(public_id, token)
    if caller is None:
        await send_response(send, status.failure(401, "Unauthorized", "Unauthorized"))
        return
    role, user, owner_key = caller
    method = scope["method"].upper()
    key = rate_key_for(scope, role, owner_key)
    if not allow(key, method):
        seconds = limits.retry_after("api", key)
        if method in WRITE_METHODS:
            seconds = max(seconds, limits.retry_after("act", key))
        await send_response(send, too_many_requests(seconds))
        return
    from visualizer.host import get_host

    host = get_host()
    fields = {
        "method": method,
        "path": path,
        "query": parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True),
        "headers": {k: v for k, v in headers.items() if k != "authorization"},
        "body": base64.b64encode(body).decode(),
        "role": role,
        "user": user,
    }
    reply = decode_reply(await host.drive(public_id, "api", fields))
    if reply is None:
        await send_response(send, _unavailable())
        return
    resp = ApiResponse(
        reply["status"],
        base64.b64decode(reply["body"]),
        reply["content_type"],
        [tuple(h) for h in reply["headers"]],
    )
    if not reply.get("stream"):
        await send_response(send, resp)
        return
    await send_response(send, resp, more=True)
    await _pump(host, public_id, reply["stream"], reply.get("timeout"), receive, send)


async def root_app(scope, receive, send) -> None:
    """Requests on the API port without the `/k8s/<cluster>` prefix (what `kubectl proxy` forwards by
    default): the bearer token names the cluster, and the request is served as if prefixed. Anything else on
    that port (the site's pages, a wrong token) answers as an API server: a Status, never an HTML page."""
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
    public_id = await database_sync_to_async(records.cluster_of_token)(bearer(headers))
    if public_id is None:
        if scope["type"] == "websocket":
            await receive()
            await send({"type": "websocket.close", "code": 1008})
        else:
            await send_response(send, status.failure(401, "Unauthorized", "Unauthorized"))
        return
    prefixed = {**scope, "path": f"/k8s/{public_id}{scope.get('path') or '/'}"}
    if scope["type"] == "websocket":
        from . import exec_socket

        await exec_socket.app(prefixed, receive, send)
    else:
        await app(prefixed, receive, send)


def _unavailable() -> ApiResponse:
    return status.failure(
        503,
        "ServiceUnavailable",
        "the server is currently unable to handle the request (the cluster's process did not answer)",
        headers=[("Retry-After", "1")],
    )


async def _pump(host, public_id: str, stream_id: str, timeout, receive, send) -> None:
    """Polls an open stream on the owner and writes its chunks until it ends or the client leaves."""
    gone = asyncio.Event()

    async def watch_disconnect() -> None:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                gone.set()
                return

    watcher = asyncio.get_running_loop().create_task(watch_disconnect())
    deadline = time.monotonic() + float(timeout or DEFAULT_STREAM_TIMEOUT)
    try:
        while not gone.is_set() and time.monotonic() < deadline:
            reply = decode_reply(await host.drive(public_id, "api.poll", {"stream": stream_id}))
            if reply is None:
                break
            for chunk in reply["chunks"]:
                await send({"type": "http.response.body", "body": base64.b64decode(chunk), "more_body": True})
            if reply["finished"]:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(gone.wait(), POLL)
    finally:
        watcher.cancel()
        if gone.is_set() or time.monotonic() >= deadline:
            await host.drive(public_id, "api.close", {"stream": stream_id})
        if not gone.is_set():
            await send({"type": "http.response.body", "body": b"", "more_body": False})
