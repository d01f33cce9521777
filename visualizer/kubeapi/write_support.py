"""What the write verbs share: their query options, request bodies, admission through the engine and answers.

kube-apiserver's handlers (apiserver pkg/endpoints/handlers/{create,update,patch,delete}.go, rest.go) parse the
same options for every write: `dryRun=All` (nothing persisted), `fieldManager` (the managedFields entry; else the
User-Agent's program name), `fieldValidation=Strict|Warn|Ignore` (unset: Warn). Bodies are JSON or YAML, or
protobuf through protobuf.py. A refused request raises `Refused(response)` or the engine's `ApiError`; `guard`
turns both into the Status the handler returns.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import yaml

from visualizer.engine.apiserver import ApiError
from visualizer.engine.body_limits import (
    DECODER_HOOKS,
    DecodeLimitError,
    check_json_depth,
    load_yaml,
    loads_json,
)
from visualizer.engine.objects import BY_KIND, clone, etcd_key

from . import status
from .http import ApiRequest, ApiResponse, json_response
from .patch import PatchError
from .patch_schema import root

if TYPE_CHECKING:
    from .catalog import Served
    from .router import Target

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
def dry_run(req: ApiRequest) -> bool:
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


def field_validation(req: ApiRequest) -> str:
    """Returns Strict, Warn or Ignore (unset: Warn, the server default [handlers/rest.go `fieldValidation`])."""
    value = req.param("fieldValidation") or "Warn"
    if value not in ("Strict", "Warn", "Ignore"):
        raise Refused(
            status.bad_request(
                f'fieldValidation: Unsupported value: "{value}": supported values: "Ignore", "Strict", "Warn"'
            )
        )
    return value


def field_manager(req: ApiRequest, default: str = "") -> str:
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


def command_of(req: ApiRequest) -> str:
    """Returns kubectl's `Kubectl-Command` header (`kubectl scale`), "" from other clients."""
    return req.headers.get("kubectl-command", "")


def request_line(req: ApiRequest, served: Served, target: Target) -> str:
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


def decode_body(req: ApiRequest, served: Served) -> dict:
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
            obj = loads_json(req.body or b"null")
        except DecodeLimitError as exc:
            raise Refused(status.bad_request(f"couldn't get version/kind; json parse error: {exc}")) from None
        except (UnicodeDecodeError, ValueError) as exc:
            from .patch import go_json_error

            raise Refused(
                status.bad_request(
                    f"couldn't get version/kind; json parse error: {go_json_error(req.body, exc)}"
                )
            ) from None
    elif ctype in YAML_TYPES:
        try:
            obj = load_yaml(req.body)
        except (UnicodeDecodeError, DecodeLimitError, yaml.YAMLError) as exc:
            raise Refused(status.bad_request(f"couldn't get version/kind; yaml parse error: {exc}")) from None
    else:
        raise Refused(unsupported_media_type(body_types()))
    if not isinstance(obj, dict):
        raise Refused(
            status.bad_request("couldn't get version/kind; json parse error: the body is not a JSON object")
        )
    return with_type(obj, served)


def with_type(obj: dict, served: Served) -> dict:
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


def check_namespace(obj: dict, served: Served, target: Target) -> None:
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


def served_view(obj: dict, served: Served) -> dict:
    """Returns a stored object as the served version shows it (HPAs are stored as autoscaling/v2)."""
    if obj.get("apiVersion") == served.group_version:
        return obj
    from visualizer.engine.kubectl.apply_command import as_version

    return as_version(obj, served.group_version)


def live_object(c, served: Served, namespace: str | None, name: str) -> dict | None:
    res = BY_KIND[served.engine_kind]
    return c.store.get(etcd_key(res, namespace if res.namespaced else None, name))


def not_found(served: Served, name: str) -> Refused:
    return Refused(status.not_found(served.qualified, name, served.plural, served.group))


def limit_pods(c, objs: list[dict], served: Served, name: str) -> None:
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


class _Pairs(list):
    """A JSON object's (key, value) pairs in document order (json's object_pairs_hook)."""


def duplicate_fields(body: bytes) -> list[str]:
    """Returns the paths of the keys a JSON body repeats (`metadata.name`, `spec.containers[0].image`), in
    document order; strict decoding reports each as `duplicate field "<path>"` (kubectl never sends them: it
    converts YAML client-side, the last value winning). Not JSON: an empty list."""
    try:
        text = body.decode("utf-8")
        check_json_depth(text)
        tree = json.loads(text, object_pairs_hook=_Pairs, **DECODER_HOOKS)
    except (UnicodeDecodeError, ValueError):
        return []
    out: list[str] = []

    def walk(node, path: str) -> None:
        if isinstance(node, _Pairs):
            seen = set()
            for key, value in node:
                full = f"{path}.{key}" if path else key
                if key in seen and full not in out:
                    out.append(full)
                seen.add(key)
                walk(value, full)
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{path}[{i}]")

    walk(tree, "")
    return out


def admit(
    c, obj: dict, validation: str, live: dict | None = None, duplicates: list[str] | tuple = ()
) -> tuple[dict, list[str]]:
    """Runs the engine's admit (decode, strict fields, defaults, validation); returns (object, warnings).

    Nodes and Endpoints (`live`: the stored object) are written by the engine's own components: a client may
    change their labels and annotations, and a node's `spec.unschedulable` and `spec.taints` (cordon, taint);
    the rest stays as the kubelet and the endpoints controller keep it."""
    if duplicates and validation == "Strict":
        from visualizer.engine.validation import unknown_fields

        problems = [f'duplicate field "{d}"' for d in duplicates]
        problems += [f'unknown field "{u}"' for u in unknown_fields(obj)]
        version = str(obj.get("apiVersion", "")).split("/")[-1]
        raise ApiError(
            f'Error from server (BadRequest): {obj.get("kind")} in version "{version}" cannot be handled as a '
            f"{obj.get('kind')}: strict decoding error: " + ", ".join(problems)
        )
    repeated = [f'duplicate field "{d}"' for d in duplicates] if validation == "Warn" else []
    if obj.get("kind") in ENGINE_OWNED:
        body, warnings = _decode_engine_owned(obj, validation)
        body = _engine_owned_update(body, live) if live is not None else body
        return body, repeated + warnings
    admitted = c.api.admit(obj, source="", field_validation=validation)
    return admitted, repeated + list(c.api.warnings)


def _engine_owned_update(body: dict, live: dict) -> dict:
    """The stored object with what a client may change taken from `body`; raises the 422 of what is invalid
    [kubernetes pkg/apis/core/validation `ValidateNodeUpdate`, `validateNodeTaints`]."""
    from visualizer.engine.apiserver import invalid
    from visualizer.engine.kubectl.taint import EFFECTS

    kind, name = live["kind"], live["metadata"]["name"]
    causes = []
    out = clone(live)
    meta = body.get("metadata") or {}
    for field in ("labels", "annotations"):
        value = meta.get(field)
        if value is not None and (
            not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values())
        ):
            causes.append(
                f"metadata.{field}: Invalid value: {json.dumps(value)}: must be a map of string to string"
            )
        elif value:
            out["metadata"][field] = value
        else:
            out["metadata"].pop(field, None)
    if kind == "Node":
        spec = body.get("spec") if isinstance(body.get("spec"), dict) else {}
        unschedulable = spec.get("unschedulable")
        if unschedulable not in (None, True, False):
            causes.append(
                f"spec.unschedulable: Invalid value: {json.dumps(unschedulable)}: must be a boolean"
            )
        elif unschedulable:
            out["spec"]["unschedulable"] = True
        else:
            out["spec"].pop("unschedulable", None)
        taints = spec.get("taints") or []
        if not isinstance(taints, list):
            causes.append("spec.taints: Invalid value: must be a list")
            taints = []
        for i, t in enumerate(taints):
            if not isinstance(t, dict) or not isinstance(t.get("key"), str) or not t.get("key"):
                causes.append(f"spec.taints[{i}].key: Required value")
            elif t.get("effect") not in EFFECTS:
                causes.append(
                    f"spec.taints[{i}].effect: Unsupported value: {json.dumps(t.get('effect'))}: supported values: "
                    + ", ".join(f'"{e}"' for e in EFFECTS)
                )
            elif not isinstance(t.get("value", ""), str):
                causes.append(f"spec.taints[{i}].value: Invalid value: must be a string")
        if taints:
            out["spec"]["taints"] = taints
        else:
            out["spec"].pop("taints", None)
    if causes:
        from visualizer.engine.objects import BY_KIND as kinds

        raise invalid(kinds[kind], name, causes)
    return out


def _decode_engine_owned(obj: dict, validation: str) -> tuple[dict, list[str]]:
    """Strict decoding of a Node or Endpoints body against the OpenAPI schema (the engine's decoder does not
    describe these kinds: it never admits them from users); returns (body without unknown fields, warnings)."""
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


def error_status(err: ApiError, served: Served, name: str) -> ApiResponse:
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


def respond(obj: dict, served: Served, code: int, warnings: list[str]) -> ApiResponse:
    return json_response(served_view(obj, served), code, headers=warning_headers(warnings))


def guard(fn):
    """Turns Refused and engine ApiErrors into their Status answers. Resources served from what the engine
    keeps elsewhere (events, leases: no engine kind) are written only by the simulator's own components: a
    client's write is a 403."""

    def wrapper(ctx, req, served, target, *args, **kwargs):
        if served.engine_kind is None:
            return status.failure(
                403,
                "Forbidden",
                f"{served.qualified} is forbidden: {served.plural} are written by the simulator's own components "
                "(the kubelets and controllers), not through the API",
                {"group": served.group, "kind": served.plural} if served.group else {"kind": served.plural},
            )
        try:
            return fn(ctx, req, served, target, *args, **kwargs)
        except Refused as r:
            return r.response
        except ApiError as err:
            return error_status(err, served, target.name or "")

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


def check_preconditions(obj: dict, live: dict, served: Served, name: str) -> None:
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


def patch_error(err: PatchError) -> ApiResponse:
    """The Status of a refused patch; the generic 422 carries an empty `details` as NewGenericServerResponse
    builds it."""
    from .patch import GENERIC_422

    if err.code == 422 and err.message == GENERIC_422:
        body = status.status_object(422, "Invalid", GENERIC_422)
        body = {**{k: v for k, v in body.items() if k != "code"}, "details": {}, "code": 422}
        return json_response(body, 422)
    return status.failure(err.code, err.reason, err.message)
