from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from booking.models import Booking
from facilities.models import Qualification
from tests.factories.accounts import UserFactory, join, make_firm
from tests.factories.facilities import InstrumentFactory


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A Shanghai wall-clock instant, as the booking pages think about time."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_default_timezone())


def tomorrow() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=1)


class BookingFactory(factory.django.DjangoModelFactory):
    """A booking written straight to the table (no rules checked): for fixtures only."""

    class Meta:
        model = Booking

    instrument = factory.SubFactory(InstrumentFactory)
    firm = factory.LazyFunction(make_firm)
    booked_by = factory.LazyAttribute(lambda o: _member(o.firm))
    start_at = factory.LazyFunction(lambda: at(tomorrow(), 9))
    end_at = factory.LazyAttribute(lambda o: o.start_at + dt.timedelta(hours=1))
    purpose = "红外光谱表征"
    status = Booking.Status.APPROVED
    rate_per_hour_fen = 200_00
    quote_fen = factory.LazyAttribute(
        lambda o: int((o.end_at - o.start_at).total_seconds() // 60) * o.rate_per_hour_fen // 60
    )


def _member(firm):
    user = UserFactory()
    join(user, firm)
    return user


def qualify(user, instrument, *, expires_on=None, revoked=False) -> Qualification:
    return Qualification.objects.create(
        user=user,
        instrument=instrument,
        expires_on=expires_on,
        revoked_at=timezone.now() if revoked else None,
    )
