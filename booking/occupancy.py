"""Booking's answers to the catalogue's questions about booked time (facilities.occupancy).

Registered from ``BookingConfig.ready()``, so facilities can filter on free time and
refuse a blackout over live bookings without importing booking.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q

from booking.models import Booking
from booking.selectors.availability import free_intervals
from facilities.calendars import Interval
from facilities.models import Instrument
from facilities.occupancy import Occupancy, occupancy_register


def _unbooked_q(start: dt.datetime, end: dt.datetime) -> Q:
    busy = Booking.objects.filter(
        instrument=OuterRef("pk"), status__in=Booking.LIVE, start_at__lt=end, end_at__gt=start
    )
    return ~Q(Exists(busy))


def _live_intervals(instrument_id: int, lo: dt.datetime, hi: dt.datetime) -> list[Interval]:
    rows = (
        Booking.objects.filter(
            instrument_id=instrument_id, status__in=Booking.LIVE, start_at__lt=hi, end_at__gt=lo
        )
        .order_by("start_at")
        .values_list("start_at", "end_at")
    )
    return list(rows)


def _free_intervals(instrument: Instrument, start: dt.datetime, end: dt.datetime):
    return free_intervals(instrument=instrument, start=start, end=end)


def booking_occupancy_register() -> None:
    occupancy_register(
        Occupancy(
            unbooked_q=_unbooked_q,
            live_intervals=_live_intervals,
            free_intervals=_free_intervals,
        )
    )
