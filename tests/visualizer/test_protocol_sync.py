"""The visualizer protocol is written down once per language: Python, JavaScript and docs/protocol.md agree."""

from __future__ import annotations

import re
from pathlib import Path

from visualizer import protocol

ROOT = Path(__file__).resolve().parents[2]
JS = ROOT / "static/js/visualizer/protocol.js"


def _js_list(source: str, name: str) -> list:
    match = re.search(rf"export const {name} = \[(.*?)\];", source, re.S)
    assert match, f"{name} is not exported by protocol.js"
    return re.findall(r'"([^"]+)"', match.group(1))


def _js_numbers(source: str, name: str) -> list[float]:
    match = re.search(rf"export const {name} = \[(.*?)\];", source, re.S)
    assert match, f"{name} is not exported by protocol.js"
    return [float(x) for x in re.findall(r"[\d.]+", match.group(1))]


def test_javascript_lists_the_same_client_and_server_types_as_python():
    """protocol.js exports exactly the client types, control-only types and server types of protocol.py."""
    js = JS.read_text()
    assert _js_list(js, "CLIENT_TYPES") == list(protocol.CLIENT_TYPES)
    assert sorted(_js_list(js, "CONTROL_ONLY")) == sorted(protocol.CONTROL_ONLY)
    assert _js_list(js, "SERVER_TYPES") == list(protocol.SERVER_TYPES)
    assert sorted(_js_list(js, "CONTROL_ACTIONS")) == sorted(protocol.CONTROL_ACTIONS)
    assert f"VERSION = {protocol.VERSION};" in js


def test_javascript_offers_the_speeds_and_frame_limit_the_server_accepts():
    """The speed buttons and the client-side size check use the server's values."""
    js = JS.read_text()
    assert _js_numbers(js, "SPEEDS") == [float(s) for s in protocol.SPEEDS]
    assert f"MAX_FRAME = {protocol.MAX_FRAME // 1024} * 1024;" in js
    # The page refuses YAML over the engine's own limit before sending it, in the engine's words.
    assert f"MAX_STDIN = {protocol.MAX_STDIN // 1024} * 1024;" in js
    assert "the simulator accepts at most ${n(MAX_STDIN)} bytes (64 KiB) of YAML per command" in js
    # Any YAML the engine accepts fits in a frame, even with every character escaped in JSON.
    assert protocol.MAX_FRAME >= 2 * protocol.MAX_STDIN + 2 * 4096 + 256


def test_document_has_one_heading_per_type():
    """The "## Visualizer" part of docs/protocol.md has one `####` heading per client and server type."""
    doc = (ROOT / "docs/protocol.md").read_text()
    part = doc.split("## Visualizer", 1)[1].split("\n## ", 1)[0]
    headings = re.findall(r"^#### (\S+)$", part, re.M)
    assert len(headings) == len(set(headings))
    assert sorted(headings) == sorted(set(protocol.CLIENT_TYPES) | set(protocol.SERVER_TYPES))
    client = part.split("### Client → server", 1)[1].split("### Server → client", 1)[0]
    assert sorted(re.findall(r"^#### (\S+)$", client, re.M)) == sorted(protocol.CLIENT_TYPES)
