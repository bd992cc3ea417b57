"""Progress towards each target: achieved against target and time, the pace needed from
today, and a projection at the current pace. Reads ``DailyUsage`` (day × county × kind),
so a target's exact days are counted, on the replica when there is one."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db.models import Q, QuerySet, Sum

from accounts.models import User
from accounts.scoping import region_prefix
from config.db_router import replica_alias
from tracker.models import DailyUsage, RegionMonthlyUsage, Target
from tracker.selectors.filters import UsageFilters, period_q, prefix_q, today, tracker_access


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
    on = on or today()
    return [target_progress(target, on=on) for target in target_list(actor=actor, filters=filters)]


def achieved_count(target: Target, *, until: dt.date) -> int:
    """Completions in the target's region and period up to ``until``."""
    return sum(n for _, n in month_counts(target, until=until))


def month_counts(target: Target, *, until: dt.date) -> list[tuple[dt.date, int]]:
    """(month, completions in the target's region and period that month) up to ``until``,
    in order: whole months from the month × county counter, the days of the partial months
    at either end (only those: a three-year province target reads ~36 × 90 monthly rows,
    not ~100,000 daily ones) from the daily one. Two queries at most; the achieved count,
    the day the target was met and the cumulative line all read this one list."""
    start, end = target.starts_on, min(until, target.ends_on)
    if end < start:
        return []
    first_full = start if start.day == 1 else _next_month(start)
    after_full = _next_month(end) if _next_month(end) - dt.timedelta(days=1) == end else (
        end.replace(day=1)
    )  # fmt: skip
    counts: dict[dt.date, int] = {}
    days = _daily(target).filter(day__lte=end)
    if first_full < after_full:
        whole = RegionMonthlyUsage.objects.using(replica_alias()).filter(
            prefix_q(region_prefix(target.region_id), "county"),
            period_q("month", first_full, after_full - dt.timedelta(days=1)),
            kind=target.kind,
        )
        for row in whole.order_by().values("month").annotate(n=Sum("count")):
            counts[row["month"]] = row["n"]
        edge_days = Q(pk__in=[])
        if start < first_full:
            edge_days |= Q(day__lt=first_full)
        if after_full <= end:
            edge_days |= Q(day__gte=after_full)
        days = days.filter(edge_days)
    if first_full >= after_full or start < first_full or after_full <= end:
        for row in days.order_by().values("day").annotate(n=Sum("count")):
            month = row["day"].replace(day=1)
            counts[month] = counts.get(month, 0) + row["n"]
    return sorted(counts.items())


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _daily(target: Target) -> QuerySet[DailyUsage]:
    return DailyUsage.objects.using(replica_alias()).filter(
        prefix_q(region_prefix(target.region_id), "county"),
        kind=target.kind,
        day__gte=target.starts_on,
        day__lte=target.ends_on,
    )


def target_progress(target: Target, *, on: dt.date) -> TargetProgress:
    months = month_counts(target, until=on)
    achieved = sum(n for _, n in months)
    total = (target.ends_on - target.starts_on).days + 1
    elapsed = max(0, min(total, (on - target.starts_on).days + 1))
    figures = progress_figures(
        achieved=achieved, target_count=target.target_count, total_days=total, elapsed_days=elapsed
    )
    met_on = _met_on(target, months) if achieved >= target.target_count else None
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
    """The first day the running total reached the target: the month it was reached from
    ``months`` (``month_counts``), then that month's days only — not every day of the
    period."""
    running = 0
    for month, n in months:
        if running + n >= target.target_count:
            days = (
                _daily(target)
                .filter(day__gte=month, day__lt=_next_month(month))
                .values("day")
                .annotate(n=Sum("count"))
                .order_by("day")
            )
            for row in days:
                running += row["n"]
                if running >= target.target_count:
                    return row["day"]
            return None  # pragma: no cover - the month's days add up to its count
        running += n
    return None
