"""watch, including watch-list (sendInitialEvents)."""

from ._stub import not_yet


def start(ctx, req, served, target):
    return not_yet("watch")
