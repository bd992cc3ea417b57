"""Progress towards each target: achieved against target and time, the pace needed from
today, and a projection at the current pace. Whole months from a month counter, the days
at a period's ends from a daily one, so a target's exact days are counted: the city
tables (CityMonthlyUsage, CityDailyUsage) for the province's and a city's targets, the
county ones (RegionMonthlyUsage, DailyUsage) for a county's; on the replica when there
is one."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from accounts.models import User
from accounts.scoping import region_prefix
from config.db_router import replica_alias
from tracker.models import (
    CityDailyUsage,
    CityMonthlyUsage,
    DailyUsage,
    RegionMonthlyUsage,
    Target,
)
from tracker.selectors.filters import (
    UsageFilters,
    period_values,
    prefix_q,
    prefix_sql,
    today,
    tracker_access,
)
from tracker.selectors.yearly import as_date, fetch


class Status:
    NOT_STARTED = "not_started"
    MET = "met"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    MISSED = "missed"


@dataclass(frozen=True)
class TargetProgress:
    target: Target
    achieved: int
    total_days: int
    elapsed_days: int
    percent_elapsed: float
    percent_achieved: float
    remaining: int
    pace_needed_per_day: float | None  # None once the period is over or the target met
    pace_needed_per_month: float | None
    current_pace_per_day: float
    projected_total: int
    projected_met_on: dt.date | None  # the day the current pace reaches the target
    met_on: dt.date | None  # the day it was actually reached
    months: tuple[tuple[dt.date, int], ...]  # (month, count) up to the day, for the line
    shortfall: int  # at the end of the period, at the current pace (0 if it will be met)
    status: str


def target_list(*, actor: User, filters: UsageFilters | None = None) -> QuerySet[Target]:
    """Targets whose region lies in the reader's (and the filter's) region."""
    scope = tracker_access(actor)
    rows = Target.objects.using(replica_alias()).select_related("region", "department")
    if not scope.is_admin:
        q = Q(pk__in=[])
        for prefix in scope.region_prefixes:
            q |= prefix_q(prefix, "region_id")
        rows = rows.filter(q)
    if filters is not None:
        if filters.region:
            rows = rows.filter(prefix_q(region_prefix(filters.region), "region_id"))
        if filters.kind:
            rows = rows.filter(kind=filters.kind)
    return rows.order_by("-ends_on", "kind", "region_id", "pk")


def target_progress_list(
    *, actor: User, filters: UsageFilters | None = None, on: dt.date | None = None
) -> list[TargetProgress]:
    """Each visible target's progress as of ``on`` (today in Shanghai by default).
    Targets count whole regions: the provider and category filters do not apply."""
    return targets_progress(list(target_list(actor=actor, filters=filters)), on=on or today())


def achieved_count(target: Target, *, until: dt.date) -> int:
    """Completions in the target's region and period up to ``until``."""
    return sum(n for _, n in month_counts(target, until=until))


def month_counts(target: Target, *, until: dt.date) -> list[tuple[dt.date, int]]:
    """(month, completions in the target's region and period that month) up to ``until``,
    in order (``month_counts_many`` for one target)."""
    return month_counts_many([target], until=until)[0]


def month_counts_many(targets: list[Target], *, until: dt.date) -> list[list[tuple[dt.date, int]]]:
    """``month_counts`` of several targets, in their order, in one statement: every target's
    parts (``_month_parts``) as one UNION ALL. Written by hand: a page of targets cost
    two ORM queries per target, and building and compiling those (~2 ms each under load)
    weighed far more than PostgreSQL's ~0.2 ms of reading them."""
    parts = [
        part
        for i, target in enumerate(targets)
        for part in _month_parts(target, until=until, tag=i)
    ]
    counts: list[dict[dt.date, int]] = [{} for _ in targets]
    for i, on, n in _union(parts):
        month = as_date(on).replace(day=1)
        counts[i][month] = counts[i].get(month, 0) + int(n)  # PostgreSQL sums as numeric
    return [sorted(c.items()) for c in counts]


def _union(parts: list[tuple[str, list]]) -> list[tuple]:
    """Run the parts (SQL, parameters) as one UNION ALL on the reading database."""
    if not parts:
        return []
    sql = " UNION ALL ".join(f"SELECT * FROM ({part}) p{i}" for i, (part, _) in enumerate(parts))  # noqa: S608
    return fetch(replica_alias(), sql, [p for _, params in parts for p in params])


def _month_parts(target: Target, *, until: dt.date, tag: int) -> list[tuple[str, list]]:
    """One target's rows, each (``tag``, a month or a day, its count): whole months from
    the month counter, the days of the partial months at either end (only those:
    a three-year province target reads ~36 × 11 monthly rows a kind, not ~12,000 daily ones)
    from the daily one. None, one or two statements, as SQL and parameters."""
    start, end = target.starts_on, min(until, target.ends_on)
    if end < start:
        return []
    first_full = start if start.day == 1 else _next_month(start)
    after_full = _next_month(end) if _next_month(end) - dt.timedelta(days=1) == end else (
        end.replace(day=1)
    )  # fmt: skip
    parts = []
    edges: list[tuple[str, list]] = []  # the daily part's conditions beyond the target's
    if first_full < after_full:
        months = period_values("month", first_full, after_full - dt.timedelta(days=1))
        parts.append(_counted_sql(
            _grain(target).monthly, "month", target, tag,
            [(f"month IN ({', '.join(['%s'] * len(months))})", months)] if months else
            [("month >= %s AND month < %s", [first_full, after_full])],
        ))  # fmt: skip
        days = []
        if start < first_full:
            days.append(("day < %s", [first_full]))
        if after_full <= end:
            days.append(("day >= %s", [after_full]))
        edges = [(" OR ".join(sql for sql, _ in days), [p for _, ps in days for p in ps])]
    if first_full >= after_full or start < first_full or after_full <= end:
        edges = [("day >= %s AND day <= %s", [start, end]), *edges]
        parts.append(_counted_sql(_grain(target).daily, "day", target, tag, edges))
    return parts


@dataclass(frozen=True)
class _Grain:
    monthly: type
    daily: type
    column: str  # the tables' region column


_BY_CITY = _Grain(CityMonthlyUsage, CityDailyUsage, "city")
_BY_COUNTY = _Grain(RegionMonthlyUsage, DailyUsage, "county")


def _grain(target: Target) -> _Grain:
    """The province's and a city's targets count whole cities: the city tables, an
    eleventh of the county rows; a county's target, the county tables."""
    return _BY_CITY if target.region_id.endswith("00") else _BY_COUNTY


def _counted_sql(model, on: str, target: Target, tag: int, where: list[tuple[str, list]]):
    """``SELECT tag, on, SUM(count)`` of one counter table in the target's region and
    kind, under ``where`` (each condition parenthesised), grouped by ``on``."""
    column = _grain(target).column
    region, params = prefix_sql(region_prefix(target.region_id), column)
    conditions = [region, "kind = %s", *(f"({sql})" for sql, _ in where)]
    params = [*params, target.kind, *(p for _, ps in where for p in ps)]
    sql = (
        f"SELECT {int(tag)} AS t, {on} AS d, SUM(count) AS n FROM {model._meta.db_table}"  # noqa: S608
        f" WHERE {' AND '.join(conditions)} GROUP BY {on}"
    )
    return sql, params


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def target_progress(target: Target, *, on: dt.date) -> TargetProgress:
    return targets_progress([target], on=on)[0]


def targets_progress(targets: list[Target], *, on: dt.date) -> list[TargetProgress]:
    """Each target's progress as of ``on``, in two statements at most whatever the
    number of targets: their months (``month_counts_many``), then the days of the month
    each met target was met in (``met_days``)."""
    months = month_counts_many(targets, until=on)
    met = met_days(list(zip(targets, months, strict=True)))
    return [
        _progress(t, on=on, months=m, met_on=met_on)
        for t, m, met_on in zip(targets, months, met, strict=True)
    ]


def _progress(
    target: Target, *, on: dt.date, months: list[tuple[dt.date, int]], met_on: dt.date | None
) -> TargetProgress:
    achieved = sum(n for _, n in months)
    total = (target.ends_on - target.starts_on).days + 1
    elapsed = max(0, min(total, (on - target.starts_on).days + 1))
    figures = progress_figures(
        achieved=achieved, target_count=target.target_count, total_days=total, elapsed_days=elapsed
    )
    projected_met_on = None
    if figures["status"] == Status.ON_TRACK:
        # At the current pace (achieved per elapsed day), unrounded.
        days = math.ceil(target.target_count * elapsed / achieved)
        projected_met_on = target.starts_on + dt.timedelta(days=days - 1)
    return TargetProgress(
        target=target,
        achieved=achieved,
        total_days=total,
        elapsed_days=elapsed,
        met_on=met_on,
        months=tuple(months),
        projected_met_on=projected_met_on,
        **figures,
    )


def progress_figures(*, achieved: int, target_count: int, total_days: int, elapsed_days: int):
    """The arithmetic, apart from the database (tested on its own)."""
    days_left = total_days - elapsed_days
    remaining = max(0, target_count - achieved)
    pace = achieved / elapsed_days if elapsed_days else 0.0
    projected = achieved + round(pace * days_left)
    needed = remaining / days_left if days_left and remaining else None
    if achieved >= target_count:
        status = Status.MET
    elif elapsed_days == 0:
        status = Status.NOT_STARTED
    elif days_left == 0:
        status = Status.MISSED
    elif projected >= target_count:
        status = Status.ON_TRACK
    else:
        status = Status.BEHIND
    return {
        "percent_elapsed": round(100 * elapsed_days / total_days, 1),
        "percent_achieved": round(100 * achieved / target_count, 1),
        "remaining": remaining,
        "pace_needed_per_day": round(needed, 2) if needed is not None else None,
        "pace_needed_per_month": round(needed * 365.25 / 12, 1) if needed is not None else None,
        "current_pace_per_day": round(pace, 2),
        "projected_total": projected,
        "shortfall": max(0, target_count - projected),
        "status": status,
    }


def _met_on(target: Target, months: list[tuple[dt.date, int]]) -> dt.date | None:
    """The first day the running total reached the target (``met_days`` of one)."""
    return met_days([(target, months)])[0]


def met_days(
    targets: list[tuple[Target, list[tuple[dt.date, int]]]],
) -> list[dt.date | None]:
    """The first day each target's running total reached it (None: not reached), for
    (target, its ``month_counts``) pairs in order: the month it was reached from its
    months, then that month's days only, not every day of the period; one statement for
    them all."""
    parts, before = [], []  # (which target, the running total before its met month)
    for k, (target, months) in enumerate(targets):
        running = 0
        for month, n in months:
            if running + n >= target.target_count:
                days = [("day >= %s AND day <= %s", [target.starts_on, target.ends_on]),
                        ("day >= %s AND day < %s", [month, _next_month(month)])]  # fmt: skip
                parts.append(_counted_sql(_grain(target).daily, "day", target, len(parts), days))
                before.append((k, running))
                break
            running += n
    found: list[dt.date | None] = [None] * len(targets)
    running_of = [running for _, running in before]
    for i, day, n in sorted(_union(parts), key=lambda row: (row[0], as_date(row[1]))):
        k = before[i][0]
        if found[k] is not None:
            continue
        running_of[i] += int(n)
        if running_of[i] >= targets[k][0].target_count:
            found[k] = as_date(day)
    return found
