"""The `labelSelector` and `fieldSelector` of a list, watch or deletecollection (the contract other modules use).

Parsing, the per-kind field labels and matching live in the engine (visualizer.engine.selectors), shared with
the console's `-l` / `--field-selector`; this module reads them off the request and turns a parse error into
the 400 BadRequest Status kube-apiserver answers (apiserver pkg/endpoints/handlers/get.go `ListResource`:
`errors.NewBadRequest(err.Error())`).
"""

from __future__ import annotations

from collections.abc import Callable

from visualizer.engine.apiserver import ApiError
from visualizer.engine.selectors import (
    fields_match,
    labels_match,
    parse_field_selector,
    parse_label_selector,
)

__all__ = ["matcher", "selector_params", "parse_label_selector", "parse_field_selector"]


def selector_params(req) -> tuple[str, str]:
    """Returns the request's (labelSelector, fieldSelector) strings ("" when absent)."""
    return (req.param("labelSelector") or "").strip(), (req.param("fieldSelector") or "").strip()


def matcher(req, served) -> Callable[[dict], bool]:
    """Returns a predicate true for the served objects (dicts in `served`'s JSON shape) that match the
    request's `labelSelector` and `fieldSelector`.

    `served` needs `group` and `plural` (a catalog.Served). Raises ApiError 400 BadRequest, with the message
    kube-apiserver answers, for a malformed selector or a field label the kind does not support
    (`found '=', expected: ',' or 'end of string'`, `field label not supported: foo`).
    """
    label_text, field_text = selector_params(req)
    try:
        reqs = parse_label_selector(label_text) if label_text else []
        terms = parse_field_selector(field_text, served.group, served.plural) if field_text else []
    except ValueError as err:
        raise ApiError(str(err), "BadRequest", 400) from None
    group, plural = served.group, served.plural

    def match(obj: dict) -> bool:
        if reqs and not labels_match(reqs, (obj.get("metadata") or {}).get("labels")):
            return False
        return not terms or fields_match(terms, obj, group, plural)

    return match
