"""Who am I and what may I do: `SelfSubjectAccessReview`, `SelfSubjectRulesReview`, `SelfSubjectReview`.

`kubectl auth can-i VERB RESOURCE` creates a SelfSubjectAccessReview (authorization.k8s.io/v1) and prints `yes`
or `no` (exit 1) from `status.allowed`; `kubectl auth can-i --list` creates a SelfSubjectRulesReview for the
namespace and prints its rules as a table; `kubectl auth whoami` creates a SelfSubjectReview
(authentication.k8s.io/v1) and prints `status.userInfo` [S kubectl pkg/cmd/auth/cani.go, whoami.go]. All three
are create-only and never stored; the answer is the request object with `status` filled in (201 Created).

The answers follow the request's role, as RBAC would for two bindings:
- `control`: the `cluster-admin` ClusterRole (every verb on every resource and non-resource URL);
- `view`: `get`, `list`, `watch` on every resource (`pods/log` included; `pods/exec`, which needs `create`, not).
Every authenticated user also holds `system:basic-user` (create the three reviews) and `system:discovery` /
`system:public-info-viewer` (GET discovery and health URLs) [S kubernetes plugin/pkg/auth/authorizer/rbac/
bootstrappolicy/policy.go]. Non-resource URLs are matched as RBAC does: exact, or a `*`-suffixed prefix
[S rbac/v1 helpers `NonResourceURLMatches`].
"""

from __future__ import annotations

from .catalog import Served
from .http import ApiRequest, ApiResponse, json_response
from .status import status_object
from .write_support import Refused, decode_body

READ = ["get", "list", "watch"]
GROUPS = ["system:authenticated"]

# system:basic-user
BASIC_RULES = [
    {"verbs": ["create"], "apiGroups": ["authentication.k8s.io"], "resources": ["selfsubjectreviews"]},
    {
        "verbs": ["create"],
        "apiGroups": ["authorization.k8s.io"],
        "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
    },
]
# system:discovery and system:public-info-viewer
DISCOVERY_URLS = [
    "/api",
    "/api/*",
    "/apis",
    "/apis/*",
    "/healthz",
    "/livez",
    "/openapi",
    "/openapi/*",
    "/readyz",
    "/version",
    "/version/",
]


def resource_rules(role: str) -> list[dict]:
    """Returns the role's ResourceRules (`{"verbs", "apiGroups", "resources"}` each), basic-user's included."""
    if role == "control":
        own = [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}]
    else:
        own = [{"verbs": list(READ), "apiGroups": ["*"], "resources": ["*"]}]
    return own + [dict(r) for r in BASIC_RULES]


def non_resource_rules(role: str) -> list[dict]:
    """Returns the role's NonResourceRules (`{"verbs", "nonResourceURLs"}` each)."""
    rules = [{"verbs": ["get"], "nonResourceURLs": list(DISCOVERY_URLS)}]
    if role == "control":
        rules.insert(0, {"verbs": ["*"], "nonResourceURLs": ["*"]})
    return rules


def _matches(values: list[str], wanted: str) -> bool:
    return "*" in values or wanted in values


def allowed_resource(role: str, verb: str, group: str, resource: str, subresource: str = "") -> bool:
    """True when the role may `verb` the resource (`pods`, subresource `log` → `pods/log`) in `group`."""
    full = f"{resource}/{subresource}" if subresource else resource
    for rule in resource_rules(role):
        if not (_matches(rule["verbs"], verb) and _matches(rule["apiGroups"], group)):
            continue
        if "*" in rule["resources"] or full in rule["resources"]:
            return True
    return False


def allowed_url(role: str, verb: str, path: str) -> bool:
    """True when the role may `verb` (`get`, `post`, …) the non-resource URL `path`."""
    for rule in non_resource_rules(role):
        if not _matches(rule["verbs"], verb):
            continue
        for url in rule["nonResourceURLs"]:
            if url == path or url == "*" or (url.endswith("*") and path.startswith(url[:-1])):
                return True
    return False


def _reason(role: str, user: str) -> str:
    """The reason RBAC gives for an allowed request (rbac.go `RBACAuthorizer.Authorize` → `allowedBy`)."""
    binding, cluster_role = (
        ("orchestra-control", "cluster-admin") if role == "control" else ("orchestra-view", "view")
    )
    return f'RBAC: allowed by ClusterRoleBinding "{binding}" of ClusterRole "{cluster_role}" to User "{user}"'


def _invalid(kind: str, group: str, field: str, value: str, message: str) -> ApiResponse:
    """422 as errors.NewInvalid words it for an object without a name."""
    text = f'{kind}.{group} "" is invalid: {field}: Invalid value: {value}: {message}'
    details = {
        "group": group,
        "kind": kind,
        "causes": [
            {"reason": "FieldValueInvalid", "message": f"Invalid value: {value}: {message}", "field": field}
        ],
    }
    return json_response(status_object(422, "Invalid", text, details), 422)


def create(ctx, req: ApiRequest, served: Served) -> ApiResponse:
    """Answers POST of one of the three reviews (201 with `status` filled in); 400/415 for a body that does
    not decode, 422 for a SelfSubjectAccessReview with neither or both kinds of attributes."""
    try:
        obj = decode_body(req, served)
    except Refused as refused:
        return refused.response
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    meta.setdefault("creationTimestamp", None)
    obj["metadata"] = meta
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else {}
    if served.kind == "SelfSubjectReview":
        obj["status"] = {"userInfo": {"username": req.user, "groups": list(GROUPS)}}
    elif served.kind == "SelfSubjectRulesReview":
        obj["spec"] = spec
        obj["status"] = {
            "resourceRules": resource_rules(req.role),
            "nonResourceRules": non_resource_rules(req.role),
            "incomplete": False,
        }
    else:
        res = spec.get("resourceAttributes")
        url = spec.get("nonResourceAttributes")
        if bool(isinstance(res, dict)) == bool(isinstance(url, dict)):
            value = "null" if not res and not url else "both"
            return _invalid(
                served.kind,
                served.group,
                "spec.resourceAttributes",
                value,
                "exactly one of nonResourceAttributes or resourceAttributes must be specified",
            )
        if isinstance(res, dict):
            ok = allowed_resource(
                req.role,
                str(res.get("verb") or ""),
                str(res.get("group") or ""),
                str(res.get("resource") or ""),
                str(res.get("subresource") or ""),
            )
        else:
            ok = allowed_url(req.role, str(url.get("verb") or ""), str(url.get("path") or ""))
        obj["status"] = {"allowed": True, "reason": _reason(req.role, req.user)} if ok else {"allowed": False}
    return json_response(obj, 201)
