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
    """Appends program output to a log kept as lines; `state` remembers an unfinished last line ("open") and
    the bytes held ("bytes"), so trimming the oldest lines costs nothing until a cap is reached."""
    if not text:
        return
    pieces = text.split("\n")
    if state.get("open") and logs:
        logs[-1] += pieces[0]
    else:
        logs.append(pieces[0])
    logs.extend(pieces[1:])
    if pieces[-1] == "":
        logs.pop()
        state["open"] = False
    else:
        state["open"] = True
    held = state.get("bytes")
    if held is None:
        held = sum(len(x) + 1 for x in logs)
    else:
        held += len(text) + (0 if pieces[-1] == "" else 1)
    if len(logs) > LOG_LINES or held > LOG_BYTES:
        # Drop the oldest lines down to 90% of the caps at once, as log rotation drops whole files.
        keep_lines, keep_bytes = LOG_LINES * 9 // 10, LOG_BYTES * 9 // 10
        total, start = 0, len(logs)
        while start > 0 and len(logs) - start < keep_lines:
            size = len(logs[start - 1]) + 1
            if total + size > keep_bytes:
                break
            total += size
            start -= 1
        del logs[:start]
        held = total
    state["bytes"] = held


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
        """Returns a deterministic pseudo-random number below n (the cluster's seeded RNG)."""
        return self.c.rng.randrange(n) if self.c is not None else 0

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
        return name in SHELLS or base in COMMANDS or images.command(self.ref, name) is not None


__all__ = ["Machine", "Block", "append_output"]
