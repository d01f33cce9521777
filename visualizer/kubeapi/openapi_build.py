"""Builds the OpenAPI v3 group-version documents (`/openapi/v3/apis/apps/v1`, …) the real kubectl reads.

Source of the schemas: the maintained PyPI package `kubernetes-validate` (pinned in pyproject.toml), whose
`kubernetes-json-schema/v1.37.0-local/_definitions.json` holds every Kubernetes 1.37 definition as JSON Schema
(`$defs` keyed by the OpenAPI definition names, descriptions and the `x-kubernetes-*` extensions kept). The
conversion back to the form kube-apiserver publishes (kubernetes api/openapi-spec/v3/apis__apps__v1_openapi.json;
reference §A2.4):

- `$defs` → `components.schemas`, `#/$defs/X` → `#/components/schemas/X`; a `$ref` with sibling keywords
  (a field's `description`) becomes `allOf: [{$ref}]` beside them, as OpenAPI 3.0 requires and the real
  documents write;
- nullable type arrays (`["string", "null"]`) collapse to the type;
- the `enum: ["apps/v1"]` / `enum: ["Deployment"]` kubernetes-validate adds to `apiVersion` and `kind` go;
- `IntOrString` and `Quantity` get back their v3 form (kube-openapi `OpenAPIV3OneOfTypes`: `oneOf` integer/string
  with `format: int-or-string`; `oneOf` string/number) and their descriptions (apimachinery
  pkg/util/intstr/intstr.go, pkg/api/resource/quantity.go);
- the `required: ["spec"]` kubernetes-validate adds to the workload kinds goes (the real schemas of Deployment,
  DaemonSet, ReplicaSet, StatefulSet, HorizontalPodAutoscaler and CronJob have no `required`).

Paths: one collection path and one object path per served resource with the operations its verbs allow, each
carrying `x-kubernetes-group-version-kind` and `x-kubernetes-action` (kube-openapi builder3). Every PATCH
lists a `fieldValidation` query parameter and the four patch media types, so kubectl's `--validate=strict`
leaves validation to the server (cli-runtime pkg/resource/query_param_verifier_v3.go `supportsQueryParamV3`)
and `kubectl explain` finds the kind (kubectl pkg/explain/v2/templates/plaintext.tmpl looks for the GVK on the
operations of `/apis/<g>/<v>/[namespaces/{namespace}/]<resource>[/{name}]`). `components.schemas` holds only
what those operations reference, transitively.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from . import catalog

SCHEMA_DIR = "kubernetes-json-schema/v1.37.0-local"
REF_PREFIX = "#/components/schemas/"
INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
META = "io.k8s.apimachinery.pkg.apis.meta.v1."
PATCH_TYPES = (
    "application/apply-patch+yaml",
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
)
RESPONSE_TYPES = ("application/json", "application/yaml", "application/vnd.kubernetes.protobuf")

# The kinds kubernetes-validate gives a `required: ["spec"]` the real 1.37 schemas do not have.
_ADDED_REQUIRED_SPEC = {
    "io.k8s.api.apps.v1.DaemonSet",
    "io.k8s.api.apps.v1.Deployment",
    "io.k8s.api.apps.v1.ReplicaSet",
    "io.k8s.api.apps.v1.StatefulSet",
    "io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler",
    "io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler",
    "io.k8s.api.batch.v1.CronJob",
}

_INT_OR_STRING_DESCRIPTION = (
    "IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and "
    "unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON "
    "field that can accept a name or number."
)
_QUANTITY_DESCRIPTION = (
    "Quantity is a fixed-point representation of a number. It provides convenient marshaling/unmarshaling in "
    "JSON and YAML, in addition to String() and AsInt64() accessors.\n\nThe serialization format is:\n\n"
    "``` <quantity>        ::= <signedNumber><suffix>\n\n"
    '\t(Note that <suffix> may be empty, from the "" case in <decimalSI>.)\n\n'
    "<digit>           ::= 0 | 1 | ... | 9 <digits>          ::= <digit> | <digit><digits> <number>          "
    '::= <digits> | <digits>.<digits> | <digits>. | .<digits> <sign>            ::= "+" | "-" '
    "<signedNumber>    ::= <number> | <sign><number> <suffix>          ::= <binarySI> | <decimalExponent> | "
    "<decimalSI> <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei\n\n"
    "\t(International System of units; See: http://physics.nist.gov/cuu/Units/binary.html)\n\n"
    '<decimalSI>       ::= m | "" | k | M | G | T | P | E\n\n'
    "\t(Note that 1024 = 1Ki but 1000 = 1k; I didn't choose the capitalization.)\n\n"
    '<decimalExponent> ::= "e" <signedNumber> | "E" <signedNumber> ```\n\n'
    "No matter which of the three exponent forms is used, no quantity may represent a number greater than "
    "2^63-1 in magnitude, nor may it have more than 3 decimal places. Numbers larger or more precise will be "
    "capped or rounded up. (E.g.: 0.1m will rounded up to 1m.) This may be extended in the future if we "
    "require larger or smaller quantities.\n\nWhen a Quantity is parsed from a string, it will remember the "
    "type of suffix it had, and will use the same type again when it is serialized.\n\nBefore serializing, "
    'Quantity will be put in "canonical form". This means that Exponent/suffix will be adjusted up or down '
    "(with a corresponding increase or decrease in Mantissa) such that:\n\n- No precision is lost - No "
    "fractional digits will be emitted - The exponent (or suffix) is as large as possible.\n\nThe sign will "
    'be omitted unless the number is negative.\n\nExamples:\n\n- 1.5 will be serialized as "1500m" - 1.5Gi '
    'will be serialized as "1536Mi"\n\nNote that the quantity will NEVER be internally represented by a '
    "floating point number. That is the whole point of this exercise.\n\nNon-canonical values will still "
    "parse as long as they are well formed, but will be re-emitted in their canonical form. (So always use "
    "canonical form, or don't diff.)\n\nThis format is intended to make it difficult to use these numbers "
    "without writing some sort of special handling code in the hopes that that will cause implementors to "
    "also use a fixed point implementation."
)


def definitions_path() -> Path:
    """Returns the path of kubernetes-validate's 1.37 `_definitions.json`, found without importing the package
    (its `__init__` loads jsonschema, which the server does not need). Raises FileNotFoundError when the
    package is not installed."""
    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the kubernetes-validate package is not installed (see pyproject.toml)")
    return Path(next(iter(spec.submodule_search_locations)), SCHEMA_DIR, "_definitions.json")


def _raw_definitions_text() -> str:
    return definitions_path().read_text()


def load_definitions() -> dict[str, dict]:
    """Returns kubernetes-validate's 1.37 definitions converted to OpenAPI v3 component schemas, by name.

    Raises FileNotFoundError if the package (or its 1.37 directory) is missing."""
    raw = json.loads(_raw_definitions_text())["$defs"]
    out = {name: convert_schema(schema) for name, schema in raw.items()}
    out[INT_OR_STRING] = {
        "description": _INT_OR_STRING_DESCRIPTION,
        "format": "int-or-string",
        "oneOf": [{"type": "integer"}, {"type": "string"}],
    }
    out[QUANTITY] = {"description": _QUANTITY_DESCRIPTION, "oneOf": [{"type": "string"}, {"type": "number"}]}
    for name in _ADDED_REQUIRED_SPEC:
        if out.get(name, {}).get("required") == ["spec"]:
            del out[name]["required"]
    return out


def convert_schema(node):
    """Returns one JSON Schema node of kubernetes-validate in OpenAPI v3 form (see the module docstring)."""
    if isinstance(node, list):
        return [convert_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out: dict = {}
    for key, value in node.items():
        if key == "$ref":
            out[key] = REF_PREFIX + value.rsplit("/", 1)[-1]
        elif key == "type" and isinstance(value, list):
            types = [t for t in value if t != "null"]
            out[key] = types[0] if len(types) == 1 else types
        elif key == "properties" and isinstance(value, dict):
            props = {}
            for name, prop in value.items():
                prop = convert_schema(prop)
                if name in ("apiVersion", "kind") and isinstance(prop, dict):
                    prop.pop("enum", None)
                props[name] = prop
            out[key] = props
        elif key in ("items", "additionalProperties", "allOf", "oneOf", "anyOf", "not"):
            out[key] = convert_schema(value)
        else:
            out[key] = value
    if "$ref" in out and len(out) > 1:
        ref = out.pop("$ref")
        out = {"allOf": [{"$ref": ref}], **out}
    return out


def refs_of(node) -> set[str]:
    """Returns the component names a schema node references (`#/components/schemas/<name>`)."""
    found: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, dict):
            ref = n.get("$ref")
            if isinstance(ref, str) and ref.startswith(REF_PREFIX):
                found.add(ref[len(REF_PREFIX) :])
            stack.extend(n.values())
        elif isinstance(n, list):
            stack.extend(n)
    return found


def closure(defs: dict[str, dict], roots) -> dict[str, dict]:
    """Returns the schemas named in `roots` and every schema they reference, transitively (sorted by name)."""
    seen: set[str] = set()
    todo = [r for r in roots if r in defs]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(r for r in refs_of(defs[name]) if r in defs and r not in seen)
    return {name: defs[name] for name in sorted(seen)}


def gvk_index(defs: dict[str, dict]) -> dict[tuple[str, str, str], str]:
    """Maps (group, version, kind) to the definition name that declares it in `x-kubernetes-group-version-kind`
    (the first, when shared types such as DeleteOptions declare many)."""
    index: dict[tuple[str, str, str], str] = {}
    for name, schema in defs.items():
        for gvk in schema.get("x-kubernetes-group-version-kind", []):
            index.setdefault((gvk["group"], gvk["version"], gvk["kind"]), name)
    return index


def group_version_key(group: str, version: str) -> str:
    """`api/v1` or `apis/<group>/<version>`: the key of a document in the `/openapi/v3` index."""
    return f"apis/{group}/{version}" if group else f"api/{version}"


def _op_prefix(group: str, version: str) -> str:
    """`CoreV1`, `AppsV1`, `NetworkingV1` (`networking.k8s.io`): the middle of kube-apiserver's operationIds."""
    if not group:
        return "Core" + version.capitalize()
    base = group.removesuffix(".k8s.io")
    return "".join(part.capitalize() for part in base.split(".")) + version.capitalize()


def _tag(group: str, version: str) -> str:
    if not group:
        return f"core_{version}"
    return f"{group.removesuffix('.k8s.io').replace('.', '_')}_{version}"


def _query(name: str, description: str, schema_type: str = "string") -> dict:
    return {"name": name, "in": "query", "description": description, "schema": {"type": schema_type}}


_DRY_RUN = _query(
    "dryRun",
    "When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun "
    "directive will result in an error response and no further processing of the request. Valid values are: "
    "- All: all dry run stages will be processed",
)
_FIELD_MANAGER = _query(
    "fieldManager",
    "fieldManager is a name associated with the actor or entity that is making these changes. The value must "
    "be less than or 128 characters long, and only contain printable characters, as defined by "
    "https://golang.org/pkg/unicode/#IsPrint.",
)
_FIELD_VALIDATION = _query(
    "fieldValidation",
    "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing "
    "unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are "
    "silently dropped from the object, and will ignore all but the last duplicate field that the decoder "
    "encounters. This is the default behavior prior to v1.23. - Warn: This will send a warning via the "
    "standard warning response header for each unknown field that is dropped from the object, and for each "
    "duplicate field that is encountered. The request will still succeed if there are no other errors, and "
    "will only persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will "
    "fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if "
    "any duplicate fields are present. The error returned from the server will contain all unknown and "
    "duplicate fields encountered.",
)
_FORCE = _query(
    "force",
    'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by '
    "other people. Force flag must be unset for non-apply patch requests.",
    "boolean",
)
_LIST_PARAMS = [
    _query("labelSelector", "A selector to restrict the list of returned objects by their labels."),
    _query("fieldSelector", "A selector to restrict the list of returned objects by their fields."),
    _query("limit", "limit is a maximum number of responses to return for a list call.", "integer"),
    _query("continue", "The continue option should be set when retrieving more results from the server."),
    _query(
        "resourceVersion",
        "resourceVersion sets a constraint on what resource versions a request may be served from.",
    ),
    _query("watch", "Watch for changes to the described resources and return them as a stream.", "boolean"),
]


def _path_param(name: str, description: str) -> dict:
    return {
        "name": name,
        "in": "path",
        "description": description,
        "required": True,
        "schema": {"type": "string"},
    }


def _content(ref: str, types=RESPONSE_TYPES) -> dict:
    return {t: {"schema": {"$ref": REF_PREFIX + ref}} for t in types}


def _operation(
    action: str, op_id: str, description: str, tag: str, gvk: dict, ref: str, params=(), body=None
):
    op: dict = {"tags": [tag], "description": description, "operationId": op_id}
    if params:
        op["parameters"] = list(params)
    if body is not None:
        op["requestBody"] = body
    codes = {"post": ("200", "201", "202"), "put": ("200", "201"), "delete": ("200", "202")}.get(
        action, ("200",)
    )
    op["responses"] = {
        code: {
            "description": {"200": "OK", "201": "Created", "202": "Accepted"}[code],
            "content": _content(ref),
        }
        for code in codes
    }
    op["responses"]["401"] = {"description": "Unauthorized"}
    op["x-kubernetes-action"] = action
    op["x-kubernetes-group-version-kind"] = dict(gvk)
    return op


def resource_paths(s: catalog.Served, kind_ref: str, list_ref: str | None) -> dict[str, dict]:
    """Returns the `paths` entries of one served resource: its collection path (list, create, deletecollection)
    and object path (read, replace, patch, delete) in its namespace or at cluster scope, plus the
    all-namespaces list path of a namespaced resource."""
    root = f"/apis/{s.group}/{s.version}" if s.group else f"/api/{s.version}"
    scope = "Namespaced" if s.namespaced else ""
    op, tag = _op_prefix(s.group, s.version), _tag(s.group, s.version)
    gvk = {"group": s.group, "kind": s.kind, "version": s.version}
    base = f"{root}/namespaces/{{namespace}}/{s.plural}" if s.namespaced else f"{root}/{s.plural}"
    verbs = set(s.verbs)
    common = [
        _path_param("namespace", "object name and auth scope, such as for teams and projects")
    ] * s.namespaced
    collection: dict = {}
    if "list" in verbs and list_ref:
        collection["get"] = _operation(
            "list",
            f"list{op}{scope}{s.kind}",
            f"list or watch objects of kind {s.kind}",
            tag,
            gvk,
            list_ref,
            _LIST_PARAMS,
        )
    if "create" in verbs:
        body = {"content": {"*/*": {"schema": {"$ref": REF_PREFIX + kind_ref}}}, "required": True}
        collection["post"] = _operation(
            "post",
            f"create{op}{scope}{s.kind}",
            f"create a {s.kind}",
            tag,
            gvk,
            kind_ref,
            [_DRY_RUN, _FIELD_MANAGER, _FIELD_VALIDATION],
            body,
        )
    if "deletecollection" in verbs:
        collection["delete"] = _operation(
            "deletecollection",
            f"delete{op}Collection{scope}{s.kind}",
            f"delete collection of {s.kind}",
            tag,
            gvk,
            META + "Status",
            [_DRY_RUN, *_LIST_PARAMS[:2]],
        )
    obj: dict = {}
    if "get" in verbs:
        obj["get"] = _operation(
            "get", f"read{op}{scope}{s.kind}", f"read the specified {s.kind}", tag, gvk, kind_ref
        )
    if "update" in verbs:
        body = {"content": {"*/*": {"schema": {"$ref": REF_PREFIX + kind_ref}}}, "required": True}
        obj["put"] = _operation(
            "put",
            f"replace{op}{scope}{s.kind}",
            f"replace the specified {s.kind}",
            tag,
            gvk,
            kind_ref,
            [_DRY_RUN, _FIELD_MANAGER, _FIELD_VALIDATION],
            body,
        )
    if "patch" in verbs:
        body = {
            "content": {t: {"schema": {"$ref": REF_PREFIX + META + "Patch"}} for t in PATCH_TYPES},
            "required": True,
        }
        obj["patch"] = _operation(
            "patch",
            f"patch{op}{scope}{s.kind}",
            f"partially update the specified {s.kind}",
            tag,
            gvk,
            kind_ref,
            [_DRY_RUN, _FIELD_MANAGER, _FIELD_VALIDATION, _FORCE],
            body,
        )
    if "delete" in verbs:
        body = {"content": {"*/*": {"schema": {"$ref": REF_PREFIX + META + "DeleteOptions"}}}}
        obj["delete"] = _operation(
            "delete",
            f"delete{op}{scope}{s.kind}",
            f"delete a {s.kind}",
            tag,
            gvk,
            META + "Status",
            [
                _DRY_RUN,
                _query(
                    "gracePeriodSeconds",
                    "The duration in seconds before the object should be deleted.",
                    "integer",
                ),
                _query("propagationPolicy", "Whether and how garbage collection will be performed."),
            ],
            body,
        )
    paths: dict[str, dict] = {}
    if collection:
        paths[base] = {**collection, "parameters": list(common)} if common else collection
    if obj:
        name = _path_param("name", f"name of the {s.kind}")
        paths[f"{base}/{{name}}"] = {**obj, "parameters": [name, *common]}
    if s.namespaced and "list" in verbs and list_ref:
        paths[f"{root}/{s.plural}"] = {
            "get": _operation(
                "list",
                f"list{op}{s.kind}ForAllNamespaces",
                f"list or watch objects of kind {s.kind}",
                tag,
                gvk,
                list_ref,
                _LIST_PARAMS,
            )
        }
    return paths


def build_document(defs: dict[str, dict], group: str, version: str) -> dict | None:
    """Returns the OpenAPI v3 document of one served group-version, or None when none of its resources has a
    schema (metrics.k8s.io, which metrics-server documents itself)."""
    index = gvk_index(defs)
    paths: dict[str, dict] = {}
    roots = {META + "Status", META + "Patch", META + "DeleteOptions"}
    for s in catalog.resources_of(group, version):
        kind_ref = index.get((group, version, s.kind))
        if kind_ref is None:
            continue
        list_ref = index.get((group, version, s.kind + "List"))
        paths.update(resource_paths(s, kind_ref, list_ref))
        roots |= {kind_ref} | ({list_ref} if list_ref else set())
    if not paths:
        return None
    from visualizer.engine.cluster import K8S_VERSION

    return {
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": K8S_VERSION},
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": closure(defs, roots),
            "securitySchemes": {
                "BearerToken": {
                    "type": "apiKey",
                    "description": "Bearer Token authentication",
                    "name": "authorization",
                    "in": "header",
                }
            },
        },
        "security": [{"BearerToken": []}],
    }


def build_all() -> dict[str, dict]:
    """Returns every served group-version's document keyed `api/v1`, `apis/apps/v1`, … (see build_document).
    The converted definitions are dropped afterwards; only the documents stay."""
    defs = load_definitions()
    docs: dict[str, dict] = {}
    for group, versions in catalog.GROUPS:
        for version in versions:
            doc = build_document(defs, group, version)
            if doc is not None:
                docs[group_version_key(group, version)] = doc
    return docs
