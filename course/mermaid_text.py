"""Mermaid text as the browser should draw it, for syntax a strict parser misreads.

The lesson writes `style M1,M2,M3,M4 fill:#fff3e0`; mermaid 12 accepts that line but treats
"M1,M2,M3,M4" as the id of a new node and draws an extra box, so the author's colours are lost. Here each
such line becomes one `style` line per node. The text shown to readers stays exactly as written.
"""

from __future__ import annotations

import re

MULTI_STYLE = re.compile(r"^(?P<indent>\s*)style\s+(?P<nodes>[\w-]+(?:\s*,\s*[\w-]+)+)\s+(?P<rest>\S.*)$")


def normalise(source: str) -> str:
    """Return the source with multi-node `style` lines split, one per node; other lines unchanged."""
    out: list[str] = []
    for line in source.split("\n"):
        found = MULTI_STYLE.match(line)
        if found is None:
            out.append(line)
            continue
        for node in found.group("nodes").split(","):
            out.append(f"{found.group('indent')}style {node.strip()} {found.group('rest')}")
    return "\n".join(out)
