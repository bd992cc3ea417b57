"""Dates and datetimes from outside, parsed once and kept within a sane range.

Python's datetime reaches from year 1 to 9999, PostgreSQL's further; neither is a date a
booking, a filter or a session log can mean, and their edges overflow as soon as a day is
added or a zone applied (year 1 at +08:00 is year 0). Every date and datetime taken from a
query string or a body goes through here, so a bad one is a 400 naming its field.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from config.errors import Invalid

EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)


def _out_of_range(field: str) -> Invalid:
    message = _("Give a date between %(first)s and %(last)s.") % {
        "first": EARLIEST.isoformat(),
        "last": LATEST.isoformat(),
    }
    return Invalid(message, code="date_out_of_range", fields={field: [str(message)]})


def _unreadable(field: str, message) -> Invalid:
    return Invalid(message, code="bad_datetime", fields={field: [str(message)]})


def parse_day(value: str | None, *, field: str) -> dt.date | None:
    """``YYYY-MM-DD`` → date; None when empty; Invalid when unreadable or out of range."""
    if not value or not value.strip():
        return None
    try:
        day = parse_date(value.strip())
    except ValueError:
        day = None
    if day is None:
        raise _unreadable(field, _("Enter a valid date (YYYY-MM-DD)."))
    if not EARLIEST <= day <= LATEST:
        raise _out_of_range(field)
    return day


def parse_when(value: str | None, *, field: str, default_tz=None) -> dt.datetime | None:
    """ISO 8601 → aware datetime; one without an offset is taken in ``default_tz`` (the
    site's zone, as an HTML datetime-local means it). None when empty."""
    if not value or not value.strip():
        return None
    try:
        when = parse_datetime(value.strip().replace(" ", "T"))
    except ValueError:
        when = None
    if when is None:
        raise _unreadable(field, _("Enter a valid date and time."))
    if not EARLIEST <= when.date() <= LATEST:
        raise _out_of_range(field)
    if timezone.is_naive(when):
        when = timezone.make_aware(when, default_tz or timezone.get_default_timezone())
    return when


class BoundedDateTimeField(serializers.DateTimeField):
    """An API datetime: ISO 8601 **with** its offset (a bare local time is ambiguous for a
    client in another zone), between EARLIEST and LATEST."""

    default_error_messages = {
        "offset_required": _("Give the time with its UTC offset, e.g. 2026-12-01T09:00:00+08:00."),
        "out_of_range": _("Give a date between %(first)s and %(last)s.")
        % {"first": EARLIEST.isoformat(), "last": LATEST.isoformat()},
    }

    def to_internal_value(self, value):
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None
            if parsed is not None:
                if parsed.tzinfo is None:
                    self.fail("offset_required")
                if not EARLIEST <= parsed.date() <= LATEST:
                    self.fail("out_of_range")
        return super().to_internal_value(value)


class BoundedDateField(serializers.DateField):
    """An API date (YYYY-MM-DD) between EARLIEST and LATEST."""

    default_error_messages = {
        "out_of_range": _("Give a date between %(first)s and %(last)s.")
        % {"first": EARLIEST.isoformat(), "last": LATEST.isoformat()},
    }

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        if not EARLIEST <= day <= LATEST:
            self.fail("out_of_range")
        return day
