"""mermaid-py is used for its builders only, imported quietly, never through its web-service renderer."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_loading_mermaid_py_prints_nothing():
    """The IPython warning mermaid-py prints on import stays out of the app's output."""
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from course.mermaid_py import load_mermaid; m = load_mermaid(); print('ok', m.__version__)",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.stdout.startswith("ok ") and "IPython" not in out.stdout + out.stderr


def test_builders_produce_mermaid_text_offline():
    """The flowchart builder gives diagram text without any network call."""
    from course.mermaid_py import load_mermaid

    load_mermaid()
    from mermaid.flowchart import FlowChart, Link, Node

    a, b = Node("api", "API Server"), Node("etcd", "etcd")
    chart = FlowChart("flow", nodes=[a, b], links=[Link(a, b)])
    assert "api" in chart.script and "-->" in chart.script


def test_no_code_instantiates_the_web_service_renderer():
    """Nothing in the app calls mermaid.Mermaid(...), which renders through mermaid.ink."""
    pattern = re.compile(r"\bMermaid\s*\(")
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("course", "visualizer", "config")
        for path in (ROOT / folder).rglob("*.py")
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
