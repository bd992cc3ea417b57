"""One usage event per completed order, in the completion's transaction (invariant 4)."""

import pytest
from django.db import transaction

from booking.order_events import OrderKind
from tracker.models import DailyUsage, FirmMonth, MonthlyUsage, UsageEvent
from tracker.services.usage import usage_record

pytestmark = pytest.mark.django_db


def test_a_checked_out_booking_records_one_use_with_its_facts(complete_booking, provider, firm_a):
    booking = complete_booking(minutes=90)
    event = UsageEvent.objects.get()
    assert (event.order_kind, event.order_id, event.kind) == ("booking", booking.pk, "use")
    assert event.minutes == 90
    assert event.fee_fen == booking.fee_fen == 300_00
    assert event.provider_id == provider.pk and event.firm_id == firm_a.pk
    assert (event.provider_county, event.provider_city) == ("330106", "330100")
    assert event.firm_size == "small" and event.is_outside
    assert event.instrument_id == booking.instrument_id and event.service_id is None
    daily = DailyUsage.objects.get()
    assert (daily.count, daily.minutes, daily.fee_fen, daily.county) == (1, 90, 300_00, "330106")
    assert MonthlyUsage.objects.get().count == 1
    assert FirmMonth.objects.get().firm_id == firm_a.pk


def test_other_moves_record_nothing(instrument, alice):
    from tests.factories.booking import BookingFactory

    BookingFactory(instrument=instrument, booked_by=alice)
    assert not UsageEvent.objects.exists()


def test_a_completion_recorded_again_counts_once(complete_booking):
    booking = complete_booking()
    with transaction.atomic():
        again = usage_record(
            order_kind=OrderKind.BOOKING,
            order_id=booking.pk,
            completed_at=booking.updated_at,
            fee_fen=booking.fee_fen,
            voucher_fen=0,
        )
    assert again is False
    assert UsageEvent.objects.count() == 1
    assert DailyUsage.objects.get().count == 1


def test_two_completions_on_one_day_add_up(complete_booking):
    complete_booking(minutes=60)
    complete_booking(minutes=30)
    daily = DailyUsage.objects.get()
    assert (daily.count, daily.minutes) == (2, 90)


def test_a_confirmed_testing_request_records_one_batch_with_its_samples(
    provider, manager, firm_a, alice, settings, tmp_path
):
    from tests.factories.facilities import TestingServiceFactory
    from tests.factories.service_requests import ServiceRequestFactory
    from tests.service_requests.conftest import advance

    settings.MEDIA_ROOT = tmp_path
    service = TestingServiceFactory(provider=provider, price_fen=300_00, turnaround_days=5)
    sr = ServiceRequestFactory(service=service, firm=firm_a, requested_by=alice, sample_count=4)
    advance(sr, "completed", manager=manager, firm_user=alice)
    event = UsageEvent.objects.get()
    assert (event.kind, event.samples, event.service_id) == ("batch", 4, service.pk)
    assert event.on_time is True
    assert DailyUsage.objects.get(kind="batch").samples == 4


def test_an_event_adds_no_foreign_key_check_and_only_its_read_indexes(complete_booking):
    """The event's references are copies of its order's (tracker.models._copied): on the
    check-out's path the table keeps only the indexes something reads, and the rows the
    event names stay protected by the order's own foreign keys."""
    from django.db import connection
    from django.db.models import ProtectedError

    if connection.vendor != "postgresql":
        pytest.skip("the table's indexes and constraints as PostgreSQL has them")
    booking = complete_booking()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            " WHERE i.indrelid = 'tracker_usageevent'::regclass ORDER BY 1"
        )
        indexes = [name for (name,) in cursor.fetchall()]
        cursor.execute(
            "SELECT conrelid::regclass::text FROM pg_constraint WHERE contype = 'f'"
            " AND conrelid IN ('tracker_usageevent'::regclass, 'tracker_unfoldedevent'::regclass)"
        )
        foreign_keys = cursor.fetchall()
    assert [n for n in indexes if not n.endswith("_pkey")] == [
        "usage_by_day", "usage_by_provider", "usage_once_per_order"
    ]  # fmt: skip
    assert foreign_keys == []
    instrument = booking.instrument
    with pytest.raises(ProtectedError), transaction.atomic():
        instrument.delete()  # the booking's PROTECT, not the event's
    with pytest.raises(ProtectedError), transaction.atomic():
        booking.firm.delete()
    assert UsageEvent.objects.get().instrument_id == instrument.pk
