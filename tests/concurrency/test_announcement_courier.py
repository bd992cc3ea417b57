"""Parallel couriers share the booking outbox without announcing anything twice
(PostgreSQL, SKIP LOCKED, real threads with a connection each)."""

from __future__ import annotations

import pytest
from django.db import connection

from booking.models import Announcement, Notification
from booking.services.announcements import announcements_deliver
from tests.concurrency.test_booking_races import run_together
from tests.factories.accounts import UserFactory, join, make_firm
from tests.factories.booking import BookingFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]
COURIERS = 4
QUEUED = 60


def test_parallel_couriers_deliver_each_announcement_exactly_once(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    firm = make_firm()
    user = UserFactory()
    join(user, firm)
    booking = BookingFactory(firm=firm, booked_by=user)
    Announcement.objects.bulk_create(
        [Announcement(booking=booking, event="approved", reason=str(i)) for i in range(QUEUED)]
    )

    def courier():
        delivered = 0
        while n := announcements_deliver(limit=5):
            delivered += n
        return delivered

    results = run_together([courier] * COURIERS)
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == QUEUED
    assert not Announcement.objects.exists()
    assert Notification.objects.filter(user=user, kind="booking_approved").count() == QUEUED
