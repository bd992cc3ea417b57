"""The counters' grains, written once: the subscriber's upsert and reconciliation's
rebuild both read these specs, so the two can never disagree on what a counter holds.

Each spec maps the counter's key columns to a column (or SQL expression) of the usage
event, and its measures to the sum of an expression over events. A new event adds its
own values with ``INSERT … ON CONFLICT (key) DO UPDATE SET m = m + EXCLUDED.m``
(PostgreSQL and SQLite ≥ 3.24 both speak it).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.db import connection

from tracker.models import DailyUsage, FirmMonth, ItemMonthlyUsage, MonthlyUsage, UsageEvent

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
}


@dataclass(eq=False)
class CounterSpec:
    model: type
    period: str  # "day" or "month": how a reconciliation period widens for this table
    keys: dict[str, tuple[str, object]]  # column -> (SQL over events, Python over values)
    sums: tuple[str, ...]

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    @property
    def period_column(self) -> str:
        return "day" if self.period == "day" else "month"

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

    def recount_select(self, where: str) -> str:
        """Counter rows as the events say they should be (``where`` filters events)."""
        keys = ", ".join(f"{sql} AS {k}" for k, (sql, _) in self.keys.items())
        sums = ", ".join(f"SUM({_SUMS[s][0]}) AS {s}" for s in self.sums)
        group = ", ".join(str(i + 1) for i in range(len(self.keys)))
        return (
            f"SELECT {keys}, {sums} FROM {UsageEvent._meta.db_table}"  # noqa: S608
            f" WHERE {where} GROUP BY {group}"
        )


def _col(name: str):
    return (name, lambda e, n=name: e[n])


DAILY = CounterSpec(
    DailyUsage,
    "day",
    {"day": _col("completed_on"), "kind": _col("kind"), "county": _col("provider_county")},
    tuple(_SUMS),
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
    tuple(_SUMS),
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
    tuple(_SUMS),
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

# Fixed order: every completion locks at most one row per table, always in this table
# order, so two completions can wait on each other but never deadlock.
COUNTERS: tuple[CounterSpec, ...] = (DAILY, MONTHLY, ITEM_MONTHLY, FIRM_MONTH)


def counters_add(event: dict) -> None:
    """Add one event's values to every counter (inside the event's transaction)."""
    with connection.cursor() as cursor:
        for spec in COUNTERS:
            cursor.execute(spec.upsert_sql, spec.row(event))
