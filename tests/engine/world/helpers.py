"""Small readers of kubectl output shared by the real-world cases (each was written the same way in several files)."""

from tests.engine.conftest import ok


def table(c, command: str) -> list[list[str]]:
    """Returns the rows of the kubectl table `command` prints as lists of cells, the header row first.

    Cells are split on whitespace: a RESTARTS cell such as `1 (5s ago)` becomes two cells.
    """
    return [line.split() for line in ok(c, command).output.splitlines()]


def pod_row(c, name: str) -> tuple[str, str, str]:
    """Returns (READY, STATUS, RESTARTS) of `kubectl get pod NAME`, e.g. ("1/1", "Running", "0").

    RESTARTS is the count only (the `(5s ago)` that follows a restart is dropped).
    """
    cells = table(c, f"kubectl get pod {name}")[1]
    return cells[1], cells[2], cells[3]
