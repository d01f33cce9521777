"""Runs the benchmarks: `python -m bench` runs every available one, `python -m bench engine` only the engine's.

A benchmark is a module `bench/<name>.py` defining:
- `TITLE`: one line for the report heading;
- `available() -> str | None`: None when it can run, otherwise the reason it cannot (printed, never hidden);
- `main(argv: list[str]) -> int`: prints Markdown to stdout and returns an exit status.
Add a new one by writing the module and listing its name in `BENCHMARKS`. Arguments after `--` go to the
benchmark itself: `python -m bench engine -- --quick`.
"""

from __future__ import annotations

import importlib
import sys

from bench.common import commit, heading, load_average, machine, reference_loop_ms

# In the order `python -m bench` runs them.
BENCHMARKS = ["engine", "classroom", "visualizer", "bandwidth", "scaleout", "abuse", "markdown_parsers"]


def _usage() -> str:
    return "usage: python -m bench [NAME ...] [-- BENCHMARK-ARGS]\nbenchmarks: " + ", ".join(BENCHMARKS)


def main(argv: list[str]) -> int:
    """Returns 0 when every selected benchmark ran and succeeded, 1 when one failed, 2 on a usage error."""
    extra: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, extra = argv[:cut], argv[cut + 1 :]
    if any(a in ("-h", "--help") for a in argv):
        print(_usage())
        return 0
    unknown = [a for a in argv if a not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}\n{_usage()}", file=sys.stderr)
        return 2
    names = argv or BENCHMARKS
    explicit = bool(argv)
    print(heading("Orchestra Lab benchmarks", 1))
    print()
    print(
        f"Machine: {machine()}; reference loop {reference_loop_ms():.0f} ms (bench.common.reference_loop_ms)"
    )
    print()
    print(f"Commit `{commit()}`; load average (1/5/15 min) at the start: {load_average()}.")
    print()
    status = 0
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        reason = module.available()
        if reason is not None:
            # Asking for a benchmark by name that cannot run is an error; running "all" just reports it.
            print(f"{heading(module.TITLE)}\n\nNot run: {reason}\n")
            if explicit:
                status = 1
            continue
        print(heading(module.TITLE))
        print()
        sys.stdout.flush()
        status = max(status, 1 if module.main(extra) else 0)
    print(f"Load average at the end of the report: {load_average()}.")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
