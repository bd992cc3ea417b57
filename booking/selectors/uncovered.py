"""Future bookings whose booker's qualification no longer covers the session: it expired
(or will before the day) or was revoked. The lab manager sees them on the instrument's
training page and decides, booking by booking, whether to cancel (with a reason)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from accounts.scoping import Scope
from booking.models import Booking
from booking.training import covers, session_day
from config.errors import NotFound
from facilities.models import Instrument, Qualification

LIVE = (Booking.Status.REQUESTED, Booking.Status.APPROVED)


def bookings_uncovered(
    *, instrument: Instrument, now: dt.datetime | None = None, limit: int = 200
) -> list[Booking]:
    """Live bookings of ``instrument`` not started yet whose booker holds no qualification
    valid on the session's day, soonest first. Empty when the instrument needs no training.
    Two queries, whatever the number of bookings."""
    if not instrument.requires_training:
        return []
    bookings = (
        Booking.objects.filter(
            instrument=instrument, status__in=LIVE, start_at__gte=now or timezone.now()
        )  # fmt: skip
        .select_related("booked_by", "firm")
        .order_by("start_at", "pk")[:2000]
    )
    return _uncovered(instrument.pk, list(bookings))[:limit]


def booking_uncovered_get(*, actor, pk: int) -> Booking:
    """A live future booking of the actor's own provider that no qualification covers;
    NotFound otherwise (not the actor's, or covered again since the page was shown)."""
    scope = Scope.for_user(actor)
    booking = (
        Booking.objects.filter(
            pk=pk,
            instrument__provider_id__in=scope.provider_ids,
            status__in=LIVE,
            start_at__gte=timezone.now(),
        )  # fmt: skip
        .select_related("instrument", "booked_by", "firm")
        .first()
    )
    if booking is None or not booking.instrument.requires_training:
        raise NotFound(code="not_found")
    if not _uncovered(booking.instrument_id, [booking]):
        raise NotFound(code="not_found")
    return booking


def _uncovered(instrument_id: int, bookings: list[Booking]) -> list[Booking]:
    if not bookings:
        return []
    emails = {(b.booked_by.email or "").lower() for b in bookings}
    rows = Qualification.objects.filter(
        Q(user_id__in={b.booked_by_id for b in bookings}) | Q(user__isnull=True, email__in=emails),
        instrument_id=instrument_id,
    )
    held: dict[object, list[Qualification]] = {}
    for q in rows:
        held.setdefault(q.user_id or q.email, []).append(q)
    return [
        b
        for b in bookings
        if not covers(
            held.get(b.booked_by_id, []) + held.get((b.booked_by.email or "").lower(), []),
            session_day(b.start_at, b.end_at),
        )
    ]
