"""``UsageFilters.sql`` (the hand-written reads' conditions) selects exactly the rows
``UsageFilters.q`` (the ORM's) does, for every filter and period shape."""

import datetime as dt
import itertools

import pytest

from tracker.models import MonthlyUsage, ProviderYearlyUsage
from tracker.selectors.filters import UsageFilters
from tracker.selectors.yearly import Part, fetch

pytestmark = pytest.mark.django_db

COUNTIES = ("330106", "330108", "330203", "330302", "331002")
MONTHS = [dt.date(y, m, 1) for y in (2023, 2024, 2025, 2026) for m in (1, 5, 12)]


@pytest.fixture
def rows():
    for i, (month, county, kind) in enumerate(
        itertools.product(MONTHS, COUNTIES, ("use", "batch"))
    ):
        common = {"kind": kind, "county": county, "provider_id": 1 + i % 3, "count": 1}
        MonthlyUsage.objects.create(month=month, category_id=10 + i % 4,
                                    firm_size=("small", "micro", "")[i % 3], **common)  # fmt: skip
        if month.month == 1:
            ProviderYearlyUsage.objects.get_or_create(year=month, **common)


FILTERS = [
    UsageFilters(),
    UsageFilters(regions=("330000",)),
    UsageFilters(regions=("330100", "330200")),
    UsageFilters(regions=("330100", "330200"), region="330200"),
    UsageFilters(regions=("330000",), region="330106"),
    UsageFilters(kind="use"),
    UsageFilters(category_ids=(10, 11)),
    UsageFilters(category_ids=()),
    UsageFilters(provider_id=2),
    UsageFilters(start=dt.date(2024, 5, 3), end=dt.date(2025, 12, 31)),
    UsageFilters(start=dt.date(2024, 5, 3)),
    UsageFilters(end=dt.date(2025, 1, 31)),
    UsageFilters(start=dt.date(2020, 1, 1), end=dt.date(2026, 12, 31)),  # > 36 months: a range
    UsageFilters(start=dt.date(2025, 5, 1), end=dt.date(2025, 5, 31)),  # one month: equality
    UsageFilters(
        regions=("330100",),
        kind="batch",
        category_ids=(12,),
        provider_id=1,
        start=dt.date(2023, 1, 1),
        end=dt.date(2026, 12, 31),
    ),  # fmt: skip
]


def _ids(model, condition) -> set[int]:
    part = Part.of(model, condition, db="default")
    return {row[0] for row in fetch("default", part.select(("id",)), part.params)}


@pytest.mark.parametrize("filters", FILTERS, ids=repr)
def test_sql_selects_the_rows_q_selects(rows, filters):
    by_q = set(MonthlyUsage.objects.filter(filters.q()).values_list("pk", flat=True))
    assert _ids(MonthlyUsage, filters.sql()) == by_q
    if filters.category_ids is not None:
        return  # the year table has no category column
    for bounds in ((dt.date(2024, 1, 1), dt.date(2025, 1, 1)), (dt.date(2026, 1, 1), None)):
        year = filters.q(period="year", bounds=bounds)
        by_q = set(ProviderYearlyUsage.objects.filter(year).values_list("pk", flat=True))
        assert _ids(ProviderYearlyUsage, filters.sql(period="year", bounds=bounds)) == by_q


def test_the_rows_exist(rows):
    """The comparison above is not between two empty sets."""
    assert MonthlyUsage.objects.count() == len(MONTHS) * len(COUNTIES) * 2
    assert ProviderYearlyUsage.objects.exists()
