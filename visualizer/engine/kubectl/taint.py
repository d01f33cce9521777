"""`kubectl taint`: add, overwrite and remove node taints as kubectl v1.3x does.

Forms: `kubectl taint nodes NODE… key=value:Effect`, `key:Effect` (empty value), `key:Effect-` (remove that
key and effect), `key-` (remove every effect of the key); `node/NODE` works too, as do `-l SELECTOR` and
`--all`. `--overwrite` replaces a taint with the same key and effect. Output: `node/NAME tainted`,
`untainted`, or `modified` (with --overwrite, or adding and removing at once).
Source: kubectl pkg/cmd/taint/taint.go and utils.go (`parseTaints`, `reorganizeTaints`,
`checkIfTaintsAlreadyExists`); core/v1 `Taint.ToString`.
"""

from __future__ import annotations

import re

from ..clock import stamp
from ..objects import clone, matches, parse_selector
from . import printers
from .args import Args, CommandError

EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
_QUALIFIED = re.compile(
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"
)
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
USAGE = "\nSee 'kubectl taint -h' for help and examples"


def taint_string(t: dict) -> str:
    """Returns `key=value:Effect`, `key:Effect`, `key=value:` or `key` (core/v1 Taint.ToString)."""
    key, value, effect = t.get("key", ""), t.get("value", ""), t.get("effect", "")
    if not effect:
        return f"{key}={value}:" if value else key
    return f"{key}={value}:{effect}" if value else f"{key}:{effect}"


def _parse_one(spec: str) -> dict:
    """Parses `<key>=<value>:<effect>`, `<key>:<effect>` or `<key>`; raises CommandError like kubectl."""
    parts = spec.split(":")
    value, effect = "", ""
    if len(parts) == 1:
        key = parts[0]
    elif len(parts) == 2:
        effect = parts[1]
        if effect not in EFFECTS:
            raise CommandError(f"error: invalid taint effect: {effect}, unsupported taint effect{USAGE}")
        kv = parts[0].split("=")
        if len(kv) > 2:
            raise CommandError(f"error: invalid taint spec: {spec}{USAGE}")
        key = kv[0]
        if len(kv) == 2:
            value = kv[1]
            if len(value) > 63 or not _LABEL_VALUE.match(value):
                raise CommandError(
                    f"error: invalid taint spec: {spec}, a valid label must be an empty string or consist of "
                    "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
                    "character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is "
                    f"'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?'){USAGE}"
                )
    else:
        raise CommandError(f"error: invalid taint spec: {spec}{USAGE}")
    if not key or len(key.rsplit("/", 1)[-1]) > 63 or not _QUALIFIED.match(key):
        raise CommandError(
            f"error: invalid taint spec: {spec}, name part must consist of alphanumeric characters, '-', '_' "
            "or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
            f"'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]'){USAGE}"
        )
    out = {"key": key, "effect": effect}
    if value:
        out["value"] = value
    return out


def parse_taints(specs: list[str]) -> tuple[list[dict], list[dict]]:
    """Returns (taints to add, taints to remove) from kubectl's taint arguments."""
    add, remove, seen = [], [], set()
    for spec in specs:
        if spec.endswith("-"):
            t = _parse_one(spec[:-1])
            remove.append({"key": t["key"], "effect": t["effect"]})
            continue
        t = _parse_one(spec)
        if not t["effect"]:
            raise CommandError(f"error: invalid taint spec: {spec}{USAGE}")
        if (t["key"], t["effect"]) in seen:
            raise CommandError(
                "error: duplicated taints with the same key and effect: "
                f"{{{t['key']} {t.get('value', '')} {t['effect']} <nil>}}{USAGE}"
            )
        seen.add((t["key"], t["effect"]))
        add.append(t)
    return add, remove


def _reorganize(
    old: list[dict], add: list[dict], remove: list[dict], overwrite: bool
) -> tuple[str, list[dict]]:
    """kubectl's reorganizeTaints: new taints first, then the old ones not replaced, minus removals."""
    new = [dict(t) for t in add]
    for o in old:
        if not any(t["key"] == o["key"] and t["effect"] == o["effect"] for t in new):
            new.append(o)
    added = len(old) != len(new)
    errors, deleted = [], False
    for r in remove:
        before = len(new)
        if r["effect"]:
            new = [t for t in new if not (t["key"] == r["key"] and t["effect"] == r["effect"])]
        else:
            new = [t for t in new if t["key"] != r["key"]]
        deleted = len(new) != before
        if not deleted:
            errors.append(f'taint "{taint_string(r)}" not found')
    if errors:
        raise CommandError("error: " + (errors[0] if len(errors) == 1 else "[" + ", ".join(errors) + "]"))
    if (added and deleted) or overwrite:
        return "modified", new
    return ("tainted" if added else "untainted"), new


def cmd_taint(c, args: Args, stdin) -> str:
    """Runs `kubectl taint`; returns the name-printer lines or raises CommandError."""
    resources, specs = [], []
    for word in args.positional:
        is_taint = "=" in word or ":" in word or word.endswith("-")
        if is_taint:
            specs.append(word)
        elif specs:
            raise CommandError(f"error: all resources must be specified before taint changes: {word}")
        else:
            resources.append(word)
    if not resources:
        raise CommandError(f"error: one or more resources must be specified as <resource> <name>{USAGE}")
    if not specs:
        raise CommandError(f"error: at least one taint update is required{USAGE}")
    add, remove = parse_taints(specs)
    names: list[str] = []
    first = resources[0]
    if "/" in first:
        for w in resources:
            kind, _, name = w.partition("/")
            if kind.lower() not in ("node", "nodes", "no"):
                raise CommandError(
                    f'error: invalid resource type {kind}, only ["node" "nodes"] are supported{USAGE}'
                )
            names.append(name)
    else:
        if first.lower() not in ("node", "nodes", "no"):
            raise CommandError(
                f'error: invalid resource type {first}, only ["node" "nodes"] are supported{USAGE}'
            )
        names = resources[1:]
    conflicts = [
        f'{{"{r["key"]}":"{r["effect"]}"}}'
        for a in add
        for r in remove
        if a["key"] == r["key"] and (not r["effect"] or a["effect"] == r["effect"])
    ]
    if conflicts:
        raise CommandError(
            "error: can not both modify and remove the following taint(s) in the same command: "
            + ", ".join(conflicts)
            + USAGE
        )
    selector = args.get("-l", "--selector")
    every = args.has("--all")
    if every and selector:
        raise CommandError(f"error: setting 'all' parameter with a non empty selector is prohibited.{USAGE}")
    if every or selector:
        nodes = c.store.list("Node")
        if selector:
            try:
                reqs = parse_selector(selector)
            except ValueError as exc:
                raise CommandError(f"error: {exc}") from None
            nodes = [n for n in nodes if matches(reqs, n["metadata"].get("labels"))]
        targets = sorted(nodes, key=lambda n: n["metadata"]["name"])
    else:
        if not names:
            raise CommandError(
                f"error: at least one resource name must be specified since 'all' parameter is not set{USAGE}"
            )
        targets = []
        for name in names:
            node = c.api.get("Node", None, name)
            if node is None:
                raise CommandError(f'Error from server (NotFound): nodes "{name}" not found')
            targets.append(node)
    out_fmt = args.get("-o", "--output", default="")
    if out_fmt not in ("", "yaml", "json", "name"):
        raise CommandError(
            f'error: unable to match a printer suitable for the output format "{out_fmt}", allowed formats '
            "are: json,name,yaml"
        )
    lines = []
    for node in targets:
        name = node["metadata"]["name"]
        old = node["spec"].get("taints") or []
        if not args.has("--overwrite"):
            exists = [
                a["key"] for a in add for o in old if a["key"] == o["key"] and a["effect"] == o["effect"]
            ]
            if exists:
                raise CommandError(
                    f"error: node {name} already has {','.join(exists)} taint(s) with same effect(s) and "
                    "--overwrite is false"
                )
        operation, new = _reorganize(old, add, remove, args.has("--overwrite"))
        for t in new:
            # The API server stamps timeAdded on NoExecute taints (the eviction clock starts there).
            if t["effect"] == "NoExecute" and not t.get("timeAdded"):
                t["timeAdded"] = stamp(c.clock.now)
        upd = clone(node)
        if new:
            upd["spec"]["taints"] = new
        else:
            upd["spec"].pop("taints", None)
        stored = c.api.update(upd, "kubectl", user=True, verb="taint")
        if out_fmt == "yaml":
            lines.append(printers.to_yaml(stored).rstrip("\n"))
        elif out_fmt == "json":
            lines.append(printers.to_json(stored).rstrip("\n"))
        else:
            lines.append(f"node/{name}" + ("" if out_fmt == "name" else f" {operation}"))
    return "\n".join(lines)
