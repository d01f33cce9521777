"""Instruction counts of the classroom rollout inside `Cluster.advance()`, which do not move with the load.

CPU figures on the shared VMs move by ±25 % from minute to minute, so engine speed work is judged by the
number of machine instructions valgrind's callgrind counts while only `advance()` runs:

1. `prepare DIR` (plain Python, any engine): builds each seed's settled classroom cluster with the
   benchmark's own `build_cluster`, saves it with `to_dict` to DIR/seed-N.json, and finds how many ticks
   its rollout takes after `kubectl set image` (DIR/ticks.json). Prepare once and measure every engine on
   the same saved clusters.
2. `measure DIR [--root ROOT]`: runs this file under `valgrind --tool=callgrind --instr-atstart=no` with
   `PYTHONHASHSEED=0`, with ROOT (default: this checkout) first on `sys.path`; each seed's cluster is restored
   with `from_dict`, `kubectl set image` runs, and instrumentation is switched on (a client request from a
   tiny C helper compiled on the spot) for exactly the rollout's ticks and off again, so nothing but
   `advance()` is counted. Prints the total and per-seed counts.

Needs valgrind, its headers (/usr/include/valgrind/callgrind.h) and a C compiler. Example:

    python -m bench.callgrind_rollout prepare /tmp/speed/clusters
    python -m bench.callgrind_rollout measure /tmp/speed/clusters --root /tmp/speed-base   # before
    python -m bench.callgrind_rollout measure /tmp/speed/clusters                          # after
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
SEEDS = range(7, 16)  # the bench's classroom seeds: nine from 7
TICK = 0.1
WORKERS, PODS = 5, 30

HELPER_C = r"""
#include <valgrind/callgrind.h>
void cg_start(void) { CALLGRIND_START_INSTRUMENTATION; }
void cg_stop(void) { CALLGRIND_STOP_INSTRUMENTATION; }
"""


def prepare(out: Path) -> None:
    """Saves each seed's settled classroom cluster and the number of ticks its rollout takes."""
    from bench.engine import build_cluster, layout, rollout
    from visualizer.engine import Cluster

    out.mkdir(parents=True, exist_ok=True)
    plan = layout(PODS)
    ticks = {}
    for seed in SEEDS:
        cluster, _ = build_cluster(WORKERS, plan, seed, TICK)
        data = cluster.to_dict()
        (out / f"seed-{seed}.json").write_text(json.dumps(data))
        ticks[seed] = rollout(Cluster.from_dict(json.loads(json.dumps(data))), plan, TICK).ticks
    (out / "ticks.json").write_text(json.dumps(ticks))
    print(f"prepared {len(ticks)} clusters in {out}: ticks {ticks}")


def _helper() -> ctypes.CDLL:
    build = Path(tempfile.mkdtemp(prefix="cgctl-"))
    (build / "cgctl.c").write_text(HELPER_C)
    subprocess.run(
        ["cc", "-shared", "-fPIC", "-O1", "-o", str(build / "cgctl.so"), str(build / "cgctl.c")],
        check=True,
    )
    return ctypes.CDLL(str(build / "cgctl.so"))


def inner(clusters: Path) -> None:
    """Runs under valgrind: counts only the rollouts' ticks."""
    from bench.engine import NEW_IMAGE, layout
    from visualizer.engine import Cluster

    cg = _helper()
    ticks = json.loads((clusters / "ticks.json").read_text())
    for seed in SEEDS:
        cluster = Cluster.from_dict(json.loads((clusters / f"seed-{seed}.json").read_text()))
        for name, _ in layout(PODS):
            assert cluster.run(f"kubectl set image deployment/{name} nginx={NEW_IMAGE}").ok
        gc.collect()
        cg.cg_start()
        for _ in range(ticks[str(seed)]):
            cluster.advance(seconds=TICK)
        cg.cg_stop()
        print(f"seed {seed} done", file=sys.stderr)


def measure(clusters: Path, root: Path) -> int:
    """Runs `inner` under callgrind with `root`'s engine; prints and returns the instruction total."""
    out = Path(tempfile.mkdtemp(prefix="cgout-")) / "callgrind.out"
    env = dict(os.environ, PYTHONHASHSEED="0")
    cmd = [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        f"--callgrind-out-file={out}",
        sys.executable,
        __file__,
        "inner",
        str(clusters),
        "--root",
        str(root),
    ]
    subprocess.run(cmd, env=env, check=True, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    # The file's own `summary:` line reads 0 when instrumentation starts off; callgrind_annotate adds it up.
    report = subprocess.run(["callgrind_annotate", str(out)], check=True, capture_output=True, text=True)
    total = int(re.search(r"^([\d,]+) .*PROGRAM TOTALS", report.stdout, re.M).group(1).replace(",", ""))
    print(f"{root}: {total:,} instructions ({out})")
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("dir", type=Path)
    m = sub.add_parser("measure")
    m.add_argument("dir", type=Path)
    m.add_argument("--root", type=Path, default=HERE)
    i = sub.add_parser("inner")  # what `measure` runs under valgrind
    i.add_argument("dir", type=Path)
    i.add_argument("--root", type=Path, default=HERE)
    args = parser.parse_args()
    if args.what == "prepare":
        prepare(args.dir)
    elif args.what == "measure":
        measure(args.dir.resolve(), args.root.resolve())
    else:
        inner(args.dir)


if __name__ == "__main__":
    # Run as a script (under valgrind), sys.path[0] is bench/; the engine must come from --root instead.
    if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
        root = sys.argv[sys.argv.index("--root") + 1] if "--root" in sys.argv else str(HERE)
        sys.path[0] = root
    main()
