"""exec and attach driven by the real kubectl v1.37 over `v5.channel.k8s.io` (reference §A3c, fact 9),
through ws_harness.ExecHarness (a test-only `websockets` server around ExecSession; the production transport
is the lead's). Interactive sessions run kubectl on a pseudo-terminal, as a student's terminal would."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time

import pytest

from .harness import require_kubectl
from .test_exec_session import TMP
from .ws_harness import ExecHarness


@pytest.fixture(scope="module")
def api():
    with ExecHarness(speed=1.0) as api:
        assert api.console("kubectl run web --image=nginx").ok
        assert api.console("kubectl run bb --image=busybox -- sleep 3600").ok
        assert api.console("kubectl apply -f -", stdin=TMP).ok
        api.advance(20)
        yield api


def on_tty(api, args: list[str], keys: list[bytes], wait: float = 20) -> tuple[int | None, str]:
    """Runs kubectl on a pseudo-terminal, typing `keys` one burst a second; returns (exit code, screen)."""
    kubectl = require_kubectl()
    master, slave = pty.openpty()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(api.home),
        "KUBECONFIG": str(api.kubeconfigs["control"]),
        "KUBECACHEDIR": str(api.home / "cache"),
        "TERM": "xterm",
    }
    proc = subprocess.Popen([str(kubectl), *args], stdin=slave, stdout=slave, stderr=slave, env=env)
    os.close(slave)
    screen = b""

    def read(seconds: float) -> None:
        nonlocal screen
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    screen += os.read(master, 4096)
                except OSError:
                    return

    read(1.5)
    for key in keys:
        os.write(master, key)
        read(0.7)
    try:
        proc.wait(wait)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    read(0.3)
    os.close(master)
    return proc.returncode, screen.decode()


def test_exec_command_with_stdout_stderr_and_exit_code(api):
    rc, out, err = api.kubectl("exec", "web", "--", "sh", "-c", "echo hi; echo oops >&2; exit 3", timeout=30)
    assert (rc, out, err) == (3, "hi\n", "oops\ncommand terminated with exit code 3\n")


def test_exec_output_is_the_console_output(api):
    rc, out, err = api.kubectl("exec", "web", "--", "cat", "/etc/hostname", timeout=30)
    assert (rc, err) == (0, "")
    assert out == api.console("kubectl exec web -- cat /etc/hostname").output + "\n"


def test_exec_with_piped_stdin(api):
    rc, out, err = api.kubectl(
        "exec", "-i", "bb", "--", "sh", stdin="echo one\nls /nope\necho two\n", timeout=30
    )
    assert (rc, out, err) == (0, "one\ntwo\n", "ls: /nope: No such file or directory\n")
    rc, out, err = api.kubectl("exec", "-i", "bb", "--", "cat", stdin="piped text\n", timeout=30)
    assert (rc, out, err) == (0, "piped text\n", "")


def test_exec_of_a_missing_program_is_the_runtime_error(api):
    rc, out, err = api.kubectl("exec", "web", "--", "nope", timeout=30)
    assert (rc, out) == (1, "")
    assert err.startswith(
        "error: Internal error occurred: error executing command in container: failed to exec"
    )
    assert err.rstrip("\n").endswith('exec: "nope": executable file not found in $PATH: unknown')


def test_exec_interactive_shell_on_a_terminal(api):
    rc, screen = on_tty(
        api, ["exec", "-it", "bb", "--", "sh"], [b"echo hi\r", b"cd /etc\r", b"pwd\r", b"exit 2\r"]
    )
    assert rc == 2
    assert screen == (
        "/ # echo hi\r\nhi\r\n/ # cd /etc\r\n/etc # pwd\r\n/etc\r\n/etc # exit 2\r\n"
        "command terminated with exit code 2\r\n"
    )


def test_attach_to_a_terminal_shell_and_exit_completes_the_pod(api):
    rc, screen = on_tty(api, ["attach", "-it", "tmp"], [b"\r", b"hostname\r", b"exit\r"])
    assert rc == 0
    assert screen.endswith(
        "If you don't see a command prompt, try pressing enter.\r\n\r\n/ # hostname\r\ntmp\r\n/ # exit\r\n"
        "Session ended, resume using 'kubectl attach tmp -c tmp -n default -i -t' command\r\n"
    )
    api.advance(2)
    assert api.cluster.store.get("/registry/pods/default/tmp")["status"]["phase"] == "Succeeded"
