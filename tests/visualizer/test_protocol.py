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


DEEP = "[" * 70_000 + "]" * 70_000  # within MAX_FRAME (144 KiB); json.loads alone raises RecursionError


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (DEEP, "too_deep"),
        ('{"type": "ping", "x": ' + "[" * 60_000 + "]" * 60_000 + "}", "too_deep"),
        ("[" * 140_000, "too_deep"),  # never closed: the parser's RecursionError, caught
        # An unterminated string of escaped quotes: the nesting scan once took quadratic time on it (minutes).
        ("[" * 10 + '"' + '\\"' * 70_000, "bad_json"),
        ("{" * 40_000, "bad_json"),  # an object's first token must be a key
        ('{"type": "command", "id": 1e999999, "text": "x", "stdin": null}', "bad_number"),
        ('{"type": "command", "id": ' + "9" * 10_000 + ', "text": "x", "stdin": null}', "bad_number"),
        ('{"type": "command", "id": 9007199254740992, "text": "x", "stdin": null}', "bad_number"),
        ('{"type": "control", "action": "speed", "value": NaN}', "bad_number"),
        ('{"type": "control", "action": "speed", "value": Infinity}', "bad_number"),
        ('{"type": "control", "action": "speed", "value": -Infinity}', "bad_number"),
        ('{"type": "ping", "type": "command"}', "duplicate_key"),
        ('{"type": "complete", "id": 1, "id": 2, "prefix": "k"}', "duplicate_key"),
        ('{"type": "command", "id": 1, "text": "\\ud800", "stdin": null}', "bad_text"),
        ('{"type": "\\udfff"}', "bad_text"),
        ("", "bad_json"),
        ("   \n\t ", "bad_json"),
        ('{"type": "ping",}', "bad_json"),
        ("\ufeff{}", "bad_json"),
        (b"\xff\xfe\x00", "binary"),
        ("null", "bad_frame"),
        ('"ping"', "bad_frame"),
        ('{"v": true, "type": "ping"}', "version"),
        ('{"type": ["ping"]}', "unknown_type"),
        ('{"type": "ping", "__proto__": {"role": "control"}}', "bad_fields"),
        ('{"type": "resync", "constructor": {}}', "bad_fields"),
        ('{"type": "command", "id": 1.5, "text": "x", "stdin": null}', "bad_fields"),
        ('{"type": "command", "id": null, "text": "x", "stdin": null}', "bad_fields"),
        ('{"type": "command", "id": {"a": 1}, "text": "x", "stdin": null}', "bad_fields"),
        ('{"type": "command", "id": 1, "text": {"$gt": ""}, "stdin": null}', "bad_fields"),
        ('{"type": "command", "id": 1, "text": ["kubectl"], "stdin": null}', "bad_fields"),
        ('{"type": "complete", "id": 1, "prefix": false}', "bad_fields"),
        ('{"type": "control", "action": "speed", "value": "2"}', "bad_fields"),
        ('{"type": "control", "action": "speed", "value": true}', "bad_fields"),
        ('{"type": "scenario.start", "scenario": 5}', "bad_fields"),
    ],
)
def test_hostile_frames_get_a_stable_code_and_never_another_exception(text, code):
    """Deep nesting, numbers a browser cannot hold, repeated keys, unpaired surrogates, empty text, binary
    frames and wrong types: each is a ProtocolError with its own code (not RecursionError, ValueError, …)."""
    with pytest.raises(protocol.ProtocolError) as caught:
        protocol.parse(text)
    assert caught.value.code == code
    assert caught.value.message


def test_surrogate_pairs_and_the_largest_safe_integer_are_fine():
    """An escaped emoji (a valid UTF-16 pair) is text; 2^53−1 is an id a browser holds exactly."""
    kind, fields = protocol.parse(
        '{"type": "command", "id": 9007199254740991, "text": "echo \\ud83d\\ude00", "stdin": null}'
    )
    assert fields == {"id": 9007199254740991, "text": "echo 😀", "stdin": None}


def test_brackets_inside_strings_do_not_count_as_nesting():
    """A YAML apply full of flow sequences (`[a, [b]]`) sits inside a JSON string: depth 1, accepted."""
    stdin = "items: " + "[" * 5000 + "]" * 5000 + ' "\\" {'
    kind, fields = protocol.parse(
        json.dumps({"type": "command", "id": 1, "text": "kubectl apply -f -", "stdin": stdin})
    )
    assert fields["stdin"] == stdin


def test_a_refused_frame_still_names_its_request():
    """A wrong-typed field of a frame with an id is answered with that id (truncated to 64 characters)."""
    with pytest.raises(protocol.ProtocolError) as caught:
        protocol.parse(json.dumps({"type": "command", "id": "r" * 100, "text": 5, "stdin": None}))
    assert caught.value.ref == "r" * 64
