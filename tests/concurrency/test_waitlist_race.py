"""Two (and ten) waitlisted firms claim one freed range at the same instant: PostgreSQL,
real threads, one connection each. Exactly one booking; every other claim is a clean 409
``slot_taken`` and its offer goes back to waiting."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from booking.models import Booking, WaitlistEntry
from booking.services.bookings import booking_cancel, booking_create
from booking.services.waitlist import waitlist_claim, waitlist_join
from config.errors import Conflict
from tests.concurrency.test_booking_races import assert_no_overlaps, run_together
from tests.factories.accounts import UserFactory, join, make_firm, make_provider, reference_data
from tests.factories.booking import at
from tests.factories.facilities import InstrumentFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]
DAY = dt.datetime.now(tz=dt.UTC).date() + dt.timedelta(days=3)


def _member():
    firm = make_firm()
    user = UserFactory()
    join(user, firm)
    return user, firm


def _offered(n: int):
    """A booking of DAY 09:00–11:00 cancelled with ``n`` firms waiting: all offered."""
    reference_data()
    instrument = InstrumentFactory(provider=make_provider(), max_minutes=600)
    holder, holder_firm = _member()
    booking = booking_create(actor=holder, firm=holder_firm, instrument=instrument.pk,
                             start_at=at(DAY, 9), end_at=at(DAY, 11), purpose="held")  # fmt: skip
    waiting = []
    for _ in range(n):
        user, firm = _member()
        entry = waitlist_join(actor=user, firm=firm, instrument=instrument, start_at=at(DAY, 9),
                              end_at=at(DAY, 11), purpose="race")  # fmt: skip
        waiting.append((user, entry))
    booking_cancel(actor=holder, booking=booking, reason="plans changed")
    for _user, entry in waiting:
        entry.refresh_from_db()
        assert entry.status == WaitlistEntry.Status.OFFERED
    return instrument, waiting


@pytest.mark.parametrize("n", [2, 10])
def test_claims_of_one_freed_range_make_exactly_one_booking(settings, n):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    instrument, waiting = _offered(n)
    results = run_together([lambda u=u, e=e: waitlist_claim(actor=u, entry=e) for u, e in waiting])
    won = [r for r in results if isinstance(r, Booking)]
    lost = [r for r in results if not isinstance(r, Booking)]
    assert len(won) == 1, results
    assert all(isinstance(r, Conflict) and r.code == "slot_taken" for r in lost), lost
    live = Booking.objects.filter(instrument=instrument, status__in=Booking.LIVE)
    assert live.count() == 1
    assert_no_overlaps(instrument)
    statuses = sorted(WaitlistEntry.objects.values_list("status", flat=True))
    assert statuses == ["claimed"] + ["waiting"] * (n - 1)
    claimed = WaitlistEntry.objects.get(status="claimed")
    assert claimed.booking_id == won[0].pk and won[0].firm_id == claimed.firm_id


def test_two_clicks_on_one_offer_make_one_booking(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    instrument, waiting = _offered(1)
    user, entry = waiting[0]
    twin = WaitlistEntry.objects.get(pk=entry.pk)
    results = run_together([lambda: waitlist_claim(actor=user, entry=entry),
                            lambda: waitlist_claim(actor=user, entry=twin)])  # fmt: skip
    assert sum(isinstance(r, Booking) for r in results) == 1, results
    assert Booking.objects.filter(instrument=instrument, status__in=Booking.LIVE).count() == 1
    assert WaitlistEntry.objects.get(pk=entry.pk).status == "claimed"
