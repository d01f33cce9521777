"""`tar`: creates, extracts and lists POSIX ustar archives over the container's filesystem.

`kubectl cp` needs it [S kubectl pkg/cmd/cp/cp.go]: to a pod it runs `tar -xmf - -C <dir>` with the archive on
stdin, from a pod `tar cf - <path>` and reads the archive from stdout. The flags understood are GNU tar's and
busybox tar's common subset: `c`, `x`, `t`, `f FILE` (`-` is stdin/stdout), `m`, `v`, `o`, `p`, `-C DIR`, in
the old bundled form (`cf`, `xmf`) or with a dash (`-xmf`, `-c -f -`).

Bytes: the filesystem and the streams hold text; an archive's bytes travel as UTF-8 with `surrogateescape`
(each byte that is not UTF-8 becomes a lone surrogate and turns back into the same byte), so archives and the
files inside them survive the round trip byte for byte. The messages are GNU tar 1.34's (debian images such as
nginx) or busybox 1.36's (busybox, alpine).
"""

from __future__ import annotations

import io
import tarfile

from .commands import sim_datetime
from .filesystem import MAX_FILE

BUSYBOX_REPOS = frozenset({"library/busybox", "registry.k8s.io/busybox", "library/alpine"})


def to_bytes(text: str) -> bytes:
    """Returns the bytes a text stream or file stands for (UTF-8, lone surrogates back to raw bytes)."""
    return text.encode("utf-8", "surrogateescape")


def from_bytes(data: bytes) -> str:
    """Returns the text that carries `data` byte for byte (see the module docstring)."""
    return data.decode("utf-8", "surrogateescape")


class _Usage(Exception):
    pass


def _parse(argv: list[str]) -> tuple[set[str], dict[str, str], list[str]]:
    """Returns (flags, {"f": archive, "C": dir}, operands); raises _Usage for a bad command line."""
    flags: set[str] = set()
    values: dict[str, str] = {}
    operands: list[str] = []
    args = list(argv[1:])
    pending: list[str] = []  # option letters waiting for their argument, in order (GNU: `cfC - dir`)

    def take(letters: str, bundle_rest: str = "") -> None:
        for i, ch in enumerate(letters):
            if ch in "fC":
                rest = letters[i + 1 :]
                if rest and bundle_rest == "dash":
                    values[ch] = rest  # `-fFILE`, `-C/tmp`
                    return
                pending.append(ch)
                if bundle_rest == "dash":
                    return
            elif ch in "cxtvmopz":
                flags.add(ch)
            else:
                raise _Usage(ch)

    if args and not args[0].startswith("-"):
        take(args.pop(0))
    i = 0
    while i < len(args):
        a = args[i]
        i += 1
        if pending:
            values[pending.pop(0)] = a
            continue
        if a == "--":
            operands.extend(args[i:])
            break
        if a.startswith("--directory="):
            values["C"] = a.split("=", 1)[1]
        elif a.startswith("--file="):
            values["f"] = a.split("=", 1)[1]
        elif a.startswith("-") and len(a) > 1:
            take(a[1:], "dash")
        else:
            operands.append(a)
    if pending:
        raise _Usage("missing")
    return flags, values, operands


def tar(m, argv: list[str], proc: dict) -> int:
    """tar c|x|t [vmop] [f FILE] [-C DIR] [PATH…]: see the module docstring; status 0, or GNU's 2 / busybox's 1."""
    busybox = getattr(m.ref, "repository", None) in BUSYBOX_REPOS
    fail = 1 if busybox else 2
    try:
        flags, values, operands = _parse(argv)
    except _Usage as exc:
        if busybox:
            m.err(f"tar: invalid option -- '{exc.args[0]}'\n" if exc.args[0] != "missing" else "")
            m.err(
                "BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: tar c|x|t [-ZzJjahmvokO] [-f TARFILE] [-C DIR] [-T FILE] [-X FILE] [LONGOPT]... [FILE]...\n"
            )
        else:
            m.err(
                f"tar: invalid option -- '{exc.args[0]}'\n"
                if exc.args[0] != "missing"
                else "tar: option requires an argument -- 'f'\n"
            )
            m.err("Try 'tar --help' or 'tar --usage' for more information.\n")
        return fail
    modes = flags & {"c", "x", "t"}
    if len(modes) != 1:
        if busybox:
            m.err(
                "tar: need one of 'c', 'x' or 't'\n"
                if not modes
                else "tar: can't specify multiple of 'c', 'x' or 't'\n"
            )
        else:
            m.err(
                "tar: You must specify one of the '-Acdtrux', '--delete' or '--test-label' options\n"
                if not modes
                else "tar: You may not specify more than one '-Acdtrux', '--delete' or  '--test-label' option\n"
            )
            m.err("Try 'tar --help' or 'tar --usage' for more information.\n")
        return fail
    base = m.cwd
    if "C" in values:
        base = m.path(values["C"])
        if m.fs.kind(base) != "dir":
            if busybox:
                m.err(f"tar: can't change directory to '{values['C']}': No such file or directory\n")
            else:
                m.err(f"tar: {values['C']}: Cannot open: No such file or directory\n")
                m.err("tar: Error is not recoverable: exiting now\n")
            return fail
    archive = values.get("f", "-")
    if "c" in modes:
        return _create(m, busybox, fail, base, archive, operands, "v" in flags)
    return _extract(m, busybox, fail, base, archive, operands, "v" in flags, list_only="t" in modes)


def _create(m, busybox: bool, fail: int, base: str, archive: str, operands: list[str], verbose: bool) -> int:
    if not operands:
        m.err("tar: empty archive\n" if busybox else "tar: Cowardly refusing to create an empty archive\n")
        if not busybox:
            m.err("Try 'tar --help' or 'tar --usage' for more information.\n")
        return fail
    buf = io.BytesIO()
    mtime = int(sim_datetime(m.now).timestamp())
    status = 0
    warned = False
    listing: list[str] = []
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tf:
        for word in operands:
            path = word if word.startswith("/") else base.rstrip("/") + "/" + word
            from .filesystem import norm

            path = norm(path)
            name = word.lstrip("/")
            if word.startswith("/") and not warned:
                warned = True
                m.err(
                    "tar: removing leading '/' from member names\n"
                    if busybox
                    else "tar: Removing leading `/' from member names\n"
                )
            kind = m.fs.kind(path)
            if kind is None:
                if busybox:
                    m.err(f"tar: {word}: No such file or directory\n")
                else:
                    m.err(f"tar: {word}: Cannot stat: No such file or directory\n")
                status = fail
                continue
            for member, mpath, mkind in _walk(m.fs, path, name.rstrip("/") or ".", kind):
                info = tarfile.TarInfo(member + ("/" if mkind == "dir" else ""))
                info.mtime = mtime
                info.uname = info.gname = "root"
                if mkind == "dir":
                    info.type = tarfile.DIRTYPE
                    info.mode = 0o755
                    tf.addfile(info)
                else:
                    data = to_bytes(m.fs.read(mpath) or "")
                    info.size = len(data)
                    info.mode = 0o644
                    tf.addfile(info, io.BytesIO(data))
                listing.append(info.name)
    if status and not busybox:
        m.err("tar: Exiting with failure status due to previous errors\n")
    data = buf.getvalue()
    if verbose:
        m.err("".join(n + "\n" for n in listing))  # the archive is on stdout, so the names go to stderr
    if archive == "-":
        m.out(from_bytes(data))
    else:
        err = m.fs.write(m.path(archive), from_bytes(data))
        if err:
            m.err(
                f"tar: can't open '{archive}': {err}\n"
                if busybox
                else f"tar: {archive}: Cannot open: {err}\n"
            )
            return fail
    return status


def _walk(fs, path: str, member: str, kind: str):
    """Yields (member name, path, kind) for a file or a directory tree, parents before children."""
    yield member, path, kind
    if kind != "dir":
        return
    for child in fs.listdir(path) or []:
        cpath = path.rstrip("/") + "/" + child
        ckind = fs.kind(cpath)
        if ckind is not None and not cpath.startswith(("/proc/", "/sys/")):
            yield from _walk(fs, cpath, member.rstrip("/") + "/" + child if member != "." else child, ckind)


def _extract(
    m, busybox: bool, fail: int, base: str, archive: str, wanted: list[str], verbose: bool, list_only: bool
) -> int:
    if archive == "-":
        data = to_bytes(m.stdin)
    else:
        text = m.read(archive)
        if text is None:
            if busybox:
                m.err(f"tar: can't open '{archive}': No such file or directory\n")
            else:
                m.err(f"tar: {archive}: Cannot open: No such file or directory\n")
                m.err("tar: Error is not recoverable: exiting now\n")
            return fail
        data = to_bytes(text)
    if not data.strip(b"\0"):
        return 0  # an empty archive (or only its end-of-archive blocks): nothing to do
    try:
        members = _members(data)
    except tarfile.TarError as exc:
        if "unexpected end" in str(exc).lower():
            m.err(
                "tar: short read\n"
                if busybox
                else "tar: Unexpected EOF in archive\ntar: Error is not recoverable: exiting now\n"
            )
            return fail
        if busybox:
            m.err("tar: invalid tar magic\n")
        else:
            m.err("tar: This does not look like a tar archive\n")
            m.err("tar: Exiting with failure status due to previous errors\n")
        return fail
    status = 0
    for info, content in members:
        name = info.name.rstrip("/")
        if wanted and not any(name == w.rstrip("/") or name.startswith(w.rstrip("/") + "/") for w in wanted):
            continue
        if verbose or list_only:
            m.out(info.name + "\n")
        if list_only:
            continue
        from .filesystem import norm

        target = norm(name.lstrip("/"), base)
        if info.isdir():
            err = m.fs.mkdir(target, parents=True)
        elif info.isfile():
            parent = target.rsplit("/", 1)[0] or "/"
            err = m.fs.mkdir(parent, parents=True)
            text = from_bytes(content or b"")
            if err is None and len(text) > MAX_FILE:
                err = "No space left on device"  # the filesystem keeps a file's last MAX_FILE characters only
            elif err is None:
                err = m.fs.write(target, text)
        else:
            continue  # links and devices: kubectl cp sends regular files and directories only
        if err:
            status = fail
            verb = "write" if err == "No space left on device" else "open"
            if busybox:
                m.err(f"tar: can't {verb} '{name}': {err}\n")
            else:
                m.err(f"tar: {name}: Cannot {verb}: {err}\n")
    if status and not busybox:
        m.err("tar: Exiting with failure status due to previous errors\n")
    return status


def _members(data: bytes) -> list[tuple[tarfile.TarInfo, bytes | None]]:
    """Returns the archive's members with their contents; raises tarfile.TarError for a non-archive."""
    out = []
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tf:
        for info in tf:
            content = None
            if info.isfile():
                fobj = tf.extractfile(info)
                content = fobj.read() if fobj else b""
            out.append((info, content))
    return out
