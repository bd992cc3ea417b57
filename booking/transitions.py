"""The legal moves of both order state machines, and the one helper that moves state.

Nothing else assigns ``status``: ``transition`` does a compare-and-set update on
the old status (so two managers clicking at once cannot both win) and writes the
StateChange row in the same transaction.
"""

from __future__ import annotations

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking.models import Booking, ServiceRequest, StateChange
from config.errors import InvalidTransition

B = Booking.Status
BOOKING_MOVES: dict[str, frozenset[str]] = {
    B.REQUESTED: frozenset({B.APPROVED, B.REJECTED, B.CANCELLED}),
    B.APPROVED: frozenset({B.CHECKED_IN, B.NO_SHOW, B.CANCELLED}),
    B.CHECKED_IN: frozenset({B.COMPLETED}),
}

S = ServiceRequest.Status
SERVICE_REQUEST_MOVES: dict[str, frozenset[str]] = {
    S.SUBMITTED: frozenset({S.ACCEPTED, S.REJECTED, S.CANCELLED}),
    S.ACCEPTED: frozenset({S.SAMPLES_RECEIVED, S.REJECTED, S.CANCELLED}),
    S.SAMPLES_RECEIVED: frozenset({S.TESTING}),
    S.TESTING: frozenset({S.REPORTED}),
    S.REPORTED: frozenset({S.COMPLETED}),
}

_MOVES = {Booking: BOOKING_MOVES, ServiceRequest: SERVICE_REQUEST_MOVES}
_HISTORY_FIELD = {Booking: "booking", ServiceRequest: "service_request"}


def can_move(order: models.Model, to: str) -> bool:
    return to in _MOVES[type(order)].get(order.status, frozenset())


def transition(order: models.Model, *, to: str, actor, reason: str = "", **changes) -> StateChange:
    """Move ``order`` to ``to``, also saving ``changes``; raise InvalidTransition if the
    move is illegal or another request moved the order first. ``actor`` None = the system."""
    model = type(order)
    from_status = order.status
    if not can_move(order, to):
        raise InvalidTransition(
            _("Cannot change from “%(from)s” to “%(to)s”.")
            % {"from": model.Status(from_status).label, "to": model.Status(to).label},
            data={"status": from_status},
        )
    now = timezone.now()
    with transaction.atomic():
        updated = model.objects.filter(pk=order.pk, status=from_status).update(
            status=to, updated_at=now, **changes
        )
        if updated != 1:
            current = model.objects.filter(pk=order.pk).values_list("status", flat=True).first()
            raise InvalidTransition(
                _("This order was changed by someone else in the meantime; reload and try again."),
                code="state_changed",
                data={"status": current},
            )
        change = StateChange.objects.create(
            **{_HISTORY_FIELD[model]: order},
            from_status=from_status,
            to_status=to,
            actor=actor,
            reason=reason,
            at=now,
        )
    order.status = to
    order.updated_at = now
    for name, value in changes.items():
        setattr(order, name, value)
    return change


def record_creation(order: models.Model, *, actor, reason: str = "") -> StateChange:
    """The first StateChange of a new order (from nothing to its initial status)."""
    return StateChange.objects.create(
        **{_HISTORY_FIELD[type(order)]: order},
        from_status="",
        to_status=order.status,
        actor=actor,
        reason=reason,
        at=order.created_at,
    )
