"""The page a locked-out admin sign-in gets (django-axes' AXES_LOCKOUT_CALLABLE): Korean, with the wait in minutes."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def lockout_response(
    request: HttpRequest, original_response=None, credentials: dict | None = None
) -> HttpResponse:
    """Return HTTP 429 with the lockout page: how many failures locked it, for how many minutes, how to reset.

    Called by django-axes' middleware for a sign-in refused because of earlier failures (the failed attempt
    that reaches the limit included).
    """
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "username": username[:150],
    }
    return render(request, "lockout.html", context, status=429)
