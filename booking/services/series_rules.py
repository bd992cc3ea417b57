"""Expanding a recurring series into occurrences (RFC 5545 RRULE through dateutil, the
stack ``facilities.ics`` uses for blackout calendars).

Expansion runs on local wall-clock time (Asia/Shanghai): "every Tuesday 09:00" stays
09:00 whatever the UTC offset, then each occurrence becomes an aware instant.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil import rrule as du
from django.utils.translation import gettext_lazy as _

from config.errors import Invalid
from facilities.calendars import local_tz

MAX_OCCURRENCES = 260  # five years of weekly sessions, or a year of weekdays
_WEEKDAYS = (du.MO, du.TU, du.WE, du.TH, du.FR, du.SA, du.SU)


@dataclass(frozen=True)
class SeriesRule:
    """What the firm asked for. ``weekdays``: 0 = Monday (weekly rules; empty means the
    first start's weekday). Exactly one of ``until`` (a local date, inclusive) and
    ``count`` ends the series."""

    frequency: str  # BookingSeries.Frequency
    first_start_at: dt.datetime
    minutes: int
    interval: int = 1
    weekdays: tuple[int, ...] = ()
    until: dt.date | None = None
    count: int | None = None


def _invalid(code: str, message, field: str) -> Invalid:
    return Invalid(message, code=code, fields={field: [str(message)]})


def _check(rule: SeriesRule) -> None:
    if rule.first_start_at is None or rule.first_start_at.tzinfo is None:
        raise _invalid("invalid_range", _("Give a first start with a time zone."), "start")
    if rule.minutes <= 0:
        raise _invalid("end_before_start", _("The end must be after the start."), "end")
    if rule.frequency not in ("weekly", "daily", "weekdays"):
        raise _invalid("invalid_frequency", _("Choose how the series repeats."), "frequency")
    if not 1 <= rule.interval <= 30:
        raise _invalid("invalid_interval", _("Repeat every 1 to 30 days or weeks."), "interval")
    if any(not 0 <= d <= 6 for d in rule.weekdays):
        raise _invalid("invalid_weekdays", _("Unknown weekday."), "weekdays")
    if (rule.until is None) == (rule.count is None):
        raise _invalid(
            "series_end_required", _("End the series with a last date or a number of times."),
            "until",
        )  # fmt: skip
    if rule.count is not None and not 1 <= rule.count <= MAX_OCCURRENCES:
        raise _invalid(
            "too_many_occurrences",
            _("A series has at most %(n)s occurrences.") % {"n": MAX_OCCURRENCES},
            "count",
        )


def _rrule(rule: SeriesRule, local_start: dt.datetime) -> du.rrule:
    kwargs: dict = {"dtstart": local_start, "interval": rule.interval}
    if rule.count is not None:
        kwargs["count"] = rule.count
    else:
        kwargs["until"] = dt.datetime.combine(rule.until, dt.time.max)
    if rule.frequency == "daily":
        return du.rrule(du.DAILY, **kwargs)
    if rule.frequency == "weekdays":
        return du.rrule(du.WEEKLY, byweekday=_WEEKDAYS[:5], **kwargs)
    days = rule.weekdays or (local_start.weekday(),)
    return du.rrule(du.WEEKLY, byweekday=[_WEEKDAYS[d] for d in sorted(set(days))], **kwargs)


def rrule_text(rule: SeriesRule) -> str:
    """The RRULE line stored with the series (its DTSTART is the series' first start)."""
    local = rule.first_start_at.astimezone(local_tz()).replace(tzinfo=None)
    text = str(_rrule(rule, local))
    return next(line for line in text.splitlines() if line.startswith("RRULE:"))[6:]


def occurrences(rule: SeriesRule) -> list[tuple[dt.datetime, dt.datetime]]:
    """Every [start, end) of the series, in order. Errors: Invalid (the rule's field)."""
    _check(rule)
    tz = local_tz()
    local = rule.first_start_at.astimezone(tz).replace(tzinfo=None)
    length = dt.timedelta(minutes=rule.minutes)
    out = []
    for start in _rrule(rule, local):
        if len(out) == MAX_OCCURRENCES:
            raise _invalid(
                "too_many_occurrences",
                _("A series has at most %(n)s occurrences.") % {"n": MAX_OCCURRENCES},
                "until",
            )
        aware = start.replace(tzinfo=tz)
        out.append((aware, aware + length))
    if not out:
        raise _invalid("series_empty", _("This rule gives no date at all."), "until")
    return out
