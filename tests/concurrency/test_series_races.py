"""Series and moves under real concurrency (PostgreSQL, real threads, one connection each):
invariant 1 holds, and every refusal is a clean domain error."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from booking.models import Booking
from booking.services.booking_moves import booking_move
from booking.services.bookings import booking_create
from booking.services.series import series_create
from booking.services.series_rules import SeriesRule
from config.errors import DomainError
from tests.concurrency.test_booking_races import assert_no_overlaps, run_together
from tests.factories.accounts import UserFactory, join, make_firm, make_provider, reference_data
from tests.factories.booking import at
from tests.factories.facilities import InstrumentFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]
DAY = dt.datetime.now(tz=dt.UTC).date() + dt.timedelta(days=3)
WEEKS = 8


@pytest.fixture
def setup(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    reference_data()
    provider = make_provider()
    instrument = InstrumentFactory(provider=provider, horizon_days=120)
    people = []
    for _ in range(12):
        firm = make_firm()
        user = UserFactory()
        join(user, firm)
        people.append((user, firm))
    return provider, instrument, people


def _series(user, firm, instrument, mode):
    rule = SeriesRule(frequency="weekly", first_start_at=at(DAY, 9), minutes=120, count=WEEKS)
    return lambda: series_create(actor=user, firm=firm.pk, instrument=instrument.pk, rule=rule,
                                 purpose="race", mode=mode)  # fmt: skip


def _single(user, firm, instrument, week, hour):
    start = at(DAY + dt.timedelta(weeks=week), hour)
    return lambda: booking_create(actor=user, firm=firm, instrument=instrument.pk,
                                  start_at=start, end_at=start + dt.timedelta(hours=1),
                                  purpose="race")  # fmt: skip


def test_series_racing_single_bookings_never_overlap(setup):
    _provider, instrument, people = setup
    jobs = [_series(*people[0], instrument, "all"), _series(*people[1], instrument, "free"),
            _series(*people[2], instrument, "free")]  # fmt: skip
    # Singles land inside the series' 09:00–11:00 on every other week, and beside it.
    for i, (user, firm) in enumerate(people[3:]):
        jobs.append(_single(user, firm, instrument, week=i % WEEKS, hour=9 + (i % 3)))
    results = run_together(jobs)
    for result in results:
        assert not isinstance(result, Exception) or isinstance(result, DomainError), result
        if isinstance(result, DomainError):
            assert result.code in ("slot_taken", "no_free_occurrences"), result.code
    assert_no_overlaps(instrument)
    # Every week's 09:00–11:00 went to exactly one of the contenders (nobody left it empty
    # by rolling back a half-made series).
    for week in range(WEEKS):
        start = at(DAY + dt.timedelta(weeks=week), 9)
        live = Booking.objects.filter(instrument=instrument, status__in=Booking.LIVE,
                                      start_at__lt=start + dt.timedelta(hours=2),
                                      end_at__gt=start)  # fmt: skip
        assert live.exists()


def test_a_move_racing_a_booking_of_the_target_range_one_wins(setup):
    provider, instrument, people = setup
    (mover, firm_a), (rival, firm_b) = people[0], people[1]
    for _round in range(5):
        source = at(DAY + dt.timedelta(days=1 + _round), 9)
        target = at(DAY + dt.timedelta(days=1 + _round), 15)
        booked = booking_create(actor=mover, firm=firm_a, instrument=instrument.pk,
                                start_at=source, end_at=source + dt.timedelta(hours=1),
                                purpose="to move")  # fmt: skip
        move = lambda b=booked, t=target: booking_move(  # noqa: E731
            actor=mover, booking=b, start_at=t, end_at=t + dt.timedelta(hours=1)
        )
        book = lambda t=target: booking_create(  # noqa: E731
            actor=rival, firm=firm_b, instrument=instrument.pk, start_at=t,
            end_at=t + dt.timedelta(hours=1), purpose="rival")  # fmt: skip
        results = run_together([move, book])
        wins = [r for r in results if not isinstance(r, Exception)]
        losses = [r for r in results if isinstance(r, Exception)]
        assert len(wins) == 1, results
        assert [getattr(e, "code", e) for e in losses] == ["slot_taken"]
        assert Booking.objects.filter(instrument=instrument, status__in=Booking.LIVE,
                                      start_at=target).count() == 1  # fmt: skip
        assert_no_overlaps(instrument)
