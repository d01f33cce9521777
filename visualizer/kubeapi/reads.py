"""get and list, as objects or as a server-side printed Table."""

from ._stub import not_yet


def get(ctx, req, served, target):
    return not_yet("get")


def list_(ctx, req, served, target):
    return not_yet("list")
