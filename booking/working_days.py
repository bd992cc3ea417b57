"""China's official working days, which a testing service's turnaround counts in.

Read by the services (the due date set on acceptance and on receipt) and by the
selectors (the quote's estimated due date), so it lives beside both, not in either.

The State Council's schedule is data (``booking.models.holidays``), entered by the site
administrator when announced. For a year without one the statutory holidays
(``booking.statutory_holidays``) are skipped besides weekends, and a due date counted
through such a year is *provisional*: the bridging days and 调休 are not known yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from booking.models.holidays import HolidaySchedule, OfficialDay
from booking.statutory_holidays import statutory_holidays


@dataclass(frozen=True)
class Due:
    on: dt.date
    provisional: bool


@dataclass
class WorkingCalendar:
    """Loads each year's schedule once (one query per year) for a run of day checks."""

    _years: dict[int, tuple[bool, set[dt.date], set[dt.date]]] = field(default_factory=dict)

    def _year(self, year: int) -> tuple[bool, set[dt.date], set[dt.date]]:
        if year not in self._years:
            rows = list(OfficialDay.objects.filter(schedule_id=year).values_list("date", "kind"))
            announced = bool(rows) or HolidaySchedule.objects.filter(year=year).exists()
            if announced:
                off = {d for d, kind in rows if kind == OfficialDay.Kind.HOLIDAY}
                on = {d for d, kind in rows if kind == OfficialDay.Kind.WORKDAY}
            else:
                off, on = set(statutory_holidays(year)), set()
            self._years[year] = (announced, off, on)
        return self._years[year]

    def is_announced(self, year: int) -> bool:
        return self._year(year)[0]

    def is_working_day(self, day: dt.date) -> bool:
        _announced, off, on = self._year(day.year)
        if day in on:
            return True
        return day.weekday() < 5 and day not in off


def is_working_day(day: dt.date) -> bool:
    """Official days off and 调休 working days from the schedule; for a year not announced
    yet, Monday to Friday less the statutory holidays."""
    return WorkingCalendar().is_working_day(day)


def working_days_due(start: dt.date, days: int) -> Due:
    """The day ``days`` working days after ``start``, and whether it is provisional (some
    day counted lies in a year whose schedule is not announced)."""
    calendar = WorkingCalendar()
    day = start
    remaining = days
    provisional = False
    while remaining > 0:
        day += dt.timedelta(days=1)
        provisional = provisional or not calendar.is_announced(day.year)
        if calendar.is_working_day(day):
            remaining -= 1
    return Due(on=day, provisional=provisional)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """``start`` plus ``days`` working days (``working_days_due``)."""
    return working_days_due(start, days).on
