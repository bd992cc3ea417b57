"""The claim state machine and the one helper that moves it (the shape of
booking/transitions.py): a compare-and-set on the old status and a ClaimChange row in the
same transaction. Nothing else assigns ``Claim.status``.

    draft → submitted → under_review → approved | partly_approved | rejected
    submitted → approved | partly_approved | rejected   (decided without opening the review)
    approved | partly_approved → paid
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.errors import InvalidTransition
from vouchers.models import Claim, ClaimChange

C = Claim.Status
DECIDED = frozenset({C.APPROVED, C.PARTLY_APPROVED, C.REJECTED})
CLAIM_MOVES: dict[str, frozenset[str]] = {
    C.DRAFT: frozenset({C.SUBMITTED}),
    C.SUBMITTED: frozenset({C.UNDER_REVIEW, *DECIDED}),
    C.UNDER_REVIEW: DECIDED,
    C.APPROVED: frozenset({C.PAID}),
    C.PARTLY_APPROVED: frozenset({C.PAID}),
}


def claim_can_move(claim: Claim, to: str) -> bool:
    return to in CLAIM_MOVES.get(claim.status, frozenset())


def claim_transition(claim: Claim, *, to: str, actor, reason: str = "", **changes) -> ClaimChange:
    """Move ``claim`` to ``to`` (saving ``changes`` too) and record who, when and why.
    Raises InvalidTransition ``invalid_transition`` for an illegal move, ``state_changed``
    when another request moved the claim first."""
    from_status = claim.status
    if not claim_can_move(claim, to):
        raise InvalidTransition(
            _("Cannot change from “%(from)s” to “%(to)s”.")
            % {"from": C(from_status).label, "to": C(to).label},
            data={"status": from_status},
        )
    now = timezone.now()
    with transaction.atomic():
        updated = Claim.objects.filter(pk=claim.pk, status=from_status).update(
            status=to, updated_at=now, **changes
        )
        if updated != 1:
            current = Claim.objects.filter(pk=claim.pk).values_list("status", flat=True).first()
            raise InvalidTransition(
                _("This claim was changed by someone else in the meantime; reload and try again."),
                code="state_changed",
                data={"status": current},
            )
        for name, value in {"status": to, "updated_at": now, **changes}.items():
            setattr(claim, name, value)
        return ClaimChange.objects.create(
            claim=claim, from_status=from_status, to_status=to, actor=actor, reason=reason, at=now
        )


def claim_record_creation(claim: Claim, *, actor) -> ClaimChange:
    return ClaimChange.objects.create(
        claim=claim, from_status="", to_status=claim.status, actor=actor, at=claim.created_at
    )
