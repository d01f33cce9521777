"""Reaching Daphne's connection (wsflow.daphne): through the scope behind Channels' session middleware, its
inbox read, its reading paused and resumed; anything else is left alone."""

from __future__ import annotations

import asyncio
import functools
import socket

from channels.sessions import SessionMiddlewareStack
from daphne.server import Server

from tests.visualizer.test_ws_transport import open_protocol
from wsflow.daphne import (
    RCVBUF,
    SERVER_SEND,
    DaphneReader,
    ServerSendMiddleware,
    UnknownReader,
    reader_for,
)
from wsflow.inbox import InboxThrottle


class Transport:
    """Twisted's reading switch, recorded, over a real socket (for the receive buffer)."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.sock = socket.socket()

    def getHandle(self):  # noqa: N802 - Twisted's name
        return self.sock

    def pauseProducing(self):  # noqa: N802 - Twisted's name
        self.calls.append("pause")

    def resumeProducing(self):  # noqa: N802 - Twisted's name
        self.calls.append("resume")


def daphne_send():
    server = Server(application=None, endpoints=["tcp:port=0:interface=127.0.0.1"])
    protocol = open_protocol(server, Transport())
    protocol.application_queue = asyncio.Queue()
    return protocol, functools.partial(server.handle_reply, protocol)


async def test_behind_channels_session_middleware_the_connection_is_found_through_the_scope():
    protocol, send = daphne_send()
    seen = {}

    async def app(scope, receive, wrapped_send):
        # Channels' session middleware hands the application a wrapped send: not recognisable on its own.
        seen["plain"] = reader_for({}, wrapped_send)
        seen["scoped"] = reader_for(scope, wrapped_send)

    stack = ServerSendMiddleware(SessionMiddlewareStack(app))
    await stack({"type": "websocket", "headers": [], "path": "/"}, None, send)
    assert isinstance(seen["plain"], UnknownReader)
    reader = seen["scoped"]
    assert isinstance(reader, DaphneReader) and reader.protocol is protocol
    # Its kernel receive buffer was capped (Linux reports twice what was set).
    assert protocol.transport.sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF) == 2 * RCVBUF
    protocol.transport.sock.close()


async def test_a_throttle_pauses_the_connection_above_high_and_resumes_it_at_low():
    protocol, send = daphne_send()
    reader = reader_for({SERVER_SEND: send})
    throttle = InboxThrottle(high=3, low=1)
    actions = []
    for _ in range(5):
        protocol.application_queue.put_nowait({"type": "websocket.receive", "text": "x"})
        actions.append(throttle.check(reader))
    assert actions == [None, None, None, "pause", None]
    while not protocol.application_queue.empty():
        protocol.application_queue.get_nowait()
        actions.append(throttle.check(reader))
    assert actions[5:] == [None, None, None, "resume", None]
    assert protocol.transport.calls == ["pause", "resume"]
    protocol.transport.sock.close()


async def test_outside_daphne_the_reader_knows_nothing_and_does_nothing():
    async def send(message):
        raise AssertionError("nothing is sent")

    reader = reader_for({SERVER_SEND: send}, send)
    assert isinstance(reader, UnknownReader) and reader.inbox() is None
    assert InboxThrottle().check(reader) is None
    reader.pause_reading()
    reader.resume_reading()


async def test_watched_arrivals_pause_reading_at_the_frame_that_passes_high_not_at_the_next_handled_one():
    protocol, send = daphne_send()
    reader = reader_for({SERVER_SEND: send})
    throttle = InboxThrottle(high=3, low=1)
    assert reader.watch(throttle)
    # Daphne's onMessage puts each parsed frame on the queue; nothing is handled meanwhile.
    for n in range(6):
        protocol.application_queue.put_nowait({"type": "websocket.receive", "text": str(n)})
        assert protocol.transport.calls == ([] if n < 3 else ["pause"])
    # The queue is still an asyncio.Queue the application reads as before, in order.
    assert [protocol.application_queue.get_nowait()["text"] for _ in range(6)] == list("012345")
    # Resuming is the handler's check, once the inbox is down to `low`.
    assert throttle.check(reader) == "resume" and protocol.transport.calls == ["pause", "resume"]
    assert not UnknownReader().watch(throttle)
    protocol.transport.sock.close()
