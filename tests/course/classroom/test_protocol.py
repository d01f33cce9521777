"""The classroom protocol: parsing refuses everything malformed; Python, JavaScript and the doc agree."""

import json
import re
from pathlib import Path

import pytest

from course.classroom import protocol

ROOT = Path(__file__).resolve().parents[3]


def test_it_parses_a_valid_student_frame():
    kind, fields = protocol.parse(
        '{"v":1,"type":"answer","question":"q","response":[1],"round":0}', staff=False
    )
    assert kind == "answer" and fields == {"question": "q", "response": [1], "round": 0}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("not json", "bad_json"),
        ("[1,2]", "bad_frame"),
        ('{"type":"nope"}', "unknown_type"),
        ('{"type":"section.set","section":"why"}', "unknown_type"),  # a student may not pace the class
        ('{"type":"answer","question":"q","response":1}', "bad_fields"),
        ('{"type":"answer","question":"q","response":1,"round":0,"extra":1}', "bad_fields"),
        ('{"type":"answer","question":1,"response":1,"round":0}', "bad_fields"),
        ('{"type":"answer","question":"q","response":1,"round":true}', "bad_fields"),
        ('{"v":2,"type":"ping"}', "version"),
        ("x" * (protocol.MAX_FRAME + 1), "too_large"),
        (b"\x00", "binary"),
        # The same hostile frames the visualizer's socket is tested with (both go through wscodec).
        (
            '{"type":"answer","question":"q","response":' + "[" * 30_000 + "]" * 30_000 + ',"round":0}',
            "too_deep",
        ),
        ('{"type":"answer","question":"q","response":[[[[1]]]],"round":0}', "too_deep"),
        ('{"type":"predict.vote","prediction":"p","choice":1e999}', "bad_number"),
        ('{"type":"predict.vote","prediction":"p","choice":' + "7" * 5000 + "}", "bad_number"),
        ('{"type":"answer","question":"q","response":NaN,"round":0}', "bad_number"),
        ('{"type":"ping","type":"ping"}', "duplicate_key"),
        ('{"type":"answer","question":"\\udc00","response":1,"round":0}', "bad_text"),
        ("", "bad_json"),
        (" ", "bad_json"),
    ],
)
def test_it_refuses_malformed_frames_with_a_code(text, code):
    with pytest.raises(protocol.ProtocolError) as info:
        protocol.parse(text, staff=False)
    assert info.value.code == code


def test_staff_frames_accept_null_pair():
    assert protocol.parse('{"type":"spotlight.set","pair":null}', staff=True) == (
        "spotlight.set",
        {"pair": None},
    )


def test_build_refuses_unknown_server_types():
    with pytest.raises(ValueError):
        protocol.build("answer")
    assert json.loads(protocol.build("pong")) == {"v": 1, "type": "pong"}


def _js_list(source: str, name: str) -> list[str]:
    match = re.search(rf"export const {name} = \[(.*?)\];", source, re.S)
    return re.findall(r'"([^"]+)"', match.group(1))


def test_python_javascript_and_document_list_the_same_types():
    js = (ROOT / "static/js/classroom/protocol.js").read_text()
    assert _js_list(js, "SERVER_TYPES") == list(protocol.SERVER_TYPES)
    assert _js_list(js, "STUDENT_TYPES") == list(protocol.STUDENT_TYPES)
    assert _js_list(js, "STAFF_TYPES") == list(protocol.STAFF_TYPES)
    assert f"VERSION = {protocol.VERSION};" in js
    doc = (ROOT / "docs/protocol.md").read_text()
    classroom = doc.split("## Classroom", 1)[1].split("\n## ", 1)[0]
    headings = re.findall(r"^#### (\S+)$", classroom, re.M)
    assert sorted(headings) == sorted(set(protocol.CLIENT_TYPES) | set(protocol.SERVER_TYPES))
    assert len(headings) == len(set(headings))


def test_module_imports_end_with_a_semicolon_for_the_manifest_storage():
    for path in (ROOT / "static/js/classroom").glob("*.js"):
        for line in path.read_text().splitlines():
            if line.startswith("import ") or (line.startswith("export ") and " from " in line):
                assert line.rstrip().endswith(";"), f"{path.name}: {line}"
