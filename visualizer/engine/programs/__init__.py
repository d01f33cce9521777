"""Container programs: a POSIX sh subset run in simulated time, the busybox utilities, and image behaviours.

See docs/engine/programs.md. Entry points: `interpreter.new_process`/`step` (a container's main process, run by
the kubelet and the Docker engine), `exec_command` (`kubectl exec`, exec probes), `images.process_argv`
(command/args vs ENTRYPOINT/CMD), `expansion.expand` (Kubernetes `$(VAR)`).
"""

from __future__ import annotations

from .interpreter import Block, new_process, run_sync, step
from .machine import Machine, append_output
from .syntax import ShellSyntaxError

__all__ = ["Block", "Machine", "ShellSyntaxError", "append_output", "new_process", "run_sync", "step"]
