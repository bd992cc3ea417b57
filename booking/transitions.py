"""The legal moves of both order state machines, and the one helper that moves state.

Nothing else assigns ``status``: ``transition`` does a compare-and-set update on
the old status (so two managers clicking at once cannot both win), writes the
StateChange row and publishes the order event (``booking.order_events``) in the same
transaction. ``record_creation`` and ``publish_creation`` do the same for a new order.
"""

from __future__ import annotations

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking.models import Booking, ServiceRequest, StateChange
from booking.order_events import OrderEvent, OrderKind, order_event_publish
from config.errors import InvalidTransition
from config.text import SHORT_TEXT, check_text

B = Booking.Status
BOOKING_MOVES: dict[str, frozenset[str]] = {
    B.REQUESTED: frozenset({B.APPROVED, B.REJECTED, B.CANCELLED}),
    # approved → requested only when the firm moves a booking onto an instrument that
    # needs approval (booking.services.booking_moves): the lab approves the new range.
    B.APPROVED: frozenset({B.CHECKED_IN, B.NO_SHOW, B.CANCELLED, B.REQUESTED}),
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
_KIND = {Booking: OrderKind.BOOKING, ServiceRequest: OrderKind.SERVICE_REQUEST}


def _provider_id(order: models.Model) -> int:
    if isinstance(order, Booking):
        return order.instrument.provider_id
    return order.service.provider_id


def order_event(
    order: models.Model, *, from_status: str, actor, at, voucher_ids=(), read=None
) -> OrderEvent:
    """The event of ``order`` having just moved from ``from_status`` to its status."""
    fee = order.fee_fen if order.fee_fen is not None else order.quote_fen
    return OrderEvent(
        order_kind=_KIND[type(order)],
        order_id=order.pk,
        from_status=from_status,
        to_status=order.status,
        fee_fen=fee,
        actor_id=actor.pk if actor is not None else None,
        at=at,
        firm_id=order.firm_id,
        provider_id=_provider_id(order),
        voucher_ids=tuple(voucher_ids),
        order=order,
        read=read,
    )


def can_move(order: models.Model, to: str) -> bool:
    return to in _MOVES[type(order)].get(order.status, frozenset())


def transition(
    order: models.Model, *, to: str, actor, reason: str = "", at=None, **changes
) -> StateChange:
    """Move ``order`` to ``to``, also saving ``changes``; raise InvalidTransition if the
    move is illegal or another request moved the order first. ``actor`` None = the system.
    ``at`` (default now) is when the move happened: only the demo data, which replays a
    past life through this same helper, passes it."""
    model = type(order)
    from_status = order.status
    check_text(reason=(reason, SHORT_TEXT))  # every reason of both machines passes here
    if not can_move(order, to):
        raise InvalidTransition(
            _("Cannot change from “%(from)s” to “%(to)s”.")
            % {"from": model.Status(from_status).label, "to": model.Status(to).label},
            data={"status": from_status},
        )
    now = at or timezone.now()
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
        before = {name: getattr(order, name) for name in ("status", "updated_at", *changes)}
        for name, value in {"status": to, "updated_at": now, **changes}.items():
            setattr(order, name, value)
        try:
            order_event_publish(order_event(order, from_status=from_status, actor=actor, at=now))
        except BaseException:
            # A subscriber refused (the transaction rolls back): the instance says what
            # the database still says.
            for name, value in before.items():
                setattr(order, name, value)
            raise
    return change


def record_creation(order: models.Model, *, actor, reason: str = "", voucher_ids=()) -> StateChange:
    """The first StateChange of a new order (from nothing to its initial status) and its
    creation event; call inside the transaction that inserted the order."""
    change = StateChange.objects.create(
        **{_HISTORY_FIELD[type(order)]: order},
        from_status="",
        to_status=order.status,
        actor=actor,
        reason=reason,
        at=order.created_at,
    )
    publish_creation(order, actor=actor, voucher_ids=voucher_ids)
    return change


def publish_creation(order: models.Model, *, actor, voucher_ids=(), read=None) -> None:
    """The creation event alone, for a path that wrote the first StateChange itself
    (``booking_insert``'s single statement; ``read``: the rows of the creation read it
    ran, ``booking.order_events.creation_read``)."""
    order_event_publish(
        order_event(order, from_status="", actor=actor, at=order.created_at,
                    voucher_ids=voucher_ids, read=read)
    )  # fmt: skip
