"""The console: routes `kubectl …`, `docker …`, `sim …` and `help` to their handlers, safely.

A command that changes state runs against a checkpoint (undo.Checkpoint: the small parts by value, the store and
the container runtime through undo journals, so its cost follows what the command touches, not the cluster's
size); if it fails – a refused request, a YAML error, or even a bug – the cluster is restored exactly, so bad
input never changes anything. The one exception is a
`PartialFailure` (kubectl's own partial successes, e.g. `drain` leaves the node cordoned when an eviction is
refused): what was written before the failure stays. After a successful
command the controllers react at once (the queues are drained), and the events of the whole chain become the
command's events and control-plane trace.
"""

from __future__ import annotations

from .apiserver import ApiError
from .kubectl import commands as kubectl
from .kubectl.args import CommandError, PartialFailure
from .narration import STEP_TITLES
from .objects import did_you_mean
from .runtime import split_command
from .undo import Checkpoint
from .wallclock import display_offset
from .yaml_input import YamlError

MAX_COMMAND = 4096
PROGRAMS = ("kubectl", "docker", "sim", "help")


def _programs():
    from . import docker_cli, sim_commands

    return {
        "kubectl": (kubectl.run, kubectl.is_mutating),
        "k": (kubectl.run, kubectl.is_mutating),
        "docker": (docker_cli.run, docker_cli.is_mutating),
        "sim": (sim_commands.run, sim_commands.is_mutating),
        "help": (_help, lambda words: False),
    }


def _help(c, words, stdin) -> str:
    return (
        "Commands:\n  kubectl …   talk to the API server (apply -f -, get, describe, delete, scale, set image, "
        "rollout, expose, autoscale, cordon, drain, logs, exec)\n"
        "  docker …    the Docker engine on one worker (run, ps, stop, start, rm, logs)\n"
        "  sim …       teaching actions (crash, fail-node, recover-node, probe-fail, probe-ok, load, traffic, "
        "encrypt-at-rest, wait, images)\n\n동작 원리:\n"
        + "\n".join(f"  {n}. {ko} / {en}" for n, (ko, en) in STEP_TITLES.items())
    )


def dispatch(c, command, stdin):
    """Returns a CommandResult for one console line."""
    from .cluster import CommandResult

    if not isinstance(command, str):
        return CommandResult(
            False, "error: the command must be text", [], {"message": "the command must be text"}
        )
    if len(command) > MAX_COMMAND:
        msg = f"error: the command is longer than {MAX_COMMAND} characters"
        return CommandResult(False, msg, [], {"message": msg})
    if stdin is not None and not isinstance(stdin, str):
        return CommandResult(False, "error: stdin must be text", [], {"message": "stdin must be text"})
    words = split_command(command.strip())
    if isinstance(words, str):
        msg = f"error: cannot parse the command line: {words}"
        return CommandResult(False, msg, [], {"message": msg})
    if not words:
        return CommandResult(False, "error: empty command", [], {"message": "empty command"})
    programs = _programs()
    prog = words[0]
    if prog not in programs:
        guess = did_you_mean(prog, PROGRAMS)
        msg = f"{prog}: command not found" + (
            f"\nDid you mean: {' '.join(guess)}?" if guess else "\nTry: kubectl, docker, sim or help"
        )
        return CommandResult(False, msg, [], {"message": msg})
    handler, mutating = programs[prog]
    try:
        writes = mutating(words[1:])
    except Exception:  # noqa: BLE001
        writes = True
    checkpoint = Checkpoint(c) if writes else None
    collected: list = []
    trace: list = [
        {
            "step": 1,
            "component": "user",
            "reason": "Command",
            "object": "",
            "ko": f"사용자가 `{command.strip()[:200]}` 를 실행했습니다",
            "en": f"The user ran `{command.strip()[:200]}`",
        }
    ]
    c._collect, c._trace = collected, trace
    # Timestamps print in the user's clock (wallclock.py): the offset the live host set for this command.
    shown = display_offset.set(c.wall_offset)
    error = None
    kept = False  # a PartialFailure keeps the writes made before it failed, as kubectl does
    ok = False
    try:
        output = handler(c, words[1:], stdin)
        c._drain()
        ok = True
    except PartialFailure as exc:
        ok, output, error, kept = False, str(exc), exc.error, True
        try:
            c._drain()
        except Exception:  # noqa: BLE001 - a controller bug must not keep a half-done state
            kept = False
    except CommandError as exc:
        ok, output, error = False, str(exc), exc.error
    except ApiError as exc:
        ok, output = False, str(exc)
    except YamlError as exc:
        ok, output, error = False, exc.message, exc.to_dict()
    except Exception as exc:  # noqa: BLE001 - last line of defence: bad input must never raise
        ok, output = (
            False,
            f"error: internal simulator error ({type(exc).__name__}: {exc}); nothing was changed",
        )
    finally:
        c._collect, c._trace = None, None
        display_offset.reset(shown)
        if checkpoint is not None:
            if ok or kept:
                checkpoint.release()
            else:
                checkpoint.rollback()
    if not ok and kept:
        if len(trace) > 1:
            c.trace = trace
            c.touch("trace", "")
        return CommandResult(False, output, collected, error or {"message": output})
    if not ok:
        return CommandResult(False, output, [], error or {"message": output})
    if writes and len(trace) > 1:
        c.trace = trace
        c.touch("trace", "")
    return CommandResult(True, output, collected, None)
