"""Subresources: scale, status, log, eviction, binding (exec and attach are websocket streams)."""

from ._stub import not_yet


def handle(ctx, req, served, target, verb):
    return not_yet(target.subresource)
