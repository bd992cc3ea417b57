"""Free time of an instrument: open time minus live bookings, within the rules.

Read path of the calendar and ``GET /instruments/{id}/availability/``. It reads
only the requested window: opening hours + exceptions (one query), live
bookings starting in the window (on the ``instrument,
start_at`` index) together with blackouts — two round trips, fast whatever the
size of the booking table.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from booking.models import Booking
from facilities.calendars import Interval, local_tz, merge, open_intervals, subtract
from facilities.models import Blackout, Instrument


def live_bookings(instrument_id: int, start: dt.datetime, end: dt.datetime, *, reach_minutes: int):
    """Live bookings overlapping [start, end). ``reach_minutes`` bounds how far back a
    booking may start and still reach into the window, so the index range stays small."""
    return Booking.objects.filter(
        instrument_id=instrument_id,
        start_at__gte=start - dt.timedelta(minutes=reach_minutes),
        start_at__lt=end,
        end_at__gt=start,
        status__in=Booking.LIVE,
    ).order_by()


def busy_intervals(instrument: Instrument, start: dt.datetime, end: dt.datetime) -> list[Interval]:
    reach = max(instrument.max_minutes, 24 * 60)
    rows = live_bookings(instrument.pk, start, end, reach_minutes=reach).values_list(
        "start_at", "end_at"
    )
    return merge(rows)


def blocked_intervals(
    instrument: Instrument, start: dt.datetime, end: dt.datetime
) -> list[Interval]:
    """Blackouts and live bookings in one round trip (UNION ALL): time nobody can book."""
    reach = max(instrument.max_minutes, 24 * 60)
    bookings = live_bookings(instrument.pk, start, end, reach_minutes=reach).values_list(
        "start_at", "end_at"
    )
    blackouts = (
        Blackout.objects.filter(instrument_id=instrument.pk, start_at__lt=end, end_at__gt=start)
        .order_by()
        .values_list("start_at", "end_at")
    )
    return merge(bookings.union(blackouts, all=True))


def bookable_window(instrument: Instrument, *, now: dt.datetime) -> Interval:
    """[now + lead time, now + horizon): when a booking may lie at all."""
    return (
        now + dt.timedelta(minutes=instrument.lead_minutes),
        now + dt.timedelta(days=instrument.horizon_days),
    )


def snap_to_grid(value: dt.datetime, slot_minutes: int, *, up: bool) -> dt.datetime:
    """Round ``value`` to the slot grid counted from local midnight (up or down)."""
    local = value.astimezone(local_tz())
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    slot = dt.timedelta(minutes=slot_minutes)
    slots, rest = divmod(local - midnight, slot)
    if up and rest:
        slots += 1
    return midnight + slots * slot


def align(intervals: list[Interval], slot_minutes: int, min_minutes: int) -> list[Interval]:
    """Shrink each interval to whole slots; drop what is shorter than ``min_minutes``."""
    shortest = dt.timedelta(minutes=min_minutes)
    out = []
    for start, end in intervals:
        lo, hi = (
            snap_to_grid(start, slot_minutes, up=True),
            snap_to_grid(end, slot_minutes, up=False),
        )
        if hi - lo >= shortest and hi > lo:
            out.append((lo, hi))
    return out


def free_intervals(
    *, instrument: Instrument, start: dt.datetime, end: dt.datetime, for_user=None
) -> list[tuple[dt.datetime, dt.datetime]]:
    """Bookable free time of ``instrument`` in [start, end): open intervals minus live
    bookings, clipped to the lead time and horizon, aligned to the slot size, pieces
    shorter than the minimum length dropped. ``for_user`` is accepted for callers that
    want per-user views later (training is checked at booking time, not here)."""
    if instrument.status != Instrument.Status.ACTIVE or not instrument.is_shared:
        return []
    lo, hi = bookable_window(instrument, now=timezone.now())
    start, end = max(start, lo), min(end, hi)
    if end <= start:
        return []
    opened = open_intervals(instrument=instrument, start=start, end=end, blackouts=[])
    if not opened:
        return []
    free = subtract(opened, blocked_intervals(instrument, start, end))
    return align(free, instrument.slot_minutes, instrument.min_minutes)
