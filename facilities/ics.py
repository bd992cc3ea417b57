"""Reading an uploaded .ics calendar into blackout windows (no database access here).

Recurring events are expanded with recurring-ical-events over a bounded horizon.
Limits keep a hostile or careless file from costing memory or time: its size, and the
number of occurrences it may produce.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from config.errors import Invalid

MAX_BYTES = 1024 * 1024
MAX_OCCURRENCES = 2000
LOCAL_TZ = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class IcsWindow:
    uid: str
    start_at: dt.datetime
    end_at: dt.datetime
    summary: str


def _aware(value, *, end: bool = False) -> dt.datetime:
    """A DTSTART/DTEND value as an aware UTC datetime; floating times and dates are local."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=LOCAL_TZ)
        return value.astimezone(dt.UTC)
    if isinstance(value, dt.date):  # all-day event: local midnight
        return dt.datetime.combine(value, dt.time(0), tzinfo=LOCAL_TZ).astimezone(dt.UTC)
    raise ValueError("not a date")


def _window(component) -> IcsWindow | None:
    start = component.get("DTSTART")
    if start is None:
        return None
    start_at = _aware(start.dt)
    end = component.get("DTEND")
    if end is not None:
        end_at = _aware(end.dt)
    elif component.get("DURATION") is not None:
        end_at = start_at + component.get("DURATION").dt
    elif not isinstance(start.dt, dt.datetime):
        end_at = start_at + dt.timedelta(days=1)
    else:
        return None
    if end_at <= start_at:
        return None
    uid = str(component.get("UID") or f"nouid-{start_at.isoformat()}")
    return IcsWindow(
        uid=uid, start_at=start_at, end_at=end_at, summary=str(component.get("SUMMARY") or "")
    )


def _refuse(message, code: str):
    return Invalid(message, code=code, fields={"file": [message]})


def parse_ics(content: bytes, *, start: dt.datetime, end: dt.datetime) -> list[IcsWindow]:
    """Every event occurrence between ``start`` and ``end``; raises Invalid on a bad file."""
    limit = getattr(settings, "ICS_MAX_BYTES", MAX_BYTES)
    if len(content) > limit:
        raise _refuse(
            _("The calendar file is larger than %(kb)s KB.") % {"kb": limit // 1024},
            "ics_too_large",
        )
    try:
        calendar = icalendar.Calendar.from_ical(content)
        occurrences = recurring_ical_events.of(calendar, components=["VEVENT"]).after(start)
        windows = []
        for component in occurrences:
            window = _window(component)
            if window is None:
                continue
            if window.start_at >= end:
                break
            windows.append(window)
            if len(windows) > MAX_OCCURRENCES:
                raise _refuse(
                    _("The calendar has more than %(n)s events in the next year.")
                    % {"n": MAX_OCCURRENCES},
                    "ics_too_many_events",
                )
    except Invalid:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure means "not a calendar we can read"
        raise _refuse(_("This is not a readable .ics calendar file."), "ics_malformed") from exc
    if not windows:
        raise _refuse(_("The calendar has no events in the coming year."), "ics_empty")
    return windows
