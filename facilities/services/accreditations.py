"""A provider's CMA / CNAS certificates, kept by its own lab managers (and the admin): the
type, number, expiry and scope. Each change re-derives which of the provider's services lie
within some certificate's scope (``facilities.accreditation_scope``)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import Accreditation, ProviderProfile, User
from config.errors import Invalid, NotFound
from facilities.accreditation_scope import matching_line
from facilities.models import TestingService
from facilities.services._guards import ensure_manages

SCOPE_MAX = 5000


def _check(type_: str, certificate_no: str, expires_on, scope: str) -> None:
    errors = {}
    if type_ not in Accreditation.Type.values:
        errors["type"] = [str(_("Choose CMA or CNAS."))]
    if not certificate_no:
        errors["certificate_no"] = [str(_("Give the certificate number."))]
    elif len(certificate_no) > 50:
        errors["certificate_no"] = [str(_("At most 50 characters."))]
    if not isinstance(expires_on, dt.date):
        errors["expires_on"] = [str(_("Give the expiry date."))]
    if len(scope) > SCOPE_MAX:
        errors["scope"] = [str(_("At most %(n)s characters.") % {"n": SCOPE_MAX})]
    if errors:
        raise Invalid(next(iter(errors.values()))[0], code="invalid", fields=errors)


def _save(cert: Accreditation) -> Accreditation:
    try:
        with transaction.atomic():
            cert.save()
    except IntegrityError as exc:  # accreditation_unique: the same certificate twice
        message = _("This certificate number is already registered.")
        raise Invalid(message, code="certificate_taken",
                      fields={"certificate_no": [str(message)]}) from exc  # fmt: skip
    services_scope_refresh(provider_id=cert.provider_id)
    return cert


@transaction.atomic
def accreditation_create(
    *, actor: User, provider_id: int, type: str, certificate_no: str, expires_on: dt.date,
    scope: str = "",
) -> Accreditation:  # fmt: skip
    """Register a certificate of the provider the actor manages. Errors: NotFound (not a
    manager), Invalid ``invalid`` (per field), ``certificate_taken``."""
    ensure_manages(actor=actor, provider_id=provider_id)
    if not ProviderProfile.objects.filter(organisation_id=provider_id).exists():
        raise NotFound(_("Not found."), code="not_found")
    certificate_no, scope = (certificate_no or "").strip(), (scope or "").strip()
    _check(type, certificate_no, expires_on, scope)
    return _save(Accreditation(provider_id=provider_id, type=type, certificate_no=certificate_no,
                               expires_on=expires_on, scope=scope))  # fmt: skip


@transaction.atomic
def accreditation_update(*, actor: User, accreditation: Accreditation, **fields) -> Accreditation:
    """Change a certificate's type, number, expiry or scope (renewal, a widened scope)."""
    cert = Accreditation.objects.select_for_update().filter(pk=accreditation.pk).first()
    if cert is None:
        raise NotFound(_("Not found."), code="not_found")
    ensure_manages(actor=actor, provider_id=cert.provider_id)
    for name in ("type", "certificate_no", "expires_on", "scope"):
        if name in fields:
            value = fields[name]
            setattr(cert, name, value.strip() if isinstance(value, str) else value)
    _check(cert.type, cert.certificate_no, cert.expires_on, cert.scope)
    return _save(cert)


@transaction.atomic
def accreditation_delete(*, actor: User, accreditation: Accreditation) -> None:
    """Remove a withdrawn certificate. Reports issued already keep the mark they carry."""
    cert = Accreditation.objects.select_for_update().filter(pk=accreditation.pk).first()
    if cert is None:
        raise NotFound(_("Not found."), code="not_found")
    ensure_manages(actor=actor, provider_id=cert.provider_id)
    provider_id = cert.provider_id
    cert.delete()
    services_scope_refresh(provider_id=provider_id)


def services_scope_refresh(*, provider_id: int) -> int:
    """Re-derive ``in_accredited_scope`` of the provider's services from its certificates'
    scopes (expired ones included: validity is checked on the day a report is issued).
    Two reads and at most two updates; returns how many services changed."""
    scopes = list(
        Accreditation.objects.filter(provider_id=provider_id).values_list("scope", flat=True)
    )
    inside, outside = [], []
    rows = TestingService.objects.filter(provider_id=provider_id).values_list(
        "pk", "name", "standards", "in_accredited_scope"
    )
    for pk, name, standards, was in rows:
        now = any(matching_line(s, name=name, standards=standards) for s in scopes)
        if now != was:
            (inside if now else outside).append(pk)
    TestingService.objects.filter(pk__in=inside).update(in_accredited_scope=True)
    TestingService.objects.filter(pk__in=outside).update(in_accredited_scope=False)
    return len(inside) + len(outside)
