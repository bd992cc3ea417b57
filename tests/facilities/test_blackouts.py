import datetime as dt

import pytest
from django.utils import timezone

from booking.models import Booking
from config.errors import Conflict, Invalid, NotFound
from facilities.models import Blackout
from facilities.services import blackout_create, blackout_delete
from tests.factories.accounts import make_provider, member_of
from tests.factories.facilities import InstrumentFactory

pytestmark = pytest.mark.django_db


def _at(day: int, hour: int) -> dt.datetime:
    return timezone.now().replace(microsecond=0, second=0, minute=0) + dt.timedelta(
        days=day, hours=hour
    )


def test_manager_creates_blackout(manager, provider):
    instrument = InstrumentFactory(provider=provider)
    blackout = blackout_create(
        actor=manager,
        instrument=instrument,
        start_at=_at(1, 0),
        end_at=_at(1, 4),
        kind=Blackout.Kind.MAINTENANCE,
        reason="年度校准",
    )
    assert blackout.created_by == manager
    assert blackout.source == Blackout.Source.MANUAL


def test_blackout_over_live_booking_is_refused(manager, provider, alice, firm_a):
    instrument = InstrumentFactory(provider=provider)
    Booking.objects.create(
        instrument=instrument,
        firm=firm_a,
        booked_by=alice,
        start_at=_at(2, 1),
        end_at=_at(2, 3),
        purpose="测试",
        status=Booking.Status.APPROVED,
    )
    with pytest.raises(Conflict) as err:
        blackout_create(
            actor=manager,
            instrument=instrument,
            start_at=_at(2, 0),
            end_at=_at(2, 2),
            kind=Blackout.Kind.MAINTENANCE,
            reason="",
        )
    assert err.value.code == "blackout_overlaps_bookings"
    assert err.value.data["count"] == 1
    assert not Blackout.objects.exists()


def test_blackout_over_cancelled_booking_is_allowed(manager, provider, alice, firm_a):
    instrument = InstrumentFactory(provider=provider)
    Booking.objects.create(
        instrument=instrument,
        firm=firm_a,
        booked_by=alice,
        start_at=_at(2, 1),
        end_at=_at(2, 3),
        purpose="测试",
        status=Booking.Status.CANCELLED,
    )
    blackout_create(
        actor=manager,
        instrument=instrument,
        start_at=_at(2, 0),
        end_at=_at(2, 2),
        kind=Blackout.Kind.BLACKOUT,
        reason="",
    )
    assert Blackout.objects.count() == 1


def test_other_providers_manager_gets_not_found(provider):
    instrument = InstrumentFactory(provider=provider)
    stranger = member_of(make_provider())
    with pytest.raises(NotFound):
        blackout_create(
            actor=stranger,
            instrument=instrument,
            start_at=_at(1, 0),
            end_at=_at(1, 1),
            kind=Blackout.Kind.MAINTENANCE,
            reason="",
        )


def test_end_before_start_is_invalid(manager, provider):
    instrument = InstrumentFactory(provider=provider)
    with pytest.raises(Invalid):
        blackout_create(
            actor=manager,
            instrument=instrument,
            start_at=_at(1, 2),
            end_at=_at(1, 1),
            kind=Blackout.Kind.MAINTENANCE,
            reason="",
        )


def test_manager_deletes_blackout(manager, provider):
    instrument = InstrumentFactory(provider=provider)
    blackout = blackout_create(
        actor=manager,
        instrument=instrument,
        start_at=_at(1, 0),
        end_at=_at(1, 1),
        kind=Blackout.Kind.MAINTENANCE,
        reason="",
    )
    blackout_delete(actor=manager, blackout=blackout)
    assert not Blackout.objects.exists()
