"""The simulated image registries (Docker Hub, registry.k8s.io, gcr.io, …): which images and tags exist, their
sizes, and how long a pull takes.

The repositories, tags and compressed sizes come from `data/images.json`, whose header says exactly how they
were obtained (`scripts/refresh_images.py` refreshes them from the registries' own APIs). Any repository or tag
not listed fails to pull, as a typo would on a real cluster (`ErrImagePull` → `ImagePullBackOff`).

Image names are normalised as Docker and containerd do (github.com/distribution/reference
`ParseNormalizedNamed`): `nginx` → `docker.io/library/nginx:latest`, `user/repo` is a Docker Hub repository,
a first component with a `.` or `:` or `localhost` is a registry host (`registry.k8s.io/pause`,
`myhost:5000/app`), `@sha256:<64 hex>` pins a digest. `k8s.gcr.io` names are served by registry.k8s.io: the
old registry was frozen in 2023 and its host redirects there, so the docs' legacy names still pull.

Each repository also says how its containers behave (`Repo` behaviour fields: ports served, whether the main
process ends at once without a command, required environment variables, start-up logs); the container
programs read them.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

DATA_FILE = Path(__file__).with_name("data") / "images.json"
DOCKER_HUB = "docker.io"


@dataclass(frozen=True)
class Repo:
    """One repository of the catalogue: its tags and sizes, and how its containers behave."""

    tags: tuple
    size_mb: int  # the size of the repository's `latest` (or first) tag in MB, for `docker images`
    ports: tuple = ()
    serves: tuple = ("/", "/index.html")
    one_shot: bool = False  # with no command the main process ends at once (shells, base images)
    required_env: tuple = ()  # one of these must be set or the container exits 1
    missing_env_log: str = ""
    command: str = ""
    logs: tuple = field(default_factory=tuple)
    stop_seconds: float = 0.5
    version_line: str = ""
    sizes: MappingProxyType = field(
        default_factory=lambda: MappingProxyType({}), compare=False
    )  # tag → bytes
    registry: str = DOCKER_HUB
    source: str = ""


# How the containers of each repository behave (read by the container programs; sizes and tags come from the
# data file). Repositories without an entry serve nothing and run until stopped.
_SHELL = {"one_shot": True, "stop_seconds": 30}
_BEHAVIOUR: dict[str, dict] = {
    "library/nginx": {
        "ports": (80,),
        "command": "/docker-entrypoint.sh nginx -g 'daemon off;'",
        "logs": (
            "/docker-entrypoint.sh: Configuration complete; ready for start up",
            "nginx/{tag}: start worker processes",
        ),
    },
    "library/httpd": {
        "ports": (80,),
        "command": "httpd-foreground",
        "logs": (
            "AH00558: httpd: Could not reliably determine the server's fully qualified domain name",
            "[mpm_event:notice] AH00489: Apache/2.4 configured -- resuming normal operations",
        ),
    },
    "library/redis": {
        "ports": (6379,),
        "serves": (),
        "command": "docker-entrypoint.sh redis-server",
        "logs": ("* Ready to accept connections tcp",),
    },
    "library/mysql": {
        "ports": (3306,),
        "serves": (),
        "command": "docker-entrypoint.sh mysqld",
        "required_env": ("MYSQL_ROOT_PASSWORD", "MYSQL_ALLOW_EMPTY_PASSWORD", "MYSQL_RANDOM_ROOT_PASSWORD"),
        "missing_env_log": "[ERROR] [Entrypoint]: Database is uninitialized and password option is not specified\n"
        "    You need to specify one of the following as an environment variable:\n"
        "    - MYSQL_ROOT_PASSWORD\n    - MYSQL_ALLOW_EMPTY_PASSWORD\n    - MYSQL_RANDOM_ROOT_PASSWORD",
        "logs": ("[Server] /usr/sbin/mysqld: ready for connections. Port: 3306",),
    },
    "library/postgres": {
        "ports": (5432,),
        "serves": (),
        "command": "docker-entrypoint.sh postgres",
        "required_env": ("POSTGRES_PASSWORD",),
        "missing_env_log": "Error: Database is uninitialized and superuser password is not specified.",
        "logs": ("LOG:  database system is ready to accept connections",),
    },
    "library/busybox": {**_SHELL, "command": "sh"},
    "registry.k8s.io/busybox": {**_SHELL, "command": "sh"},
    "registry.k8s.io/e2e-test-images/busybox": {**_SHELL, "command": "sh"},
    "library/alpine": {**_SHELL, "command": "/bin/sh"},
    "library/ubuntu": {**_SHELL, "command": "/bin/bash"},
    "library/debian": {**_SHELL, "command": "bash"},
    "library/perl": {**_SHELL, "command": "perl"},
    "library/bash": {**_SHELL, "command": "bash"},
    "radial/busyboxplus": {**_SHELL, "command": "/bin/sh"},
    "registry.k8s.io/serve_hostname": {"ports": (9376,), "command": "/serve_hostname"},
    "gcr.io/google-samples/kubernetes-bootcamp": {"ports": (8080,), "command": "/bin/sh -c 'node server.js'"},
    "jocatalin/kubernetes-bootcamp": {"ports": (8080,), "command": "/bin/sh -c 'node server.js'"},
    "bprashanth/nginxhttps": {"ports": (80, 443)},
    "library/wordpress": {
        "ports": (80,),
        "command": "docker-entrypoint.sh apache2-foreground",
        "logs": (
            "WordPress not found in /var/www/html - copying now...",
            "Complete! WordPress has been successfully copied",
        ),
    },
    "library/node": {"one_shot": True, "command": "node"},
    "library/python": {"one_shot": True, "command": "python3"},
    "library/memcached": {"ports": (11211,), "serves": (), "command": "memcached"},
    "library/mongo": {
        "ports": (27017,),
        "serves": (),
        "command": "mongod",
        "logs": ("Waiting for connections",),
    },
    "library/rabbitmq": {"ports": (5672,), "serves": (), "command": "docker-entrypoint.sh rabbitmq-server"},
    "library/cassandra": {"ports": (9042,), "serves": (), "command": "docker-entrypoint.sh cassandra -f"},
    "library/traefik": {"ports": (80, 8080), "command": "traefik"},
    "traefik/whoami": {"ports": (80,), "command": "/whoami"},
    "registry.k8s.io/hpa-example": {"ports": (80,), "command": "apache2-foreground"},
    "registry.k8s.io/pause": {"command": "/pause"},
    "registry.k8s.io/e2e-test-images/agnhost": {
        "ports": (80, 8080),
        "serves": ("/", "/healthz"),
        "command": "/agnhost",
    },
    "registry.k8s.io/nginx-slim": {"ports": (80,), "command": "nginx -g 'daemon off;'"},
    "registry.k8s.io/echoserver": {"ports": (8080,), "command": "/usr/local/bin/run.sh"},
    "registry.k8s.io/kubernetes-zookeeper": {"ports": (2181, 2888, 3888), "serves": ()},
    "gcr.io/google-samples/hello-app": {"ports": (8080,), "logs": ("Server listening on port 8080",)},
    "us-docker.pkg.dev/google-samples/containers/gke/hello-app": {
        "ports": (8080,),
        "logs": ("Server listening on port 8080",),
    },
    "gcr.io/google-samples/node-hello": {"ports": (8080,)},
    "gcr.io/google-samples/hello-go-gke": {"ports": (80,)},
    "gcr.io/google-samples/hello-frontend": {"ports": (80,)},
    "gcr.io/google-samples/gb-frontend": {"ports": (80,)},
    "gcr.io/google_samples/gb-frontend": {"ports": (80,)},
    "us-docker.pkg.dev/google-samples/containers/gke/gb-frontend": {"ports": (80,)},
}


def _load(path: Path = DATA_FILE) -> tuple[dict, dict[str, Repo]]:
    """Returns (the data file's header sections, the catalogue keyed by repository)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    catalogue: dict[str, Repo] = {}
    for name, entry in data["repositories"].items():
        sizes = {tag: int(size) for tag, size in entry["tags"].items()}
        tags = tuple(sizes)
        main = sizes.get("latest", sizes[tags[0]])
        catalogue[name] = Repo(
            tags,
            max(1, round(main / 1_000_000)),
            sizes=MappingProxyType(sizes),
            registry=entry["registry"],
            source=entry.get("source", ""),
            **_BEHAVIOUR.get(name, {}),
        )
    return {k: v for k, v in data.items() if k != "repositories"}, catalogue


HEADER, CATALOGUE = _load()
PULL = HEADER["pull"]
ALIASES: dict[str, str] = dict(HEADER.get("aliases", {}))  # legacy host → host that serves it
REGISTRY_HOSTS = frozenset({repo.registry for repo in CATALOGUE.values()} | set(ALIASES))


# ------------------------------------------------------------------------------------------ references
# github.com/distribution/reference regexp.go: path components, domain, tag and digest.
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*"
_DOMAIN = r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?"
_REFERENCE = re.compile(
    rf"^(?P<domain>{_DOMAIN})/(?P<path>{_COMPONENT}(?:/{_COMPONENT})*)"
    r"(?::(?P<tag>[\w][\w.-]{0,127}))?(?:@(?P<digest>sha256:[a-f0-9]{64}))?$"
)
_HEX64 = re.compile(r"^[a-f0-9]{64}$")


@dataclass(frozen=True, eq=False)
class ImageRef:
    """A parsed image reference: canonical repository, tag (and digest), and the catalogue entry if any."""

    text: str
    repository: str  # e.g. library/nginx, polinux/stress or registry.k8s.io/hpa-example
    tag: str  # the tag given, `latest` when neither tag nor digest is given, or the tag a known digest names
    repo: Repo | None
    digest: str | None = None  # `sha256:<hex>` when the reference pins one
    tagged: bool = True  # False when the text gave a digest and no tag

    @property
    def name(self) -> str:
        """Returns the fully qualified repository name (`docker.io/library/nginx`)."""
        return self.repository if self._host() else f"{DOCKER_HUB}/{self.repository}"

    def _host(self) -> bool:
        first = self.repository.split("/", 1)[0]
        return "/" in self.repository and ("." in first or ":" in first or first == "localhost")

    @functools.cached_property
    def exists(self) -> bool:
        """Returns True when the registry has this repository and tag (or, when pinned, this digest)."""
        if self.repo is None or self.tag not in self.repo.tags:
            return False
        return self.digest is None or image_digest(f"{self.name}:{self.tag}") == self.digest

    @property
    def short(self) -> str:
        """Returns the name Docker prints (`nginx:1.20`, `nginx@sha256:…`)."""
        repo = self.repository.removeprefix("library/")
        if self.digest is not None and not self.tagged:
            return f"{repo}@{self.digest}"
        return f"{repo}:{self.tag}"

    @functools.cached_property
    def full(self) -> str:
        """Returns the fully qualified `name:tag` (`docker.io/library/nginx:1.20`), the node's image-cache key."""
        return f"{self.name}:{self.tag}"

    @property
    def reference(self) -> str:
        """Returns the reference containerd resolves (`docker.io/library/nginx:1.20`, `…@sha256:…`)."""
        if self.digest is None:
            return self.full
        return f"{self.name}:{self.tag}@{self.digest}" if self.tagged else f"{self.name}@{self.digest}"

    @property
    def size_bytes(self) -> int:
        """Returns the compressed size of this tag in bytes (0 when it does not exist)."""
        return self.repo.sizes.get(self.tag, 0) if self.repo and self.exists else 0


def image_digest(full: str) -> str:
    """Returns the simulator's stand-in manifest digest for `name:tag` (`sha256:<64 hex>`): the sha256 of the
    reference text, the same value the kubelet reports in imageID. Not the registry's real digest."""
    return "sha256:" + hashlib.sha256(full.encode()).hexdigest()


def _split_docker_domain(text: str) -> tuple[str, str]:
    """Returns (domain, remainder) as distribution/reference `splitDockerDomain` does."""
    i = text.find("/")
    if i == -1 or (
        not any(ch in text[:i] for ch in ".:") and text[:i] != "localhost" and text[:i].lower() == text[:i]
    ):
        domain, remainder = DOCKER_HUB, text
    else:
        domain, remainder = text[:i], text[i + 1 :]
    if domain == "index.docker.io":
        domain = DOCKER_HUB
    if domain == DOCKER_HUB and "/" not in remainder:
        remainder = "library/" + remainder
    return domain, remainder


@functools.lru_cache(maxsize=4096)
def parse_image(text: str) -> ImageRef | str:
    """Returns an ImageRef, or the reason the text is not an image reference, in
    github.com/distribution/reference's words (`invalid reference format`,
    `invalid reference format: repository name (library/NGINX) must be lowercase`)."""
    if not isinstance(text, str) or not text or text != text.strip():
        return "invalid reference format"
    if _HEX64.match(text):
        return f"invalid repository name ({text}), cannot specify 64-byte hexadecimal strings"
    domain, remainder = _split_docker_domain(text)
    colon = remainder.find(":")
    remote = remainder[:colon] if colon > -1 else remainder
    if remote.lower() != remote:
        return f"invalid reference format: repository name ({remote}) must be lowercase"
    m = _REFERENCE.match(f"{domain}/{remainder}")
    if not m:
        return "invalid reference format"
    if len(domain) + 1 + len(m.group("path")) > 255:
        return "repository name must not be more than 255 characters"
    path, tag, digest = m.group("path"), m.group("tag"), m.group("digest")
    repository = path if domain == DOCKER_HUB else f"{domain}/{path}"
    host, _, rest = repository.partition("/")
    served_as = f"{ALIASES[host]}/{rest}" if host in ALIASES and rest else repository
    repo = CATALOGUE.get(served_as)
    tagged = tag is not None
    if digest is not None and repo is not None:
        # A digest wins over a tag: the image is the tag whose manifest has that digest, if any.
        name = f"{domain}/{path}"
        tag = next((t for t in repo.tags if image_digest(f"{name}:{t}") == digest), tag)
    return ImageRef(text, repository, tag or "latest", repo, digest, tagged)


# ------------------------------------------------------------------------------------------------ pulls
def pull_seconds(ref: ImageRef, rng) -> float:
    """Returns how long a pull takes in seconds: the data file's latency, plus the tag's compressed size over
    its bandwidth (20 MB/s), plus a jitter drawn from the cluster's RNG; rounded to 0.1 s so that pulls
    finishing together are handled in one pass of the simulation (finer instants cost the engine time)."""
    size = ref.size_bytes if ref.exists else 0
    seconds = PULL["latency_seconds"] + size / PULL["bandwidth_bytes_per_second"]
    return round(seconds + rng.random() * PULL["jitter_seconds"], 1)


def go_duration(seconds: float) -> str:
    """Returns a duration as Go's `time.Duration.String` prints it after `Truncate(time.Millisecond)`:
    `780ms`, `1.5s`, `12.345s`, `1m5.2s`, `0s`."""
    ms = int(round(seconds * 1000, 6))
    if ms == 0:
        return "0s"
    if ms < 1000:
        return f"{ms}ms"
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, frac = divmod(rest, 1000)
    sec = f"{s}.{frac:03d}".rstrip("0").rstrip(".") + "s"
    if h:
        return f"{h}h{m}m{sec}"
    return f"{m}m{sec}" if m else sec


@functools.lru_cache(maxsize=1024, typed=True)
def pulled_message(image: str, pulling: float, including_waiting: float, size_bytes: int) -> str:
    """Returns the kubelet's `Pulled` event message (pkg/kubelet/images/image_manager.go, v1.30+):
    `Successfully pulled image "nginx:1.14.2" in 2.736s (2.736s including waiting). Image size: 44700000
    bytes.` Cached: pull times are rounded to 0.1 s, so the same few messages recur."""
    return (
        f'Successfully pulled image "{image}" in {go_duration(pulling)} ({go_duration(including_waiting)} '
        f"including waiting). Image size: {size_bytes} bytes."
    )


def pull_error(ref: ImageRef) -> str:
    """Returns the CRI error of a failed pull as the kubelet quotes it after `Failed to pull image "X": `
    (containerd `failed to pull and unpack image` / `failed to resolve reference`):
    a Docker Hub repository that does not exist is `pull access denied …` (code Unknown), a missing tag or
    digest, or a missing repository elsewhere, is `<reference>: not found` (code NotFound)."""
    r = ref.reference
    host = ref.name.split("/", 1)[0]
    if host not in REGISTRY_HOSTS:
        # A registry the simulated cluster cannot reach: its name does not resolve.
        hostname = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        what = (
            "connect: connection refused" if hostname == "localhost" else f"lookup {hostname}: no such host"
        )
        path = ref.name.split("/", 1)[1]
        target = ref.digest or ref.tag
        return (
            f'rpc error: code = Unknown desc = failed to pull and unpack image "{r}": failed to resolve reference '
            f'"{r}": failed to do request: Head "https://{host}/v2/{path}/manifests/{target}": dial tcp: {what}'
        )
    if ref.repo is None and host == DOCKER_HUB:
        return (
            f'rpc error: code = Unknown desc = failed to pull and unpack image "{r}": failed to resolve reference '
            f'"{r}": pull access denied, repository does not exist or may require authorization: server message: '
            "insufficient_scope: authorization failed"
        )
    return (
        f'rpc error: code = NotFound desc = failed to pull and unpack image "{r}": failed to resolve reference '
        f'"{r}": {r}: not found'
    )


def _version_key(tag: str):
    """Sorts `1.9.1` before `1.14.2` and plain versions before named tags."""
    parts = re.split(r"[.-]", tag.lstrip("v"))
    return (not parts[0].isdigit(), [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts])


def _count(tags) -> str:
    return f"{len(tags)} tag{'' if len(tags) == 1 else 's'}"


def catalogue_lines(repository: str | None = None) -> list[str]:
    """Returns one line per repository (`nginx (docker.io, 232 tags): … 1.29.1, latest`), for `sim images`
    and the docs; with a repository name (`nginx`, `registry.k8s.io/pause`), every tag of that repository
    with its compressed size. Raises KeyError for a repository the catalogue does not have."""
    if repository is not None:
        ref = parse_image(repository)
        if isinstance(ref, str) or ref.repo is None:
            raise KeyError(repository)
        repo = ref.repo
        return [f"{ref.name}: {_count(repo.tags)} ({repo.source})"] + [
            f"{tag}  {repo.sizes[tag]} bytes" for tag in sorted(repo.tags, key=_version_key)
        ]
    lines = []
    for name, repo in CATALOGUE.items():
        plain = sorted(
            (t for t in repo.tags if "-" not in t and t[:1].isdigit() or t[:2] == "v1"), key=_version_key
        )
        shown = plain[-6:] + [t for t in ("latest",) if t in repo.tags] or list(repo.tags[:6])
        more = "… " if len(repo.tags) > len(shown) else ""
        lines.append(
            f"{name.removeprefix('library/')} ({repo.registry}, {_count(repo.tags)}): {more}{', '.join(shown)}"
        )
    return lines
