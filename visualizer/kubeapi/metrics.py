"""metrics.k8s.io for kubectl top."""

from ._stub import not_yet


def handle(ctx, req, target):
    return not_yet("metrics")
