"""A re-import moving a window and a booking of the same time, at once: never both."""

import datetime as dt

import pytest
from django.db import connection

from booking.models import Booking
from config.errors import DomainError
from facilities.models import Blackout
from facilities.services import calendar_sync
from tests.concurrency.test_booking_races import _job, run_together
from tests.factories.accounts import UserFactory, join, make_firm, make_provider, reference_data
from tests.factories.booking import at
from tests.factories.facilities import InstrumentFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]
DAY = dt.datetime.now(tz=dt.UTC).date() + dt.timedelta(days=3)


def _calendar(start: dt.datetime, end: dt.datetime) -> bytes:
    stamp = "%Y%m%dT%H%M%SZ"
    return "\r\n".join([
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//race//EN", "X-WR-CALNAME:维护",
        "BEGIN:VEVENT", "UID:service@lab", f"DTSTART:{start.astimezone(dt.UTC):{stamp}}",
        f"DTEND:{end.astimezone(dt.UTC):{stamp}}", "SUMMARY:保养", "END:VEVENT", "END:VCALENDAR", "",
    ]).encode()  # fmt: skip


def test_a_window_moved_onto_a_booking_and_the_booking_never_both(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    reference_data()
    instrument = InstrumentFactory(provider=make_provider(), max_minutes=600)
    manager = UserFactory()
    join(manager, instrument.provider)
    for round_ in range(8):
        day = DAY + dt.timedelta(days=round_)
        calendar_sync(actor=manager, instrument=instrument.pk,
                      content=_calendar(at(day, 15), at(day, 16)))  # fmt: skip
        user, firm = UserFactory(), make_firm()
        join(user, firm)
        moved = _calendar(at(day, 10), at(day, 12))
        results = run_together([
            _job(user, firm, instrument, at(day, 9), at(day, 11)),
            lambda moved=moved: calendar_sync(actor=manager, instrument=instrument.pk, content=moved),
        ])  # fmt: skip
        assert all(isinstance(r, Booking | dict | DomainError) for r in results), results
        booked = Booking.objects.filter(instrument=instrument, start_at=at(day, 9)).exists()
        window = Blackout.objects.get(instrument=instrument, source_uid="service@lab")
        moved_in = window.start_at == at(day, 10)
        assert booked != moved_in, results
        assert Blackout.objects.filter(instrument=instrument).count() == 1  # moved, not copied
