"""OpenAPI v3 (index and per-group-version documents) and v2."""

from ._stub import not_yet


def index(req):
    return not_yet("openapi")


def document(req, gv):
    return not_yet("openapi")


def v2(req):
    return not_yet("openapi v2")
