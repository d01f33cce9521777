"""The visualizer protocol refuses anything malformed with a stable code and builds serialised frames."""

import json

import pytest

from visualizer import protocol


def test_it_parses_a_command():
    """A well-formed command comes back as its type and fields."""
    kind, fields = protocol.parse(
        json.dumps({"v": 1, "type": "command", "id": 3, "text": "kubectl get pods", "stdin": None})
    )
    assert kind == "command" and fields == {"id": 3, "text": "kubectl get pods", "stdin": None}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (b"\x00", "binary"),
        ("x" * (protocol.MAX_FRAME + 1), "too_large"),
        ("{not json", "bad_json"),
        ("[1,2]", "bad_frame"),
        ('{"v": 2, "type": "ping"}', "version"),
        ('{"type": "rm -rf"}', "unknown_type"),
        ('{"type": "command", "id": 1, "text": "x"}', "bad_fields"),
        ('{"type": "command", "id": 1, "text": 5, "stdin": null}', "bad_fields"),
        ('{"type": "command", "id": true, "text": "x", "stdin": null}', "bad_fields"),
        ('{"type": "control", "action": "explode", "value": null}', "bad_fields"),
        ('{"type": "control", "action": "speed", "value": 100}', "bad_fields"),
        ('{"type": "ping", "extra": 1}', "bad_fields"),
    ],
)
def test_it_refuses_malformed_frames_with_a_code(text, code):
    """Each kind of bad frame gets its own stable error code and a Korean message."""
    with pytest.raises(protocol.ProtocolError) as caught:
        protocol.parse(text)
    assert caught.value.code == code
    assert caught.value.message


def test_speed_accepts_the_five_documented_values():
    """0.5× to 8× are the speeds a cluster can run at."""
    for speed in (0.5, 1, 2, 4, 8):
        assert (
            protocol.parse(json.dumps({"type": "control", "action": "speed", "value": speed}))[0] == "control"
        )


def test_build_makes_compact_versioned_text_and_refuses_unknown_types():
    """Frames are serialised once, with the version; unknown server types are a programming error."""
    assert json.loads(protocol.build("pong")) == {"v": 1, "type": "pong"}
    with pytest.raises(ValueError):
        protocol.build("nope")


def test_error_frames_echo_the_request_id():
    """An error says which request it answers."""
    assert json.loads(protocol.error("busy", "잠시 후", 7)) == {
        "v": 1,
        "type": "error",
        "code": "busy",
        "message": "잠시 후",
        "ref": 7,
    }


@pytest.mark.parametrize("kind", ["api", "api.poll", "api.close", "exec.open", "exec.step", "exec.close"])
def test_browsers_cannot_send_the_kubernetes_apis_host_kinds(kind):
    """The API's requests carry the role the transport checked (visualizer/kubeapi/transport.py); a browser
    frame of those kinds would claim any role, so the socket's protocol refuses them."""
    frame = json.dumps(
        {"v": 1, "type": kind, "method": "DELETE", "path": "/api/v1/nodes/worker-1", "role": "control"}
    )
    with pytest.raises(protocol.ProtocolError) as err:
        protocol.parse(frame)
    assert err.value.code == "unknown_type"
