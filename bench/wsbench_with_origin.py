"""Run ../shared/bench/wsbench.py unchanged, except that its connections send an Origin header.

The app checks the Origin of every websocket (AllowedHostsOriginValidator); the bare baseline app does
not, and wsbench sends none. Same client code, one keyword added: `python bench/wsbench_with_origin.py
ORIGIN WSBENCH-ARGS...`.
"""

from __future__ import annotations

import functools
import importlib.util
import sys
from pathlib import Path

WSBENCH = Path(__file__).resolve().parents[2] / "shared" / "bench" / "wsbench.py"


def main() -> int:
    origin, argv = sys.argv[1], sys.argv[2:]
    spec = importlib.util.spec_from_file_location("wsbench", WSBENCH)
    wsbench = importlib.util.module_from_spec(spec)
    sys.modules["wsbench"] = wsbench
    spec.loader.exec_module(wsbench)
    wsbench.ws_connect = functools.partial(wsbench.ws_connect, origin=origin)
    return wsbench.main(argv) or 0


if __name__ == "__main__":
    sys.exit(main())
