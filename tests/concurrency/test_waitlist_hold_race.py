"""A direct booking of offered time races the offered firm's claim: PostgreSQL, real
threads, one connection each. The offer holds the time for its claim window, so whichever
transaction takes the instrument lock first, the offered firm gets the one booking and the
direct booking is a clean 409 (``held_for_waitlist`` before the claim commits, or
``slot_taken`` after)."""

from __future__ import annotations

import time

import pytest
from django.db import connection

from booking.models import Booking, WaitlistEntry
from booking.services.bookings import booking_create
from booking.services.waitlist import waitlist_claim
from config.errors import Conflict
from tests.concurrency.test_booking_races import assert_no_overlaps, run_together
from tests.concurrency.test_waitlist_race import DAY, _member, _offered
from tests.factories.booking import at

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


@pytest.mark.parametrize("late", ["claim", "direct", None])
def test_a_direct_booking_never_takes_time_offered_to_a_waitlisted_firm(settings, late):
    """``late`` starts one side 0.3 s after the other (so each order of the instrument lock
    is seen), None at the same instant."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    instrument, [(user, entry)] = _offered(1)
    other, other_firm = _member()

    def direct():
        if late == "direct":
            time.sleep(0.3)
        return booking_create(actor=other, firm=other_firm, instrument=instrument.pk,
                              start_at=at(DAY, 10), end_at=at(DAY, 12), purpose="direct")  # fmt: skip

    def claim():
        if late == "claim":
            time.sleep(0.3)
        return waitlist_claim(actor=user, entry=entry)

    results = run_together([direct, claim])
    bookings = [r for r in results if isinstance(r, Booking)]
    refused = [r for r in results if not isinstance(r, Booking)]
    assert len(bookings) == 1 and bookings[0].firm_id == entry.firm_id, results
    assert len(refused) == 1 and isinstance(refused[0], Conflict), refused
    assert refused[0].code in ("held_for_waitlist", "slot_taken")
    live = Booking.objects.filter(instrument=instrument, status__in=Booking.LIVE)
    assert list(live.values_list("firm_id", flat=True)) == [entry.firm_id]
    assert_no_overlaps(instrument)
    assert WaitlistEntry.objects.get(pk=entry.pk).status == WaitlistEntry.Status.CLAIMED
