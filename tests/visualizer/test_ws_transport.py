"""The websocket edge (visualizer.ws_transport): Daphne's connection found from `send`, its unsent bytes
counted, frames framed once and written straight to the socket, and the ASGI fallback."""

import collections
import functools
import socket
import struct
import sys
import time

import pytest
from autobahn.websocket.protocol import TrafficStats
from daphne.server import Server
from daphne.ws_protocol import WebSocketFactory
from twisted.internet import abstract
from twisted.internet.testing import MemoryReactor

from visualizer.ws_transport import (
    CLOSE_GRACE_SECONDS,
    AsgiOutlet,
    DaphneOutlet,
    Frame,
    daphne_protocol,
    kernel_unsent,
    limit_kernel_buffer,
    outlet_for,
    unsent_bytes,
)


class FakeTcp:
    """The attributes of twisted.internet.tcp.Server the outlet uses, over one end of a socket pair."""

    def __init__(self, sock: socket.socket) -> None:
        self.socket = sock
        self.dataBuffer = b""
        self.offset = 0
        self._tempDataLen = 0
        self.connected = 1
        self.disconnecting = False
        self.queued: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.queued.append(data)
        self._tempDataLen += len(data)


@pytest.fixture
def server():
    return Server(application=None, endpoints=["tcp:port=0:interface=127.0.0.1"])


def open_protocol(server, transport=None):
    """A Daphne websocket protocol in the open state, as after the handshake."""
    factory = WebSocketFactory(server)
    protocol = factory.buildProtocol(None)
    for name in protocol.CONFIG_ATTRS:  # what autobahn's connectionMade copies from the factory
        setattr(protocol, name, getattr(factory, name))
    protocol.state = protocol.STATE_OPEN
    protocol.send_queue = collections.deque()
    protocol._perMessageCompress = None
    protocol.trafficStats = TrafficStats()
    protocol.transport = transport
    return protocol


def read_frame(sock: socket.socket) -> tuple[int, bytes]:
    """Read one unmasked server frame: (opcode, payload)."""
    head = sock.recv(2)
    length = head[1] & 0x7F
    if length == 126:
        (length,) = struct.unpack("!H", sock.recv(2))
    payload = b""
    while len(payload) < length:
        payload += sock.recv(length - len(payload))
    return head[0] & 0x0F, payload


def test_daphnes_send_is_recognised_and_anything_else_is_not(server):
    protocol = open_protocol(server)
    send = functools.partial(server.handle_reply, protocol)
    assert daphne_protocol(send) is protocol

    async def other(message):
        pass

    assert daphne_protocol(other) is None
    assert daphne_protocol(functools.partial(other)) is None
    assert daphne_protocol(functools.partial(print, protocol)) is None


def test_the_outlet_is_found_through_a_consumers_bound_method(server):
    protocol = open_protocol(server)

    class Consumer:
        base_send = functools.partial(server.handle_reply, protocol)

        async def send_text(self, text):
            pass

    outlet = outlet_for(Consumer().send_text)
    assert isinstance(outlet, DaphneOutlet) and outlet.protocol is protocol


async def test_without_daphne_frames_and_the_close_go_through_asgi_send():
    sent = []

    async def send(message):
        sent.append(message)

    outlet = outlet_for(send)
    assert isinstance(outlet, AsgiOutlet) and not outlet.direct
    assert outlet.pending() is None
    await outlet.send(Frame('{"type":"pong"}'))
    await outlet.close(4008, "느림")
    assert sent == [
        {"type": "websocket.send", "text": '{"type":"pong"}'},
        {"type": "websocket.close", "code": 4008, "reason": "느림"},
    ]


def test_a_frame_is_encoded_and_framed_once_in_bytes():
    frame = Frame('{"message":"파드"}')
    assert frame.size == len('{"message":"파드"}'.encode()) == 20
    assert frame.payload is frame.payload
    prepared = frame.prepared()
    assert prepared is frame.prepared()
    assert prepared.payloadHybi == bytes([0x81, 20]) + frame.payload  # FIN + text, unmasked, 20 bytes


def test_unsent_bytes_count_twisteds_buffers_down_the_chain():
    reactor = MemoryReactor()
    tcp = abstract.FileDescriptor(reactor=reactor)
    tcp.connected = 1
    tcp.write(b"x" * 100)  # Twisted's real bookkeeping: _tempDataBuffer / _tempDataLen
    tcp.dataBuffer, tcp.offset = b"y" * 50, 20  # 30 of these not yet written

    class Tls:  # twisted.protocols.tls.TLSMemoryBIOProtocol keeps cleartext here before the handshake
        _appSendBuffer = [b"a" * 7, b"b" * 3]
        transport = tcp

    class Protocol:
        send_queue = collections.deque([(b"q" * 5, False)])
        transport = Tls()

    assert unsent_bytes(Protocol()) == 5 + 10 + 100 + 30
    assert unsent_bytes(object()) == 0


def test_a_frame_goes_straight_to_the_socket_when_nothing_waits(server):
    ours, peer = socket.socketpair()
    with ours, peer:
        tcp = FakeTcp(ours)
        outlet = DaphneOutlet(open_protocol(server, tcp))
        outlet.write(Frame('{"type":"diff","n":1}'))
        assert tcp.queued == [] and outlet.pending() == 0
        assert read_frame(peer) == (1, b'{"type":"diff","n":1}')


def test_behind_queued_bytes_a_frame_queues_in_order(server):
    ours, peer = socket.socketpair()
    with ours, peer:
        tcp = FakeTcp(ours)
        tcp.write(b"earlier")
        outlet = DaphneOutlet(open_protocol(server, tcp))
        outlet.write(Frame("later"))
        assert tcp.queued == [b"earlier", bytes([0x81, 5]) + b"later"]
        assert outlet.pending() == 7 + 7


def test_what_the_kernel_does_not_take_is_queued_after_what_it_took(server):
    ours, peer = socket.socketpair()
    with ours, peer:
        ours.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        ours.setblocking(False)
        tcp = FakeTcp(ours)
        outlet = DaphneOutlet(open_protocol(server, tcp))
        text = "x" * 60_000
        outlet.write(Frame(text))
        assert tcp.queued and 0 < outlet.pending() < 60_004
        peer.setblocking(True)
        received = b""
        while len(received) < 60_004 - outlet.pending():
            received += peer.recv(65536)
        assert (
            received + b"".join(tcp.queued) == bytes([0x81, 126]) + struct.pack("!H", 60_000) + text.encode()
        )


def test_a_closed_connection_gets_nothing(server):
    ours, peer = socket.socketpair()
    with ours, peer:
        tcp = FakeTcp(ours)
        protocol = open_protocol(server, tcp)
        protocol.state = protocol.STATE_CLOSING
        DaphneOutlet(protocol).write(Frame("late"))
        peer.setblocking(False)
        with pytest.raises(BlockingIOError):
            peer.recv(10)
        assert tcp.queued == []


async def test_close_sends_code_and_reason_and_gives_the_peer_a_grace_period(server):
    ours, peer = socket.socketpair()
    with ours, peer:
        tcp = FakeTcp(ours)
        protocol = open_protocol(server, tcp)
        closes = []
        protocol.sendClose = lambda code, reason: closes.append((code, reason))
        await DaphneOutlet(protocol).close(4008, "느림")
        assert closes == [(4008, "느림")]
        assert protocol.closeHandshakeTimeout == CLOSE_GRACE_SECONDS


def test_the_kernel_send_buffer_is_capped_through_twisteds_handle(server):
    ours, peer = socket.socketpair()
    with ours, peer:
        tcp = FakeTcp(ours)
        tcp.getHandle = lambda: ours
        before = ours.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)
        DaphneOutlet(open_protocol(server, tcp), sndbuf=8192)
        after = ours.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)
        assert after != before and after == 2 * 8192  # Linux doubles what it is given (socket(7))
    assert not limit_kernel_buffer(open_protocol(server, object()), 8192)  # no handle: left alone


def test_over_tls_frames_go_through_autobahn_and_twisteds_wrapper(server):
    class TlsWrapper:  # twisted.protocols.tls.TLSMemoryBIOProtocol: no socket of its own
        wrappedProtocol = None

        def __init__(self):
            self._appSendBuffer = []
            self.written = []

        def write(self, data):
            self.written.append(data)
            self._appSendBuffer.append(data)

    tls = TlsWrapper()
    outlet = DaphneOutlet(open_protocol(server, tls))
    outlet.write(Frame("hi"))
    assert tls.written == [bytes([0x81, 2]) + b"hi"]
    assert outlet.pending() == 4


def tcp_pair() -> tuple[socket.socket, socket.socket]:
    """A connected TCP pair on loopback (SIOCOUTQ counts a TCP socket's unacknowledged bytes)."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        ours = socket.create_connection(listener.getsockname())
        peer, _ = listener.accept()
    return ours, peer


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SIOCOUTQ is Linux's")
def test_pending_counts_what_the_kernel_still_holds_for_a_peer_that_does_not_read(server):
    ours, peer = tcp_pair()
    with ours, peer:
        peer.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        ours.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536)
        ours.setblocking(False)
        tcp = FakeTcp(ours)
        tcp.getHandle = lambda: ours
        outlet = DaphneOutlet(open_protocol(server, tcp))
        handed = sum(outlet.write(Frame("y" * 1000)) for _ in range(200))
        assert handed == 200 * 1004  # each frame with its 4-byte header
        # The peer's small window took a little; the rest waits in our kernel or in Twisted's buffer, and
        # all of it is counted, not only Twisted's share.
        twisted_share = tcp._tempDataLen
        assert kernel_unsent(ours.fileno()) > 0
        assert outlet.pending() == twisted_share + kernel_unsent(ours.fileno())
        assert outlet.pending() > twisted_share
        # Once the peer has read everything the kernel holds nothing more.
        peer.settimeout(5)
        received = 0
        while received < handed - twisted_share:
            received += len(peer.recv(65536))
        deadline = time.monotonic() + 5
        while kernel_unsent(ours.fileno()) and time.monotonic() < deadline:
            time.sleep(0.01)  # the last acknowledgement
        assert outlet.pending() == twisted_share
    assert kernel_unsent(-1) == 0
