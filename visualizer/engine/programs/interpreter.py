"""The virtual machine that runs a container's program in simulated time, resumable from JSON-ready state.

A process is a dict (kept in the container record, so `Cluster.to_dict()` saves it):
    {"argv": [...], "pc": int, "vars": {name: value}, "status": int, "loops": [[items, index], …],
     "t": simulated time the program has reached, "state": "run" | "sleep" | "serve" | "exit",
     "exitCode": int | None, "serve": {...} | None, "memory": bytes in use}
`step(proc, machine, now)` runs the program until it has caught up with `now`: `sleep N` moves the program's
own time `t` on by N and the step ends when `t` passes `now` (the caller wakes it at `t`). A program that never
sleeps runs `STEP_BUDGET` commands per simulated second, so `while true; do echo; done` cannot hang the engine.
A server (`nginx`, `agnhost netexec`, `sleep infinity`) blocks for good: state "serve", no wake-ups at all.

`run_sync(code, machine)` runs code to the end at once (command substitution, pipelines, `kubectl exec`,
exec probes): `sleep` there takes no simulated time, and a budget of commands stops an endless loop.
"""

from __future__ import annotations

import math

from .syntax import ShellSyntaxError, compile_script, literal_command

STEP_BUDGET = 2000  # commands a busy program runs per simulated second
SYNC_BUDGET = 20000  # commands one `kubectl exec` / probe / `$(…)` may run
MAX_CATCH_UP = 3600.0  # a program that fell further behind than this skips ahead (no burst of work)
SHELLS = ("sh", "/bin/sh", "bash", "/bin/bash", "ash", "/bin/ash", "/bin/busybox")


class Exit(Exception):
    """`exit N` (or a fatal error) ends the shell with this status."""

    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


class Block:
    """What a command returns when the process must wait: `Block(seconds)` sleeps, `Block(None)` serves."""

    __slots__ = ("seconds", "serve")

    def __init__(self, seconds: float | None, serve: dict | None = None):
        self.seconds = seconds
        self.serve = serve


def program_code(argv: list[str]) -> tuple:
    """Returns (code, positional parameters) for a process argv; raises ShellSyntaxError.

    `sh -c SCRIPT [NAME ARGS…]` runs SCRIPT with $0=NAME; `sh` alone (no TTY, empty stdin) runs nothing and
    exits 0; anything else is one command run directly, with no shell expansion (Kubernetes never uses a shell:
    api core/v1 types.go `Container.Command`).
    """
    if argv and argv[0] in SHELLS:
        rest = argv[1:]
        if rest[:1] == ["-c"] or (rest and rest[0].startswith("-") and rest[0].endswith("c")):
            if len(rest) < 2:
                raise ShellSyntaxError("-c requires an argument")
            return compile_script(rest[1]), rest[2:]
        if not rest:
            return (), []
        # `sh script.sh`: run the file's text (read by the caller through the machine).
        return None, rest
    return literal_command(tuple(argv)), []


def new_process(argv: list[str], now: float) -> dict:
    """Returns a fresh process state for argv starting at simulated time `now` (seconds)."""
    return {
        "argv": list(argv),
        "pc": 0,
        "vars": {},
        "params": [],
        "status": 0,
        "loops": [],
        "t": now,
        "state": "run",
        "exitCode": None,
        "serve": None,
        "memory": 0,
    }


def step(proc: dict, machine, now: float) -> None:
    """Runs the process until it catches up with `now`, sleeps past it, serves, or exits (state updated)."""
    if proc["state"] in ("exit", "serve"):
        return
    if proc["t"] < now - MAX_CATCH_UP:
        proc["t"] = now - MAX_CATCH_UP
    machine.cwd = proc.get("cwd") or machine.cwd
    try:
        code = _code_of(proc, machine)
    except ShellSyntaxError as exc:
        machine.err(f"sh: {exc}\n")
        _finish(proc, 2)
        return
    budget = STEP_BUDGET
    while proc["t"] <= now:
        if proc["pc"] >= len(code):
            _finish(proc, proc["status"])
            return
        ins = code[proc["pc"]]
        proc["pc"] += 1
        machine.now = proc["t"]
        try:
            result = execute(ins, proc, machine)
        except Exit as exc:
            _finish(proc, exc.code)
            return
        if isinstance(result, Block):
            if result.seconds is None or math.isinf(result.seconds):
                # A server never runs shell code again: keep only what is read later (small to save).
                memory = proc.get("memory", 0)
                proc.clear()
                proc.update(state="serve", serve=result.serve, t=machine.now)
                if memory:
                    proc["memory"] = memory
                return
            proc["t"] = round(proc["t"] + result.seconds, 6)
            proc["status"] = 0
        budget -= 1
        if budget <= 0:
            # A busy program: one simulated second per budget of commands.
            proc["t"] = round(proc["t"] + 1.0, 6)
            budget = STEP_BUDGET
    proc["state"] = "sleep"


def _finish(proc: dict, code: int) -> None:
    t, memory = proc["t"], proc.get("memory", 0)
    proc.clear()
    proc.update(state="exit", exitCode=int(code) & 0xFF, t=t, memory=memory)


def _code_of(proc: dict, machine) -> tuple:
    code, params = program_code(proc["argv"])
    if code == () and proc.get("tty"):
        # An interactive shell (`stdin`/`tty` set) waits on its terminal instead of reading EOF.
        return literal_command(("tail", "-f", "/dev/null"))
    if code is None:
        text = machine.read(params[0])
        if text is None:
            raise ShellSyntaxError(f"can't open '{params[0]}': No such file or directory")
        code = compile_script(text)
    if not proc["params"] and params:
        proc["params"] = list(params)
    return code


def run_sync(
    code: tuple, machine, proc: dict | None = None, stdin: str = "", raise_exit: bool = False
) -> int:
    """Runs code to its end at once (no simulated time passes); returns the exit status. With `raise_exit`,
    an `exit N` propagates as `Exit` (an interactive shell ends there) instead of being the status."""
    proc = proc if proc is not None else new_process([], machine.now)
    pc = 0
    budget = SYNC_BUDGET
    machine.stdin = stdin
    try:
        while pc < len(code):
            budget -= 1
            if budget < 0:
                machine.err(
                    f"sh: command did not finish: the simulator stops a command after {SYNC_BUDGET} steps\n"
                )
                return 137
            ins = code[pc]
            proc["pc"] = pc + 1
            result = execute(ins, proc, machine)
            pc = proc["pc"]
            if isinstance(result, Block):
                proc["status"] = 0
    except Exit as exc:
        if raise_exit:
            raise
        return exc.code & 0xFF
    return proc["status"]


def execute(ins: tuple, proc: dict, machine):
    """Executes one instruction; returns a Block when the process must wait."""
    op = ins[0]
    if op == "run":
        return run_command(ins[1], proc, machine)
    if op == "j":
        proc["pc"] = ins[1]
    elif op == "jf":
        if proc["status"] != 0:
            proc["pc"] = ins[1]
    elif op == "jt":
        if proc["status"] == 0:
            proc["pc"] = ins[1]
    elif op == "not":
        proc["status"] = 0 if proc["status"] else 1
    elif op == "status0":
        proc["status"] = 0
    elif op == "forinit":
        items = (
            list(proc["params"])
            if ins[1] is None
            else [f for w in ins[1] for f in expand_word(w, proc, machine)]
        )
        proc["loops"].append([items, 0])
    elif op == "fornext":
        loop = proc["loops"][-1]
        if loop[1] >= len(loop[0]):
            proc["loops"].pop()
            proc["status"] = 0
            proc["pc"] = ins[2]
        else:
            proc["vars"][ins[1]] = loop[0][loop[1]]
            loop[1] += 1
    elif op == "forpop":
        if proc["loops"]:
            proc["loops"].pop()
    elif op == "pipe":
        proc["status"] = _pipeline(ins[1], proc, machine)
    elif op == "block":
        with machine.redirected(ins[2], proc, machine) as ok:
            if ok:
                sub = dict(proc, pc=0, loops=[])
                proc["status"] = run_sync(ins[1], machine, sub)
                proc["vars"] = sub["vars"]
            else:
                proc["status"] = 1
    return None


def _pipeline(stages: list, proc: dict, machine) -> int:
    """Runs `a | b | c`: each stage's stdout is the next one's stdin; returns the last stage's status."""
    data = machine.stdin
    status = 0
    for i, code in enumerate(stages):
        last = i == len(stages) - 1
        captured: list[str] = []
        sub = dict(proc, pc=0, loops=[], vars=dict(proc["vars"]))
        with machine.capture(None if last else captured):
            status = run_sync(code, machine, sub, stdin=data)
        data = "".join(captured)
    return status


# ---------------------------------------------------------------------------------------------- commands
def run_command(cmd: dict, proc: dict, machine):
    """Expands and runs one simple command; returns a Block or None (status stored in proc)."""
    argv: list[str] = []
    proc["subStatus"] = 0
    try:
        for w in cmd["words"]:
            argv.extend(expand_word(w, proc, machine))
        values = [(name, "".join(expand_word(w, proc, machine, split=False))) for name, w in cmd["assign"]]
    except ShellSyntaxError as exc:
        machine.err(f"sh: {exc}\n")
        proc["status"] = 2
        return None
    if not argv:
        for name, value in values:
            proc["vars"][name] = value
        proc["status"] = proc.get("subStatus", 0)
        proc["subStatus"] = 0
        return None
    env_extra = dict(values)
    if not cmd["redir"]:
        # Most commands have no redirection: no context manager to enter (it would only yield True).
        result = machine.call(argv, proc, env_extra)
    else:
        with machine.redirected(cmd["redir"], proc, machine) as ok:
            if not ok:
                proc["status"] = 1
                return None
            result = machine.call(argv, proc, env_extra)
    if isinstance(result, Block):
        return result
    proc["status"] = int(result)
    return None


def lookup(name: str, proc: dict, machine) -> str | None:
    """Returns a shell variable's value (shell variables, then the environment), or None if unset."""
    if name == "?":
        return str(proc["status"])
    if name == "$":
        return "1"
    if name == "#":
        return str(len(proc["params"]))
    if name in ("@", "*"):
        return " ".join(proc["params"])
    if name == "!":
        return ""
    if name == "0":
        return proc.get("arg0", "sh")
    if name.isdigit():
        i = int(name)
        return proc["params"][i - 1] if i <= len(proc["params"]) else None
    if name in proc["vars"]:
        return proc["vars"][name]
    if name == "RANDOM":
        return str(machine.random(32768))
    return machine.env.get(name)


def _param_value(part, proc, machine) -> str:
    _, name, op, word = part
    value = lookup(name, proc, machine)
    if op == "#":
        return str(len(value or ""))
    if not op:
        return value or ""
    empty = value is None or (op.startswith(":") and value == "")
    alt = "".join(expand_word(word, proc, machine, split=False)) if word is not None else ""
    if op in (":-", "-"):
        return alt if empty else value
    if op in (":=", "="):
        if empty:
            proc["vars"][name] = alt
            return alt
        return value
    if op in (":+", "+"):
        return "" if empty else alt
    if op in (":?", "?"):
        if empty:
            machine.err(f"sh: {name}: {alt or 'parameter not set'}\n")
            raise Exit(2)
        return value
    return value or ""


def expand_word(parts: list, proc: dict, machine, split: bool = True) -> list[str]:
    """Returns the fields a word expands to (parameters, `$(…)`, `$((…))`, field splitting, globbing)."""
    fields: list[str] = []
    cur = ""
    has_cur = False
    glob = False
    for part in parts:
        kind = part[0]
        if kind == "lit":
            cur += part[1]
            has_cur = True
        elif kind == "raw":
            cur += part[1]
            has_cur = True
            glob = glob or ("*" in part[1] or "?" in part[1])
        else:
            quoted = kind.startswith("q")
            base = kind[1:] if quoted else kind
            if base == "var":
                if part[1] == "@" and quoted and not part[2]:
                    # "$@": one field per positional parameter.
                    ps = proc["params"]
                    if ps:
                        fields.extend([cur + ps[0]] + ps[1:-1] if len(ps) > 1 else [])
                        cur = ps[-1] if len(ps) > 1 else cur + ps[0]
                        has_cur = True
                    continue
                value = _param_value(part, proc, machine)
            elif base == "sub":
                value = command_substitution(part[1], proc, machine)
            else:
                value = str(arithmetic(part[1], proc, machine))
            if quoted or not split:
                cur += value
                has_cur = True
            else:
                pieces = value.split()
                if not pieces:
                    continue
                if value[:1].isspace() and has_cur:
                    fields.append(cur)
                    cur, has_cur = "", False
                for i, piece in enumerate(pieces):
                    if i:
                        fields.append(cur)
                        cur = ""
                    cur += piece
                    has_cur = True
                if value[-1:].isspace():
                    fields.append(cur)
                    cur, has_cur = "", False
    if has_cur:
        fields.append(cur)
    if glob and split:
        out = []
        for f in fields:
            out.extend(machine.glob(f) or [f])
        return out
    return fields


def command_substitution(script: str, proc: dict, machine) -> str:
    """Returns the output of `$(script)` with trailing newlines removed; sets the status for `x=$(false)`."""
    try:
        code = compile_script(script)
    except ShellSyntaxError as exc:
        machine.err(f"sh: {exc}\n")
        return ""
    captured: list[str] = []
    sub = dict(proc, pc=0, loops=[], vars=dict(proc["vars"]))
    saved = machine.stdin
    with machine.capture(captured):
        status = run_sync(code, machine, sub, stdin="")
    machine.stdin = saved
    proc["subStatus"] = status
    return "".join(captured).rstrip("\n")


_ARITH_OK = set("0123456789+-*/%() <>=!&|")


def arithmetic(expr: str, proc: dict, machine) -> int:
    """Returns the value of `$((expr))`: integers, variables, + - * / % and comparisons (POSIX §2.6.4)."""
    import re

    def var(m):
        value = lookup(m.group(1) or m.group(2), proc, machine) or "0"
        return value if value.lstrip("-").isdigit() else "0"

    text = re.sub(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?|([A-Za-z_][A-Za-z0-9_]*)", var, expr)
    if not set(text) <= _ARITH_OK or "**" in text:
        raise ShellSyntaxError(f"arithmetic syntax error: {expr}")
    text = text.replace("&&", " and ").replace("||", " or ").replace("/", "//")
    text = re.sub(r"!(?!=)", " not ", text)
    try:
        value = eval(text, {"__builtins__": {}}, {})  # noqa: S307 - only digits and operators remain
    except ZeroDivisionError:
        raise ShellSyntaxError("arithmetic syntax error: divide by zero") from None
    except Exception:  # noqa: BLE001
        raise ShellSyntaxError(f"arithmetic syntax error: {expr}") from None
    return int(value) if not isinstance(value, bool) else int(value)


def parse_duration(text: str) -> float | None:
    """Returns seconds for busybox `sleep` arguments (`30`, `0.5`, `1m`, `2h`, `infinity`), or None."""
    if text == "infinity":
        return math.inf
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    mult = units.get(text[-1:])
    num = text[:-1] if mult else text
    try:
        value = float(num)
    except ValueError:
        return None
    if value < 0 or not math.isfinite(value):
        return None
    return value * (mult or 1)
