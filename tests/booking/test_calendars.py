import datetime as dt

import pytest

from facilities.calendars import open_intervals
from facilities.models import Blackout, OpeningException
from tests.factories.booking import at
from tests.factories.facilities import InstrumentFactory

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 12, 1)  # a Tuesday


def test_weekly_hours_become_shanghai_instants():
    instrument = InstrumentFactory(hours=(dt.time(9), dt.time(17)))
    got = open_intervals(instrument=instrument, start=at(DAY, 0), end=at(DAY, 23))
    assert got == [(at(DAY, 9), at(DAY, 17))]
    assert got[0][0].utcoffset() == dt.timedelta(hours=8)


def test_range_clips_and_spans_days():
    instrument = InstrumentFactory(hours=(dt.time(9), dt.time(17)))
    nxt = DAY + dt.timedelta(days=1)
    got = open_intervals(instrument=instrument, start=at(DAY, 12), end=at(nxt, 10))
    assert got == [(at(DAY, 12), at(DAY, 17)), (at(nxt, 9), at(nxt, 10))]


def test_exception_closes_a_day_or_changes_its_hours():
    instrument = InstrumentFactory(hours=(dt.time(9), dt.time(17)))
    nxt = DAY + dt.timedelta(days=1)
    OpeningException.objects.create(instrument=instrument, date=DAY, is_closed=True)
    OpeningException.objects.create(
        instrument=instrument,
        date=nxt,
        is_closed=False,
        opens_at=dt.time(13),
        closes_at=dt.time(15),
    )
    got = open_intervals(instrument=instrument, start=at(DAY, 0), end=at(nxt, 23))
    assert got == [(at(nxt, 13), at(nxt, 15))]


def test_blackouts_are_cut_out_and_windows_merge(django_assert_max_num_queries):
    instrument = InstrumentFactory(hours=(dt.time(9), dt.time(17)))
    Blackout.objects.create(instrument=instrument, start_at=at(DAY, 10), end_at=at(DAY, 11))
    Blackout.objects.create(instrument=instrument, start_at=at(DAY, 10, 30), end_at=at(DAY, 12))
    with django_assert_max_num_queries(2):
        got = open_intervals(instrument=instrument, start=at(DAY, 0), end=at(DAY, 23))
    assert got == [(at(DAY, 9), at(DAY, 10)), (at(DAY, 12), at(DAY, 17))]


def test_prefetched_rows_cost_no_query(django_assert_num_queries):
    instrument = InstrumentFactory()
    hours = [(1, None, dt.time(8), dt.time(12), False), (1, None, dt.time(12), dt.time(14), False)]
    with django_assert_num_queries(0):
        got = open_intervals(
            instrument=instrument, start=at(DAY, 0), end=at(DAY, 23), hours=hours, blackouts=[]
        )
    assert got == [(at(DAY, 8), at(DAY, 14))]
