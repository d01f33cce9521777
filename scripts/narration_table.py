"""Writes static/js/visualizer/narration-table.js from the engine's narration templates and event shapes.

Run after changing visualizer/engine/narration.py or event_wire.py SHAPES; tests/visualizer/test_event_wire_js.py
fails while the file is out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from visualizer.engine.event_wire import js_module  # noqa: E402

TARGET = ROOT / "static" / "js" / "visualizer" / "narration-table.js"


def main() -> None:
    TARGET.write_text(js_module(), encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
