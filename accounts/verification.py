"""Firm verification: the legal moves, and the one helper that moves a firm along them.

``pending → verified | rejected`` (a reviewer of the firm's region decides) and
``rejected → pending`` (the firm corrects its registration and sends it again).
Nothing else assigns ``FirmProfile.verification``: ``verification_move`` does a
compare-and-set update on the old state (two reviewers deciding at once: one wins, the
other gets ``state_changed``) and writes the FirmVerificationChange row in the same
transaction, so who verified, rejected or resubmitted, when and why is kept for good.

The profile's ``verified_by`` / ``verified_at`` / ``verification_note`` are the
decision on the registration as it stands: set by a decision, emptied by a
resubmission — the history keeps every earlier one.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import FirmProfile, FirmVerificationChange, User
from config.errors import InvalidTransition

V = FirmProfile.Verification
MOVES: dict[str, frozenset[str]] = {
    V.PENDING: frozenset({V.VERIFIED, V.REJECTED}),
    V.REJECTED: frozenset({V.PENDING}),
}
DECISIONS = frozenset({V.VERIFIED, V.REJECTED})


def can_move(firm: FirmProfile, to: str) -> bool:
    return to in MOVES.get(firm.verification, frozenset())


def verification_move(
    firm: FirmProfile, *, to: str, actor: User | None, reason: str = "", **changes
) -> FirmVerificationChange:
    """Move ``firm`` to ``to``, also saving ``changes`` (profile fields); raise
    InvalidTransition ``invalid_transition`` for an illegal move and ``state_changed`` when
    another request moved the firm first. ``actor`` None = the system (a data migration)."""
    from_state = firm.verification
    if not can_move(firm, to):
        raise InvalidTransition(
            _("A firm cannot go from “%(from)s” to “%(to)s”.")
            % {"from": V(from_state).label, "to": V(to).label},
            data={"verification": from_state},
        )
    now = timezone.now()
    decision = (
        {"verified_by": actor, "verified_at": now, "verification_note": reason}
        if to in DECISIONS
        else {"verified_by": None, "verified_at": None, "verification_note": ""}
    )
    with transaction.atomic():
        updated = FirmProfile.objects.filter(pk=firm.pk, verification=from_state).update(
            verification=to, **decision, **changes
        )
        if updated != 1:
            current = (
                FirmProfile.objects.filter(pk=firm.pk)
                .values_list("verification", flat=True)
                .first()
            )
            raise InvalidTransition(
                _("This firm was changed by someone else in the meantime; reload and try again."),
                code="state_changed",
                data={"verification": current},
            )
        change = FirmVerificationChange.objects.create(
            firm=firm, from_status=from_state, to_status=to, actor=actor, reason=reason, at=now
        )
    for name, value in {"verification": to, **decision, **changes}.items():
        setattr(firm, name, value)
    return change


def verification_record_registration(firm: FirmProfile, *, actor: User) -> FirmVerificationChange:
    """The first row of a new firm's history (from nothing to pending); call inside the
    transaction that created the firm."""
    return FirmVerificationChange.objects.create(
        firm=firm, from_status="", to_status=firm.verification, actor=actor, at=timezone.now()
    )
