"""Daphne's websocket connection behind an ASGI `send`: find it, read its inbox, pause its reading, size its
kernel buffers.

Under Daphne the ASGI `send` an application receives is `functools.partial(server.handle_reply, protocol)`
(daphne/server.py `create_application`), where `protocol` is the connection's `WebSocketProtocol` (autobahn's,
wrapped by Daphne); its `application_queue` holds the frames read from the peer that the application has not
taken yet, and its Twisted transport can stop reading (`pauseProducing`). Channels' session middleware wraps
`send` (channels.sessions.InstanceSessionWrapper), so a socket behind it cannot recognise Daphne's; the
`ServerSendMiddleware` placed outside that stack records the server's own `send` in the scope
(`SERVER_SEND`) for it. Anything that is not Daphne (Channels' WebsocketCommunicator in tests, another
server) is not recognised: `reader_for` then gives a Reader that knows nothing and does nothing.
"""

from __future__ import annotations

import functools
import socket
from collections.abc import Awaitable, Callable
from typing import Any

from wsflow.inbox import InboxThrottle, Reader

# The scope key under which ServerSendMiddleware keeps the server's own `send` (an ASGI extension key).
SERVER_SEND = "wsflow.server_send"
RCVBUF = 64 * 1024  # bytes: the kernel receive buffer of a page's connection


def daphne_protocol(send: object) -> Any:
    """Return the Daphne websocket protocol behind an ASGI `send`, or None when `send` is not Daphne's.

    Daphne passes `functools.partial(server.handle_reply, protocol)` (daphne/server.py); anything else,
    including a wrapped `send`, is not recognised.
    """
    if not isinstance(send, functools.partial) or len(send.args) != 1:
        return None
    func = send.func
    if getattr(func, "__name__", None) != "handle_reply":
        return None
    owner = getattr(func, "__self__", None)
    if owner is None or type(owner).__module__ != "daphne.server":
        return None
    protocol = send.args[0]
    needed = ("sendPreparedMessage", "sendClose", "state", "STATE_OPEN")
    return protocol if all(hasattr(protocol, name) for name in needed) else None


def limit_kernel_buffer(protocol: Any, nbytes: int, option: int = socket.SO_SNDBUF) -> bool:
    """Set the connection's kernel send buffer (SO_SNDBUF, bytes; Linux doubles it for its bookkeeping), or
    with `option=socket.SO_RCVBUF` its receive buffer.

    Linux grows a socket's send buffer on its own up to `net.ipv4.tcp_wmem`'s maximum (4 MiB by default),
    per connection and outside the process: a viewer that never reads would hold that much before the
    server's own buffer begins to grow. The receive buffer, likewise up to `tcp_rmem`'s 6 MiB, is what a
    flooding client has queued when the server stops reading it (wsflow.inbox): all of it is read before the
    client's close is seen. Returns whether it was set.
    """
    transport = getattr(protocol, "transport", None)
    handle = getattr(transport, "getHandle", None)
    try:
        sock = handle() if handle is not None else None
        if sock is None or not hasattr(sock, "setsockopt"):
            return False
        sock.setsockopt(socket.SOL_SOCKET, option, nbytes)
    except (OSError, AttributeError, TypeError):
        return False
    return True


def waiting_frames(protocol: Any) -> int | None:
    """Frames Daphne has read from the peer that the application has not taken yet (its application queue),
    or None when unknown."""
    queue = getattr(protocol, "application_queue", None)
    qsize = getattr(queue, "qsize", None)
    return qsize() if qsize is not None else None


def pause_reading(protocol: Any) -> None:
    """Stop reading from the peer (Twisted's `pauseProducing`): TCP flow control then holds the sender."""
    pause = getattr(getattr(protocol, "transport", None), "pauseProducing", None)
    if pause is not None:
        pause()


def resume_reading(protocol: Any) -> None:
    """Read from the peer again (Twisted's `resumeProducing`)."""
    resume = getattr(getattr(protocol, "transport", None), "resumeProducing", None)
    if resume is not None:
        resume()


def watch_arrivals(protocol: Any, throttle: InboxThrottle, reader: Reader) -> bool:
    """Run `throttle.check(reader)` each time Daphne puts a frame read from the peer on the connection's
    application queue; return whether the queue could be watched.

    A consumer checking its inbox after each frame it handles is not enough on its own: while it handles one
    (a database write in a worker thread), Twisted goes on reading and autobahn on parsing, 64 KiB at a time,
    and a flood of 40-byte frames had 23,000 of them queued by the first check, which took the consumer 7 s
    to work off. Checked on arrival, reading stops at the frame that passes `throttle.high`, plus what is left
    of the chunk autobahn is parsing (at most one read, 64 KiB). Resuming stays with the consumer's check after
    each frame it has handled. The hook is an instance attribute shadowing `asyncio.Queue.put_nowait`, which
    daphne/ws_protocol.py calls for every message (`onMessage`, `onClose`).
    """
    queue = getattr(protocol, "application_queue", None)
    put = getattr(queue, "put_nowait", None)
    if put is None:
        return False

    def put_and_check(item: object) -> None:
        put(item)
        throttle.check(reader)

    queue.put_nowait = put_and_check
    return True


class DaphneReader:
    """The reading side of one Daphne websocket connection (a wsflow.inbox.Reader).

    Made once the connection is accepted; it caps the kernel receive buffer at RCVBUF, so a flood that is
    paused leaves at most that much to work off before the peer's close is seen.
    """

    def __init__(self, protocol: Any, *, rcvbuf: int | None = RCVBUF) -> None:
        self.protocol = protocol
        if rcvbuf:
            limit_kernel_buffer(protocol, rcvbuf, socket.SO_RCVBUF)

    def watch(self, throttle: InboxThrottle) -> bool:
        """Check `throttle` as each frame arrives, not only as each is handled (see `watch_arrivals`)."""
        return watch_arrivals(self.protocol, throttle, self)

    def inbox(self) -> int | None:
        return waiting_frames(self.protocol)

    def pause_reading(self) -> None:
        pause_reading(self.protocol)

    def resume_reading(self) -> None:
        resume_reading(self.protocol)


class UnknownReader:
    """A connection this module cannot reach (not Daphne): its inbox is unknown and pausing does nothing."""

    def watch(self, throttle: InboxThrottle) -> bool:
        """Nothing to watch outside Daphne."""
        return False

    def inbox(self) -> None:
        return None

    def pause_reading(self) -> None:
        """Nothing to pause outside Daphne."""

    def resume_reading(self) -> None:
        """Nothing to resume outside Daphne."""


def reader_for(scope: dict, send: object = None) -> DaphneReader | UnknownReader:
    """Return the Reader of a connection from the server `send` ServerSendMiddleware kept in its `scope`, or
    from `send` itself (an unwrapped ASGI `send`, e.g. a consumer's `base_send` with no session middleware)."""
    for candidate in (scope.get(SERVER_SEND), send):
        protocol = daphne_protocol(candidate)
        if protocol is not None:
            return DaphneReader(protocol)
    return UnknownReader()


class ServerSendMiddleware:
    """ASGI middleware that keeps the server's own `send` in the scope (`SERVER_SEND`) for middleware-wrapped
    applications to reach their connection (`reader_for`); it changes nothing else."""

    def __init__(self, inner: Callable[..., Awaitable[None]]) -> None:
        self.inner = inner

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        return await self.inner({**scope, SERVER_SEND: send}, receive, send)
