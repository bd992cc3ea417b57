"""The year tables (year × provider, year × item, firms per year and per city): counted
exactly once with the others, reconciled and repaired per year, and the selectors that
read them (whole years from them, the edge months from the month tables) give the same
numbers as a recount of the events. And the demo's bulk counting equals the
subscriber's, call by call."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from accounts.models import Region
from booking.models import ServiceRequest
from booking.order_events import OrderKind
from facilities.models import Category
from tests.factories.accounts import make_firm, make_provider, make_reviewer, member_of
from tests.factories.booking import BookingFactory
from tests.factories.facilities import CategoryFactory, InstrumentFactory, TestingServiceFactory
from tracker.counters import COUNTERS, FIRMS_SERVED, FIRMS_SERVED_BY_CATEGORY
from tracker.models import (
    CategoryYearlyUsage,
    FirmCityYear,
    FirmsServedCategoryYear,
    FirmsServedYear,
    FirmYear,
    ItemYearlyUsage,
    ProviderYearlyUsage,
    ProviderYearRank,
    UsageEvent,
)
from tracker.selectors.filters import usage_filters_for
from tracker.selectors.usage import (
    firms_served,
    usage_breakdown,
    usage_top_items,
    usage_top_providers,
)
from tracker.selectors.yearly import period_parts
from tracker.services.backfill import Completion, usage_record_many
from tracker.services.reconciliation import reconciliation_run
from tracker.services.usage import usage_record

pytestmark = pytest.mark.django_db

YEAR_TABLES = (ProviderYearlyUsage, ProviderYearRank, ItemYearlyUsage, CategoryYearlyUsage, FirmYear,
               FirmCityYear)  # fmt: skip


def _shanghai(y, m, d, h=10):
    return timezone.make_aware(dt.datetime(y, m, d, h), timezone.get_default_timezone())


def _booking(inst, firm, i):
    start = timezone.now() + dt.timedelta(days=30, hours=2 * i)
    return BookingFactory(instrument=inst, firm=firm, booked_by=member_of(firm), start_at=start,
                          end_at=start + dt.timedelta(hours=1))  # fmt: skip


def _request(service, firm):
    return ServiceRequest.objects.create(
        service=service, firm=firm, requested_by=member_of(firm), sample_count=3,
        sample_description="样品", status=ServiceRequest.Status.COMPLETED, quote_fen=900_00,
        fee_fen=900_00,
    )  # fmt: skip


# (item: 0/1 Hangzhou/Ningbo instrument, 2 Ningbo service; firm; when): across three years
PLAN = [
    (0, 0, (2024, 11, 5)), (1, 1, (2024, 12, 9)), (0, 0, (2025, 1, 20)), (1, 2, (2025, 3, 1)),
    (2, 0, (2025, 4, 15)), (1, 0, (2025, 5, 3)), (0, 1, (2025, 8, 30)), (2, 2, (2025, 12, 31)),
    (0, 2, (2026, 2, 3)), (1, 1, (2026, 3, 3)),
]  # fmt: skip


@pytest.fixture
def items(instrument):
    ningbo = make_provider(organisation__region=Region.objects.get(code="330203"))
    return [instrument, InstrumentFactory(provider=ningbo), TestingServiceFactory(provider=ningbo)]


@pytest.fixture
def firms(firm_a):
    return [firm_a, make_firm(), make_firm()]


def _completions(items, firms) -> list[Completion]:
    out = []
    for i, (item, firm, day) in enumerate(PLAN):
        if item == 2:
            order, kind = _request(items[2], firms[firm]), OrderKind.SERVICE_REQUEST
        else:
            order, kind = _booking(items[item], firms[firm], i), OrderKind.BOOKING
        out.append(Completion(kind, order.pk, _shanghai(*day), 1000 + 10 * i))
    return out


@pytest.fixture
def years(items, firms):
    """PLAN counted one completion at a time through the subscriber's ``usage_record``."""
    for c in _completions(items, firms):
        with transaction.atomic():
            assert usage_record(order_kind=c.order_kind, order_id=c.order_id,
                                completed_at=c.completed_at, fee_fen=c.fee_fen, voucher_fen=0)  # fmt: skip
    return {"items": items, "firms": firms}


def test_period_parts_split_whole_years_from_edge_months():
    d = dt.date
    assert period_parts(None, None) == ((None, None), [])
    assert period_parts(d(2025, 1, 1), d(2025, 12, 1)) == ((d(2025, 1, 1), d(2025, 1, 1)), [])
    assert period_parts(d(2024, 11, 1), d(2026, 2, 1)) == (
        (d(2025, 1, 1), d(2025, 1, 1)), [(d(2024, 11, 1), d(2024, 12, 1)), (d(2026, 1, 1), d(2026, 2, 1))]
    )  # fmt: skip
    assert period_parts(d(2025, 3, 1), d(2026, 5, 1)) == (None, [(d(2025, 3, 1), d(2026, 5, 1))])
    assert period_parts(d(2025, 3, 1), None) == ((d(2026, 1, 1), None), [(d(2025, 3, 1), d(2025, 12, 1))])  # fmt: skip
    # A period running to the current month covers the rest of its year (nothing later).
    this_month = timezone.localdate().replace(day=1)
    first = this_month.replace(month=1)
    assert period_parts(first, this_month) == ((first, first), [])


def test_a_completion_counts_once_in_every_year_table(complete_booking, firm_a, instrument):
    booking = complete_booking()
    year = timezone.localdate().replace(month=1, day=1)
    assert ProviderYearlyUsage.objects.get().count == 1
    assert ItemYearlyUsage.objects.get().item_id == instrument.pk
    row = FirmYear.objects.get()
    assert (row.year, row.firm_id, row.count, row.use_count, row.batch_count) == (
        year, firm_a.pk, 1, 1, 0
    )  # fmt: skip
    assert FirmCityYear.objects.get().city == UsageEvent.objects.get().provider_city
    event = UsageEvent.objects.get()
    with transaction.atomic():  # a replayed completion adds nothing anywhere
        assert not usage_record(
            order_kind=OrderKind.BOOKING, order_id=booking.pk, completed_at=event.completed_at,
            fee_fen=event.fee_fen, voucher_fen=0,
        )  # fmt: skip
    assert [m.objects.get().count for m in YEAR_TABLES] == [1] * len(YEAR_TABLES)
    assert reconciliation_run().differences == 0


def test_a_rolled_back_completion_leaves_no_row_in_the_year_tables(complete_booking):
    with pytest.raises(RuntimeError), transaction.atomic():
        complete_booking()
        assert all(model.objects.exists() for model in YEAR_TABLES)
        raise RuntimeError("the request dies before commit")
    assert not any(model.objects.exists() for model in YEAR_TABLES)


def _filters(**values):
    return usage_filters_for(actor=make_reviewer("330000"), **values)


@pytest.mark.parametrize(
    ("start", "end"),
    [(None, None), ((2025, 1, 1), (2025, 12, 31)), ((2024, 12, 1), (2026, 2, 28)),
     ((2025, 3, 1), (2025, 5, 31)), ((2024, 11, 1), (2025, 12, 31))],
)  # fmt: skip
@pytest.mark.parametrize("region", ["", "330200"])
def test_top_providers_and_items_over_years_and_edges_equal_a_recount(years, start, end, region):
    f = _filters(start=dt.date(*start) if start else None, end=dt.date(*end) if end else None,
                 region=region or None)  # fmt: skip
    events = UsageEvent.objects.filter(provider_city=region) if region else UsageEvent.objects.all()
    if start:
        events = events.filter(completed_on__gte=dt.date(*start))
    if end:
        events = events.filter(completed_on__lte=dt.date(*end))
    got = {
        (r["key"], r["kind"]): (r["count"], r["fee_fen"]) for r in usage_top_providers(filters=f)
    }
    expected = events.values("provider_id", "kind").annotate(n=Count("id"), fee=Sum("fee_fen"))
    assert got == {(r["provider_id"], r["kind"]): (r["n"], r["fee"]) for r in expected}
    for kind, column in (("use", "instrument_id"), ("batch", "service_id")):
        top = [(r["key"], r["count"]) for r in usage_top_items(filters=f, kind=kind)]
        counts = events.filter(kind=kind).values(column).annotate(n=Count("id"))
        assert top == [(r[column], r["n"]) for r in counts.order_by("-n", column)]


@pytest.mark.parametrize(
    ("start", "end"),
    [(None, None), ((2025, 1, 1), (2025, 12, 31)), ((2024, 12, 1), (2026, 2, 28))],
)  # fmt: skip
def test_under_a_category_providers_and_firm_sizes_equal_a_recount(years, start, end):
    # Providers: ProviderCategoryYear for whole years, MonthlyUsage at the edges.
    category = years["items"][1].category_id
    f = _filters(category_id=category, start=dt.date(*start) if start else None,
                 end=dt.date(*end) if end else None)  # fmt: skip
    events = UsageEvent.objects.filter(category_id__in=f.category_ids)
    if start:
        events = events.filter(completed_on__gte=dt.date(*start))
    if end:
        events = events.filter(completed_on__lte=dt.date(*end))
    assert events.exists()
    for by, column in (("provider", "provider_id"), ("firm_size", "firm_size")):
        got = {(r["key"], r["kind"]): (r["count"], r["fee_fen"])
               for r in usage_breakdown(filters=f, by=by)}  # fmt: skip
        expected = events.values(column, "kind").annotate(n=Count("id"), fee=Sum("fee_fen"))
        assert got == {(r[column], r["kind"]): (r["n"], r["fee"]) for r in expected}


@pytest.mark.parametrize(
    ("start", "end"),
    [(None, None), ((2025, 1, 1), (2025, 12, 31)), ((2024, 12, 1), (2026, 2, 28)),
     ((2025, 3, 1), (2025, 5, 31))],
)  # fmt: skip
@pytest.mark.parametrize("region", ["", "330200"])
def test_categories_over_years_and_edges_equal_a_recount(years, start, end, region):
    f = _filters(start=dt.date(*start) if start else None, end=dt.date(*end) if end else None,
                 region=region or None)  # fmt: skip
    events = UsageEvent.objects.all()
    if region:
        events = events.filter(provider_city=region)
    if start:
        events = events.filter(completed_on__gte=dt.date(*start))
    if end:
        events = events.filter(completed_on__lte=dt.date(*end))
    got = [(r["key"], r["kind"], r["count"], r["hours"], r["fee_fen"])
           for r in usage_breakdown(filters=f, by="category")]  # fmt: skip
    expected = events.values("category_id", "kind").annotate(
        n=Count("id"), minutes=Sum("minutes"), fee=Sum("fee_fen")
    )
    assert got == sorted(
        (
            (r["category_id"], r["kind"], r["n"], round(r["minutes"] / 60, 1), r["fee"])
            for r in expected
        ),
        key=lambda r: (-r[2], r[0], r[1]),
    )
    limited = usage_breakdown(filters=f, by="category", limit=1)
    assert [(r["key"], r["kind"]) for r in limited] == [(k, kind) for k, kind, *_ in got[:1]]


def test_categories_of_whole_years_read_their_year_table(years):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    f = _filters(start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))
    with CaptureQueriesContext(connection) as queries:
        rows = usage_breakdown(filters=f, by="category")
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert (
        rows and "tracker_categoryyearlyusage" in sql and "tracker_categorymonthlyusage" not in sql
    )


def test_firm_sizes_under_a_category_read_whole_years_from_their_year_table(years):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    category = years["items"][1].category_id
    f = _filters(category_id=category, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))
    with CaptureQueriesContext(connection) as queries:
        usage_breakdown(filters=f, by="firm_size")
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "tracker_categorysizeyear" in sql and "tracker_monthlyusage" not in sql


@pytest.mark.parametrize("region", ["", "330200"])
def test_top_providers_of_one_year_read_the_rank_down_its_index(years, region):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    f = _filters(start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31), region=region or None)
    with CaptureQueriesContext(connection) as queries:
        top = usage_top_providers(filters=f, limit=1)
    ranking = queries.captured_queries[0]["sql"]
    assert "tracker_provideryearrank" in ranking and "GROUP BY" not in ranking
    ningbo = years["items"][1].provider_id
    assert {r["key"] for r in top} == {ningbo}
    # Under a county filter the city rank cannot answer: the year table ranks instead.
    with CaptureQueriesContext(connection) as queries:
        usage_top_providers(filters=_filters(start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31),
                                             region="330203"), limit=1)  # fmt: skip
    assert "tracker_provideryearrank" not in queries.captured_queries[0]["sql"]


def test_top_providers_rank_providers_by_both_kinds_together(years):
    # 2025: Ningbo has 2 uses and 2 batches, Hangzhou 2 uses: Ningbo first, with both rows.
    top = usage_top_providers(filters=_filters(start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31)), limit=1)  # fmt: skip
    ningbo = years["items"][1].provider_id
    assert {(r["key"], r["kind"], r["count"]) for r in top} == {(ningbo, "use", 2), (ningbo, "batch", 2)}  # fmt: skip


@pytest.mark.parametrize("region", [None, "330200", "330100", "330203"])
@pytest.mark.parametrize("kind", [None, "use", "batch"])
@pytest.mark.parametrize("period", ["2025", "2024-2026", "2025-03..2025-05"])
def test_firms_served_equals_distinct_firms_of_the_events(years, region, kind, period):
    start, end = {
        "2025": (dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
        "2024-2026": (dt.date(2024, 1, 1), dt.date(2026, 12, 31)),
        "2025-03..2025-05": (dt.date(2025, 3, 1), dt.date(2025, 5, 31)),
    }[period]
    f = _filters(start=start, end=end, region=region, kind=kind)
    events = UsageEvent.objects.filter(completed_on__gte=start, completed_on__lte=end)
    if region:
        events = events.filter(provider_county__startswith=region[:4] if region.endswith("00") else region)  # fmt: skip
    if kind:
        events = events.filter(kind=kind)
    assert firms_served(filters=f)["served"] == events.values("firm_id").distinct().count()


def test_firms_served_of_a_year_is_one_row_kept_by_the_fold(years, django_assert_num_queries):
    """The fold keeps FirmsServedYear equal to a count of FirmYear's and FirmCityYear's
    rows, and a year's firms served (anywhere or in one city) is that one row."""
    with connection.cursor() as cursor:
        stored, recount = FIRMS_SERVED.stored(cursor), FIRMS_SERVED.recount(cursor)
    assert stored == recount
    assert {city for _, city, _ in stored} >= {"", "330100", "330200"}
    assert {kind for *_, kind in stored} == {"", "use", "batch"}
    for region in (None, "330200"):
        f = _filters(start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31), region=region)
        with django_assert_num_queries(2):  # the new firms (FirstServed) and this row
            firms_served(filters=f)


@pytest.mark.parametrize("kind", [None, "use", "batch"])
def test_a_categorys_firms_served_of_a_year_is_one_row_kept_by_the_fold(
    years, kind, django_assert_num_queries
):
    """The fold keeps FirmsServedCategoryYear equal to a count of FirmCategoryYear's rows,
    and one category's firms served in one year (province-wide) is that one row."""
    with connection.cursor() as cursor:
        stored = FIRMS_SERVED_BY_CATEGORY.stored(cursor)
        assert stored == FIRMS_SERVED_BY_CATEGORY.recount(cursor)
    assert {category for _, category, _ in stored} == {item.category_id for item in years["items"]}
    for item in years["items"]:
        f = _filters(start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31), kind=kind,
                     category_id=item.category_id)  # fmt: skip
        events = UsageEvent.objects.filter(
            completed_on__year=2025,
            category_id=item.category_id,
            **({"kind": kind} if kind else {}),
        )
        with django_assert_num_queries(2):  # the new firms (FirstServed) and this row
            served = firms_served(filters=f)["served"]
        assert served == events.values("firm_id").distinct().count()


def test_a_difference_in_a_categorys_firms_served_is_found_in_its_year_and_repaired(years):
    category = years["items"][0].category_id
    FirmsServedCategoryYear.objects.filter(
        year=dt.date(2025, 1, 1), category_id=category, kind=""
    ).update(firms=99)
    run = reconciliation_run()
    assert run.details["counters"][FIRMS_SERVED_BY_CATEGORY.table] == 1
    assert run.details["buckets"][FIRMS_SERVED_BY_CATEGORY.table] == ["2025-01-01"]
    assert run.details["counters"][FIRMS_SERVED.table] == 0
    repaired = reconciliation_run(repair=True)
    assert sum(repaired.details["after_repair"]["counters"].values()) == 0
    assert (
        FirmsServedCategoryYear.objects.get(
            year=dt.date(2025, 1, 1), category_id=category, kind=""
        ).firms
        == UsageEvent.objects.filter(completed_on__year=2025, category_id=category)
        .values("firm_id")
        .distinct()
        .count()
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite adds inline, no fold")
def test_one_fold_of_many_events_counts_each_firm_year_once(items, firms, monkeypatch):
    """A batch holding several events of one new firm-year (and of firms already
    counted) adds each firm-year once."""
    from tracker.services import fold, usage

    monkeypatch.setattr(usage, "fold_after_completion", lambda: None)
    for c in _completions(items, firms):
        with transaction.atomic():
            usage_record(order_kind=c.order_kind, order_id=c.order_id,
                         completed_at=c.completed_at, fee_fen=c.fee_fen, voucher_fen=0)  # fmt: skip
    assert fold.counters_fold_all() == len(PLAN)
    with connection.cursor() as cursor:
        assert FIRMS_SERVED.stored(cursor) == FIRMS_SERVED.recount(cursor)
    assert FirmsServedYear.objects.get(year=dt.date(2025, 1, 1), city="", kind="").firms == 3


def test_a_difference_in_firms_served_is_found_in_its_year_and_repaired(years):
    FirmsServedYear.objects.filter(year=dt.date(2025, 1, 1), city="", kind="").update(firms=99)
    run = reconciliation_run()
    assert run.details["counters"][FIRMS_SERVED.table] == 1
    assert run.details["buckets"][FIRMS_SERVED.table] == ["2025-01-01"]
    untouched = set(
        FirmsServedYear.objects.exclude(year=dt.date(2025, 1, 1)).values_list("pk", flat=True)
    )
    repaired = reconciliation_run(repair=True)
    assert sum(repaired.details["after_repair"]["counters"].values()) == 0
    assert untouched <= set(FirmsServedYear.objects.values_list("pk", flat=True))


@pytest.mark.parametrize(
    ("table", "drift"),
    [
        (ProviderYearlyUsage, lambda: ProviderYearlyUsage.objects.filter(year=dt.date(2025, 1, 1)).update(count=9)),
        (ItemYearlyUsage, lambda: ItemYearlyUsage.objects.filter(year=dt.date(2025, 1, 1)).delete()),
        (CategoryYearlyUsage, lambda: CategoryYearlyUsage.objects.filter(year=dt.date(2025, 1, 1)).update(count=7)),
        (ProviderYearRank, lambda: ProviderYearRank.objects.filter(year=dt.date(2025, 1, 1)).update(count=7)),
        (FirmYear, lambda: FirmYear.objects.filter(year=dt.date(2025, 1, 1)).update(use_count=0)),
        # A firm's count moved from one city to the other keeps the year's totals: the
        # per-year checksum of cities still sees it.
        (FirmCityYear, lambda: _move_city(dt.date(2025, 1, 1))),
    ],
)  # fmt: skip
def test_a_difference_in_a_year_table_is_found_in_its_year_and_only_that_year_rebuilt(
    years, table, drift
):
    untouched = set(table.objects.exclude(year=dt.date(2025, 1, 1)).values_list("pk", flat=True))
    drift()
    run = reconciliation_run(period_from=dt.date(2025, 6, 1), period_to=dt.date(2025, 6, 30))
    name = table._meta.db_table
    assert run.details["counters"][name] >= 1
    assert run.details["buckets"][name] == ["2025-01-01"]
    # FirmsServedYear counts the firm tables' rows: it differs from a drifted one too.
    derived = {name, FIRMS_SERVED.table} if table in (FirmYear, FirmCityYear) else {name}
    assert sum(n for t, n in run.details["counters"].items() if t not in derived) == 0
    repaired = reconciliation_run(period_from=dt.date(2025, 6, 1), repair=True)
    assert sum(repaired.details["after_repair"]["counters"].values()) == 0
    assert untouched <= set(table.objects.values_list("pk", flat=True))  # not rebuilt
    # (The fixture's bookings are left open: events without a completed order, orphans.)
    assert sum(reconciliation_run().details["counters"].values()) == 0


def _move_city(year):
    """A firm served in Ningbo only that year, moved to Hangzhou."""
    rows = FirmCityYear.objects.filter(year=year)
    cities = {}
    for row in rows:
        cities.setdefault(row.firm_id, []).append(row)
    row = next(r[0] for r in cities.values() if len(r) == 1 and r[0].city == "330200")
    FirmCityYear.objects.filter(pk=row.pk).update(city="330100")


def _counters() -> dict[str, set]:
    out = {}
    for spec in COUNTERS:
        cols = list(spec.cols) if hasattr(spec, "cols") else [*spec.keys, *spec.sums]
        cols = [c for c in cols if c != "event_id"]  # event ids differ between two runs
        out[spec.table] = set(spec.model.objects.values_list(*cols))
    return out


def test_bulk_counting_equals_the_subscriber_one_completion_at_a_time(items, firms):
    completions = _completions(items, firms)
    with pytest.raises(RuntimeError), transaction.atomic():
        for c in completions:
            usage_record(order_kind=c.order_kind, order_id=c.order_id,
                         completed_at=c.completed_at, fee_fen=c.fee_fen, voucher_fen=0)  # fmt: skip
        one_by_one = _counters()
        events = set(UsageEvent.objects.values_list("order_kind", "order_id", "completed_on",
                                                    "provider_city", "firm_size", "fee_fen"))  # fmt: skip
        raise RuntimeError("roll back, then count the same orders in bulk")
    assert not UsageEvent.objects.exists()
    assert usage_record_many(completions) == len(PLAN)
    assert _counters() == one_by_one
    assert events == set(UsageEvent.objects.values_list("order_kind", "order_id", "completed_on",
                                                        "provider_city", "firm_size", "fee_fen"))  # fmt: skip
    assert usage_record_many(completions) == 0  # counted once
    assert _counters() == one_by_one
    assert sum(reconciliation_run().details["counters"].values()) == 0


@pytest.mark.parametrize("which", ["hangzhou instrument", "ningbo service", "both instruments"])
@pytest.mark.parametrize("period", ["2025", "2024-2026", "2025-03..2025-05"])
def test_firms_served_in_a_category_equals_distinct_firms_of_the_events(
    years, items, which, period
):
    # A parent over the two instruments' categories: its subtree has two categories, so
    # a firm may have a FirmCategoryYear row in each and is still one firm.
    parent = CategoryFactory(code="P-BOTH")
    for item in items[:2]:
        item.category.parent = parent
        item.category.save()
    category = {"hangzhou instrument": items[0].category, "ningbo service": items[2].category,
                "both instruments": parent}[which]  # fmt: skip
    start, end = {
        "2025": (dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
        "2024-2026": (dt.date(2024, 1, 1), dt.date(2026, 12, 31)),
        "2025-03..2025-05": (dt.date(2025, 3, 1), dt.date(2025, 5, 31)),
    }[period]
    f = _filters(start=start, end=end, category_id=category.pk)
    subtree = Category.objects.filter(
        Q(path=category.path) | Q(path__startswith=f"{category.path}/")
    ).values("pk")
    events = UsageEvent.objects.filter(
        completed_on__gte=start, completed_on__lte=end, category_id__in=subtree
    )
    assert firms_served(filters=f)["served"] == events.values("firm_id").distinct().count()
