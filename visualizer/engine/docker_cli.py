"""`docker …` against the Docker engine of one worker (worker-1 unless `-H NODE`): the imperative way.

`docker run -d nginx:1.20` starts exactly one container, once, on that host. Nothing records a desired state:
three runs are three unrelated containers; a removed or crashed container stays gone unless `--restart` says
otherwise, and even then it only comes back on the same host. Output copies the docker CLI.
"""

from __future__ import annotations

from .clock import docker_duration
from .kubectl import printers
from .kubectl.args import CommandError, parse
from .objects import did_you_mean, fnv32a
from .registry import parse_image

SUBCOMMANDS = (
    "run",
    "exec",
    "ps",
    "stop",
    "start",
    "restart",
    "rm",
    "logs",
    "images",
    "inspect",
    "container",
)
READ_ONLY = {"ps", "logs", "images", "inspect"}
MAX_CONTAINERS_PER_HOST = 50


def is_mutating(words: list[str]) -> bool:
    """Returns False for read-only docker subcommands."""
    rest = [w for w in words if w not in ("-H",)]
    return not rest or rest[0] not in READ_ONLY


def run(c, words: list[str], stdin) -> str:
    """Runs one docker CLI command."""
    host = c.docker_host
    if len(words) >= 2 and words[0] in ("-H", "--host"):
        host = words[1].removeprefix("tcp://").split(":")[0]
        words = words[2:]
        if c.runtime.node(host) is None or host == "control-plane":
            raise CommandError(
                f'error during connect: Get "http://{host}:2375/v1.47/containers/json": dial tcp: '
                f"lookup {host}: no such host"
            )
    if not words or words[0] in ("--help", "help"):
        return "Usage:  docker [OPTIONS] COMMAND\n\nCommands: run, exec, ps, stop, start, restart, rm, logs, images"
    sub = words[0]
    if sub == "container" and len(words) > 1:
        sub, words = words[1], words[1:]
        if sub == "ls":
            sub = "ps"
    if sub not in SUBCOMMANDS:
        guess = did_you_mean(sub, SUBCOMMANDS)
        raise CommandError(
            f"docker: '{sub}' is not a docker command.\nSee 'docker --help'"
            + (f"\n\nDid you mean this?\n\t{guess[0]}" if guess else "")
        )
    if not c.runtime.is_up(host):
        raise CommandError(
            "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker "
            f"daemon running? ({host} is down)"
        )
    return globals()[f"_{sub}"](c, host, words[1:])


def _run(c, host, words) -> str:
    # Flags end at the image name: everything after it is the command.
    value_flags = {
        "--name",
        "--restart",
        "-e",
        "--env",
        "-p",
        "--publish",
        "--cpus",
        "-m",
        "--memory",
        "--network",
        "-v",
        "--volume",
        "-w",
        "--workdir",
        "-l",
        "--label",
        "--hostname",
    }
    flags_part, rest = [], []
    i = 0
    while i < len(words):
        w = words[i]
        if w.startswith("-"):
            flags_part.append(w)
            name = w.split("=", 1)[0]
            takes_value = name in value_flags and "=" not in w and not (len(name) == 2 and len(w) > 2)
            if takes_value and i + 1 < len(words):
                flags_part.append(words[i + 1])
                i += 1
        else:
            rest = words[i:]
            break
        i += 1
    args = parse(
        flags_part, value_flags, {"-d", "--detach", "--rm", "-i", "-t", "-it", "--interactive", "--tty"}
    )
    if not rest:
        raise CommandError("docker: 'docker run' requires at least 1 argument.\nSee 'docker run --help'.")
    image, command = rest[0], rest[1:]
    restart = args.get("--restart", default="no")
    policy, _, retries = restart.partition(":")
    if policy not in ("no", "always", "on-failure", "unless-stopped") or (
        retries and (policy != "on-failure" or not retries.isdigit())
    ):
        raise CommandError(
            f"docker: Error response from daemon: invalid restart policy '{restart}'.\nSee 'docker run "
            "--help'."
        )
    if policy != "no" and args.has("--rm"):
        raise CommandError("docker: Conflicting options: --restart and --rm.\nSee 'docker run --help'.")
    ref = parse_image(image)
    if isinstance(ref, str):
        raise CommandError(
            "docker: invalid reference format: repository name must be lowercase.\nSee 'docker run --help'."
            if "lowercase" in ref
            else "docker: invalid reference format.\nSee 'docker run --help'."
        )
    rn = c.runtime.node(host)
    name = args.get("--name")
    if name is not None:
        if name in rn["docker"]:
            cid = rn["docker"][name]["id"]
            raise CommandError(
                f'docker: Error response from daemon: Conflict. The container name "/{name}" is already in '
                f'use by container "{cid}". You have to remove (or rename) that container to be able '
                "to reuse that name.\nSee 'docker run --help'."
            )
        if not name or not all(ch.isalnum() or ch in "_.-" for ch in name):
            raise CommandError(
                f"docker: Error response from daemon: Invalid container name ({name}), only "
                "[a-zA-Z0-9][a-zA-Z0-9_.-] are allowed.\nSee 'docker run --help'."
            )
    if len(rn["docker"]) >= MAX_CONTAINERS_PER_HOST:
        raise CommandError(
            f"docker: the simulator allows at most {MAX_CONTAINERS_PER_HOST} containers per host "
            "(docker rm some first)"
        )
    ports = []
    for spec in args.all("-p", "--publish"):
        parts = spec.split(":")
        try:
            host_port, ctr_port = (
                (int(parts[-2]), int(parts[-1].split("/")[0])) if len(parts) >= 2 else (None, int(parts[0]))
            )
        except ValueError:
            raise CommandError(f"docker: Invalid containerPort: {spec}.\nSee 'docker run --help'.") from None
        for d in rn["docker"].values():
            if (
                d["state"] in ("running", "restarting")
                and any(p[0] == host_port for p in d["ports"])
                and host_port
            ):
                raise CommandError(
                    f"docker: Error response from daemon: driver failed programming external "
                    f"connectivity on endpoint {name or 'new'}: Bind for 0.0.0.0:{host_port} failed: "
                    "port is already allocated."
                )
        ports.append([host_port, ctr_port])
    env = {}
    for e in args.all("-e", "--env"):
        k, _, v = e.partition("=")
        env[k] = v
    lines = []
    if not ref.exists:
        lines.append(f"Unable to find image '{ref.short}' locally")
        if ref.repo is None:
            raise CommandError(
                "\n".join(lines) + f"\ndocker: Error response from daemon: pull access denied for "
                f"{ref.repository.removeprefix('library/')}, repository does not exist or may require "
                "'docker login': denied: requested access to the resource is denied.\nSee 'docker run "
                "--help'."
            )
        raise CommandError(
            "\n".join(lines) + f"\ndocker: Error response from daemon: manifest for {ref.short} not "
            "found: manifest unknown: manifest unknown.\nSee 'docker run --help'."
        )
    if not c.runtime.image_present(host, ref.full):
        lines += [
            f"Unable to find image '{ref.short}' locally",
            f"{ref.tag}: Pulling from {ref.repository}",
            "Digest: sha256:" + "0" * 8 + "…",
            f"Status: Downloaded newer image for {ref.short}",
        ]
        c.runtime.node(host)["images"][ref.full] = True
    memory = None
    if args.get("-m", "--memory"):
        from .objects import parse_bytes

        text = args.get("-m", "--memory")
        try:
            memory = parse_bytes(text[:-1] + text[-1].upper() + "i" if text[-1:] in "kmgKMG" else text)
        except (ValueError, TypeError):
            raise CommandError(
                f'invalid argument "{text}" for "-m, --memory" flag: invalid size: \'{text}\'\n'
                "See 'docker run --help'."
            ) from None
    name = name or c.runtime.docker_name(host)
    d = c.runtime.docker_create(
        host,
        name=name,
        ref=ref,
        command=command or None,
        env=env,
        ports=ports,
        restart=policy,
        max_retries=int(retries or 0),
        auto_remove=args.has("--rm"),
        memory=memory,
    )
    if args.has("-d", "--detach"):
        lines.append(d["id"])
    else:
        lines += d["logs"] or []
        if d["exitAt"] is not None and d["exitAt"] <= c.clock.now:
            c.runtime.docker_sync(f"{host}/{d['name']}")
    return "\n".join(lines)


def _exec(c, host, words) -> str:
    """`docker exec [-i] [-t] [-e K=V] [-w DIR] [-u USER] CONTAINER COMMAND [ARG…]`: runs COMMAND in the running
    container with the container programs' shell (as `kubectl exec` does). The console has no terminal, so
    `-t` with a bare shell (`docker exec -it web sh`) is refused; `-it` with any other command runs it."""
    from .kubectl.shell import SHELL_WORDS, console_argv, no_terminal_error
    from .programs.container import exec_command

    value_flags = {"-e", "--env", "-w", "--workdir", "-u", "--user", "--env-file"}
    bool_flags = {"-i", "--interactive", "-t", "--tty", "-it", "-ti", "-d", "--detach", "--privileged"}
    flags_part, rest, i = [], [], 0
    while i < len(words):  # flags end at the container name: the rest is the command
        w = words[i]
        if w.startswith("-") and not rest:
            flags_part.append(w)
            if w in value_flags and i + 1 < len(words):
                flags_part.append(words[i + 1])
                i += 1
        else:
            rest = words[i:]
            break
        i += 1
    args = parse(flags_part, value_flags, bool_flags)
    if len(rest) < 2:
        raise CommandError(
            "docker: 'docker exec' requires at least 2 arguments.\n\nUsage:  docker exec [OPTIONS] CONTAINER "
            "COMMAND [ARG...]\n\nSee 'docker exec --help' for more information"
        )
    d = _find(c, host, rest[0])
    if d["state"] != "running":
        raise CommandError(f"Error response from daemon: container {d['id']} is not running")
    argv = rest[1:]
    tty = args.has("-t", "--tty", "-it", "-ti")
    if tty and argv[0].rsplit("/", 1)[-1] in SHELL_WORDS and len(argv) == 1:
        raise CommandError(
            no_terminal_error(f"docker exec {' '.join(words)}", f"docker exec {rest[0]} COMMAND…")
        )
    ref = parse_image(d["image"])
    machine = c.runtime.docker_machine(d, None if isinstance(ref, str) else ref, collect=True)
    for e in args.all("-e", "--env"):
        k, _, v = e.partition("=")
        machine.env[k] = v
    output, code = exec_command(machine, console_argv(argv))
    if machine.fs.touched:
        c.touch("pods", f"docker/{host}/{d['name']}")
    output = output.rstrip("\n")
    if code == 126 and "executable file not found" in output:
        raise CommandError(output)
    if code:
        raise CommandError(output)  # the docker CLI exits with the command's status and adds nothing
    return output


def _ps(c, host, words) -> str:
    args = parse(words, {"--filter", "-f", "--format"}, {"-a", "--all", "-q", "--quiet"})
    show_all = args.has("-a", "--all")
    rows = []
    ids = []
    for d in sorted(c.runtime.node(host)["docker"].values(), key=lambda d: -d["created"]):
        if not show_all and d["state"] not in ("running", "restarting"):
            continue
        ids.append(d["id"][:12])
        cmd = d["command"]
        cmd = f'"{cmd[:20]}…"' if len(cmd) > 20 else f'"{cmd}"'
        ports = ", ".join(f"0.0.0.0:{h}->{p}/tcp" if h else f"{p}/tcp" for h, p in d["ports"])
        if not ports:
            ref = parse_image(d["image"])
            ports = ", ".join(
                f"{p}/tcp" for p in (ref.repo.ports if not isinstance(ref, str) and ref.repo else ())
            )
        rows.append(
            [
                d["id"][:12],
                d["image"],
                cmd,
                f"{docker_duration(c.clock.now - d['created'])} ago",
                c.runtime.docker_status(d),
                ports,
                d["name"],
            ]
        )
    if args.has("-q", "--quiet"):
        return "\n".join(ids)
    return printers.table(["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"], rows)


def _find(c, host, ident):
    d = c.runtime.docker_find(host, ident)
    if d is None:
        raise CommandError(f"Error response from daemon: No such container: {ident}")
    return d


def _stop(c, host, words) -> str:
    if not words:
        raise CommandError("docker: 'docker stop' requires at least 1 argument.")
    for ident in words:
        _find(c, host, ident)
    for ident in words:
        d = _find(c, host, ident)
        d["manualStop"] = True
        if d["state"] in ("running", "restarting"):
            d.update(
                state="exited",
                exitCode=0 if d["state"] == "running" else d["exitCode"],
                finishedAt=c.clock.now,
                restartAt=None,
                exitAt=None,
            )
            c.touch("pods", f"docker/{host}/{d['name']}")
        if d.get("autoRemove"):
            del c.runtime.node(host)["docker"][d["name"]]
    return "\n".join(words)


def _start(c, host, words) -> str:
    if not words:
        raise CommandError("docker: 'docker start' requires at least 1 argument.")
    for ident in words:
        _find(c, host, ident)
    for ident in words:
        d = _find(c, host, ident)
        if d["state"] != "running":
            d["manualStop"] = False
            c.runtime._docker_start(host, d)
    return "\n".join(words)


def _restart(c, host, words) -> str:
    _stop(c, host, words)
    return _start(c, host, words)


def _rm(c, host, words) -> str:
    args = parse(words, set(), {"-f", "--force", "-v"})
    if not args.positional:
        raise CommandError("docker: 'docker rm' requires at least 1 argument.")
    for ident in args.positional:
        d = _find(c, host, ident)
        if d["state"] in ("running", "restarting") and not args.has("-f", "--force"):
            raise CommandError(
                f'Error response from daemon: cannot remove container "/{d["name"]}": container is '
                "running: stop the container before removing or force remove"
            )
    out = []
    for ident in args.positional:
        d = _find(c, host, ident)
        del c.runtime.node(host)["docker"][d["name"]]
        c.touch("pods", f"docker/{host}/{d['name']}")
        from .narration import narrate

        step, ko, en = narrate("docker-removed", name=d["name"])
        c.emit(
            "Normal",
            "Destroy",
            f"container/{d['name']}",
            "docker",
            f"Removed container {d['name']}",
            ko,
            en,
            step,
            namespace="",
            quiet=True,  # Docker's own events are not Kubernetes Events
        )
        out.append(ident)
    return "\n".join(out)


def _logs(c, host, words) -> str:
    args = parse(words, {"--tail", "-n"}, {"-f", "--follow", "-t"})
    if len(args.positional) != 1:
        raise CommandError("docker: 'docker logs' requires exactly 1 argument.")
    return "\n".join(_find(c, host, args.positional[0])["logs"])


def _images(c, host, words) -> str:
    rows = []
    for full in c.runtime.node(host)["images"]:
        ref = parse_image(full.removeprefix("docker.io/"))
        if isinstance(ref, str):
            continue
        rows.append(
            [
                ref.repository.removeprefix("library/"),
                ref.tag,
                f"{fnv32a(full.encode()):08x}0000",
                "2 weeks ago",
                f"{ref.repo.size_mb if ref.repo else 1}MB",
            ]
        )
    return printers.table(["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"], rows)


def _inspect(c, host, words) -> str:
    import json

    if not words:
        raise CommandError("docker: 'docker inspect' requires at least 1 argument.")
    d = _find(c, host, words[0])
    return json.dumps(
        [
            {
                "Id": d["id"],
                "Name": "/" + d["name"],
                "State": {
                    "Status": d["state"],
                    "ExitCode": d["exitCode"],
                    "Restarting": d["state"] == "restarting",
                    "OOMKilled": bool(d.get("oomKilled")),
                },
                "RestartCount": d["restartCount"],
                "HostConfig": {"RestartPolicy": {"Name": d["restart"], "MaximumRetryCount": d["maxRetries"]}},
                "Config": {"Image": d["image"], "Env": [f"{k}={v}" for k, v in d["env"].items()]},
                "NetworkSettings": {"IPAddress": d["ip"]},
            }
        ],
        indent=4,
    )
