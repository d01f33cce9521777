"""Quiet access to mermaid-py's diagram builders.

Importing `mermaid` prints "Warning: IPython is not installed..." to stdout, which would land in the
server's output (and in a management command's). Import it through here. Only the builders (flowchart,
sequence, ...) are for use: `mermaid.Mermaid` renders through a web service, which a classroom LAN may not
reach, so the app never instantiates it; mermaid.js in the browser draws the text instead.
"""

from __future__ import annotations

import contextlib
import io
import sys
from types import ModuleType


def load_mermaid() -> ModuleType:
    """Return the `mermaid` package, imported without letting its IPython warning reach stdout."""
    if "mermaid" in sys.modules:
        return sys.modules["mermaid"]
    with contextlib.redirect_stdout(io.StringIO()):
        import mermaid
    return mermaid
