"""The site's own error pages (404, 403, 400, 500, CSRF failure), in its layout and the
reader's language; under /api/ the same errors answer the API's JSON shape."""

from __future__ import annotations

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
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


def too_many_requests(request, exception=None):
    """allauth's sign-in limits call ``ROOT_URLCONF.handler429``: the site's page, not
    allauth's bare HTML."""
    return _error(
        request, 429, "throttled", _("Too many attempts"),
        _("Too many attempts from your address in a short time. Wait a few minutes and try "
          "again."),
    )  # fmt: skip


def csrf_failure(request, reason: str = ""):
    return _error(
        request, 403, "csrf_failed", _("The form has expired"),
        _("For your safety the form could not be sent: it was open too long or cookies are "
          "blocked. Reload the page and send it again."),
    )  # fmt: skip


def _database_unreachable() -> bool:
    """Django calls the 500 handler inside its ``except``: the exception is at hand."""
    return isinstance(sys.exc_info()[1], OperationalError | InterfaceError)


def server_error(request):
    """Rendered without the request's context processors: they read the database, which
    may be what failed. The language chosen by the middleware is still active.

    A database that cannot be reached (a restart, a failover) is a 503 with Retry-After,
    not a 500: nothing was lost, the client should simply try again, and Django's health
    check opens a fresh connection on the next request."""
    if _database_unreachable():
        status, code = 503, "unavailable"
        title = _("Back in a moment")
        message = _("The platform is briefly unavailable. Nothing you sent was lost; "
                    "please try again in a moment.")  # fmt: skip
    else:
        status, code = 500, "server_error"
        title = _("Server error")
        message = _("Something went wrong on our side. It has been logged; please try again later.")
    if _api(request):
        response = JsonResponse({"code": code, "detail": message, "fields": {}}, status=status)
    else:
        template = loader.get_template("frontend/errors/500.html")
        body = template.render({"message": message, "title": title, "status": status})
        response = HttpResponse(body, status=status)
    if status == 503:
        response["Retry-After"] = str(settings.OUTAGE_RETRY_AFTER_SECONDS)
    return response
