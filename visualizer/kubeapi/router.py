"""Where a request path points: a discovery document, an OpenAPI document, or a resource (collection,
object, subresource) of one group-version, as kube-apiserver's routes lay them out
(apiserver pkg/endpoints/installer.go):

    /api/v1/[namespaces/{ns}/]{resource}[/{name}[/{subresource}]]
    /apis/{group}/{version}/[namespaces/{ns}/]{resource}[/{name}[/{subresource}]]
    /api/v1/[namespaces/{ns}/]{pods|services|nodes}/{name}/proxy[/{path...}]   (Target.rest = the path)

`namespaces/{ns}` is itself the object path of the cluster-scoped `namespaces` resource when nothing follows
{ns}, or only a subresource of it (`/api/v1/namespaces/{ns}/status`).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote


@dataclass(frozen=True)
class Target:
    """A resource path: `group` "" for core; `namespace` None for cluster scope or all namespaces;
    `name` None for a collection; `subresource` e.g. "scale", "log", "exec"."""

    group: str
    version: str
    resource: str
    namespace: str | None = None
    name: str | None = None
    subresource: str | None = None
    rest: str | None = None  # `proxy` only: the raw path after `/proxy` (`/`, `/a/b`, or "")


@dataclass(frozen=True)
class Special:
    """A non-resource path: `version`, `api`, `apis`, `group` (`/apis/apps`), `group_version` (`/api/v1`,
    `/apis/apps/v1`), `openapi_v2`, `openapi_v3`, `openapi_v3_gv` (with `gv` = `api/v1`, `apis/apps/v1`),
    `healthz`, `livez`, `readyz`."""

    what: str
    group: str = ""
    version: str = ""
    gv: str = ""


def route(path: str) -> Target | Special | None:
    """Returns what a path names, or None for a path the server does not serve (404)."""
    parts = [unquote(p) for p in path.split("/") if p]
    if not parts:
        return Special("root")
    head = parts[0]
    if len(parts) == 1 and head in ("version", "api", "apis", "healthz", "livez", "readyz"):
        return Special(head)
    if head == "openapi":
        if parts[1:] == ["v2"]:
            return Special("openapi_v2")
        if parts[1:2] == ["v3"]:
            rest = parts[2:]
            return Special("openapi_v3") if not rest else Special("openapi_v3_gv", gv="/".join(rest))
        return None
    if head == "api":
        if len(parts) < 2:
            return None
        group, version, rest = "", parts[1], parts[2:]
    elif head == "apis":
        if len(parts) == 2:
            return Special("group", group=parts[1])
        if len(parts) < 3:
            return None
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        return None
    if not rest:
        return Special("group_version", group=group, version=version)
    namespace = None
    if rest[0] == "namespaces" and len(rest) >= 3:
        namespace, rest = rest[1], rest[2:]
    elif rest[0] == "namespaces" and len(rest) == 2:
        return Target(group, version, "namespaces", None, rest[1])
    if rest[0] == "namespaces" and namespace is None and len(rest) > 3:
        return None
    if len(rest) >= 3 and rest[2] == "proxy":
        # `{resource}/{name}/proxy/{path...}`: what follows `proxy` is the backend's path [apiserver
        # installer.go registers `/{path:*}` after a connecter's subresource]
        return Target(
            group, version, rest[0], namespace, rest[1], "proxy", _after(path, len(parts) - len(rest) + 3)
        )
    if len(rest) > 3:
        return None
    resource = rest[0]
    name = rest[1] if len(rest) > 1 else None
    sub = rest[2] if len(rest) > 2 else None
    if namespace is not None and not (len(rest) >= 1):
        return None
    # `/api/v1/namespaces/{ns}/{subresource}` of the namespace itself (status, finalize)
    if namespace is not None and group == "" and resource in ("status", "finalize") and name is None:
        return Target(group, version, "namespaces", None, namespace, resource)
    return Target(group, version, resource, namespace, name, sub)


def _after(path: str, count: int) -> str:
    """Returns the raw rest of `path` after its first `count` non-empty segments (keeping a trailing `/`)."""
    pos = 0
    for _ in range(count):
        while path.startswith("/", pos):
            pos += 1
        nxt = path.find("/", pos)
        pos = len(path) if nxt < 0 else nxt
    return path[pos:]
