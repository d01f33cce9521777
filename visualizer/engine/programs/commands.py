"""The shell builtins and busybox utilities every container has, with busybox's own messages.

Each command is `fn(machine, argv, proc) -> exit status | Block`. Output goes through `machine.out` /
`machine.err`; files through `machine.fs`. Messages follow busybox 1.36 (`cat: can't open 'x': No such file or
directory`, `rm: can't remove 'x': …`), the `sh` the docs' busybox images run.
"""

from __future__ import annotations

import datetime
import math
import re

from .interpreter import Block, Exit, parse_duration


def sim_datetime(now: float) -> datetime.datetime:
    """Returns the wall-clock time the simulation shows at `now` seconds (clock.EPOCH + now)."""
    from ..clock import EPOCH

    return EPOCH.replace(tzinfo=datetime.UTC) + datetime.timedelta(seconds=now)


def _flags(argv: list[str], known: str) -> tuple[set, list[str]]:
    """Returns (single-letter flags, operands) for `-abc` style options."""
    flags, rest = set(), []
    args = argv[1:]
    for i, a in enumerate(args):
        if a == "--":
            rest.extend(args[i + 1 :])
            break
        if a.startswith("-") and len(a) > 1 and not rest and all(ch in known for ch in a[1:]):
            flags.update(a[1:])
        else:
            rest.append(a)
    return flags, rest


def _escapes(text: str) -> tuple[str, bool]:
    """Returns text with `\\n`-style escapes replaced, and whether `\\c` cut it short."""
    out, i = "", 0
    table = {"n": "\n", "t": "\t", "\\": "\\", "a": "\a", "b": "\b", "r": "\r", "v": "\v", "f": "\f"}
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt == "c":
                return out, True
            if nxt in table:
                out += table[nxt]
                i += 2
                continue
            if nxt == "0":
                j = i + 2
                while j < len(text) and j < i + 5 and text[j] in "01234567":
                    j += 1
                out += chr(int(text[i + 2 : j] or "0", 8))
                i = j
                continue
        out += ch
        i += 1
    return out, False


def echo(m, argv: list[str], proc: dict) -> int | Block:
    """echo [-n] [-e] WORDS: prints the words joined by spaces."""
    args = argv[1:]
    newline, escapes = True, False
    while args and re.fullmatch(r"-[neE]+", args[0]):
        newline = newline and "n" not in args[0]
        escapes = "e" in args[0] or (escapes and "E" not in args[0])
        args = args[1:]
    text = " ".join(args)
    if escapes:
        text, cut = _escapes(text)
        if cut:
            newline = False
    m.out(text + ("\n" if newline else ""))
    return 0


def printf(m, argv: list[str], proc: dict) -> int | Block:
    """printf FORMAT [ARG…]: %s %d %i %x %o %c %f %b %% and backslash escapes; the format repeats for extra args."""
    if len(argv) < 2:
        m.err("printf: usage: printf FORMAT [ARGUMENT]...\n")
        return 1
    fmt, args = argv[1], list(argv[2:])
    out = ""
    while True:
        pieces = re.split(r"(%[-+ 0#]*\d*(?:\.\d+)?[sdifxXoc%b])", fmt)
        used = 0
        for p in pieces:
            if re.fullmatch(r"%[-+ 0#]*\d*(?:\.\d+)?[sdifxXoc%b]", p):
                conv = p[-1]
                if conv == "%":
                    out += "%"
                    continue
                arg = args[used] if used < len(args) else ""
                used += 1
                if conv in "dixXoc":
                    try:
                        num = int(arg or "0")
                    except ValueError:
                        m.err(f"printf: invalid number '{arg}'\n")
                        num = 0
                    out += (p[:-1] + ("d" if conv == "i" else conv)) % (num if conv != "c" else str(arg)[:1])
                elif conv == "f":
                    try:
                        out += p % float(arg or "0")
                    except ValueError:
                        out += p % 0.0
                elif conv == "b":
                    out += _escapes(arg)[0]
                else:
                    out += p % arg
            else:
                out += _escapes(p)[0]
        args = args[used:]
        if not args or not used:
            break
    m.out(out)
    return 0


def cat(m, argv: list[str], proc: dict) -> int | Block:
    """cat [FILE…|-]: prints files (or stdin) in order; a missing file is an error, the rest still print."""
    _, paths = _flags(argv, "nuv")
    if not paths:
        m.out(m.stdin)
        return 0
    status = 0
    for p in paths:
        if p == "-":
            m.out(m.stdin)
            continue
        path = m.path(p)
        kind = m.fs.kind(path)
        if kind == "dir":
            m.err("cat: read error: Is a directory\n")
            status = 1
            continue
        text = m.fs.read(path)
        if text is None:
            m.err(f"cat: can't open '{p}': No such file or directory\n")
            status = 1
            continue
        m.out(text)
    return status


def touch(m, argv: list[str], proc: dict) -> int | Block:
    """touch FILE…: creates empty files (existing ones are kept)."""
    _, paths = _flags(argv, "acm")
    if not paths:
        m.err("touch: missing operand\n")
        return 1
    status = 0
    for p in paths:
        path = m.path(p)
        if m.fs.kind(path) is not None:
            continue
        problem = m.fs.write(path, "")
        if problem:
            m.err(
                f"touch: {p}: {'No such file or directory' if problem == 'nonexistent directory' else problem}\n"
            )
            status = 1
    return status


def rm(m, argv: list[str], proc: dict) -> int | Block:
    """rm [-f] [-r] PATH…: removes files (and trees with -r); -f ignores missing ones."""
    flags, paths = _flags(argv, "rRfiv")
    if not paths:
        if "f" in flags:
            return 0
        m.err("rm: missing operand\n")
        return 1
    status = 0
    for p in paths:
        problem = m.fs.remove(m.path(p), recursive=bool(flags & {"r", "R"}))
        if problem == "No such file or directory" and "f" in flags:
            continue
        if problem:
            m.err(f"rm: can't remove '{p}': {problem}\n")
            status = 1
    return status


def mkdir(m, argv: list[str], proc: dict) -> int | Block:
    """mkdir [-p] DIR…: makes directories (-p: parents too, no error if present)."""
    flags, paths = _flags(argv, "pv")
    if not paths:
        m.err("mkdir: missing operand\n")
        return 1
    status = 0
    for p in paths:
        problem = m.fs.mkdir(m.path(p), parents="p" in flags)
        if problem:
            m.err(f"mkdir: can't create directory '{p}': {problem}\n")
            status = 1
    return status


def ls(m, argv: list[str], proc: dict) -> int | Block:
    """ls [-l] [-a] [-1] [-d] [PATH…]: names in a directory, sorted, one per line."""
    flags, paths = _flags(argv, "laAR1hFdt")
    paths = paths or ["."]
    status = 0
    chunks = []
    for p in paths:
        path = m.path(p)
        kind = m.fs.kind(path)
        if kind is None:
            m.err(f"ls: {p}: No such file or directory\n")
            status = 1
            continue
        if kind == "file" or "d" in flags:
            chunks.append((None, [_long(m, path, p) if "l" in flags else p]))
            continue
        names = m.fs.listdir(path) or []
        if "a" in flags:
            names = [".", ".."] + names
        if "l" in flags:
            lines = [f"total {len(names)}"] + [_long(m, path.rstrip("/") + "/" + n, n) for n in names]
        else:
            lines = names
        chunks.append((p if len(paths) > 1 else None, lines))
    out = []
    for title, lines in chunks:
        if title:
            out.append(f"{title}:")
        out.extend(lines)
    if out:
        m.out("\n".join(out) + "\n")
    return status


def _long(m, path: str, name: str) -> str:
    kind = m.fs.kind(path) if name not in (".", "..") else "dir"
    size = len(m.fs.read(path) or "") if kind == "file" else 4096
    mode = "drwxr-xr-x" if kind == "dir" else "-rw-r--r--"
    when = sim_datetime(m.now).strftime("%b %e %H:%M")
    return f"{mode}    1 root     root     {size:>8} {when} {name}"


def sleep(m, argv: list[str], proc: dict) -> int | Block:
    """sleep N[s|m|h|d]… | infinity: blocks for the sum in simulated seconds."""
    if len(argv) < 2:
        m.err("sleep: missing operand\n")
        return 1
    total = 0.0
    for a in argv[1:]:
        value = parse_duration(a)
        if value is None:
            m.err(f"sleep: invalid number '{a}'\n")
            return 1
        total += value
    return Block(math.inf if math.isinf(total) else total)


def date(m, argv: list[str], proc: dict) -> int | Block:
    """date [+FORMAT]: the simulated clock as a UTC date (`%s` is the Unix time)."""
    when = sim_datetime(m.now)
    fmt = next((a[1:] for a in argv[1:] if a.startswith("+")), None)
    if fmt is not None:
        fmt = fmt.replace("%s", str(int(when.timestamp()))).replace("%N", "000000000")
        m.out(when.strftime(fmt) + "\n")
    else:
        m.out(when.strftime("%a %b %e %H:%M:%S UTC %Y") + "\n")
    return 0


def env(m, argv: list[str], proc: dict) -> int | Block:
    """env / printenv [VAR…]: the environment (printenv VAR exits 1 when one is unset)."""
    merged = dict(m.env)
    exported = proc.get("exported") or []
    for k in exported:
        if k in proc["vars"]:
            merged[k] = proc["vars"][k]
    if argv[0] == "printenv" and len(argv) > 1:
        status = 0
        for k in argv[1:]:
            if k in merged:
                m.out(merged[k] + "\n")
            else:
                status = 1
        return status
    m.out("".join(f"{k}={v}\n" for k, v in merged.items()))
    return 0


def hostname(m, argv: list[str], proc: dict) -> int | Block:
    """hostname: the pod's hostname (or the Docker container's short ID)."""
    m.out(m.hostname + "\n")
    return 0


def true(m, argv: list[str], proc: dict) -> int | Block:
    """true / `:`: exit 0."""
    return 0


def false(m, argv: list[str], proc: dict) -> int | Block:
    """false: exit 1."""
    return 1


def exit_(m, argv: list[str], proc: dict) -> int | Block:
    """exit [N]: ends the shell with N (default: the last status)."""
    if len(argv) > 1:
        try:
            raise Exit(int(argv[1]))
        except ValueError:
            m.err(f"sh: exit: Illegal number: {argv[1]}\n")
            raise Exit(2) from None
    raise Exit(proc["status"])


def export(m, argv: list[str], proc: dict) -> int | Block:
    """export NAME[=VALUE]…: sets variables and passes them to `env`."""
    for a in argv[1:]:
        if a == "-p":
            continue
        name, eq, value = a.partition("=")
        if eq:
            proc["vars"][name] = value
        proc.setdefault("exported", [])
        if name not in proc["exported"]:
            proc["exported"].append(name)
    return 0


def unset(m, argv: list[str], proc: dict) -> int | Block:
    """unset NAME…: removes shell variables."""
    for a in argv[1:]:
        proc["vars"].pop(a, None)
    return 0


def set_(m, argv: list[str], proc: dict) -> int | Block:
    """set [-e|-x|-o …]: accepted; the simulator's sh keeps its default behaviour (documented)."""
    # `set -e`, `set -x`, `set -o pipefail`: accepted; the simulator's sh keeps its default behaviour.
    return 0


def shift(m, argv: list[str], proc: dict) -> int | Block:
    """shift [N]: drops positional parameters."""
    n = int(argv[1]) if len(argv) > 1 and argv[1].isdigit() else 1
    if n > len(proc["params"]):
        return 1
    proc["params"] = proc["params"][n:]
    return 0


def read(m, argv: list[str], proc: dict) -> int | Block:
    """read [NAME…]: reads one line of stdin into variables; exit 1 at end of input."""
    names = [a for a in argv[1:] if not a.startswith("-")] or ["REPLY"]
    if not m.stdin:
        for n in names:
            proc["vars"][n] = ""
        return 1
    line, _, rest = m.stdin.partition("\n")
    m.stdin = rest
    words = line.split(None, len(names) - 1)
    for i, n in enumerate(names):
        proc["vars"][n] = words[i] if i < len(words) else ""
    return 0


def cd(m, argv: list[str], proc: dict) -> int | Block:
    """cd [DIR]: changes the working directory (kept across sleeps)."""
    target = m.path(argv[1] if len(argv) > 1 else "/root")
    if m.fs.kind(target) != "dir":
        m.err(f"sh: cd: can't cd to {argv[1] if len(argv) > 1 else '/root'}: No such file or directory\n")
        return 2
    m.cwd = target
    proc["cwd"] = target
    return 0


def pwd(m, argv: list[str], proc: dict) -> int | Block:
    """pwd: the working directory."""
    m.out(m.cwd + "\n")
    return 0


def _fixed(text):
    def fn(m, argv, proc):
        m.out(text + "\n")
        return 0

    return fn


def test(m, argv: list[str], proc: dict) -> int | Block:
    """test EXPR / [ EXPR ] / [[ EXPR ]]: file, string and integer tests with ! -a -o."""
    args = argv[1:]
    if argv[0] == "[":
        if not args or args[-1] != "]":
            m.err("sh: [: missing ]\n")
            return 2
        args = args[:-1]
    elif argv[0] == "[[":
        if not args or args[-1] != "]]":
            m.err("sh: [[: missing ]]\n")
            return 2
        args = args[:-1]
    try:
        return 0 if _test_expr(m, args) else 1
    except ValueError as exc:
        m.err(f"sh: {argv[0]}: {exc}\n")
        return 2


def _test_expr(m, args: list[str]) -> bool:
    if not args:
        return False
    if "-o" in args:
        i = args.index("-o")
        return _test_expr(m, args[:i]) or _test_expr(m, args[i + 1 :])
    if "-a" in args and len(args) > 3:
        i = args.index("-a")
        return _test_expr(m, args[:i]) and _test_expr(m, args[i + 1 :])
    if args[0] == "!":
        return not _test_expr(m, args[1:])
    if len(args) == 1:
        return args[0] != ""
    if len(args) == 2:
        op, val = args
        if op == "-z":
            return val == ""
        if op == "-n":
            return val != ""
        path = m.path(val)
        kind = m.fs.kind(path)
        if op in ("-e", "-a"):
            return kind is not None
        if op == "-f":
            return kind == "file"
        if op == "-d":
            return kind == "dir"
        if op == "-s":
            return bool(m.fs.read(path))
        if op in ("-r", "-w", "-x"):
            return kind is not None
        raise ValueError(f"{op}: unknown operand")
    if len(args) == 3:
        a, op, b = args
        if op in ("=", "=="):
            return a == b
        if op == "!=":
            return a != b
        ints = {
            "-eq": "__eq__",
            "-ne": "__ne__",
            "-lt": "__lt__",
            "-le": "__le__",
            "-gt": "__gt__",
            "-ge": "__ge__",
        }
        if op in ints:
            try:
                return getattr(int(a), ints[op])(int(b))
            except ValueError:
                raise ValueError("bad number") from None
    raise ValueError("syntax error")


def _lines_input(m, paths: list[str], name: str):
    if not paths:
        return [m.stdin], 0
    texts, status = [], 0
    for p in paths:
        t = m.read(p)
        if t is None:
            m.err(f"{name}: {p}: No such file or directory\n")
            status = 1
        else:
            texts.append(t)
    return texts, status


def grep(m, argv: list[str], proc: dict) -> int | Block:
    """grep [-ivcqEFnlwo] PATTERN [FILE…]: lines matching a basic (or -E extended) regular expression."""
    flags, rest = _flags(argv, "ivcqEFnlwo")
    if not rest:
        m.err("Usage: grep [-ivcqEFn] PATTERN [FILE]...\n")
        return 2
    pattern, paths = rest[0], rest[1:]
    try:
        rx = re.compile(
            re.escape(pattern) if "F" in flags else _bre(pattern, "E" in flags),
            re.IGNORECASE if "i" in flags else 0,
        )
    except re.error:
        m.err(f"grep: bad regex '{pattern}'\n")
        return 2
    texts, status = _lines_input(m, paths, "grep")
    hits = []
    for t in texts:
        for line in t.splitlines():
            found = bool(rx.search(line))
            if found != ("v" in flags):
                hits.append(line)
    if "q" in flags:
        return 0 if hits else 1
    if "c" in flags:
        m.out(f"{len(hits)}\n")
    elif hits:
        m.out("\n".join(hits) + "\n")
    return (0 if hits else 1) if not status else 2


def _bre(pattern: str, extended: bool) -> str:
    if extended:
        return pattern
    # Basic regular expressions: `\|`, `\(`, `\)`, `\+`, `\?` are the operators; bare ones are literal.
    out, i = "", 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern) and pattern[i + 1] in "|()+?{}":
            out += pattern[i + 1]
            i += 2
            continue
        out += "\\" + ch if ch in "|()+?{}" else ch
        i += 1
    return out


def _count_flag(argv: list[str], default: int = 10) -> tuple[int, list[str]]:
    n, rest, args = default, [], argv[1:]
    i = 0
    while i < len(args):
        a = args[i]
        if a == "-n" and i + 1 < len(args):
            n = int(args[i + 1].lstrip("+")) if args[i + 1].lstrip("+-").isdigit() else n
            i += 2
            continue
        if re.fullmatch(r"-n?\d+", a):
            n = int(a.lstrip("-n"))
        elif a.startswith("-n") and a[2:].isdigit():
            n = int(a[2:])
        elif a in ("-f", "-F"):
            rest.append(a)
        else:
            rest.append(a)
        i += 1
    return n, rest


def head(m, argv: list[str], proc: dict) -> int | Block:
    """head [-n N|-N] [FILE…]: the first N lines (10)."""
    n, paths = _count_flag(argv)
    texts, status = _lines_input(m, paths, "head")
    lines = "".join(texts).splitlines()[:n]
    if lines:
        m.out("\n".join(lines) + "\n")
    return status


def tail(m, argv: list[str], proc: dict) -> int | Block:
    """tail [-n N] [-f|-F] [FILE…]: the last N lines; -f then blocks for good (-F waits for the file)."""
    n, paths = _count_flag(argv)
    follow = any(p in ("-f", "-F") for p in paths)
    retry = "-F" in paths
    paths = [p for p in paths if p not in ("-f", "-F")]
    if retry:
        # -F waits for a file that does not exist yet instead of failing.
        paths = [p for p in paths if m.read(p) is not None]
        if not paths:
            return Block(None, {"program": "tail -F"})
    texts, status = _lines_input(m, paths, "tail")
    lines = "".join(texts).splitlines()[-n:] if n else []
    if lines:
        m.out("\n".join(lines) + "\n")
    if follow and not status:
        return Block(None, {"program": "tail -f"})
    return status


def wc(m, argv: list[str], proc: dict) -> int | Block:
    """wc [-lwc] [FILE]: line, word and byte counts."""
    flags, paths = _flags(argv, "lwc")
    texts, status = _lines_input(m, paths, "wc")
    text = "".join(texts)
    counts = {"l": text.count("\n"), "w": len(text.split()), "c": len(text.encode())}
    shown = [k for k in "lwc" if k in flags] or ["l", "w", "c"]
    width = 1 if len(shown) == 1 else 7
    m.out(" ".join(f"{counts[k]:>{width}}" for k in shown) + (" " + paths[0] if paths else "") + "\n")
    return status


def sort_(m, argv: list[str], proc: dict) -> int | Block:
    """sort [-r] [-n] [-u] [FILE…]: sorted lines."""
    flags, paths = _flags(argv, "rnu")
    texts, status = _lines_input(m, paths, "sort")
    lines = "".join(texts).splitlines()
    key = (lambda s: float(re.match(r"-?\d*\.?\d*", s).group() or 0)) if "n" in flags else None
    lines = sorted(set(lines) if "u" in flags else lines, key=key, reverse="r" in flags)
    if lines:
        m.out("\n".join(lines) + "\n")
    return status


def tee(m, argv: list[str], proc: dict) -> int | Block:
    """tee [-a] FILE…: copies stdin to the files and to stdout."""
    flags, paths = _flags(argv, "a")
    for p in paths:
        problem = m.fs.write(m.path(p), m.stdin, append="a" in flags)
        if problem:
            m.err(f"tee: {p}: {problem}\n")
    m.out(m.stdin)
    return 0


def seq(m, argv: list[str], proc: dict) -> int | Block:
    """seq [FIRST [INC]] LAST: a sequence of integers (at most 10,000)."""
    try:
        nums = [int(a) for a in argv[1:]]
    except ValueError:
        m.err(f"seq: invalid number '{argv[-1]}'\n")
        return 1
    if not nums or len(nums) > 3:
        m.err("Usage: seq [FIRST [INC]] LAST\n")
        return 1
    first, inc, last = (
        (1, 1, nums[0]) if len(nums) == 1 else (nums[0], 1, nums[1]) if len(nums) == 2 else nums
    )
    values = list(range(first, last + (1 if inc > 0 else -1), inc))[:10000] if inc else []
    if values:
        m.out("\n".join(map(str, values)) + "\n")
    return 0


def basename(m, argv: list[str], proc: dict) -> int | Block:
    """basename PATH: the last path component."""
    if len(argv) < 2:
        return 1
    m.out(argv[1].rstrip("/").rsplit("/", 1)[-1] + "\n")
    return 0


def dirname(m, argv: list[str], proc: dict) -> int | Block:
    """dirname PATH: all but the last path component."""
    if len(argv) < 2:
        return 1
    m.out((argv[1].rstrip("/").rsplit("/", 1)[0] or "/") + "\n" if "/" in argv[1] else ".\n")
    return 0


def expr(m, argv: list[str], proc: dict) -> int | Block:
    """expr ARITHMETIC: evaluates integers and operators; exit 1 when the result is 0."""
    from .interpreter import arithmetic
    from .syntax import ShellSyntaxError

    try:
        value = arithmetic(" ".join(argv[1:]).replace("\\*", "*"), proc, m)
    except ShellSyntaxError:
        m.err("expr: syntax error\n")
        return 2
    m.out(f"{value}\n")
    return 0 if value else 1


def kill(m, argv: list[str], proc: dict) -> int | Block:
    """kill: refused (a container runs one process here)."""
    m.err("sh: kill: the simulator's containers run one process\n")
    return 1


def sh(m, argv, proc):
    """`sh -c SCRIPT` inside a script: runs the script to its end at once."""
    from .interpreter import program_code, run_sync
    from .syntax import ShellSyntaxError

    try:
        code, params = program_code(argv)
    except ShellSyntaxError as exc:
        m.err(f"sh: {exc}\n")
        return 2
    if code is None:
        text = m.read(params[0])
        if text is None:
            m.err(f"sh: can't open '{params[0]}': No such file or directory\n")
            return 2
        return m._script("#!/bin/sh\n" + text, params, proc)
    sub = dict(proc, pc=0, loops=[], vars=dict(proc["vars"]), params=list(params[1:]))
    return run_sync(code, m, sub, stdin=m.stdin)


COMMANDS = {
    "echo": echo,
    "printf": printf,
    "cat": cat,
    "touch": touch,
    "rm": rm,
    "mkdir": mkdir,
    "ls": ls,
    "sleep": sleep,
    "date": date,
    "env": env,
    "printenv": env,
    "hostname": hostname,
    "true": true,
    ":": true,
    "false": false,
    "exit": exit_,
    "export": export,
    "unset": unset,
    "set": set_,
    "shift": shift,
    "read": read,
    "cd": cd,
    "pwd": pwd,
    "whoami": _fixed("root"),
    "id": _fixed("uid=0(root) gid=0(root) groups=0(root),10(wheel)"),
    "uname": _fixed("Linux"),
    "test": test,
    "[": test,
    "[[": test,
    "grep": grep,
    "head": head,
    "tail": tail,
    "wc": wc,
    "sort": sort_,
    "tee": tee,
    "seq": seq,
    "basename": basename,
    "dirname": dirname,
    "expr": expr,
    "kill": kill,
    "sh": sh,
    "bash": sh,
    "ash": sh,
}


def _register_network():
    from .network import curl, nslookup, wget

    COMMANDS.update(nslookup=nslookup, curl=curl, wget=wget)


_register_network()


def _register_archive():
    from .archive import tar

    COMMANDS["tar"] = tar


_register_archive()
