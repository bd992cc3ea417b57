import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from booking.services import bookings as booking_services
from tests.factories.booking import BookingFactory
from tests.factories.facilities import InstrumentFactory
from tracker.services.targets import plan_targets_ensure


@pytest.fixture
def instrument(provider):
    return InstrumentFactory(provider=provider)


def checked_in(instrument, manager, firm_user, *, minutes: int = 60):
    """A booking of ``instrument`` that started ``minutes`` + 5 ago, checked in."""
    start = timezone.now() - dt.timedelta(minutes=minutes + 5)
    booking = BookingFactory(
        instrument=instrument,
        firm=firm_user.memberships.get().organisation,
        booked_by=firm_user,
        start_at=start,
        end_at=start + dt.timedelta(minutes=minutes),
    )
    booking_services.booking_check_in(actor=manager, booking=booking, actual_start_at=start)
    return booking


@pytest.fixture
def complete_booking(instrument, manager, firm_a, alice):
    """A booking of ``instrument`` checked in and out through the real services."""

    def _complete(*, minutes: int = 90, firm=None, booked_by=None, inst=None, by=None):
        start = timezone.now() - dt.timedelta(minutes=minutes + 5)
        booking = BookingFactory(
            instrument=inst or instrument,
            firm=firm or firm_a,
            booked_by=booked_by or alice,
            start_at=start,
            end_at=start + dt.timedelta(minutes=minutes),
        )
        actor = by or manager
        booking_services.booking_check_in(actor=actor, booking=booking, actual_start_at=start)
        booking_services.booking_check_out(
            actor=actor, booking=booking, actual_end_at=start + dt.timedelta(minutes=minutes)
        )
        return booking

    return _complete


@pytest.fixture(autouse=True)
def _plan_targets(request):
    """The plan's targets come from a migration; a transactional test's flush removes them."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return
    request.getfixturevalue("transactional_db" if marker.kwargs.get("transaction") else "db")
    plan_targets_ensure()


@pytest.fixture
def worker_mode(monkeypatch):
    """As with a Celery worker: completions queue and schedule a fold task (recorded
    here) instead of folding inline."""
    from tracker.services import fold

    sent = []
    app = SimpleNamespace(
        conf=SimpleNamespace(task_always_eager=False),
        send_task=lambda name, **kw: sent.append((name, kw)),
    )
    monkeypatch.setattr(fold, "celery_app", app)
    monkeypatch.setattr(fold, "_scheduled_at", 0.0)
    return sent
