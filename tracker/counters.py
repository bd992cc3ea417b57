"""The counters' grains, written once: the fold's upsert and reconciliation's rebuild
both read these specs, so the two can never disagree on what a counter holds.

Each spec maps the counter's key columns to a column (or SQL expression) of the usage
event, and its measures to the sum of an expression over events. A new event adds its
own values with ``INSERT … ON CONFLICT (key) DO UPDATE SET m = m + EXCLUDED.m``
(PostgreSQL and SQLite ≥ 3.24 both speak it).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from functools import cached_property

from django.db import connection

from tracker.models import (
    CategoryMonthlyUsage,
    CategorySizeYear,
    CategoryYearlyUsage,
    CityDailyUsage,
    CityMonthlyUsage,
    DailyUsage,
    FirmCategoryYear,
    FirmCityYear,
    FirmMonth,
    FirmsServedCategoryYear,
    FirmsServedYear,
    FirmYear,
    FirstServed,
    ItemMonthlyUsage,
    ItemMonthRank,
    ItemYearlyUsage,
    ItemYearRank,
    MonthlyUsage,
    ProviderCategoryYear,
    ProviderMonthlyUsage,
    ProviderYearlyUsage,
    ProviderYearRank,
    RegionMonthlyUsage,  # fmt: skip
    UnfoldedEvent,
    UsageEvent,
)

# measure -> (SQL over an event row, the same in Python over the event's values)
_SUMS: dict[str, tuple[str, object]] = {
    "count": ("1", lambda e: 1),
    "minutes": ("minutes", lambda e: e["minutes"]),
    "outside_count": (
        "CASE WHEN is_outside THEN 1 ELSE 0 END",
        lambda e: 1 if e["is_outside"] else 0,
    ),
    "outside_minutes": (
        "CASE WHEN is_outside THEN minutes ELSE 0 END",
        lambda e: e["minutes"] if e["is_outside"] else 0,
    ),
    "samples": ("samples", lambda e: e["samples"]),
    "fee_fen": ("fee_fen", lambda e: e["fee_fen"]),
    "voucher_fen": ("voucher_fen", lambda e: e["voucher_fen"]),
    # The firm tables count a firm's completions of each kind apart (FirmYear).
    "use_count": ("CASE WHEN kind = 'use' THEN 1 ELSE 0 END", lambda e: int(e["kind"] == "use")),
    "batch_count": (
        "CASE WHEN kind = 'batch' THEN 1 ELSE 0 END",
        lambda e: int(e["kind"] == "batch"),
    ),
}
# What the usage counters sum (the firm tables sum counts only).
USAGE_SUMS = ("count", "minutes", "outside_count", "outside_minutes", "samples", "fee_fen",
              "voucher_fen")  # fmt: skip
FIRM_SUMS = ("count", "use_count", "batch_count")


# A key column as a number, for reconciliation's per-month checksums (a count moved from
# one key to another within a month changes SUM(count × key) though not SUM(count)).
_CHECKSUMS: dict[str, str] = {
    "county": "CAST(NULLIF({c}, '') AS BIGINT)",
    "provider_id": "{c}",
    "category_id": "{c}",
    "item_id": "{c}",
    "firm_id": "{c}",
    "city": "CAST(NULLIF({c}, '') AS BIGINT)",
    "firm_size": "CASE {c} WHEN 'small' THEN 1 WHEN 'micro' THEN 2 ELSE 0 END",
}


@dataclass(eq=False)
class CounterSpec:
    model: type
    period: str  # "day", "month" or "year": how a reconciliation period widens for it
    keys: dict[str, tuple[str, object]]  # column -> (SQL over events, Python over values)
    sums: tuple[str, ...]
    # False for the firm tables, which have no kind column (they count kinds as sums):
    # reconciliation then compares them per period, both kinds together.
    kinded: bool = True

    @property
    def checksum_keys(self) -> tuple[str, ...]:
        """Key columns checked per month by a weighted sum (the period and kind are the
        buckets themselves)."""
        return tuple(k for k in self.keys if k in _CHECKSUMS)

    def checksum_sql(self, key: str, *, stored: bool) -> str:
        """SUM(count × key) over the stored rows, or SUM(key) over events."""
        if stored:
            return f"SUM(count * {_CHECKSUMS[key].format(c=key)})"
        return f"SUM({_CHECKSUMS[key].format(c=self.keys[key][0])})"

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    @property
    def period_column(self) -> str:
        return self.period

    @property
    def event_period_sql(self) -> str:
        """The event's column (or expression) that this table's period is made of."""
        return {"day": "completed_on", "month": "month"}.get(self.period) or self.keys["year"][0]

    def row(self, event: dict) -> list:
        return [get(event) for _, get in self.keys.values()] + [
            _SUMS[name][1](event) for name in self.sums
        ]

    @cached_property
    def upsert_sql(self) -> str:
        q = connection.ops.quote_name
        cols = [*self.keys, *self.sums]
        adds = ", ".join(f"{q(c)} = {self.table}.{q(c)} + EXCLUDED.{q(c)}" for c in self.sums)
        return (
            f"INSERT INTO {self.table} ({', '.join(q(c) for c in cols)})"  # noqa: S608
            f" VALUES ({', '.join(['%s'] * len(cols))})"
            f" ON CONFLICT ({', '.join(q(c) for c in self.keys)}) DO UPDATE SET {adds}"
        )

    def fold_insert(self, batch: str) -> str:
        """This counter's upsert of a batch of events (the relation ``batch``: the fold's
        CTE of the events it takes off the queue), summed per key first: one row per key,
        as ON CONFLICT requires."""
        q = connection.ops.quote_name
        cols = [*self.keys, *self.sums]
        adds = ", ".join(f"{q(c)} = {self.table}.{q(c)} + EXCLUDED.{q(c)}" for c in self.sums)
        return (
            f"INSERT INTO {self.table} ({', '.join(q(c) for c in cols)})"  # noqa: S608
            f" {self.recount_select('TRUE', source=batch)}"
            f" ON CONFLICT ({', '.join(q(c) for c in self.keys)}) DO UPDATE SET {adds}"
        )

    def recount_select(self, where: str, *, source: str | None = None) -> str:
        """Counter rows as the events say they should be (``where`` filters events;
        ``source``: a relation of event rows instead of the event table)."""
        keys = ", ".join(f"{sql} AS {k}" for k, (sql, _) in self.keys.items())
        sums = ", ".join(f"SUM({_SUMS[s][0]}) AS {s}" for s in self.sums)
        group = ", ".join(str(i + 1) for i in range(len(self.keys)))
        return (
            f"SELECT {keys}, {sums} FROM {source or UsageEvent._meta.db_table}"  # noqa: S608
            f" WHERE {where} GROUP BY {group}"
        )


def _col(name: str):
    return (name, lambda e, n=name: e[n])


def _year_sql() -> str:
    """1 January of the event's year, as a date, in the database's own words."""
    if connection.vendor == "sqlite":
        return "date(month, 'start of year')"
    return "CAST(date_trunc('year', month) AS date)"


_YEAR = (_year_sql(), lambda e: e["month"].replace(month=1))


DAILY = CounterSpec(
    DailyUsage,
    "day",
    {"day": _col("completed_on"), "kind": _col("kind"), "county": _col("provider_county")},
    USAGE_SUMS,
)
REGION_MONTHLY = CounterSpec(
    RegionMonthlyUsage,
    "month",
    {
        "month": _col("month"),
        "kind": _col("kind"),
        "county": _col("provider_county"),
        "firm_size": _col("firm_size"),
    },
    USAGE_SUMS,
)
CITY_DAILY = CounterSpec(
    CityDailyUsage,
    "day",
    {"day": _col("completed_on"), "kind": _col("kind"), "city": _col("provider_city")},
    ("count",),
)
CITY_MONTHLY = CounterSpec(
    CityMonthlyUsage,
    "month",
    {"month": _col("month"), "kind": _col("kind"), "city": _col("provider_city")},
    ("count",),
)
PROVIDER_MONTHLY = CounterSpec(
    ProviderMonthlyUsage,
    "month",
    {
        "month": _col("month"),
        "kind": _col("kind"),
        "county": _col("provider_county"),
        "provider_id": _col("provider_id"),
    },
    USAGE_SUMS,
)
CATEGORY_MONTHLY = CounterSpec(
    CategoryMonthlyUsage,
    "month",
    {
        "month": _col("month"),
        "kind": _col("kind"),
        "county": _col("provider_county"),
        "category_id": _col("category_id"),
    },
    USAGE_SUMS,
)
MONTHLY = CounterSpec(
    MonthlyUsage,
    "month",
    {
        "month": _col("month"),
        "kind": _col("kind"),
        "county": _col("provider_county"),
        "provider_id": _col("provider_id"),
        "category_id": _col("category_id"),
        "firm_size": _col("firm_size"),
    },
    USAGE_SUMS,
)
ITEM_MONTHLY = CounterSpec(
    ItemMonthlyUsage,
    "month",
    {
        "month": _col("month"),
        "kind": _col("kind"),
        "item_id": (
            "COALESCE(instrument_id, service_id)",
            lambda e: e["instrument_id"] or e["service_id"],
        ),
        "county": _col("provider_county"),
        "provider_id": _col("provider_id"),
        "category_id": _col("category_id"),
    },
    USAGE_SUMS,
)
PROVIDER_YEARLY = CounterSpec(
    ProviderYearlyUsage,
    "year",
    {
        "year": _YEAR,
        "kind": _col("kind"),
        "county": _col("provider_county"),
        "provider_id": _col("provider_id"),
    },
    USAGE_SUMS,
)
PROVIDER_YEAR_RANK = CounterSpec(
    ProviderYearRank,
    "year",
    {"year": _YEAR, "city": _col("provider_city"), "provider_id": _col("provider_id")},
    ("count",),
    kinded=False,
)
CATEGORY_YEARLY = CounterSpec(
    CategoryYearlyUsage,
    "year",
    {
        "year": _YEAR,
        "kind": _col("kind"),
        "county": _col("provider_county"),
        "category_id": _col("category_id"),
    },
    USAGE_SUMS,
)
PROVIDER_CATEGORY_YEAR = CounterSpec(
    ProviderCategoryYear,
    "year",
    {
        "year": _YEAR,
        "kind": _col("kind"),
        "county": _col("provider_county"),
        "provider_id": _col("provider_id"),
        "category_id": _col("category_id"),
    },
    USAGE_SUMS,
)
CATEGORY_SIZE_YEAR = CounterSpec(
    CategorySizeYear,
    "year",
    {
        "year": _YEAR,
        "kind": _col("kind"),
        "county": _col("provider_county"),
        "category_id": _col("category_id"),
        "firm_size": _col("firm_size"),
    },
    USAGE_SUMS,
)
ITEM_YEARLY = CounterSpec(
    ItemYearlyUsage,
    "year",
    {
        "year": _YEAR,
        "kind": _col("kind"),
        "item_id": ITEM_MONTHLY.keys["item_id"],
        "county": _col("provider_county"),
        "provider_id": _col("provider_id"),
        "category_id": _col("category_id"),
    },
    USAGE_SUMS,
)
ITEM_YEAR_RANK = CounterSpec(
    ItemYearRank,
    "year",
    {"year": _YEAR, "kind": _col("kind"), "item_id": ITEM_MONTHLY.keys["item_id"]},
    ("count",),
)
ITEM_MONTH_RANK = CounterSpec(
    ItemMonthRank,
    "month",
    {"month": _col("month"), "kind": _col("kind"), "item_id": ITEM_MONTHLY.keys["item_id"]},
    ("count",),
)
FIRM_YEAR = CounterSpec(
    FirmYear, "year", {"year": _YEAR, "firm_id": _col("firm_id")}, FIRM_SUMS, kinded=False
)
FIRM_CITY_YEAR = CounterSpec(
    FirmCityYear,
    "year",
    {"year": _YEAR, "city": _col("provider_city"), "firm_id": _col("firm_id")},
    FIRM_SUMS,
    kinded=False,
)
FIRM_CATEGORY_YEAR = CounterSpec(
    FirmCategoryYear,
    "year",
    {"year": _YEAR, "category_id": _col("category_id"), "firm_id": _col("firm_id")},
    FIRM_SUMS,
    kinded=False,
)
FIRM_MONTH = CounterSpec(
    FirmMonth,
    "month",
    {
        "month": _col("month"),
        "kind": _col("kind"),
        "firm_id": _col("firm_id"),
        "county": _col("provider_county"),
        "provider_id": _col("provider_id"),
        "category_id": _col("category_id"),
        "firm_size": _col("firm_size"),
    },
    ("count",),
)


class FirstServedSpec:
    """The first-served table is not a sum: one row per (firm, kind) and per firm (kind
    ""), holding the earliest event (by completion time, then event id). The upsert
    replaces the row only when the new event is earlier; the recount is each partition's
    first event. Its month is the first event's month, so reconciliation compares it per
    month too (rows and a checksum of firm ids)."""

    model = FirstServed
    period = "month"
    period_column = "month"
    event_period_sql = "month"
    kinded = True
    cols = ("firm_id", "kind", "first_at", "event_id", "month", "county", "provider_id",
            "category_id")  # fmt: skip
    keys = {"firm_id": None, "kind": None}

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    def _upsert_tail(self) -> str:
        t = self.table
        sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in self.cols[2:])
        return (
            f" ON CONFLICT (firm_id, kind) DO UPDATE SET {sets}"
            f" WHERE EXCLUDED.first_at < {t}.first_at"
            f" OR (EXCLUDED.first_at = {t}.first_at AND EXCLUDED.event_id < {t}.event_id)"
        )

    @cached_property
    def upsert_sql(self) -> str:
        return (
            f"INSERT INTO {self.table} ({', '.join(self.cols)})"  # noqa: S608
            f" VALUES ({', '.join(['%s'] * len(self.cols))}), ({', '.join(['%s'] * len(self.cols))})"
            + self._upsert_tail()
        )

    def row(self, event: dict) -> list:
        def one(kind):
            return [event["firm_id"], kind, event["completed_at"], event["id"], event["month"],
                    event["provider_county"], event["provider_id"], event["category_id"]]  # fmt: skip

        return one(event["kind"]) + one("")

    def fold_insert(self, batch: str) -> str:
        """Each (firm, kind)'s earliest event of a batch (the relation ``batch``), kept
        only where it is earlier than the row already there."""
        rows = self.recount_select("TRUE", source=batch)
        return f"INSERT INTO {self.table} ({', '.join(self.cols)}) {rows}" + self._upsert_tail()  # noqa: S608

    def recount_select(self, where: str, firms: str = "", *, source: str | None = None) -> str:
        """Rows as the events say (``where`` filters the result's month; ``firms``, an
        optional condition on events' firm_id, narrows the partitions read; ``source``: a
        relation of event rows instead of the event table)."""
        ev = source or UsageEvent._meta.db_table
        pick = ("firm_id, {kind} AS kind, completed_at AS first_at, id AS event_id, month,"
                " provider_county AS county, provider_id, category_id,"
                " ROW_NUMBER() OVER (PARTITION BY firm_id{part} ORDER BY completed_at, id) AS rn")  # fmt: skip
        narrow = f" WHERE {firms}" if firms else ""
        per_kind = pick.format(kind="kind", part=", kind")
        either = pick.format(kind="''", part="")
        return (
            f"SELECT {', '.join(self.cols)} FROM ("  # noqa: S608
            f"SELECT {per_kind} FROM {ev}{narrow} UNION ALL SELECT {either} FROM {ev}{narrow}"
            f") f WHERE rn = 1 AND {where}"
        )

    def month_firsts_sql(self, events_where: str = "1 = 1") -> str:
        """Per (month, kind): how many firms were first served, and the sum of their ids,
        from the events (those matching ``events_where``) by GROUP BY (no sort of the
        events)."""
        ev = UsageEvent._meta.db_table
        return (
            f"WITH fk AS (SELECT firm_id, kind, MIN(month) AS month FROM {ev}"  # noqa: S608
            f" WHERE {events_where} GROUP BY firm_id, kind)"
            " SELECT month, kind, COUNT(*), SUM(firm_id) FROM (SELECT firm_id, kind, month"
            " FROM fk UNION ALL SELECT firm_id, '', MIN(month) FROM fk GROUP BY firm_id) f"
            " GROUP BY month, kind"
        )


FIRST_SERVED = FirstServedSpec()


class FirmsServedSpec:
    """A tally of firms served: a firm table's rows counted, per year (and place: a city,
    or a category), of either kind and of each. FirmsServedYear counts FirmYear's rows
    (place "": everywhere) and FirmCityYear's (the provider's city);
    FirmsServedCategoryYear counts FirmCategoryYear's (the category). Not a sum over
    events: a firm-year counts once, when its first event is folded. The fold adds a
    batch to a tally as the firm tables it counts were *before* that batch
    (``fold_insert``, under the fold's lock): a batch's (year, place, firm) with no row
    there yet is a new firm served; one whose row has no use (batch) yet, a new firm of
    that kind.
    Reconciliation recounts it from those tables (``recount``), which it compares with
    the events first, and rebuilds it after them."""

    def __init__(self, model: type, place: str, sources: tuple) -> None:
        self.model = model
        self.place = place  # the tally's column for the place
        # (firm table, the event's column for its place and the firm table's, or None:
        # everywhere, place "")
        self.SOURCES = sources

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    def fold_insert(self, batch: str) -> str:
        """The tally's additions for a batch (the relation ``batch``), read from the firm
        tables as they were before the batch: the fold runs this in the same statement as
        those tables' own upserts, whose rows a statement's other parts do not see. Each
        source's new firms are summed per key in one INSERT (one row per key, as ON
        CONFLICT requires), so two sources meeting on one key add up."""
        t, p = self.table, self.place
        news = " UNION ALL ".join(
            self._new_firms(firms, place, batch) for firms, place in self.SOURCES
        )
        return (
            f"INSERT INTO {t} (year, {p}, kind, firms)"  # noqa: S608
            f" SELECT year, {p}, kind, SUM(firms) FROM ({news}) n GROUP BY 1, 2, 3"
            f" ON CONFLICT (year, {p}, kind) DO UPDATE SET firms = {t}.firms + EXCLUDED.firms"
        )

    def _new_firms(self, firms: type, place: tuple[str, str] | None, batch: str) -> str:
        """(year, place, kind, firms) that the batch serves for the first time: a batch's
        (year, place, firm) with no row in ``firms`` yet is a new firm served; one whose
        row has no use (batch) yet, a new firm of that kind."""
        table, p = firms._meta.db_table, self.place
        key = f"{place[0]} AS {p}" if place else f"'' AS {p}"
        join = f" AND f.{place[1]} = b.{p}" if place else ""
        served = (
            f"SELECT {_YEAR[0]} AS year, {key}, firm_id,"  # noqa: S608
            f" SUM({_SUMS['use_count'][0]}) AS uses, SUM({_SUMS['batch_count'][0]}) AS batches"
            f" FROM {batch} GROUP BY 1, 2, 3"
        )
        return (
            f"SELECT b.year, b.{p}, k.kind, COUNT(*) AS firms FROM ({served}) b"  # noqa: S608
            f" LEFT JOIN {table} f ON f.year = b.year AND f.firm_id = b.firm_id{join}"
            " CROSS JOIN LATERAL (VALUES ('', f.id IS NULL),"
            " ('use', b.uses > 0 AND COALESCE(f.use_count, 0) = 0),"
            " ('batch', b.batches > 0 AND COALESCE(f.batch_count, 0) = 0)) AS k (kind, new)"
            f" WHERE k.new GROUP BY b.year, b.{p}, k.kind"
        )

    def add(self, cursor, event: dict) -> None:
        """SQLite (``counters_add``): one event, before it is added to the firm tables."""
        year = _YEAR[1](event)
        for firms, place in self.SOURCES:
            where, params = "year = %s AND firm_id = %s", [year, event["firm_id"]]
            if place:
                where, params = f"{where} AND {place[1]} = %s", [*params, event[place[0]]]
            cursor.execute(
                f"SELECT use_count, batch_count FROM {firms._meta.db_table} WHERE {where}",  # noqa: S608
                params,
            )
            row = cursor.fetchone()
            uses, batches = row or (0, 0)
            kinds = [k for k, new in (("", row is None), ("use", uses == 0 and event["kind"] == "use"),
                                      ("batch", batches == 0 and event["kind"] == "batch")) if new]  # fmt: skip
            for kind in kinds:
                cursor.execute(
                    f"INSERT INTO {self.table} (year, {self.place}, kind, firms)"  # noqa: S608
                    f" VALUES (%s, %s, %s, 1) ON CONFLICT (year, {self.place}, kind)"
                    f" DO UPDATE SET firms = {self.table}.firms + 1",
                    [year, event[place[0]] if place else "", kind],
                )

    def recount(self, cursor, years: tuple | None = None) -> dict[tuple, int]:
        """{(year, place, kind): firms} as the firm tables hold them, one pass over each
        (``years``: 1 January of the first and last year; None: all)."""
        where, params = _years_sql(years)
        out = {}
        for firms, place in self.SOURCES:
            key = place[1] if place else "''"
            cursor.execute(
                f"SELECT year, {key}, COUNT(*), SUM(CASE WHEN use_count > 0 THEN 1 ELSE 0 END),"  # noqa: S608
                " SUM(CASE WHEN batch_count > 0 THEN 1 ELSE 0 END)"
                f" FROM {firms._meta.db_table} WHERE {where} GROUP BY 1, 2",
                params,
            )
            for year, where_served, every, uses, batches in cursor.fetchall():
                for kind, n in (("", every), ("use", uses), ("batch", batches)):
                    if n:
                        out[(_as_date(year), where_served, kind)] = int(n)
        return out

    def stored(self, cursor, years: tuple | None = None) -> dict[tuple, int]:
        """{(year, place, kind): firms} as this table holds them."""
        where, params = _years_sql(years)
        cursor.execute(
            f"SELECT year, {self.place}, kind, firms FROM {self.table}"  # noqa: S608
            f" WHERE {where} AND firms <> 0",
            params,
        )
        return {(_as_date(y), c, k): int(n) for y, c, k, n in cursor.fetchall()}

    def rebuild(self, cursor, years: list[dt.date] | None = None) -> None:
        """Replace the rows of ``years`` (None: every year) by their recount."""
        recount = self.recount(cursor)
        if years is None:
            cursor.execute(f"DELETE FROM {self.table}")  # noqa: S608
        else:
            cursor.execute(
                f"DELETE FROM {self.table} WHERE year IN ({', '.join(['%s'] * len(years))})",  # noqa: S608
                years,
            )
            recount = {k: n for k, n in recount.items() if k[0] in set(years)}
        for (year, place, kind), n in sorted(recount.items()):
            cursor.execute(
                f"INSERT INTO {self.table} (year, {self.place}, kind, firms)"  # noqa: S608
                " VALUES (%s, %s, %s, %s)",
                [year, place, kind, n],
            )


def _years_sql(years: tuple | None) -> tuple[str, list]:
    return ("1 = 1", []) if years is None else ("year >= %s AND year <= %s", list(years))


def _as_date(value) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value  # SQLite: text


# Every counter is added to from the queue of unfolded events (tracker.services.fold), a
# batch in one transaction by one folder at a time, never by the completion itself: a
# completion writes its event and its queue row only, so completions in one county or of
# one firm never wait on each other's counter rows, and a busy second's events write each
# counter row once. Folders add to the tables in this order.
COUNTERS: tuple = (
    DAILY, CITY_DAILY, REGION_MONTHLY, CITY_MONTHLY, PROVIDER_MONTHLY, CATEGORY_MONTHLY, MONTHLY,
    ITEM_MONTHLY, FIRM_MONTH, PROVIDER_YEARLY, PROVIDER_YEAR_RANK, CATEGORY_YEARLY,
    PROVIDER_CATEGORY_YEAR, CATEGORY_SIZE_YEAR, ITEM_YEARLY, ITEM_YEAR_RANK, ITEM_MONTH_RANK,
    FIRM_YEAR, FIRM_CITY_YEAR, FIRM_CATEGORY_YEAR, FIRST_SERVED,
)  # fmt: skip
SUM_COUNTERS: tuple[CounterSpec, ...] = tuple(s for s in COUNTERS if s is not FIRST_SERVED)
# Derived from the firm tables, not from events: folded before them (in the fold and in
# counters_add), rebuilt after them.
FIRMS_SERVED = FirmsServedSpec(
    FirmsServedYear, "city", ((FirmYear, None), (FirmCityYear, ("provider_city", "city")))
)
FIRMS_SERVED_BY_CATEGORY = FirmsServedSpec(
    FirmsServedCategoryYear, "category_id", ((FirmCategoryYear, ("category_id", "category_id")),)
)
FIRMS_SERVED_TALLIES = (FIRMS_SERVED, FIRMS_SERVED_BY_CATEGORY)


def counters_add(event: dict) -> None:
    """SQLite (the embedded default: one writer, no worker): add one event's values to
    every counter, folded ones too, inside the event's transaction; the event's ``id``
    must be set."""
    with connection.cursor() as cursor:
        for tally in FIRMS_SERVED_TALLIES:
            tally.add(cursor, event)
        for spec in COUNTERS:
            cursor.execute(spec.upsert_sql, spec.row(event))


@functools.cache
def event_and_queue_sql(event_insert: str) -> str:
    """PostgreSQL: the event's ``INSERT … ON CONFLICT DO NOTHING`` and its row in the fold
    queue as one statement (one round trip on the check-out's path). The queue reads the
    CTE's ``RETURNING`` rows, so a duplicate completion queues nothing. Answers one row:
    the rows inserted."""
    queue = UnfoldedEvent._meta.db_table
    return (
        f"WITH ev AS ({event_insert} RETURNING id),"  # noqa: S608 - names only
        f" queued AS (INSERT INTO {queue} (event_id) SELECT id FROM ev)"
        " SELECT COUNT(*) FROM ev"
    )
