"""The issuing department reviews a claim line by line, decides it and pays it.

Every write locks the claim row first, then touches its lines, and recomputes the claim's
``approved_fen`` from the lines in the same transaction, so the claim always equals the
sum of its approved lines (and each line its capture entry). A rejected line is final on
this claim and frees its capture entry to be claimed again (``claim_line_once`` ignores
rejected lines), so the history stays.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.scoping import Scope
from config.errors import Conflict, Forbidden, Invalid
from vouchers.claim_transitions import claim_transition
from vouchers.models import Claim, ClaimDeduction, ClaimLine
from vouchers.selectors.claims import claim_get
from vouchers.services.claim_flags import claim_flags_refresh

C = Claim.Status
L = ClaimLine.State
REVIEWABLE = frozenset({C.SUBMITTED, C.UNDER_REVIEW})


def reviewer_claim_get(actor: User, claim_id, *, lock: bool = False) -> Claim:
    """The claim, for a reviewer of the department it is addressed to (404 for strangers,
    403 for the provider that made it)."""
    claim = claim_get(actor, claim_id)
    scope = Scope.for_user(actor)
    if not (scope.is_admin or claim.issuer_id in scope.department_ids):
        raise Forbidden(_("Only reviewers of the issuing department may do this."))
    if lock:
        claim = Claim.objects.select_for_update().get(pk=claim.pk)
    return claim


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Please give a reason."), code="reason_required",
                      fields={"reason": [str(_("Please give a reason."))]})  # fmt: skip
    return reason


def _require_reviewable(claim: Claim) -> None:
    if claim.status not in REVIEWABLE:
        raise Conflict(_("This claim is not waiting for review."), code="claim_not_in_review",
                       data={"status": claim.status})  # fmt: skip


def _refresh_totals(claim: Claim) -> None:
    approved = claim.lines.filter(state=L.APPROVED).aggregate(s=Sum("voucher_fen"))["s"] or 0
    Claim.objects.filter(pk=claim.pk).update(approved_fen=approved, updated_at=timezone.now())
    claim.approved_fen = approved


def claim_review_start(*, actor: User, claim_id: int) -> Claim:
    """Take a submitted claim into review (also done by the first line decision). The red
    flags are recomputed from today's facts first (vouchers/services/claim_flags.py)."""
    with transaction.atomic():
        claim = reviewer_claim_get(actor, claim_id, lock=True)
        claim_transition(claim, to=C.UNDER_REVIEW, actor=actor)
        claim_flags_refresh(claim)
        return claim


def claim_lines_decide(
    *, actor: User, claim_id: int, line_ids: Iterable[int], approve: bool, reason: str = ""
) -> Claim:
    """Approve or reject lines of a claim in review; a rejection needs a reason. A line
    already rejected stays so. Errors: Invalid ``reason_required``, ``lines_required``,
    ``line_not_in_claim``, ``line_rejected``; Conflict ``claim_not_in_review``."""
    ids = sorted({int(i) for i in line_ids})
    if not ids:
        raise Invalid(_("Choose at least one line."), code="lines_required")
    reason = (reason or "").strip() if approve else _reason(reason)
    with transaction.atomic():
        claim = reviewer_claim_get(actor, claim_id, lock=True)
        _require_reviewable(claim)
        lines = list(claim.lines.select_for_update().filter(pk__in=ids).order_by("pk"))
        if len(lines) != len(ids):
            raise Invalid(_("That line is not on this claim."), code="line_not_in_claim")
        if any(line.state == L.REJECTED for line in lines):
            raise Invalid(_("A rejected line cannot be decided again; it can be claimed anew."),
                          code="line_rejected")  # fmt: skip
        if claim.status == C.SUBMITTED:
            claim_transition(claim, to=C.UNDER_REVIEW, actor=actor)
            claim_flags_refresh(claim)
        ClaimLine.objects.filter(pk__in=ids).update(
            state=L.APPROVED if approve else L.REJECTED, reason=reason, decided_by=actor,
            decided_at=timezone.now(),
        )  # fmt: skip
        _refresh_totals(claim)
        return claim


def claim_approve(*, actor: User, claim_id: int, reason: str = "") -> Claim:
    """Decide the claim: lines not yet decided are approved; the claim becomes approved
    (all lines), partly approved (some) or rejected (none) for the approved total."""
    with transaction.atomic():
        claim = reviewer_claim_get(actor, claim_id, lock=True)
        _require_reviewable(claim)
        claim.lines.filter(state=L.CLAIMED).update(state=L.APPROVED, decided_by=actor,
                                                   decided_at=timezone.now())  # fmt: skip
        _refresh_totals(claim)
        rejected = claim.lines.filter(state=L.REJECTED).exists()
        if claim.approved_fen == 0 and rejected:
            to = C.REJECTED
        else:
            to = C.PARTLY_APPROVED if rejected else C.APPROVED
        if to == C.REJECTED:
            _free_deductions(claim)
        claim_transition(claim, to=to, actor=actor, reason=(reason or "").strip())
        return claim


def claim_reject(*, actor: User, claim_id: int, reason: str) -> Claim:
    """Reject the whole claim: every line is rejected (its amount can be claimed again) and
    the deductions it carried wait for the next claim."""
    reason = _reason(reason)
    with transaction.atomic():
        claim = reviewer_claim_get(actor, claim_id, lock=True)
        _require_reviewable(claim)
        claim.lines.exclude(state=L.REJECTED).update(state=L.REJECTED, reason=reason,
                                                     decided_by=actor, decided_at=timezone.now())  # fmt: skip
        _refresh_totals(claim)
        _free_deductions(claim)
        claim_transition(claim, to=C.REJECTED, actor=actor, reason=reason)
        return claim


def _free_deductions(claim: Claim) -> None:
    ClaimDeduction.objects.filter(claim=claim).update(claim=None)
    Claim.objects.filter(pk=claim.pk).update(deduction_fen=0)
    claim.deduction_fen = 0


def claim_pay(*, actor: User, claim_id: int, paid_on: dt.date, payment_reference: str) -> Claim:
    """Record the payment of an approved claim (the approved total less deductions).
    Errors: Invalid ``payment_reference_required``, ``paid_on_in_future``; Conflict
    ``invalid_transition``."""
    reference = (payment_reference or "").strip()
    if not reference:
        raise Invalid(_("Give the payment reference."), code="payment_reference_required",
                      fields={"payment_reference": [str(_("This field is required."))]})  # fmt: skip
    if paid_on > timezone.localdate():
        message = _("The payment date cannot be in the future.")
        raise Invalid(message, code="paid_on_in_future", fields={"paid_on": [str(message)]})
    with transaction.atomic():
        claim = reviewer_claim_get(actor, claim_id, lock=True)
        claim_transition(claim, to=C.PAID, actor=actor, paid_on=paid_on,
                         payment_reference=reference[:60])  # fmt: skip
        return claim
