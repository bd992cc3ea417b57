"""Counts for the dashboard, from the month-grain counters (never the orders).

Every function takes ``UsageFilters`` (tracker.selectors.filters) and honours all of
them: period (whole months), region, kind, category (with its subtree), provider. Reads
go to the replica when one is configured. Labels (region, provider, category, item
names) are fetched in one query per breakdown, never per row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace

from django.db import connections
from django.db.models import Count, QuerySet, Sum

from accounts.models import FirmProfile, Organisation, Region
from config.db_router import replica_alias
from facilities.models import Category, Instrument, TestingService
from tracker.models import (
    CategoryMonthlyUsage,
    CategorySizeYear,
    FirmCategoryYear,
    FirmCityYear,
    FirmMonth,
    FirmsServedCategoryYear,
    FirmsServedYear,
    FirmYear,
    FirstServed,
    ItemMonthlyUsage,
    MonthlyUsage,
    ProviderCategoryYear,
    ProviderMonthlyUsage,
    ProviderYearRank,
    RegionMonthlyUsage,
    UsageKind,  # fmt: skip
)
from tracker.selectors.filters import PROVINCE, UsageFilters, months_between, period_q
from tracker.selectors.ranks import ranks_answer, top_item_ids
from tracker.selectors.yearly import (
    Part,
    as_date,
    fetch,
    grouped,
    grouped_for,
    period_parts,
    ranked,
    year_parts,
)

MEASURES = ("count", "minutes", "outside_count", "outside_minutes", "samples", "fee_fen",
            "voucher_fen")  # fmt: skip
BREAKDOWNS = ("kind", "month", "year", "city", "county", "provider", "category", "firm_size")


# Month-grain counters, coarsest first, with the dimensions each can answer beyond month,
# kind and county (and so city and region): a read takes the first that has them all.
ROLLUPS: tuple[tuple[type, frozenset[str]], ...] = (
    (RegionMonthlyUsage, frozenset({"firm_size"})),
    (ProviderMonthlyUsage, frozenset({"provider"})),
    (CategoryMonthlyUsage, frozenset({"category"})),
    (MonthlyUsage, frozenset({"firm_size", "provider", "category"})),
)


def rollup_for(filters: UsageFilters, by: str | None = None) -> type:
    """The coarsest counter table that answers ``filters`` grouped ``by``."""
    needs = set()
    if filters.provider_id is not None:
        needs.add("provider")
    if filters.category_ids is not None:
        needs.add("category")
    if by in ("provider", "category", "firm_size"):
        needs.add(by)
    for model, dims in ROLLUPS:
        if needs <= dims:
            return model
    raise AssertionError(needs)  # pragma: no cover - MonthlyUsage has every dimension


def _monthly(filters: UsageFilters, by: str | None = None) -> QuerySet:
    model = rollup_for(filters, by)
    return model.objects.using(replica_alias()).filter(filters.q())


def _row(values: dict) -> dict:
    row = {m: values.get(m) or 0 for m in MEASURES}
    row["hours"] = round(row["minutes"] / 60, 1)
    row["outside_hours"] = round(row["outside_minutes"] / 60, 1)
    return row


def usage_totals(*, filters: UsageFilters) -> dict[str, dict]:
    """{kind: measures} for both kinds (zeros where nothing happened)."""
    rows = {r["key"]: r for r in _summed(filters, by="kind")}
    return {kind: _row(rows.get(kind, {})) for kind in UsageKind.values}


def _key_sql(by: str, vendor: str) -> str:
    """A breakdown's key over a month-grain counter's row."""
    if by == "year":
        return "CAST(strftime('%%Y', month) AS INTEGER)" if vendor == "sqlite" else (
            "CAST(EXTRACT(YEAR FROM month) AS INTEGER)"
        )  # fmt: skip
    return {"city": "SUBSTR(county, 1, 4) || '00'", "provider": "provider_id",
            "category": "category_id"}.get(by, by)  # fmt: skip


def _summed(filters: UsageFilters, *, by: str, limit: int | None = None) -> list[dict]:
    """The measures of the filters' rows (``rollup_for``) grouped by ``by`` and kind
    (by kind alone for ``kind``), as {key, kind, measures}: largest count first, except
    months and years in order. One statement written by hand (``UsageFilters.sql``)."""
    part = Part.of(rollup_for(filters, by), filters.sql())
    key = _key_sql(by, connections[part.db].vendor)
    kind = "kind" if by != "kind" else "''"
    order = "1, 2" if by in ("month", "year") else "3 DESC, 1, 2"
    sums = ", ".join(f"SUM({m})" for m in MEASURES)
    sql = (
        f"SELECT {key}, {kind}, {sums} FROM {part.model._meta.db_table} WHERE {part.where}"  # noqa: S608
        f" GROUP BY 1, 2 ORDER BY {order}" + (" LIMIT %s" if limit else "")
    )
    rows = fetch(part.db, sql, [*part.params, *([limit] if limit else [])])
    out = []
    for key_value, kind_value, *measures in rows:
        if by == "month":
            key_value = as_date(key_value)
        values = dict(zip(MEASURES, (int(v or 0) for v in measures), strict=True))
        out.append({"key": key_value, "kind": kind_value or key_value, **values})
    return out


def usage_breakdown(*, filters: UsageFilters, by: str, limit: int | None = None) -> list[dict]:
    """Measures grouped by one of ``BREAKDOWNS`` (and by kind, unless a kind is chosen),
    each row with ``key`` and ``label``; largest count first except for time breakdowns."""
    if by not in BREAKDOWNS:
        raise ValueError(by)
    if by == "provider":
        return _provider_breakdown(filters, limit)
    if by == "firm_size" and filters.category_ids is not None and filters.provider_id is None:
        return _category_size_breakdown(filters, limit)
    if by == "category" and rollup_for(filters, by) is CategoryMonthlyUsage:
        return _category_breakdown(filters, limit)
    result = [{**r, **_row(r)} for r in _summed(filters, by=by, limit=limit)]
    return _labelled(by, result)


def _labelled(by: str, result: list[dict]) -> list[dict]:
    labels = breakdown_labels(by, [r["key"] for r in result])
    for r in result:
        r["label"] = labels.get(r["key"], str(r["key"]))
    return result


def _provider_breakdown(filters: UsageFilters, limit: int | None) -> list[dict]:
    """By provider and kind: the period's whole years from ProviderYearlyUsage, its edge
    months from ProviderMonthlyUsage; under a category filter ProviderCategoryYear and
    MonthlyUsage; with a provider filter too, MonthlyUsage.
    With ``limit``: the ``limit`` providers with most completions (of the kinds shown),
    each with a row per kind, in that order."""
    model = rollup_for(filters, "provider")
    if model is ProviderMonthlyUsage:
        parts = year_parts(filters, ProviderMonthlyUsage)
        if limit and _ranks_by_city(filters):
            rows = grouped_for(parts, rank_by="provider_id", winners=_top_providers(filters, parts, limit),
                               keys=("provider_id", "kind"), sums=MEASURES,
                               order="count DESC, provider_id, kind")  # fmt: skip
            result = [{"key": r["provider_id"], "kind": r["kind"], **_row(r)} for r in rows]
            return _labelled("provider", result)
    elif filters.category_ids is not None and filters.provider_id is None:
        parts = year_parts(filters, MonthlyUsage, yearly=ProviderCategoryYear)
    else:
        parts = [Part.of(model, filters.sql())]
    rows = grouped(parts, keys=("provider_id", "kind"), sums=MEASURES,
                   order="count DESC, provider_id, kind", limit=limit, rank_by="provider_id")  # fmt: skip
    result = [{"key": r["provider_id"], "kind": r["kind"], **_row(r)} for r in rows]
    return _labelled("provider", result)


def _ranks_by_city(filters: UsageFilters) -> bool:
    """Whether ProviderYearRank answers the ranking: both kinds together (no kind, item
    or provider filter) in the province or in whole cities."""
    codes = (filters.region,) if filters.region else filters.regions
    return (
        not filters.kind
        and not filters.has_item_filters
        and bool(codes)
        and all(code.endswith("00") for code in codes)
    )


def _top_providers(filters: UsageFilters, parts: list[Part], limit: int) -> list[int]:
    """The ``limit`` providers with most completions of both kinds: down the rank's index
    for one whole year; else summed over the rank's years and the edge months of
    ProviderMonthlyUsage (``parts``' monthly ones)."""
    years, _edges = period_parts(filters.month_start, filters.month_end)
    db = replica_alias()
    edges = [p for p in parts if p.model is ProviderMonthlyUsage]
    if years is None:
        return ranked(edges, "provider_id", limit)
    cities, params = replace(filters, kind=None).sql(period="year", county="city", bounds=years)
    table = ProviderYearRank._meta.db_table
    if not edges and years[0] is not None and years[0] == years[1]:
        sql = (
            f"SELECT provider_id FROM {table} WHERE {cities}"  # noqa: S608
            " ORDER BY count DESC, provider_id LIMIT %s"
        )
        return [row[0] for row in fetch(db, sql, [*params, limit])]
    return ranked([Part(ProviderYearRank, cities, tuple(params), db), *edges], "provider_id", limit)


def _category_breakdown(filters: UsageFilters, limit: int | None) -> list[dict]:
    """By category and kind: the period's whole years from CategoryYearlyUsage, its edge
    months from CategoryMonthlyUsage. A region's categories are a few dozen rows, so
    they are summed in one statement and the first ``limit`` (largest count first) kept,
    as a LIMIT would."""
    parts = year_parts(filters, CategoryMonthlyUsage)
    rows = grouped(parts, keys=("category_id", "kind"), sums=MEASURES,
                   order="count DESC, category_id, kind")  # fmt: skip
    result = [{"key": r["category_id"], "kind": r["kind"], **_row(r)} for r in rows[:limit]]
    return _labelled("category", result)


def _category_size_breakdown(filters: UsageFilters, limit: int | None) -> list[dict]:
    """By firm size and kind under a category filter: the period's whole years from
    CategorySizeYear, its edge months from MonthlyUsage (the only month table with both)."""
    parts = year_parts(filters, MonthlyUsage, yearly=CategorySizeYear)
    rows = grouped(parts, keys=("firm_size", "kind"), sums=MEASURES,
                   order="count DESC, firm_size, kind")  # fmt: skip
    result = [{"key": r["firm_size"], "kind": r["kind"], **_row(r)} for r in rows[:limit]]
    return _labelled("firm_size", result)


def breakdown_labels(by: str, keys: Iterable) -> dict:
    """Display names for breakdown keys, in one query (time and size need none)."""
    keys = list(keys)
    if by in ("city", "county"):
        return names_of(Region, keys, ("code", "name_zh", "name_en"))
    if by == "provider":
        return names_of(Organisation, keys, ("id", "name"))
    if by == "category":
        return names_of(Category, keys, ("id", "name_zh", "name_en"))
    if by == "kind":
        return {k: str(UsageKind(k).label) for k in keys if k in UsageKind.values}
    if by == "firm_size":
        return {k: str(FirmProfile.Size(k).label) for k in keys if k in FirmProfile.Size.values}
    if by == "month":
        return {k: k.strftime("%Y-%m") for k in keys}
    if by == "year":
        return {k: str(k) for k in keys}
    return {}


def names_of(model: type, keys: list, columns: tuple[str, ...]) -> dict:
    """{key: str(row)} of ``model``'s rows whose first column (its key) is among ``keys``,
    read by hand and named by the model's own ``__str__`` (the reader's language) on an
    instance of just ``columns``: a label lookup through the ORM cost ~1 ms of building
    and compiling for a read of ten rows."""
    if not keys:
        return {}
    db = replica_alias()
    table, key = model._meta.db_table, columns[0]
    sql = (
        f"SELECT {', '.join(columns)} FROM {table}"  # noqa: S608
        f" WHERE {key} IN ({', '.join(['%s'] * len(keys))})"
    )
    return {
        row[0]: str(model(**dict(zip(columns, row, strict=True)))) for row in fetch(db, sql, keys)
    }


def usage_series(*, filters: UsageFilters) -> list[dict]:
    """Month by month over the period, with running totals: [{month, kind, count,
    cumulative}] for each kind shown; months without use appear with 0."""
    rows = _monthly(filters).values("month", "kind").annotate(count=Sum("count"))
    by = {(r["month"], r["kind"]): r["count"] for r in rows}
    if not by and not (filters.start and filters.end):
        return []
    months = months_between(
        filters.month_start or min(m for m, _ in by), filters.month_end or max(m for m, _ in by)
    )
    kinds = [filters.kind] if filters.kind else list(UsageKind.values)
    series = []
    for kind in kinds:
        running = 0
        for month in months:
            n = by.get((month, kind), 0)
            running += n
            series.append({"month": month, "kind": kind, "count": n, "cumulative": running})
    return series


def usage_headline(*, filters: UsageFilters, on: dt.date) -> dict[str, dict[str, int]]:
    """{kind: {this_month, this_year, last_12_months}} as of ``on``, other filters kept."""
    return usage_headline_and_totals(filters=filters, on=on)[0]


def usage_headline_and_totals(
    *, filters: UsageFilters, on: dt.date
) -> tuple[dict[str, dict[str, int]], dict[str, dict]]:
    """``usage_headline`` and ``usage_totals`` of the filters' period, in one read of the
    months they span when that period starts no earlier than the headline's (this year
    and the last 12 months: the page's default and its usual choices), each figure summed
    over its own months (``CASE``); in two reads otherwise (an earlier year, all time),
    so that a recent headline never reads the months in between."""
    this_month = on.replace(day=1)
    periods = {
        "this_month": this_month,
        "this_year": on.replace(month=1, day=1),
        "last_12_months": (
            this_month.replace(year=this_month.year - 1) + dt.timedelta(days=31)
        ).replace(day=1),
    }
    first = min(periods.values())
    joint = filters.month_start is not None and filters.month_start >= first
    last = this_month
    if joint:
        last = max(last, filters.month_end) if filters.month_end else None
    sums, params = [], []
    for start in periods.values():
        sums.append("SUM(CASE WHEN month >= %s AND month <= %s THEN count ELSE 0 END)")
        params += [start, this_month]
    if joint:
        period = "month >= %s" + (" AND month <= %s" if filters.month_end else "")
        bounds = [filters.month_start, *([filters.month_end] if filters.month_end else [])]
        for m in MEASURES:
            sums.append(f"SUM(CASE WHEN {period} THEN {m} ELSE 0 END)")
            params += bounds
    part = Part.of(rollup_for(filters), filters.with_period(first, last).sql())
    sql = (
        f"SELECT kind, {', '.join(sums)} FROM {part.model._meta.db_table}"  # noqa: S608
        f" WHERE {part.where} GROUP BY kind"
    )
    rows = {
        kind: [int(v or 0) for v in values]
        for kind, *values in fetch(part.db, sql, [*params, *part.params])
    }
    zeros = [0] * len(sums)
    headline = {
        kind: dict(zip(periods, rows.get(kind, zeros), strict=False)) for kind in UsageKind.values
    }
    if not joint:
        return headline, usage_totals(filters=filters)
    n = len(periods)
    totals = {
        kind: _row(dict(zip(MEASURES, rows.get(kind, zeros)[n:], strict=True)))
        for kind in UsageKind.values
    }
    return headline, totals


def usage_top_items(*, filters: UsageFilters, kind: str, limit: int = 10) -> list[dict]:
    """The ``limit`` most used instruments (kind ``use``) or testing services (``batch``),
    a row per item and provider: whole years from ItemYearlyUsage, the edge months from
    ItemMonthlyUsage."""
    parts = year_parts(replace(filters, kind=kind), ItemMonthlyUsage)
    # Ranked by item: an instrument that moved to another provider keeps a row for each.
    shape = {"keys": ("item_id", "provider_id"), "sums": MEASURES,
             "order": "count DESC, item_id, provider_id"}  # fmt: skip
    if ranks_answer(filters):
        winners = top_item_ids(filters=filters, kind=kind, limit=limit)
        rows = grouped_for(parts, rank_by="item_id", winners=winners, **shape)
    else:
        rows = grouped(parts, limit=limit, rank_by="item_id", **shape)
    model = Instrument if kind == UsageKind.USE else TestingService
    names = names_of(model, [r["item_id"] for r in rows], ("id", "name"))
    providers = breakdown_labels("provider", [r["provider_id"] for r in rows])
    return [
        {
            "key": r["item_id"],
            "label": names.get(r["item_id"], str(r["item_id"])),
            "provider_id": r["provider_id"],
            "provider": providers.get(r["provider_id"], ""),
            "kind": kind,
            **_row(r),
        }
        for r in rows
    ]


def usage_top_providers(*, filters: UsageFilters, limit: int | None = 10) -> list[dict]:
    """The ``limit`` providers with most completions, a row per provider and kind."""
    return usage_breakdown(filters=filters, by="provider", limit=limit)


def firms_served(*, filters: UsageFilters) -> dict[str, int]:
    """Distinct firms served in the period, and how many of them were new: firms whose
    first completed order on the platform (of the kind chosen, else of either kind) falls
    in the period, and whose first order was under the region, category and provider
    filters (FirstServed: a range count)."""
    firsts = FirstServed.objects.using(replica_alias()).filter(kind=filters.kind or "")
    new = firsts.filter(replace(filters, kind=None).q()).count()
    if _whole_platform(filters):
        # All time, everywhere: every firm ever served has exactly one first-served row.
        return {"served": firsts.count(), "new": new}
    return {"served": _served(filters), "new": new}


def _served(filters: UsageFilters) -> int:
    """Distinct firms served: FirmsServedYear's row for one calendar year anywhere or in
    one city (of a kind, or of either); a row count of FirmCategoryYear (a category,
    anywhere) for one calendar year, distinct
    firms over their rows for several (or a category's subtree); FirmMonth
    (distinct over its rows) for anything else: a county, a provider or category, a
    period that is not made of whole years."""
    years = _whole_years(filters)
    codes = (filters.region,) if filters.region else filters.regions
    db = replica_alias()
    if years is not None and filters.provider_id is None and filters.category_ids is None:
        first, last = years
        province = all(code == PROVINCE for code in codes)
        one_city = len(codes) == 1 and codes[0].endswith("00") and not codes[0].endswith("0000")
        if first is not None and first == last and (province or one_city):
            # One calendar year, everywhere or in one city: a row FirmsServedYear keeps.
            row = FirmsServedYear.objects.using(db).filter(
                year=first, city="" if province else codes[0], kind=filters.kind or ""
            )
            return next(iter(row.values_list("firms", flat=True)), 0)
    if years is not None and filters.provider_id is None:
        province = all(code == PROVINCE for code in codes)
        first, last = years
        one_year = first is not None and first == last
        if (
            one_year
            and province
            and filters.category_ids is not None
            and len(filters.category_ids) == 1
        ):
            # One calendar year of one category (no subtree), province-wide: a row kept.
            sql = (
                f"SELECT firms FROM {FirmsServedCategoryYear._meta.db_table}"  # noqa: S608
                " WHERE year = %s AND category_id = %s AND kind = %s"
            )
            row = fetch(db, sql, [first, filters.category_ids[0], filters.kind or ""])
            return int(row[0][0]) if row else 0
        if filters.category_ids is not None:
            rows = (
                FirmCategoryYear.objects.using(db).filter(category_id__in=filters.category_ids)
                if province
                else None
            )
        elif province:
            rows = FirmYear.objects.using(db).all()
        elif len(codes) == 1 and codes[0].endswith("00") and not codes[0].endswith("0000"):
            rows = FirmCityYear.objects.using(db).filter(city=codes[0])
        else:
            rows = None
        if rows is not None:
            if filters.kind:
                rows = rows.filter(**{f"{filters.kind}_count__gt": 0})
            # As a list of years (one year: equality), so that the key (year, city, firm)
            # is sought on its city too: a range on the year read every city's rows
            # (one city's firms of a year at 15 M events: 130 ms, 32 ms by equality).
            rows = rows.filter(period_q("year", first, last))
            one_row_a_firm = filters.category_ids is None or len(filters.category_ids) == 1
            if one_year and one_row_a_firm:
                return rows.count()  # one row per firm served that year (and category)
            return rows.aggregate(n=Count("firm_id", distinct=True))["n"] or 0
    rows = FirmMonth.objects.using(db).filter(filters.q())
    return rows.aggregate(n=Count("firm_id", distinct=True))["n"] or 0


def _whole_years(filters: UsageFilters) -> tuple[dt.date | None, dt.date | None] | None:
    """(first, last) 1 January when the period is made of whole calendar years (None:
    open), else None."""
    years, edges = period_parts(filters.month_start, filters.month_end)
    return None if edges else years


def _whole_platform(filters: UsageFilters) -> bool:
    """No period, region narrower than the province (the platform is Zhejiang's),
    provider or category."""
    regions = (filters.region,) if filters.region else filters.regions
    return (
        filters.start is None
        and filters.end is None
        and not filters.has_item_filters
        and all(code == PROVINCE for code in regions)
    )
