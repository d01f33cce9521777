"""`kubectl exec POD -- CMD`: runs CMD with the container programs' interpreter, against the container's files.

The command runs as the CRI's ExecSync runs it: argv directly, or a script with `sh -c '…'`
(see visualizer/engine/programs). The console has no local shell, so a line such as
`kubectl exec p -- env | grep HOST` or `… -- echo $HOSTNAME` — shell syntax a terminal would apply on the
user's machine — is handed to the container's `sh` instead, which gives the same output a user expects
(documented in docs/engine/programs.md).
"""

from __future__ import annotations

import shlex

from ..objects import BY_KIND, etcd_key
from ..programs import container as programs
from ..programs.filesystem import FileSystem, norm
from ..registry import parse_image

_OPERATORS = {"|", "||", "&&", ";", ">", ">>", "<", "2>&1", "2>", "&"}
SHELL_WORDS = ("sh", "bash", "ash", "zsh")  # a bare shell needs a terminal to be of any use


def no_terminal_error(typed: str, instead: str) -> str:
    """Returns the console's refusal of an interactive shell (`kubectl exec -it P -- sh`, `docker exec -it C sh`):
    the web console has no terminal to attach to, so it names the one-command form instead."""
    return (
        f"error: this web console has no terminal to attach to, so `{typed}` (an interactive shell) is not "
        f"available.\nRun one command at a time instead:\n  {instead}"
    )


def console_argv(rest: list[str]) -> list[str]:
    """Returns the argv to exec: words with shell syntax (`|`, `;`, `$VAR`, `>`) become `sh -c 'LINE'`."""
    if rest[:1] and rest[0] in ("sh", "/bin/sh", "bash", "/bin/bash", "ash"):
        return rest
    if not any(w in _OPERATORS or "$" in w for w in rest):
        return rest
    line = " ".join(w if w in _OPERATORS else _quote(w) for w in rest)
    return ["sh", "-c", line]


def _quote(word: str) -> str:
    if "$" in word:
        return '"' + word.replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`") + '"'
    return shlex.quote(word)


def run_shell(c, pod: dict, cname: str, sb: dict, ctr: dict, argv: list[str]) -> tuple[str, int]:
    """Returns (output, exit code) of a command run in the container (stdout and stderr interleaved)."""
    specs = list(pod["spec"]["containers"]) + list(pod["spec"].get("initContainers") or [])
    spec = next(x for x in specs if x["name"] == cname)
    ref = parse_image(spec["image"])
    machine = c.kubelet.machine(pod, spec, sb, ctr, ref, collect=True)
    output, code = programs.exec_command(machine, console_argv(argv))
    if machine.fs.touched:
        c.touch("pods", f"{pod['metadata']['namespace']}/{pod['metadata']['name']}")
    return output.rstrip("\n"), code


def file_exists(c, pod: dict, cname: str, path: str) -> bool | None:
    """Returns whether a file exists in a running container (None if the container is not running)."""
    node = pod["spec"].get("nodeName")
    rn = c.runtime.node(node) if node else None
    key = etcd_key(BY_KIND["Pod"], pod["metadata"]["namespace"], pod["metadata"]["name"])
    sb = rn["sandboxes"].get(key) if rn else None
    ctr = sb["containers"].get(cname) if sb else None
    if ctr is None:
        return None
    return FileSystem(c, pod, cname, sb, ctr["fs"]).kind(norm(path)) is not None
