"""Invariant 4: the counters always equal a recount, even when a completion fails halfway,
is retried, or the process running it is killed."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction

from booking.models import Booking
from booking.order_events import order_events_subscribe, order_events_unsubscribe
from booking.services import bookings as booking_services
from tests.tracker.conftest import checked_in
from tracker.models import (
    CategoryMonthlyUsage,
    DailyUsage,
    FirstServed,
    MonthlyUsage,
    ProviderMonthlyUsage,
    ReconciliationRun,
    UsageEvent,
)
from tracker.services.reconciliation import reconciliation_last, reconciliation_run

pytestmark = pytest.mark.django_db
ROLLUPS = (ProviderMonthlyUsage, CategoryMonthlyUsage, FirstServed)


def test_a_clean_history_reconciles_with_no_differences(complete_booking):
    complete_booking()
    complete_booking()
    run = reconciliation_run()
    assert run.differences == 0 and not run.repaired
    assert reconciliation_last() == run


def test_a_completion_rolled_back_after_the_event_insert_counts_nothing(complete_booking):
    booking = complete_booking()  # one counted
    with pytest.raises(RuntimeError), transaction.atomic():
        complete_booking()
        assert UsageEvent.objects.count() == 2  # inserted inside the transaction …
        raise RuntimeError("the request dies before commit")
    assert list(UsageEvent.objects.values_list("order_id", flat=True)) == [booking.pk]
    assert DailyUsage.objects.get().count == 1
    assert reconciliation_run().differences == 0


def test_a_failure_after_the_usage_event_rolls_it_back_and_a_retry_counts_once(
    instrument, manager, alice
):
    booking = checked_in(instrument, manager, alice)
    seen: list[int] = []

    def dies_after_the_tracker(event):
        if event.to_status == "completed":
            seen.append(UsageEvent.objects.filter(order_id=event.order_id).count())
            raise RuntimeError("the worker dies after the usage event went in")

    order_events_subscribe("test.dies", dies_after_the_tracker)
    try:
        with pytest.raises(RuntimeError):
            booking_services.booking_check_out(actor=manager, booking=booking)
    finally:
        order_events_unsubscribe("test.dies")
    assert seen == [1]  # the event and its counts were written …
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CHECKED_IN
    assert not UsageEvent.objects.exists() and not DailyUsage.objects.exists()  # … and undone
    assert not any(model.objects.exists() for model in ROLLUPS)
    booking_services.booking_check_out(actor=manager, booking=booking)  # the retry
    assert UsageEvent.objects.count() == 1 and DailyUsage.objects.get().count == 1
    assert ProviderMonthlyUsage.objects.get().count == CategoryMonthlyUsage.objects.get().count == 1
    assert FirstServed.objects.count() == 2  # the firm's "use" row and its either-kind row
    assert reconciliation_run().differences == 0


def test_a_drifted_counter_is_found_and_repaired(complete_booking):
    complete_booking()
    complete_booking()
    MonthlyUsage.objects.update(count=5)
    run = reconciliation_run(repair=False)
    assert run.differences == 1 and not run.repaired
    assert run.details["counters"]["tracker_monthlyusage"] == 1
    repaired = reconciliation_run(repair=True)
    assert repaired.repaired and repaired.details["after_repair"]["counters"] == dict.fromkeys(
        repaired.details["counters"], 0
    )
    assert MonthlyUsage.objects.get().count == 2
    assert reconciliation_run().differences == 0


def test_a_lost_event_is_found_from_the_orders_and_put_back(complete_booking):
    lost = complete_booking()
    complete_booking()
    UsageEvent.objects.filter(order_id=lost.pk).delete()
    DailyUsage.objects.update(count=1)
    run = reconciliation_run()
    assert run.details["orders"]["booking"]["missing_ids"] == [lost.pk]
    reconciliation_run(repair=True)
    assert UsageEvent.objects.filter(order_id=lost.pk).count() == 1
    assert DailyUsage.objects.get().count == 2
    assert reconciliation_run().differences == 0


def test_the_command_reports_and_records_its_run(complete_booking, capsys):
    complete_booking()
    call_command("tracker_reconcile", "--from", "2018-01-01", "--repair")
    assert "0 differences, OK" in capsys.readouterr().out
    assert ReconciliationRun.objects.count() == 1


_KILLED_CHILD = """
import sys, time
import django
django.setup()
from accounts.models import User
from booking.models import Booking
from booking.order_events import order_events_subscribe
from booking.services import bookings as booking_services
from tracker.models import UsageEvent
marker = sys.argv[1]
from tracker.usage_trigger import usage_triggers_fire
def stall(event):
    # Runs after tracker.usage, inside the completion's transaction: the event (which the
    # completion trigger writes at COMMIT, fired here) and its queue row are written but
    # not committed when the process is killed.
    usage_triggers_fire()
    if UsageEvent.objects.filter(order_id=event.order_id).exists():
        open(marker, "w").write("event inserted")
    time.sleep(60)
order_events_subscribe("test.stall", stall)
booking = Booking.objects.get(pk=int(sys.argv[2]))
booking_services.booking_check_out(actor=User.objects.get(pk=int(sys.argv[3])), booking=booking)
"""


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_a_process_killed_after_the_usage_event_before_commit_leaves_counts_equal(
    complete_booking, instrument, manager, alice, tmp_path
):
    if connection.vendor != "postgresql":
        pytest.skip("needs a second process on the same PostgreSQL database")
    complete_booking()
    booking = checked_in(instrument, manager, alice)
    marker = tmp_path / "marker"
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    env.pop("DATABASE_REPLICA_URL", None)
    child = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", _KILLED_CHILD, str(marker), str(booking.pk), str(manager.pk)],
        cwd=Path(settings.BASE_DIR),
        env=env,
    )
    deadline = time.monotonic() + 60
    while not marker.exists() and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.05)
    assert marker.exists(), "the child never reached the event insert"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    time.sleep(0.5)  # PostgreSQL notices the dead connection and rolls its transaction back
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CHECKED_IN
    assert UsageEvent.objects.count() == 1 and DailyUsage.objects.get().count == 1
    assert ProviderMonthlyUsage.objects.get().count == CategoryMonthlyUsage.objects.get().count == 1
    assert FirstServed.objects.filter(kind="").get().event_id == UsageEvent.objects.get().pk
    assert reconciliation_run().differences == 0
