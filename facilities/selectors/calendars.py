"""Reads of an instrument's imported .ics calendars."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from facilities.models import BlackoutCalendar, Instrument


def blackout_calendar_list(*, instrument: Instrument) -> QuerySet[BlackoutCalendar]:
    """The instrument's calendars (one query), each with ``window_count`` (all its windows)
    and ``upcoming_count`` (those not yet ended). The caller has checked the actor manages
    the instrument."""
    now = timezone.now()
    return (
        BlackoutCalendar.objects.filter(instrument=instrument)
        .annotate(
            window_count=Count("windows"),
            upcoming_count=Count("windows", filter=Q(windows__end_at__gt=now)),
        )
        .order_by("name", "pk")
    )
