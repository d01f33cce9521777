"""Discovery: /version, /api, /apis (aggregated v2 and legacy), /apis/<group>, /api/v1 and /apis/<g>/<v>."""

from ._stub import not_yet


def version(ctx, req):
    return not_yet("version")


def root(req):
    return not_yet("root")


def api(req):
    return not_yet("api")


def apis(req):
    return not_yet("apis")


def group(req, group):
    return not_yet("group")


def group_version(req, group, version):
    return not_yet("group_version")
