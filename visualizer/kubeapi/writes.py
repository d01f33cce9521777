"""create, update and patch: the REST face of the engine's API server (delete and deletecollection: deletes.py).

Each handler follows kube-apiserver's handler of the same verb (apiserver pkg/endpoints/handlers/create.go,
update.go, patch.go) and does the storage work through the engine's API server (`c.api.admit`, `create`,
`update`, admission), inside `ctx.write` so the browser shows the request like a console command. Options,
bodies and answers are in write_support.py; the patch types in patch.py; field ownership and server-side apply
in managed_fields.py. Protobuf bodies (`kubectl create deployment` and the other typed creates) are decoded by
protobuf.py.
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING

import yaml

from visualizer.engine.apiserver import ApiError
from visualizer.engine.body_limits import DecodeLimitError, load_yaml
from visualizer.engine.clock import stamp
from visualizer.engine.kubectl.apply import LAST_APPLIED, last_applied_configuration
from visualizer.engine.objects import BY_KIND, clone

from . import managed_fields, status
from .deletes import delete, deletecollection
from .http import ApiRequest, ApiResponse
from .patch import APPLY, JSON_PATCH, MERGE, PATCH_TYPES, PatchError
from .patch_schema import root
from .write_support import (
    SERVER_META,
    Refused,
    admit,
    check_namespace,
    check_preconditions,
    command_of,
    decode_body,
    dry_run,
    duplicate_fields,
    error_status,
    field_manager,
    field_validation,
    go_map,
    guard,
    limit_pods,
    live_object,
    not_found,
    patch_error,
    request_line,
    respond,
    served_view,
    unsupported_media_type,
    with_type,
)

if TYPE_CHECKING:
    from .catalog import Served
    from .context import ApiContext
    from .router import Target

__all__ = ["create", "update", "patch", "delete", "deletecollection", "commit_update"]


# ---------------------------------------------------------------------------------------------- create
@guard
def create(ctx: ApiContext, req: ApiRequest, served: Served, target: Target) -> ApiResponse:
    """POST a collection: 201 and the stored object (the admitted one with `dryRun=All`)."""
    c = ctx.cluster
    if served.namespaced and target.namespace is None:
        return status.failure(
            405, "MethodNotAllowed", "the server does not allow this method on the requested resource"
        )
    dry = dry_run(req)
    validation = field_validation(req)
    obj = decode_body(req, served)
    check_namespace(obj, served, target)
    if served.kind == "Node" or served.kind == "Endpoints":
        return status.failure(
            403,
            "Forbidden",
            f"{served.plural} are managed by the simulator (kubelets register nodes, the endpoints controller "
            "writes endpoints)",
        )
    name = obj["metadata"].get("name") or ""
    try:
        admitted, warnings = admit(c, obj, validation, duplicates=_duplicates(req))
    except ApiError as err:  # the Status names the object from the body (kubectl prints `The Deployment "x"`)
        return error_status(err, served, name if isinstance(name, str) else "")
    if not admitted["metadata"].get("name") and not admitted["metadata"].get("generateName"):
        raise Refused(
            status.failure(
                422,
                "Invalid",
                f'{served.kind}{"." + served.group if served.group else ""} "" is invalid: metadata.name: '
                "Required value: name or generateName is required",
                {
                    "kind": served.kind,
                    "group": served.group,
                    "causes": [
                        {
                            "reason": "FieldValueRequired",
                            "message": "Required value: name or generateName is required",
                            "field": "metadata.name",
                        }
                    ],
                },
            )
        )
    limit_pods(c, [admitted], served, name)
    managed_fields.on_update(
        None, admitted, field_manager(req, "kubectl"), served.group_version, stamp(c.clock.now)
    )
    try:
        return store_new(ctx, req, served, target, admitted, dry, warnings)
    except ApiError as err:
        return error_status(err, served, name)


def _duplicates(req: ApiRequest) -> list[str]:
    """Repeated keys of a JSON create/update body (write_support.duplicate_fields)."""
    return duplicate_fields(req.body) if req.content_type in ("application/json", "") else []


def store_new(ctx, req, served, target, admitted: dict, dry: bool, warnings: list[str]) -> ApiResponse:
    """Creates the admitted object through the engine (AlreadyExists, a missing namespace and the admission
    plugins raise there) and answers 201; with `dry`, checks the same and answers without storing (the uid
    then comes from outside the cluster's seeded random stream, so nothing in the cluster changes)."""
    c = ctx.cluster
    if dry:
        meta = admitted["metadata"]
        if BY_KIND[admitted["kind"]].namespaced:
            c.api.check_namespace(meta["namespace"])
        if meta.get("name") and live_object(c, served, meta.get("namespace"), meta["name"]) is not None:
            raise ApiError(
                f'Error from server (AlreadyExists): {served.qualified} "{meta["name"]}" already exists',
                "AlreadyExists",
                409,
            )
        meta["uid"] = str(uuid.uuid4())
        meta["creationTimestamp"] = stamp(c.clock.now)
        return respond(admitted, served, 201, warnings)
    stored = ctx.write(
        command_of(req),
        request_line(req, served, target),
        lambda: c.api.create(admitted, "kubectl", user=True),
    )
    return respond(stored, served, 201, warnings)


# ---------------------------------------------------------------------------------------------- update
@guard
def update(ctx: ApiContext, req: ApiRequest, served: Served, target: Target) -> ApiResponse:
    """PUT an object: the whole new object; 409 Conflict when its resourceVersion is stale."""
    c = ctx.cluster
    dry = dry_run(req)
    validation = field_validation(req)
    obj = decode_body(req, served)
    live = live_object(c, served, target.namespace, target.name)
    if live is None:
        raise not_found(served, target.name)
    stored, warnings = commit_update(
        ctx,
        req,
        served,
        target,
        live,
        obj,
        validation,
        dry,
        field_manager(req, "kubectl"),
        "Update",
        duplicates=_duplicates(req),
    )
    return respond(stored, served, 200, warnings)


def commit_update(
    ctx: ApiContext,
    req: ApiRequest,
    served: Served,
    target: Target,
    live: dict,
    obj: dict,
    validation: str,
    dry: bool,
    manager: str,
    operation: str,
    managed: list | None = None,
    duplicates: list[str] | tuple = (),
) -> tuple[dict, list[str]]:
    """Admits `obj` as the new state of `live` and stores it (unless `dry`); returns (object, warnings).

    Status is the live one (the main resource does not write status), server-owned metadata is kept, immutable
    fields are checked as the engine checks them, and the managedFields record `manager` (or `managed`, the
    entries server-side apply computed).
    """
    c = ctx.cluster
    name = target.name
    check_namespace(obj, served, target)
    meta = obj["metadata"]
    if meta.get("name") not in (None, name):
        raise Refused(
            status.bad_request(
                f"the name of the object ({meta.get('name')}) does not match the name on the URL ({name})"
            )
        )
    meta["name"] = name
    check_preconditions(obj, live, served, name)
    admitted, warnings = admit(c, obj, validation, live, duplicates)
    for f in SERVER_META:
        if f in live["metadata"]:
            admitted["metadata"][f] = live["metadata"][f]
        else:
            admitted["metadata"].pop(f, None)
    if "status" in live:
        admitted["status"] = clone(live["status"])
    admitted["metadata"]["resourceVersion"] = live["metadata"]["resourceVersion"]
    from visualizer.engine.kubectl.commands import _immutable_change

    problem = _immutable_change(c, live, admitted)
    if problem:
        cause = problem.split(" is invalid: ", 1)[1]
        qualified = f"{served.kind}.{served.group}" if served.group else served.kind
        raise ApiError(
            problem,
            "Invalid",
            422,
            status_message=f'{qualified} "{name}" is invalid: {cause}',
            causes=[cause],
        )
    if admitted.get("spec", {}) != live.get("spec", {}):
        limit_pods(c, [admitted], served, name)
    now = stamp(c.clock.now)
    if managed is not None:
        admitted["metadata"]["managedFields"] = managed
    else:
        admitted["metadata"]["managedFields"] = clone(live["metadata"].get("managedFields") or [])
        managed_fields.on_update(live, admitted, manager, served.group_version, now)
    if not admitted["metadata"].get("managedFields"):
        admitted["metadata"].pop("managedFields", None)
    if dry:
        return admitted, warnings
    if _same(admitted, live):
        return live, warnings  # a no-op update writes nothing and keeps the resourceVersion
    verb = {"Update": "update", "Patch": "patch", "Apply": "apply"}.get(operation, "update")
    stored = ctx.write(
        command_of(req),
        request_line(req, served, target),
        lambda: c.api.update(admitted, "kubectl", user=True, verb=verb),
    )
    return stored, warnings


def _same(a: dict, b: dict) -> bool:
    """True when two objects differ at most in managedFields timestamps and resourceVersion."""

    def strip(o):
        o = dict(o)
        m = dict(o["metadata"])
        m.pop("resourceVersion", None)
        m["managedFields"] = [
            {k: v for k, v in e.items() if k != "time"}
            for e in m.get("managedFields") or []
            if isinstance(e, dict)
        ]
        o["metadata"] = m
        return o

    return strip(a) == strip(b)


# ---------------------------------------------------------------------------------------------- patch
@guard
def patch(ctx: ApiContext, req: ApiRequest, served: Served, target: Target) -> ApiResponse:
    """PATCH an object with one of the four patch types (415 for any other)."""
    from . import patch as patches

    ctype = req.content_type
    if ctype not in PATCH_TYPES:
        return unsupported_media_type(PATCH_TYPES)
    c = ctx.cluster
    dry = dry_run(req)
    validation = field_validation(req)
    live = live_object(c, served, target.namespace, target.name)
    if ctype == APPLY:
        return _server_side_apply(ctx, req, served, target, live, validation, dry)
    if live is None:
        raise not_found(served, target.name)
    current = clone(served_view(live, served))  # patches build on a copy: the store's objects are shared
    try:
        if ctype == MERGE:
            new = patches.apply_merge_patch(current, req.body)
        elif ctype == JSON_PATCH:
            new = patches.apply_json_patch(current, req.body)
        else:
            new = patches.apply_strategic(current, req.body, root(served.group_version, served.kind))
    except PatchError as err:
        return patch_error(err)
    if not isinstance(new, dict):
        return status.failure(422, "Invalid", "the patched object is not a JSON object")
    new = with_type(new, served)
    # The live object's own resourceVersion does not act as a precondition; one a patch sets does.
    if new["metadata"].get("resourceVersion") == live["metadata"]["resourceVersion"]:
        new["metadata"].pop("resourceVersion", None)
    try:
        stored, warnings = commit_update(
            ctx, req, served, target, live, new, validation, dry, field_manager(req, "kubectl"), "Patch"
        )
    except ApiError as err:
        if err.code == 400 and "strict decoding error" in str(err):
            return _patch_strict_error(str(err), req.body)
        raise
    return respond(stored, served, 200, warnings)


def _patch_strict_error(text: str, body: bytes) -> ApiResponse:
    """A patch that leaves unknown fields is a 422 on the `patch` field [handlers/patch.go `applyPatchToObject`]:
    kubectl prints `The request is invalid: patch: Invalid value: "…": strict decoding error: …`."""
    detail = "strict decoding error: " + text.split("strict decoding error: ", 1)[1]
    value = go_map(json.loads(body)).replace('"', '\\"')
    return status.failure(
        422,
        "Invalid",
        f' "" is invalid: patch: Invalid value: "{value}": {detail}',
        {
            "causes": [
                {
                    "reason": "FieldValueInvalid",
                    "message": f'Invalid value: "{value}": {detail}',
                    "field": "patch",
                }
            ]
        },
    )


def _server_side_apply(
    ctx: ApiContext, req: ApiRequest, served: Served, target: Target, live, validation: str, dry: bool
) -> ApiResponse:
    """`application/apply-patch+yaml`: merge the applied configuration with field ownership (managed_fields.py);
    creates the object when it does not exist (201)."""
    c = ctx.cluster
    manager = req.param("fieldManager")
    if not manager:
        return status.failure(
            422,
            "Invalid",
            'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
            {
                "group": "meta.k8s.io",
                "kind": "PatchOptions",
                "causes": [
                    {
                        "reason": "FieldValueRequired",
                        "message": "Required value: is required for apply patch",
                        "field": "fieldManager",
                    }
                ],
            },
        )
    try:
        config = load_yaml(req.body)
    except (UnicodeDecodeError, DecodeLimitError, yaml.YAMLError) as exc:
        return status.bad_request(f"error decoding YAML: {exc}")
    if not isinstance(config, dict):
        return status.bad_request("error decoding YAML: the applied configuration is not an object")
    config = with_type(config, served)
    meta = config["metadata"]
    if meta.get("name") not in (None, target.name):
        raise Refused(
            status.bad_request(
                f"the name of the object ({meta.get('name')}) does not match the name on the URL ({target.name})"
            )
        )
    check_namespace(config, served, target)
    from .patch_schema import unknown_fields

    unknown = unknown_fields(config, root(served.group_version, served.kind), smd=True)
    if unknown:
        # structured-merge-diff refuses what the schema lacks before any strict decoding
        # [managedfields internal/structuredmerge.go `Apply`: "failed to create typed patch object"].
        problems = [f"{p}: field not declared in schema" for p, _, _ in unknown]
        text = problems[0] if len(problems) == 1 else "errors:\n  " + "\n  ".join(problems)
        ns = f"{target.namespace}/" if target.namespace else "/"
        kind = f"{served.group_version}, Kind={served.kind}"
        return status.bad_request(f"failed to create typed patch object ({ns}{target.name}; {kind}): {text}")
    force = req.flag("force")
    now = stamp(c.clock.now)
    node = root(served.group_version, served.kind)
    try:
        merged, managed = managed_fields.apply(
            served_view(live, served) if live else None,
            config,
            manager,
            served.group_version,
            now,
            force,
            node,
        )
    except managed_fields.Conflicts as err:
        return status.failure(409, "Conflict", err.message, {"causes": err.causes})
    annotations = (merged.get("metadata") or {}).get("annotations") or {}
    if manager == "kubectl" and LAST_APPLIED in annotations:
        # Server-side apply by `kubectl` keeps a client-side apply annotation in step with what it applied
        # [apimachinery managedfields internal/lastappliedupdater.go]; other managers leave it alone.
        merged["metadata"]["annotations"] = {**annotations, LAST_APPLIED: last_applied_configuration(config)}
    if live is None:
        merged["metadata"]["name"] = target.name
        check_namespace(merged, served, target)
        admitted, warnings = admit(c, merged, validation)
        admitted["metadata"]["managedFields"] = managed
        limit_pods(c, [admitted], served, target.name)
        return store_new(ctx, req, served, target, admitted, dry, warnings)
    stored, warnings = commit_update(
        ctx, req, served, target, live, merged, validation, dry, manager, "Apply", managed=managed
    )
    return respond(stored, served, 200, warnings)
