"""The edge between the host and the websocket server: write a frame, tell how much is still unsent, close.

Under Daphne the ASGI `send` a consumer receives is `functools.partial(server.handle_reply, protocol)`
(daphne/server.py `create_application`); the cluster socket's middleware passes it on unchanged as the
consumer's `base_send` (visualizer/session_scope.py). From it this module takes the connection's
`WebSocketProtocol` (autobahn's, wrapped by Daphne) and:

- writes a broadcast frame framed ONCE for all its recipients: autobahn's `PreparedMessage` holds the UTF-8
  payload and the websocket header, and the same bytes go to every connection synchronously (no coroutine,
  no task switch, no per-viewer encode or framing): straight into the socket when nothing waits for it, else
  through `sendPreparedMessage` into Twisted's buffer; a connection that negotiated permessage-deflate
  compresses it itself;
- reads how many bytes the connection's Twisted transport still holds (`dataBuffer` past `offset` plus
  `_tempDataLen`, twisted.internet.abstract.FileDescriptor; and the cleartext `_appSendBuffer` of a TLS
  wrapper, twisted.protocols.tls), plus autobahn's own `send_queue`, plus what the kernel still holds in
  the socket's send queue (Linux's SIOCOUTQ: not yet sent or not yet acknowledged by the peer; on a slow
  link that is where a viewer's backlog waits first, up to SO_SNDBUF);
- closes with a code and a reason (Daphne's `websocket.close` drops the reason).

Anything else (Channels' `WebsocketCommunicator` in tests, another server) gets `AsgiOutlet`: the frame goes
through the ASGI `send` as text and the unsent bytes are unknown (None).
"""

from __future__ import annotations

import array
import fcntl
import socket
import sys
import termios
from collections.abc import Awaitable, Callable
from typing import Any

# Shared with the classroom socket (wsflow.daphne); re-exported here for the visualizer's callers.
from wsflow.daphne import (
    RCVBUF,
    daphne_protocol,
    limit_kernel_buffer,
    pause_reading,
    resume_reading,
    waiting_frames,
)

try:  # Daphne's websocket protocol is autobahn's; without it only the ASGI path exists.
    from autobahn.websocket.protocol import PreparedMessage
except ImportError:  # pragma: no cover - autobahn comes with Daphne
    PreparedMessage = None

# How long a closed viewer's connection may take to read what it still holds and the close frame before the
# transport is aborted and its buffer freed (autobahn's default is 1 s: seconds, per connection).
CLOSE_GRACE_SECONDS = 5.0


class Frame:
    """One outgoing text frame, shared by all its recipients; its bytes and websocket framing are made once,
    on first use. `text`: the JSON text; `size`: its UTF-8 length in bytes."""

    __slots__ = ("text", "_payload", "_prepared")

    def __init__(self, text: str) -> None:
        self.text = text
        self._payload: bytes | None = None
        self._prepared: Any = None

    @property
    def payload(self) -> bytes:
        if self._payload is None:
            self._payload = self.text.encode()
        return self._payload

    @property
    def size(self) -> int:
        return len(self.payload)

    def prepared(self) -> Any:
        """Return autobahn's PreparedMessage of the frame (server frames are not masked, RFC 6455 §5.1)."""
        if self._prepared is None:
            self._prepared = PreparedMessage(self.payload, False, False, False)
        return self._prepared


# Linux's SIOCOUTQ (= TIOCOUTQ, include/uapi/linux/sockios.h): the bytes in a TCP socket's send queue not yet
# acknowledged by the peer (tcp(7)). Elsewhere (macOS, BSD) the same number means something else or nothing:
# the kernel's share is then not counted, as before.
SIOCOUTQ = termios.TIOCOUTQ if sys.platform.startswith("linux") else None


def kernel_unsent(fd: int) -> int:
    """Return the bytes the kernel still holds in socket `fd`'s send queue (0 when it cannot tell: not
    Linux, a closed or non-TCP descriptor). One ioctl, about a microsecond."""
    if SIOCOUTQ is None or fd < 0:
        return 0
    out = array.array("i", [0])
    try:
        fcntl.ioctl(fd, SIOCOUTQ, out, True)
    except OSError:
        return 0
    return max(0, out[0])


def _socket_fd(transport: Any) -> int:
    """The file descriptor of the socket at the bottom of a chain of Twisted transports, or -1."""
    for _ in range(4):  # websocket → (TLS) → TCP; bounded in case of a cycle
        if transport is None:
            break
        handle = getattr(transport, "getHandle", None)
        if handle is not None and getattr(transport, "transport", None) is None:
            try:
                sock = handle()
                return sock.fileno() if hasattr(sock, "fileno") else -1
            except (OSError, AttributeError, TypeError):
                return -1
        transport = getattr(transport, "transport", None)
    return -1


def unsent_bytes(protocol: Any) -> int:
    """Return the bytes a Daphne/autobahn websocket connection still holds for its peer (int ≥ 0).

    Sums autobahn's `send_queue` and, down the chain of transports (a TLS wrapper over TCP), Twisted's
    unsent `dataBuffer` (past `offset`), `_tempDataLen` and a TLS wrapper's `_appSendBuffer`. An attribute
    this Twisted lacks counts 0. The kernel's share is not included (see `DaphneOutlet.pending`).
    """
    total = sum(len(data) for data, _sync in getattr(protocol, "send_queue", ()) or ())
    transport = getattr(protocol, "transport", None)
    for _ in range(4):  # websocket → (TLS) → TCP; bounded in case of a cycle
        if transport is None:
            break
        data = getattr(transport, "dataBuffer", None)
        if data is not None:
            total += len(data) - getattr(transport, "offset", 0) + getattr(transport, "_tempDataLen", 0)
        app = getattr(transport, "_appSendBuffer", None)
        if app:
            total += sum(len(chunk) for chunk in app)
        transport = getattr(transport, "transport", None)
    return total


class DaphneOutlet:
    """Writes to one Daphne websocket connection directly (synchronous; called on the server's event loop).

    Over plain TCP with nothing waiting in Twisted's buffer, a frame is sent with one `socket.send` at once,
    as asyncio's own transports do (`_SelectorSocketTransport.write`): Twisted would queue it, register the
    socket for writing and send it on the next loop iteration (two `epoll_ctl` and a callback per viewer and
    frame). What the kernel does not take goes to Twisted's buffer, in order, and the rest as Twisted does it.
    """

    direct = True

    def __init__(self, protocol: Any, *, sndbuf: int | None = None) -> None:
        self.protocol = protocol
        if sndbuf:
            limit_kernel_buffer(protocol, sndbuf)
        # A page sends a few small frames a second: 64 KiB of unread input is plenty, and bounds what a flood
        # leaves to work off once its reading is paused (wsflow.inbox).
        limit_kernel_buffer(protocol, RCVBUF, socket.SO_RCVBUF)
        transport = getattr(protocol, "transport", None)
        plain = all(hasattr(transport, name) for name in ("socket", "dataBuffer", "offset", "_tempDataLen"))
        self._tcp = transport if plain and not hasattr(transport, "wrappedProtocol") else None
        # The socket's descriptor, once: the kernel's share of `pending` is one ioctl on it.
        self._fd = _socket_fd(transport)

    def is_open(self) -> bool:
        return self.protocol.state == self.protocol.STATE_OPEN

    def pending(self) -> int:
        """Bytes still undelivered to the peer: the server's buffers (see `unsent_bytes`) and the kernel's
        send queue (`kernel_unsent`), which holds up to SO_SNDBUF before the server's own buffer grows and,
        on a slow link, is where the backlog waits first."""
        tcp = self._tcp
        if tcp is not None and not self.protocol.send_queue:
            held = len(tcp.dataBuffer) - tcp.offset + tcp._tempDataLen
        else:
            held = unsent_bytes(self.protocol)
        if self.protocol.state == self.protocol.STATE_CLOSED:
            return held  # its descriptor may already be another connection's
        return held + kernel_unsent(self._fd)

    def write(self, frame: Frame) -> int:
        """Send the frame, or queue it on the connection's transport; nothing if the connection is closed.

        Returns the bytes handed over, as `pending` counts them (websocket header included, compressed when
        the connection compresses), for the viewer's buffer to tell how much the peer has read since."""
        protocol = self.protocol
        if protocol.state != protocol.STATE_OPEN:
            return 0
        tcp = self._tcp
        if (
            tcp is None
            or protocol._perMessageCompress is not None
            or protocol.send_queue
            or tcp._tempDataLen
            or len(tcp.dataBuffer) != tcp.offset
            or not tcp.connected
            or tcp.disconnecting
        ):
            # What Twisted and autobahn hold grows by what this frame became (compressed or not); the kernel
            # takes nothing from it before the next turn of the reactor.
            before = unsent_bytes(protocol)
            protocol.sendPreparedMessage(frame.prepared())
            return max(0, unsent_bytes(protocol) - before)
        data = frame.prepared().payloadHybi
        try:
            sent = tcp.socket.send(data)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError:
            sent = 0  # the connection is failing: Twisted finds out on its own write and closes it
        if sent < len(data):
            tcp.write(data[sent:] if sent else data)
        return len(data)

    async def send(self, frame: Frame) -> int:
        return self.write(frame)

    def inbox(self) -> int | None:
        """Frames Daphne has read from the peer that the consumer has not taken yet (its application queue),
        or None when unknown."""
        return waiting_frames(self.protocol)

    def pause_reading(self) -> None:
        """Stop reading from the peer (Twisted's `pauseProducing`): TCP flow control then holds the sender."""
        pause_reading(self.protocol)

    def resume_reading(self) -> None:
        """Read from the peer again (Twisted's `resumeProducing`)."""
        resume_reading(self.protocol)

    async def close(self, code: int, reason: str) -> None:
        """Start the closing handshake with `code` and `reason` (≤ 123 UTF-8 bytes); the transport is aborted
        after CLOSE_GRACE_SECONDS if the peer does not answer (a peer that never reads never will)."""
        if self.protocol.state == self.protocol.STATE_OPEN:
            self.protocol.closeHandshakeTimeout = CLOSE_GRACE_SECONDS
            self.protocol.sendClose(code=code, reason=reason)


class AsgiOutlet:
    """Writes through the ASGI `send` (any server); the unsent bytes are unknown."""

    direct = False

    def __init__(self, send: Callable[[dict], Awaitable[None]]) -> None:
        self._send = send

    def is_open(self) -> bool:
        return True

    def pending(self) -> None:
        return None

    def write(self, frame: Frame) -> int:  # pragma: no cover - callers check `direct` first
        raise TypeError("an ASGI outlet is asynchronous: await send()")

    async def send(self, frame: Frame) -> int:
        await self._send({"type": "websocket.send", "text": frame.text})
        return frame.size

    async def close(self, code: int, reason: str) -> None:
        await self._send({"type": "websocket.close", "code": code, "reason": reason})

    def inbox(self) -> None:
        """Unknown outside Daphne (the ASGI server owns its queue)."""
        return None

    def pause_reading(self) -> None:
        """Nothing to pause outside Daphne."""

    def resume_reading(self) -> None:
        """Nothing to resume outside Daphne."""


Outlet = DaphneOutlet | AsgiOutlet


def outlet_for(send: Callable[..., Awaitable[None]], *, sndbuf: int | None = None) -> Outlet:
    """Return the outlet of a connection from its ASGI `send`, or from a bound method of the connection's
    Channels consumer (its `send_text`: the consumer's `base_send` is the ASGI `send`). `sndbuf`: the
    kernel send buffer to set on a Daphne connection (bytes, see `limit_kernel_buffer`; None leaves it)."""
    consumer = getattr(send, "__self__", None)
    base_send = getattr(consumer, "base_send", None)
    if base_send is not None:
        send = base_send
    protocol = daphne_protocol(send)
    return DaphneOutlet(protocol, sndbuf=sndbuf) if protocol is not None else AsgiOutlet(send)
