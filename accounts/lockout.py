"""django-axes glue: which address an attempt was for, and what a locked-out client sees."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

LOGIN_FIELDS = ("login", "email", "username")


def username_of(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The email an attempt was for: allauth passes ``email``, the form posts ``login``."""
    sources = [credentials or {}]
    data = getattr(request, "data", None) or getattr(request, "POST", None)
    if data is not None:
        sources.append(data)
    for source in sources:
        for name in LOGIN_FIELDS:
            value = source.get(name)
            if isinstance(value, str) and value.strip():
                return value.strip().lower()
    return None


def lockout_response(
    request: HttpRequest, original_response=None, credentials=None
) -> HttpResponse:
    """429 for both; the API gets the usual ``{code, detail, fields}`` error shape."""
    from django.conf import settings

    minutes = int(float(settings.AXES_COOLOFF_TIME) * 60)
    detail = _("Too many failed sign-in attempts. Please try again in %(minutes)d minutes.") % {
        "minutes": minutes
    }
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "locked_out", "detail": detail, "fields": {}}, status=429)
    context = {"detail": detail, "cooloff_minutes": minutes}
    return render(request, "account/lockout.html", context, status=429)
