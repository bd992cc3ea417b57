"""facilities.occupancy: the catalogue asks about booked time without importing booking."""

import datetime as dt

import pytest
from django.utils import timezone

from booking.occupancy import booking_occupancy_register
from facilities import occupancy
from facilities.services.blackouts import live_booking_clashes
from tests.factories.booking import BookingFactory, at
from tests.factories.facilities import InstrumentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def nothing_booked():
    occupancy.occupancy_register(None)
    yield
    booking_occupancy_register()


def test_booking_registers_itself_when_django_starts():
    assert occupancy._registered.live_intervals.__module__ == "booking.occupancy"


def test_live_bookings_are_seen_through_the_registered_occupancy(provider):
    instrument = InstrumentFactory(provider=provider)
    day = timezone.localdate() + dt.timedelta(days=2)
    BookingFactory(instrument=instrument, start_at=at(day, 9), end_at=at(day, 10))
    window = [(at(day, 9, 30), at(day, 11))]
    assert live_booking_clashes(instrument.pk, window) == [(at(day, 9), at(day, 10))]


def test_without_booking_nothing_is_booked_and_free_time_is_open_time(provider, nothing_booked):
    instrument = InstrumentFactory(provider=provider)
    day = timezone.localdate() + dt.timedelta(days=2)
    BookingFactory(instrument=instrument, start_at=at(day, 9), end_at=at(day, 10))
    assert live_booking_clashes(instrument.pk, [(at(day, 9), at(day, 10))]) == []
    free = occupancy.free_intervals(instrument, at(day, 0), at(day + dt.timedelta(days=1), 0))
    assert free == [(at(day, 8), at(day, 20))]  # the factory's hours, the booking not seen
