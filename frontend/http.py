"""What every page view does the same way with HTTP: the status of a domain error, and
where to go after a POST."""

from __future__ import annotations

from django.utils.http import url_has_allowed_host_and_scheme

from config.errors import DomainError

_STATUS = {"invalid": 400, "conflict": 409, "not_found": 404, "forbidden": 403}


def error_status(exc: DomainError) -> int:
    return _STATUS.get(exc.kind, 400)


def next_or(request, fallback: str) -> str:
    """The POST's ``next`` if it points back into this site, else ``fallback``: a ``next``
    from a form or a link must never send the user to another host."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback
