"""Glue between the runtime's container records and the interpreter: start, step, exec, and OOM checks.

A container record (kubelet sandbox container or Docker container) keeps, JSON-ready:
`proc` (the main process, see interpreter), `fs` (its writable layer), `env`, `logs` (lines) and `logState`
(whether the last log line is unfinished). The kubelet and the Docker engine call `start_process` when the
container starts and `step_process` when its wake-up time comes; both return what happened.
"""

from __future__ import annotations

import math

from .filesystem import FileSystem
from .interpreter import new_process, program_code, run_sync, step
from .machine import Machine, append_output
from .syntax import ShellSyntaxError

MIN_WAKE = 0.5  # a program sleeping less than this is caught up twice a simulated second, not every sleep
START_ERROR = (
    "failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create "
    'failed: unable to start container process: error during container init: exec: "{name}": executable file '
    "not found in $PATH: unknown"
)


def machine_for(
    c,
    ctr: dict,
    *,
    pod: dict | None,
    cname: str,
    sb: dict | None,
    ref,
    hostname: str,
    now: float,
    collect: bool = False,
    memory_limit: int | None = None,
    err=None,
) -> Machine:
    """Returns a Machine over a container record; output goes to its logs unless collect is True (then it is
    collected in `machine.collected`, with stderr too unless `err` is given a sink of its own)."""
    fs = FileSystem(c, pod, cname, sb, ctr.setdefault("fs", {}))
    if collect:
        out = None
    else:
        state = ctr.setdefault("logState", {})
        logs = ctr["logs"]
        # `logTimes`: the simulated time of each log chunk's first write (kept in step with `logs`), so the
        # REST face can answer `kubectl logs --timestamps` / `--since` as the kubelet's CRI log lines carry
        # their time (kubernetes pkg/kubelet/kuberuntime/logs/logs.go).
        times = ctr.setdefault("logTimes", [])
        machine: list[Machine] = []

        def out(text: str) -> None:
            if not text:
                return
            fresh = not (state.get("open") and logs)
            append_output(logs, text, state)
            if fresh:
                times.append(machine[0].now if machine else now)
            if len(times) > len(logs):
                del times[: len(times) - len(logs)]

    made = Machine(
        c,
        fs,
        ctr.get("env") or {},
        hostname=hostname,
        now=now,
        ref=ref,
        out=out,
        err=err,
        pod=pod,
        container=ctr,
        memory_limit=memory_limit,
    )
    if not collect:
        machine.append(made)
    return made


def start_error(machine: Machine, argv: list[str]) -> str | None:
    """Returns the runtime's StartError message when argv[0] is not a program of the image, else None."""
    if not argv:
        return "failed to create containerd task: no command specified: unknown"
    if machine.knows(argv[0]):  # knows() includes the shells of images that have one
        return None
    return START_ERROR.format(name=argv[0])


def start_process(
    machine: Machine, ctr: dict, argv: list[str], now: float, *, cwd: str | None = None, tty: bool = False
) -> dict:
    """Creates the main process in ctr["proc"] and runs it up to `now`; returns the outcome (see step_process).

    cwd is the container's `workingDir` (created if missing, as the runtime does); tty marks a container with
    `stdin` or `tty`, whose bare shell waits on its terminal instead of exiting.
    """
    ctr["proc"] = new_process(argv, now)
    if cwd:
        machine.fs.mkdir(machine.path(cwd), parents=True)
        ctr["proc"]["cwd"] = machine.path(cwd)
    if tty:
        ctr["proc"]["tty"] = True
    ctr["logState"] = {}
    return step_process(machine, ctr, now)


def step_process(machine: Machine, ctr: dict, now: float) -> dict:
    """Runs the main process up to `now`; returns {"exit": code, "at": t, "reason": …} or {"wake": t|None}."""
    proc = ctr.get("proc")
    if proc is None:
        return {"wake": None}
    if proc["state"] == "sleep" and proc["t"] > now:
        return {"wake": _wake(proc, now)}
    step(proc, machine, now)
    limit = machine.memory_limit
    if limit and proc.get("memory", 0) > limit:
        # The kernel's OOM killer ends the container: exit 137 (128 + SIGKILL), reason OOMKilled.
        proc.update(state="exit", exitCode=137)
        return {"exit": 137, "at": now, "reason": "OOMKilled"}
    if proc["state"] == "exit":
        return {
            "exit": proc["exitCode"],
            "at": min(proc["t"], now),
            "reason": "Completed" if proc["exitCode"] == 0 else "Error",
        }
    if proc["state"] == "serve":
        return {"wake": None}
    return {"wake": _wake(proc, now)}


def _wake(proc: dict, now: float) -> float | None:
    t = proc["t"]
    if math.isinf(t):
        return None
    return max(t, now + MIN_WAKE) if t - now < MIN_WAKE and t > now else t


def exec_command(machine: Machine, argv: list[str], stdin: str = "") -> tuple[str, int]:
    """Runs argv to its end at once in the container (`kubectl exec`, exec probes); returns (output, status).
    `stdin` is what the program reads on its standard input (`kubectl exec -i`).

    Like the CRI's ExecSync, argv is executed directly (no shell) unless it is `sh -c …`
    [S api core/v1 types.go `ExecAction`]; a program the image lacks fails with the runtime's words and 126.
    """
    try:
        code, params = program_code(argv)
    except ShellSyntaxError as exc:
        return f"sh: {exc}\n", 2
    proc = new_process(argv, machine.now)
    if code is None:
        text = machine.read(params[0])
        if text is None:
            return f"sh: can't open '{params[0]}': No such file or directory\n", 2
        try:
            from .syntax import compile_script

            code = compile_script(text)
        except ShellSyntaxError as exc:
            return f"sh: {exc}\n", 2
        params = params[1:]
    if argv and not machine.knows(argv[0]):
        return (
            "OCI runtime exec failed: exec failed: unable to start container process: exec: "
            f'"{argv[0]}": executable file not found in $PATH: unknown\n',
            126,
        )
    proc["params"] = list(params)
    status = run_sync(code, machine, proc, stdin=stdin)
    return "".join(machine.collected), status


__all__ = ["exec_command", "machine_for", "start_error", "start_process", "step_process"]
