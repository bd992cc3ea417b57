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
from tracker.models import DailyUsage, Target
from tracker.selectors.filters import UsageFilters, prefix_q, today, tracker_access


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
    rows = _daily(target).filter(day__lte=min(until, target.ends_on))
    return rows.aggregate(n=Sum("count"))["n"] or 0


def _daily(target: Target) -> QuerySet[DailyUsage]:
    return DailyUsage.objects.using(replica_alias()).filter(
        prefix_q(region_prefix(target.region_id), "county"),
        kind=target.kind,
        day__gte=target.starts_on,
        day__lte=target.ends_on,
    )


def target_progress(target: Target, *, on: dt.date) -> TargetProgress:
    achieved = achieved_count(target, until=on) if on >= target.starts_on else 0
    total = (target.ends_on - target.starts_on).days + 1
    elapsed = max(0, min(total, (on - target.starts_on).days + 1))
    figures = progress_figures(
        achieved=achieved, target_count=target.target_count, total_days=total, elapsed_days=elapsed
    )
    met_on = _met_on(target) if achieved >= target.target_count else None
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


def _met_on(target: Target) -> dt.date | None:
    """The first day the running total reached the target (one row per day of the period)."""
    running = 0
    days = _daily(target).values("day").annotate(n=Sum("count")).order_by("day")
    for row in days:
        running += row["n"]
        if running >= target.target_count:
            return row["day"]
    return None
