"""`kubectl set image | env | resources` on Deployments, ReplicaSets and Pods, with `--dry-run` and `-o`.

Each computes the changed object locally and sends it only when something changed; an unchanged object prints
nothing, as kubectl skips an empty patch (`if string(patch.Patch) == "{}" { continue }`)
[kubectl pkg/cmd/set/set_image.go, set_env.go, set_resources.go `Run`]. `--dry-run=client` prints the local
result, `--dry-run=server` validates without storing, `-o yaml|json|name` prints the object or its name.
Messages: `deployment.apps/web image updated`, `… env updated`, `… resource requirements updated`.
"""

from __future__ import annotations

import re

from ..controllers.deployment import CHANGE_CAUSE
from ..objects import clone
from .apply_command import (
    _COMMON_FLAGS,
    check_flags,
    dry_run_strategy,
    output_format,
    print_objects,
    result_line,
)
from .args import Args, CommandError

_SET_FLAGS = _COMMON_FLAGS | {"-c", "--containers", "--limits", "--requests", "--record"}
SUBCOMMANDS = {"image": "image updated", "env": "env updated", "resources": "resource requirements updated"}
# The quantity grammar kubectl checks before sending [apimachinery pkg/api/resource/quantity.go].
_QUANTITY = re.compile(r"^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$")
_SUFFIX = re.compile(r"^(|[numkMGTPE]|Ki|Mi|Gi|Ti|Pi|Ei|[eE][-+]?[0-9]+)$")


def _containers(spec: dict, include_init: bool = True) -> list[dict]:
    return (spec.get("initContainers") or [] if include_init else []) + (spec.get("containers") or [])


def _set_image(spec: dict, pairs: list[str]) -> None:
    """Sets images by container name (`*` = all), in containers and initContainers [set_image.go `setImage`]."""
    for pair in pairs:
        cname, _, image = pair.partition("=")
        if not image:
            raise CommandError(f"error: invalid image update {pair!r}")
        hit = False
        for ctr in _containers(spec):
            if cname in ("*", ctr.get("name")):
                ctr["image"] = image
                hit = True
        if not hit:
            raise CommandError(f'error: unable to find container named "{cname}"')


def _set_env(spec: dict, pairs: list[str], container: str | None) -> None:
    """Adds or updates `KEY=VALUE` and removes `KEY-` in the selected containers [set_env.go]."""
    targets = [ctr for ctr in spec.get("containers") or [] if container in (None, "*", ctr.get("name"))]
    if not targets:
        raise CommandError(f'error: unable to find container named "{container}"')
    for ctr in targets:
        env = ctr.setdefault("env", [])
        for pair in pairs:
            if "=" in pair:
                key, _, value = pair.partition("=")
                for e in env:
                    if e.get("name") == key:
                        e.clear()
                        e.update(name=key, value=value)
                        break
                else:
                    env.append({"name": key, "value": value})
            else:
                key = pair[:-1]
                env[:] = [e for e in env if e.get("name") != key]
        if not env:
            ctr.pop("env")


def _parse_resource_list(text: str) -> dict:
    """Returns {"cpu": "200m", …} from `cpu=200m,memory=512Mi`; raises CommandError like kubectl."""
    out = {}
    for item in text.split(","):
        key, eq, value = item.partition("=")
        if not eq or not key:
            raise CommandError(f'error: invalid argument "{text}": expected name=quantity pairs')
        m = _QUANTITY.match(value)
        if not m:
            raise CommandError(
                "error: quantities must match the regular expression "
                "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
            )
        if not _SUFFIX.match(m.group(2)):
            raise CommandError("error: unable to parse quantity's suffix")
        out[key] = value
    return out


def _set_resources(spec: dict, limits: dict, requests: dict, container: str | None) -> None:
    targets = [ctr for ctr in spec.get("containers") or [] if container in (None, "*", ctr.get("name"))]
    if not targets:
        raise CommandError(f'error: unable to find container named "{container}"')
    for ctr in targets:
        res = ctr.setdefault("resources", {})
        if limits:
            res.setdefault("limits", {}).update(limits)
        if requests:
            res.setdefault("requests", {}).update(requests)


def run_set(c, args: Args, hooks) -> str:
    """Runs `kubectl set image|env|resources TYPE/NAME …`; returns the output or raises CommandError."""
    sub = args.positional[0] if args.positional else ""
    check_flags(args, f"set {sub}".strip(), _SET_FLAGS)
    dry, fmt = dry_run_strategy(args), output_format(args)
    if sub not in SUBCOMMANDS:
        raise CommandError(
            "error: the simulator supports `kubectl set image|env|resources deployment/NAME …`"
            if not sub
            else f'error: unknown command "{sub}" for "kubectl set" (the simulator has image, env and resources)'
        )
    words = args.positional[1:]
    pairs = [w for w in words if "=" in w or (sub == "env" and w.endswith("-") and "/" not in w)]
    refs = [w for w in words if w not in pairs]
    if sub == "image" and not pairs:
        raise CommandError("error: at least one image update is required")
    if sub == "env" and not pairs:
        raise CommandError("error: at least one environment variable must be provided")
    limits = _parse_resource_list(args.get("--limits")) if args.get("--limits") else {}
    requests = _parse_resource_list(args.get("--requests")) if args.get("--requests") else {}
    if sub == "resources" and not (limits or requests):
        raise CommandError(
            "error: you must specify an update to requests or limits (in the form of --requests/--limits)"
        )
    res, obj = hooks._one_target(
        c,
        args,
        refs,
        ("Deployment", "ReplicaSet", "Pod", "DaemonSet", "StatefulSet", "ReplicationController"),
    )
    upd = clone(obj)
    spec = upd["spec"] if res.kind == "Pod" else upd["spec"]["template"]["spec"]
    container = args.get("-c", "--containers", "--container")
    if sub == "image":
        _set_image(spec, pairs)
    elif sub == "env":
        _set_env(spec, pairs, container)
    else:
        _set_resources(spec, limits, requests, container)
    if upd == obj:
        return ""
    if args.has("--record"):
        upd["metadata"].setdefault("annotations", {})[CHANGE_CAUSE] = (
            f"kubectl set {sub} " + " ".join(words) + " --record=true"
        )
    if dry != "client":
        problem = hooks._immutable_change(c, obj, upd)
        if problem and res.kind == "Pod" and sub != "image":
            from ..apiserver import ApiError

            raise ApiError(problem, "Invalid", 422)
    if dry == "none":
        upd = c.api.update(upd, "kubectl", user=True, verb=f"set {sub}")
    if fmt in ("yaml", "json"):
        return print_objects([upd], fmt)
    return result_line(res, obj["metadata"]["name"], SUBCOMMANDS[sub], dry, fmt)
