"""The rollup tables (month × provider, month × category, first served): counted exactly
once with the others, reconciled and repaired per month, and the selectors reading them
give the same numbers as a recount of the events."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from accounts.models import Region
from booking.order_events import OrderKind
from tests.factories.accounts import make_firm, make_provider, make_reviewer, member_of
from tests.factories.booking import BookingFactory
from tests.factories.facilities import InstrumentFactory
from tracker.counters import COUNTERS, FIRMS_SERVED_TALLIES
from tracker.models import (
    CategoryMonthlyUsage,
    DailyUsage,
    FirstServed,
    MonthlyUsage,
    ProviderMonthlyUsage,
    RegionMonthlyUsage,
    UsageEvent,
)
from tracker.selectors.filters import usage_filters_for
from tracker.selectors.usage import (
    firms_served,
    rollup_for,
    usage_breakdown,
    usage_top_providers,
    usage_totals,
)
from tracker.services.reconciliation import reconciliation_run
from tracker.services.usage import order_facts, usage_record

pytestmark = pytest.mark.django_db

NEW_TABLES = (ProviderMonthlyUsage, CategoryMonthlyUsage, FirstServed)


def _shanghai(y, m, d, h=10):
    return timezone.make_aware(dt.datetime(y, m, d, h), timezone.get_default_timezone())


@pytest.fixture
def spread(instrument, firm_a):
    """Nine uses over three months, two providers (Hangzhou, Ningbo), three firms: counted
    through ``usage_record`` with completion times in the past (orders left open)."""
    ningbo = InstrumentFactory(
        provider=make_provider(organisation__region=Region.objects.get(code="330203"))
    )
    firms = [firm_a, make_firm(), make_firm()]
    plan = [
        (instrument, 0, _shanghai(2025, 3, 2)), (instrument, 1, _shanghai(2025, 3, 9)),
        (ningbo, 2, _shanghai(2025, 3, 20)), (instrument, 0, _shanghai(2025, 4, 1)),
        (ningbo, 0, _shanghai(2025, 4, 15)), (ningbo, 1, _shanghai(2025, 5, 3)),
        (instrument, 2, _shanghai(2025, 5, 30)), (instrument, 1, _shanghai(2025, 5, 31)),
        (ningbo, 2, _shanghai(2025, 5, 31, 15)),
    ]  # fmt: skip
    for i, (inst, f, at) in enumerate(plan):
        booking = _booking(inst, firms[f], i)
        with transaction.atomic():
            assert usage_record(
                order_kind=OrderKind.BOOKING, order_id=booking.pk, completed_at=at,
                fee_fen=1000 + f, voucher_fen=0,
            )  # fmt: skip
    return {"instruments": (instrument, ningbo), "firms": firms}


def _booking(inst, firm, i):
    start = timezone.now() + dt.timedelta(days=30, hours=2 * i)
    return BookingFactory(instrument=inst, firm=firm, booked_by=member_of(firm), start_at=start,
                          end_at=start + dt.timedelta(hours=1))  # fmt: skip


def test_a_completion_counts_once_in_every_new_table(complete_booking, instrument, firm_a):
    booking = complete_booking()
    assert ProviderMonthlyUsage.objects.get().count == 1
    assert CategoryMonthlyUsage.objects.get().category_id == instrument.category_id
    assert set(FirstServed.objects.values_list("firm_id", "kind")) == {
        (firm_a.pk, "use"),
        (firm_a.pk, ""),
    }
    event = UsageEvent.objects.get()
    with transaction.atomic():  # a replayed completion adds nothing anywhere
        assert not usage_record(
            order_kind=OrderKind.BOOKING, order_id=booking.pk, completed_at=event.completed_at,
            fee_fen=event.fee_fen, voucher_fen=0,
        )  # fmt: skip
    assert ProviderMonthlyUsage.objects.get().count == 1
    assert FirstServed.objects.get(kind="").event_id == event.pk
    assert reconciliation_run().differences == 0


def test_a_rolled_back_completion_leaves_no_row_in_the_new_tables(complete_booking):
    with pytest.raises(RuntimeError), transaction.atomic():
        complete_booking()
        assert all(model.objects.exists() for model in NEW_TABLES)
        raise RuntimeError("the request dies before commit")
    assert not any(model.objects.exists() for model in NEW_TABLES)


def test_the_completion_trigger_writes_the_same_event_as_the_python_facts(
    complete_booking, instrument
):
    if connection.vendor != "postgresql":
        pytest.skip("the completion trigger is PostgreSQL's")
    booking = complete_booking(minutes=47)
    event = UsageEvent.objects.get()
    facts = order_facts(OrderKind.BOOKING, booking.pk)
    assert {k: getattr(event, k) for k in facts} == facts
    assert event.minutes == 47 and event.is_outside


def test_an_earlier_event_recorded_late_becomes_the_first(spread):
    firm = spread["firms"][0]
    assert FirstServed.objects.get(firm=firm, kind="").month == dt.date(2025, 3, 1)
    booking = _booking(spread["instruments"][1], firm, 20)
    with transaction.atomic():
        usage_record(order_kind=OrderKind.BOOKING, order_id=booking.pk,
                     completed_at=_shanghai(2024, 12, 24), fee_fen=500, voucher_fen=0)  # fmt: skip
    first = FirstServed.objects.get(firm=firm, kind="")
    assert (first.month, first.county) == (dt.date(2024, 12, 1), "330203")
    assert reconciliation_run().details["counters"] == dict.fromkeys(
        [*(spec.table for spec in COUNTERS), *(t.table for t in FIRMS_SERVED_TALLIES)], 0
    )


APRIL, MARCH = dt.date(2025, 4, 1), dt.date(2025, 3, 1)


@pytest.mark.parametrize(
    ("table", "drift", "month"),
    [
        (ProviderMonthlyUsage,
         lambda s: ProviderMonthlyUsage.objects.filter(month=APRIL).update(count=9), APRIL),
        (CategoryMonthlyUsage,
         lambda s: CategoryMonthlyUsage.objects.filter(month=APRIL).delete(), APRIL),
        # A count moved between two providers in one month keeps the month's total: the
        # per-month checksum of provider ids still sees it.
        (MonthlyUsage, lambda s: _swap_providers(APRIL), APRIL),
        (FirstServed,
         lambda s: FirstServed.objects.filter(kind="", firm=s["firms"][1]).delete(), MARCH),
    ],
)  # fmt: skip
def test_a_difference_in_a_table_is_found_in_its_month_and_only_that_month_rebuilt(
    spread, table, drift, month
):
    untouched = set(table.objects.exclude(month=month).values_list("pk", flat=True))
    drift(spread)
    run = reconciliation_run(period_from=dt.date(2025, 1, 1))
    name = table._meta.db_table
    assert run.details["counters"][name] >= 1
    assert run.details["buckets"][name] == [month.isoformat()]
    assert sum(n for t, n in run.details["counters"].items() if t != name) == 0
    repaired = reconciliation_run(period_from=dt.date(2025, 1, 1), repair=True)
    assert repaired.repaired
    assert sum(repaired.details["after_repair"]["counters"].values()) == 0
    assert untouched <= set(table.objects.values_list("pk", flat=True))  # not rebuilt
    assert table.objects.filter(month=month).exists()
    assert reconciliation_run().details["counters"][name] == 0


def _swap_providers(month):
    rows = list(MonthlyUsage.objects.filter(month=month).order_by("provider_id"))
    assert len({r.provider_id for r in rows}) == 2
    MonthlyUsage.objects.filter(pk=rows[0].pk).update(count=rows[0].count + 1)
    MonthlyUsage.objects.filter(pk=rows[-1].pk).update(count=rows[-1].count - 1)


def test_the_coarsest_table_is_read_for_each_filter(spread, provider):
    reviewer = make_reviewer("330000")
    f = usage_filters_for(actor=reviewer)
    cat = spread["instruments"][0].category_id
    assert rollup_for(f) is RegionMonthlyUsage
    assert rollup_for(f, "provider") is ProviderMonthlyUsage
    assert rollup_for(usage_filters_for(actor=reviewer, provider_id=provider.pk)) is (
        ProviderMonthlyUsage
    )
    assert rollup_for(usage_filters_for(actor=reviewer, category_id=cat), "city") is (
        CategoryMonthlyUsage
    )
    assert rollup_for(f, "category") is CategoryMonthlyUsage
    assert rollup_for(usage_filters_for(actor=reviewer, category_id=cat), "provider") is (
        MonthlyUsage
    )
    assert rollup_for(usage_filters_for(actor=reviewer, provider_id=provider.pk), "firm_size") is (
        MonthlyUsage
    )


def _recount(events, by):
    key = {
        "city": "provider_city", "county": "provider_county", "provider": "provider_id",
        "category": "category_id", "firm_size": "firm_size", "month": "month", "kind": "kind",
    }[by]  # fmt: skip
    rows = events.values(key, "kind").annotate(n=Count("id"), fee=Sum("fee_fen"))
    return {(r[key], r["kind"]): (r["n"], r["fee"]) for r in rows}


@pytest.mark.parametrize("by", ["city", "county", "provider", "category", "firm_size", "month"])
@pytest.mark.parametrize("filter_", ["none", "provider", "category", "region", "period", "both"])
def test_every_breakdown_under_every_filter_equals_a_recount_of_the_events(
    spread, by, filter_, provider
):
    reviewer = make_reviewer("330000")
    cat = spread["instruments"][0].category_id
    values, events = {}, UsageEvent.objects.all()
    if filter_ in ("provider", "both"):
        values["provider_id"] = provider.pk
        events = events.filter(provider_id=provider.pk)
    if filter_ in ("category", "both"):
        values["category_id"] = cat
        events = events.filter(category_id=cat)
    if filter_ == "region":
        values["region"] = "330200"
        events = events.filter(provider_city="330200")
    if filter_ == "period":
        values.update(start=dt.date(2025, 4, 1), end=dt.date(2025, 5, 31))
        events = events.filter(month__gte=dt.date(2025, 4, 1))
    f = usage_filters_for(actor=reviewer, **values)
    got = {
        (r["key"], r["kind"]): (r["count"], r["fee_fen"]) for r in usage_breakdown(filters=f, by=by)
    }
    assert got == _recount(events, by)
    totals = usage_totals(filters=f)["use"]
    assert totals["count"] == events.count()


def test_top_providers_and_firms_equal_a_recount(spread):
    reviewer = make_reviewer("330000")
    f = usage_filters_for(actor=reviewer, start=dt.date(2025, 4, 1), end=dt.date(2025, 5, 31))
    top = [(r["key"], r["count"]) for r in usage_top_providers(filters=f)]
    events = UsageEvent.objects.filter(month__gte=dt.date(2025, 4, 1))
    expected = events.values("provider_id").annotate(n=Count("id")).order_by("-n", "provider_id")
    assert top == [(r["provider_id"], r["n"]) for r in expected]
    # Firm 0 started in March, firms 1 and 2 too: none is new in April–May; all three served.
    assert firms_served(filters=f) == {"served": 3, "new": 0}
    march = usage_filters_for(actor=reviewer, start=dt.date(2025, 3, 1), end=dt.date(2025, 3, 31))
    assert firms_served(filters=march) == {"served": 3, "new": 3}
    ningbo = usage_filters_for(actor=reviewer, region="330200", start=dt.date(2025, 3, 1))
    # Only firm 2's first use was in Ningbo (20 March).
    assert firms_served(filters=ningbo)["new"] == 1
    assert DailyUsage.objects.aggregate(n=Sum("count"))["n"] == 9


def test_firms_served_all_time_from_first_served_equals_the_events(spread):
    for reviewer_region, kind in (("330000", None), ("330000", "use"), ("330100", None)):
        f = usage_filters_for(actor=make_reviewer(reviewer_region), kind=kind)
        events = UsageEvent.objects.filter(provider_county__startswith=reviewer_region[:2])
        if reviewer_region == "330100":
            events = UsageEvent.objects.filter(provider_city="330100")
        assert firms_served(filters=f)["served"] == events.values("firm_id").distinct().count()
