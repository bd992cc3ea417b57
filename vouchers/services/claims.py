"""A provider builds, documents and submits its reimbursement claims (兑付).

Building locks the provider's Organisation row first (one build per provider at a time),
then reads what is still claimable: two managers clicking "build" at once get one claim
each issuer and a clean ``nothing_to_claim``, never a capture in two claims. The unique
constraint ``claim_line_once`` is the last word if anything else races in.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections import defaultdict

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from accounts.scoping import Scope
from config.errors import Conflict, Forbidden, Invalid
from vouchers import uploads
from vouchers.claim_transitions import claim_record_creation, claim_transition
from vouchers.flags import lines_flag
from vouchers.models import Claim, ClaimDeduction, ClaimLine, ClaimProof
from vouchers.selectors.claims import claim_get, claimable_rows
from vouchers.services.claim_flags import claim_flags_refresh

C = Claim.Status
MAX_PROOFS = 50


def require_provider_manager(actor: User, provider_id: int) -> None:
    if not Scope.for_user(actor).can_manage_provider(provider_id):
        raise Forbidden(_("Only the provider's lab managers may do this."))


def provider_claim_get(actor: User, claim_id, *, lock: bool = False) -> Claim:
    """The claim, for a manager of the provider that made it (404 for strangers, 403 for
    the department it is addressed to)."""
    claim = claim_get(actor, claim_id)
    require_provider_manager(actor, claim.provider_id)
    if lock:
        claim = Claim.objects.select_for_update().get(pk=claim.pk)
    return claim


def _check_period(period_start: dt.date, period_end: dt.date) -> None:
    if period_end < period_start:
        message = _("The period must end on or after its first day.")
        raise Invalid(message, code="period_invalid", fields={"period_end": [str(message)]})
    if period_end > timezone.localdate():
        message = _("A claim can only cover days that are over.")
        raise Invalid(message, code="period_in_future", fields={"period_end": [str(message)]})


def _new_number(now: dt.datetime) -> str:
    return f"CL{timezone.localtime(now):%Y%m%d}-{secrets.token_hex(4).upper()}"


def _lines_for(claim: Claim, entries) -> list[ClaimLine]:
    return [
        ClaimLine(
            claim=claim, issuer_id=claim.issuer_id, capture_entry_id=e.pk, hold_id=e.hold_id,
            firm_id=e.firm_id, order_kind=e.order_kind, order_id=e.order_id, completed_at=e.at,
            fee_fen=e.fee_fen, voucher_fen=e.amount_fen,
            firm_fen=max(e.fee_fen - e.captured_all_fen, 0),
        )
        for e in entries
    ]  # fmt: skip


def claim_build(
    *, actor: User, provider_id: int, period_start: dt.date, period_end: dt.date
) -> list[Claim]:
    """Draft one claim per issuing department from the provider's captured, unclaimed
    voucher amounts of orders completed in the period; each takes the deductions the
    provider still owes that issuer.
    Errors: Forbidden (not a manager of the provider); Invalid ``period_invalid``,
    ``period_in_future``; Conflict ``nothing_to_claim``, ``already_claimed`` (lost a race
    the lock did not cover)."""
    require_provider_manager(actor, provider_id)
    _check_period(period_start, period_end)
    now = timezone.now()
    try:
        with transaction.atomic():
            Organisation.objects.select_for_update().filter(pk=provider_id).first()
            # Plain rows with the fee, hold and captures folded in (bench/RESULTS.md): a
            # 5,000-line build spent more on model instances and look-ups than on writing.
            entries = claimable_rows(provider_id=provider_id, period_start=period_start,
                                     period_end=period_end)  # fmt: skip
            if not entries:
                raise Conflict(_("Nothing to claim: no captured voucher amounts in this period "
                                 "that are not already claimed."), code="nothing_to_claim")  # fmt: skip
            by_issuer = defaultdict(list)
            for e in entries:
                by_issuer[e.issuer_id].append(e)
            return [
                _claim_insert(
                    actor,
                    provider_id,
                    issuer_id,
                    group,
                    period_start,
                    period_end,
                    now,
                )  # fmt: skip
                for issuer_id, group in sorted(by_issuer.items())
            ]
    except IntegrityError as exc:
        if "claim_line_once" not in str(exc):
            raise
        raise Conflict(_("Some of these amounts were claimed by someone else just now; "
                         "reload and try again."), code="already_claimed") from exc  # fmt: skip


def _claim_insert(actor, provider_id, issuer_id, entries, start, end, now):
    deductions = list(
        ClaimDeduction.objects.select_for_update()
        .filter(provider_id=provider_id, issuer_id=issuer_id, claim__isnull=True)
        .order_by("pk")
    )
    claim = Claim.objects.create(
        provider_id=provider_id, issuer_id=issuer_id, number=_new_number(now),
        period_start=start, period_end=end, created_by=actor, created_at=now, updated_at=now,
        claimed_fen=sum(e.amount_fen for e in entries), line_count=len(entries),
        deduction_fen=sum(d.amount_fen for d in deductions), flags_checked_at=now,
    )  # fmt: skip
    lines = _lines_for(claim, entries)
    lines_flag(lines, provider_id=provider_id)
    for line in lines:
        line.flagged = bool(line.flags)
    claim.flagged_count = sum(line.flagged for line in lines)
    if claim.flagged_count:
        claim.save(update_fields=["flagged_count"])
    _lines_write(lines)
    ClaimDeduction.objects.filter(pk__in=[d.pk for d in deductions]).update(claim=claim)
    claim_record_creation(claim, actor=actor)
    return claim


LINE_COLUMNS = ("claim_id", "issuer_id", "capture_entry_id", "hold_id", "firm_id", "order_kind", "order_id",
                "completed_at", "fee_fen", "voucher_fen", "firm_fen", "state", "reason", "flags",
                "flagged")  # fmt: skip


def _lines_write(lines: list[ClaimLine]) -> None:
    """Write the lines. On PostgreSQL with COPY: bulk_create's per-field preparation of
    thousands of rows cost most of a 5,000-line build (bench/RESULTS.md); the constraints,
    ``claim_line_once`` first, hold the same either way."""
    if connection.vendor != "postgresql":
        ClaimLine.objects.bulk_create(lines, batch_size=1000)
        return
    table = ClaimLine._meta.db_table
    # wrap_database_errors: a unique violation inside COPY is Django's IntegrityError, as
    # claim_build expects.
    with connection.wrap_database_errors, connection.cursor() as cursor, cursor.copy(
        f"COPY {table} ({', '.join(LINE_COLUMNS)}) FROM STDIN"
    ) as copy:  # fmt: skip
        for ln in lines:
            copy.write_row((ln.claim_id, ln.issuer_id, ln.capture_entry_id, ln.hold_id, ln.firm_id,
                            ln.order_kind, ln.order_id, ln.completed_at, ln.fee_fen,
                            ln.voucher_fen, ln.firm_fen, ln.state, ln.reason,
                            json.dumps(ln.flags, ensure_ascii=False), ln.flagged))  # fmt: skip


def claim_invoice_set(
    *, actor: User, claim_id: int, number: str, date: dt.date, amount_fen: int,
    invoice_type: str, file=None,
) -> Claim:  # fmt: skip
    """Record the provider's invoice (发票) on a draft claim; a new file replaces the old.
    Errors: Invalid ``invoice_number_required``, ``invoice_type_invalid``,
    ``invoice_amount_mismatch`` (must be the amount claimed less deductions),
    ``invoice_date_in_future``, the file errors of vouchers.uploads; Conflict
    ``claim_not_draft``."""
    number = (number or "").strip()
    if not number:
        raise Invalid(_("Give the invoice number."), code="invoice_number_required",
                      fields={"invoice_number": [str(_("This field is required."))]})  # fmt: skip
    if invoice_type not in Claim.InvoiceType.values:
        raise Invalid(_("Choose the invoice type."), code="invoice_type_invalid",
                      fields={"invoice_type": [str(_("Choose the invoice type."))]})  # fmt: skip
    if date > timezone.localdate():
        message = _("The invoice date cannot be in the future.")
        raise Invalid(
            message, code="invoice_date_in_future", fields={"invoice_date": [str(message)]}
        )
    if file is not None:
        uploads.validate_claim_file(file, field="invoice_file")
    stored = uploads.store(file, folder="claims/invoices") if file is not None else ""
    try:
        with transaction.atomic():
            claim = provider_claim_get(actor, claim_id, lock=True)
            _require_draft(claim)
            if amount_fen != claim.claimed_fen - claim.deduction_fen:
                message = _("The invoice must be for the amount claimed less deductions: "
                            "¥%(yuan)s.") % {"yuan": f"{(claim.claimed_fen - claim.deduction_fen) / 100:,.2f}"}  # fmt: skip
                raise Invalid(message, code="invoice_amount_mismatch",
                              fields={"invoice_amount_fen": [str(message)]})  # fmt: skip
            claim.invoice_number, claim.invoice_date = number, date
            claim.invoice_amount_fen, claim.invoice_type = amount_fen, invoice_type
            fields = ["invoice_number", "invoice_date", "invoice_amount_fen", "invoice_type",
                      "updated_at"]  # fmt: skip
            if stored:
                claim.invoice_file, claim.invoice_file_name = stored, file.name[:200]
                fields += ["invoice_file", "invoice_file_name"]
            claim.updated_at = timezone.now()
            claim.save(update_fields=fields)
            return claim
    except BaseException:
        uploads.discard([stored])
        raise


def _require_draft(claim: Claim) -> None:
    if claim.status != C.DRAFT:
        raise Conflict(_("Only a draft claim can be changed."), code="claim_not_draft",
                       data={"status": claim.status})  # fmt: skip


def claim_proof_add(*, actor: User, claim_id: int, file, line_id: int | None = None) -> ClaimProof:
    """Attach proof that the firm paid its own part, to the claim or one of its lines.
    Errors: the file errors of vouchers.uploads; Invalid ``line_not_in_claim``,
    ``too_many_proofs``; Conflict ``claim_not_draft``."""
    uploads.validate_claim_file(file, field="file")
    stored = uploads.store(file, folder="claims/proofs")
    try:
        with transaction.atomic():
            claim = provider_claim_get(actor, claim_id, lock=True)
            _require_draft(claim)
            if line_id is not None and not claim.lines.filter(pk=line_id).exists():
                raise Invalid(_("That line is not on this claim."), code="line_not_in_claim",
                              fields={"line": [str(_("Not a line of this claim."))]})  # fmt: skip
            if claim.proofs.count() >= MAX_PROOFS:
                raise Invalid(_("At most %(n)d proofs per claim.") % {"n": MAX_PROOFS},
                              code="too_many_proofs")  # fmt: skip
            return ClaimProof.objects.create(claim=claim, line_id=line_id, file=stored,
                                             file_name=file.name[:200], uploaded_by=actor)  # fmt: skip
    except BaseException:
        uploads.discard([stored])
        raise


def claim_submit(*, actor: User, claim_id: int) -> Claim:
    """Send a draft to the issuing department. Needs the invoice (with its file) and, if the
    firms paid anything themselves, at least one proof of payment. The red flags are
    recomputed from today's facts (a related party declared, a session corrected since the
    build) so the department sees what is true at submission.
    Errors: Invalid ``invoice_missing``, ``proof_missing``; Conflict ``invalid_transition``."""
    with transaction.atomic():
        claim = provider_claim_get(actor, claim_id, lock=True)
        if claim.status == C.DRAFT:
            if not (claim.invoice_number and claim.invoice_file):
                raise Invalid(_("Record the invoice and upload its file before submitting."),
                              code="invoice_missing")  # fmt: skip
            if claim.lines.filter(firm_fen__gt=0).exists() and not claim.proofs.exists():
                raise Invalid(_("Upload proof that the firms paid their own part before "
                                "submitting."), code="proof_missing")  # fmt: skip
        claim_transition(claim, to=C.SUBMITTED, actor=actor)
        claim_flags_refresh(claim)
        return claim
