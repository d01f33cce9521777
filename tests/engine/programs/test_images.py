"""Image programs on a cluster: ENTRYPOINT/CMD rules, well-known images, OOM, Docker, exec and save/restore."""

import dataclasses

from tests.engine.conftest import get, ok
from visualizer.engine import Cluster
from visualizer.engine.programs.container import exec_command, machine_for
from visualizer.engine.programs.images import process_argv
from visualizer.engine.programs.pi import pi_digits
from visualizer.engine.registry import ImageRef, parse_image

POD = """
apiVersion: v1
kind: Pod
metadata: {{name: {name}}}
spec:
  restartPolicy: {policy}
  containers:
  - name: main
    image: {image}
{extra}
"""


def _pod(c, name, image, extra="", policy="Always"):
    ok(c, "kubectl apply -f -", POD.format(name=name, image=image, extra=extra, policy=policy))


def _status(c, name):
    return ok(c, f"kubectl get pod {name}").output.splitlines()[1].split()[2]


def test_command_and_args_follow_the_entrypoint_cmd_table():
    """unset/unset → ENTRYPOINT+CMD; command → command only; args → ENTRYPOINT+args; both → command+args."""
    ref = parse_image("nginx:1.27")
    assert process_argv(ref, None, None) == ["/docker-entrypoint.sh", "nginx", "-g", "daemon off;"]
    assert process_argv(ref, ["sh"], None) == ["sh"]
    assert process_argv(ref, None, ["nginx-debug"]) == ["/docker-entrypoint.sh", "nginx-debug"]
    assert process_argv(ref, ["echo"], ["a"]) == ["echo", "a"]


def test_nginx_prints_its_entrypoint_lines_and_serves(cluster):
    """nginx logs the docker-entrypoint.sh configuration lines and nginx's notices, and keeps running."""
    _pod(cluster, "web", "nginx:1.27")
    cluster.advance(30)
    logs = ok(cluster, "kubectl logs web").output.splitlines()
    assert (
        logs[0]
        == "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration"
    )
    assert logs[8] == "/docker-entrypoint.sh: Configuration complete; ready for start up"
    assert logs[10].endswith("[notice] 1#1: nginx/1.27.0")
    assert _status(cluster, "web") == "Running"


def test_plain_nginx_command_daemonizes_and_the_container_completes(cluster):
    """command: ["nginx"] forks into the background: PID 1 exits 0, so under Always it crash-loops."""
    _pod(cluster, "bg", "nginx:1.27", '    command: ["nginx"]')
    seen = set()
    for _ in range(40):
        cluster.advance(1)
        seen.add(_status(cluster, "bg"))
    assert "CrashLoopBackOff" in seen
    cs = get(cluster, "pod bg")[0]["status"]["containerStatuses"][0]
    assert cs["lastState"]["terminated"]["reason"] == "Completed"


def test_busybox_without_a_command_exits_zero_at_once(cluster):
    """busybox runs `sh` with no TTY: it exits 0 immediately (Completed), then CrashLoopBackOff under Always."""
    _pod(cluster, "bb", "busybox:1.36")
    seen = set()
    for _ in range(40):
        cluster.advance(1)
        seen.add(_status(cluster, "bb"))
    assert "CrashLoopBackOff" in seen
    assert (
        get(cluster, "pod bb")[0]["status"]["containerStatuses"][0]["lastState"]["terminated"]["exitCode"]
        == 0
    )


def test_mysql_needs_a_password_env(cluster):
    """mysql without MYSQL_ROOT_PASSWORD (or alternatives) exits 1 with the entrypoint's error."""
    _pod(cluster, "db", "mysql:8.0", policy="Never")
    _pod(cluster, "db2", "mysql:8.0", "    env: [{name: MYSQL_ROOT_PASSWORD, value: secret}]", policy="Never")
    cluster.advance(60)
    assert _status(cluster, "db") == "Error"
    assert (
        "Database is uninitialized and password option is not specified"
        in ok(cluster, "kubectl logs db").output
    )
    assert _status(cluster, "db2") == "Running"


def test_a_command_the_image_lacks_is_a_start_error(cluster):
    """A command that is not in the image fails to start: StartError, exit code 128, the runtime's message."""
    _pod(cluster, "bad", "busybox:1.36", '    command: ["frobnicate"]', policy="Never")
    cluster.advance(30)
    cs = get(cluster, "pod bad")[0]["status"]["containerStatuses"][0]
    assert cs["state"]["terminated"]["reason"] == "StartError"
    assert cs["state"]["terminated"]["exitCode"] == 128
    assert (
        'exec: "frobnicate": executable file not found in $PATH' in ok(cluster, "kubectl get events").output
    )


def test_agnhost_netexec_and_serve_hostname_answer_through_a_service(cluster):
    """agnhost serve-hostname answers with the pod name through its Service (port 9376)."""
    _pod(
        cluster,
        "hostnames",
        "registry.k8s.io/e2e-test-images/agnhost:2.52",
        '    args: ["serve-hostname"]\n  ',
    )
    ok(cluster, "kubectl label pod hostnames app=hostnames")
    ok(
        cluster,
        "kubectl apply -f -",
        """
apiVersion: v1
kind: Service
metadata: {name: hostnames}
spec:
  selector: {app: hostnames}
  ports: [{port: 80, targetPort: 9376}]
""",
    )
    _pod(cluster, "client", "busybox:1.36", '    command: ["sleep", "3600"]')
    cluster.advance(30)
    assert ok(cluster, "kubectl exec client -- wget -qO- -T 2 hostnames").output == "hostnames"
    assert "Serving on port 9376." in ok(cluster, "kubectl logs hostnames").output


def test_exec_console_line_pipes_and_variables_run_in_the_container(cluster):
    """`kubectl exec p -- env | grep X` and `-- echo $HOSTNAME` get shell meaning inside the container."""
    _pod(cluster, "box", "busybox:1.36", '    command: ["sleep", "3600"]')
    cluster.advance(20)
    assert ok(cluster, "kubectl exec box -- env | grep HOSTNAME").output == "HOSTNAME=box"
    assert ok(cluster, "kubectl exec box -- echo $HOSTNAME").output == "box"
    assert ok(
        cluster, "kubectl exec box -- sh -c 'ls /var/run/secrets/kubernetes.io/serviceaccount'"
    ).output.split() == ["ca.crt", "namespace", "token"]


def test_perl_prints_pi_like_bignum_bpi():
    """perl -Mbignum=bpi -wle 'print bpi(2000)' prints 2000 significant digits of π."""
    ref = ImageRef("perl:5.34.0", "library/perl", "5.34.0", None)
    ctr = {"logs": [], "env": {}, "fs": {}}
    m = machine_for(None, ctr, pod=None, cname="pi", sb=None, ref=ref, hostname="pi", now=0.0, collect=True)
    out, code = exec_command(m, ["perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"])
    assert code == 0 and out == pi_digits(2000) + "\n"
    assert out.startswith("3.14159265358979323846264338327950288419716939937510582097494459")
    assert len(out.strip()) == 2001 and pi_digits(5) == "3.1416"


def test_stress_over_the_memory_limit_is_oom_killed(cluster, monkeypatch):
    """polinux/stress --vm-bytes 250M under a 100Mi limit: OOMKilled, exit 137 (catalogue entry added here,
    since the images branch owns the catalogue)."""
    from visualizer.engine import registry

    monkeypatch.setitem(
        registry.CATALOGUE,
        "polinux/stress",
        dataclasses.replace(registry.CATALOGUE["library/busybox"], tags=("latest",)),
    )
    registry.parse_image.cache_clear()
    try:
        extra = (
            "    resources: {requests: {memory: 50Mi}, limits: {memory: 100Mi}}\n"
            '    command: ["stress"]\n    args: ["--vm", "1", "--vm-bytes", "250M", "--vm-hang", "1"]'
        )
        _pod(cluster, "memory-demo-2", "polinux/stress", extra)
        seen = set()
        for _ in range(40):
            cluster.advance(1)
            seen.add(_status(cluster, "memory-demo-2"))
        assert "CrashLoopBackOff" in seen
        last = get(cluster, "pod memory-demo-2")[0]["status"]["containerStatuses"][0]["lastState"][
            "terminated"
        ]
        assert (last["reason"], last["exitCode"]) == ("OOMKilled", 137)
        assert (
            "dispatching hogs: 0 cpu, 0 io, 1 vm, 0 hdd"
            in ok(cluster, "kubectl logs memory-demo-2 -p").output
        )
    finally:
        registry.parse_image.cache_clear()


def test_docker_run_runs_the_program_and_logs_its_output(cluster):
    """docker run busybox echo prints at once; a detached script exits after its sleep with its code."""
    assert ok(cluster, "docker run --name hi busybox:1.36 echo hello docker").output.endswith("hello docker")
    assert ok(cluster, "docker logs hi").output == "hello docker"
    ok(cluster, "docker run -d --name later busybox:1.36 sh -c 'echo begin; sleep 5; exit 3'")
    cluster.advance(3)
    assert "Up" in ok(cluster, "docker ps").output
    cluster.advance(3)
    assert "Exited (3)" in ok(cluster, "docker ps -a").output
    assert ok(cluster, "docker logs later").output == "begin"


def test_a_sleeping_program_survives_save_and_restore(cluster):
    """A cluster saved mid-sleep continues exactly as the original: same logs, same files."""
    _pod(
        cluster,
        "tick",
        "busybox:1.36",
        '    command: ["sh", "-c", "i=0; while true; do echo tick $i; i=$((i+1)); sleep 7; done"]',
    )
    cluster.advance(20)
    copy = Cluster.from_dict(cluster.to_dict())
    cluster.advance(50)
    copy.advance(50)
    assert ok(cluster, "kubectl logs tick").output == ok(copy, "kubectl logs tick").output
    assert "tick 8" in ok(copy, "kubectl logs tick").output
    assert cluster.to_dict() == copy.to_dict()


def test_working_dir_and_an_interactive_shell(cluster):
    """workingDir is the program's directory (created if missing); `stdin: true` keeps a bare busybox sh up."""
    _pod(
        cluster,
        "wd",
        "busybox:1.36",
        '    workingDir: /work\n    command: ["sh", "-c", "pwd; touch here; sleep 3600"]',
    )
    _pod(cluster, "it", "busybox:1.36", "    stdin: true\n    tty: true")
    cluster.advance(40)
    assert ok(cluster, "kubectl logs wd").output == "/work"
    assert ok(cluster, "kubectl exec wd -- ls /work").output == "here"
    assert _status(cluster, "it") == "Running"


def test_docker_memory_limit_oom_kills_stress(cluster, monkeypatch):
    """docker run -m 100m polinux/stress --vm-bytes 250M: exits 137 and inspect shows OOMKilled."""
    import json

    from visualizer.engine import registry

    monkeypatch.setitem(
        registry.CATALOGUE,
        "polinux/stress",
        dataclasses.replace(registry.CATALOGUE["library/busybox"], tags=("latest",)),
    )
    registry.parse_image.cache_clear()
    try:
        ok(
            cluster,
            "docker run -d -m 100m --name hog polinux/stress stress --vm 1 --vm-bytes 250M --vm-hang 1",
        )
        cluster.advance(1)
        assert "Exited (137)" in ok(cluster, "docker ps -a").output
        state = json.loads(ok(cluster, "docker inspect hog").output)[0]["State"]
        assert state["OOMKilled"] is True and state["ExitCode"] == 137
    finally:
        registry.parse_image.cache_clear()


def test_a_docker_container_keeps_its_files_across_restarts(cluster):
    """Docker restarts the same container (same writable layer); the kubelet would make a new one."""
    ok(
        cluster,
        "docker run -d --name keep --restart always busybox:1.36 sh -c 'echo run >> /data.txt; sleep 2; exit 1'",
    )
    cluster.advance(10)
    d = cluster.runtime.node(cluster.docker_host)["docker"]["keep"]
    assert d["restartCount"] >= 2
    assert d["fs"]["/data.txt"].count("run") == d["restartCount"] + 1


def test_a_configmap_key_mounted_with_sub_path_is_a_file(cluster):
    """volumeMounts.subPath of a ConfigMap key puts that one file at the mount path; writes are refused."""
    ok(cluster, "kubectl create configmap conf --from-literal=app.conf=debug=true")
    _pod(
        cluster,
        "sub",
        "busybox:1.36",
        '    command: ["sh", "-c", "cat /etc/app.conf; echo x > /etc/app.conf; sleep 3600"]\n'
        "    volumeMounts: [{name: c, mountPath: /etc/app.conf, subPath: app.conf}]\n"
        "  volumes: [{name: c, configMap: {name: conf}}]",
    )
    cluster.advance(30)
    # The value has no trailing newline, so the error continues the same log line, as on a real node.
    assert ok(cluster, "kubectl logs sub").output == (
        "debug=truesh: can't create /etc/app.conf: Read-only file system"
    )


def test_an_image_known_only_from_the_catalogue_behaves_as_it_says(cluster, monkeypatch):
    """A catalogued image with no recorded program: its catalogue logs and ports (here a stand-in entry)."""
    from visualizer.engine import registry

    base = registry.CATALOGUE["traefik/whoami"]
    monkeypatch.setitem(
        registry.CATALOGUE,
        "example/hello-app",
        dataclasses.replace(
            base, tags=("1.0",), command="", logs=("Server listening on port 8080",), ports=(8080,)
        ),
    )
    monkeypatch.setitem(
        registry.CATALOGUE,
        "example/bootcamp",
        dataclasses.replace(base, tags=("1",), command="/bin/sh -c 'node server.js'", logs=(), ports=(8080,)),
    )
    registry.parse_image.cache_clear()
    try:
        _pod(cluster, "hello", "example/hello-app:1.0")
        _pod(cluster, "boot", "example/bootcamp:1")
        cluster.advance(30)
        assert _status(cluster, "hello") == "Running" and _status(cluster, "boot") == "Running"
        assert ok(cluster, "kubectl logs hello").output == "Server listening on port 8080"
    finally:
        registry.parse_image.cache_clear()
