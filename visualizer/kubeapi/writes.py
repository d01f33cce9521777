"""create, update, patch, delete and deletecollection."""

from ._stub import not_yet


def create(ctx, req, served, target):
    return not_yet("create")


def update(ctx, req, served, target):
    return not_yet("update")


def patch(ctx, req, served, target):
    return not_yet("patch")


def delete(ctx, req, served, target):
    return not_yet("delete")


def deletecollection(ctx, req, served, target):
    return not_yet("deletecollection")
