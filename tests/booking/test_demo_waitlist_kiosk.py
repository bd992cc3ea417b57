"""seed_demo leaves the demo firm an open waitlist offer, another firm waiting for one of
its bookings, and a kiosk token whose key it prints once."""

import io

import pytest
import time_machine
from django.core.management import call_command

from booking.models import Booking, InstrumentToken, WaitlistEntry
from booking.services.kiosk import instrument_token_authenticate
from tests.booking.test_demo_times import MOMENTS

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_waitlist_offer_a_waiting_firm_and_a_kiosk_key():
    out = io.StringIO()
    with time_machine.travel(MOMENTS[0], tick=False):
        call_command("seed_demo", stdout=out)
        offered = WaitlistEntry.objects.get(status="offered")
        assert offered.firm.memberships.filter(user__email="firm@demo.labshare.cn").exists()
        assert not Booking.objects.filter(
            instrument=offered.instrument, status__in=Booking.LIVE,
            start_at__lt=offered.end_at, end_at__gt=offered.start_at,
        ).exists()  # fmt: skip
        waiting = WaitlistEntry.objects.get(status="waiting")
        assert Booking.objects.filter(instrument=waiting.instrument, start_at=waiting.start_at,
                                      firm=offered.firm, status="approved").exists()  # fmt: skip
    line = next(x for x in out.getvalue().splitlines() if x.startswith("Kiosk token"))
    key = line.rsplit(" ", 1)[1]
    assert instrument_token_authenticate(key) == InstrumentToken.objects.get()
    again = io.StringIO()
    with time_machine.travel(MOMENTS[0], tick=False):
        call_command("seed_demo", stdout=again)
    assert "Kiosk token" not in again.getvalue() and InstrumentToken.objects.count() == 1
