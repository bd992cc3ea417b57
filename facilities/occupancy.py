"""What the catalogue needs to know about booked time, answered by the app that books it.

facilities lies under booking (DESIGN.md's layers), so it never reads bookings itself.
booking registers an ``Occupancy`` in its ``AppConfig.ready()``
(``booking.occupancy``); until one is registered nothing counts as booked and free
time is open time, so the catalogue works on its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q

from facilities.calendars import Interval, open_intervals
from facilities.models import Instrument


@dataclass(frozen=True)
class Occupancy:
    # Q over Instrument: no live booking overlaps [start, end).
    unbooked_q: Callable[[dt.datetime, dt.datetime], Q]
    # (start, end) of the instrument's live bookings overlapping [lo, hi), by start.
    live_intervals: Callable[[int, dt.datetime, dt.datetime], list[Interval]]
    # Bookable free time of an instrument in [start, end).
    free_intervals: Callable[[Instrument, dt.datetime, dt.datetime], list[Interval]]


def _open_time(instrument: Instrument, start: dt.datetime, end: dt.datetime) -> list[Interval]:
    return list(open_intervals(instrument=instrument, start=start, end=end))


_NOTHING_BOOKED = Occupancy(
    unbooked_q=lambda start, end: Q(),
    live_intervals=lambda instrument_id, lo, hi: [],
    free_intervals=_open_time,
)
_registered: Occupancy = _NOTHING_BOOKED


def occupancy_register(occupancy: Occupancy | None) -> None:
    """Install the app that books instruments (``None`` puts back "nothing booked")."""
    global _registered
    _registered = occupancy or _NOTHING_BOOKED


def unbooked_q(start: dt.datetime, end: dt.datetime) -> Q:
    return _registered.unbooked_q(start, end)


def live_intervals(instrument_id: int, lo: dt.datetime, hi: dt.datetime) -> list[Interval]:
    return _registered.live_intervals(instrument_id, lo, hi)


def free_intervals(instrument: Instrument, start: dt.datetime, end: dt.datetime) -> list[Interval]:
    return _registered.free_intervals(instrument, start, end)
