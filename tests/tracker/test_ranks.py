"""The province's top items from the rank tables: the threshold algorithm's answer equals
summing every list, whether it settles in the first round, reads deeper or runs out of
depth and sums; and the rank tables are counted and reconciled like every counter."""

import datetime as dt
import random
from collections import Counter

import pytest

from tests.factories.accounts import make_reviewer
from tracker.models import ItemMonthRank, ItemYearRank
from tracker.selectors import ranks
from tracker.selectors.filters import usage_filters_for
from tracker.services.reconciliation import reconciliation_run

pytestmark = pytest.mark.django_db

ITEMS = range(1, 41)
YEARS = (2023, 2024, 2025)
MONTHS = [dt.date(2022, m, 1) for m in (10, 11, 12)] + [dt.date(2026, m, 1) for m in (1, 2)]


@pytest.fixture
def spread():
    """Rank rows for 40 items over three whole years and five edge months, counts drawn
    so that some lists are skewed and some flat (ties included)."""
    rng = random.Random(9)
    years, months = [], []
    for y in YEARS:
        for item in rng.sample(list(ITEMS), 30):
            count = rng.choice([rng.randint(1, 4), rng.randint(1, 60)])
            years.append(ItemYearRank(year=dt.date(y, 1, 1), kind="use", item_id=item, count=count))
    for m in MONTHS:
        for item in rng.sample(list(ITEMS), 25):
            months.append(ItemMonthRank(month=m, kind="use", item_id=item, count=rng.randint(1, 9)))
    ItemYearRank.objects.bulk_create(years)
    ItemMonthRank.objects.bulk_create(months)
    # A batch row that must never count towards instruments.
    ItemYearRank.objects.create(year=dt.date(2024, 1, 1), kind="batch", item_id=1, count=10_000)


def _brute(filters, limit):
    """Sum every year and month row inside the period's whole years and edge months."""
    years, edges = ranks.period_parts(filters.month_start, filters.month_end)
    totals = Counter()
    if years is not None:
        first, last = years
        for r in ItemYearRank.objects.filter(kind="use"):
            if (first is None or r.year >= first) and (last is None or r.year <= last):
                totals[r.item_id] += r.count
    for start, end in edges:
        for r in ItemMonthRank.objects.filter(kind="use", month__gte=start, month__lte=end):
            totals[r.item_id] += r.count
    return [item for item, _ in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]]


PERIODS = {
    "one year": (dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
    "years and edge months": (dt.date(2022, 10, 1), dt.date(2026, 2, 28)),
    "two edge months only": (dt.date(2022, 11, 1), dt.date(2022, 12, 31)),
    "all time": (None, None),
}


@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("depth", [(2, 8, 4), (2, 10_000, 4), (2, 10_000, 100), (100, 6_400, 4)])
@pytest.mark.parametrize("limit", [1, 5, 10])
def test_top_items_equal_the_sum_over_every_list(spread, monkeypatch, period, depth, limit):
    # (first depth, max depth, max lists): (2, 8, …) runs out of depth and sums;
    # (2, 10_000, …) reads deeper round after round, over the eight lists of "years and
    # edge months" with 100 (else summed); (100, …) settles at once on this small data.
    monkeypatch.setattr(ranks, "FIRST_DEPTH", depth[0])
    monkeypatch.setattr(ranks, "MAX_DEPTH", depth[1])
    monkeypatch.setattr(ranks, "MAX_LISTS", depth[2])
    start, end = PERIODS[period]
    filters = usage_filters_for(actor=make_reviewer("330000"), start=start, end=end)
    assert ranks.ranks_answer(filters)
    assert ranks.top_item_ids(filters=filters, kind="use", limit=limit) == _brute(filters, limit)


def test_narrower_filters_are_not_answered_by_the_rank_tables():
    province = make_reviewer("330000")
    assert not ranks.ranks_answer(usage_filters_for(actor=province, region="330100"))
    assert not ranks.ranks_answer(usage_filters_for(actor=make_reviewer("330100")))


def test_rank_tables_count_each_completion_once_and_reconcile(complete_booking, instrument):
    complete_booking()
    complete_booking()
    year = ItemYearRank.objects.get(kind="use", item_id=instrument.pk)
    month = ItemMonthRank.objects.get(kind="use", item_id=instrument.pk)
    assert (year.count, month.count) == (2, 2)
    run = reconciliation_run()
    assert run.differences == 0
    ItemMonthRank.objects.filter(pk=month.pk).update(count=5)
    run = reconciliation_run(repair=True)
    assert run.details["counters"]["tracker_itemmonthrank"] == 1
    # Repair rebuilds the month's rows.
    assert ItemMonthRank.objects.get(kind="use", item_id=instrument.pk).count == 2
