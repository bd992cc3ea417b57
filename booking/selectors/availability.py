"""Free time of an instrument: open time minus live bookings, within the rules.

Read path of the calendar and ``GET /instruments/{id}/availability/``. It reads
only the requested window: opening hours + exceptions (one query), live
bookings starting in the window (on the ``instrument,
start_at`` index) together with blackouts — two round trips, fast whatever the
size of the booking table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from booking.models import Booking, WaitlistEntry
from facilities.calendars import Interval, local_tz, merge, open_intervals, subtract
from facilities.models import Blackout, Instrument, OpeningException, OpeningHours


def busy_intervals(instrument: Instrument, start: dt.datetime, end: dt.datetime) -> list[Interval]:
    """Live bookings overlapping [start, end), merged: the calendar's taken cells."""
    reach = max(instrument.max_minutes, 24 * 60)
    bookings, params = _live_booking_rows(instrument.pk, start, end, reach_minutes=reach)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT start_at, end_at {bookings}", params)
        rows = cursor.fetchall()
    return merge((_aware(s), _aware(e)) for s, e in rows)


def _live_booking_rows(instrument_id, start, end, *, reach_minutes) -> tuple[str, list]:
    """Live bookings overlapping [start, end) in plain SQL: (FROM … WHERE …, params).
    ``reach_minutes`` bounds how far back a booking may start and still reach into the
    window, so the ``instrument, start_at`` index range stays small."""
    adapt = connection.ops.adapt_datetimefield_value
    live = list(Booking.LIVE)
    # Only table names and placeholders are interpolated; every value is a parameter.
    sql = (
        f"FROM {Booking._meta.db_table} WHERE instrument_id = %s AND start_at >= %s"  # noqa: S608
        " AND start_at < %s AND end_at > %s"
        f" AND status IN ({', '.join(['%s'] * len(live))})"
    )
    since = start - dt.timedelta(minutes=reach_minutes)
    return sql, [instrument_id, adapt(since), adapt(end), adapt(start), *live]


def _blackout_rows(instrument_id, start, end) -> tuple[str, list]:
    """Blackouts overlapping [start, end) in plain SQL (an empty window blocks nothing, as
    ``subtract`` ignores it): (FROM … WHERE …, params)."""
    adapt = connection.ops.adapt_datetimefield_value
    sql = (
        f"FROM {Blackout._meta.db_table} WHERE instrument_id = %s"  # noqa: S608
        " AND start_at < %s AND end_at > %s AND end_at > start_at"
    )
    return sql, [instrument_id, adapt(end), adapt(start)]


def blocked_intervals(
    instrument: Instrument, start: dt.datetime, end: dt.datetime
) -> list[Interval]:
    """Blackouts and live bookings in one round trip (UNION ALL): time nobody can book.
    Plain portable SQL: the ORM spent more CPU compiling the union than PostgreSQL spent
    running it, on every calendar and availability call."""
    reach = max(instrument.max_minutes, 24 * 60)
    bookings, booking_params = _live_booking_rows(instrument.pk, start, end, reach_minutes=reach)
    blackouts, blackout_params = _blackout_rows(instrument.pk, start, end)
    sql = f"SELECT start_at, end_at {bookings} UNION ALL SELECT start_at, end_at {blackouts}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*booking_params, *blackout_params])
        rows = cursor.fetchall()
    return merge((_aware(s), _aware(e)) for s, e in rows)


def _aware(value) -> dt.datetime:
    """A datetime column read by plain SQL: PostgreSQL gives it aware; SQLite gives naive
    UTC (or text, where a UNION hides the column's declared type)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    return value if timezone.is_aware(value) else timezone.make_aware(value, dt.UTC)


def _opening_rows_sql(instrument_id: int, first: dt.date, last: dt.date) -> tuple[str, list]:
    """Weekly hours, then the dated exceptions between ``first`` and ``last``, as rows of
    (weekday or -1, date, opens_at, closes_at, is_closed): (SELECT …, params)."""
    hours, exceptions = OpeningHours._meta, OpeningException._meta
    adapt = connection.ops.adapt_datefield_value
    # Only table names are interpolated; every value is a parameter.
    sql = (
        f"SELECT weekday, NULL, opens_at, closes_at, FALSE FROM {hours.db_table}"  # noqa: S608
        " WHERE instrument_id = %s UNION ALL"
        f" SELECT -1, date, opens_at, closes_at, is_closed FROM {exceptions.db_table}"
        " WHERE instrument_id = %s AND date BETWEEN %s AND %s"
    )
    return sql, [instrument_id, instrument_id, adapt(first), adapt(last)]


def _typed_opening_rows(rows) -> list[tuple]:
    """Through the fields' ``to_python``, so SQLite's text dates and times come back typed."""
    day = OpeningException._meta.get_field("date").to_python
    time = OpeningHours._meta.get_field("opens_at").to_python
    return [(wd, day(d), time(o), time(c), bool(closed)) for wd, d, o, c, closed in rows]


def opening_rows(instrument_id: int, first: dt.date, last: dt.date) -> list[tuple]:
    """``facilities.calendars.hours_rows`` (the same rows in the same shape) in plain portable
    SQL: the ORM spent ~1 ms of CPU compiling that union on every call."""
    sql, params = _opening_rows_sql(instrument_id, first, last)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return _typed_opening_rows(cursor.fetchall())


@dataclass(frozen=True)
class SlotReads:
    """What the create path reads under the instrument lock."""

    hours: list[tuple]  # opening_rows of the days the range spans
    blacked_out: bool  # a blackout overlaps the range
    taken: bool  # a live booking overlaps the range
    held: bool = False  # an open waitlist offer overlaps the range (``waitlist_hold``)


# Markers of the three flags among the opening rows.
_BLACKOUT_ROW, _CLASH_ROW, _HELD_ROW = -2, -3, -4


def _offer_rows(instrument_id, start, end, now) -> tuple[str, list]:
    """Waitlist offers still open (claim window not passed) overlapping [start, end)."""
    adapt = connection.ops.adapt_datetimefield_value
    sql = (
        f"FROM {WaitlistEntry._meta.db_table} WHERE instrument_id = %s"  # noqa: S608
        " AND status = %s AND offer_expires_at > %s AND start_at < %s AND end_at > %s"
    )
    return sql, [instrument_id, WaitlistEntry.Status.OFFERED, adapt(now), adapt(end), adapt(start)]


def slot_reads(
    instrument_id: int,
    start: dt.datetime,
    end: dt.datetime,
    *,
    reach_minutes: int,
    now: dt.datetime | None = None,
) -> SlotReads:
    """Opening hours, blackout overlap, live-booking overlap and open waitlist offers in one
    round trip (a round trip costs more CPU than these index probes). The overlap
    conditions are those of ``blocked_intervals``; the flags ride as marked rows after the
    opening rows."""
    tz = local_tz()
    hours, hours_params = _opening_rows_sql(
        instrument_id, start.astimezone(tz).date(), end.astimezone(tz).date()
    )
    blackouts, blackout_params = _blackout_rows(instrument_id, start, end)
    bookings, booking_params = _live_booking_rows(
        instrument_id, start, end, reach_minutes=reach_minutes
    )
    offers, offer_params = _offer_rows(instrument_id, start, end, now or timezone.now())
    sql = (
        f"{hours} UNION ALL SELECT {_BLACKOUT_ROW}, NULL, NULL, NULL, EXISTS (SELECT 1 {blackouts})"
        f" UNION ALL SELECT {_CLASH_ROW}, NULL, NULL, NULL, EXISTS (SELECT 1 {bookings})"
        f" UNION ALL SELECT {_HELD_ROW}, NULL, NULL, NULL, EXISTS (SELECT 1 {offers})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*hours_params, *blackout_params, *booking_params, *offer_params])
        rows = cursor.fetchall()
    markers = (_BLACKOUT_ROW, _CLASH_ROW, _HELD_ROW)
    flags = {row[0]: bool(row[4]) for row in rows if row[0] in markers}
    return SlotReads(
        hours=_typed_opening_rows(r for r in rows if r[0] not in flags),
        blacked_out=flags[_BLACKOUT_ROW],
        taken=flags[_CLASH_ROW],
        held=flags[_HELD_ROW],
    )


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
    tz = local_tz()
    # opening_rows: the same rows as hours_rows in plain SQL (its ORM union cost ~1 ms to
    # compile on every calendar, instrument page and availability call).
    hours = opening_rows(instrument.pk, start.astimezone(tz).date(), end.astimezone(tz).date())
    opened = open_intervals(instrument=instrument, start=start, end=end, hours=hours, blackouts=[])
    if not opened:
        return []
    free = subtract(opened, blocked_intervals(instrument, start, end))
    return align(free, instrument.slot_minutes, instrument.min_minutes)
