"""The locking protocol shared with bookings, with real concurrent connections."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone

from booking.models import Booking
from config.errors import Conflict
from facilities.models import Blackout, Instrument
from facilities.services import blackout_create
from tests.factories.facilities import InstrumentFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_blackout_waits_for_a_booking_holding_the_instrument_lock(manager, provider, alice, firm_a):
    instrument = InstrumentFactory(provider=provider)
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=2)
    locked = threading.Event()
    outcome: dict[str, object] = {}

    def book():
        # What the booking service does: lock the instrument row, check, insert, commit.
        try:
            with transaction.atomic():
                Instrument.objects.select_for_update().get(pk=instrument.pk)
                locked.set()
                assert not Blackout.objects.filter(instrument=instrument).exists()
                time.sleep(0.5)  # the blackout request arrives meanwhile
                Booking.objects.create(instrument=instrument, firm=firm_a, booked_by=alice,
                                       purpose="x", start_at=start, end_at=start + dt.timedelta(hours=2),
                                       status=Booking.Status.APPROVED)  # fmt: skip
        finally:
            connection.close()

    def black_out():
        locked.wait(5)
        try:
            blackout_create(actor=manager, instrument=instrument, start_at=start,
                            end_at=start + dt.timedelta(hours=1), kind="maintenance", reason="")  # fmt: skip
            outcome["result"] = "created"
        except Conflict as exc:
            outcome["result"] = exc.code
        finally:
            connection.close()

    threads = [threading.Thread(target=book), threading.Thread(target=black_out)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert outcome["result"] == "blackout_overlaps_bookings"
    assert Booking.objects.count() == 1
    assert not Blackout.objects.exists()
