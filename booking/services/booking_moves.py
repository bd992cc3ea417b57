"""Moving a booking to another free range, or another instrument of the same provider.

One booking, moved in place: its id, its voucher holds and its history stay, so nothing
downstream counts it twice (no second creation event, no hold released and taken again;
the hold was priced on the first quote and capture at completion still takes at most
that hold of the actual fee, docs/order-events.md). A move that keeps the status
publishes no order event (no state changed); a firm's move of an approved booking onto
an instrument that needs approval goes back to ``requested`` through
``booking.transitions`` (approved → requested, who, when, why).

Locking: the instrument rows involved, in ascending id (each create path locks one of
them, so no cycle), then the booking row by compare-and-set on its old status and range.
PostgreSQL's ``booking_no_overlap`` still guards the new range; its violation becomes
``slot_taken``.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.scoping import Scope
from booking import transitions
from booking.models import Booking, BookingMove
from booking.order_events import OrderKind
from booking.payments import payment_move_check
from booking.services import booking_rules as rules
from booking.services import bookings
from booking.services.waitlist import waitlist_offer
from booking.services.waitlist_hold import check_offer_hold
from config.errors import Invalid, InvalidTransition, NotFound
from config.text import SHORT_TEXT, check_text
from facilities.models import Instrument

B = Booking.Status


def _who(actor: User, booking: Booking) -> str:
    scope = Scope.for_user(actor)
    if scope.can_manage_provider(booking.instrument.provider_id):
        return "manager"
    if scope.can_act_for_firm(booking.firm_id):
        return "firm"
    raise NotFound(_("Booking not found."), code="booking_not_found")


def _check_cutoff(booking: Booking) -> None:
    cutoff = booking.start_at - dt.timedelta(hours=booking.instrument.cancel_cutoff_hours)
    if booking.status == B.APPROVED and timezone.now() > cutoff:
        raise Invalid(
            _("Too late to move: changes close %(n)s hours before the start.")
            % {"n": booking.instrument.cancel_cutoff_hours},
            code="move_cutoff_passed",
        )


def _lock(booking: Booking, target_id: int) -> tuple:
    """Both instrument rows in ascending id; the target's with its rates (the create
    path's lock statement)."""
    locked = None
    for pk in sorted({booking.instrument_id, target_id}):
        if pk == target_id:
            locked = bookings.lock_instrument_for_booking(pk, booking.firm_id)
        else:
            Instrument.objects.select_for_update().filter(pk=pk).values_list("pk").first()
    return locked


def booking_move(
    *,
    actor: User,
    booking: Booking,
    start_at: dt.datetime,
    end_at: dt.datetime,
    instrument: int | None = None,
    reason: str = "",
) -> Booking:
    """Move an open booking (requested or approved) to [start_at, end_at) of ``instrument``
    (default its own; another must be of the same provider), atomically.

    The firm may move before the cancellation cut-off; a lab manager at any time. The new
    range obeys every rule of a new booking; the price follows the target's rate for the
    booking's client group. Errors: NotFound, Invalid (``move_cutoff_passed``,
    ``other_provider``, ``move_unchanged`` and the booking rules' codes), Conflict
    ``slot_taken`` / ``state_changed``, InvalidTransition. Side effects: a BookingMove
    row, an Announcement ``moved``, and a StateChange if the status went back to requested."""
    who = _who(actor, booking)
    if booking.status not in (B.REQUESTED, B.APPROVED):
        raise InvalidTransition(_("Only an open booking can be moved."), code="not_movable")
    if who == "firm":
        _check_cutoff(booking)
    reason = (reason or "").strip()
    check_text(reason=(reason, SHORT_TEXT))
    rules.check_range(start_at, end_at)
    target_id = instrument or booking.instrument_id
    try:
        with transaction.atomic():
            return _move_locked(actor, who, booking, target_id, start_at, end_at, reason)
    except IntegrityError as exc:
        if "booking_no_overlap" in str(exc):
            raise bookings.slot_taken() from exc
        raise


def _check_target(actor, who, booking, target, start_at, end_at) -> None:
    if target.provider_id != booking.instrument.provider_id:
        message = _("A booking moves only to an instrument of the same provider.")
        raise Invalid(message, code="other_provider", fields={"instrument": [str(message)]})
    if (target.pk, start_at, end_at) == (booking.instrument_id, booking.start_at, booking.end_at):
        raise Invalid(_("Pick a different time or instrument."), code="move_unchanged")
    rules.check_rules(target, start_at, end_at, now=timezone.now())
    rules.check_training(target, actor if who == "firm" else booking.booked_by, start_at, end_at)
    rules.check_open(target, start_at, end_at)
    clash = Booking.objects.filter(
        instrument_id=target.pk, status__in=Booking.LIVE, start_at__lt=end_at, end_at__gt=start_at
    ).exclude(pk=booking.pk)
    if clash.exists():
        raise bookings.slot_taken()
    check_offer_hold(instrument_id=target.pk, firm_id=booking.firm_id, start_at=start_at,
                     end_at=end_at, now=timezone.now())  # fmt: skip


def _move_locked(actor, who, booking, target_id, start_at, end_at, reason) -> Booking:
    locked = _lock(booking, target_id)
    target, rates, _firm_name = locked
    _check_target(actor, who, booking, target, start_at, end_at)
    rate = rules.rate_for(target, booking.client_group, rates)
    minutes = int((end_at - start_at).total_seconds() // 60)
    if target.pk != booking.instrument_id:
        # The voucher hold moves with the booking: the vouchers app says whether it still
        # pays on the new instrument (its category, its provider's eligibility).
        payment_move_check(OrderKind.BOOKING, booking, item_id=target.pk,
                           fee_fen=rules.charge_fen(minutes, rate))  # fmt: skip
    changes = {
        "instrument_id": target.pk, "start_at": start_at, "end_at": end_at,
        "rate_per_hour_fen": rate, "quote_fen": rules.charge_fen(minutes, rate),
        "reminder_sent_at": None,
    }  # fmt: skip
    record = BookingMove(
        booking=booking, from_instrument_id=booking.instrument_id, from_start_at=booking.start_at,
        from_end_at=booking.end_at, to_instrument_id=target.pk, to_start_at=start_at,
        to_end_at=end_at, from_quote_fen=booking.quote_fen, to_quote_fen=changes["quote_fen"],
        actor=actor, reason=reason,
    )  # fmt: skip
    again = who == "firm" and target.requires_approval and booking.status == B.APPROVED
    if again:
        why = reason or str(_("Moved by the firm: needs approval again."))
        transitions.transition(booking, to=B.REQUESTED, actor=actor, reason=why, **changes)
    else:
        # The status stays: a compare-and-set on the old status and range, so a
        # concurrent cancel, approval or move makes this one fail cleanly.
        now = timezone.now()
        updated = Booking.objects.filter(
            pk=booking.pk, status=booking.status, instrument_id=booking.instrument_id,
            start_at=booking.start_at, end_at=booking.end_at,
        ).update(updated_at=now, **changes)  # fmt: skip
        if updated != 1:
            raise InvalidTransition(
                _("This order was changed by someone else in the meantime; reload and try again."),
                code="state_changed",
            )
        for name, value in {"updated_at": now, **changes}.items():
            setattr(booking, name, value)
    record.save()
    booking.instrument = target
    bookings.announce(booking, "moved", reason)
    # The old range frees like a cancellation's: a firm waiting for it is offered it. (A
    # move keeping its status publishes no order event, so it says so here.)
    now = timezone.now()
    if record.from_end_at > now:
        waitlist_offer(instrument_id=record.from_instrument_id, now=now,
                       start_at=max(record.from_start_at, now), end_at=record.from_end_at)  # fmt: skip
    return booking
