"""Refusing input no view can mean, before it reaches one, and answering what slips through.

A NUL byte cannot be stored in a PostgreSQL text column and other C0 control characters
belong in no search or form field: such a request is a 400 here (JSON under /api/), not a
DataError deep in a query. A JSON body nested deeper than any of ours is refused by
``LimitedJSONParser`` rather than exhausting the recursion limit.
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import get_resolver
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from config.errors import DomainError

# C0 controls except tab, newline and carriage return (which text areas send).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
MAX_JSON_DEPTH = 32


def _has_control(values) -> bool:
    return any(_CONTROL.search(v) for v in values)


class ControlCharacterMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        bad = _has_control(request.GET.keys()) or any(
            _has_control(request.GET.getlist(k)) for k in request.GET
        )
        if not bad and request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded", "multipart/form-data",
        ):  # fmt: skip
            try:
                bad = any(_has_control(request.POST.getlist(k)) for k in request.POST)
            except MultiPartParserError:
                bad = False  # a malformed body: the view's parser answers it with its 400
        if bad:
            message = _("The request contains control characters, which no field accepts.")
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"code": "control_characters", "detail": message, "fields": {}}, status=400
                )
            return HttpResponseBadRequest(message)
        return self.get_response(request)


def _depth(value, limit: int) -> int:
    """How deep ``value`` nests, stopping once past ``limit`` (iteratively: no recursion)."""
    stack, deepest = [(value, 1)], 0
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


class LimitedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(_("The JSON body nests too deeply.")) from exc
        if _depth(data, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
            raise ParseError(_("The JSON body nests too deeply."))
        return data


class DomainErrorPageMiddleware:
    """A domain error that no page view caught (a bad ``?week=`` on the calendar) answers
    as the site's error page of its kind, not as a 500. The API has its own handler."""

    STATUS = {"invalid": 400, "forbidden": 403, "not_found": 404, "conflict": 400}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError) or request.path.startswith("/api/"):
            return None
        status = self.STATUS.get(exception.kind, 400)
        handler = get_resolver().resolve_error_handler(status)
        if status == 404:
            return handler(request, Http404(str(exception.message)))
        if status == 403:
            return handler(request, PermissionDenied(str(exception.message)))
        response = handler(request, SuspiciousOperation(str(exception.message)))
        response.status_code = status
        return response
