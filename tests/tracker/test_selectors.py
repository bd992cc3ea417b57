"""The dashboard's selectors: scoped to the reviewer's region, every filter honoured."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from accounts.models import Region
from config.errors import Forbidden, Invalid, NotFound
from tests.factories.accounts import make_provider, make_reviewer
from tests.factories.facilities import InstrumentFactory
from tracker.models import Target
from tracker.selectors.filters import months_between, usage_filters_for, usage_filters_parse
from tracker.selectors.progress import Status, progress_figures, target_progress_list
from tracker.selectors.providers import provider_statistics
from tracker.selectors.public import public_summary
from tracker.selectors.usage import (
    firms_served,
    usage_breakdown,
    usage_headline,
    usage_series,
    usage_top_items,
    usage_totals,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ningbo_instrument():
    provider = make_provider(organisation__region=Region.objects.get(code="330203"))
    return InstrumentFactory(provider=provider)


@pytest.fixture
def history(complete_booking, ningbo_instrument, bob):
    """Two uses in Hangzhou (330106) by firm A and one in Ningbo (330203) by firm B."""
    complete_booking(minutes=60)
    complete_booking(minutes=30)
    complete_booking(minutes=120, inst=ningbo_instrument, firm=bob.memberships.get().organisation,
                     booked_by=bob, by=_manager_of(ningbo_instrument))  # fmt: skip


def _manager_of(instrument):
    from tests.factories.accounts import member_of

    return member_of(instrument.provider)


def test_province_reviewer_sees_all_cities(history):
    reviewer = make_reviewer("330000")
    filters = usage_filters_for(actor=reviewer)
    assert usage_totals(filters=filters)["use"]["count"] == 3
    cities = {r["key"]: r["count"] for r in usage_breakdown(filters=filters, by="city")}
    assert cities == {"330100": 2, "330200": 1}


def test_breakdown_by_year_counts_each_year(history):
    filters = usage_filters_for(actor=make_reviewer("330000"))
    years = usage_breakdown(filters=filters, by="year")
    this_year = timezone.localdate().year
    assert [(r["key"], r["label"], r["count"]) for r in years] == [(this_year, str(this_year), 3)]


def test_city_reviewer_sees_only_its_city(history):
    reviewer = make_reviewer("330100")
    filters = usage_filters_for(actor=reviewer)
    totals = usage_totals(filters=filters)["use"]
    assert (totals["count"], totals["minutes"]) == (2, 90)
    with pytest.raises(NotFound):
        usage_filters_parse(actor=reviewer, params={"region": "330200"})


def test_every_filter_narrows_the_counts(history, ningbo_instrument, provider, instrument):
    reviewer = make_reviewer("330000")

    def count(**params):
        filters = usage_filters_parse(actor=reviewer, params=params)
        return usage_totals(filters=filters)["use"]["count"]

    assert count(region="330203") == 1
    assert count(provider=str(provider.pk)) == 2
    assert count(category=str(instrument.category_id)) == 2
    assert count(kind="batch") == 0
    next_year = str(timezone.localdate().year + 1)
    assert count(**{"from": f"{next_year}-01"}) == 0


def test_bad_filters_are_400_and_strangers_403(history, alice):
    reviewer = make_reviewer("330000")
    with pytest.raises(Invalid):
        usage_filters_parse(actor=reviewer, params={"from": "2024-13"})
    with pytest.raises(Invalid):
        usage_filters_parse(actor=reviewer, params={"provider": "x"})
    with pytest.raises(Invalid):
        usage_filters_parse(actor=reviewer, params={"from": "2024-05", "to": "2024-01"})
    with pytest.raises(Forbidden):
        usage_filters_parse(actor=alice, params={})


def test_series_top_items_and_firms(history, instrument):
    reviewer = make_reviewer("330000")
    filters = usage_filters_for(actor=reviewer, kind="use")
    series = usage_series(filters=filters)
    assert series[-1]["cumulative"] == 3
    top = usage_top_items(filters=filters, kind="use")
    assert (top[0]["key"], top[0]["count"]) == (instrument.pk, 2)
    assert firms_served(filters=filters) == {"served": 2, "new": 2}
    headline = usage_headline(filters=filters, on=timezone.localdate())
    assert headline["use"]["this_year"] == 3


@pytest.mark.parametrize(
    "start, end, reads",
    [
        (dt.date(2026, 1, 1), dt.date(2026, 12, 31), 1),  # this year: one read
        (dt.date(2025, 12, 1), dt.date(2026, 11, 30), 1),  # the last 12 months
        (dt.date(2026, 11, 5), dt.date(2026, 11, 20), 1),  # within this month
        (dt.date(2025, 1, 1), dt.date(2025, 12, 31), 2),  # an earlier year: two
        (None, None, 2),  # all time
    ],
)
@pytest.mark.parametrize("kind, region", [(None, None), ("batch", None), (None, "330200")])
def test_the_headline_and_the_period_totals_equal_their_sums_month_by_month(
    django_assert_num_queries, start, end, reads, kind, region
):
    from tracker.models import RegionMonthlyUsage
    from tracker.selectors.usage import usage_headline_and_totals

    rows = []
    for i, month in enumerate(months_between(dt.date(2024, 6, 1), dt.date(2026, 12, 1))):
        for county, kind_ in (("330106", "use"), ("330203", "batch"), ("330203", "use")):
            n = (i * 7 + len(county) + len(kind_)) % 11 + 1
            rows.append(RegionMonthlyUsage(month=month, kind=kind_, county=county,
                                           firm_size="small", count=n, minutes=30 * n,
                                           fee_fen=1000 * n, samples=n if kind_ == "batch" else 0))  # fmt: skip
    RegionMonthlyUsage.objects.bulk_create(rows)
    on = dt.date(2026, 11, 20)
    filters = usage_filters_for(
        actor=make_reviewer("330000"), kind=kind, region=region, start=start, end=end
    )

    def expected(first, last, kind_):
        return [r for r in rows if r.kind == kind_ and (first is None or r.month >= first)
                and (last is None or r.month <= last) and (not kind or r.kind == kind)
                and (not region or r.county.startswith(region[:4]))]  # fmt: skip

    with django_assert_num_queries(reads):
        headline, totals = usage_headline_and_totals(filters=filters, on=on)
    for kind_ in ("use", "batch"):
        counts = {
            name: sum(r.count for r in expected(first, on.replace(day=1), kind_))
            for name, first in (("this_month", dt.date(2026, 11, 1)),
                                ("this_year", dt.date(2026, 1, 1)),
                                ("last_12_months", dt.date(2025, 12, 1)))
        }  # fmt: skip
        assert headline[kind_] == counts
        period = expected(filters.month_start, filters.month_end, kind_)
        assert totals[kind_]["count"] == sum(r.count for r in period)
        assert totals[kind_]["fee_fen"] == sum(r.fee_fen for r in period)
        assert totals[kind_]["hours"] == round(sum(r.minutes for r in period) / 60, 1)
    assert (headline, totals) == (
        usage_headline(filters=filters, on=on),
        usage_totals(filters=filters),
    )


def test_progress_projection_and_pace():
    figures = progress_figures(achieved=100, target_count=1000, total_days=100, elapsed_days=50)
    assert figures["status"] == Status.BEHIND
    assert figures["projected_total"] == 200 and figures["shortfall"] == 800
    assert figures["pace_needed_per_day"] == 18.0
    ahead = progress_figures(achieved=600, target_count=1000, total_days=100, elapsed_days=50)
    assert ahead["status"] == Status.ON_TRACK and ahead["shortfall"] == 0
    over = progress_figures(achieved=900, target_count=1000, total_days=100, elapsed_days=100)
    assert over["status"] == Status.MISSED and over["pace_needed_per_day"] is None


def test_target_progress_counts_its_region_and_period(history):
    today = timezone.localdate()
    Target.objects.create(
        name="杭州", kind="use", region_id="330100", target_count=4,
        starts_on=today.replace(month=1, day=1), ends_on=today.replace(month=12, day=31),
    )  # fmt: skip
    city = make_reviewer("330100")
    [progress] = target_progress_list(actor=city)
    assert (progress.target.region_id, progress.achieved) == ("330100", 2)
    province = make_reviewer("330000")
    assert len(target_progress_list(actor=province)) >= 3  # the plan's two and Hangzhou's


def test_provider_statistics_from_session_logs(history, provider, manager, instrument):
    stats = provider_statistics(actor=manager, provider_id=provider.pk)
    [row] = stats["instruments"]
    assert (row["uses"], row["effective_hours"], row["outside_hours"]) == (2, 1.5, 1.5)
    assert row["sharing_rate"] == 1.0 and row["bookings"] == 2 and row["firms_served"] == 1
    with pytest.raises(NotFound):
        provider_statistics(actor=make_reviewer("330200"), provider_id=provider.pk)


def test_public_summary_has_counts_by_city_and_no_people(history):
    cache.clear()
    summary = public_summary()
    plan = [t for t in summary["targets"] if t["kind"] == "use"]
    assert plan and len(plan[0]["cities"]) == 11
    assert "firm" not in str(summary).lower()


def test_achieved_adds_whole_months_and_partial_edges_exactly(history):
    from tracker.selectors.progress import achieved_count

    today = timezone.localdate()
    cases = [
        (today.replace(month=1, day=1), today.replace(month=12, day=31)),  # whole months
        (today - dt.timedelta(days=40), today),  # partial month at the start
        (today, today),  # one day
    ]
    for starts_on, ends_on in cases:
        target = Target(kind="use", region_id="330000", starts_on=starts_on, ends_on=ends_on,
                        target_count=1)  # fmt: skip
        assert achieved_count(target, until=today) == 3, (starts_on, ends_on)
    later = Target(kind="use", region_id="330000", starts_on=today + dt.timedelta(days=1),
                   ends_on=today + dt.timedelta(days=90), target_count=1)  # fmt: skip
    assert achieved_count(later, until=today + dt.timedelta(days=90)) == 0


def _counted(day: dt.date, n: int, county: str = "330106") -> None:
    """``n`` uses on ``day`` in the counters the progress reads, by county and by city (as
    events would leave them)."""
    from tracker.models import CityDailyUsage, CityMonthlyUsage, DailyUsage, RegionMonthlyUsage

    DailyUsage.objects.create(day=day, kind="use", county=county, count=n)
    city = county[:4] + "00"
    daily, _ = CityDailyUsage.objects.get_or_create(day=day, kind="use", city=city)
    for row in (
        RegionMonthlyUsage.objects.get_or_create(
            month=day.replace(day=1), kind="use", county=county, firm_size="small"
        )[0],
        CityMonthlyUsage.objects.get_or_create(month=day.replace(day=1), kind="use", city=city)[0],
        daily,
    ):
        row.count += n
        row.save()


def _early_2025_target(target_count: int) -> Target:
    """Uses on eight days of January–March 2025 in two cities, and a province target
    from 15 January to 5 March (partial months at both ends, one whole month)."""
    for day, n in [(dt.date(2025, 1, 10), 5), (dt.date(2025, 1, 18), 1), (dt.date(2025, 1, 20), 1),
                   (dt.date(2025, 2, 1), 3), (dt.date(2025, 2, 14), 2), (dt.date(2025, 2, 28), 4),
                   (dt.date(2025, 3, 3), 5), (dt.date(2025, 3, 6), 9)]:  # fmt: skip
        _counted(day, n, county="330106" if day.day % 2 else "330203")
    return Target(kind="use", region_id="330000", starts_on=dt.date(2025, 1, 15),
                  ends_on=dt.date(2025, 3, 5), target_count=target_count)  # fmt: skip


@pytest.mark.parametrize(
    "target_count, met_on",
    [
        (2, dt.date(2025, 1, 20)),  # within the partial first month (its 10th is before the start)
        (7, dt.date(2025, 2, 14)),  # a whole month, on the day the total is reached
        (16, dt.date(2025, 3, 3)),  # the partial last month
        (17, None),  # never: the day after the end does not count
    ],
)
def test_met_on_is_the_first_day_the_running_total_reaches_the_target(target_count, met_on):
    from tracker.selectors.progress import _met_on, month_counts

    target = _early_2025_target(target_count)
    assert _met_on(target, month_counts(target, until=target.ends_on)) == met_on


@pytest.mark.parametrize(
    "on, target_count, queries, achieved, met_on",
    [
        (dt.date(2025, 3, 5), 17, 1, 16, None),  # whole February, partial January and March
        (dt.date(2025, 3, 5), 7, 2, 16, dt.date(2025, 2, 14)),  # + the met month's days
        (dt.date(2025, 2, 14), 100, 1, 7, None),  # no whole month yet: the days only
        (dt.date(2025, 2, 28), 100, 1, 11, None),  # ends on a month's last day
    ],
)
def test_a_target_reads_its_months_once_for_achieved_met_on_and_line(
    django_assert_num_queries, on, target_count, queries, achieved, met_on
):
    from tracker.selectors.progress import target_progress

    target = _early_2025_target(target_count)
    with django_assert_num_queries(queries):
        progress = target_progress(target, on=on)
    assert (progress.achieved, progress.met_on) == (achieved, met_on)
    assert sum(n for _, n in progress.months) == achieved
    by_month = {dt.date(2025, 1, 1): 2, dt.date(2025, 2, 1): 9, dt.date(2025, 3, 1): 5}
    assert all(n == by_month[m] for m, n in progress.months[:-1])


def test_several_targets_read_together_as_each_alone(django_assert_num_queries):
    """One statement for every target's months and one for the met targets' days, with
    the same figures as each target read on its own (cities, kinds, met or not)."""
    from tracker.selectors.progress import target_progress, targets_progress

    on = dt.date(2025, 3, 5)
    # The province's and the cities' targets read the city tables, the county's the
    # county tables (tracker.selectors.progress._grain): the same days either way.
    shapes = [("330000", "use", 7), ("330100", "use", 3), ("330200", "use", 100),
              ("330000", "batch", 1), ("330000", "use", 17), ("330106", "use", 3)]  # fmt: skip
    province = _early_2025_target(1)
    targets = [
        Target(kind=kind, region_id=region, starts_on=province.starts_on,
               ends_on=province.ends_on, target_count=count)
        for region, kind, count in shapes
    ]  # fmt: skip
    alone = [target_progress(t, on=on) for t in targets]
    with django_assert_num_queries(2):
        together = targets_progress(targets, on=on)
    assert together == alone
    # Hangzhou has the odd days (1 February, 3 March), Ningbo the even ones.
    assert [p.achieved for p in together] == [16, 8, 8, 0, 16, 8]
    assert [p.met_on for p in together] == [dt.date(2025, 2, 14), dt.date(2025, 2, 1), None, None,
                                           None, dt.date(2025, 2, 1)]  # fmt: skip


@pytest.mark.parametrize("by", ["provider", "city", "county", "category", "firm_size"])
def test_a_limited_breakdown_is_the_head_of_the_whole_one(history, by):
    filters = usage_filters_for(actor=make_reviewer("330000"))
    whole = usage_breakdown(filters=filters, by=by)
    for limit in (1, 2):
        assert usage_breakdown(filters=filters, by=by, limit=limit) == whole[:limit]


def test_top_instruments_are_the_head_of_all_instruments(history):
    filters = usage_filters_for(actor=make_reviewer("330000"))
    whole = usage_top_items(filters=filters, kind="use", limit=100)
    assert len(whole) == 2 and whole[0]["count"] >= whole[1]["count"]
    assert usage_top_items(filters=filters, kind="use", limit=1) == whole[:1]


@pytest.mark.parametrize(
    ("region", "tables"),
    [("330000", ("tracker_citymonthlyusage", "tracker_citydailyusage")),
     ("330100", ("tracker_citymonthlyusage", "tracker_citydailyusage")),
     ("330106", ("tracker_regionmonthlyusage", "tracker_dailyusage"))],
)  # fmt: skip
def test_a_targets_grain_is_its_regions(region, tables):
    """The province's and a city's targets read the city tables, a county's the county
    ones; the partial months at the ends come from the daily table of the same grain."""
    from django.test.utils import CaptureQueriesContext

    from tracker.selectors.progress import target_progress

    target = _early_2025_target(1)
    target.region_id = region
    with CaptureQueriesContext(connection) as queries:
        target_progress(target, on=dt.date(2025, 3, 5))
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert all(table in sql for table in tables)
    others = {"tracker_citymonthlyusage", "tracker_citydailyusage", "tracker_regionmonthlyusage",
              "tracker_dailyusage"} - set(tables)  # fmt: skip
    assert not any(f"{table} " in sql for table in others)
