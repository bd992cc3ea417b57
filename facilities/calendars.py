"""When an instrument is open: weekly hours in local wall-clock time, dated
exceptions, minus blackout windows.

Opening hours are stored as Asia/Shanghai wall-clock times and turned into
instants with ``zoneinfo`` here, day by day, so a (hypothetical) offset change
never shifts a window. Everything returned is an aware datetime, sorted and
merged.

Two queries at most (hours + exceptions in one UNION, blackouts in another);
callers that already hold the rows pass them in and pay none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import BooleanField, DateField, IntegerField, Value

from facilities.models import Blackout, Instrument, OpeningException, OpeningHours

Interval = tuple[dt.datetime, dt.datetime]
# (weekday or -1, date or None, opens_at, closes_at, is_closed)
_HoursRow = tuple[int, dt.date | None, dt.time | None, dt.time | None, bool]


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sort and merge overlapping or touching intervals."""
    out: list[Interval] = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def subtract(intervals: Sequence[Interval], holes: Iterable[Interval]) -> list[Interval]:
    """``intervals`` (sorted, merged) minus ``holes``; linear after sorting the holes."""
    holes = merge(holes)
    out: list[Interval] = []
    h = 0
    for start, end in intervals:
        cursor = start
        while h < len(holes) and holes[h][1] <= cursor:
            h += 1
        k = h
        while k < len(holes) and holes[k][0] < end:
            if holes[k][0] > cursor:
                out.append((cursor, holes[k][0]))
            cursor = max(cursor, holes[k][1])
            k += 1
        if cursor < end:
            out.append((cursor, end))
    return out


def hours_rows(instrument_id: int, first: dt.date, last: dt.date) -> list[_HoursRow]:
    weekly = (
        OpeningHours.objects.filter(instrument_id=instrument_id)
        .annotate(
            d=Value(None, output_field=DateField()),
            closed=Value(False, output_field=BooleanField()),
        )
        .order_by()
        .values_list("weekday", "d", "opens_at", "closes_at", "closed")
    )
    dated = (
        OpeningException.objects.filter(instrument_id=instrument_id, date__range=(first, last))
        .annotate(wd=Value(-1, output_field=IntegerField()))
        .order_by()
        .values_list("wd", "date", "opens_at", "closes_at", "is_closed")
    )
    return list(weekly.union(dated, all=True))


def blackout_windows(instrument_id: int, start: dt.datetime, end: dt.datetime) -> list[Interval]:
    return list(
        Blackout.objects.filter(instrument_id=instrument_id, start_at__lt=end, end_at__gt=start)
        .order_by()
        .values_list("start_at", "end_at")
    )


def opening_windows(
    rows: Iterable[_HoursRow], start: dt.datetime, end: dt.datetime
) -> list[Interval]:
    """Opening hours (with exceptions) turned into instants, clipped to [start, end)."""
    tz = local_tz()
    weekly: dict[int, list[tuple[dt.time, dt.time]]] = {}
    exceptions: dict[dt.date, list[tuple[dt.time, dt.time]]] = {}
    for weekday, date, opens, closes, closed in rows:
        if date is None:
            weekly.setdefault(weekday, []).append((opens, closes))
        else:
            has_hours = not closed and opens is not None and closes is not None and closes > opens
            exceptions[date] = [(opens, closes)] if has_hours else []
    day = start.astimezone(tz).date()
    last = end.astimezone(tz).date()
    windows: list[Interval] = []
    while day <= last:
        spans = exceptions[day] if day in exceptions else weekly.get(day.weekday(), [])
        for opens, closes in spans:
            lo = max(dt.datetime.combine(day, opens, tzinfo=tz), start)
            hi = min(dt.datetime.combine(day, closes, tzinfo=tz), end)
            if lo < hi:
                windows.append((lo, hi))
        day += dt.timedelta(days=1)
    return merge(windows)


def open_intervals(
    *,
    instrument: Instrument | int,
    start: dt.datetime,
    end: dt.datetime,
    hours: Iterable[_HoursRow] | None = None,
    blackouts: Iterable[Interval] | None = None,
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The instrument's open time in [start, end): weekly hours with dated exceptions
    applied, minus blackout windows; merged, sorted, aware.

    ``hours`` (rows as ``hours_rows`` returns them) and ``blackouts`` may be passed
    when the caller already has them; pass ``blackouts=[]`` to ignore blackouts.
    """
    if end <= start:
        return []
    instrument_id = instrument if isinstance(instrument, int) else instrument.pk
    if hours is None:
        tz = local_tz()
        hours = hours_rows(instrument_id, start.astimezone(tz).date(), end.astimezone(tz).date())
    windows = opening_windows(hours, start, end)
    if not windows:
        return []
    if blackouts is None:
        blackouts = blackout_windows(instrument_id, start, end)
    return subtract(windows, blackouts)
