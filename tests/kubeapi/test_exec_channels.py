"""The v5.channel.k8s.io frame codec (visualizer/kubeapi/channels_v5.py)."""

from __future__ import annotations

import json

import pytest

from visualizer.kubeapi import channels_v5 as v5


def test_protocol_name_and_channel_numbers():
    assert v5.PROTOCOL == "v5.channel.k8s.io"
    assert (v5.STDIN, v5.STDOUT, v5.STDERR, v5.ERROR, v5.RESIZE, v5.CLOSE) == (0, 1, 2, 3, 4, 255)


@pytest.mark.parametrize("channel", [0, 1, 2, 3, 4])
def test_encode_decode_round_trip(channel):
    data = bytes(range(256))
    message = v5.encode(channel, data)
    assert message[0] == channel and message[1:] == data
    assert v5.decode(message) == (channel, data)


def test_empty_payload_is_a_frame():
    assert v5.encode(v5.STDOUT, b"") == b"\x01"
    assert v5.decode(b"\x00") == (0, b"")


def test_close_frame_names_the_closed_channel():
    assert v5.close_frame(v5.STDIN) == b"\xff\x00"
    assert v5.decode(b"\xff\x00") == (255, b"\x00")
    with pytest.raises(v5.FrameError):
        v5.close_frame(255)


@pytest.mark.parametrize("message", [b"", b"\x05x", b"\x10", b"\xff", b"\xff\x00\x01", b"\xff\x09"])
def test_malformed_messages_are_refused(message):
    with pytest.raises(v5.FrameError):
        v5.decode(message)


def test_unknown_channel_cannot_be_encoded():
    with pytest.raises(v5.FrameError):
        v5.encode(7, b"x")


def test_status_on_the_error_channel_is_compact_json():
    message = v5.encode_status({"metadata": {}, "status": "Success"})
    assert message == b'\x03{"metadata":{},"status":"Success"}'
    assert json.loads(v5.decode(message)[1]) == {"metadata": {}, "status": "Success"}


def test_resize_payload():
    assert v5.decode_resize(b'{"Width":120,"Height":40}') == (120, 40)
    for bad in (b"", b"{}", b'{"Width":"x","Height":1}', b'{"Width":-1,"Height":1}', b"[1,2]"):
        with pytest.raises(v5.FrameError):
            v5.decode_resize(bad)
