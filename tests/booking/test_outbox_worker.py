"""The booking outbox end to end: a real Celery worker on the real Redis, against the test's
own PostgreSQL database, turns a committed Announcement into notifications and emails."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.db import connection
from django.utils import timezone

from booking.models import Announcement, Notification
from booking.services import announcements
from booking.services.bookings import booking_create
from tests.factories.booking import at
from tests.test_celery_worker import (  # noqa: F401 (sender is a fixture)
    QUEUE,
    TIMEOUT,
    redis_or_skip,
    sender,  # noqa: F811 (the fixture imported above)
    start_worker,
    stop_worker,
    wait_for_file,
)

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker needs PostgreSQL"),
]


def _test_database_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


def test_a_worker_delivers_a_committed_announcement(
    tmp_path,
    sender,  # noqa: F811 (the fixture imported above)
    alice,
    manager,
    instrument,
    monkeypatch,
):
    redis_or_skip()
    # This process must not deliver it itself (the suite's Celery is eager).
    monkeypatch.setattr(announcements, "_wake_courier", lambda: None)
    day = timezone.localdate() + dt.timedelta(days=3)
    booking = booking_create(actor=alice, firm=alice.memberships.get().organisation,
                             instrument=instrument, start_at=at(day, 9), end_at=at(day, 10),
                             purpose="worker test")  # fmt: skip
    assert Announcement.objects.filter(booking=booking).count() == 1
    mail_dir, log_path = tmp_path / "mail", tmp_path / "worker.log"
    mail_dir.mkdir()
    worker = start_worker(mail_dir, log_path, database_url=_test_database_url())
    try:
        sender.send_task("booking.tasks.deliver_announcements", queue=QUEUE)
        deadline = time.monotonic() + TIMEOUT
        while Announcement.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        log = log_path.read_text(errors="replace")
        assert not Announcement.objects.exists(), log
        kinds = dict(Notification.objects.values_list("user__email", "kind"))
        assert kinds == {manager.email: "booking_created", alice.email: "booking_booked"}, log
        # The emails leave through send_email tasks the courier queued on commit.
        mails = wait_for_file(mail_dir, timeout=TIMEOUT)
        assert mails, log
    finally:
        stop_worker(worker)
