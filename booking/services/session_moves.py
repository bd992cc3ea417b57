"""Opening and closing a session log: the part of check-in and check-out that is the same
whoever is allowed to do it (a lab manager through ``booking_check_in`` /
``booking_check_out``, a kiosk through ``booking.services.kiosk``). Callers decide who may,
and who the operator is; the bounds come from ``session_log``. Call inside a transaction."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from booking import transitions
from booking.models import Booking, Session
from booking.services import booking_rules as rules
from booking.services import session_log
from config.errors import InvalidTransition

B = Booking.Status


def session_open(
    booking: Booking,
    *,
    actor: User,
    operator: User,
    actual_start_at: dt.datetime | None,
    notes: str,
    reason: str = "",
) -> Booking:
    """approved → checked_in, within the check-in window; the session log opened."""
    now = timezone.now()
    session_log.check_in_is_open(booking, now=now)
    start = session_log.actual_time(actual_start_at, booking=booking, now=now, field="actual_start")
    transitions.transition(booking, to=B.CHECKED_IN, actor=actor, reason=reason)
    Session.objects.create(
        booking=booking, actual_start_at=start, operator=operator, notes=(notes or "").strip()
    )
    return booking


def session_close(
    booking: Booking,
    *,
    actor: User,
    actual_end_at: dt.datetime | None,
    actual_start_at: dt.datetime | None = None,
    operator: User | None = None,
    notes: str = "",
    reason: str = "",
) -> Booking:
    """checked_in → completed; the fee from actual use (see ``booking_check_out``)."""
    session = Session.objects.select_for_update().filter(booking=booking).first()
    if session is None or booking.status != B.CHECKED_IN:
        raise InvalidTransition(
            _("Only a checked-in session can be checked out."), code="not_checked_in"
        )
    now = timezone.now()
    if actual_start_at is not None:
        session.actual_start_at = session_log.actual_time(
            actual_start_at, booking=booking, now=now, field="actual_start"
        )
    session.actual_end_at = session_log.actual_time(
        actual_end_at, booking=booking, now=now, field="actual_end"
    )
    session_log.check_length(session.actual_start_at, session.actual_end_at)
    if operator is not None:
        session.operator = operator
    if notes:
        session.notes = "\n".join(filter(None, [session.notes, notes.strip()]))
    session.save()
    used = rules.used_minutes(session.actual_start_at, session.actual_end_at)
    minutes = session_log.billed_minutes(used, min_minutes=booking.instrument.min_minutes)
    fee = rules.charge_fen(minutes, booking.rate_per_hour_fen)
    transitions.transition(booking, to=B.COMPLETED, actor=actor, fee_fen=fee, reason=reason)
    return booking
