"""The pure parts of the lesson ↔ sandbox bridge and of runnable-block detection, under Node.

`readRunRequest` (static/js/visualizer/embed-bridge.js) is the only gate between a posted message and the
sandbox's console: it must take well-formed run requests and nothing else. `detectRunnable`
(static/js/course/runnable-blocks.js) decides which lesson blocks get a button; the lesson's own two
blocks must, and shell it cannot run faithfully must not. Skipped, with the reason, without `node`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import node

ROOT = Path(__file__).resolve().parents[2]
pytestmark = node.needs_node


def run_node(script: str, data: object) -> object:
    """Run an ES module script (in ROOT / "static" / "js") with `DATA` bound to `data`; return what it prints as JSON."""
    return node.run_node(script, data, cwd=ROOT / "static" / "js")


def detect(cases: list[tuple[str, str]]) -> list[dict | None]:
    return run_node(
        'import { detectRunnable } from "./course/runnable-blocks.js";\n'
        "console.log(JSON.stringify(DATA.map(([text, lang]) => detectRunnable(text, lang))));",
        cases,
    )


def lesson_blocks() -> list[str]:
    """The two code blocks of concept 1 in the instructor's lesson, as written."""
    text = (ROOT / "course" / "content" / "week2-day4-session2.md").read_text(encoding="utf-8")
    start = text.index("#### 📜 선언적 vs 명령적 관리")
    part = text[start : text.index("### 🔍 개념 2", start)]
    blocks = part.split("```")[1::2]
    return [block.split("\n", 1)[1] for block in blocks]


def test_the_lessons_two_blocks_are_a_command_block_and_a_manifest():
    """`docker run -d nginx:1.20` ×3 between comments; the Deployment with its comments, as one document."""
    imperative, declarative = lesson_blocks()
    found = detect([(imperative, "bash"), (imperative, ""), (declarative, "yaml"), (declarative, "")])
    three = [{"text": "docker run -d nginx:1.20", "stdin": None}] * 3
    assert found[0] == found[1] == {"kind": "commands", "commands": three}
    assert found[2] == found[3]
    assert found[2]["kind"] == "manifest" and found[2]["yaml"] == declarative
    assert found[2]["objects"] == [{"kind": "Deployment", "name": "nginx"}]


def test_prompts_transcripts_continuations_and_heredocs():
    """`$ ` marks commands in a transcript, `\\` joins lines, `<<EOF` is stdin, `# …` is dropped."""
    found = detect(
        [
            ("$ kubectl get pods\nNAME    READY\nweb-1   1/1\n$ kubectl get nodes  # all three\n", "console"),
            ("kubectl create deployment web \\\n  --image=nginx:1.20 \\\n  --replicas=3\n", "sh"),
            (
                "kubectl apply -f - <<EOF\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: lab\nEOF\n",
                "bash",
            ),
            ('kubectl run t --image=busybox -- sh -c "echo hi > /tmp/x; sleep 1"\n', ""),
        ]
    )
    assert [c["text"] for c in found[0]["commands"]] == ["kubectl get pods", "kubectl get nodes"]
    assert found[1]["commands"] == [
        {"text": "kubectl create deployment web --image=nginx:1.20 --replicas=3", "stdin": None}
    ]
    assert found[2]["commands"] == [
        {"text": "kubectl apply -f -", "stdin": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: lab\n"}
    ]
    assert found[3]["commands"][0]["text"].endswith('"echo hi > /tmp/x; sleep 1"'), (
        "quoted shell is an argument"
    )


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("kubectl get pods | grep web\n", "bash"),  # a pipe: the sandbox has no grep
        ("kubectl get pods && kubectl get nodes\n", ""),
        ("kubectl logs web > web.log\n", "sh"),
        ("kubectl delete pod $(kubectl get pods -o name)\n", "bash"),
        ("echo hello\nkubectl get pods\n", "bash"),  # any other program: the whole block is not run
        ("sudo docker ps\n", "bash"),
        ("# only a comment\n", "bash"),
        ("kubectl apply -f - <<EOF\nkind: Pod\n", "bash"),  # an unclosed heredoc
        ("apiVersion: v1\nkind: Pod\n", "json"),  # another language named by the fence
        ("spec:\n  apiVersion: v1\n  kind: Pod\n", "yaml"),  # not top-level
        ("replicas: 3\nimage: nginx\n", "yaml"),  # a values file, not an object
        ("apiVersion: v1\nkind: Pod\n---\nname: x\n", "yaml"),  # one document is not an object
        ("apiVersion: v1\nkind: {{ .Values.kind }}\n", "yaml"),  # a template
        ("print('kubectl get pods')\n", "python"),
    ],
)
def test_what_the_sandbox_cannot_run_faithfully_gets_no_button(text, lang):
    assert detect([(text, lang)]) == [None]


def test_a_multi_document_manifest_names_every_object():
    text = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
    (found,) = detect([(text, "yml")])
    assert found["objects"] == [{"kind": "Service", "name": "web"}, {"kind": "Deployment", "name": "web"}]


def test_only_well_formed_run_requests_cross_the_bridge():
    messages = [
        {"source": "orchestra-lab:lesson", "type": "run", "id": 1, "text": "kubectl get pods", "stdin": None},
        {
            "source": "orchestra-lab:lesson",
            "type": "run",
            "id": "a",
            "text": "kubectl apply -f -",
            "stdin": "kind: Pod\n",
        },
        {"source": "orchestra-lab:lesson", "type": "run", "id": 2, "text": "kubectl get pods"},
        {"source": "elsewhere", "type": "run", "id": 3, "text": "kubectl get pods", "stdin": None},
        {"source": "orchestra-lab:lesson", "type": "hello"},
        {"source": "orchestra-lab:lesson", "type": "run", "id": {"x": 1}, "text": "kubectl get pods"},
        {"source": "orchestra-lab:lesson", "type": "run", "id": 4, "text": "   "},
        {"source": "orchestra-lab:lesson", "type": "run", "id": 5, "text": "k" * 5000},
        {"source": "orchestra-lab:lesson", "type": "run", "id": 6, "text": "kubectl get pods", "stdin": 7},
        "kubectl get pods",
        None,
    ]
    out = run_node(
        'import { readRunRequest } from "./visualizer/embed-bridge.js";\n'
        "console.log(JSON.stringify(DATA.map(readRunRequest)));",
        messages,
    )
    assert (
        out
        == [
            {"id": 1, "text": "kubectl get pods", "stdin": None},
            {"id": "a", "text": "kubectl apply -f -", "stdin": "kind: Pod\n"},
            {"id": 2, "text": "kubectl get pods", "stdin": None},
        ]
        + [None] * 8
    )
