"""The public summary: the province's progress towards each of its targets, by city.

No personal data and no order detail: counts only. Cached for
``TRACKER_PUBLIC_SUMMARY_SECONDS`` (a few minutes) so the home page costs nothing.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.cache import cache
from django.db.models import Sum
from django.db.models.functions import Substr
from django.utils import timezone

from accounts.models import Region
from config.db_router import replica_alias
from tracker.models import DailyUsage, RegionMonthlyUsage, Target
from tracker.selectors.filters import PROVINCE, prefix_q
from tracker.selectors.progress import targets_progress

CACHE_KEY = "tracker:public-summary:v1"


def public_summary() -> dict:
    """{as_of, targets: [{name, kind, starts_on, ends_on, target, achieved,
    percent_achieved, percent_elapsed, status, cities: [{code, name_zh, name_en, count}]}]}"""
    return cache.get_or_set(CACHE_KEY, _summary, settings.TRACKER_PUBLIC_SUMMARY_SECONDS)


def _summary() -> dict:
    db = replica_alias()
    today = timezone.localdate()
    cities = list(
        Region.objects.using(db)
        .filter(level=Region.Level.CITY, parent_id=PROVINCE)
        .values_list("code", "name_zh", "name_en")
    )
    targets = []
    plan = list(Target.objects.using(db).filter(region_id=PROVINCE).order_by("-ends_on", "kind"))
    for target, progress in zip(plan, targets_progress(plan, on=today), strict=True):
        by_city = _by_city(target, until=min(today, target.ends_on))
        targets.append(
            {
                "id": target.pk,
                "name": target.name,
                "kind": target.kind,
                "starts_on": target.starts_on,
                "ends_on": target.ends_on,
                "target": target.target_count,
                "achieved": progress.achieved,
                "percent_achieved": progress.percent_achieved,
                "percent_elapsed": progress.percent_elapsed,
                "status": progress.status,
                "cities": [
                    {"code": c, "name_zh": zh, "name_en": en, "count": by_city.get(c, 0)}
                    for c, zh, en in cities
                ],
            }
        )
    return {"as_of": timezone.now(), "targets": targets}


def _by_city(target: Target, *, until) -> dict[str, int]:
    """Counts per city; whole months from the monthly counter when the period starts on
    a month's first day and ``until`` ends one or is today (nothing later exists)."""
    exact_months = target.starts_on.day == 1 and (
        until >= timezone.localdate() or (until + dt.timedelta(days=1)).day == 1
    )
    if exact_months:
        rows = RegionMonthlyUsage.objects.using(replica_alias()).filter(
            month__gte=target.starts_on, month__lte=until.replace(day=1)
        )
    else:
        rows = DailyUsage.objects.using(replica_alias()).filter(
            day__gte=target.starts_on, day__lte=until
        )
    rows = (
        rows.filter(prefix_q("33", "county"), kind=target.kind)
        .annotate(city=Substr("county", 1, 4))
        .values("city")
        .annotate(n=Sum("count"))
    )
    return {r["city"] + "00": r["n"] for r in rows}
