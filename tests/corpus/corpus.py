"""The test corpus as the tests read it: lesson files, their expected facts, their mermaid blocks.

The lessons (tests/corpus/lessons/*.md) are written in the instructor's format; expected.json states what
each must yield once imported, by the rules in tests/corpus/README.md. This module only reads files: no
Django, so any test package can use it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CORPUS = Path(__file__).resolve().parent
LESSONS_DIR = CORPUS / "lessons"
EXPECTED_FILE = CORPUS / "expected.json"

# A fence opens with three or more backticks or tildes and closes with at least as many of the same
# character and nothing else on the line (CommonMark 0.31 §4.5, "Fenced code blocks").
FENCE_OPEN = re.compile(r"^ {0,3}(?P<marker>`{3,}|~{3,})\s*(?P<info>[^`]*)$")
HEADING = re.compile(r"^ {0,3}#{1,6}\s+(?P<text>.*?)\s*#*\s*$")

# The `aria-roledescription` mermaid 12.3.0 puts on the <svg> it draws, by the diagram's first keyword.
ROLE_OF_KIND = {
    "flowchart": "flowchart-v2",
    "graph": "flowchart-v2",
    "sequenceDiagram": "sequence",
    "stateDiagram-v2": "stateDiagram",
    "classDiagram": "classDiagram",
    "timeline": "timeline",
    "quadrantChart": "quadrantChart",
    "mindmap": "mindmap",
    "xychart-beta": "xychart",
    "architecture-beta": "architecture",
    "pie": "pie",
    "gantt": "gantt",
    "gitGraph": "gitGraph",
    "sankey-beta": "sankey",
    "journey": "journey",
    "C4Context": "c4",
    "erDiagram": "er",
    "radar-beta": "radar",
    "treemap-beta": "treemap",
    "block-beta": "block",
    "kanban": "kanban",
}


@dataclass(frozen=True)
class MermaidBlock:
    """One ```mermaid fence: the lesson file, its 1-based number there, the heading above it, its text."""

    file: str
    number: int
    heading: str
    source: str

    @property
    def kind(self) -> str:
        """Return the diagram keyword, e.g. 'sequenceDiagram', after any `---` front matter block."""
        body = self.source
        if body.lstrip().startswith("---"):
            body = body.lstrip()[3:].split("\n---", 1)[1]
        return body.split()[0]


@cache
def expected() -> list[dict]:
    """Return the per-lesson facts of expected.json, in file order."""
    return json.loads(EXPECTED_FILE.read_text(encoding="utf-8"))["lessons"]


def lesson_files() -> list[Path]:
    """Return every corpus lesson, sorted by name."""
    return sorted(LESSONS_DIR.glob("*.md"))


def mermaid_blocks(path: Path) -> list[MermaidBlock]:
    """Return the mermaid fences of one lesson in reading order; raise ValueError on an unclosed fence."""
    blocks: list[MermaidBlock] = []
    heading = ""
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        found = FENCE_OPEN.match(line)
        if not found:
            title = HEADING.match(line)
            if title:
                heading = title.group("text")
            i += 1
            continue
        marker = found.group("marker")
        end = i + 1
        while end < len(lines) and not re.fullmatch(
            rf" {{0,3}}{re.escape(marker[0])}{{{len(marker)},}}\s*", lines[end]
        ):
            end += 1
        if end == len(lines):
            raise ValueError(f"{path.name}:{i + 1}: fence never closed")
        if found.group("info").split()[:1] == ["mermaid"]:
            blocks.append(MermaidBlock(path.name, len(blocks) + 1, heading, "\n".join(lines[i + 1 : end])))
        i = end + 1
    return blocks


def all_mermaid_blocks() -> list[MermaidBlock]:
    """Return the mermaid fences of every corpus lesson."""
    return [block for path in lesson_files() for block in mermaid_blocks(path)]
