"""Audit samples (≥ 5% of a period's voucher uses, reproducible from a recorded seed) and
their findings: a problem can reverse the captured amount (a ``reverse`` ledger entry via
``balances.capture_reverse``; if the provider had claimed it, a deduction on its next claim)
and block the firm or the provider from the programme, with the reason on record."""

from __future__ import annotations

import datetime as dt
import math
import random
import secrets
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.scoping import Scope
from booking.models import Booking, ServiceRequest
from config.errors import Conflict, Invalid, NotFound
from vouchers.models import (
    AuditRecord,
    AuditSample,
    ClaimDeduction,
    ClaimLine,
    LedgerEntry,
    OrderVoucherHold,
    ProgrammeBlock,
)  # fmt: skip
from vouchers.selectors.claims import day_start
from vouchers.services.access import require_issuer
from vouchers.services.balances import capture_reverse

MIN_RATE_BP = 500  # the rule: departments audit at least 5% of uses
R = AuditRecord.Result


def sample_draw(population: Sequence[int], *, rate_bp: int, seed: int) -> list[int]:
    """The ids sampled from ``population`` (sorted first, so the draw depends only on the
    set and the seed): ``ceil(n × rate)`` of them, at least one if there is any."""
    ordered = sorted(population)
    if not ordered:
        return []
    size = min(len(ordered), max(1, math.ceil(len(ordered) * rate_bp / 10_000)))
    return sorted(random.Random(seed).sample(ordered, size))  # noqa: S311 (a published, reproducible draw, not a secret)


def audit_population(
    *, issuer_id: int, period_start: dt.date, period_end: dt.date, programme_id: int | None = None
) -> list[int]:
    """Capture entries of the issuer's programmes dated in the period (local days)."""
    qs = LedgerEntry.objects.filter(
        kind=LedgerEntry.Kind.CAPTURE, voucher__programme__issuer_id=issuer_id,
        at__gte=day_start(period_start), at__lt=day_start(period_end + dt.timedelta(days=1)),
    )  # fmt: skip
    if programme_id is not None:
        qs = qs.filter(voucher__programme_id=programme_id)
    return list(qs.order_by("pk").values_list("pk", flat=True))


def _providers_of(entries) -> dict[tuple[str, int], int]:
    ids = {"booking": set(), "service_request": set()}
    for e in entries:
        ids.setdefault(e.order_kind, set()).add(e.order_id)
    out = {("booking", pk): p for pk, p in
           Booking.objects.filter(pk__in=ids["booking"]).values_list("pk", "instrument__provider_id")}  # fmt: skip
    out |= {("service_request", pk): p for pk, p in ServiceRequest.objects.filter(
        pk__in=ids["service_request"]).values_list("pk", "service__provider_id")}  # fmt: skip
    return out


def audit_sample_draw(
    *, actor: User, issuer_id: int, period_start: dt.date, period_end: dt.date,
    rate_bp: int = MIN_RATE_BP, seed: int | None = None, programme_id: int | None = None,
) -> AuditSample:  # fmt: skip
    """Draw and record the sample, one pending AuditRecord per sampled use.
    Errors: Forbidden (not the issuer's reviewer); Invalid ``audit_rate_too_low``,
    ``period_invalid``; Conflict ``nothing_to_audit``."""
    require_issuer(actor, issuer_id)
    if not MIN_RATE_BP <= rate_bp <= 10_000:
        message = _("Sample at least 5% (and at most 100%) of the uses.")
        raise Invalid(message, code="audit_rate_too_low", fields={"rate": [str(message)]})
    if period_end < period_start:
        message = _("The period must end on or after its first day.")
        raise Invalid(message, code="period_invalid", fields={"period_end": [str(message)]})
    seed = secrets.randbits(48) if seed is None else int(seed)
    population = audit_population(issuer_id=issuer_id, period_start=period_start,
                                  period_end=period_end, programme_id=programme_id)  # fmt: skip
    if not population:
        raise Conflict(_("No voucher uses in this period to audit."), code="nothing_to_audit")
    chosen = sample_draw(population, rate_bp=rate_bp, seed=seed)
    entries = list(
        LedgerEntry.objects.select_related("voucher").filter(pk__in=chosen).order_by("pk")
    )
    providers = _providers_of(entries)
    holds = {(h.order_kind, h.order_id, h.voucher_id): h.pk for h in OrderVoucherHold.objects.filter(
        order_id__in={e.order_id for e in entries}).only("pk", "order_kind", "order_id", "voucher_id")}  # fmt: skip
    with transaction.atomic():
        sample = AuditSample.objects.create(
            issuer_id=issuer_id, programme_id=programme_id, period_start=period_start,
            period_end=period_end, rate_bp=rate_bp, seed=seed, population=len(population),
            size=len(chosen), drawn_by=actor,
        )  # fmt: skip
        AuditRecord.objects.bulk_create([AuditRecord(
            sample=sample, capture_entry=e, hold_id=holds[(e.order_kind, e.order_id, e.voucher_id)],
            firm_id=e.voucher.firm_id, provider_id=providers[(e.order_kind, e.order_id)],
            order_kind=e.order_kind, order_id=e.order_id, voucher_fen=e.amount_fen,
        ) for e in entries])  # fmt: skip
    return sample


def audit_record_get(actor: User, record_id) -> AuditRecord:
    scope = Scope.for_user(actor)
    record = (
        AuditRecord.objects.select_related("sample", "capture_entry__voucher")
        .filter(pk=record_id)
        .first()
    )
    if record is None or not (scope.is_admin or record.sample.issuer_id in scope.department_ids):
        raise NotFound(_("Audit record not found."), code="audit_record_not_found")
    return record


def audit_record_result(
    *, actor: User, record_id: int, result: str, note: str = "", reverse_fen: int = 0,
    block_firm: bool = False, block_provider: bool = False,
) -> AuditRecord:  # fmt: skip
    """Record what the check of one sampled use found. With a problem, ``reverse_fen`` > 0
    gives that much of the capture back to the voucher (owed back by the provider: a
    deduction on its next claim if it had claimed it) and the blocks bar the firm and/or
    provider from the programme. Errors: NotFound; Invalid ``result_invalid``,
    ``note_required`` (a problem needs a note), ``bad_amount``; Conflict ``audit_checked``."""
    if result not in (R.FINE, R.PROBLEM):
        raise Invalid(_("Choose fine or problem."), code="result_invalid",
                      fields={"result": [str(_("Choose fine or problem."))]})  # fmt: skip
    note = (note or "").strip()
    if result == R.PROBLEM and not note:
        raise Invalid(_("Say what the problem is."), code="note_required",
                      fields={"note": [str(_("Say what the problem is."))]})  # fmt: skip
    if result == R.FINE and (reverse_fen or block_firm or block_provider):
        raise Invalid(_("Only a problem can reverse money or block anyone."), code="result_invalid")
    record = audit_record_get(actor, record_id)
    with transaction.atomic():
        record = AuditRecord.objects.select_for_update().select_related("sample").get(pk=record.pk)
        if record.result != R.PENDING:
            raise Conflict(_("This use was already checked."), code="audit_checked")
        if reverse_fen:
            record.reverse_entry = capture_reverse(actor=actor, hold_id=record.hold_id,
                                                   amount_fen=reverse_fen, reason=note)  # fmt: skip
            _owe_back(record, note)
        programme_id = record.capture_entry.voucher.programme_id
        for flag, org_id in ((block_firm, record.firm_id), (block_provider, record.provider_id)):
            if flag:
                _block(actor, programme_id, org_id, note, record)
        record.result, record.note = result, note
        record.checked_by, record.checked_at = actor, timezone.now()
        record.save(update_fields=["result", "note", "checked_by", "checked_at", "reverse_entry"])
        return record


def _owe_back(record: AuditRecord, reason: str) -> None:
    """A reversal of an amount the provider has claimed is owed back on its next claim to
    that issuer; an unclaimed one just can no longer be claimed (claimable_entries)."""
    line = (ClaimLine.objects.select_related("claim").filter(capture_entry_id=record.capture_entry_id)
            .exclude(state=ClaimLine.State.REJECTED).first())  # fmt: skip
    if line is None:
        return
    ClaimDeduction.objects.create(
        provider_id=line.claim.provider_id, issuer_id=line.claim.issuer_id,
        reverse_entry=record.reverse_entry, amount_fen=record.reverse_entry.amount_fen, reason=reason,
    )  # fmt: skip


def _block(actor, programme_id, organisation_id, reason, record) -> None:
    try:
        with transaction.atomic():
            ProgrammeBlock.objects.create(programme_id=programme_id, organisation_id=organisation_id,
                                          reason=reason, audit_record=record, blocked_by=actor)  # fmt: skip
    except IntegrityError:
        pass  # already blocked: the first reason stays on record


def is_blocked(programme_id: int, organisation_ids: Sequence[int]) -> bool:
    return ProgrammeBlock.objects.filter(
        programme_id=programme_id, organisation_id__in=organisation_ids
    ).exists()
