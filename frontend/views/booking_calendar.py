"""The week grid of the booking page, built on the server from the selectors' intervals.

Presentation only: which cells are free, busy or closed comes from
``free_intervals`` / ``open_intervals`` / live bookings; this module lays them out.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from django.utils import timezone

from booking.selectors.availability import busy_intervals, free_intervals
from facilities.calendars import open_intervals


@dataclass
class Cell:
    start: dt.datetime
    end: dt.datetime
    state: str  # free | busy | closed


@dataclass
class Day:
    date: dt.date
    cells: list[Cell] = field(default_factory=list)

    @property
    def free_cells(self) -> list[Cell]:
        return [c for c in self.cells if c.state == "free"]

    @property
    def is_today(self) -> bool:
        return self.date == timezone.localdate()


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _covers(intervals, start, end) -> bool:
    return any(s <= start and end <= e for s, e in intervals)


def _overlaps(intervals, start, end) -> bool:
    return any(s < end and start < e for s, e in intervals)


def step_minutes(slot_minutes: int) -> int:
    """Cell size: whole slots of at least 30 minutes, so a week stays readable."""
    return slot_minutes * math.ceil(30 / slot_minutes)


def _row_bounds(opened, tz) -> tuple[dt.time, dt.time]:
    if not opened:
        return dt.time(8), dt.time(18)
    first = min(s.astimezone(tz).time() for s, _e in opened)
    ends = [e.astimezone(tz) for _s, e in opened]
    last = max(e.time() if e.time() != dt.time(0) else dt.time(23, 59) for e in ends)
    return dt.time(first.hour), last


def build_week(instrument, monday: dt.date, *, busy=None) -> dict:
    """Rows of time × 7 days; each cell free, busy (booked) or closed. ``busy`` overrides
    the live bookings (the manager's calendar also shows finished sessions)."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(monday, dt.time.min, tzinfo=tz)
    end = start + dt.timedelta(days=7)
    opened = open_intervals(instrument=instrument, start=start, end=end)
    free = free_intervals(instrument=instrument, start=start, end=end)
    if busy is None:
        busy = busy_intervals(instrument, start, end)
    step = dt.timedelta(minutes=step_minutes(instrument.slot_minutes))
    first, last = _row_bounds(opened, tz)
    days = []
    for offset in range(7):
        date = monday + dt.timedelta(days=offset)
        day = Day(date=date)
        cursor = dt.datetime.combine(date, first, tzinfo=tz)
        stop = dt.datetime.combine(date, last, tzinfo=tz)
        while cursor + step <= stop or (cursor < stop and not day.cells):
            cell_end = cursor + step
            if _covers(free, cursor, cell_end):
                state = "free"
            elif _overlaps(busy, cursor, cell_end):
                state = "busy"
            else:
                state = "closed"
            day.cells.append(Cell(cursor, cell_end, state))
            cursor = cell_end
        days.append(day)
    rows = [c.start.astimezone(tz).strftime("%H:%M") for c in days[0].cells] if days else []
    grid = [[day.cells[i] for day in days] for i in range(len(rows))]
    return {
        "days": days,
        "rows": list(zip(rows, grid, strict=True)),
        "monday": monday,
        "prev": monday - dt.timedelta(days=7),
        "next": monday + dt.timedelta(days=7),
        "has_free": bool(free),
    }
