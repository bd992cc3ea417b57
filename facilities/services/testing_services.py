"""Testing services: listed, edited and withdrawn by the provider's lab managers."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from config.errors import Invalid, NotFound
from facilities.models import TestingService
from facilities.services._guards import clean_or_invalid, ensure_manages, ensure_provider

# in_accredited_scope is not among them: it follows the provider's certificate scopes.
EDITABLE_FIELDS = (
    "name", "category", "standards", "description", "sample_requirements", "price_fen",
    "price_unit", "turnaround_days", "voucher_eligible", "statutory_testing", "is_active",
)  # fmt: skip


def _assign(service: TestingService, fields: dict) -> None:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise Invalid(_("Unknown fields."), code="unknown_fields", fields={k: [] for k in unknown})
    for name, value in fields.items():
        setattr(service, name, value)
    service.standards = "\n".join(
        line.strip() for line in (service.standards or "").splitlines() if line.strip()
    )


@transaction.atomic
def service_create(*, actor, provider, **fields) -> TestingService:
    ensure_manages(actor=actor, provider_id=provider.pk)
    ensure_provider(provider)
    service = TestingService(provider=provider)
    _assign(service, fields)
    clean_or_invalid(service, exclude=["provider"])
    service.save()
    return service


def _lock(actor, service: TestingService | int) -> TestingService:
    pk = service.pk if isinstance(service, TestingService) else service
    locked = TestingService.objects.select_for_update().filter(pk=pk).first()
    if locked is None:
        raise NotFound(_("Not found."), code="not_found")
    ensure_manages(actor=actor, provider_id=locked.provider_id)
    return locked


@transaction.atomic
def service_update(*, actor, service: TestingService, **fields) -> TestingService:
    locked = _lock(actor, service)
    _assign(locked, fields)
    clean_or_invalid(locked, exclude=["provider"])
    locked.save()
    return locked


@transaction.atomic
def service_withdraw(*, actor, service: TestingService) -> TestingService:
    """Hide a service from the catalogue; requests already made keep it."""
    locked = _lock(actor, service)
    locked.is_active = False
    locked.save()
    return locked
