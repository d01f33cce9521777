"""`Status` answers: every failure as the API server's `metav1.Status` with its real code and reason.

Shapes and messages follow apimachinery pkg/api/errors/errors.go (reference §A5). The engine raises `ApiError`
carrying the line kubectl prints (`Error from server (NotFound): deployments.apps "x" not found`); here it
becomes the Status kubectl reads that line from, so the console and the real kubectl print the same words.
"""

from __future__ import annotations

import re

from visualizer.engine.apiserver import ApiError

from .http import ApiResponse, json_response

_PRINTED = re.compile(r"^Error from server \((?P<reason>[A-Za-z]+)\): (?:error when [a-z]+ \"[^\"]*\": )?")
# Go's http.StatusText for the codes a Status carries (net/http/status.go).
_TEXT = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    406: "NotAcceptable",
    409: "AlreadyExists",
    410: "Expired",
    413: "RequestEntityTooLarge",
    415: "UnsupportedMediaType",
    422: "Invalid",
    429: "TooManyRequests",
    500: "InternalError",
    503: "ServiceUnavailable",
}


# Codes whose apimachinery constructor always sets `Details` (errors.go NewNotFound, NewAlreadyExists, NewConflict,
# NewForbidden, NewMethodNotSupported, NewInvalid, NewInternalError, NewGenericServerResponse…): their Status
# carries `"details": {…}` even when every field is empty (`{}`); NewBadRequest, NewUnauthorized,
# NewRequestEntityTooLarge and NewServiceUnavailable leave it out. kubectl reads `Details.Name` of a NotFound
# without a nil check (kubectl pkg/cmd/debug/debug.go), so a 404 without details panics it.
DETAILED_CODES = frozenset({403, 404, 405, 409, 422, 500})


def status_object(code: int, reason: str, message: str, details: dict | None = None) -> dict:
    """Returns a failure `Status` (`{"kind":"Status","apiVersion":"v1","status":"Failure",…}`).

    `details` None: `{}` for the codes in DETAILED_CODES, none for the others (see DETAILED_CODES).
    """
    if details is None and code in DETAILED_CODES:
        details = {}
    obj = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
    }
    if details is not None:
        obj["details"] = details
    obj["code"] = code
    return obj


def failure(code: int, reason: str, message: str, details: dict | None = None, headers=None) -> ApiResponse:
    """Returns the response carrying a failure Status."""
    return json_response(status_object(code, reason, message, details), code, headers=headers)


def success(details: dict | None = None, code: int = 200) -> ApiResponse:
    """Returns a `status: Success` answer (delete of a collection, eviction: 201)."""
    obj = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success"}
    if details:
        obj["details"] = details
    obj["code"] = code
    return json_response(obj, code)


def not_found(qualified: str, name: str, kind: str | None = None, group: str = "") -> ApiResponse:
    """404 NotFound for `pods "x"` / `deployments.apps "x"` (errors.go `NewNotFound`)."""
    details = {"name": name, "kind": kind or qualified.split(".", 1)[0]}
    if group:
        details["group"] = group
    return failure(404, "NotFound", f'{qualified} "{name}" not found', details)


def page_not_found() -> ApiResponse:
    """404 for a path the server does not serve (the generic `the server could not find the requested
    resource`, which kubectl prints as `Error from server (NotFound): the server could not find …`)."""
    return failure(404, "NotFound", "the server could not find the requested resource", {})


def method_not_allowed(verb: str, qualified: str) -> ApiResponse:
    """405 for a verb a resource does not support (errors.go `NewMethodNotSupported`)."""
    return failure(
        405,
        "MethodNotAllowed",
        f'{verb} is not supported on resources of kind "{qualified}"',
        {"kind": qualified},
    )


def bad_request(message: str) -> ApiResponse:
    """400 BadRequest with a message (errors.go `NewBadRequest`)."""
    return failure(400, "BadRequest", message)


def forbidden(
    user: str,
    verb: str,
    plural: str,
    group: str,
    namespace: str | None,
    name: str | None,
    subresource: str = "",
) -> ApiResponse:
    """403 as RBAC answers it (apiserver handlers/responsewriters/errors.go `forbiddenMessage`):
    `deployments.apps "web" is forbidden: User "u" cannot patch resource "deployments" in API group "apps" in
    the namespace "default"`."""
    qualified = f"{plural}.{group}" if group else plural
    subject = f'{qualified} "{name}"' if name else qualified
    where = f' in the namespace "{namespace}"' if namespace else " at the cluster scope"
    resource = f"{plural}/{subresource}" if subresource else plural  # the subject keeps the bare resource
    message = (
        f'{subject} is forbidden: User "{user}" cannot {verb} resource "{resource}" in API group "{group}"'
        f"{where}"
    )
    details = {"kind": plural}
    if name:
        details["name"] = name
    if group:
        details["group"] = group
    return failure(403, "Forbidden", message, details)


def from_api_error(err: ApiError, *, kind: str = "", name: str = "", group: str = "") -> ApiResponse:
    """Returns the Status of an engine ApiError.

    The engine's text is the line kubectl prints; the Status message is that line without kubectl's own
    `Error from server (Reason): ` and `error when creating "FILE": ` (kubectl adds them back). A 422 carries
    its causes in `details.causes` (`field` and `message`), from which kubectl rebuilds
    `The Deployment "web" is invalid: …` (kubectl pkg/cmd/util/helpers.go `checkErr`).
    """
    code = err.code if isinstance(err.code, int) and 400 <= err.code < 600 else 400
    reason = err.reason or _TEXT.get(code, "BadRequest")
    text = err.status_message or str(err)
    text = _PRINTED.sub("", text, count=1)
    if text.startswith("error: "):
        text = text[len("error: ") :]
    details: dict = {}
    if name:
        details["name"] = name
    if group:
        details["group"] = group
    if kind:
        details["kind"] = kind
    causes = getattr(err, "causes", None)
    if code == 422 and causes:
        details["causes"] = [_cause(c) for c in causes]
    return failure(code, reason, text, details if details or code in DETAILED_CODES else None)


def _cause(text: str) -> dict:
    """Splits a validation cause `spec.replicas: Invalid value: -1: must be …` into the Status cause
    (`reason` is the field.ErrorType's name, as apimachinery pkg/util/validation/field/errors.go writes it)."""
    field, sep, message = text.partition(": ")
    if not sep:
        return {"reason": "FieldValueInvalid", "message": text}
    kinds = {
        "Required value": "FieldValueRequired",
        "Invalid value": "FieldValueInvalid",
        "Unsupported value": "FieldValueNotSupported",
        "Forbidden": "FieldValueForbidden",
        "Duplicate value": "FieldValueDuplicate",
        "Too long": "FieldValueTooLong",
        "Too many": "FieldValueTooMany",
        "Not found": "FieldValueNotFound",
    }
    reason = next((r for prefix, r in kinds.items() if message.startswith(prefix)), "FieldValueInvalid")
    return {"reason": reason, "message": message, "field": field}
