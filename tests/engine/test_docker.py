"""docker CLI against one worker's Docker engine: run, ps, stop, start, rm, logs, restart policies."""

from .conftest import ok


def _ps(c, flags=""):
    return ok(c, f"docker ps {flags}".strip()).output.splitlines()


def test_docker_run_starts_one_container_and_prints_its_id(cluster):
    """docker run -d prints a 64-hex ID and docker ps lists the container as Up."""
    out = ok(cluster, "docker run -d --name web nginx:1.20").output.splitlines()
    assert len(out[-1]) == 64 and all(ch in "0123456789abcdef" for ch in out[-1])
    rows = _ps(cluster)
    assert rows[0].split()[:3] == ["CONTAINER", "ID", "IMAGE"]
    assert rows[1].endswith("web") and " Up " in rows[1]


def test_three_runs_make_three_unrelated_containers(cluster):
    """Three docker runs give three containers with generated names and no owner."""
    for _ in range(3):
        ok(cluster, "docker run -d nginx:1.20")
    assert len(_ps(cluster)) == 4
    bare = [p for p in cluster.snapshot()["pods"].values() if p["bare"]]
    assert len(bare) == 3 and all(p["owner"] is None for p in bare)


def test_a_crashed_container_without_restart_policy_stays_exited(cluster):
    """With the default restart policy `no`, a crash leaves the container Exited (1) for good."""
    ok(cluster, "docker run -d --name web nginx:1.20")
    ok(cluster, "sim crash web")
    cluster.advance(120)
    assert len(_ps(cluster)) == 1
    exited = _ps(cluster, "-a")[1]
    assert "Exited (1)" in exited


def test_restart_always_restarts_on_the_same_host_with_growing_delay(cluster):
    """--restart always restarts the container after 100 ms; it stays on the same node."""
    ok(cluster, "docker run -d --name api --restart always nginx:1.21")
    ok(cluster, "sim crash api")
    assert "Restarting (1)" in _ps(cluster)[1]
    cluster.advance(0.2)
    assert " Up " in _ps(cluster)[1]
    item = cluster.snapshot()["pods"]["docker/worker-1/api"]
    assert item["restarts"] == 1 and item["node"] == "worker-1"


def test_removed_containers_are_not_recreated(cluster):
    """docker rm -f removes a running container and nothing brings it back."""
    ok(cluster, "docker run -d --name web nginx:1.20")
    assert "container is running" in cluster.run("docker rm web").output
    ok(cluster, "docker rm -f web")
    cluster.advance(60)
    assert len(_ps(cluster, "-a")) == 1


def test_stop_and_start(cluster):
    """docker stop exits the container (not restarted even with --restart always); start brings it back."""
    ok(cluster, "docker run -d --name api --restart always nginx:1.21")
    assert ok(cluster, "docker stop api").output == "api"
    cluster.advance(30)
    assert "Exited (0)" in _ps(cluster, "-a")[1]
    ok(cluster, "docker start api")
    assert " Up " in _ps(cluster)[1]


def test_unknown_images_fail_like_docker_hub(cluster):
    """A misspelt image is pull access denied; an unknown tag is manifest unknown; nothing is created."""
    before = cluster.to_dict()
    out = cluster.run("docker run -d ngnix").output
    assert "pull access denied for ngnix, repository does not exist" in out
    assert "manifest for nginx:9.9 not found" in cluster.run("docker run -d nginx:9.9").output
    assert cluster.to_dict() == before


def test_port_conflicts_and_bad_flags_are_refused(cluster):
    """Publishing the same host port twice fails; --restart with --rm conflicts."""
    ok(cluster, "docker run -d -p 8080:80 nginx:1.20")
    assert "port is already allocated" in cluster.run("docker run -d -p 8080:80 nginx:1.20").output
    assert (
        "Conflicting options: --restart and --rm"
        in cluster.run("docker run -d --rm --restart always nginx:1.20").output
    )


def test_a_down_host_cannot_be_reached(cluster):
    """When worker-1 is down the docker CLI cannot connect to its daemon."""
    ok(cluster, "docker run -d --name web --restart always nginx:1.20")
    ok(cluster, "sim fail-node worker-1")
    assert "Cannot connect to the Docker daemon" in cluster.run("docker ps").output
    ok(cluster, "sim recover-node worker-1")
    assert " Up " in _ps(cluster)[1]


def test_logs_and_unknown_subcommands(cluster):
    """docker logs prints the start-up lines; a typo gets docker's message."""
    ok(cluster, "docker run -d --name web nginx:1.20")
    assert "start worker processes" in ok(cluster, "docker logs web").output
    assert "docker: 'pss' is not a docker command." in cluster.run("docker pss").output


def test_hello_world_prints_its_message_and_exits_0(cluster):
    """`docker run hello-world` pulls the image, prints "Hello from Docker!" and the container exits 0."""
    out = ok(cluster, "docker run hello-world").output
    assert out.splitlines()[0] == "Unable to find image 'hello-world:latest' locally"
    assert (
        "\nHello from Docker!\nThis message shows that your installation appears to be working correctly.\n"
        in out
    )
    assert " Exited (0) " in _ps(cluster, "-a")[1]
    assert 'exec: "sh": executable file not found in $PATH' in cluster.run("docker run hello-world sh").output


def test_docker_exec_runs_a_command_in_a_running_container(cluster):
    """docker exec runs the command in the container (its own files, HOSTNAME = short id); -it with a bare
    shell is refused (no terminal); a stopped or unknown container is an error from the daemon."""
    ok(cluster, "docker run -d --name web nginx:1.27")
    assert "usr" in ok(cluster, "docker exec web ls /").output.split()
    short_id = ok(cluster, "docker ps -q").output.splitlines()[0]
    assert ok(cluster, "docker exec web sh -c 'echo $HOSTNAME'").output == short_id
    assert ok(cluster, "docker exec -it web cat /etc/hostname").ok
    refused = cluster.run("docker exec -it web sh")
    assert not refused.ok and "no terminal" in refused.output
    assert cluster.run("docker exec nope ls").output == "Error response from daemon: No such container: nope"
    ok(cluster, "docker stop web")
    stopped = cluster.run("docker exec web ls")
    assert not stopped.ok and stopped.output.endswith("is not running")


def test_docker_events_are_not_kubernetes_events(cluster):
    """Docker's own events (run, die, destroy) never appear in `kubectl get events`."""
    ok(cluster, "docker run -d --name web nginx:1.27")
    ok(cluster, "docker run hello-world")
    ok(cluster, "docker rm -f web")
    cluster.advance(5)
    assert ok(cluster, "kubectl get events -A").output == "No resources found"
