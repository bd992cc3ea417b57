"""PostgreSQL: the usage event is written by the completion trigger at COMMIT
(tracker.usage_trigger), in the completion's transaction, once per order."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from booking.models import Booking
from booking.services import bookings as booking_services
from tests.factories.booking import BookingFactory
from tracker.models import UnfoldedEvent, UsageEvent
from tracker.services.reconciliation import reconciliation_run
from tracker.services.usage import order_facts
from tracker.usage_trigger import TRIGGERS, function_body

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the completion trigger is PostgreSQL's"
)


@pytest.mark.django_db
@pytest.mark.parametrize("order_kind", list(TRIGGERS))
def test_the_database_holds_the_trigger_this_code_builds(order_kind):
    """Migration 0021 froze the SQL: a change to the event's statement (its columns, its
    facts) fails here until a new migration re-creates the function."""
    table, name = TRIGGERS[order_kind]
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = %s", [name])
        assert cursor.fetchone()[0] == function_body(order_kind)
        cursor.execute(
            "SELECT tgdeferrable, tginitdeferred, tgenabled FROM pg_trigger"
            " WHERE tgname = %s AND tgrelid = %s::regclass",
            [name, table],
        )
        assert cursor.fetchone() == (True, True, "O")


@pytest.mark.django_db(transaction=True)
def test_the_completion_sends_no_tracker_statement_and_its_commit_writes_the_event(
    complete_booking, worker_mode
):
    with transaction.atomic():
        with CaptureQueriesContext(connection) as ctx:
            booking = complete_booking(minutes=47)
        assert not [q for q in ctx.captured_queries if "tracker_" in q["sql"]]
        # Nothing yet: the trigger is deferred to the COMMIT.
        assert not UsageEvent.objects.filter(order_id=booking.pk).exists()
    event = UsageEvent.objects.get(order_kind="booking", order_id=booking.pk)
    assert UnfoldedEvent.objects.filter(event_id=event.pk).exists()
    # The same event as the Python path's facts, with the completion's values.
    facts = order_facts("booking", booking.pk)
    assert {k: getattr(event, k) for k in facts} == facts
    booking.refresh_from_db()
    assert event.minutes == 47 and event.fee_fen == booking.fee_fen
    assert event.completed_at == booking.updated_at
    assert event.completed_on == timezone.localtime(booking.updated_at).date()
    assert event.month == event.completed_on.replace(day=1)
    assert worker_mode == [("tracker.tasks.fold_counters", {"countdown": 1.0})]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_completion_writes_no_event(complete_booking, worker_mode):
    with pytest.raises(RuntimeError), transaction.atomic():
        complete_booking()
        raise RuntimeError("the request dies before its COMMIT")
    assert not UsageEvent.objects.exists() and not UnfoldedEvent.objects.exists()


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_a_completion_that_bypasses_the_transitions_is_counted_once(
    instrument, manager, firm_a, alice, worker_mode
):
    """A data fix that sets the status by hand still counts, once; a later update of the
    completed order (its fee corrected) adds nothing."""
    start = timezone.now() - dt.timedelta(hours=2)
    booking = BookingFactory(instrument=instrument, firm=firm_a, booked_by=alice,
                             start_at=start, end_at=start + dt.timedelta(hours=1))  # fmt: skip
    booking_services.booking_check_in(actor=manager, booking=booking, actual_start_at=start)
    at = timezone.now()
    Booking.objects.filter(pk=booking.pk).update(status="completed", updated_at=at, fee_fen=12_300)
    Booking.objects.filter(pk=booking.pk).update(fee_fen=12_400, updated_at=timezone.now())
    event = UsageEvent.objects.get()
    assert (event.order_id, event.fee_fen, event.completed_at) == (booking.pk, 12_300, at)
    assert reconciliation_run().differences == 0


@pytest.mark.django_db(transaction=True)
def test_a_testing_request_completion_is_written_by_its_own_trigger(
    provider, manager, firm_a, alice, settings, tmp_path, worker_mode
):
    from tests.factories.facilities import TestingServiceFactory
    from tests.factories.service_requests import ServiceRequestFactory
    from tests.service_requests.conftest import advance

    settings.MEDIA_ROOT = tmp_path
    service = TestingServiceFactory(provider=provider, price_fen=300_00, turnaround_days=5)
    sr = ServiceRequestFactory(service=service, firm=firm_a, requested_by=alice, sample_count=4)
    advance(sr, "completed", manager=manager, firm_user=alice)
    event = UsageEvent.objects.get()
    assert (event.order_kind, event.kind, event.samples, event.on_time) == (
        "service_request", "batch", 4, True
    )  # fmt: skip
    assert event.fee_fen == 4 * 300_00 and event.service_id == service.pk
