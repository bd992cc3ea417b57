"""The demo data is placed relative to the moment it is seeded: nothing done lies in the
future, nothing waits in the past, every history runs forward from creation to now, and
every move went through the transition helper (so order events fired for it)."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Organisation
from booking.models import Booking, ServiceRequest, StateChange
from booking.order_events import order_events_subscribe, order_events_unsubscribe

pytestmark = pytest.mark.django_db
B = Booking.Status
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
# Each seed takes a while: two moments that once broke it (a plan overlapping itself
# after moving a weekend back; a session "checked in" hours ahead of a dawn seed).
MOMENTS = [
    dt.datetime(2026, 12, 2, 4, 40, tzinfo=SHANGHAI),  # before dawn on a Wednesday
    dt.datetime(2026, 12, 7, 7, 0, tzinfo=SHANGHAI),  # Monday before opening
]


@pytest.fixture
def events():
    seen = []
    order_events_subscribe("test.demo", seen.append)
    yield seen
    order_events_unsubscribe("test.demo")


def _history_is_forward(changes, created_at, updated_at, now):
    times = [c.at for c in changes]
    assert times == sorted(times) and times[0] == created_at, times
    assert times[-1] <= now and updated_at == times[-1]


@pytest.mark.parametrize("moment", MOMENTS, ids=lambda m: m.strftime("%a-%H%M"))
def test_demo_is_consistent_with_the_moment_it_is_seeded(moment, events):
    with time_machine.travel(moment, tick=False):
        call_command("seed_demo", verbosity=0)
        now = timezone.now()
    bookings = list(Booking.objects.select_related("session"))
    assert {b.status for b in bookings} == set(B.values)
    first_org = Organisation.objects.order_by("-created_at").first()
    for b in bookings:
        changes = list(b.history.order_by("at", "pk"))
        _history_is_forward(changes, b.created_at, b.updated_at, now)
        assert [c.to_status for c in changes][-1] == b.status
        assert b.created_at >= first_org.created_at
        if b.status in (B.REQUESTED, B.APPROVED):
            assert b.start_at > now, (b.status, b.start_at)
        if b.status in (B.CHECKED_IN, B.COMPLETED, B.NO_SHOW):
            assert b.start_at < now, (b.status, b.start_at)
        if b.status in (B.CHECKED_IN, B.COMPLETED):
            session = b.session
            assert b.check_in_opens_at <= session.actual_start_at <= now
        if b.status == B.COMPLETED:
            assert b.session.actual_end_at <= now and b.fee_fen > 0
    for sr in ServiceRequest.objects.all():
        changes = list(StateChange.objects.filter(service_request=sr).order_by("at", "pk"))
        assert sr.created_at <= sr.updated_at <= now
        assert all(c.at <= now for c in changes)
        assert sr.reported_at is None or sr.reported_at <= now
    booking_events = [e for e in events if e.order_kind == "booking"]
    # The tracker demo's years of history are written in bulk and counted by the
    # subscriber's own code (tracker.demo); every other demo booking moved through events.
    moves = StateChange.objects.filter(booking_id__in={e.order_id for e in booking_events}).count()
    assert len(booking_events) == moves  # one event per move, creation included
    assert all(e.at <= now for e in booking_events)
