"""ExecSession (visualizer/kubeapi/execute.py): exec and attach run in the engine, driven frame by frame as
the WebSocket transport drives them. Outputs are compared with the console's `kubectl exec` where both can
run the same command."""

from __future__ import annotations

import json

import pytest

from visualizer.engine import Cluster
from visualizer.kubeapi.context import ApiContext
from visualizer.kubeapi.execute import ExecSession
from visualizer.kubeapi.http import ApiResponse

TWO = """apiVersion: v1
kind: Pod
metadata:
  name: two
spec:
  containers:
  - name: a
    image: busybox
    command: ["sleep", "3600"]
  - name: b
    image: busybox
    command: ["sleep", "3600"]
"""


# what `kubectl run tmp -it --rm --restart=Never --image=busybox -- sh` creates (kubectl pkg/cmd/run/run.go)
TMP = """apiVersion: v1
kind: Pod
metadata:
  name: tmp
  labels: {run: tmp}
spec:
  restartPolicy: Never
  containers:
  - name: tmp
    image: busybox
    args: ["sh"]
    stdin: true
    stdinOnce: true
    tty: true
"""


@pytest.fixture(scope="module")
def base() -> dict:
    c = Cluster(workers=2, seed=7)
    for cmd in (
        "kubectl run web --image=nginx",
        "kubectl run bb --image=busybox -- sleep 3600",
        "kubectl run talker --image=busybox -- sh -c 'while true; do echo tick; sleep 1; done'",
    ):
        assert c.run(cmd).ok, cmd
    assert c.run("kubectl apply -f -", stdin=TWO).ok
    assert c.run("kubectl apply -f -", stdin=TMP).ok
    c.advance(20)
    assert c.run("kubectl run slow --image=nginx").ok
    return c.to_dict()


@pytest.fixture
def ctx(base) -> ApiContext:
    return ApiContext(Cluster.from_dict(base))


def _q(**kw) -> dict[str, list[str]]:
    return {k: v if isinstance(v, list) else [v] for k, v in kw.items()}


def _status(frames) -> dict:
    assert frames[-1][0] == 3
    return json.loads(frames[-1][1])


def _text(frames, channel=1) -> str:
    return b"".join(d for ch, d in frames if ch == channel).decode()


def test_one_shot_command_separates_stdout_and_stderr_and_succeeds(ctx):
    s = ExecSession(
        ctx, "default", "bb", _q(command=["sh", "-c", "echo out; echo err >&2"], stdout="true", stderr="true")
    )
    frames = s.open(ctx)
    assert frames[:2] == [(1, b"out\n"), (2, b"err\n")]
    assert _status(frames) == {"metadata": {}, "status": "Success"}
    assert s.finished and s.status == {"metadata": {}, "status": "Success"}
    assert s.feed(ctx, 0, b"ignored") == [] and s.poll(ctx) == []


def test_non_zero_exit_is_the_kubelet_status(ctx):
    frames = ExecSession(
        ctx, "default", "bb", _q(command=["sh", "-c", "exit 3"], stdout="true", stderr="true")
    ).open(ctx)
    assert frames == [
        (
            3,
            b'{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: error '
            b'executing command [sh -c exit 3], exit code 3","reason":"NonZeroExitCode","details":{"causes":'
            b'[{"reason":"ExitCode","message":"3"}]}}',
        )
    ]


def test_output_is_the_console_exec_output(ctx):
    s = ExecSession(ctx, "default", "web", _q(command=["cat", "/etc/hostname"], stdout="true", stderr="true"))
    frames = s.open(ctx)
    assert _text(frames) == ctx.cluster.run("kubectl exec web -- cat /etc/hostname").output + "\n"


def test_tty_merges_stderr_and_uses_crlf(ctx):
    s = ExecSession(
        ctx, "default", "bb", _q(command=["sh", "-c", "echo a; echo b >&2"], stdout="true", tty="true")
    )
    frames = s.open(ctx)
    assert frames[0] == (1, b"a\r\nb\r\n")
    assert _status(frames)["status"] == "Success"


def test_interactive_shell_with_a_tty(ctx):
    s = ExecSession(
        ctx, "default", "bb", _q(command=["sh"], stdin="true", stdout="true", stderr="false", tty="true")
    )
    assert s.open(ctx) == [(1, b"/ # ")]
    assert s.interactive and not s.finished
    # echo as typed, backspace, then Enter runs the line and prints the prompt again
    assert s.feed(ctx, 0, b"echx") == [(1, b"echx")]
    assert s.feed(ctx, 0, b"\x7fo hi\r") == [(1, b"\b \bo hi\r\nhi\r\n/ # ")]
    assert _text(s.feed(ctx, 0, b"cd /etc\r")) == "cd /etc\r\n/etc # "
    assert _text(s.feed(ctx, 0, b"X=7; echo $X; pwd\r")) == "X=7; echo $X; pwd\r\n7\r\n/etc\r\n/etc # "
    assert _text(s.feed(ctx, 0, b"ls /nope\r")).startswith("ls /nope\r\nls: ")
    assert _text(s.feed(ctx, 0, b"abc\x03")) == "abc^C\r\n/etc # "
    frames = s.feed(ctx, 0, b"exit 4\r")
    assert _text(frames) == "exit 4\r\n"
    assert _status(frames)["details"]["causes"] == [{"reason": "ExitCode", "message": "4"}]
    assert s.finished


def test_ctrl_d_on_an_empty_line_ends_with_the_last_status(ctx):
    s = ExecSession(ctx, "default", "web", _q(command=["bash"], stdin="true", stdout="true", tty="true"))
    assert s.open(ctx) == [(1, b"root@web:/# ")]
    s.feed(ctx, 0, b"false\r")
    frames = s.feed(ctx, 0, b"\x04")
    assert _status(frames)["details"]["causes"][0]["message"] == "1"


def test_interactive_shell_without_a_tty_reads_lines_until_eof(ctx):
    s = ExecSession(ctx, "default", "bb", _q(command=["sh"], stdin="true", stdout="true", stderr="true"))
    assert s.open(ctx) == []
    assert s.feed(ctx, 0, b"echo one\necho tw") == [(1, b"one\n")]
    assert s.feed(ctx, 0, b"o >&2\n") == [(2, b"two\n")]
    frames = s.feed(ctx, 255, b"\x00")
    assert frames == [(3, b'{"metadata":{},"status":"Success"}')]


def test_stdin_is_read_to_its_end_before_a_command_runs(ctx):
    s = ExecSession(
        ctx,
        "default",
        "bb",
        _q(command=["sh", "-c", "cat > /tmp/x; wc -c < /tmp/x"], stdin="true", stdout="true"),
    )
    assert s.open(ctx) == []
    assert s.feed(ctx, 0, b"hello ") == []
    assert s.feed(ctx, 0, b"world\n") == []
    frames = s.feed(ctx, 255, b"\x00")
    assert _text(frames).strip() == "12"
    assert ctx.cluster.run("kubectl exec bb -- cat /tmp/x").output == "hello world"


def test_resize_frames_are_accepted(ctx):
    s = ExecSession(ctx, "default", "bb", _q(command=["sh"], stdin="true", stdout="true", tty="true"))
    s.open(ctx)
    assert s.feed(ctx, 4, b'{"Width":100,"Height":30}') == []
    assert s.feed(ctx, 4, b"garbage") == []
    assert not s.finished


@pytest.mark.parametrize(
    "pod, query, code, message",
    [
        ("nope", {"command": ["ls"], "stdout": "true"}, 404, 'pods "nope" not found'),
        (
            "web",
            {"command": ["ls"], "stdout": "true", "container": "x"},
            400,
            "container x is not valid for pod web",
        ),
        (
            "two",
            {"command": ["ls"], "stdout": "true"},
            400,
            "a container name must be specified for pod two, choose one of: [a b]",
        ),
        ("web", {"command": ["ls"]}, 400, "you must specify at least 1 of stdin, stdout, stderr"),
    ],
)
def test_api_server_refusals_are_statuses(ctx, pod, query, code, message):
    resp = ExecSession(ctx, "default", pod, _q(**query)).open(ctx)
    assert isinstance(resp, ApiResponse)
    assert resp.status == code and resp.json()["message"] == message


def test_container_not_started_refuses_the_upgrade_as_the_kubelet(ctx):
    resp = ExecSession(ctx, "default", "slow", _q(command=["ls"], stdout="true")).open(ctx)
    assert isinstance(resp, ApiResponse)
    assert (resp.status, resp.content_type, resp.body) == (500, "text/plain", b'container not found ("slow")')
    console = ctx.cluster.run("kubectl exec slow -- ls").output
    assert console == 'error: unable to upgrade connection: container not found ("slow")'


def test_missing_program_is_an_internal_error_like_the_console(ctx):
    frames = ExecSession(ctx, "default", "web", _q(command=["nope"], stdout="true")).open(ctx)
    status = _status(frames)
    assert status["reason"] == "InternalError" and status["code"] == 500
    console = ctx.cluster.run("kubectl exec web -- nope").output
    assert console == "error: " + status["message"]


def test_a_deleted_pod_ends_the_session(ctx):
    s = ExecSession(ctx, "default", "bb", _q(command=["sh"], stdin="true", stdout="true", tty="true"))
    s.open(ctx)
    assert ctx.cluster.run("kubectl delete pod bb --grace-period=0 --force").ok
    frames = s.poll(ctx)
    assert _status(frames)["details"]["causes"][0]["message"] == "137"


def test_attach_follows_the_main_process_output(ctx):
    s = ExecSession(ctx, "default", "talker", _q(stdout="true", stderr="true"), attach=True)
    assert s.open(ctx) == []
    ctx.cluster.advance(3)
    assert _text(s.poll(ctx)).splitlines() in (["tick"] * 3, ["tick"] * 2, ["tick"] * 4)
    assert s.poll(ctx) == []


def test_attach_to_a_tty_shell_and_exit_ends_the_container(ctx):
    s = ExecSession(ctx, "default", "tmp", _q(stdin="true", stdout="true", tty="true"), attach=True)
    assert s.open(ctx) == []
    assert _text(s.feed(ctx, 0, b"\r")) == "\r\n/ # "
    assert _text(s.feed(ctx, 0, b"echo in tmp\r")) == "echo in tmp\r\nin tmp\r\n/ # "
    frames = s.feed(ctx, 0, b"exit\r")
    assert _status(frames) == {"metadata": {}, "status": "Success"}
    # the attached shell is the main process: its terminal went to the container log
    assert ctx.cluster.run("kubectl logs tmp").output == "\n/ # echo in tmp\nin tmp\n/ # exit"
    ctx.cluster.advance(2)
    pod = ctx.cluster.store.get("/registry/pods/default/tmp")
    assert pod["status"]["phase"] == "Succeeded"


def test_a_character_split_over_two_frames_is_one_character(ctx):
    s = ExecSession(ctx, "default", "bb", _q(command=["sh"], stdin="true", stdout="true", tty="true"))
    s.open(ctx)
    euro = "€".encode()
    assert s.feed(ctx, 0, b"echo " + euro[:1]) == [(1, b"echo ")]
    assert s.feed(ctx, 0, euro[1:] + b"\r") == [(1, euro + "\r\n€\r\n/ # ".encode())]


def test_a_simulator_fault_ends_the_session_with_an_internal_error(ctx, monkeypatch):
    s = ExecSession(ctx, "default", "bb", _q(command=["sh"], stdin="true", stdout="true", tty="true"))
    s.open(ctx)

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("visualizer.kubeapi.execute.run_sync", broken)
    frames = s.feed(ctx, 0, b"ls\r")
    status = _status(frames)
    assert status["reason"] == "InternalError" and "boom" not in status["message"]
    assert s.finished
