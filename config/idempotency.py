"""``Idempotency-Key`` support for order-creating API endpoints.

The record is inserted in the same transaction as the order, under a unique
constraint on (user, key): a concurrent retry blocks on that insert until the
first request commits, then replays its stored answer. A failed request rolls
its record back, so a retry after an error is processed afresh.
"""

from __future__ import annotations

import functools
import hashlib
import json
import secrets
from collections.abc import Callable

from django.apps import apps
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from rest_framework.response import Response

from config.errors import Conflict, Invalid

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


def _fingerprint(request) -> str:
    body = json.dumps(request.data, sort_keys=True, cls=DjangoJSONEncoder, default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _records():
    """The record model (``settings.IDEMPOTENCY_RECORD_MODEL``): accounts holds it, as it
    holds the users the records belong to, and config lies under accounts."""
    return apps.get_model(settings.IDEMPOTENCY_RECORD_MODEL)


def idempotent(view_method):
    """Decorate a DRF view method (usually ``create``) to honour ``Idempotency-Key``."""

    @functools.wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        records = _records()
        key = request.headers.get(HEADER)
        if not key:
            return view_method(self, request, *args, **kwargs)
        if len(key) > MAX_KEY_LENGTH:
            raise Invalid(
                _("Idempotency-Key is too long (255 characters at most)."),
                code="idempotency_key_invalid",
            )
        fingerprint = _fingerprint(request)
        try:
            with transaction.atomic():
                record = records.objects.create(user=request.user, key=key, fingerprint=fingerprint)
                response = view_method(self, request, *args, **kwargs)
                if response.status_code >= 400:
                    transaction.set_rollback(True)
                    return response
                record.status_code = response.status_code
                record.body = json.loads(json.dumps(response.data, cls=DjangoJSONEncoder))
                record.save(update_fields=["status_code", "body"])
                return response
        except IntegrityError:
            record = records.objects.filter(user=request.user, key=key).first()
            if record is None:
                raise
        if record.fingerprint != fingerprint:
            raise Invalid(
                _("This Idempotency-Key was already used for a different request."),
                code="idempotency_key_reused",
            )
        if record.status_code is None:
            raise Conflict(
                _("A request with this Idempotency-Key is still being processed."),
                code="idempotency_in_progress",
            )
        replay = Response(record.body, status=record.status_code)
        replay["Idempotent-Replayed"] = "true"
        return replay

    return wrapper


# --- Pages -----------------------------------------------------------------------------
# An order page carries a fresh key in a hidden field (``page_key``); its POST creates the
# order through ``page_once``, under the same unique record as the API's. Sending the same
# page twice (browser back, then submit again; a double click) finds the record and goes
# to the order the first submission made, instead of placing a second one.

PAGE_FIELD = "idempotency_key"


def page_key() -> str:
    return secrets.token_urlsafe(24)


def page_once(*, user, key: str, place: Callable[[], str]) -> tuple[str, bool]:
    """Run ``place`` (which creates the order and returns its page's URL) at most once per
    (user, key), in one transaction with the record. Returns (URL, replayed). A ``place``
    that raises rolls its record back, so the corrected form can be sent again."""
    records = _records()
    if not key:  # a client that sends no key gets no replay, as with the API's header
        return place(), False
    if len(key) > MAX_KEY_LENGTH:
        raise Invalid(
            _("This form is out of date. Reload the page and send it again."),
            code="idempotency_key_invalid",
        )
    key = f"page:{key}"
    try:
        with transaction.atomic():
            record = records.objects.create(user=user, key=key, fingerprint="page")
            url = place()
            record.status_code, record.body = 303, {"url": url}
            record.save(update_fields=["status_code", "body"])
            return url, False
    except IntegrityError:
        record = records.objects.filter(user=user, key=key).first()
        if record is None:
            raise
    if record.status_code is None:
        raise Conflict(
            _("This form is being sent already; wait a moment."), code="idempotency_in_progress"
        )
    return record.body["url"], True
