"""`pods/exec` and `pods/attach` as a pure session object the WebSocket transport drives (no I/O here).

The transport (ASGI, lead) accepts `GET …/pods/{name}/exec?command=…&container=…&stdin=…&stdout=…&stderr=…&tty=…`
(or `…/attach?…`) with `Sec-WebSocket-Protocol: v5.channel.k8s.io`, and under the cluster lock:

1. `session = ExecSession(ctx, namespace, pod, req.query, attach=False)`
2. `opened = session.open(ctx)`:
   - an `ApiResponse` → the upgrade is refused: write it as the HTTP answer instead of `101` (a Status for
     the API server's refusals — pod not found 404, `container x is not valid for pod p` 400, `pod p does not
     have a host assigned` 400; a 500 `text/plain` `container not found ("c")` for the kubelet's, which kubectl
     prints as `error: unable to upgrade connection: container not found ("c")`);
   - a list of `(channel, bytes)` frames → answer `101` with subprotocol `v5.channel.k8s.io` and send each
     frame as a binary message `channels_v5.encode(channel, data)`.
   When the WebSocket upgrade is refused, kubectl retries the same URL once over SPDY (`POST`, `Upgrade:
   SPDY/3.1`; kubectl pkg/cmd/exec/exec.go falls back on `httpstream.IsUpgradeFailure`): answer that POST with
   the same refusal, and kubectl prints `error: unable to upgrade connection: <text body>` (client-go
   transport/spdy/spdy.go), or `Error from server (…): <message>` for a Status body. The session never
   raises: a simulator fault is a 500 InternalError (refusal) or an InternalError Status on channel 3.
3. for every binary message from the client: `frames = session.feed(ctx, *channels_v5.decode(message))`
   and send them (channel 0 stdin bytes, 4 resize, 255 close: `[255, 0]` is stdin's end-of-file).
4. every ~0.1 s: `frames = session.poll(ctx)` and send them (an attached container's new output; the end of
   a session whose pod went away).
5. once `session.finished` is true the last frame sent was the `(3, Status JSON)` one: close the WebSocket
   normally (1000). If the client goes away first, call `session.close(ctx)` (nothing to send).

Frames carry stdout on channel 1 and stderr on 2; with `tty=true` the terminal merges stderr into stdout and
turns `\\n` into `\\r\\n`. The final Status on channel 3 is the kubelet's
[S kubernetes pkg/kubelet/cri/streaming/remotecommand/exec.go `ServeExec`]: `{"metadata":{},"status":"Success"}`,
or `NonZeroExitCode` with `details.causes[{"reason":"ExitCode","message":"<n>"}]` (kubectl then prints
`command terminated with exit code <n>` and exits n), or an `InternalError` (`error executing command in
container: …`, printed by kubectl as `error: Internal error occurred: …`).

Commands run in the engine as the console's `kubectl exec` runs them (visualizer.engine.programs): argv as
given (no shell unless it is one), in the container's files, env and hostname. A shell given no `-c` with
`stdin` set (`kubectl exec -it p -- sh`) is an interactive session: with a TTY it prints a prompt, echoes
what is typed (backspace, Ctrl-C, Ctrl-D, Ctrl-U handled), runs each line when Enter (`\\r`) comes and ends on
`exit [n]` or Ctrl-D on an empty line; without a TTY it runs each `\\n`-ended line silently and ends at
stdin's end. Another command with `stdin` reads all of stdin (until the `[255, 0]` close frame) first.
Attach joins the container's main process: a shell started with `stdin`/`tty` (`kubectl run -it … -- sh`)
becomes the same interactive session, and its `exit` ends the container; any other process streams its new
output until it stops.

    s = ExecSession(ctx, "default", "web-0", {"command": ["sh"], "stdin": ["true"], "stdout": ["true"],
                                               "tty": ["true"], "container": ["nginx"]})
    s.open(ctx)                         # [(1, b"# ")]
    s.feed(ctx, 0, b"echo hi\\r")        # [(1, b"echo hi\\r\\nhi\\r\\n# ")]  (the echo, the output, the prompt)
    s.feed(ctx, 0, b"exit 3\\r")         # [(1, b"exit 3\\r\\n"), (3, b'{"metadata":{},"status":"Failure",…')]
    s.finished                          # True
"""

from __future__ import annotations

import codecs
import json
import logging

from visualizer.engine.kubectl.commands import _exec_id, _interactive_shell, runtime_container
from visualizer.engine.programs import container as programs
from visualizer.engine.programs.expansion import expand_all
from visualizer.engine.programs.images import SHELL_IMAGES, process_argv
from visualizer.engine.programs.interpreter import Exit, new_process, run_sync
from visualizer.engine.programs.syntax import ShellSyntaxError, compile_script
from visualizer.engine.registry import parse_image

from . import channels_v5, status
from .http import ApiResponse

Frames = list[tuple[int, bytes]]
SUCCESS = {"metadata": {}, "status": "Success"}
MAX_LINE = 64 * 1024  # characters a line may hold before Enter (a runaway paste is cut)
MAX_STDIN = 1024 * 1024  # bytes of stdin kept for a command that reads it to the end
log = logging.getLogger(__name__)


def exit_status(code: int, argv: list[str]) -> dict:
    """The kubelet's Status for a command that exited with `code` (0 → Success)."""
    if code == 0:
        return dict(SUCCESS)
    return {
        "metadata": {},
        "status": "Failure",
        "message": "command terminated with non-zero exit code: error executing command "
        f"[{' '.join(argv)}], exit code {code}",
        "reason": "NonZeroExitCode",
        "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]},
    }


def internal_error(text: str) -> dict:
    """apimachinery errors.NewInternalError(`error executing command in container: <text>`) as the kubelet
    writes it on the error channel."""
    cause = f"error executing command in container: {text}"
    return {
        "metadata": {},
        "status": "Failure",
        "message": f"Internal error occurred: {cause}",
        "reason": "InternalError",
        "details": {"causes": [{"message": cause}]},
        "code": 500,
    }


def _flag(query: dict, name: str) -> bool:
    values = query.get(name) or []
    return bool(values) and values[-1].lower() in ("true", "1", "t")


class ExecSession:
    """One exec or attach session (see the module docstring for the protocol and an example).

    Attributes: `finished` (the Status frame was produced), `status` (that Status dict, or None),
    `tty`, `stdin` (what the client asked for), `interactive` (a shell reading lines).
    """

    def __init__(self, ctx, namespace: str, pod: str, query: dict[str, list[str]], *, attach: bool = False):
        self.namespace = namespace
        self.pod_name = pod
        self.attach = attach
        self.command = list(query.get("command") or [])
        self.container = (query.get("container") or [""])[-1]
        self.stdin = _flag(query, "stdin")
        self.stdout = _flag(query, "stdout")
        self.stderr = _flag(query, "stderr")
        self.tty = _flag(query, "tty")
        self.finished = False
        self.status: dict | None = None
        self.interactive = False
        self._follow = False  # attach to a non-shell process: stream its output
        self._uid = None
        self._instance = None
        self._sent = 0
        self._buffer = ""
        self._escape = ""
        self._stdin_data: list[bytes] = []
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._proc: dict | None = None
        self._cwd = "/"
        self._last = 0
        self._argv = self.command

    # ------------------------------------------------------------------ protocol
    def open(self, ctx) -> Frames | ApiResponse:
        """Checks the pod and container and starts the session: returns the first frames (a prompt, or a
        one-shot command's whole output and Status), or the ApiResponse refusing the upgrade. Never raises:
        a fault of the simulator is a 500 InternalError Status."""
        try:
            return self._open(ctx)
        except Exception:  # noqa: BLE001 - the transport must get a Status, never a traceback
            log.exception("kubeapi: exec session %s/%s failed to open", self.namespace, self.pod_name)
            self.finished = True
            return status.failure(
                500, "InternalError", "Internal error occurred: the simulator could not start this session"
            )

    def refusal(self, ctx) -> ApiResponse | None:
        """Returns the answer refusing this session (pod or container missing, bad options), or None when it
        could start — without starting it (the SPDY fallback's POST is answered with the refusal alone)."""
        try:
            checked = self._check(ctx)
        except Exception:  # noqa: BLE001 - a Status, never a traceback
            log.exception("kubeapi: exec session %s/%s failed to check", self.namespace, self.pod_name)
            return status.failure(
                500, "InternalError", "Internal error occurred: the simulator could not check"
            )
        return checked if isinstance(checked, ApiResponse) else None

    def _open(self, ctx) -> Frames | ApiResponse:
        checked = self._check(ctx)
        if isinstance(checked, ApiResponse):
            return checked
        pod, ctr = checked
        c = ctx.cluster
        self._uid = pod["metadata"].get("uid")
        self._instance = (ctr.get("restartCount"), ctr.get("startedAt"))
        if ctr.get("state") != "running":
            return self._end(internal_error("container is not running"))
        if self.attach:
            return self._open_attach(c, pod, ctr)
        return self._open_exec(c, pod, ctr)

    def _check(self, ctx) -> tuple[dict, dict] | ApiResponse:
        """Returns (pod, runtime container) of the session, or the ApiResponse refusing it."""
        c = ctx.cluster
        pod = c.store.get(f"/registry/pods/{self.namespace}/{self.pod_name}")
        if pod is None:
            return status.not_found("pods", self.pod_name)
        spec = pod["spec"]
        names = [x["name"] for x in spec["containers"]]
        inits = [x["name"] for x in spec.get("initContainers") or []]
        if not self.attach and not self.command:
            return status.bad_request("you must specify at least one command for the container")
        if not (self.stdin or self.stdout or self.stderr):
            return status.bad_request("you must specify at least 1 of stdin, stdout, stderr")
        if not self.container:
            if len(names) != 1:
                msg = f"a container name must be specified for pod {self.pod_name}, choose one of: [{' '.join(names)}]"
                if inits:
                    msg += f" or one of the init containers: [{' '.join(inits)}]"
                return status.bad_request(msg)
            self.container = names[0]
        elif self.container not in names + inits:
            return status.bad_request(f"container {self.container} is not valid for pod {self.pod_name}")
        if not spec.get("nodeName"):
            return status.bad_request(f"pod {self.pod_name} does not have a host assigned")
        _, ctr = runtime_container(c, pod, self.container)
        if ctr is None or (ctr.get("state") != "running" and pod.get("status", {}).get("phase") == "Pending"):
            # the kubelet's GetExec/GetAttach: no such running container in the runtime (kubelet server.go)
            return ApiResponse(500, f'container not found ("{self.container}")'.encode(), "text/plain")
        return pod, ctr

    def feed(self, ctx, channel: int, data: bytes) -> Frames:
        """Takes one client frame (channel 0 stdin, 4 resize, 255 close) and returns the frames to send.
        Never raises: a fault of the simulator ends the session with an InternalError Status."""
        if self.finished:
            return []
        try:
            return self._feed(ctx, channel, data)
        except Exception:  # noqa: BLE001 - the transport must get a Status, never a traceback
            log.exception("kubeapi: exec session %s/%s failed", self.namespace, self.pod_name)
            return self._end(internal_error("the simulator could not run this command"))

    def _feed(self, ctx, channel: int, data: bytes) -> Frames:
        if channel == channels_v5.RESIZE:
            # a terminal size: nothing here depends on it (the kubelet logs a malformed one and goes on)
            return []
        if channel == channels_v5.CLOSE:
            if data[:1] == bytes((channels_v5.STDIN,)):
                return self._stdin_closed(ctx)
            return []
        if channel != channels_v5.STDIN or not self.stdin:
            return []
        if self.interactive:
            frames = self._typed(ctx, data)
            if self.attach:
                self._record(ctx, frames)
            return frames
        if not self._follow and sum(map(len, self._stdin_data)) < MAX_STDIN:
            self._stdin_data.append(bytes(data))
        return []

    def poll(self, ctx) -> Frames:
        """Returns frames that come without client input: an attached process's new output; the end of the
        session when its pod or container instance is gone (exit code 137, as the runtime kills it)."""
        if self.finished:
            return []
        target = self._target(ctx)
        if target is None:
            return self._end(exit_status(137, self._argv))
        if self._follow:
            return self._follow_output(target[3])
        return []

    def close(self, ctx) -> None:
        """The client went away: the session ends without a Status (nothing is sent)."""
        self.finished = True

    # ------------------------------------------------------------------ opening
    def _open_exec(self, c, pod: dict, ctr: dict) -> Frames | ApiResponse:
        argv = self.command
        self._argv = argv
        if self.stdin and _interactive_shell(argv):
            machine = self._machine(c, pod, ctr, [])
            if not machine.knows(argv[0]):
                return self._not_found(c, pod, machine)
            self.interactive = True
            self._proc = new_process(list(argv), c.clock.now)
            return self._prompt(pod)
        if self.stdin:
            machine = self._machine(c, pod, ctr, [])
            if not machine.knows(argv[0]):
                return self._not_found(c, pod, machine)
            return []  # reads stdin to its end first
        return self._run_once(c, pod, ctr, b"")

    def _not_found(self, c, pod: dict, machine) -> Frames:
        """The runtime's refusal of a program the image does not have, as the console words it."""
        output, _ = programs.exec_command(machine, self.command)
        return self._end(
            internal_error(
                f'failed to exec in container: failed to start exec "{_exec_id(pod, c.clock.now)}": '
                f"{output.strip()}"
            )
        )

    def _machine(self, c, pod: dict, ctr: dict, err: list[str]):
        """A Machine over the container (collecting stdout; stderr apart unless there is a TTY)."""
        spec = self._spec(pod)
        sb, _ = runtime_container(c, pod, self.container)
        return c.kubelet.machine(
            pod, spec, sb, ctr, parse_image(spec["image"]), collect=True, err=None if self.tty else err.append
        )

    def _open_attach(self, c, pod: dict, ctr: dict) -> Frames:
        spec = self._spec(pod)
        # the main process's argv, as the kubelet started it (command/args over the image's ENTRYPOINT/CMD)
        env = ctr.get("env") or {}
        argv = process_argv(
            parse_image(spec["image"]),
            expand_all(spec.get("command"), env),
            expand_all(spec.get("args"), env),
        )
        self._argv = argv or [self.container]
        waits_on_terminal = spec.get("stdin") or spec.get("tty")
        if self.stdin and waits_on_terminal and argv and _interactive_shell(argv):
            self.interactive = True
            self._proc = new_process(list(argv), c.clock.now)
            return []  # kubectl prints "If you don't see a command prompt, try pressing enter."
        self._follow = True
        from visualizer.engine.programs.machine import log_lines

        self._sent = len(log_lines(ctr.get("logs") or []))
        return []

    # ------------------------------------------------------------------ running
    def _target(self, ctx):
        """Returns (pod, spec, sb, ctr) of the session's container instance, or None when it is gone."""
        c = ctx.cluster
        pod = c.store.get(f"/registry/pods/{self.namespace}/{self.pod_name}")
        if pod is None or pod["metadata"].get("uid") != self._uid:
            return None
        sb, ctr = runtime_container(c, pod, self.container)
        if ctr is None or ctr.get("state") != "running":
            return None
        if (ctr.get("restartCount"), ctr.get("startedAt")) != self._instance:
            return None
        return pod, self._spec(pod), sb, ctr

    def _spec(self, pod: dict) -> dict:
        specs = list(pod["spec"]["containers"]) + list(pod["spec"].get("initContainers") or [])
        return next(x for x in specs if x["name"] == self.container)

    def _run_once(self, c, pod: dict, ctr: dict, stdin: bytes) -> Frames:
        err: list[str] = []
        machine = self._machine(c, pod, ctr, err)
        if not machine.knows(self.command[0]):
            return self._not_found(c, pod, machine)
        output, code = programs.exec_command(machine, self.command, stdin.decode("utf-8", "surrogateescape"))
        self._touched(c, machine)
        frames = self._output(output, "".join(err))
        return frames + self._end(exit_status(code, self.command))

    def _stdin_closed(self, ctx) -> Frames:
        if self.interactive:
            frames: Frames = []
            if self._buffer and not self.tty:
                line, self._buffer = self._buffer, ""
                frames += self._run_line(ctx, line)
            if not self.finished:
                frames += self._end(exit_status(self._last, self._argv))
            return frames
        if self._follow:
            return []
        target = self._target(ctx)
        if target is None:
            return self._end(exit_status(137, self._argv))
        pod, _, _, ctr = target
        return self._run_once(ctx.cluster, pod, ctr, b"".join(self._stdin_data))

    def _typed(self, ctx, data: bytes) -> Frames:
        text = self._decoder.decode(data)  # a character may arrive split over two frames
        frames: Frames = []
        if not self.tty:
            self._buffer = (self._buffer + text)[-MAX_STDIN:]
            while "\n" in self._buffer and not self.finished:
                line, self._buffer = self._buffer.split("\n", 1)
                frames += self._run_line(ctx, line)
            return frames
        for ch in text:
            if self.finished:
                break
            if self._escape:  # an escape sequence (arrow keys): no line editing history here
                self._escape += ch
                if ch.isalpha() or ch == "~" or len(self._escape) > 8:
                    self._escape = ""
                continue
            if ch == "\x1b":
                self._escape = ch
            elif ch in "\r\n":
                line, self._buffer = self._buffer, ""
                frames.append((channels_v5.STDOUT, b"\r\n"))
                frames += self._run_line(ctx, line)
                if not self.finished:
                    frames += self._prompt_for(ctx)
            elif ch in "\x7f\b":
                if self._buffer:
                    self._buffer = self._buffer[:-1]
                    frames.append((channels_v5.STDOUT, b"\b \b"))
            elif ch == "\x03":
                self._buffer = ""
                frames.append((channels_v5.STDOUT, b"^C\r\n"))
                frames += self._prompt_for(ctx)
            elif ch == "\x04":
                if not self._buffer:
                    frames += self._end(exit_status(self._last, self._argv))
            elif ch == "\x15":
                frames.append((channels_v5.STDOUT, b"\b \b" * len(self._buffer)))
                self._buffer = ""
            elif ch >= " " and len(self._buffer) < MAX_LINE:
                self._buffer += ch
                frames.append((channels_v5.STDOUT, ch.encode()))
        return _merge(frames)

    def _run_line(self, ctx, line: str) -> Frames:
        """Runs one typed line in the session's shell (variables and directory kept between lines)."""
        if not line.strip():
            return []
        target = self._target(ctx)
        if target is None:
            return self._end(exit_status(137, self._argv))
        pod, _, _, ctr = target
        c = ctx.cluster
        err: list[str] = []
        machine = self._machine(c, pod, ctr, err)
        machine.cwd = self._cwd
        ended = None
        try:
            code = compile_script(line)
        except ShellSyntaxError as exc:
            machine.err(f"sh: {exc}\n")
            self._last = 2
        else:
            try:
                self._last = run_sync(code, machine, self._proc, raise_exit=True)
            except Exit as exc:
                ended = exc.code & 0xFF
        self._cwd = machine.cwd
        self._touched(c, machine)
        frames = self._output("".join(machine.collected), "".join(err))
        if ended is not None:
            if self.attach:
                self._end_main_process(ctx, ended)
            frames += self._end(exit_status(ended, self._argv))
        return frames

    def _record(self, ctx, frames: Frames) -> None:
        """An attached shell is the container's main process: what its terminal shows goes to the container
        log too (kubectl attach warns: `All commands and output from this session will be recorded in
        container logs`)."""
        text = b"".join(d for ch, d in frames if ch in (channels_v5.STDOUT, channels_v5.STDERR)).decode(
            "utf-8", "replace"
        )
        pod = ctx.cluster.store.get(f"/registry/pods/{self.namespace}/{self.pod_name}")
        if not text or pod is None:
            return
        sb, ctr = runtime_container(ctx.cluster, pod, self.container)
        if ctr is None or (ctr.get("restartCount"), ctr.get("startedAt")) != self._instance:
            return
        spec = self._spec(pod)
        machine = ctx.cluster.kubelet.machine(pod, spec, sb, ctr, parse_image(spec["image"]))
        machine.out(text.replace("\r\n", "\n").replace("\b \b", ""))

    def _follow_output(self, ctr: dict) -> Frames:
        from visualizer.engine.programs.machine import log_lines

        lines = log_lines(ctr.get("logs") or [])
        complete = len(lines) - (1 if (ctr.get("logState") or {}).get("open") and lines else 0)
        if complete <= self._sent:
            self._sent = min(self._sent, complete)
            return []
        text = "".join(line + "\n" for line in lines[self._sent : complete])
        self._sent = complete
        return self._output(text, "")

    def _end_main_process(self, ctx, code: int) -> None:
        """`exit` in an attached shell ends the container's main process (the kubelet then restarts it or
        completes the pod per restartPolicy), recorded as a user request like any REST write."""
        target = self._target(ctx)
        if target is None:
            return
        pod, spec, _, ctr = target
        kubelet = ctx.cluster.kubelet

        def stop() -> None:
            kubelet._container_exited(
                pod, pod["spec"]["nodeName"], spec, ctr, code, "Completed" if code == 0 else "Error"
            )
            key = f"/registry/pods/{self.namespace}/{self.pod_name}"
            kubelet.sync(key)

        ctx.write("kubectl attach", f"POST pods/{self.pod_name}/attach", stop)

    # ------------------------------------------------------------------ output
    def _output(self, out: str, err: str) -> Frames:
        frames: Frames = []
        if self.tty:
            text = (out + err).replace("\r\n", "\n").replace("\n", "\r\n")
            if text and (self.stdout or self.stderr):
                frames.append((channels_v5.STDOUT, text.encode("utf-8", "surrogateescape")))
            return frames
        # surrogateescape: bytes that are not UTF-8 (a `tar cf -` archive) go out exactly as they came in
        if out and self.stdout:
            frames.append((channels_v5.STDOUT, out.encode("utf-8", "surrogateescape")))
        if err and self.stderr:
            frames.append((channels_v5.STDERR, err.encode("utf-8", "surrogateescape")))
        return frames

    def _prompt_for(self, ctx) -> Frames:
        target = self._target(ctx)
        return self._prompt(target[0]) if target else []

    def _prompt(self, pod: dict) -> Frames:
        """The shell's prompt as root: bash `root@host:/dir# `, busybox/alpine sh `/dir # `, dash `# `."""
        if not self.tty:
            return []
        spec = self._spec(pod)
        shell = self._argv[0].rsplit("/", 1)[-1]
        if shell == "bash":
            host = pod["spec"].get("hostname") or self.pod_name
            text = f"root@{host}:{'~' if self._cwd == '/root' else self._cwd}# "
        elif parse_image(spec["image"]).repository in SHELL_IMAGES:
            text = f"{'~' if self._cwd == '/root' else self._cwd} # "
        else:
            text = "# "
        return [(channels_v5.STDOUT, text.encode())]

    def _touched(self, c, machine) -> None:
        if machine.fs.touched:
            c.touch("pods", f"{self.namespace}/{self.pod_name}")

    def _end(self, final: dict) -> Frames:
        self.finished = True
        self.status = final
        return [(channels_v5.ERROR, json.dumps(final, separators=(",", ":")).encode())]


def _merge(frames: Frames) -> Frames:
    """Joins consecutive frames of one channel (one message per keystroke burst)."""
    out: Frames = []
    for ch, data in frames:
        if out and out[-1][0] == ch and ch != channels_v5.ERROR:
            out[-1] = (ch, out[-1][1] + data)
        else:
            out.append((ch, data))
    return out
