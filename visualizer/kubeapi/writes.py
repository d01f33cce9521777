"""create, update, patch, delete and deletecollection: the REST face of the engine's API server.

Each handler follows kube-apiserver's handler of the same verb (apiserver pkg/endpoints/handlers/create.go,
update.go, patch.go, delete.go) and does the storage work through the engine's API server (`c.api.admit`,
`create`, `update`, `delete`, admission), inside `ctx.write` so the browser shows the request like a console
command. Query parameters: `dryRun=All` (admitted and answered, nothing stored), `fieldManager` (the
managedFields entry, managed_fields.py), `fieldValidation=Strict|Warn|Ignore` (unknown fields: 400, a
`Warning: 299` header each, or dropped; unset means Warn as on a real server).

Bodies are JSON or YAML; protobuf (`kubectl create deployment` and the other typed creates) is decoded by
protobuf.py when that module provides `decode`, else answered 415 as a server without protobuf would.
"""

from __future__ import annotations

import json
import uuid

import yaml

from visualizer.engine.apiserver import ApiError
from visualizer.engine.clock import stamp
from visualizer.engine.objects import BY_KIND, clone, etcd_key

from . import managed_fields, status
from .http import ApiResponse, json_response
from .patch import APPLY, JSON_PATCH, MERGE, PATCH_TYPES, PatchError
from .patch_schema import root

JSON_TYPES = ("application/json", "")
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml")
PROTOBUF = "application/vnd.kubernetes.protobuf"
# Metadata only the server sets: never taken from a request body on update [registry rest.BeforeUpdate].
SERVER_META = ("uid", "creationTimestamp", "generation", "deletionTimestamp", "deletionGracePeriodSeconds")
# Kinds whose writes the engine reserves to its own components on create (kubelets register nodes).
ENGINE_OWNED = ("Node", "Endpoints")


class Refused(Exception):
    """A request answered with a Status before anything changes."""

    def __init__(self, response: ApiResponse):
        super().__init__(response.status)
        self.response = response


# ---------------------------------------------------------------------------------------------- options
def dry_run(req) -> bool:
    """Returns True for `dryRun=All`; any other value is the real 422 [apimachinery
    pkg/apis/meta/v1/validation `ValidateDryRun`]."""
    values = req.query.get("dryRun") or []
    for v in values:
        if v != "All":
            raise Refused(
                status.failure(
                    422,
                    "Invalid",
                    f'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: "{v}": supported '
                    'values: "All"',
                    {
                        "group": "meta.k8s.io",
                        "kind": "CreateOptions",
                        "causes": [
                            {
                                "reason": "FieldValueNotSupported",
                                "message": f'Unsupported value: "{v}": supported values: "All"',
                                "field": "dryRun",
                            }
                        ],
                    },
                )
            )
    return bool(values)


def field_validation(req) -> str:
    """Returns Strict, Warn or Ignore (unset: Warn, the server default [handlers/rest.go `fieldValidation`])."""
    value = req.param("fieldValidation") or "Warn"
    if value not in ("Strict", "Warn", "Ignore"):
        raise Refused(
            status.bad_request(
                f'fieldValidation: Unsupported value: "{value}": supported values: "Ignore", "Strict", "Warn"'
            )
        )
    return value


def field_manager(req, default: str = "") -> str:
    """Returns the `fieldManager` (else the User-Agent's program name, as `managerOrUserAgent` does)."""
    name = req.param("fieldManager")
    if name:
        if len(name) > 128:
            raise Refused(
                status.failure(
                    422,
                    "Invalid",
                    f"fieldManager: Too long: may not be more than 128 bytes (got {len(name)})",
                )
            )
        return name
    agent = req.headers.get("user-agent", "")
    return agent.split("/", 1)[0] if agent else default or "unknown"


def command_of(req) -> str:
    """Returns kubectl's `Kubectl-Command` header (`kubectl scale`), "" from other clients."""
    return req.headers.get("kubectl-command", "")


def request_line(req, served, target) -> str:
    """`PATCH deployments.apps/web/scale`: how the trace names a request."""
    parts = [served.qualified]
    if target.name:
        parts.append(target.name)
    if target.subresource:
        parts.append(target.subresource)
    return f"{req.method.upper()} {'/'.join(parts)}"


def warning_headers(texts: list[str]) -> list[tuple[str, str]]:
    """Returns one `Warning: 299 - "<text>"` header per text (client-go prints `Warning: <text>`)."""
    return [("Warning", '299 - "' + t.replace("\\", "\\\\").replace('"', '\\"') + '"') for t in texts]


# ---------------------------------------------------------------------------------------------- bodies
def unsupported_media_type(accepted: tuple[str, ...] | list[str]) -> ApiResponse:
    """415 as negotiation.NewUnsupportedMediaTypeError words it."""
    return status.failure(
        415,
        "UnsupportedMediaType",
        "the body of the request was in an unknown format - accepted media types include: "
        + ", ".join(accepted),
    )


def _protobuf_decoder():
    try:
        from . import protobuf
    except ImportError:
        return None
    return getattr(protobuf, "decode", None)


def body_types() -> list[str]:
    """The media types a create/update body may have (protobuf only once protobuf.py decodes)."""
    types = ["application/json", "application/yaml"]
    if _protobuf_decoder() is not None:
        types.append(PROTOBUF)
    return types


def decode_body(req, served) -> dict:
    """Returns the request body as an object with apiVersion and kind filled from the URL when absent.

    Raises Refused: 415 for a media type the server does not read, 400 for a body that does not parse
    (`couldn't get version/kind; json parse error: …`), for an apiVersion of another group-version (`the API
    version in the data (v1) does not match the expected API version (apps/v1)`) or another kind.
    """
    ctype = req.content_type
    if ctype == PROTOBUF:
        decode = _protobuf_decoder()
        if decode is None:
            raise Refused(unsupported_media_type(body_types()))
        try:
            obj = decode(req.body)
        except Exception as exc:  # noqa: BLE001 - protobuf.ProtobufError and any malformed-body fault
            raise Refused(status.bad_request(str(exc) or "the protobuf body could not be decoded")) from None
    elif ctype in JSON_TYPES:
        try:
            obj = json.loads(req.body.decode("utf-8") or "null")
        except (UnicodeDecodeError, ValueError) as exc:
            from .patch import go_json_error

            raise Refused(
                status.bad_request(
                    f"couldn't get version/kind; json parse error: {go_json_error(req.body, exc)}"
                )
            ) from None
    elif ctype in YAML_TYPES:
        try:
            obj = yaml.safe_load(req.body.decode("utf-8"))
        except (UnicodeDecodeError, yaml.YAMLError) as exc:
            raise Refused(status.bad_request(f"couldn't get version/kind; yaml parse error: {exc}")) from None
    else:
        raise Refused(unsupported_media_type(body_types()))
    if not isinstance(obj, dict):
        raise Refused(
            status.bad_request("couldn't get version/kind; json parse error: the body is not a JSON object")
        )
    return with_type(obj, served)


def with_type(obj: dict, served) -> dict:
    """Fills apiVersion/kind from the URL (the decoder's default GVK) and checks that they match it."""
    obj.setdefault("apiVersion", served.group_version)
    obj.setdefault("kind", served.kind)
    if obj["apiVersion"] != served.group_version:
        raise Refused(
            status.bad_request(
                f"the API version in the data ({obj['apiVersion']}) does not match the expected API version "
                f"({served.group_version})"
            )
        )
    if obj["kind"] != served.kind:
        raise Refused(
            status.bad_request(
                f'{obj["kind"]} in version "{served.version}" cannot be handled as a {served.kind}: the kind in '
                f"the data ({obj['kind']}) does not match the expected kind ({served.kind})"
            )
        )
    if not isinstance(obj.get("metadata", {}), dict):
        raise Refused(
            status.bad_request(
                f'{served.kind} in version "{served.version}" cannot be handled as a {served.kind}: json: cannot '
                "unmarshal into Go struct field .metadata of type v1.ObjectMeta"
            )
        )
    obj.setdefault("metadata", {})
    return obj


def check_namespace(obj: dict, served, target) -> None:
    """Sets or checks the body's namespace against the URL's [registry rest.EnsureObjectNamespaceMatchesRequestNamespace]."""
    meta = obj["metadata"]
    if not served.namespaced:
        meta.pop("namespace", None)
        return
    own = meta.get("namespace") or ""
    if not own:
        meta["namespace"] = target.namespace
    elif own != target.namespace:
        raise Refused(
            status.bad_request(
                "the namespace of the provided object does not match the namespace sent on the request"
            )
        )


def served_view(obj: dict, served) -> dict:
    """Returns a stored object as the served version shows it (HPAs are stored as autoscaling/v2)."""
    if obj.get("apiVersion") == served.group_version:
        return obj
    from visualizer.engine.kubectl.apply_command import as_version

    return as_version(obj, served.group_version)


def _live(c, served, namespace: str | None, name: str) -> dict | None:
    res = BY_KIND[served.engine_kind]
    return c.store.get(etcd_key(res, namespace if res.namespaced else None, name))


def _not_found(served, name: str) -> Refused:
    return Refused(status.not_found(served.qualified, name, served.plural, served.group))


def limit_pods(c, objs: list[dict], served, name: str) -> None:
    """Refuses a write asking for more pods than the simulator allows (per request and cluster-wide), as a
    403 like an admission quota (the console refuses the same with its own line)."""
    from visualizer.engine.kubectl.args import CommandError
    from visualizer.engine.kubectl.commands import _limit_replicas

    try:
        _limit_replicas(c, objs)
    except CommandError as exc:
        text = str(exc).removeprefix("error: ")
        raise Refused(
            status.failure(
                403,
                "Forbidden",
                f'{served.qualified} "{name}" is forbidden: {text}',
                {"name": name, "group": served.group, "kind": served.plural}
                if served.group
                else {"name": name, "kind": served.plural},
            )
        ) from None


def _admit(c, obj: dict, validation: str) -> tuple[dict, list[str]]:
    """Runs the engine's admit (decode, strict fields, defaults, validation); returns (object, warnings)."""
    if obj.get("kind") in ENGINE_OWNED:
        # The engine's decoder does not describe these kinds (it never admits them from users): their unknown
        # fields come from the OpenAPI schema; the object is otherwise taken as the engine's components write it.
        from .patch_schema import unknown_fields

        body = clone(obj)
        unknown = unknown_fields(body, root(body["apiVersion"], body["kind"]))
        if unknown and validation == "Strict":
            version = body["apiVersion"].split("/")[-1]
            problems = ", ".join(f'unknown field "{p}"' for p, _, _ in unknown)
            raise ApiError(
                f'Error from server (BadRequest): {body["kind"]} in version "{version}" cannot be handled as a '
                f"{body['kind']}: strict decoding error: {problems}"
            )
        for _, holder, key in unknown:
            holder.pop(key, None)
        return body, ([f'unknown field "{p}"' for p, _, _ in unknown] if validation == "Warn" else [])
    admitted = c.api.admit(obj, source="", field_validation=validation)
    return admitted, list(c.api.warnings)


def error_status(err: ApiError, served, name: str) -> ApiResponse:
    """The Status of an engine ApiError about `served`: details name the resource for 404/409 on it, the
    Kind for 422 (kubectl rebuilds `The Deployment "web" is invalid` from them); a 400 carries none."""
    text = str(err)
    if err.code == 422:
        return status.from_api_error(err, kind=served.kind, name=name, group=served.group)
    if err.code in (403, 404, 409) and f'{served.qualified} "' in text:
        return status.from_api_error(err, kind=served.plural, name=name, group=served.group)
    if err.code == 404 and 'namespaces "' in text:
        missing = text.split('namespaces "', 1)[1].split('"', 1)[0]
        return status.from_api_error(err, kind="namespaces", name=missing)
    return status.from_api_error(err)


def go_map(value) -> str:
    """Formats a decoded JSON value as Go's `%+v` prints a map[string]interface{} (keys sorted)."""
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{go_map(value[k])}" for k in sorted(value)) + "]"
    if isinstance(value, list):
        return "[" + " ".join(go_map(v) for v in value) + "]"
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _respond(obj: dict, served, code: int, warnings: list[str]) -> ApiResponse:
    return json_response(served_view(obj, served), code, headers=warning_headers(warnings))


def _guard(fn):
    """Turns Refused and engine ApiErrors into their Status answers."""

    def wrapper(ctx, req, served, target, *args, **kwargs):
        try:
            return fn(ctx, req, served, target, *args, **kwargs)
        except Refused as r:
            return r.response
        except ApiError as err:
            return error_status(err, served, target.name or "")

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


# ---------------------------------------------------------------------------------------------- create
@_guard
def create(ctx, req, served, target) -> ApiResponse:
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
    admitted, warnings = _admit(c, obj, validation)
    if not admitted["metadata"].get("name") and not admitted["metadata"].get("generateName"):
        raise Refused(
            status.failure(
                422,
                "Invalid",
                f'{served.kind}.{served.group or "core"} "" is invalid: metadata.name: Required value: name or '
                "generateName is required",
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
    manager = field_manager(req, "kubectl")
    now = stamp(c.clock.now)
    managed_fields.on_update(None, admitted, manager, served.group_version, now)
    if dry:
        res = BY_KIND[admitted["kind"]]
        if res.namespaced:
            c.api.check_namespace(admitted["metadata"]["namespace"])
        if name and _live(c, served, admitted["metadata"].get("namespace"), name) is not None:
            raise ApiError(
                f'Error from server (AlreadyExists): {served.qualified} "{name}" already exists',
                "AlreadyExists",
                409,
            )
        admitted["metadata"]["uid"] = str(
            uuid.uuid4()
        )  # not from the cluster's seeded stream: nothing changes
        admitted["metadata"]["creationTimestamp"] = now
        return _respond(admitted, served, 201, warnings)
    stored = ctx.write(
        command_of(req),
        request_line(req, served, target),
        lambda: c.api.create(admitted, "kubectl", user=True),
    )
    return _respond(stored, served, 201, warnings)


# ---------------------------------------------------------------------------------------------- update
@_guard
def update(ctx, req, served, target) -> ApiResponse:
    """PUT an object: the whole new object; 409 Conflict when its resourceVersion is stale."""
    c = ctx.cluster
    dry = dry_run(req)
    validation = field_validation(req)
    obj = decode_body(req, served)
    live = _live(c, served, target.namespace, target.name)
    if live is None:
        raise _not_found(served, target.name)
    stored, warnings = commit_update(
        ctx, req, served, target, live, obj, validation, dry, field_manager(req, "kubectl"), "Update"
    )
    return _respond(stored, served, 200, warnings)


def check_preconditions(obj: dict, live: dict, served, name: str) -> None:
    """A body's resourceVersion or uid that is not the live one is a 409 Conflict [registry store.go]."""
    meta = obj["metadata"]
    rv = meta.get("resourceVersion")
    if rv not in (None, "") and str(rv) != live["metadata"]["resourceVersion"]:
        raise ApiError(
            f'Operation cannot be fulfilled on {served.qualified} "{name}": the object has been modified; please '
            "apply your changes to the latest version and try again",
            "Conflict",
            409,
        )
    uid = meta.get("uid")
    if uid not in (None, "") and uid != live["metadata"]["uid"]:
        raise ApiError(
            f'Operation cannot be fulfilled on {served.qualified} "{name}": Precondition failed: UID in '
            f"precondition: {uid}, UID in object meta: {live['metadata']['uid']}",
            "Conflict",
            409,
        )


def commit_update(
    ctx,
    req,
    served,
    target,
    live: dict,
    obj: dict,
    validation: str,
    dry: bool,
    manager: str,
    operation: str,
    managed: list | None = None,
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
    admitted, warnings = _admit(c, obj, validation)
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
        m.pop("managedFields", None)
        o["metadata"] = m
        return o

    return strip(a) == strip(b)


# ---------------------------------------------------------------------------------------------- patch
@_guard
def patch(ctx, req, served, target) -> ApiResponse:
    """PATCH an object with one of the four patch types (415 for any other)."""
    from . import patch as patches

    ctype = req.content_type
    if ctype not in PATCH_TYPES:
        return unsupported_media_type(PATCH_TYPES)
    c = ctx.cluster
    dry = dry_run(req)
    validation = field_validation(req)
    live = _live(c, served, target.namespace, target.name)
    if ctype == APPLY:
        return _server_side_apply(ctx, req, served, target, live, validation, dry)
    if live is None:
        raise _not_found(served, target.name)
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
    return _respond(stored, served, 200, warnings)


def patch_error(err: PatchError) -> ApiResponse:
    """The Status of a refused patch; the generic 422 carries an empty `details` as NewGenericServerResponse
    builds it."""
    from .patch import GENERIC_422

    if err.code == 422 and err.message == GENERIC_422:
        body = status.status_object(422, "Invalid", GENERIC_422)
        body = {**{k: v for k, v in body.items() if k != "code"}, "details": {}, "code": 422}
        return json_response(body, 422)
    return status.failure(err.code, err.reason, err.message)


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


def _server_side_apply(ctx, req, served, target, live, validation: str, dry: bool) -> ApiResponse:
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
        config = yaml.safe_load(req.body.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
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
    if live is None:
        merged["metadata"]["name"] = target.name
        check_namespace(merged, served, target)
        admitted, warnings = _admit(c, merged, validation)
        admitted["metadata"]["managedFields"] = managed
        limit_pods(c, [admitted], served, target.name)
        if dry:
            admitted["metadata"]["uid"] = str(uuid.uuid4())
            admitted["metadata"]["creationTimestamp"] = now
            return _respond(admitted, served, 201, warnings)
        stored = ctx.write(
            command_of(req),
            request_line(req, served, target),
            lambda: c.api.create(admitted, "kubectl", user=True),
        )
        return _respond(stored, served, 201, warnings)
    stored, warnings = commit_update(
        ctx, req, served, target, live, merged, validation, dry, manager, "Apply", managed=managed
    )
    return _respond(stored, served, 200, warnings)


# ---------------------------------------------------------------------------------------------- delete
def delete_options(req) -> dict:
    """Returns the DeleteOptions of a request: the JSON body, else the query parameters."""
    opts: dict = {}
    if req.body.strip():
        try:
            body = json.loads(req.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            from .patch import go_json_error

            raise Refused(status.bad_request(go_json_error(req.body, exc))) from None
        if not isinstance(body, dict):
            raise Refused(status.bad_request("json: cannot unmarshal into Go value of type v1.DeleteOptions"))
        opts.update(body)
    for key in ("gracePeriodSeconds", "propagationPolicy", "orphanDependents"):
        if key not in opts and req.param(key) is not None:
            value = req.param(key)
            if key == "gracePeriodSeconds":
                try:
                    value = int(value)
                except ValueError:
                    raise Refused(
                        status.bad_request(f'strconv.ParseInt: parsing "{value}": invalid syntax')
                    ) from None
            if key == "orphanDependents":
                value = value.lower() in ("true", "1")
            opts[key] = value
    if req.query.get("dryRun"):
        opts["dryRun"] = req.query["dryRun"]
    policy = opts.get("propagationPolicy")
    if policy is not None and policy not in ("Foreground", "Background", "Orphan"):
        raise Refused(
            status.failure(
                422,
                "Invalid",
                f'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "{policy}": '
                'supported values: "Foreground", "Background", "Orphan", "nil"',
                {"group": "meta.k8s.io", "kind": "DeleteOptions"},
            )
        )
    for v in opts.get("dryRun") or []:
        if v != "All":
            raise Refused(
                status.failure(
                    422,
                    "Invalid",
                    f'DeleteOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: "{v}": supported values: "All"',
                    {"group": "meta.k8s.io", "kind": "DeleteOptions"},
                )
            )
    grace = opts.get("gracePeriodSeconds")
    if grace is not None and (not isinstance(grace, int) or isinstance(grace, bool)):
        raise Refused(
            status.bad_request(
                "json: cannot unmarshal into Go struct field DeleteOptions.gracePeriodSeconds of type int64"
            )
        )
    return opts


def _policy(opts: dict) -> str:
    if opts.get("propagationPolicy"):
        return opts["propagationPolicy"]
    if opts.get("orphanDependents") is True:
        return "Orphan"
    return "Background"


@_guard
def delete(ctx, req, served, target) -> ApiResponse:
    """DELETE an object. A pod that terminates gracefully (and an owner deleted in the foreground, a namespace
    that starts terminating) is answered with the object as it now is; an object removed at once with a
    `Status` Success naming it [apiserver registry/generic/registry/store.go `Delete`, `finalizeDelete`]."""
    c = ctx.cluster
    opts = delete_options(req)
    live = _live(c, served, target.namespace, target.name)
    if live is None:
        raise _not_found(served, target.name)
    refusal = _undeletable(served, live)
    if refusal is not None:
        return refusal
    pre = opts.get("preconditions") or {}
    if pre:
        check_preconditions({"metadata": pre}, live, served, target.name)
    dry = bool(opts.get("dryRun"))
    if dry:
        after = _dry_delete(c, live, opts)
    else:
        after = ctx.write(
            command_of(req), request_line(req, served, target), lambda: delete_object(c, live, opts)
        )
    if after is not None:
        return json_response(served_view(after, served), 200)
    return deleted_status(live, served)


def _undeletable(served, live: dict) -> ApiResponse | None:
    name = live["metadata"]["name"]
    if served.kind == "Node":
        return status.failure(
            403,
            "Forbidden",
            f'nodes "{name}" is forbidden: nodes are managed by the simulator (use `sim fail-node` to break a node)',
            {"name": name, "kind": "nodes"},
        )
    if served.kind == "Namespace" and name in ("default", "kube-system", "kube-public", "kube-node-lease"):
        # NamespaceLifecycle admission [kubernetes plugin/pkg/admission/namespace/lifecycle].
        return status.failure(
            403,
            "Forbidden",
            f'namespaces "{name}" is forbidden: this namespace may not be deleted',
            {"name": name, "kind": "namespaces"},
        )
    return None


def deleted_status(live: dict, served) -> ApiResponse:
    """The Status Success of an object removed at once (`details.kind` is the resource, as the registry sets it)."""
    details = {"name": live["metadata"]["name"]}
    if served.group:
        details["group"] = served.group
    details["kind"] = served.plural
    details["uid"] = live["metadata"]["uid"]
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details}
    return json_response(body, 200)


def _dry_delete(c, live: dict, opts: dict) -> dict | None:
    grace = opts.get("gracePeriodSeconds")
    if live["kind"] == "Pod" and live["spec"].get("nodeName") and grace != 0:
        view = clone(live)
        period = (
            live["spec"].get("terminationGracePeriodSeconds", 30) if grace is None or grace < 0 else grace
        )
        view["metadata"].setdefault("deletionTimestamp", stamp(c.clock.now + period))
        view["metadata"].setdefault("deletionGracePeriodSeconds", period)
        return view
    return None


def delete_object(c, live: dict, opts: dict) -> dict | None:
    """Deletes `live` with DeleteOptions `opts` through the engine; returns the object when it still exists
    (terminating), None when it is gone. Orphan strips the dependents' ownerReferences first (what the
    garbage collector's orphan finalizer does); Foreground leaves the owner until its dependents are gone."""
    policy = _policy(opts)
    grace = opts.get("gracePeriodSeconds")
    uid = live["metadata"]["uid"]
    if policy == "Orphan":
        for child in c.store.owned(uid):
            upd = clone(child)
            refs = [o for o in upd["metadata"].get("ownerReferences", []) if o.get("uid") != uid]
            if refs:
                upd["metadata"]["ownerReferences"] = refs
            else:
                upd["metadata"].pop("ownerReferences", None)
            c.api.update(upd, "kubectl")
    if policy == "Foreground" and live["kind"] not in ("Pod", "Namespace") and c.store.owned(uid):
        c.emit_request("delete", live)
        c.gc.delete_foreground(live)
    elif live["kind"] == "Pod" and grace == 0:
        c.api.delete(live, "kubectl", user=True, force=True)
    else:
        c.api.delete(live, "kubectl", user=True, grace=grace)
    if live["kind"] == "HorizontalPodAutoscaler":
        c.hpa_history.pop(
            etcd_key(BY_KIND[live["kind"]], live["metadata"]["namespace"], live["metadata"]["name"]), None
        )
    res = BY_KIND[live["kind"]]
    return c.store.get(etcd_key(res, live["metadata"].get("namespace"), live["metadata"]["name"]))


@_guard
def deletecollection(ctx, req, served, target) -> ApiResponse:
    """DELETE a collection: every object matching `labelSelector`/`fieldSelector` is deleted; the answer is the
    `<Kind>List` of what was deleted [registry store.go `DeleteCollection`]."""
    c = ctx.cluster
    opts = delete_options(req)
    match = _matcher(req, served)
    objs = [
        o
        for o in c.store.list(served.engine_kind, target.namespace if served.namespaced else None)
        if match(o)
    ]
    objs = [o for o in objs if _undeletable(served, o) is None]
    if served.kind == "Service":
        objs = [o for o in objs if o["metadata"]["name"] != "kubernetes"]
    items = []
    if opts.get("dryRun"):
        items = [served_view(o, served) for o in objs]
    else:

        def run():
            for o in objs:
                after = delete_object(c, o, opts)
                items.append(served_view(after or o, served))

        ctx.write(command_of(req), request_line(req, served, target), run)
    body = {
        "kind": f"{served.kind}List",
        "apiVersion": served.group_version,
        "metadata": {"resourceVersion": str(c.store.revision)},
        "items": items,
    }
    return json_response(body, 200)


def _matcher(req, served):
    """labelSelector + fieldSelector (reads' selectors.matcher when present; else labels and metadata.name)."""
    try:
        from . import selectors

        return selectors.matcher(req, served)
    except ImportError:
        from visualizer.engine.objects import matches, parse_selector

        reqs = parse_selector(req.param("labelSelector") or "")
        field = req.param("fieldSelector") or ""
        name = field.removeprefix("metadata.name=") if field.startswith("metadata.name=") else None
        return lambda o: (
            matches(reqs, o["metadata"].get("labels")) and (name is None or o["metadata"]["name"] == name)
        )
