"""The ranking's "has free time soon" (issue 15): a precomputed figure of free bookable
minutes in the next 7 days, refreshed by a beat task, ranks equal matches — never an
availability computation per result at query time."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from facilities.models import Instrument
from facilities.selectors import CatalogueFilters, instrument_search
from facilities.services.free_time import instruments_free_time_refresh
from facilities.tasks import refresh_free_time
from tests.factories.booking import BookingFactory, at
from tests.factories.facilities import InstrumentFactory

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 12, 7, 0, 0, tzinfo=timezone.get_default_timezone())


def test_free_minutes_count_open_time_less_live_bookings():
    with time_machine.travel(MONDAY, tick=False):
        idle = InstrumentFactory()  # open 08:00–20:00 every day
        busy = InstrumentFactory()
        BookingFactory(instrument=busy, start_at=at(MONDAY.date(), 9),
                       end_at=at(MONDAY.date(), 11))  # fmt: skip
        closed = InstrumentFactory()
        closed.opening_hours.all().delete()
        assert instruments_free_time_refresh() == 3
    by_pk = {i.pk: i for i in Instrument.objects.all()}
    assert by_pk[idle.pk].free_minutes_7d == 7 * 12 * 60
    assert by_pk[busy.pk].free_minutes_7d == 7 * 12 * 60 - 120
    assert by_pk[closed.pk].free_minutes_7d == 0
    assert by_pk[idle.pk].free_checked_at == MONDAY


def test_the_refresh_takes_stale_rows_first_and_leaves_fresh_ones():
    with time_machine.travel(MONDAY, tick=False):
        first, second = InstrumentFactory(), InstrumentFactory()
        assert instruments_free_time_refresh(limit=1) == 1
        assert instruments_free_time_refresh(limit=5) == 1  # the other one only
        assert instruments_free_time_refresh(limit=5) == 0  # both fresh
    assert set(Instrument.objects.values_list("free_checked_at", flat=True)) == {MONDAY}
    with time_machine.travel(MONDAY + dt.timedelta(hours=2), tick=False):
        assert refresh_free_time() == 2  # an hour old: recomputed
    assert {first.pk, second.pk} == set(
        Instrument.objects.filter(free_checked_at__gt=MONDAY).values_list("pk", flat=True)
    )


def test_retired_and_unshared_instruments_are_skipped():
    InstrumentFactory(status=Instrument.Status.RETIRED)
    InstrumentFactory(is_shared=False)
    assert instruments_free_time_refresh() == 0


def test_among_equal_matches_one_with_free_time_soon_comes_first():
    full = InstrumentFactory(name="甲 冷冻扫描电镜")
    free = InstrumentFactory(name="乙 冷冻扫描电镜")
    Instrument.objects.filter(pk=full.pk).update(free_minutes_7d=0)
    Instrument.objects.filter(pk=free.pk).update(free_minutes_7d=600)
    names = [i.name for i in instrument_search(filters=CatalogueFilters(q="冷冻扫描电镜"))]
    assert names == ["乙 冷冻扫描电镜", "甲 冷冻扫描电镜"]
    # Where the words match still comes first.
    better = InstrumentFactory(name="丙 冷冻扫描电镜", model_number="", manufacturer="")
    Instrument.objects.filter(pk=better.pk).update(free_minutes_7d=0)
    names = [i.name for i in instrument_search(filters=CatalogueFilters(q="冷冻扫描电镜 丙"))]
    assert names[0] == "丙 冷冻扫描电镜"


def test_the_ranking_reads_the_figure_not_the_calendar(django_assert_max_num_queries):
    for n in range(30):
        InstrumentFactory(name=f"冷冻扫描电镜{n}")
    Instrument.objects.update(free_minutes_7d=600)
    with django_assert_max_num_queries(3):
        rows = list(instrument_search(filters=CatalogueFilters(q="冷冻扫描电镜"))[:20])
    assert len(rows) == 20


def test_the_results_page_says_free_time_this_week(catalogue):
    instrument = InstrumentFactory(name="冷冻扫描电镜")
    Instrument.objects.filter(pk=instrument.pk).update(free_minutes_7d=600)
    from django.test import Client

    html = Client().get("/instruments/", {"q": "冷冻扫描电镜"}).content.decode()
    assert 'data-testid="free-soon"' in html and "Free time this week" in html
