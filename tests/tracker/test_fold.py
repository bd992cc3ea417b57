"""The fold queue: a completion inserts its event and queues it; ``counters_fold`` adds a
batch to every counter in one transaction, so a fold that dies halfway leaves nothing
half-counted, and reconciliation never sees the queue as a difference. On PostgreSQL
(SQLite counts every table inline)."""

import datetime as dt
import threading

import pytest
from django.db import DatabaseError, connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from booking.services import bookings as booking_services
from tests.factories.accounts import make_provider, member_of
from tests.factories.booking import BookingFactory
from tests.factories.facilities import InstrumentFactory
from tracker import counters
from tracker.models import (
    DailyUsage,
    FirmCategoryYear,
    FirmYear,
    FirstServed,
    MonthlyUsage,
    UnfoldedEvent,
    UsageEvent,
)
from tracker.services import fold
from tracker.services.reconciliation import reconciliation_run
from tracker.usage_trigger import usage_triggers_fire

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the fold queue is PostgreSQL's"
)


def _completed(complete_booking, n: int = 1) -> None:
    """``n`` completions as far as their COMMIT: a test's transaction never commits, so
    the completion trigger, which writes the event at COMMIT, is fired here."""
    for _ in range(n):
        complete_booking()
    usage_triggers_fire()


def _folded_sum(model) -> int:
    return model.objects.aggregate(n=Sum("count"))["n"] or 0


@pytest.mark.django_db
def test_a_completion_is_queued_and_counted_by_the_fold_task_it_schedules(
    complete_booking, worker_mode, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _completed(complete_booking)
    assert worker_mode == [("tracker.tasks.fold_counters", {"countdown": 1.0})]
    event = UsageEvent.objects.get()
    assert list(UnfoldedEvent.objects.values_list("event_id", flat=True)) == [event.pk]
    assert not DailyUsage.objects.exists() and not FirstServed.objects.exists()
    assert reconciliation_run().differences == 0  # queued is not missing

    assert fold.counters_fold() == 1
    assert not UnfoldedEvent.objects.exists()
    assert _folded_sum(DailyUsage) == _folded_sum(FirmYear) == _folded_sum(FirmCategoryYear) == 1
    assert FirstServed.objects.filter(event_id=event.pk).count() == 2
    assert fold.counters_fold() == 0  # nothing twice
    assert reconciliation_run().differences == 0


@pytest.mark.django_db
def test_a_fold_reads_its_batch_once_in_one_statement(complete_booking, worker_mode):
    _completed(complete_booking, 2)
    with CaptureQueriesContext(connection) as ctx:
        assert fold.counters_fold() == 2
    events = UsageEvent._meta.db_table
    reading = [q["sql"] for q in ctx.captured_queries if events in q["sql"]]
    # One statement for every counter and tally, and the events read once in it (at 15 M
    # events, one statement per table each reading the batch again cost ~0.2 ms an event).
    assert len(reading) == 1
    assert reading[0].count(f"JOIN {events} ") == 1 and reading[0].count(f"FROM {events}") == 0
    assert _folded_sum(DailyUsage) == _folded_sum(FirmYear) == 2
    assert reconciliation_run().differences == 0


@pytest.mark.django_db
def test_one_process_schedules_one_fold_task_a_second(
    complete_booking, worker_mode, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _completed(complete_booking, 2)
    assert len(worker_mode) == 1  # the task a second later folds both
    assert UnfoldedEvent.objects.count() == 2


class _Dies:
    """A counter whose upsert fails, after the first three tables' in the fold's
    statement."""

    @staticmethod
    def fold_insert(batch: str) -> str:
        return (
            f"INSERT INTO tracker_unfoldedevent (event_id) SELECT 1 / (0 * COUNT(*)) FROM {batch}"  # noqa: S608
        )


@pytest.mark.django_db
def test_a_fold_that_dies_halfway_counts_nothing_and_the_next_fold_counts_all(
    complete_booking, worker_mode, monkeypatch
):
    _completed(complete_booking, 2)
    monkeypatch.setattr(fold, "COUNTERS", (*counters.COUNTERS[:3], _Dies(), *counters.COUNTERS[3:]))
    with pytest.raises(DatabaseError):
        fold.counters_fold()
    # The first three tables' upserts rolled back with the queue's delete.
    assert UnfoldedEvent.objects.count() == 2
    assert not DailyUsage.objects.exists() and not FirmYear.objects.exists()
    assert reconciliation_run().differences == 0

    monkeypatch.setattr(fold, "COUNTERS", counters.COUNTERS)
    assert fold.counters_fold_all() == 2
    assert _folded_sum(DailyUsage) == _folded_sum(MonthlyUsage) == _folded_sum(FirmYear) == 2
    assert reconciliation_run().differences == 0


@pytest.mark.django_db
def test_with_tasks_inline_the_completion_folds_its_own_event(complete_booking):
    complete_booking()  # tests run Celery eagerly: the embedded default's path
    assert not UnfoldedEvent.objects.exists()
    assert _folded_sum(FirmYear) == _folded_sum(DailyUsage) == 1


THREADS = 6
PER_THREAD = 5


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_check_outs_and_two_folders_at_once_count_every_event_once(alice, worker_mode):
    provider = make_provider()
    manager = member_of(provider)
    instrument = InstrumentFactory(provider=provider)
    firm = alice.memberships.get().organisation
    now = timezone.now()
    work = [[] for _ in range(THREADS)]
    for n in range(THREADS * PER_THREAD):
        start = now - dt.timedelta(days=3, hours=n)
        booking = BookingFactory(instrument=instrument, booked_by=alice, firm=firm,
                                 start_at=start, end_at=start + dt.timedelta(minutes=50))  # fmt: skip
        booking_services.booking_check_in(actor=manager, booking=booking, actual_start_at=start)
        work[n % THREADS].append(booking)
    done = threading.Event()
    barrier = threading.Barrier(THREADS + 2)
    errors: list[BaseException] = []

    def check_out(items):
        try:
            barrier.wait()
            for booking in items:
                booking_services.booking_check_out(
                    actor=manager, booking=booking,
                    actual_end_at=booking.start_at + dt.timedelta(minutes=45),
                )  # fmt: skip
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    def folder(wait):
        try:
            barrier.wait()
            while not done.is_set():
                fold.counters_fold(limit=3, wait=wait)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=check_out, args=(items,)) for items in work]
    folders = [threading.Thread(target=folder, args=(w,)) for w in (True, False)]
    for t in threads + folders:
        t.start()
    for t in threads:
        t.join()
    done.set()
    for t in folders:
        t.join()
    assert errors == []
    total = THREADS * PER_THREAD
    assert reconciliation_run().differences == 0  # whatever is still queued
    fold.counters_fold_all()
    assert not UnfoldedEvent.objects.exists()
    assert _folded_sum(FirmYear) == _folded_sum(MonthlyUsage) == _folded_sum(DailyUsage) == total
    assert FirstServed.objects.count() == 2
    assert reconciliation_run().differences == 0
