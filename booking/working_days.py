"""China's official working days, which a testing service's turnaround counts in.

Read by the services (the due date set on acceptance and on receipt) and by the
selectors (the quote's estimated due date), so it lives beside both, not in either.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar


def is_working_day(day: dt.date) -> bool:
    """China's official working days: public holidays off, and the weekend days the State
    Council moves to work (调休) on, from ``chinese_calendar`` for the years it publishes;
    Monday to Friday for a year not announced yet."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def add_working_days(start: dt.date, days: int) -> dt.date:
    """``start`` plus ``days`` working days (``is_working_day``)."""
    day = start
    remaining = days
    while remaining > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day
