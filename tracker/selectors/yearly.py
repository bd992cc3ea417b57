"""Whole years from the year-grain counters, the months at a period's edges from the
month-grain ones.

A year of ProviderMonthlyUsage is ~120,000 rows at 5,000 providers and a year of
ItemMonthlyUsage ~170,000 at 75,000 instruments and services; their year twins hold one
row per provider (item) and year. A period (whole months, as every dashboard filter) is
split into the calendar years it covers whole and the months left at either end; the
parts are read as one ``UNION ALL`` and grouped once, in the database.

A part is a ``Part``: a counter table and its conditions as SQL (``UsageFilters.sql``),
not a QuerySet. The statements are small and few; building and compiling them through
the ORM had cost more than PostgreSQL's reading of the rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connections

from config.db_router import replica_alias
from tracker.models import (
    CategoryMonthlyUsage,
    CategoryYearlyUsage,
    ItemMonthlyUsage,
    ItemYearlyUsage,
    ProviderMonthlyUsage,
    ProviderYearlyUsage,
)
from tracker.selectors.filters import UsageFilters, today

YEARLY = {
    ProviderMonthlyUsage: ProviderYearlyUsage,
    ItemMonthlyUsage: ItemYearlyUsage,
    CategoryMonthlyUsage: CategoryYearlyUsage,
}


def period_parts(
    start: dt.date | None, end: dt.date | None
) -> tuple[tuple[dt.date | None, dt.date | None] | None, list[tuple[dt.date, dt.date]]]:
    """Whole months from ``start`` to ``end`` (firsts of months; None: open) as (the
    first and last whole calendar year, as 1 January, or None when it covers none) and
    the month ranges at the edges, outside those years.

    A period that runs to the current month covers the rest of its year: completions are
    counted as they happen, so no counter holds a later month ("this year" in June is
    the year's row)."""
    if end is not None and end >= today().replace(day=1):
        end = end.replace(month=12)
    first = start if start is None or start.month == 1 else dt.date(start.year + 1, 1, 1)
    if end is None or end.month == 12:
        last = end.replace(month=1) if end else None
    else:
        last = dt.date(end.year - 1, 1, 1)
    if first and last and first > last:  # within one or two calendar years, none whole
        return None, [(start, end)]
    edges = []
    if start and start.month != 1:
        edges.append((start, dt.date(start.year, 12, 1)))
    if end and end.month != 12:
        edges.append((dt.date(end.year, 1, 1), end))
    return (first, last), edges


@dataclass(frozen=True)
class Part:
    """The rows of one counter table under ``where`` (SQL, with ``params``)."""

    model: type
    where: str
    params: tuple
    db: str

    @classmethod
    def of(cls, model: type, condition: tuple[str, list], db: str | None = None) -> Part:
        return cls(model, condition[0], tuple(condition[1]), db or replica_alias())

    def among(self, column: str, values: list) -> Part:
        """These rows with ``column`` among ``values`` (none: no rows)."""
        if not values:
            return Part(self.model, f"{self.where} AND 1 = 0", self.params, self.db)
        where = f"{self.where} AND {column} IN ({', '.join(['%s'] * len(values))})"
        return Part(self.model, where, (*self.params, *values), self.db)

    def select(self, columns: tuple[str, ...]) -> str:
        return f"SELECT {', '.join(columns)} FROM {self.model._meta.db_table} WHERE {self.where}"  # noqa: S608


def fetch(db: str, sql: str, params) -> list[tuple]:
    """Run a hand-written read on ``db``; dates are passed as that database takes them."""
    connection = connections[db]
    adapt = connection.ops.adapt_datefield_value
    params = [adapt(p) if isinstance(p, dt.date) else p for p in params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def as_date(value) -> dt.date:
    """A date column as ``fetch`` returns it: a date, or ISO text on SQLite."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def year_parts(filters: UsageFilters, monthly: type, yearly: type | None = None) -> list[Part]:
    """The counter rows under ``filters``: the year table (``yearly``, else the one of
    ``monthly``) for whole years, ``monthly`` for the edge months."""
    years, edges = period_parts(filters.month_start, filters.month_end)
    parts = []
    if years is not None:
        parts.append(Part.of(yearly or YEARLY[monthly], filters.sql(period="year", bounds=years)))
    parts += [Part.of(monthly, filters.sql(bounds=edge)) for edge in edges]
    return parts


def grouped(
    parts: list[Part],
    *,
    keys: tuple[str, ...],
    sums: tuple[str, ...],
    order: str,
    limit: int | None = None,
    rank_by: str | None = None,
) -> list[dict]:
    """SUM(``sums``) of the parts' rows grouped by ``keys``, ordered by ``order`` (SQL).
    With ``limit`` and ``rank_by`` (a key): the groups of the ``limit`` values of that
    key with the largest total count, in that order, every group of theirs kept.

    A ranking reads in two steps: the winners by count alone (one narrow sum over the
    parts' rows), then every measure for the winners only. At 15 M events a year of
    ItemYearlyUsage is ~50,000 rows; summing seven bigint columns over all of them (as
    numeric, PostgreSQL's sum of bigint) cost several times the one count."""
    if not limit:
        return _grouped(parts, keys, sums, order)
    if rank_by is None:
        raise ValueError("a ranking needs rank_by")
    winners = ranked(parts, rank_by, limit)
    return grouped_for(parts, rank_by=rank_by, winners=winners, keys=keys, sums=sums, order=order)


def grouped_for(
    parts: list[Part],
    *,
    rank_by: str,
    winners: list,
    keys: tuple[str, ...],
    sums: tuple[str, ...],
    order: str,
) -> list[dict]:
    """``grouped`` for the ``rank_by`` values ``winners`` only, in their order."""
    if not winners:
        return []
    rows = _grouped([part.among(rank_by, winners) for part in parts], keys, sums, order)
    place = {w: i for i, w in enumerate(winners)}
    return sorted(rows, key=lambda r: place[r[rank_by]])  # stable: ``order`` within


def _union(parts: list[Part], columns: tuple[str, ...]) -> tuple[str, list]:
    return " UNION ALL ".join(p.select(columns) for p in parts), [
        x for p in parts for x in p.params
    ]


def ranked(parts: list[Part], rank_by: str, limit: int) -> list:
    """The ``limit`` values of ``rank_by`` with the largest total count (ties by value)."""
    union, params = _union(parts, (rank_by, "count"))
    query = (
        f"SELECT {rank_by} FROM ({union}) u GROUP BY {rank_by}"  # noqa: S608 - names only
        f" ORDER BY SUM(count) DESC, {rank_by} LIMIT %s"
    )
    return [row[0] for row in fetch(parts[0].db, query, [*params, limit])]


def _grouped(
    parts: list[Part], keys: tuple[str, ...], sums: tuple[str, ...], order: str
) -> list[dict]:
    union, params = _union(parts, (*keys, *sums))
    group = ", ".join(keys)
    totals = ", ".join(f"SUM({s}) AS {s}" for s in sums)
    query = f"SELECT {group}, {totals} FROM ({union}) u GROUP BY {group} ORDER BY {order}"  # noqa: S608
    rows = fetch(parts[0].db, query, params)
    n = len(keys)
    columns = [*keys, *sums]
    return [
        dict(zip(columns, [*row[:n], *(int(v or 0) for v in row[n:])], strict=True)) for row in rows
    ]
