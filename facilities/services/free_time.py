"""The search ranking's "has free time soon": free bookable minutes in the next 7 days,
precomputed per instrument so the catalogue never computes availability per result.

``instruments_free_time_refresh`` is the beat task's work (``facilities.tasks``): it takes
the stalest rows first (never computed, then oldest), computes each one's free time as
``facilities.occupancy`` reports it (booking's bookable time: opening hours, blackouts,
live bookings, lead time and horizon), and writes the two columns with one UPDATE per
instrument — no lock on the instrument row is held across the computation, so a booking
made meanwhile is picked up by the next pass. A stale value only moves a row among equal
matches; it never hides one.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Q
from django.utils import timezone

from facilities.models import Instrument
from facilities.occupancy import free_intervals

WINDOW = dt.timedelta(days=7)
STALE_AFTER = dt.timedelta(hours=1)  # a figure older than this is recomputed
BATCH = 500
# What free_intervals never reads: the long texts and search columns.
_UNUSED = ("specifications", "main_uses", "service_content", "reference_fees", "search_text",
           "search_tokens")  # fmt: skip


def instrument_free_minutes(*, instrument: Instrument, now: dt.datetime) -> int:
    """Free bookable minutes of ``instrument`` in [now, now + 7 days)."""
    seconds = sum(
        (end - start).total_seconds()
        for start, end in free_intervals(instrument, now, now + WINDOW)
    )
    return int(seconds // 60)


def instruments_free_time_refresh(*, limit: int = BATCH, instrument_ids=None) -> int:
    """Recompute ``free_minutes_7d`` of up to ``limit`` listed instruments whose figure is
    missing or older than STALE_AFTER, stalest first (or of ``instrument_ids``, however
    fresh); returns how many were written. Idempotent; two passes over one row at once
    write the same figure."""
    now = timezone.now()
    qs = Instrument.objects.exclude(status=Instrument.Status.RETIRED).filter(is_shared=True)
    if instrument_ids is not None:
        qs = qs.filter(pk__in=list(instrument_ids))
    else:
        qs = qs.filter(Q(free_checked_at__isnull=True) | Q(free_checked_at__lt=now - STALE_AFTER))
    order = (F("free_checked_at").asc(nulls_first=True), "pk")
    rows = qs.order_by(*order).defer(*_UNUSED)[:limit]
    written = 0
    for instrument in rows:
        minutes = instrument_free_minutes(instrument=instrument, now=now)
        written += Instrument.objects.filter(pk=instrument.pk).update(
            free_minutes_7d=minutes, free_checked_at=now
        )
    return written
