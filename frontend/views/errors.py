"""The site's own error pages (404, 403, 400, 500, CSRF failure), in its layout and the
reader's language; under /api/ the same errors answer the API's JSON shape."""

from __future__ import annotations

from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


def _api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def _error(request, status: int, code: str, title: str, message: str):
    if _api(request):
        return JsonResponse({"code": code, "detail": message, "fields": {}}, status=status)
    context = {"status": status, "title": title, "message": message}
    return render(request, "frontend/errors/error.html", context, status=status)


def page_not_found(request, exception=None):
    return _error(
        request, 404, "not_found", _("Page not found"),
        _("This page does not exist, or it is not visible to your account."),
    )  # fmt: skip


def permission_denied(request, exception=None):
    return _error(
        request, 403, "forbidden", _("Not allowed"),
        _("Your account is not allowed to do this. Switch to the organisation that may, "
          "or ask its administrator."),
    )  # fmt: skip


def bad_request(request, exception=None):
    return _error(
        request, 400, "bad_request", _("Bad request"),
        _("The request could not be understood. Go back, check what you entered and try again."),
    )  # fmt: skip


def csrf_failure(request, reason: str = ""):
    return _error(
        request, 403, "csrf_failed", _("The form has expired"),
        _("For your safety the form could not be sent: it was open too long or cookies are "
          "blocked. Reload the page and send it again."),
    )  # fmt: skip


def server_error(request):
    """Rendered without the request's context processors: they read the database, which
    may be what failed. The language chosen by the middleware is still active."""
    message = _("Something went wrong on our side. It has been logged; please try again later.")
    if _api(request):
        return JsonResponse({"code": "server_error", "detail": message, "fields": {}}, status=500)
    template = loader.get_template("frontend/errors/500.html")
    return HttpResponseServerError(template.render({"message": message}))
