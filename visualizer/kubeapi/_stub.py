"""Placeholder answers for parts of the API not built yet (removed when every module is in place)."""

from . import status


def not_yet(what: str):
    return status.failure(
        404, "NotFound", f"the server could not find the requested resource ({what} not served yet)"
    )
