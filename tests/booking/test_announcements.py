"""The booking outbox: announcements are written with the change and delivered after it."""

from __future__ import annotations

import pytest

from booking.models import Announcement, Booking, Notification
from booking.services import announcements
from booking.services.announcements import announcements_deliver
from booking.services.bookings import booking_approve, booking_create
from booking.tasks.bookings import deliver_announcements
from tests.booking.conftest import DAY
from tests.factories.booking import BookingFactory, at
from tests.factories.facilities import InstrumentFactory

pytestmark = pytest.mark.django_db


def _book(alice, instrument, hour=9):
    return booking_create(actor=alice, firm=alice.memberships.get().organisation,
                          instrument=instrument, start_at=at(DAY, hour),
                          end_at=at(DAY, hour + 1), purpose="FTIR")  # fmt: skip


def test_creation_queues_its_announcement_and_the_commit_delivers_it(
    frozen, alice, manager, instrument, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        booking = _book(alice, instrument)
        queued = list(Announcement.objects.values_list("booking_id", "event"))
        assert queued == [(booking.pk, "created")]
        assert not Notification.objects.exists()  # nothing is sent inside the transaction
    for callback in callbacks:
        callback()
    assert not Announcement.objects.exists()
    kinds = dict(Notification.objects.values_list("user__email", "kind"))
    assert kinds == {manager.email: "booking_created", alice.email: "booking_booked"}


def test_a_transition_and_its_announcement_commit_together(
    frozen, alice, manager, provider, django_capture_on_commit_callbacks
):
    gated = InstrumentFactory(provider=provider, requires_approval=True)
    with django_capture_on_commit_callbacks(execute=True):
        booking = _book(alice, gated)
    with django_capture_on_commit_callbacks() as callbacks:
        booking_approve(actor=manager, booking=booking, reason="ok")
        assert Announcement.objects.get().event == "approved"
        assert Booking.objects.get(pk=booking.pk).status == Booking.Status.APPROVED
    assert len(callbacks) == 1


def test_one_broken_announcement_does_not_hold_up_the_queue(
    frozen, alice, manager, instrument, monkeypatch, caplog
):
    good = BookingFactory(instrument=instrument, firm=alice.memberships.get().organisation,
                          booked_by=alice)  # fmt: skip
    bad = BookingFactory(instrument=instrument, start_at=at(DAY, 14), end_at=at(DAY, 15))
    Announcement.objects.create(booking=bad, event="created")
    Announcement.objects.create(booking=good, event="approved")
    from booking.services import booking_notices

    original = booking_notices.announce

    def flaky(booking_id, event, reason="", **kwargs):
        if booking_id == bad.pk:
            raise RuntimeError("mail template broke")
        return original(booking_id, event, reason, **kwargs)

    monkeypatch.setattr(booking_notices, "announce", flaky)
    assert announcements_deliver() == 2
    assert not Announcement.objects.exists()
    assert list(Notification.objects.values_list("user_id", "kind")) == [
        (alice.pk, "booking_approved")
    ]
    assert "mail template broke" in caplog.text


def test_the_task_empties_a_queue_longer_than_a_batch(frozen, instrument, monkeypatch):
    monkeypatch.setattr(announcements, "BATCH", 3)
    booking = BookingFactory(instrument=instrument)
    Announcement.objects.bulk_create(
        [Announcement(booking=booking, event="reminder") for _ in range(7)]
    )
    assert deliver_announcements() == 7
    assert not Announcement.objects.exists()


@pytest.fixture
def with_a_broker():
    """Celery as production runs it (the suite runs it eager)."""
    conf = deliver_announcements.app.conf
    eager, conf.task_always_eager = conf.task_always_eager, False
    yield
    conf.task_always_eager = eager


def test_web_processes_wake_the_courier_at_most_once_a_second(with_a_broker, monkeypatch):
    sent = []
    monkeypatch.setattr(deliver_announcements, "apply_async", lambda **kw: sent.append(kw))
    monkeypatch.setattr(announcements, "_last_wake", 0.0)
    clock = iter([100.0, 100.4, 100.9, 101.2])
    monkeypatch.setattr(announcements.time, "monotonic", lambda: next(clock))
    for _ in range(4):
        announcements._wake_courier()
    assert len(sent) == 2  # at 100.0 and 101.2; the rows queued between ride along


def test_a_broker_outage_leaves_the_row_for_the_sweep(with_a_broker, monkeypatch, caplog):
    monkeypatch.setattr(announcements, "_last_wake", 0.0)

    def down(**kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(deliver_announcements, "apply_async", down)
    announcements._wake_courier()  # no exception reaches the request
    assert "could not wake the announcement courier" in caplog.text


def test_a_batch_reads_its_bookings_and_managers_once(frozen, alice, manager, instrument):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    firm = alice.memberships.get().organisation
    bookings = [
        BookingFactory(instrument=instrument, firm=firm, booked_by=alice,
                       start_at=at(DAY, hour), end_at=at(DAY, hour + 1))
        for hour in (9, 11, 13, 15)
    ]  # fmt: skip
    Announcement.objects.bulk_create([Announcement(booking=b, event="created") for b in bookings])
    with CaptureQueriesContext(connection) as queries:
        assert announcements_deliver() == 4
    reads = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert sum('"booking_booking"' in sql for sql in reads) == 1
    assert sum('"accounts_membership"' in sql for sql in reads) == 1
    assert Notification.objects.filter(user=manager, kind="booking_created").count() == 4
