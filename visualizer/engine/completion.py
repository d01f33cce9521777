"""Tab completion for the console: programs, verbs, resource types, object names and common flags."""

from __future__ import annotations

import shlex

from .object_quota import with_object_quotas
from .objects import RESOURCES

KUBECTL_VERBS = (
    "apply",
    "annotate",
    "autoscale",
    "cordon",
    "create",
    "delete",
    "describe",
    "diff",
    "drain",
    "exec",
    "expose",
    "get",
    "label",
    "logs",
    "rollout",
    "run",
    "scale",
    "set",
    "top",
    "uncordon",
    "version",
)
TYPE_WORDS = sorted(
    {r.plural for r in RESOURCES} | {s for r in RESOURCES for s in r.short} | {"all", "events"}
)
NEEDS_TYPE = {"get", "describe", "delete", "scale", "expose", "autoscale", "label", "annotate"}
SIM = (
    "crash",
    "encrypt-at-rest",
    "fail-node",
    "images",
    "load",
    "probe-fail",
    "probe-ok",
    "recover-node",
    "traffic",
    "wait",
)
DOCKER = ("images", "inspect", "logs", "ps", "restart", "rm", "run", "start", "stop")
FLAGS = {
    "get": ("-o wide", "-o yaml", "-o json", "-l", "-A", "--show-labels"),
    "apply": ("-f -", "--dry-run=server"),
    "delete": ("--grace-period=0", "--force"),
    "scale": ("--replicas=",),
    "rollout": (),
    "create": ("--image=", "--replicas="),
}


def _names(c, kind_word: str) -> list[str]:
    from .objects import lookup_resource

    res = lookup_resource(kind_word)
    if res is None:
        return []
    where = "default" if res.namespaced else None
    # as a read lists them: ResourceQuotas include the simulator's `simulator-limits` (object_quota.py)
    objs = with_object_quotas(c, res.kind, where, c.store.list(res.kind, where))
    return [o["metadata"]["name"] for o in objs]


def complete(c, prefix: str) -> list[str]:
    """Returns sorted full-line candidates that extend `prefix`."""
    if not isinstance(prefix, str):
        return []
    try:
        words = shlex.split(prefix)
    except ValueError:
        return []
    if prefix.endswith(" ") or not words:
        words.append("")
    head, last = words[:-1], words[-1]
    options: list[str] = []
    if not head:
        options = ["kubectl", "docker", "sim", "help"]
    elif head[0] in ("kubectl", "k"):
        rest = head[1:]
        if not rest:
            options = list(KUBECTL_VERBS)
        else:
            verb = rest[0]
            if verb == "rollout" and len(rest) == 1:
                options = ["status", "history", "undo", "pause", "resume", "restart"]
            elif verb == "rollout" and len(rest) == 2:
                options = [f"deployment/{n}" for n in _names(c, "deployments")]
            elif verb == "set" and len(rest) == 1:
                options = ["image"]
            elif verb == "set" and len(rest) == 2:
                options = [f"deployment/{n}" for n in _names(c, "deployments")]
            elif verb == "create" and len(rest) == 1:
                options = ["deployment", "service", "secret", "configmap", "namespace", "-f"]
            elif verb in ("cordon", "uncordon", "drain") and len(rest) == 1:
                options = _names(c, "nodes")
            elif verb in ("logs", "exec") and len(rest) == 1:
                options = _names(c, "pods")
            elif verb in NEEDS_TYPE and len(rest) == 1:
                options = TYPE_WORDS
            elif verb in NEEDS_TYPE and len(rest) >= 2 and not last.startswith("-"):
                options = _names(c, rest[1]) if len(rest) == 2 else []
            if last.startswith("-") or (not options and verb in FLAGS):
                options = list(FLAGS.get(verb, ()))
    elif head[0] == "sim":
        if len(head) == 1:
            options = list(SIM)
        elif len(head) == 2:
            sub = head[1]
            if sub in ("crash", "probe-fail", "probe-ok"):
                options = _names(c, "pods")
            elif sub in ("fail-node", "recover-node"):
                options = [n for n in _names(c, "nodes") if n != "control-plane"]
            elif sub == "load":
                options = _names(c, "deployments")
            elif sub == "traffic":
                options = _names(c, "services")
            elif sub == "encrypt-at-rest":
                options = ["on", "off"]
        elif len(head) == 3 and head[1] == "probe-fail":
            options = ["readiness", "liveness"]
    elif head[0] == "docker":
        if len(head) == 1:
            options = list(DOCKER)
        elif head[1] in ("stop", "start", "rm", "logs", "restart", "inspect"):
            node = c.docker_host
            rn = c.runtime.node(node)
            options = sorted(rn["docker"]) if rn else []
    base = (
        prefix[: len(prefix) - len(last)]
        if last
        else (prefix if prefix.endswith(" ") or not prefix else prefix + " ")
    )
    out = sorted({base + o for o in options if o.startswith(last)})
    return out[:50]
