"""Reading an uploaded .ics calendar into blackout windows (no database access here).

Recurring events are expanded with recurring-ical-events over a bounded horizon.
Limits keep a hostile or careless file from costing memory or time: its size, and the
number of occurrences it may produce.
"""

from __future__ import annotations

import datetime as dt
import hashlib
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


UID_MAX = 255  # Blackout.source_uid


def uid_key(uid: str) -> str:
    """The UID as stored: itself, or a SHA-256 of it when longer than the column (cutting
    it would make two events one, or an event a different one on the next import)."""
    if len(uid) <= UID_MAX:
        return uid
    return "sha256:" + hashlib.sha256(uid.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IcsWindow:
    uid: str  # as stored (``uid_key``)
    start_at: dt.datetime
    end_at: dt.datetime
    summary: str
    # The RECURRENCE-ID of an occurrence of a recurring event ("" for a single event, whose
    # UID alone identifies it, so moving it in the file moves the window).
    occurrence: str = ""


@dataclass(frozen=True)
class IcsCalendar:
    name: str  # X-WR-CALNAME, or ""
    windows: list[IcsWindow]


def _aware(value, *, end: bool = False) -> dt.datetime:
    """A DTSTART/DTEND value as an aware UTC datetime; floating times and dates are local."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=LOCAL_TZ)
        return value.astimezone(dt.UTC)
    if isinstance(value, dt.date):  # all-day event: local midnight
        return dt.datetime.combine(value, dt.time(0), tzinfo=LOCAL_TZ).astimezone(dt.UTC)
    raise ValueError("not a date")


def _window(component, recurring: set[str]) -> IcsWindow | None:
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
    uid = str(component.get("UID") or "")
    occurrence = ""
    if not uid:
        uid, occurrence = "nouid", start_at.isoformat()
    elif uid in recurring:
        recurrence_id = component.get("RECURRENCE-ID")
        original = _aware(recurrence_id.dt) if recurrence_id is not None else start_at
        occurrence = original.isoformat()
    return IcsWindow(
        uid=uid_key(uid),
        start_at=start_at,
        end_at=end_at,
        summary=str(component.get("SUMMARY") or ""),
        occurrence=occurrence[:40],
    )


def _recurring_uids(calendar) -> set[str]:
    """UIDs whose master event repeats (or that carry modified instances)."""
    return {
        str(c.get("UID") or "")
        for c in calendar.walk("VEVENT")
        if c.get("RRULE") or c.get("RDATE") or c.get("RECURRENCE-ID")
    }


def _refuse(message, code: str):
    return Invalid(message, code=code, fields={"file": [message]})


FREQ_SECONDS = {"SECONDLY": 1, "MINUTELY": 60, "HOURLY": 3600, "DAILY": 86400,
                "WEEKLY": 604800, "MONTHLY": 2_419_200, "YEARLY": 31_536_000}  # fmt: skip
MAX_RULE_STEPS = 100_000


def _rule_steps(component, end: dt.datetime) -> float:
    """A generous estimate of how many steps expanding the event's RRULE up to ``end``
    takes (the expander walks from DTSTART, however far back it lies)."""
    rule = component.get("RRULE")
    if not rule:
        return 1
    count = rule.get("COUNT")
    if count:
        return int(count[0])
    seconds = FREQ_SECONDS.get(str(rule.get("FREQ", ["DAILY"])[0]).upper(), 1)
    interval = max(int((rule.get("INTERVAL") or [1])[0]), 1)
    span = (end - _aware(component.get("DTSTART").dt)).total_seconds()
    steps = max(span, 0) / (seconds * interval)
    for key in ("BYSECOND", "BYMINUTE", "BYHOUR", "BYDAY", "BYMONTHDAY", "BYYEARDAY"):
        steps *= max(len(rule.get(key) or []), 1)
    return steps


def _check_rules(calendar, end: dt.datetime) -> None:
    if sum(_rule_steps(c, end) for c in calendar.walk("VEVENT")) > MAX_RULE_STEPS:
        raise _refuse(
            _("The calendar has more than %(n)s events in the next year.") % {"n": MAX_OCCURRENCES},
            "ics_too_many_events",
        )


def _expand(query, start: dt.datetime, end: dt.datetime, recurring: set[str]) -> list[IcsWindow]:
    """Occurrences in [start, end), read in windows that double from one hour, so a rule
    like FREQ=SECONDLY hits the occurrence limit after one small window, not a year."""
    seen: dict[tuple[str, str, dt.datetime], IcsWindow] = {}
    cursor, size = start, dt.timedelta(hours=1)
    while cursor < end:
        upto = min(cursor + size, end)
        for component in query.between(cursor, upto):
            window = _window(component, recurring)
            if window is not None:
                seen.setdefault((window.uid, window.occurrence, window.start_at), window)
        if len(seen) > MAX_OCCURRENCES:
            raise _refuse(
                _("The calendar has more than %(n)s events in the next year.")
                % {"n": MAX_OCCURRENCES},
                "ics_too_many_events",
            )
        cursor, size = upto, size * 2
    return _distinct(sorted(seen.values(), key=lambda w: w.start_at))


def _distinct(windows: list[IcsWindow]) -> list[IcsWindow]:
    """Two single events under one UID (some exporters write them) stay two windows: the
    later ones are told apart by their start."""
    taken: set[tuple[str, str]] = set()
    out = []
    for window in windows:
        key = (window.uid, window.occurrence)
        if key in taken:
            window = IcsWindow(window.uid, window.start_at, window.end_at, window.summary,
                               window.start_at.isoformat()[:40])  # fmt: skip
            key = (window.uid, window.occurrence)
        taken.add(key)
        out.append(window)
    return out


def parse_ics(content: bytes, *, start: dt.datetime, end: dt.datetime) -> list[IcsWindow]:
    """Every event occurrence between ``start`` and ``end``; raises Invalid on a bad file
    or one with no events in that time."""
    return read_ics(content, start=start, end=end).windows


def read_ics(
    content: bytes, *, start: dt.datetime, end: dt.datetime, allow_empty: bool = False
) -> IcsCalendar:
    """The calendar's name and every event occurrence between ``start`` and ``end``.
    ``allow_empty``: a calendar whose events have all been cancelled is a valid answer
    (re-importing it removes the windows). Raises Invalid on a bad file."""
    limit = getattr(settings, "ICS_MAX_BYTES", MAX_BYTES)
    if len(content) > limit:
        raise _refuse(
            _("The calendar file is larger than %(kb)s KB.") % {"kb": limit // 1024},
            "ics_too_large",
        )
    try:
        calendar = icalendar.Calendar.from_ical(content)
        _check_rules(calendar, end)
        query = recurring_ical_events.of(calendar, components=["VEVENT"])
        windows = _expand(query, start, end, _recurring_uids(calendar))
        name = str(calendar.get("X-WR-CALNAME") or "").strip()
    except Invalid:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure means "not a calendar we can read"
        raise _refuse(_("This is not a readable .ics calendar file."), "ics_malformed") from exc
    if not windows and not allow_empty:
        raise _refuse(_("The calendar has no events in the coming year."), "ics_empty")
    return IcsCalendar(name=name[:200], windows=windows)
