"""Reads of audit samples: only the issuing department's reviewers see them."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.scoping import Scope
from config.errors import NotFound
from vouchers.models import AuditRecord, AuditSample


def audit_sample_list(actor: User, *, issuer_id: int | None = None) -> QuerySet[AuditSample]:
    scope = Scope.for_user(actor)
    qs = AuditSample.objects.select_related("issuer", "programme", "drawn_by")
    if not scope.is_admin:
        qs = qs.filter(issuer_id__in=scope.department_ids)
    if issuer_id is not None:
        qs = qs.filter(issuer_id=issuer_id)
    return qs.order_by("-drawn_at", "-pk")


def audit_sample_get(actor: User, pk) -> AuditSample:
    try:
        sample = audit_sample_list(actor).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        sample = None
    if sample is None:
        raise NotFound(_("Audit sample not found."), code="audit_sample_not_found")
    return sample


def audit_records(sample: AuditSample) -> QuerySet[AuditRecord]:
    return sample.records.select_related(
        "firm", "provider", "checked_by", "reverse_entry"
    ).order_by("pk")
