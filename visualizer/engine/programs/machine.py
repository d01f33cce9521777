"""The machine a program runs on: its environment, files, output streams and the commands it can call.

One `Machine` is built per use (a kubelet step, an exec probe, `kubectl exec`, a Docker container step) from
the container record; it holds no state of its own that must be saved: everything lasting lives in the process
dict, the container's files and its logs.
"""

from __future__ import annotations

import contextlib
import posixpath

from . import images
from .commands import COMMANDS
from .filesystem import FileSystem, norm
from .interpreter import SHELLS, Block, expand_word

LOG_BYTES = 64 * 1024  # the tail of a container's output kept (the kubelet rotates container logs too)
LOG_LINES = 2000


def append_output(logs: list[str], text: str, state: dict) -> None:
    """Appends program output to a log: a list of chunks, each one or more lines joined by "\n" (so the log's
    text is "\n".join(logs)); one chunk per write keeps a container's state small to save and restore.
    `state` remembers an unfinished last line ("open") and the bytes held ("bytes"); past LOG_BYTES or
    LOG_LINES the oldest chunks are dropped down to 90%, as log rotation drops whole files."""
    if not text:
        return
    closes = text.endswith("\n")
    body = text[:-1] if closes else text
    if state.get("open") and logs:
        logs[-1] += body
    else:
        logs.append(body)
    state["open"] = not closes
    held = state.get("bytes")
    lines = state.get("lines")
    if held is None or lines is None:
        # A fresh log state (every container start resets it): count what the log holds, in one loop rather
        # than two sum(generator) calls, which cost more than the one or two chunks a new log has.
        all_held = all_lines = 0
        for x in logs:
            all_held += len(x) + 1
            all_lines += x.count("\n") + 1
    held = all_held if held is None else held + len(text)
    lines = all_lines if lines is None else lines + text.count("\n")
    if held > LOG_BYTES or lines > LOG_LINES:
        keep_bytes, keep_lines = LOG_BYTES * 9 // 10, LOG_LINES * 9 // 10
        while logs and (held > keep_bytes or lines > keep_lines) and len(logs) > 1:
            first = logs.pop(0)
            held -= len(first) + 1
            lines -= first.count("\n") + 1
        if held > keep_bytes or lines > keep_lines:
            # One huge chunk: keep its tail, whole lines only.
            tail = logs[0].split("\n")[-keep_lines:]
            while tail and sum(len(x) + 1 for x in tail) > keep_bytes:
                tail.pop(0)
            logs[0] = "\n".join(tail)
            held = len(logs[0]) + 1
            lines = len(tail)
    state["bytes"] = held
    state["lines"] = lines


def log_lines(logs: list[str]) -> list[str]:
    """Returns a log's lines (chunks may hold several)."""
    return "\n".join(logs).split("\n") if logs else []


class Machine:
    """What a running shell can touch: env, files (`fs`), stdout/stderr sinks, the network, the clock."""

    def __init__(
        self,
        c,
        fs: FileSystem,
        env: dict,
        *,
        hostname: str,
        now: float,
        ref=None,
        out=None,
        err=None,
        pod: dict | None = None,
        container: dict | None = None,
        memory_limit: int | None = None,
    ):
        self.c = c
        self.fs = fs
        self.env = env
        self.hostname = hostname
        self.now = now
        self.ref = ref  # the image (registry.ImageRef) whose programs are installed
        self.pod = pod
        self.container = container or {}
        self.memory_limit = memory_limit
        self.stdin = ""
        self.cwd = "/"
        collected: list[str] = []
        self.collected = collected
        self._out = [out or collected.append]
        self._err = [err or (out or collected.append)]

    # ------------------------------------------------------------------------------------- streams
    def out(self, text: str) -> None:
        """Writes to standard output."""
        self._out[-1](text)

    def err(self, text: str) -> None:
        """Writes to standard error."""
        self._err[-1](text)

    @contextlib.contextmanager
    def capture(self, buf: list | None):
        """Sends stdout to buf (a list of text pieces) while the block runs; None keeps it."""
        if buf is None:
            yield
            return
        self._out.append(buf.append)
        try:
            yield
        finally:
            self._out.pop()

    def path(self, text: str) -> str:
        """Returns the absolute path of a word relative to the working directory."""
        return norm(text, self.cwd)

    def read(self, text: str) -> str | None:
        """Returns a file's text or None."""
        return self.fs.read(self.path(text))

    def glob(self, pattern: str) -> list[str]:
        """Returns the paths a glob pattern matches."""
        return self.fs.glob(pattern, self.cwd)

    def random(self, n: int) -> int:
        """Returns a deterministic pseudo-random number below n (`$RANDOM`).

        Derived from the hostname, the simulated time and a per-use counter rather than the cluster's RNG, so
        a read-only `kubectl exec` changes nothing and the rest of the simulation draws the same numbers.
        """
        import hashlib

        self._draws = getattr(self, "_draws", 0) + 1
        digest = hashlib.sha256(f"{self.hostname}:{self.now}:{self._draws}".encode()).digest()
        return int.from_bytes(digest[:8], "big") % n

    def _file_sink(self, target: str, append: bool, errors: list):
        if target in ("/dev/null",):
            return lambda text: None
        if target == "/dev/stdout":
            return self._out[-1]
        if target == "/dev/stderr":
            return self._err[-1]
        path = self.path(target)
        problem = self.fs.write(path, "", append=True) if append else self.fs.write(path, "")
        if problem:
            errors.append(f"sh: can't create {target}: {problem}\n")
            return None

        def sink(text: str) -> None:
            self.fs.write(path, text, append=True)

        return sink

    @contextlib.contextmanager
    def redirected(self, redirs: list, proc: dict, _machine=None):
        """Applies `>`, `>>`, `2>`, `2>&1`, `>&2`, `&>` and `<` while the block runs; yields False on error."""
        if not redirs:
            yield True
            return
        outs, errs = len(self._out), len(self._err)
        saved_stdin = self.stdin
        errors: list[str] = []
        ok = True
        for op, word in redirs:
            if op == "2>&1":
                self._err.append(self._out[-1])
                continue
            if op in (">&2", "1>&2"):
                self._out.append(self._err[-1])
                continue
            target = "".join(expand_word(word, proc, self, split=False))
            if op == "<":
                text = self.read(target)
                if text is None:
                    errors.append(f"sh: can't open {target}: no such file\n")
                    ok = False
                    break
                self.stdin = text
                continue
            sink = self._file_sink(target, op in (">>", "2>>"), errors)
            if sink is None:
                ok = False
                break
            if op in (">", ">>", "1>", "&>"):
                self._out.append(sink)
            if op in ("2>", "2>>", "&>"):
                self._err.append(sink)
        try:
            if errors:
                self._err[errs - 1](errors[0])
            yield ok
        finally:
            del self._out[outs:]
            del self._err[errs:]
            self.stdin = saved_stdin

    # ------------------------------------------------------------------------------------- commands
    def call(self, argv: list[str], proc: dict, env_extra: dict):
        """Runs one command; returns its exit status or a Block (sleep / serve)."""
        name = argv[0]
        base = posixpath.basename(name) if "/" in name else name
        fn = None
        if "/" not in name or name.startswith(
            ("/bin/", "/usr/bin/", "/sbin/", "/usr/sbin/", "/usr/local/bin/")
        ):
            fn = COMMANDS.get(base)
        if fn is None:
            fn = images.command(self.ref, name)
        if fn is None:
            text = self.read(name) if "/" in name else None
            if text is not None:
                return self._script(text, argv, proc)
            self.err(f"sh: {name}: not found\n")
            return 127
        saved = None
        if env_extra:
            saved = self.env
            self.env = {**self.env, **env_extra}
        try:
            return fn(self, argv, proc)
        finally:
            if saved is not None:
                self.env = saved

    def _script(self, text: str, argv: list[str], proc: dict):
        from .interpreter import run_sync
        from .syntax import ShellSyntaxError, compile_script

        if not text.startswith("#!"):
            self.err(f"sh: {argv[0]}: Permission denied\n")
            return 126
        try:
            code = compile_script(text)
        except ShellSyntaxError as exc:
            self.err(f"{argv[0]}: {exc}\n")
            return 2
        sub = dict(proc, pc=0, loops=[], vars={}, params=list(argv[1:]))
        return run_sync(code, self, sub, stdin=self.stdin)

    def knows(self, name: str) -> bool:
        """Returns True when name is a command this container can execute (for StartError checks)."""
        base = posixpath.basename(name)
        if getattr(self.ref, "repository", None) in images.NO_SHELL_IMAGES:
            return images.command(self.ref, name) is not None
        return name in SHELLS or base in COMMANDS or images.command(self.ref, name) is not None


__all__ = ["Machine", "Block", "append_output"]
