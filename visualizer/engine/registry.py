"""The simulated image registry (Docker Hub / registry.k8s.io): which images and tags exist and how they behave.

Any image or tag not listed fails to pull, as a typo would on a real cluster (ErrImagePull → ImagePullBackOff).
Each repository also says how its containers behave: which ports they serve, whether they exit at once
without a command (busybox), which environment variables they insist on (mysql), and their start-up logs.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Repo:
    """One repository of the catalogue and how its containers behave."""

    tags: tuple
    size_mb: int
    ports: tuple = ()
    serves: tuple = ("/", "/index.html")
    one_shot: bool = False  # with no command the main process ends at once (shells, base images)
    required_env: tuple = ()  # one of these must be set or the container exits 1
    missing_env_log: str = ""
    command: str = ""
    logs: tuple = field(default_factory=tuple)
    stop_seconds: float = 0.5
    version_line: str = ""


_NGINX_TAGS = (
    tuple(f"1.{m}" for m in range(19, 28))
    + tuple(f"1.{m}.{p}" for m in range(19, 28) for p in range(0, 3))
    + ("latest", "stable", "mainline", "alpine")
    + tuple(f"1.{m}-alpine" for m in range(19, 28))
)

CATALOGUE: dict[str, Repo] = {
    "library/nginx": Repo(
        _NGINX_TAGS,
        67,
        ports=(80,),
        command="/docker-entrypoint.sh nginx -g 'daemon off;'",
        logs=(
            "/docker-entrypoint.sh: Configuration complete; ready for start up",
            "nginx/{tag}: start worker processes",
        ),
    ),
    "library/httpd": Repo(
        ("2.4", "2.4.58", "2.4.62", "latest", "alpine", "2.4-alpine"),
        58,
        ports=(80,),
        command="httpd-foreground",
        logs=(
            "AH00558: httpd: Could not reliably determine the server's fully qualified domain name",
            "[mpm_event:notice] AH00489: Apache/2.4 configured -- resuming normal operations",
        ),
    ),
    "library/redis": Repo(
        ("6", "6.2", "7", "7.0", "7.2", "7.4", "latest", "alpine", "7-alpine"),
        45,
        ports=(6379,),
        serves=(),
        command="docker-entrypoint.sh redis-server",
        logs=("* Ready to accept connections tcp",),
    ),
    "library/mysql": Repo(
        ("5.7", "8.0", "8.4", "9.0", "latest"),
        180,
        ports=(3306,),
        serves=(),
        command="docker-entrypoint.sh mysqld",
        required_env=("MYSQL_ROOT_PASSWORD", "MYSQL_ALLOW_EMPTY_PASSWORD", "MYSQL_RANDOM_ROOT_PASSWORD"),
        missing_env_log="[ERROR] [Entrypoint]: Database is uninitialized and password option is not specified\n"
        "    You need to specify one of the following as an environment variable:\n"
        "    - MYSQL_ROOT_PASSWORD\n    - MYSQL_ALLOW_EMPTY_PASSWORD\n    - MYSQL_RANDOM_ROOT_PASSWORD",
        logs=("[Server] /usr/sbin/mysqld: ready for connections. Port: 3306",),
    ),
    "library/postgres": Repo(
        ("13", "14", "15", "16", "17", "latest", "alpine", "16-alpine"),
        150,
        ports=(5432,),
        serves=(),
        command="docker-entrypoint.sh postgres",
        required_env=("POSTGRES_PASSWORD",),
        missing_env_log="Error: Database is uninitialized and superuser password is not specified.",
        logs=("LOG:  database system is ready to accept connections",),
    ),
    "library/busybox": Repo(
        ("1.35", "1.36", "1.36.1", "latest", "stable"), 2, one_shot=True, command="sh", stop_seconds=30
    ),
    "library/alpine": Repo(
        ("3.18", "3.19", "3.20", "3.21", "latest"), 4, one_shot=True, command="/bin/sh", stop_seconds=30
    ),
    "library/ubuntu": Repo(
        ("20.04", "22.04", "24.04", "latest", "jammy", "noble"),
        29,
        one_shot=True,
        command="/bin/bash",
        stop_seconds=30,
    ),
    "library/wordpress": Repo(
        ("6", "6.4", "6.5", "6.6", "latest", "php8.2-apache", "6-apache"),
        250,
        ports=(80,),
        command="docker-entrypoint.sh apache2-foreground",
        logs=(
            "WordPress not found in /var/www/html - copying now...",
            "Complete! WordPress has been successfully copied",
        ),
    ),
    "library/node": Repo(
        ("18", "20", "22", "lts", "latest", "20-alpine"), 380, one_shot=True, command="node"
    ),
    "library/python": Repo(
        ("3.11", "3.12", "3.13", "latest", "3.12-slim"), 370, one_shot=True, command="python3"
    ),
    "library/memcached": Repo(
        ("1.6", "latest", "alpine"), 30, ports=(11211,), serves=(), command="memcached"
    ),
    "library/mongo": Repo(
        ("6", "7", "8", "latest"),
        250,
        ports=(27017,),
        serves=(),
        command="mongod",
        logs=("Waiting for connections",),
    ),
    "library/traefik": Repo(("v2.11", "v3.1", "latest"), 50, ports=(80, 8080), command="traefik"),
    "traefik/whoami": Repo(("v1.10", "latest"), 3, ports=(80,), command="/whoami"),
    "registry.k8s.io/hpa-example": Repo(("latest",), 180, ports=(80,), command="apache2-foreground"),
    "registry.k8s.io/pause": Repo(("3.9", "3.10"), 1, command="/pause"),
    "registry.k8s.io/e2e-test-images/agnhost": Repo(
        ("2.39", "2.52"), 60, ports=(80, 8080), serves=("/", "/healthz"), command="/agnhost"
    ),
}

_REFERENCE = re.compile(
    r"^(?:(?P<registry>[a-z0-9.-]+(?::[0-9]+)?)/)?(?P<path>[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*)"
    r"(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@sha256:[a-f0-9]{64})?$"
)


@dataclass(frozen=True, eq=False)
class ImageRef:
    """A parsed image reference: canonical repository, tag, and the catalogue entry if it exists."""

    text: str
    repository: str  # e.g. library/nginx or registry.k8s.io/hpa-example
    tag: str
    repo: Repo | None

    @property
    def exists(self) -> bool:
        """Returns True when the registry has this repository and tag."""
        return self.repo is not None and self.tag in self.repo.tags

    @property
    def short(self) -> str:
        """Returns the name Docker prints (`nginx:1.20`)."""
        repo = self.repository.removeprefix("library/")
        return f"{repo}:{self.tag}"

    @functools.cached_property
    def full(self) -> str:
        """Returns the fully qualified reference (`docker.io/library/nginx:1.20`)."""
        if self.repository.startswith("registry.k8s.io/"):
            return f"{self.repository}:{self.tag}"
        return f"docker.io/{self.repository}:{self.tag}"


@functools.lru_cache(maxsize=4096)
def parse_image(text: str) -> ImageRef | str:
    """Returns an ImageRef, or the `invalid reference format` reason when the text is not an image name."""
    if not isinstance(text, str) or not text or text != text.strip():
        return "invalid reference format"
    if any(c.isupper() for c in text.split(":")[0].split("@")[0]):
        return "invalid reference format: repository name must be lowercase"
    m = _REFERENCE.match(text)
    if not m:
        return "invalid reference format"
    registry, path, tag = m.group("registry"), m.group("path"), m.group("tag") or "latest"
    if registry and "." not in registry and ":" not in registry and registry != "localhost":
        path, registry = f"{registry}/{path}", None  # `traefik/whoami`: the first part is a Hub namespace
    if registry in (None, "docker.io", "index.docker.io"):
        repository = path if "/" in path else f"library/{path}"
    else:
        repository = f"{registry}/{path}"
    return ImageRef(text, repository, tag, CATALOGUE.get(repository))


def pull_seconds(ref: ImageRef, rng) -> float:
    """Returns how long a pull takes: about 1 s plus 40 MB/s for the image size, with a little jitter."""
    size = ref.repo.size_mb if ref.repo else 1
    return round(1.0 + size / 40.0 + rng.random() * 1.5, 1)


def catalogue_lines() -> list[str]:
    """Returns one `repository: tags` line per repository, for `sim images` and the docs."""
    return [
        f"{name.removeprefix('library/')}: {', '.join(repo.tags[:12])}{' …' if len(repo.tags) > 12 else ''}"
        for name, repo in CATALOGUE.items()
    ]
