"""The province's most used items of a period, read down the rank tables' count index.

A period is split as everywhere (tracker.selectors.yearly.period_parts) into whole years
(ItemYearRank) and edge months (ItemMonthRank): one list per year and per edge month,
each with one row per item, read in count order. The top ``limit`` of the sums over the
lists is found by the threshold algorithm (Fagin, Lotem and Naor, 2001): read the
``depth`` best rows of every list; an item seen nowhere in them has at most the sum of
the lists' last counts read (the threshold); once the ``limit``-th best exact total of
the items seen is above it, no unseen item can enter. Otherwise read deeper. A single
list (one whole year, one month) is its own answer. When the lists are many (the
all-time view) or flat enough that the depth runs out, the counts are summed over the
lists' rows instead, one narrow column, as the item tables would.
"""

from __future__ import annotations

import datetime as dt

from django.db import connections
from django.db.models import Max, Min, QuerySet

from config.db_router import replica_alias
from tracker.models import ItemMonthRank, ItemYearRank
from tracker.selectors.filters import PROVINCE, UsageFilters, months_between
from tracker.selectors.yearly import period_parts

FIRST_DEPTH = 100
MAX_DEPTH = 1_600
# Beyond a few lists the threshold (a sum of every list's last count read) falls too
# slowly on evenly spread counts: the all-time view over nine years read 9 × 6,400 rows
# and looked up every item seen in every list before summing anyway (6 s at 15 M events).
MAX_LISTS = 4


def ranks_answer(filters: UsageFilters) -> bool:
    """The rank tables have no region, category or provider: they answer the whole
    province only."""
    codes = (filters.region,) if filters.region else filters.regions
    return not filters.has_item_filters and all(code == PROVINCE for code in codes)


def top_item_ids(*, filters: UsageFilters, kind: str, limit: int) -> list[int]:
    """The ``limit`` items of ``kind`` with most completions in the period, most first
    (ties by item id), for filters that ``ranks_answer``."""
    lists = _lists(filters, kind)
    if len(lists) == 1:
        return list(
            lists[0].order_by("-count", "item_id").values_list("item_id", flat=True)[:limit]
        )
    if len(lists) > MAX_LISTS:
        return _summed(lists, limit)
    depth = FIRST_DEPTH
    while depth <= MAX_DEPTH:
        found = _threshold_round(lists, limit, depth)
        if found is not None:
            return found
        depth *= 4
    return _summed(lists, limit)


def _lists(filters: UsageFilters, kind: str) -> list[QuerySet]:
    db = replica_alias()
    years, edges = period_parts(filters.month_start, filters.month_end)
    lists = []
    if years is not None:
        rows = ItemYearRank.objects.using(db).filter(kind=kind)
        first, last = years
        if first is None or last is None:  # open: as far as there are counts
            span = rows.aggregate(first=Min("year"), last=Max("year"))
            first, last = first or span["first"], last or span["last"]
        if first is not None and last is not None:
            lists += [rows.filter(year=dt.date(y, 1, 1)) for y in range(first.year, last.year + 1)]
    months = ItemMonthRank.objects.using(db).filter(kind=kind)
    for start, end in edges:
        lists += [months.filter(month=m) for m in months_between(start, end)]
    return lists or [ItemYearRank.objects.using(db).none()]


def _threshold_round(lists: list[QuerySet], limit: int, depth: int) -> list[int] | None:
    """The top ``limit`` if reading ``depth`` rows of every list settles it, else None."""
    heads = [list(rows.order_by("-count", "item_id").values_list("item_id", "count")[:depth])
             for rows in lists]  # fmt: skip
    seen = {item for head in heads for item, _ in head}
    totals = dict.fromkeys(seen, 0)
    for rows, head in zip(lists, heads, strict=True):
        known = dict(head)
        for item in seen:
            if item in known:
                totals[item] += known[item]
        if len(head) == depth:  # a list read to its end holds nothing unseen
            missing = [item for item in seen if item not in known]
            for item, count in rows.filter(item_id__in=missing).values_list("item_id", "count"):
                totals[item] += count
    threshold = sum(head[-1][1] for head in heads if len(head) == depth)
    ranked = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    everything_read = all(len(head) < depth for head in heads)
    # Strictly above: an unseen item at the threshold could tie and win on its id.
    if everything_read or (len(ranked) == limit and ranked[-1][1] > threshold):
        return [item for item, _ in ranked]
    return None


def _summed(lists: list[QuerySet], limit: int) -> list[int]:
    """The lists' counts summed per item over all their rows."""
    union, params = [], []
    for rows in lists:
        sql, p = (
            rows.order_by().values_list("item_id", "count").query.get_compiler(rows.db).as_sql()
        )
        union.append(sql)
        params += p
    query = (
        f"SELECT item_id FROM ({' UNION ALL '.join(union)}) u GROUP BY item_id"  # noqa: S608
        " ORDER BY SUM(count) DESC, item_id LIMIT %s"
    )
    with connections[lists[0].db].cursor() as cursor:
        cursor.execute(query, [*params, limit])
        return [row[0] for row in cursor.fetchall()]
