"""Many check-outs at once on PostgreSQL: every completion counted once, no deadlock,
the counters equal a recount (threads with their own connections)."""

import contextlib
import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import Region
from booking.models import Booking
from booking.services import bookings as booking_services
from config.errors import InvalidTransition
from tests.factories.accounts import make_provider, member_of
from tests.factories.booking import BookingFactory
from tests.factories.facilities import InstrumentFactory
from tracker.models import (
    CategoryMonthlyUsage,
    DailyUsage,
    FirstServed,
    ProviderMonthlyUsage,
    UsageEvent,
)
from tracker.services.reconciliation import reconciliation_run

THREADS = 8
PER_THREAD = 6


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_simultaneous_check_outs_count_once_each_and_reconcile(alice):
    if connection.vendor != "postgresql":
        pytest.skip("needs real concurrent connections")
    counties = ["330106", "330106", "330203", "330302"]
    providers = [make_provider(organisation__region=Region.objects.get(code=c)) for c in counties]
    managers = [member_of(p) for p in providers]
    instruments = [InstrumentFactory(provider=p) for p in providers]
    firm = alice.memberships.get().organisation  # one firm: all contend for its FirstServed rows
    now = timezone.now()
    work: list[list[tuple[Booking, object]]] = [[] for _ in range(THREADS)]
    for n in range(THREADS * PER_THREAD):
        i = n % len(instruments)
        start = now - dt.timedelta(days=3, hours=n)
        booking = BookingFactory(instrument=instruments[i], booked_by=alice, firm=firm,
                                 start_at=start, end_at=start + dt.timedelta(minutes=50))  # fmt: skip
        booking_services.booking_check_in(actor=managers[i], booking=booking, actual_start_at=start)
        work[n % THREADS].append((booking, managers[i]))
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def check_out(items):
        try:
            barrier.wait()
            for booking, manager in items:
                booking_services.booking_check_out(
                    actor=manager,
                    booking=booking,
                    actual_end_at=booking.start_at + dt.timedelta(minutes=45),
                )
                # …and a second click on the same booking: refused, nothing counted again.
                with contextlib.suppress(InvalidTransition):
                    booking_services.booking_check_out(actor=manager, booking=booking)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=check_out, args=(items,)) for items in work]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    total = THREADS * PER_THREAD
    assert Booking.objects.filter(status="completed").count() == total
    assert UsageEvent.objects.count() == total
    assert sum(DailyUsage.objects.values_list("count", flat=True)) == total
    assert sum(DailyUsage.objects.values_list("minutes", flat=True)) == total * 45
    # One firm: all 48 waited on its FirstServed rows, none deadlocked, two rows remain.
    assert sum(ProviderMonthlyUsage.objects.values_list("count", flat=True)) == total
    assert sum(CategoryMonthlyUsage.objects.values_list("count", flat=True)) == total
    assert FirstServed.objects.count() == 2
    assert reconciliation_run().differences == 0
