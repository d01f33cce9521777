"""The `v5.channel.k8s.io` WebSocket framing of exec/attach: pure encode/decode of binary messages.

Every message is **binary**; its first byte is the channel, the rest the payload
[S apimachinery pkg/util/remotecommand/constants.go; apimachinery pkg/util/httpstream/wsstream/conn.go;
client-go tools/remotecommand/websocket.go]:

    0 stdin    client → server: bytes typed / piped into the command
    1 stdout   server → client
    2 stderr   server → client (nothing with a TTY: the terminal merges it into stdout)
    3 error    server → client: one JSON `metav1.Status` when the command ended (Success, or NonZeroExitCode
               with `details.causes[{"reason":"ExitCode","message":"<n>"}]`, or another failure)
    4 resize   client → server: JSON `{"Width": W, "Height": H}` (terminal size, with a TTY)
    255 close  v5 only: the second byte names the channel the sender closed (`[255, 0]` = stdin EOF)

Text messages are not part of the protocol (the transport refuses them). The subprotocol the client offers,
and the server must echo in `Sec-WebSocket-Protocol`, is `PROTOCOL`.

    >>> encode(STDOUT, b"hi\\n")
    b'\\x01hi\\n'
    >>> decode(b"\\x00ls\\r")
    (0, b'ls\\r')
    >>> decode(close_frame(STDIN))
    (255, b'\\x00')
"""

from __future__ import annotations

import json

from visualizer.engine.body_limits import loads_json

PROTOCOL = "v5.channel.k8s.io"

STDIN = 0
STDOUT = 1
STDERR = 2
ERROR = 3
RESIZE = 4
CLOSE = 255

CHANNELS = (STDIN, STDOUT, STDERR, ERROR, RESIZE, CLOSE)


class FrameError(ValueError):
    """A message that is not a v5 frame (empty, unknown channel, malformed close or resize)."""


def encode(channel: int, data: bytes) -> bytes:
    """Returns the binary message carrying `data` on `channel` (0–4, or 255 with the closed channel as data).
    Raises FrameError for a channel outside the protocol."""
    if channel not in CHANNELS:
        raise FrameError(f"unknown channel {channel}")
    return bytes((channel,)) + bytes(data)


def decode(message: bytes) -> tuple[int, bytes]:
    """Returns (channel, payload) of a binary message; raises FrameError when it is empty, names an unknown
    channel, or is a close frame without exactly one channel byte."""
    if not message:
        raise FrameError("empty message")
    channel = message[0]
    if channel not in CHANNELS:
        raise FrameError(f"unknown channel {channel}")
    payload = bytes(message[1:])
    if channel == CLOSE and (len(payload) != 1 or payload[0] not in CHANNELS[:-1]):
        raise FrameError("a close frame names exactly one channel")
    return channel, payload


def close_frame(channel: int) -> bytes:
    """Returns the v5 close signal for `channel` (`[255, channel]`)."""
    if channel not in CHANNELS[:-1]:
        raise FrameError(f"unknown channel {channel}")
    return bytes((CLOSE, channel))


def encode_status(status: dict) -> bytes:
    """Returns the error-channel message carrying a Status (compact JSON, as the kubelet marshals it)."""
    return encode(ERROR, json.dumps(status, separators=(",", ":")).encode())


def decode_resize(payload: bytes) -> tuple[int, int]:
    """Returns (width, height) of a resize payload `{"Width":W,"Height":H}`; raises FrameError otherwise
    (client-go tools/remotecommand `TerminalSize` JSON)."""
    try:
        size = loads_json(payload)  # bounded: a deeply nested payload must not raise RecursionError
        width, height = int(size["Width"]), int(size["Height"])
    except (ValueError, TypeError, KeyError) as err:
        raise FrameError(f"bad resize message: {err}") from None
    if width < 0 or height < 0 or width > 0xFFFF or height > 0xFFFF:
        raise FrameError("bad resize message: size out of range")
    return width, height
