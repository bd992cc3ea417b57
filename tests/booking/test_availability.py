import datetime as dt

import pytest
import time_machine

from booking.models import Booking
from booking.selectors.availability import free_intervals
from facilities.models import Instrument
from tests.factories.booking import BookingFactory, at
from tests.factories.facilities import InstrumentFactory

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 12, 1)
NOW = at(DAY - dt.timedelta(days=1), 12)


@time_machine.travel(NOW, tick=False)
def test_live_bookings_are_taken_out_and_dead_ones_are_not():
    instrument = InstrumentFactory(hours=(dt.time(9), dt.time(17)))
    BookingFactory(instrument=instrument, start_at=at(DAY, 10), end_at=at(DAY, 11))
    BookingFactory(
        instrument=instrument,
        start_at=at(DAY, 13),
        end_at=at(DAY, 14),
        status=Booking.Status.CANCELLED,
    )
    got = free_intervals(instrument=instrument, start=at(DAY, 0), end=at(DAY, 23))
    assert got == [(at(DAY, 9), at(DAY, 10)), (at(DAY, 11), at(DAY, 17))]


@time_machine.travel(NOW, tick=False)
def test_lead_time_and_horizon_clip_the_range():
    instrument = InstrumentFactory(
        hours=(dt.time(9), dt.time(17)), lead_minutes=25 * 60, horizon_days=2
    )
    # now = 30 Nov 12:00 → bookable from 1 Dec 13:00 to 2 Dec 12:00.
    nxt = DAY + dt.timedelta(days=1)
    got = free_intervals(
        instrument=instrument, start=at(DAY, 0), end=at(DAY, 0) + dt.timedelta(days=5)
    )
    assert got == [(at(DAY, 13), at(DAY, 17)), (at(nxt, 9), at(nxt, 12))]


@time_machine.travel(NOW, tick=False)
def test_pieces_align_to_slots_and_short_ones_drop():
    instrument = InstrumentFactory(
        hours=(dt.time(9), dt.time(17)), slot_minutes=60, min_minutes=120
    )
    BookingFactory(instrument=instrument, start_at=at(DAY, 10, 30), end_at=at(DAY, 11))
    BookingFactory(instrument=instrument, start_at=at(DAY, 15), end_at=at(DAY, 15, 30))
    got = free_intervals(instrument=instrument, start=at(DAY, 0), end=at(DAY, 23))
    # 9–10:30 → 9–10 (1 h, too short); 11–15 kept; 15:30–17 → 16–17 (too short)
    assert got == [(at(DAY, 11), at(DAY, 15))]


@time_machine.travel(NOW, tick=False)
def test_an_instrument_under_maintenance_has_no_free_time():
    instrument = InstrumentFactory(status=Instrument.Status.MAINTENANCE)
    assert free_intervals(instrument=instrument, start=at(DAY, 0), end=at(DAY, 23)) == []


@time_machine.travel(NOW, tick=False)
def test_costs_two_queries(django_assert_max_num_queries):
    instrument = InstrumentFactory()
    with django_assert_max_num_queries(2):
        free_intervals(
            instrument=instrument, start=at(DAY, 0), end=at(DAY, 0) + dt.timedelta(days=14)
        )


@time_machine.travel(NOW, tick=False)
def test_blackouts_are_not_free():
    from facilities.models import Blackout

    instrument = InstrumentFactory(hours=(dt.time(9), dt.time(17)))
    Blackout.objects.create(instrument=instrument, start_at=at(DAY, 12), end_at=at(DAY, 13))
    BookingFactory(instrument=instrument, start_at=at(DAY, 9), end_at=at(DAY, 10))
    got = free_intervals(instrument=instrument, start=at(DAY, 0), end=at(DAY, 23))
    assert got == [(at(DAY, 10), at(DAY, 12)), (at(DAY, 13), at(DAY, 17))]
