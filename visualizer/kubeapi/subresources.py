"""Subresources: scale, status, log, eviction, binding (exec and attach are websocket streams)."""

from ._stub import not_yet


def handle(ctx, req, served, target, verb):
    if target.subresource == "log":
        from . import logs

        return logs.handle(ctx, req, served, target)
    return not_yet(target.subresource)
