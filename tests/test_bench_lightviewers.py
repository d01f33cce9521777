"""The scale-out benchmark's light client and CPU cap (bench/lightviewers.py, bench/cpucap.py), without servers.

The client reads frame headers off the raw stream: these feed it server frames (unmasked, RFC 6455 §5.2) cut
into arbitrary chunks and check what it counts, that it answers a ping with the ping's data, and that a
frame it only skims (a snapshot of 80 KB) does not shift the frames after it.
"""

import asyncio
import json
import random
import time

from bench import cpucap, lightviewers


def server_frame(text: str | bytes, opcode: int = 0x1) -> bytes:
    data = text.encode() if isinstance(text, str) else text
    n = len(data)
    if n < 126:
        header = bytes([0x80 | opcode, n])
    elif n < 65536:
        header = bytes([0x80 | opcode, 126]) + n.to_bytes(2, "big")
    else:
        header = bytes([0x80 | opcode, 127]) + n.to_bytes(8, "big")
    return header + data


class FakeTransport:
    def __init__(self) -> None:
        self.written: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.written.append(data)

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.closed = True


def unmask(frame: bytes) -> tuple[int, bytes]:
    """Return (opcode, payload) of one masked client frame."""
    n = frame[1] & 0x7F
    assert frame[1] & 0x80, "client frames are masked"
    offset = 2 + (2 if n == 126 else 8 if n == 127 else 0)
    key, body = frame[offset : offset + 4], frame[offset + 4 :]
    return frame[0] & 0x0F, bytes(b ^ key[i % 4] for i, b in enumerate(body))


def test_counts_diffs_times_the_sampled_viewer_and_skips_big_frames_in_any_chunking():
    async def scenario():
        counts = lightviewers.Counts()
        viewer = lightviewers.Viewer(
            counts, "127.0.0.1", 1, "/ws/", "", b'"type":"snapshot"', b'"type":"diff"', True
        )
        transport = FakeTransport()
        viewer.connection_made(transport)
        now = time.time()
        snapshot = json.dumps({"v": 1, "type": "snapshot", "pad": "x" * 80_000}, separators=(",", ":"))
        diffs = [
            json.dumps(
                {
                    "v": 1,
                    "type": "diff",
                    "from": i,
                    "to": i + 1,
                    "ts": now - 0.05,
                    "diff": {"p": "y" * (i * 70)},
                },
                separators=(",", ":"),
            )
            for i in range(10)
        ]
        stream = (
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"
            + server_frame(snapshot)
            + server_frame(b"ping-data", 0x9)
            + b"".join(server_frame(d) for d in diffs[:3])
        )
        late = server_frame(json.dumps({"v": 1, "type": "error", "code": "x"})) + b"".join(
            server_frame(d) for d in diffs[3:]
        )
        rng = random.Random(7)
        for chunked in (stream, late):
            pos = 0
            while pos < len(chunked):
                step = rng.choice([1, 2, 3, 7, 64, 1000, 70_000])
                viewer.data_received(chunked[pos : pos + step])
                pos += step
            if chunked is stream:
                assert viewer.ready.done() and counts.delivered == 0  # not measuring yet
                counts.measuring = True
        assert counts.delivered == 7
        assert counts.other == {"error": 1}
        assert counts.versions == {4, 5, 6, 7, 8, 9, 10}
        assert len(counts.latencies) == 7 and all(0.04 < lat < 5 for lat in counts.latencies)
        pongs = [unmask(frame) for frame in transport.written[1:]]
        assert pongs == [(0xA, b"ping-data")]

    asyncio.run(scenario())


def test_a_refused_handshake_fails_the_viewer():
    async def scenario():
        viewer = lightviewers.Viewer(lightviewers.Counts(), "127.0.0.1", 1, "/", "", b"r", b"m", False)
        viewer.connection_made(FakeTransport())
        viewer.data_received(b"HTTP/1.1 403 Forbidden\r\n\r\n")
        assert isinstance(viewer.ready.exception(), ConnectionError)

    asyncio.run(scenario())


def test_masked_frames_round_trip():
    for size in (0, 5, 125, 126, 70_000):
        payload = bytes(range(256)) * (size // 256) + bytes(size % 256)
        assert unmask(lightviewers.mask_frame(0x1, payload)) == (0x1, payload)


def test_cpu_caps_say_why_not_without_a_cgroup_v1_cpu_controller(tmp_path):
    assert "no cgroup v1 cpu controller" in cpucap.unavailable(tmp_path)
