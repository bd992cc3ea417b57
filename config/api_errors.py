"""One DRF exception handler: every error is ``{code, detail, fields}``."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from config.errors import DomainError

_STATUS_BY_KIND = {
    "invalid": status.HTTP_400_BAD_REQUEST,
    "conflict": status.HTTP_409_CONFLICT,
    "not_found": status.HTTP_404_NOT_FOUND,
    "forbidden": status.HTTP_403_FORBIDDEN,
}


def _field_errors(detail) -> dict[str, list[dict[str, str]]]:
    """Flatten DRF's nested ErrorDetail into ``{field: [{code, message}]}``."""
    if isinstance(detail, dict):
        out: dict[str, list[dict[str, str]]] = {}
        for name, value in detail.items():
            items = value if isinstance(value, list) else [value]
            out[name] = []
            for item in items:
                if isinstance(item, dict | list):
                    for sub, subitems in _field_errors(
                        item if isinstance(item, dict) else {"": item}
                    ).items():
                        out.setdefault(f"{name}.{sub}".rstrip("."), []).extend(subitems)
                else:
                    out[name].append(
                        {"code": getattr(item, "code", "invalid"), "message": str(item)}
                    )
        return out
    if isinstance(detail, list):
        return {"non_field_errors": [_item(i) for i in detail]}
    return {}


def _item(item) -> dict[str, str]:
    return {"code": getattr(item, "code", "invalid"), "message": str(item)}


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body = {"code": exc.code, "detail": str(exc.message), "fields": exc.fields}
        if exc.data:
            body["data"] = exc.data
        return Response(body, status=_STATUS_BY_KIND[exc.kind])
    if isinstance(exc, DjangoValidationError):
        fields = getattr(exc, "message_dict", None) or {"non_field_errors": exc.messages}
        return Response(
            {"code": "invalid", "detail": _("The request is not valid."), "fields": fields},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "code": "invalid",
            "detail": _("The request is not valid."),
            "fields": _field_errors(exc.detail),
        }
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        response.data = {
            "code": code if isinstance(code, str) else "error",
            "detail": str(detail),
            "fields": {},
        }
    return response
