"""What the well-known images run: ENTRYPOINT/CMD from their image configs, and their programs' behaviour.

The catalogue of repositories and tags lives in `registry.py` (owned by the images work); this module says what
a container of a repository *does*. Sources per repository are in `IMAGE_CONFIG`; programs are `fn(machine,
argv, proc) -> status | Block` like the busybox utilities, and are found only inside their own image (`nginx`
in a busybox container is `sh: nginx: not found`, as it would be).
"""

from __future__ import annotations

import functools
import re

from .interpreter import Block

# repository -> (ENTRYPOINT, CMD, source of the image config)
IMAGE_CONFIG: dict[str, tuple[list[str], list[str], str]] = {
    "library/nginx": (
        ["/docker-entrypoint.sh"],
        ["nginx", "-g", "daemon off;"],
        "nginxinc/docker-nginx mainline/debian/Dockerfile",
    ),
    "library/httpd": ([], ["httpd-foreground"], "docker-library/httpd 2.4/Dockerfile"),
    "library/redis": (
        ["docker-entrypoint.sh"],
        ["redis-server"],
        "docker-library/redis 7.4/debian/Dockerfile",
    ),
    "library/mysql": (["docker-entrypoint.sh"], ["mysqld"], "docker-library/mysql 8.4/Dockerfile.oracle"),
    "library/postgres": (
        ["docker-entrypoint.sh"],
        ["postgres"],
        "docker-library/postgres 17/bookworm/Dockerfile",
    ),
    "library/busybox": ([], ["sh"], 'docker-library/busybox latest/glibc/Dockerfile (CMD ["sh"])'),
    "registry.k8s.io/busybox": ([], ["sh"], 'kubernetes/kubernetes test/images (busybox, CMD ["sh"])'),
    "library/alpine": ([], ["/bin/sh"], "alpinelinux/docker-alpine Dockerfile"),
    "library/ubuntu": ([], ["/bin/bash"], "docker-library/official-images ubuntu"),
    "library/node": (["docker-entrypoint.sh"], ["node"], "nodejs/docker-node 22/bookworm/Dockerfile"),
    "library/python": ([], ["python3"], "docker-library/python 3.13/bookworm/Dockerfile"),
    "library/perl": ([], ["perl5.40.0", "-de0"], "Perl/docker-perl 5.040.000-main-bookworm/Dockerfile"),
    "library/wordpress": (
        ["docker-entrypoint.sh"],
        ["apache2-foreground"],
        "docker-library/wordpress latest/php8.2/apache/Dockerfile",
    ),
    "library/memcached": (
        ["docker-entrypoint.sh"],
        ["memcached"],
        "docker-library/memcached 1/debian/Dockerfile",
    ),
    "library/mongo": (["docker-entrypoint.sh"], ["mongod"], "docker-library/mongo 8.0/Dockerfile"),
    "library/traefik": (
        ["/entrypoint.sh"],
        ["traefik"],
        "traefik/traefik-library-image v3.1/alpine/Dockerfile",
    ),
    "traefik/whoami": (["/whoami"], [], "traefik/whoami Dockerfile"),
    "registry.k8s.io/hpa-example": (
        ["docker-php-entrypoint"],
        ["apache2-foreground"],
        "kubernetes/website docs hpa-example Dockerfile (FROM php:5-apache, index.php)",
    ),
    "registry.k8s.io/pause": (["/pause"], [], "kubernetes/kubernetes build/pause/Dockerfile"),
    "registry.k8s.io/e2e-test-images/agnhost": (
        ["/agnhost"],
        ["pause"],
        "kubernetes/kubernetes test/images/agnhost/Dockerfile",
    ),
    "polinux/stress": ([], ["stress", "--help"], "github.com/polinux/stress Dockerfile [unverified CMD]"),
    "registry.k8s.io/kube-proxy": (
        ["/usr/local/bin/kube-proxy"],
        [],
        "kubernetes/kubernetes build/server-image (kubeadm runs it with --config)",
    ),
    "registry.k8s.io/coredns/coredns": (["/coredns"], [], "coredns/coredns Dockerfile"),
    "library/hello-world": (
        [],
        ["/hello"],
        'docker-library/hello-world amd64/hello-world/Dockerfile (CMD ["/hello"])',
    ),
    # FROM node:6.3.1, EXPOSE 8080, COPY server.js ., CMD node server.js (shell form) [D kubernetes.io
    # tutorials/kubernetes-basics/explore/explore-intro: `cat server.js`, `env` in the container]
    "gcr.io/google-samples/kubernetes-bootcamp": (
        [],
        ["/bin/sh", "-c", "node server.js"],
        "kubernetes-bootcamp Dockerfile (FROM node:6.3.1; CMD node server.js)",
    ),
    "jocatalin/kubernetes-bootcamp": (
        [],
        ["/bin/sh", "-c", "node server.js"],
        "kubernetes-bootcamp Dockerfile (FROM node:6.3.1; CMD node server.js)",
    ),
}

BOOTCAMP_REPOS = ("gcr.io/google-samples/kubernetes-bootcamp", "jocatalin/kubernetes-bootcamp")

# ENV lines of an image's config beyond PATH, in the order `env` lists them after the kubelet's variables
# (node:6.3.1's Dockerfile: `ENV NPM_CONFIG_LOGLEVEL info`, `ENV NODE_VERSION 6.3.1`; HOME is the runtime's
# for uid 0) [D kubernetes.io tutorials/kubernetes-basics/explore/explore-intro, `kubectl exec $POD_NAME -- env`].
IMAGE_ENV: dict[str, tuple[tuple[str, str], ...]] = {
    repo: (("NPM_CONFIG_LOGLEVEL", "info"), ("NODE_VERSION", "6.3.1"), ("HOME", "/root"))
    for repo in BOOTCAMP_REPOS
}


def image_env(ref) -> dict[str, str]:
    """Returns the environment the image's config sets (name → value, in the image's order), {} if none."""
    if ref is None or isinstance(ref, str):
        return {}
    return dict(IMAGE_ENV.get(ref.repository, ()))


def image_files(ref) -> dict[str, str]:
    """Returns files the image itself holds (absolute path → text) beyond the runtime's defaults."""
    if ref is None or isinstance(ref, str) or ref.repository not in BOOTCAMP_REPOS:
        return {}
    return {"/server.js": bootcamp_source(ref)}


# Images built FROM scratch or distroless hold their own binary and no shell or busybox utilities
# (docker-library/hello-world, kubernetes build/pause, coredns/coredns Dockerfile).
NO_SHELL_IMAGES = frozenset(
    {"library/hello-world", "registry.k8s.io/pause", "registry.k8s.io/coredns/coredns"}
)

SHELL_IMAGES = {"library/busybox", "registry.k8s.io/busybox", "library/alpine", "polinux/stress"}


IMAGE_DEFAULT = "(image entrypoint)"  # argv[0] of an image whose real ENTRYPOINT/CMD is not recorded here


def entrypoint_and_cmd(ref) -> tuple[list[str], list[str]]:
    """Returns the image's (ENTRYPOINT, CMD).

    Images without an IMAGE_CONFIG entry use the catalogue's `command` (shell words), or, when it has none,
    the stand-in `(image entrypoint)`, which behaves as the catalogue describes (see `catalogue_default`).
    """
    if ref is None or isinstance(ref, str):
        return [], []
    cfg = IMAGE_CONFIG.get(ref.repository)
    if cfg:
        return list(cfg[0]), list(cfg[1])
    return [], _catalogue_words(ref.repo.command if ref.repo else "") or [IMAGE_DEFAULT]


@functools.lru_cache(maxsize=256)
def _catalogue_words_cached(command: str) -> tuple[str, ...]:
    import shlex

    try:
        return tuple(shlex.split(command))
    except ValueError:
        return tuple(command.split())


def _catalogue_words(command: str) -> list[str]:
    return list(_catalogue_words_cached(command or ""))


def process_argv(ref, command: list[str] | None, args: list[str] | None) -> list[str]:
    """Returns the argv the runtime executes, by the table of kubernetes.io define-command-argument-container:
    command and args unset → ENTRYPOINT + CMD; command only → command (CMD ignored); args only →
    ENTRYPOINT + args; both → command + args [S api core/v1 types.go `Container.Command`/`Args`].
    """
    entry, cmd = entrypoint_and_cmd(ref)
    if command:
        return list(command) + list(args or [])
    if args:
        return entry + list(args)
    return entry + cmd


# ---------------------------------------------------------------------------------------------- helpers
def _nginx_version(ref) -> str:
    return _version_of_tag(getattr(ref, "tag", "") or "")


@functools.lru_cache(maxsize=256)
def _version_of_tag(tag: str) -> str:
    m = re.match(r"(\d+\.\d+(?:\.\d+)?)", tag)
    if not m:
        return "1.27.4"
    v = m.group(1)
    return v if v.count(".") == 2 else v + ".0"


def _stamp(m, style: str = "nginx") -> str:
    return _stamp_at(int(m.now), style)


@functools.lru_cache(maxsize=1024)
def _stamp_at(now: int, style: str) -> str:
    from .commands import sim_datetime

    when = sim_datetime(now)
    if style == "redis":
        return when.strftime("%d %b %Y %H:%M:%S.000")
    if style == "mysql":
        return when.strftime("%Y-%m-%dT%H:%M:%S.000000Z")
    return when.strftime("%Y/%m/%d %H:%M:%S")


def _serve(ports: list[int], program: str, **extra) -> Block:
    return Block(None, {"program": program, "ports": ports, **extra})


# ---------------------------------------------------------------------------------------------- hello-world
HELLO_FROM_DOCKER = """
Hello from Docker!
This message shows that your installation appears to be working correctly.

To generate this message, Docker took the following steps:
 1. The Docker client contacted the Docker daemon.
 2. The Docker daemon pulled the "hello-world" image from the Docker Hub.
    (amd64)
 3. The Docker daemon created a new container from that image which runs the
    executable that produces the output you are currently reading.
 4. The Docker daemon streamed that output to the Docker client, which sent it
    to your terminal.

To try something more ambitious, you can run an Ubuntu container with:
 $ docker run -it ubuntu bash

Share images, automate workflows, and more with a free Docker ID:
 https://hub.docker.com/

For more examples and ideas, visit:
 https://docs.docker.com/get-started/

"""


def hello(m, argv, proc):
    """hello-world's `/hello`: prints its message and exits 0 (docker-library/hello-world hello.c)."""
    m.out(HELLO_FROM_DOCKER)
    return 0


# ---------------------------------------------------------------------------------------------- nginx
def nginx_entrypoint(m, argv, proc):
    """/docker-entrypoint.sh: configuration messages (only when starting nginx), then `exec "$@"`."""
    rest = argv[1:]
    if rest[:1] in (["nginx"], ["nginx-debug"]):
        m.out(
            "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration\n"
            "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/\n"
            "/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh\n"
            "10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf\n"
            "10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf\n"
            "/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh\n"
            "/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh\n"
            "/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh\n"
            "/docker-entrypoint.sh: Configuration complete; ready for start up\n"
        )
    if not rest:
        return 0
    return m.call(rest, proc, {})


def nginx(m, argv, proc):
    """nginx: `-v` prints the version; `-g 'daemon off;'` serves :80 in the foreground; plain `nginx`
    daemonizes, so the container's main process exits 0 at once (a real pitfall of `command: ["nginx"]`)."""
    version = _nginx_version(m.ref)
    args = argv[1:]
    if "-v" in args or "-V" in args:
        m.err(f"nginx version: nginx/{version}\n")
        return 0
    if "-s" in args:
        # `nginx -s quit|stop|reload` signals the running master; the signal itself is not modelled.
        return 0
    if "-t" in args:
        m.err(
            "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n"
            "nginx: configuration file /etc/nginx/nginx.conf test is successful\n"
        )
        return 0
    daemon_off = any("daemon off" in a for a in args)
    t = _stamp(m)
    m.err(
        f'{t} [notice] 1#1: using the "epoll" event method\n{t} [notice] 1#1: nginx/{version}\n'
        f"{t} [notice] 1#1: built by gcc 12.2.0 (Debian 12.2.0-14)\n{t} [notice] 1#1: OS: Linux 6.8.0\n"
        f"{t} [notice] 1#1: getrlimit(RLIMIT_NOFILE): 1048576:1048576\n"
        f"{t} [notice] 1#1: start worker processes\n{t} [notice] 1#1: start worker process 29\n"
    )
    if not daemon_off:
        return 0
    return _serve([80], "nginx")


# ---------------------------------------------------------------------------------------------- entrypoint images
def docker_entrypoint(m, argv, proc):
    """docker-entrypoint.sh of redis/mysql/postgres/…: checks required env (mysql, postgres), then execs."""
    repo = getattr(m.ref, "repo", None)
    rest = argv[1:]
    server = rest[:1] == [_server_of(m.ref)]
    if repo is not None and server and repo.required_env and not any(m.env.get(k) for k in repo.required_env):
        t = _stamp(m, "mysql")
        if m.ref.repository == "library/mysql":
            m.out(f"{t} 00:00:00+00:00 [Note] [Entrypoint]: Entrypoint script for MySQL Server started.\n")
            m.err(
                "".join(
                    f"{t} {line}\n" if i == 0 else f"{line}\n"
                    for i, line in enumerate(repo.missing_env_log.splitlines())
                )
            )
        else:
            m.err(repo.missing_env_log + "\n")
        return 1
    if not rest:
        return 0
    return m.call(rest, proc, {})


def _server_of(ref) -> str:
    cfg = IMAGE_CONFIG.get(getattr(ref, "repository", ""), ([], [""], ""))
    return (cfg[1] or [""])[0]


def redis_server(m, argv, proc):
    """redis-server: start-up lines as redis 7 prints them, then serves :6379."""
    t = _stamp(m, "redis")
    version = getattr(m.ref, "tag", "7.4.2")
    version = (
        version
        if re.match(r"\d+\.\d+\.\d+$", version)
        else {"6": "6.2.17", "6.2": "6.2.17", "7": "7.4.2", "7.0": "7.0.15", "7.2": "7.2.7"}.get(
            version.split("-")[0], "7.4.2"
        )
    )
    m.out(
        f"1:C {t} # WARNING Memory overcommit must be enabled! Without it, a background save or replication may "
        "fail under low memory condition.\n"
        f"1:C {t} * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo\n"
        f"1:C {t} * Redis version={version}, bits=64, commit=00000000, modified=0, pid=1, just started\n"
        f"1:C {t} # Warning: no config file specified, using the default config. In order to specify a config "
        "file use redis-server /path/to/redis.conf\n"
        f"1:M {t} * monotonic clock: POSIX clock_gettime\n"
        f"1:M {t} * Running mode=standalone, port=6379.\n"
        f"1:M {t} * Server initialized\n"
        f"1:M {t} * Ready to accept connections tcp\n"
    )
    return _serve([6379], "redis")


def catalogue_server(m, argv, proc):
    """Servers described only by the catalogue (`registry.Repo.logs`, `.ports`): print the logs, serve."""
    repo = getattr(m.ref, "repo", None)
    for line in repo.logs if repo else ():
        m.out(line.format(tag=m.ref.tag) + "\n")
    return _serve(list(repo.ports if repo else ()), argv[0].rsplit("/", 1)[-1])


def exits_without_tty(m, argv, proc):
    """An interactive program (`python3`, `node`, `perl -de0`) with no TTY reads EOF and exits 0."""
    return 0


# ---------------------------------------------------------------------------------------------- agnhost
def agnhost(m, argv, proc):
    """/agnhost SUBCOMMAND: the e2e test image's servers [S kubernetes test/images/agnhost/]."""
    args = argv[1:]
    sub = args[0] if args else ""
    opts = _long_options(args[1:])
    if sub == "liveness":
        # liveness/server.go: /healthz answers 200 for the first 10 s after start, then 500.
        m.out("")
        return _serve([8080], "agnhost-liveness", started=m.now)
    if sub == "netexec":
        http_port = int(opts.get("http-port", "8080"))
        m.err(
            f"I0303 09:00:00.000000       1 log.go:245] Started HTTP server on port {http_port}\n"
            f"I0303 09:00:00.000000       1 log.go:245] Started UDP server on port  {opts.get('udp-port', '8081')}\n"
        )
        return _serve([http_port], "agnhost-netexec")
    if sub == "serve-hostname":
        port = int(opts.get("port", "9376"))
        m.err(f"I0303 09:00:00.000000       1 serve_hostname.go:70] Serving on port {port}.\n")
        return _serve([port], "agnhost-serve-hostname")
    if sub == "pause":
        m.err("Paused\n")
        return _serve([], "agnhost-pause")
    if sub == "test-webserver":
        return _serve([int(opts.get("port", "80"))], "agnhost-test-webserver")
    m.err(f'Error: unknown command "{sub}" for "agnhost"\nRun \'agnhost --help\' for usage.\n')
    return 1


def _long_options(args: list[str]) -> dict:
    out = {}
    i = 0
    while i < len(args):
        a = args[i]
        if a.startswith("--"):
            key, eq, val = a[2:].partition("=")
            if not eq and i + 1 < len(args) and not args[i + 1].startswith("--"):
                val = args[i + 1]
                i += 1
            out[key] = val
        i += 1
    return out


# ---------------------------------------------------------------------------------------------- perl, stress
def perl(m, argv, proc):
    """perl -e/-le/-wle with `print bpi(N)` (the Job example) or `print "text"`; other Perl is refused."""
    from .pi import pi_digits

    script, newline = None, False
    args = argv[1:]
    for i, a in enumerate(args):
        if a.startswith("-") and "e" in a and not a.startswith("-M"):
            newline = "l" in a
            script = args[i + 1] if i + 1 < len(args) else ""
            break
    if script is None:
        if "-de0" in args or not args:
            return 0
        m.err(f'Can\'t open perl script "{args[0]}": No such file or directory\n')
        return 2
    end = "\n" if newline else ""
    mpi = re.fullmatch(r"\s*print\s+bpi\((\d+)\)\s*;?\s*", script)
    if mpi:
        if not any(a.startswith("-Mbignum") for a in args):
            m.err("Undefined subroutine &main::bpi called at -e line 1.\n")
            return 255
        m.out(pi_digits(min(int(mpi.group(1)), 20000)) + end)
        return 0
    mtext = re.fullmatch(r"\s*print\s+(\"([^\"]*)\"|'([^']*)')\s*;?\s*", script)
    if mtext:
        text = mtext.group(2) if mtext.group(2) is not None else mtext.group(3)
        m.out(text.replace("\\n", "\n") + end)
        return 0
    m.err('perl: the simulator runs only `print bpi(N)` and `print "text"` one-liners\n')
    return 255


def stress(m, argv, proc):
    """stress --vm N --vm-bytes SIZE [--vm-hang S] [--cpu N] [--timeout S]: holds the memory it allocates
    (the kubelet compares it with the limit: above it the container is OOMKilled, exit 137)
    [D tasks/configure-pod-container/assign-memory-resource.md]."""
    from ..objects import parse_bytes

    opts = _long_options(argv[1:])
    if "help" in opts or len(argv) == 1 or argv[1:] == ["--help"]:
        m.out(
            "`stress' imposes certain types of compute stress on your system\n\n"
            "Usage: stress [OPTION [ARG]] ...\n"
        )
        return 0 if "help" in opts else 1
    vm = int(opts.get("vm", "0") or 0)
    size = opts.get("vm-bytes", "256M")
    try:
        per = parse_bytes(
            size.replace("M", "Mi").replace("G", "Gi").replace("K", "Ki") if size[-1:] in "MGK" else size
        )
    except (ValueError, TypeError):
        m.err(f"stress: FAIL: [1] (244) invalid number in --vm-bytes: {size}\n")
        return 1
    cpu = int(opts.get("cpu", "0") or 0)
    m.out(f"stress: info: [1] dispatching hogs: {cpu} cpu, 0 io, {vm} vm, 0 hdd\n")
    proc["memory"] = vm * per
    timeout = opts.get("timeout")
    if timeout:
        from .interpreter import parse_duration

        seconds = parse_duration(timeout) or 0
        proc["stressEnds"] = True
        return Block(seconds)
    return _serve([], "stress", memory=vm * per)


# ---------------------------------------------------------------------------------------------- bootcamp
# The kubernetes-bootcamp image's /server.js, as `cat server.js` prints it in the Kubernetes Basics tutorial
# [D tutorials/kubernetes-basics/explore/explore-intro]; v2 (jocatalin/kubernetes-bootcamp:v2) answers `v=2`
# [D tutorials/kubernetes-basics/update/update-intro].
BOOTCAMP_SERVER_JS = """var http = require('http');
var requests=0;
var podname= process.env.HOSTNAME;
var startTime;
var host;
var handleRequest = function(request, response) {
  response.setHeader('Content-Type', 'text/plain');
  response.writeHead(200);
  response.write("Hello Kubernetes bootcamp! | Running on: ");
  response.write(host);
  response.end(" | v=%s\\n");
  console.log("Running On:" ,host, "| Total Requests:", ++requests,"| App Uptime:", (new Date() - startTime)/1000 , "seconds", "| Log Time:",new Date());
}
var www = http.createServer(handleRequest);
www.listen(8080,function () {
    startTime = new Date();;
    host = process.env.HOSTNAME;
    console.log ("Kubernetes Bootcamp App Started At:",startTime, "| Running On: " ,host, "\\n" );
});
"""


def _bootcamp_version(ref) -> str:
    return "2" if getattr(ref, "tag", "") == "v2" else "1"


def bootcamp_source(ref) -> str:
    """Returns the image's /server.js (v=1, or v=2 for the v2 tag)."""
    return BOOTCAMP_SERVER_JS % _bootcamp_version(ref)


def _iso(now: float) -> str:
    """Node's `console.log(new Date())`: ISO 8601 in UTC with milliseconds (`2020-11-13T13:02:17.660Z`)."""
    from .commands import sim_datetime

    return sim_datetime(now).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _js_number(x: float) -> str:
    """A JavaScript number as console.log prints it (`1611.113`, `5`)."""
    text = f"{x:.3f}".rstrip("0").rstrip(".")
    return text or "0"


def bootcamp_node(m, argv, proc):
    """`node server.js` of the bootcamp image: logs its start line and serves :8080 (see BOOTCAMP_SERVER_JS);
    `node --version` prints the base image's v6.3.1; other scripts are not in the image."""
    args = argv[1:]
    if args[:1] in (["--version"], ["-v"]):
        m.out("v6.3.1\n")
        return 0
    if not args:
        return 0  # the REPL reads EOF without a TTY and exits
    if args[0] not in ("server.js", "/server.js", "./server.js") or m.read(m.path(args[0])) is None:
        m.err(f"module.js:442\n    throw err;\n    ^\n\nError: Cannot find module '{m.path(args[0])}'\n")
        return 1
    host = m.env.get("HOSTNAME", m.hostname)
    m.out(f"Kubernetes Bootcamp App Started At: {_iso(m.now)} | Running On:  {host} \n\n")
    return _serve([8080], "kubernetes-bootcamp", started=m.now, requests=0, version=_bootcamp_version(m.ref))


def bootcamp_request(ctr: dict, serve: dict, now: float) -> tuple[int, str]:
    """One request to the bootcamp server: counts it, logs its line to the container's log (as its
    console.log does), answers `Hello Kubernetes bootcamp! | Running on: <HOSTNAME> | v=N`."""
    from .machine import append_output

    host = (ctr.get("env") or {}).get("HOSTNAME", "")
    serve["requests"] = serve.get("requests", 0) + 1
    uptime = _js_number(max(0.0, now - serve.get("started", now)))
    line = (
        f"Running On: {host} | Total Requests: {serve['requests']} | App Uptime: {uptime} seconds | "
        f"Log Time: {_iso(now)}\n"
    )
    logs = ctr.setdefault("logs", [])
    state = ctr.setdefault("logState", {})
    times = ctr.setdefault("logTimes", [])
    fresh = not (state.get("open") and logs)
    append_output(logs, line, state)
    if fresh:
        times.append(now)
    if len(times) > len(logs):
        del times[: len(times) - len(logs)]
    return 200, f"Hello Kubernetes bootcamp! | Running on: {host} | v={serve.get('version', '1')}\n"


# ---------------------------------------------------------------------------------------------- lookup
_BY_REPO = {
    "library/nginx": {"/docker-entrypoint.sh": nginx_entrypoint, "nginx": nginx, "nginx-debug": nginx},
    "library/redis": {"docker-entrypoint.sh": docker_entrypoint, "redis-server": redis_server},
    "library/mysql": {"docker-entrypoint.sh": docker_entrypoint, "mysqld": catalogue_server},
    "library/postgres": {"docker-entrypoint.sh": docker_entrypoint, "postgres": catalogue_server},
    "library/node": {"docker-entrypoint.sh": docker_entrypoint, "node": exits_without_tty},
    "library/python": {"python3": exits_without_tty, "python": exits_without_tty},
    "library/perl": {"perl": perl, "perl5.40.0": perl, "perl5.34.0": perl},
    "library/httpd": {"httpd-foreground": catalogue_server},
    "library/wordpress": {"docker-entrypoint.sh": docker_entrypoint, "apache2-foreground": catalogue_server},
    "library/memcached": {"docker-entrypoint.sh": docker_entrypoint, "memcached": catalogue_server},
    "library/mongo": {"docker-entrypoint.sh": docker_entrypoint, "mongod": catalogue_server},
    "library/traefik": {"/entrypoint.sh": docker_entrypoint, "traefik": catalogue_server},
    "traefik/whoami": {"/whoami": catalogue_server},
    "registry.k8s.io/hpa-example": {
        "docker-php-entrypoint": docker_entrypoint,
        "apache2-foreground": catalogue_server,
    },
    "registry.k8s.io/pause": {"/pause": catalogue_server},
    "registry.k8s.io/e2e-test-images/agnhost": {"/agnhost": agnhost, "agnhost": agnhost},
    "polinux/stress": {"stress": stress, "/usr/bin/stress": stress, "/usr/local/bin/stress": stress},
    "registry.k8s.io/kube-proxy": {"kube-proxy": lambda m, argv, proc: _serve([10249, 10256], "kube-proxy")},
    "registry.k8s.io/coredns/coredns": {
        "/coredns": lambda m, argv, proc: _serve([53, 8080, 8181, 9153], "coredns")
    },
    "library/hello-world": {"/hello": hello},
    **{repo: {"node": bootcamp_node} for repo in BOOTCAMP_REPOS},
}


def command(ref, name: str):
    """Returns the image program called `name` in this image, or None.

    Repositories with a program table use it; any other catalogued repository runs `catalogue_default` for
    its stand-in entrypoint and for every word of its catalogue `command` (e.g. `node` of
    `/bin/sh -c 'node server.js'`), so an image added to the catalogue behaves as the catalogue says.
    """
    if ref is None or isinstance(ref, str):
        return None
    table = _BY_REPO.get(ref.repository)
    if table:
        return table.get(name) or table.get(name.rsplit("/", 1)[-1])
    if ref.repo is None:
        return None
    if name == IMAGE_DEFAULT:
        return catalogue_default
    base = name.rsplit("/", 1)[-1]
    words = {w for word in _catalogue_words(ref.repo.command) for w in word.split()}
    # An image's own binary is usually named after it (`/usr/local/bin/kube-proxy` in …/kube-proxy).
    if name in words or base in words or base == ref.repository.rsplit("/", 1)[-1]:
        return catalogue_default
    return None


def catalogue_default(m, argv, proc):
    """An image known only from the catalogue: required env missing → its error, exit 1; a shell-like image
    (one_shot) exits 0 at once; otherwise it prints the catalogue's start-up logs and serves its ports."""
    repo = getattr(m.ref, "repo", None)
    if repo is None:
        return 0
    if repo.required_env and not any(m.env.get(k) for k in repo.required_env):
        m.err(repo.missing_env_log + "\n")
        return 1
    if repo.one_shot:
        return 0
    return catalogue_server(m, argv, proc)


# ---------------------------------------------------------------------------------------------- HTTP
# Servers whose answers depend on the request or on time (the kubelet asks them during HTTP probes).
DYNAMIC_SERVERS = frozenset({"agnhost-liveness", "agnhost-netexec", "agnhost-serve-hostname"})


def serve_response(serve: dict | None, now: float, hostname: str, path: str) -> tuple[int, str] | None:
    """Returns (status, body) a serving program answers for path, or None when it has no opinion."""
    if not serve:
        return None
    program = serve.get("program")
    bare = path.split("?")[0]
    if program == "agnhost-liveness":
        if bare == "/healthz":
            ran = now - serve.get("started", now)
            return (200, "ok") if ran <= 10 else (500, f"error: {ran:.6f}")
        if bare == "/started":
            return 200, "ok"
        return 404, "404 page not found\n"
    if program == "agnhost-serve-hostname":
        return 200, hostname
    if program == "agnhost-netexec":
        if bare in ("/hostname", "/"):
            return 200, hostname if bare == "/hostname" else "NOW: 2025-03-03 09:00:00"
        if bare == "/echo":
            query = path.partition("?")[2]
            msg = dict(p.partition("=")[::2] for p in query.split("&") if p).get("msg", "")
            return 200, msg
        if bare == "/healthz":
            return 200, "ok"
        return 404, "404 page not found\n"
    return None


def pod_response(c, pod: dict | None, chosen: dict, path: str, port: int | None = None) -> tuple[int, str]:
    """Returns (status, body) of an HTTP GET served by the program of a Service's chosen pod: the container
    serving `port` when given (containers of a pod share its network), else the first container."""
    from ..registry import parse_image

    image = pod["spec"]["containers"][0]["image"] if pod else "?"
    if pod is not None:
        ctr, spec = _first_container(c, pod), pod["spec"]["containers"][0]
        if port is not None:
            ctr, spec = _container_on(c, pod, port) or (ctr, spec)
            image = spec["image"]
        proc = (ctr or {}).get("proc") or {}
        if (proc.get("serve") or {}).get("program") == "kubernetes-bootcamp":
            return bootcamp_request(ctr, proc["serve"], c.clock.now)
        answer = serve_response(proc.get("serve"), c.clock.now, pod["metadata"]["name"], path)
        if answer is not None:
            return answer
    ref = parse_image(image)
    if not isinstance(ref, str) and ref.repository == "registry.k8s.io/hpa-example":
        return 200, "OK!"
    serves = ref.repo.serves if not isinstance(ref, str) and ref.repo else ("/",)
    if serves and path.split("?")[0] not in serves:
        return 404, (
            "<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center>"
            f"<hr><center>{image}</center></body></html>\n"
        )
    # The simulator's stand-in page: which pod answered, so load balancing is visible.
    return 200, f"Hostname: {chosen['targetRef']['name']}\nIP: {chosen['ip']}\nImage: {image}\nPath: {path}\n"


def pod_listens(c, pod: dict, port: int) -> bool:
    """Returns True when a container of the pod runs a program serving `port` (else: connection refused)."""
    return _container_on(c, pod, port) is not None


def _container_on(c, pod: dict, port: int) -> tuple[dict, dict] | None:
    """Returns (container record, container spec) of the pod's container serving `port`, or None."""
    sb = _sandbox(c, pod)
    for spec in pod["spec"]["containers"] if sb else ():
        ctr = sb["containers"].get(spec["name"]) or {}
        if port in (((ctr.get("proc") or {}).get("serve") or {}).get("ports") or []):
            return ctr, spec
    return None


def _sandbox(c, pod: dict) -> dict | None:
    from ..objects import BY_KIND, etcd_key

    node = pod["spec"].get("nodeName")
    rn = c.runtime.node(node) if node else None
    if not rn:
        return None
    return rn["sandboxes"].get(
        etcd_key(BY_KIND["Pod"], pod["metadata"]["namespace"], pod["metadata"]["name"])
    )


def _first_container(c, pod: dict) -> dict | None:
    sb = _sandbox(c, pod)
    if not sb:
        return None
    return sb["containers"].get(pod["spec"]["containers"][0]["name"])


def local_response(m, port: int, path: str) -> tuple[int, str] | None:
    """Returns (status, body) for `wget localhost:PORT/path` inside a container, or None (refused)."""
    proc = m.container.get("proc") or {}
    serve = proc.get("serve") or {}
    if port not in (serve.get("ports") or []):
        return None
    if serve.get("program") == "kubernetes-bootcamp":
        return bootcamp_request(m.container, serve, m.now)
    answer = serve_response(serve, m.now, m.hostname, path)
    if answer is not None:
        return answer
    if serve.get("program") == "nginx":
        text = m.fs.read("/usr/share/nginx/html" + (path if path != "/" else "/index.html"))
        return (
            (200, text)
            if text is not None
            else (404, "<html><head><title>404 Not Found</title></head></html>\n")
        )
    return 200, ""
