"""`kubectl apply` (client-side), `apply view-last-applied`, and the `--dry-run` / `-o` / `--validate` flags
that apply, scale and set share.

The rules come from kubectl's `pkg/cmd/apply/apply.go` (`applyOneObject`, `printObjects`) and
`pkg/cmd/util/helpers.go` (`GetDryRunStrategy`, `GetValidationDirective`); the merge itself is in `apply.py`.
What a user sees:
- `deployment.apps/web created|configured|unchanged`, with ` (dry run)` or ` (server dry run)`;
- `--dry-run=client` never sends a change: kubectl v1.37 still computes the patch locally, so an existing
  object prints `configured (dry run)` or `unchanged (dry run)` (observed with the real binary; older
  kubectl skipped the patch and always said configured);
- `-o yaml|json` prints the resulting objects once at the end (a `kind: List` when there are several);
  `-o name` prints `deployment.apps/web` without the operation;
- `--validate=strict` (default, also `true`): unknown fields are a 400 strict decoding error; `warn`: the
  object is stored without them and each prints `Warning: unknown field "spec.replica"`; `ignore` (also
  `false`): dropped silently, as the API server does with `fieldValidation=Ignore` [reference §A5.3].
"""

from __future__ import annotations

import json
import re

from .. import validation
from ..apiserver import ApiError, in_file, not_found
from ..clock import stamp
from ..controllers.deployment import CHANGE_CAUSE
from ..objects import BY_KIND, clone, etcd_key
from . import printers
from .apply import (
    LAST_APPLIED,
    last_applied_configuration,
    original_configuration,
    strategic_merge,
    three_way_merge_patch,
    with_last_applied,
)
from .args import Args, CommandError

DRY_RUN_SUFFIX = {"none": "", "client": " (dry run)", "server": " (server dry run)"}
# Fields the API server owns: a patch or re-defaulting never takes them from the submitted object.
_SERVER_META = (
    "uid",
    "creationTimestamp",
    "generation",
    "resourceVersion",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "managedFields",
)


def dry_run_strategy(args: Args) -> str:
    """Returns "none", "client" or "server" from `--dry-run`; raises CommandError for any other value
    [kubectl pkg/cmd/util/helpers.go `GetDryRunStrategy`]."""
    from .commands import _dry_run  # bare `--dry-run` means client, as in every kubectl command

    return _dry_run(args)


def output_format(args: Args) -> str:
    """Returns "", "name", "yaml" or "json" from `-o`; raises CommandError for formats the console does not
    print (jsonpath, go-template, wide …)."""
    value = args.get("-o", "--output", default="")
    if value not in ("", "name", "yaml", "json"):
        raise CommandError(
            f'error: unable to match a printer suitable for the output format "{value}", allowed formats '
            "are: json,name,yaml"
        )
    return value


def validation_directive(args: Args) -> str:
    """Returns "strict", "warn" or "ignore" from `--validate` (`true` → strict, `false` → ignore)
    [kubectl pkg/cmd/util/helpers.go `GetValidationDirective`]."""
    value = (args.get("--validate", default="strict") or "strict").lower()
    mode = {"true": "strict", "strict": "strict", "warn": "warn", "false": "ignore", "ignore": "ignore"}.get(
        value
    )
    if mode is None:
        raise CommandError(
            f'error: invalid - validate option "{value}"; must be one of: strict (or true), warn, ignore (or false)'
        )
    return mode


# Flags each command honours; the shared parser accepts every verb's flags, so the rest are refused here.
_COMMON_FLAGS = {"-n", "--namespace", "-o", "--output", "--dry-run"}
_APPLY_FLAGS = _COMMON_FLAGS | {
    "-f",
    "--filename",
    "--validate",
    "-k",
    "--kustomize",
    "--server-side",
    "--record",
}
# Flags real kubectl has for these commands but the engine does not model: refused by name.
_NOT_SIMULATED = {
    "--force",
    "--overwrite",
    "--wait",
    "-l",
    "--selector",
    "--all",
    "--timeout",
    "--grace-period",
}


def check_flags(args: Args, command: str, allowed: set[str]) -> None:
    """Raises CommandError for a flag `command` does not honour, so that no flag is silently ignored."""
    for flag in args.flags:
        if flag in allowed:
            continue
        if flag in _NOT_SIMULATED:
            raise CommandError(f"error: kubectl {command} {flag} is not simulated by this console")
        raise CommandError(f"error: unknown flag: {flag}\nSee 'kubectl {command} --help' for usage.")


def print_objects(objs: list[dict], fmt: str) -> str:
    """Returns `-o yaml|json` output: the one object, or a `kind: List` of several [apply.go `printObjects`]."""
    # apply prints a corev1.List with empty ListMeta: `metadata: {}` (get's lists carry resourceVersion "").
    data = objs[0] if len(objs) == 1 else {"apiVersion": "v1", "items": objs, "kind": "List", "metadata": {}}
    return printers.to_yaml(data) if fmt == "yaml" else printers.to_json(data)


def result_line(res, name: str, operation: str, dry: str, fmt: str) -> str:
    """Returns the name printer's line: `deployment.apps/web configured (dry run)`; `-o name` prints only
    `deployment.apps/web` [cli-runtime pkg/printers/name.go, `ShortOutput`]."""
    if fmt == "name":
        return f"{res.name_prefix}/{name}"
    return f"{res.name_prefix}/{name} {operation}{DRY_RUN_SUFFIX[dry]}"


# ---------------------------------------------------------------------------------------------- unknown fields
_SEGMENT = re.compile(r"([^.\[\]]+)((?:\[\d+\])*)")


def drop_paths(obj: dict, paths: list[str]) -> dict:
    """Returns a copy of obj without the fields at the dotted paths `validation.unknown_fields` reports
    (`spec.replica`, `spec.template.spec.containers[0].imagePullPolice`; a path that crosses a list without an
    index drops the field from every element)."""
    out = clone(obj)
    for path in paths:
        segments = [
            (m.group(1), [int(i) for i in re.findall(r"\d+", m.group(2))]) for m in _SEGMENT.finditer(path)
        ]
        _drop(out, segments)
    return out


def _drop(node, segments) -> None:
    if not segments:
        return
    if isinstance(node, list):
        for item in node:
            _drop(item, segments)
        return
    if not isinstance(node, dict):
        return
    (name, indices), rest = segments[0], segments[1:]
    if not rest and not indices:
        node.pop(name, None)
        return
    child = node.get(name)
    for i in indices:
        child = child[i] if isinstance(child, list) and i < len(child) else None
    if child is not None:
        _drop(child, rest)


def without_nulls(value):
    """Returns value without map entries whose value is null (how a JSON null decodes in a create body)."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def unknown_field_paths(obj: dict) -> list[str]:
    """Returns the unknown fields of a submitted object (empty for kinds the engine does not know)."""
    if obj.get("kind") not in BY_KIND:
        return []
    try:
        return list(validation.unknown_fields(obj))
    except (TypeError, AttributeError, KeyError):
        return []


# ---------------------------------------------------------------------------------------------- apply
def _with_namespace(doc: dict, res, namespace_flag: str | None) -> dict:
    """Returns the document with `metadata.namespace` filled as kubectl's builder does (`-n`, else
    `default`); refuses a file whose namespace differs from `-n` [cli-runtime pkg/resource/visitor.go]."""
    obj = clone(doc)
    if res is None or not res.namespaced or not isinstance(obj.get("metadata"), dict):
        return obj
    meta = obj["metadata"]
    own = meta.get("namespace")
    if own and namespace_flag and own != namespace_flag:
        raise CommandError(
            f'error: the namespace from the provided object "{own}" does not match the namespace '
            f"\"{namespace_flag}\". You must pass '--namespace={own}' to perform this operation."
        )
    if not own:
        meta["namespace"] = namespace_flag or "default"
    return obj


def as_version(live: dict, api_version) -> dict:
    """Returns the live object as the API server serves it at the file's apiVersion (kubectl GETs the
    object in the version it submits). Only HorizontalPodAutoscaler is stored in another version here:
    autoscaling/v2 served as autoscaling/v1 has `targetCPUUtilizationPercentage` instead of `metrics`
    [kubernetes pkg/apis/autoscaling/v1/conversion.go]."""
    if live.get("kind") != "HorizontalPodAutoscaler" or api_version != "autoscaling/v1":
        return live
    view = clone(live)
    view["apiVersion"] = "autoscaling/v1"
    spec = view.get("spec") or {}
    metrics = spec.pop("metrics", None) or []
    spec.pop("behavior", None)
    for m in metrics:
        target = ((m.get("resource") or {}).get("target") or {}) if m.get("type") == "Resource" else {}
        if (m.get("resource") or {}).get("name") == "cpu" and "averageUtilization" in target:
            spec["targetCPUUtilizationPercentage"] = target["averageUtilization"]
    return view


def _server_apply(c, live: dict, merged: dict, dropped: list[str]) -> dict:
    """Returns what the API server stores after patching: the file's unknown fields dropped (warn/ignore),
    defaults filled again (a deleted `replicas` becomes 1), validated (raises ApiError), with the
    server-owned metadata and the status of the live object."""
    body = drop_paths(merged, dropped) if dropped else clone(merged)
    body.pop("status", None)
    for f in _SERVER_META:
        body["metadata"].pop(f, None)
    stored = c.api.admit(body)
    for f in _SERVER_META:
        if f in live["metadata"]:
            stored["metadata"][f] = live["metadata"][f]
    if "status" in live:
        stored["status"] = clone(live["status"])
    return stored


def run_apply(c, args: Args, stdin: str | None, hooks) -> str:
    """Runs `kubectl apply -f -` and its subcommands; returns the output or raises CommandError/ApiError.

    hooks: the commands module (for `_load`, `_limit_replicas`, `_immutable_change`, `_ns`)."""
    if args.positional:
        sub = args.positional[0]
        if sub == "view-last-applied":
            return view_last_applied(c, args, stdin, hooks)
        if sub == "edit-last-applied":
            raise CommandError(
                "error: kubectl apply edit-last-applied opens an interactive editor, which this console cannot "
                "do; change the file and run `kubectl apply -f -` again"
            )
        if sub == "set-last-applied":
            return set_last_applied(c, args, stdin, hooks)
        raise CommandError(
            f"error: Unexpected args: [{' '.join(args.positional)}]\nSee 'kubectl apply -h' for help and examples"
        )
    if args.has("-k", "--kustomize"):
        if args.has("-f", "--filename"):
            raise CommandError("error: only one of -f or -k can be specified")
        raise CommandError(
            "error: kubectl apply -k builds a kustomization directory, and this console has no directories: "
            "paste the objects and use `kubectl apply -f -`"
        )
    check_flags(args, "apply", _APPLY_FLAGS)
    if args.has("--server-side"):
        raise CommandError(
            "error: --server-side (server-side apply, field managers) is not simulated; this console does "
            "client-side apply with the last-applied-configuration annotation: drop --server-side"
        )
    dry = dry_run_strategy(args)
    fmt = output_format(args)
    mode = validation_directive(args)
    docs = hooks._load(stdin, args)
    ns_flag = args.get("-n", "--namespace")
    plan = []
    for doc in docs:
        res = BY_KIND.get(doc.get("kind")) if isinstance(doc.get("kind"), str) else None
        submitted = _with_namespace(doc, res, ns_flag)
        if args.has("--record") and isinstance(submitted.get("metadata"), dict):
            # The recorder writes the change cause before the annotation is computed, so it is in both
            # [kubectl apply.go `applyOneObject` → `Recorder.Record`].
            annotations = dict(submitted["metadata"].get("annotations") or {})
            annotations[CHANGE_CAUSE] = "kubectl apply --filename=- --record=true"
            submitted["metadata"]["annotations"] = annotations
        meta = submitted.get("metadata") if isinstance(submitted.get("metadata"), dict) else {}
        if not meta.get("name") and isinstance(meta.get("generateName"), str):
            raise CommandError(f"error: from {meta['generateName']}: cannot use generate name with apply")
        unknown = unknown_field_paths(submitted) if mode != "strict" else []
        # A null in a create body leaves the field unset, to be defaulted [declarative-config.md "How to clear
        # server-defaulted fields"]; the annotation and the patch still carry the nulls as submitted.
        admitted = c.api.admit(without_nulls(drop_paths(submitted, unknown) if unknown else submitted))
        plan.append((BY_KIND[admitted["kind"]], submitted, admitted, unknown))
    lines, shown, finals = [], [], []
    for res, submitted, admitted, unknown in plan:
        warn = (
            [f'Warning: unknown field "{u}"' for u in unknown] if mode == "warn" and dry != "client" else []
        )
        name = admitted["metadata"]["name"]
        ns = admitted["metadata"].get("namespace")
        live = c.store.get(etcd_key(res, ns if res.namespaced else None, name))
        if live is None:
            # POST the submitted object with its annotation; the server defaults and stores it.
            if dry == "client":
                obj = with_last_applied(submitted)
            else:
                obj = admitted
                obj["metadata"].setdefault("annotations", {})[LAST_APPLIED] = last_applied_configuration(
                    submitted
                )
                if dry == "none":
                    finals.append(obj)
                    try:
                        obj = c.api.create(obj, "kubectl", user=True)
                    except ApiError as err:  # a quota's 403 names the file, as kubectl prints it
                        raise in_file(err, "STDIN") from None
                else:
                    # Server dry-run: admitted and defaulted as a real create, never stored (no uid is drawn,
                    # so the seeded random stream and the cluster stay exactly as they were).
                    if res.namespaced:
                        c.api.check_namespace(ns)
                    obj["metadata"]["creationTimestamp"] = stamp(c.clock.now)
            lines += warn
            lines.append(result_line(res, name, "created", dry, fmt))
            shown.append(obj)
            continue
        if LAST_APPLIED not in (live["metadata"].get("annotations") or {}):
            # info.ObjectName() is `<resource>/<name>` without the group [cli-runtime resource.Info].
            lines.append(
                f"Warning: resource {res.plural}/{name} is missing the "
                "kubectl.kubernetes.io/last-applied-configuration annotation which is required by kubectl apply. "
                "kubectl apply should only be used on resources created declaratively by either kubectl create "
                "--save-config or kubectl apply. The missing annotation will be patched automatically."
            )
        current = as_version(live, submitted.get("apiVersion"))
        patch = three_way_merge_patch(original_configuration(current), with_last_applied(submitted), current)
        if not patch:
            lines.append(result_line(res, name, "unchanged", dry, fmt))
            shown.append(live)
            continue
        if dry == "client":
            # kubectl v1.37 computes the patch in a client dry run too, sends nothing, and prints the live
            # object with the patch applied locally (no server defaulting) [observed with the real binary].
            lines.append(result_line(res, name, "configured", dry, fmt))
            shown.append(strategic_merge(current, patch))
            continue
        stored = _server_apply(c, live, strategic_merge(current, patch), unknown)
        problem = hooks._immutable_change(c, live, stored)
        if problem:
            raise ApiError(problem, "Invalid", 422)
        lines += warn
        lines.append(result_line(res, name, "configured", dry, fmt))
        if dry == "none":
            finals.append(stored)
            stored = c.api.update(stored, "kubectl", user=True, verb="apply")
        shown.append(stored)
    if finals:
        hooks._limit_replicas(c, [o for o in finals if o.get("kind")])
    if fmt in ("yaml", "json"):
        lines = [ln for ln in lines if ln.startswith("Warning:")] + [print_objects(shown, fmt)]
    return "\n".join(lines)


def view_last_applied(c, args: Args, stdin, hooks) -> str:
    """`kubectl apply view-last-applied TYPE/NAME [-o yaml|json]`: the annotation as YAML (default) or as
    2-space indented JSON [kubectl pkg/cmd/apply/apply_view_last_applied.go]."""
    check_flags(args, "apply view-last-applied", {"-n", "--namespace", "-o", "--output", "-f", "--filename"})
    fmt = args.get("-o", "--output", default="yaml")
    if fmt not in ("yaml", "json"):
        raise CommandError(
            f"error: Unexpected -o output mode: {fmt}, the flag 'output' must be one of yaml|json\n"
            "See 'view-last-applied -h' for help and examples"
        )
    out = []
    if args.has("-f", "--filename"):
        targets = []
        for doc in hooks._load(stdin, args, "view-last-applied"):
            res = BY_KIND.get(doc.get("kind")) if isinstance(doc.get("kind"), str) else None
            obj = c.api.admit(_with_namespace(doc, res, args.get("-n", "--namespace")))
            targets.append((BY_KIND[obj["kind"]], obj["metadata"]["name"], obj["metadata"].get("namespace")))
    else:
        targets = [(res, name, hooks._ns(args)) for res, name in hooks._targets(c, args, args.positional[1:])]
    for res, name, ns in targets:
        obj = c.store.get(etcd_key(res, ns if res.namespaced else None, name))
        if obj is None:
            raise not_found(res, name)
        text = (obj["metadata"].get("annotations") or {}).get(LAST_APPLIED)
        if not text:
            raise CommandError(f"error: no last-applied-configuration annotation found on resource: {name}")
        try:
            value = json.loads(text)
        except ValueError:
            raise CommandError(f"error: the last-applied-configuration of {name} is not JSON") from None
        out.append(
            printers.to_yaml(value) if fmt == "yaml" else json.dumps(value, indent=2, ensure_ascii=False)
        )
    return "\n".join(out)


def set_last_applied(c, args: Args, stdin, hooks) -> str:
    """`kubectl apply set-last-applied -f - [--create-annotation]`: replaces the annotation of existing
    objects with the file's contents, changing nothing else; an object without the annotation is refused
    unless `--create-annotation` [kubectl pkg/cmd/apply/apply_set_last_applied.go]."""
    dry = dry_run_strategy(args)
    fmt = output_format(args)
    check_flags(args, "apply set-last-applied", _COMMON_FLAGS | {"-f", "--filename", "--create-annotation"})
    create = args.get("--create-annotation", default="false") == "true"
    lines, shown = [], []
    for doc in hooks._load(stdin, args):
        res = BY_KIND.get(doc.get("kind")) if isinstance(doc.get("kind"), str) else None
        submitted = _with_namespace(doc, res, args.get("-n", "--namespace"))
        admitted = c.api.admit(submitted)
        res = BY_KIND[admitted["kind"]]
        name = admitted["metadata"]["name"]
        live = c.store.get(
            etcd_key(res, admitted["metadata"].get("namespace") if res.namespaced else None, name)
        )
        if live is None:
            raise not_found(res, name)
        if LAST_APPLIED not in (live["metadata"].get("annotations") or {}) and not create:
            raise CommandError(
                f"error: no last-applied-configuration annotation found on resource: {name}, to create the "
                "annotation, run the command with --create-annotation"
            )
        upd = clone(live)
        upd["metadata"].setdefault("annotations", {})[LAST_APPLIED] = last_applied_configuration(submitted)
        if dry == "none" and upd != live:
            upd = c.api.update(upd, "kubectl", user=True, verb="apply set-last-applied")
        lines.append(result_line(res, name, "configured", dry, fmt))
        shown.append(upd)
    if fmt in ("yaml", "json"):
        return print_objects(shown, fmt)
    return "\n".join(lines)
