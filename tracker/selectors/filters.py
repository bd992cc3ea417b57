"""The dashboard's filters, parsed and checked once for pages, API and exports.

``UsageFilters`` is what every tracker selector takes. ``usage_filters_parse`` turns
query parameters (``from``, ``to``, ``region``, ``kind``, ``category``, ``provider``) into
one, raising ``Invalid`` (400) for malformed input and ``NotFound`` (404) for a region or
provider outside the reviewer's scope. ``tracker_access`` is the gate: department
reviewers (and site administrators) only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, Region, User
from accounts.scoping import Scope, region_prefix
from config.errors import Forbidden, Invalid, NotFound
from facilities.models import Category
from tracker.models import UsageKind

PROVINCE = "330000"


@dataclass(frozen=True)
class UsageFilters:
    """``start``/``end`` are days; month-grain counters take every month they touch.
    ``regions`` are the region codes the reader may see (empty: everywhere, for an
    administrator); ``region`` narrows to one of them."""

    regions: tuple[str, ...] = ()
    start: dt.date | None = None
    end: dt.date | None = None
    region: str | None = None
    kind: str | None = None
    category_ids: tuple[int, ...] | None = None  # a category and its subtree
    category_id: int | None = None
    provider_id: int | None = None

    def with_period(self, start: dt.date | None, end: dt.date | None) -> UsageFilters:
        return replace(self, start=start, end=end)

    @property
    def month_start(self) -> dt.date | None:
        return self.start.replace(day=1) if self.start else None

    @property
    def month_end(self) -> dt.date | None:
        return self.end.replace(day=1) if self.end else None

    @property
    def has_item_filters(self) -> bool:
        return self.category_ids is not None or self.provider_id is not None

    def region_q(self, field: str = "county") -> Q:
        """Rows whose county code lies in the chosen region, or in the reader's."""
        codes = (self.region,) if self.region else self.regions
        if not codes:
            return Q()
        q = Q(pk__in=[])
        for code in codes:
            q |= prefix_q(region_prefix(code), field)
        return q

    def q(self, *, period: str = "month", county: str = "county", bounds: tuple | None = None) -> Q:
        """Every filter as one Q over a counter (``period``: its date column; ``bounds``:
        that column's first and last value instead of the filters' period)."""
        q = self.region_q(county)
        start, end = self._period_bounds(period, bounds)
        q &= period_q(period, start, end)
        if self.kind:
            q &= Q(kind=self.kind)
        if self.category_ids is not None:
            q &= Q(category_id__in=self.category_ids)
        if self.provider_id is not None:
            q &= Q(provider_id=self.provider_id)
        return q

    def _period_bounds(self, period: str, bounds: tuple | None) -> tuple:
        if bounds is not None:
            return bounds
        if period == "month":
            return self.month_start, self.month_end
        return self.start, self.end

    def sql(
        self, *, period: str = "month", county: str = "county", bounds: tuple | None = None
    ) -> tuple[str, list]:
        """``q`` as SQL conditions joined by AND ("1 = 1" when there are none) and their
        parameters, for the dashboard's hand-written reads: compiling ``q`` through the
        ORM cost more than PostgreSQL's reading of the rows (tests compare the two)."""
        conditions, params = [], []
        codes = (self.region,) if self.region else self.regions
        if codes:
            regions = [prefix_sql(region_prefix(code), county) for code in codes]
            conditions.append("(" + " OR ".join(f"({sql})" for sql, _ in regions) + ")")
            params += [p for _, ps in regions for p in ps]
        start, end = self._period_bounds(period, bounds)
        when, more = period_sql(period, start, end)
        if when:
            conditions.append(when)
            params += more
        if self.kind:
            conditions.append("kind = %s")
            params.append(self.kind)
        if self.category_ids is not None:
            conditions.append(_in_sql("category_id", self.category_ids))
            params += list(self.category_ids)
        if self.provider_id is not None:
            conditions.append("provider_id = %s")
            params.append(self.provider_id)
        return " AND ".join(conditions) or "1 = 1", params


def _in_sql(column: str, values) -> str:
    return f"{column} IN ({', '.join(['%s'] * len(values))})" if values else "1 = 0"


def period_q(period: str, start: dt.date | None, end: dt.date | None) -> Q:
    """A month or year column between two firsts as a list of its values when both are
    known and few: a counter's key is (period, kind, item …), and a range on its first
    column keeps PostgreSQL from seeking the later ones (ten items of a year were read as
    the year's 50,000 rows, filtered); equality on each value lets it."""
    if start and end and period in ("month", "year"):
        values = period_values(period, start, end)
        if values is not None:
            return Q(**{f"{period}__in": values}) if len(values) > 1 else Q(**{period: start})
    q = Q()
    if start:
        q &= Q(**{f"{period}__gte": start})
    if end:
        q &= Q(**{f"{period}__lte": end})
    return q


def period_sql(period: str, start: dt.date | None, end: dt.date | None) -> tuple[str, list]:
    """``period_q`` as SQL ("" when the period is open at both ends) and its parameters."""
    if start and end and period in ("month", "year"):
        values = period_values(period, start, end)
        if values is not None:
            return _in_sql(period, values) if len(values) > 1 else f"{period} = %s", values
    conditions, params = [], []
    if start:
        conditions.append(f"{period} >= %s")
        params.append(start)
    if end:
        conditions.append(f"{period} <= %s")
        params.append(end)
    return " AND ".join(conditions), params


def period_values(period: str, start: dt.date, end: dt.date) -> list[dt.date] | None:
    """The values ``period_q`` lists for a bounded period (None: too many, a range)."""
    values = _steps(start, end, months=1 if period == "month" else 12)
    return values if len(values) <= 36 else None


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first days of the months from ``first``'s to ``last``'s, both included."""
    return _steps(first.replace(day=1), last.replace(day=1), months=1)


def _steps(start: dt.date, end: dt.date, *, months: int) -> list[dt.date]:
    values, at = [], start
    while at <= end:
        values.append(at)
        n = at.month - 1 + months
        at = dt.date(at.year + n // 12, n % 12 + 1, 1)
    return values


def prefix_q(prefix: str, field: str) -> Q:
    """A code prefix as a range (a btree serves it in any collation; LIKE may not)."""
    if len(prefix) >= 6:
        return Q(**{field: prefix})
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": _prefix_upper(prefix)})


def prefix_sql(prefix: str, column: str) -> tuple[str, list]:
    """``prefix_q`` as SQL and its parameters, for the statements written by hand."""
    if len(prefix) >= 6:
        return f"{column} = %s", [prefix]
    return f"{column} >= %s AND {column} < %s", [prefix, _prefix_upper(prefix)]


def _prefix_upper(prefix: str) -> str:
    return str(int(prefix) + 1).zfill(len(prefix))


def tracker_access(actor: User) -> Scope:
    """The reader's scope, if they may read the tracker's dashboard; else 403."""
    scope = Scope.for_user(actor)
    if not (scope.is_admin or scope.is_reviewer):
        raise Forbidden(_("Only science department reviewers can see the usage dashboard."))
    return scope


def reader_regions(scope: Scope) -> tuple[str, ...]:
    """Region codes the reader covers (empty for an administrator: everywhere)."""
    if scope.is_admin:
        return ()
    return tuple(_code_of(p) for p in scope.region_prefixes)


def _code_of(prefix: str) -> str:
    return prefix.ljust(6, "0")


def usage_filters_for(*, actor: User, **values) -> UsageFilters:
    """Filters for ``actor`` from already-typed values (checked like parsed ones)."""
    scope = tracker_access(actor)
    return _checked(scope, UsageFilters(regions=reader_regions(scope), **values))


def usage_filters_parse(*, actor: User, params: Mapping[str, str]) -> UsageFilters:
    """Filters from query parameters; 400 for malformed ones, 404 for what is not yours."""
    scope = tracker_access(actor)
    start = parse_day(params.get("from"), "from", first=True)
    end = parse_day(params.get("to"), "to", first=False)
    if start and end and end < start:
        raise Invalid(
            _("The end of the period is before its start."),
            code="period_reversed",
            fields={"to": [_("The end of the period is before its start.")]},
        )
    kind = (params.get("kind") or "").strip() or None
    if kind and kind not in UsageKind.values:
        raise Invalid(
            _("Unknown kind."), code="invalid_kind", fields={"kind": [_("Unknown kind.")]}
        )
    filters = UsageFilters(
        regions=reader_regions(scope),
        start=start,
        end=end,
        region=(params.get("region") or "").strip() or None,
        kind=kind,
        category_id=_int(params.get("category"), "category"),
        provider_id=_int(params.get("provider"), "provider"),
    )
    return _checked(scope, filters)


def _checked(scope: Scope, filters: UsageFilters) -> UsageFilters:
    if filters.region and not _region_visible(scope, filters.region):
        raise NotFound(_("No such region in your scope."), code="region_not_found")
    if filters.provider_id is not None:
        provider = (
            Organisation.objects.filter(pk=filters.provider_id, kind=Organisation.Kind.PROVIDER)
            .values_list("region_id", flat=True)
            .first()
        )
        if provider is None or not scope.covers_region(provider):
            raise NotFound(_("No such provider in your scope."), code="provider_not_found")
    if filters.category_id is not None and filters.category_ids is None:
        path = Category.objects.filter(pk=filters.category_id).values_list("path", flat=True)
        path = path.first()
        if path is None:
            raise NotFound(_("No such category."), code="category_not_found")
        ids = Category.objects.filter(Q(path=path) | Q(path__startswith=f"{path}/"))
        filters = replace(filters, category_ids=tuple(ids.values_list("pk", flat=True)))
    return filters


def _region_visible(scope: Scope, code: str) -> bool:
    return scope.covers_region(code) and Region.objects.filter(code=code).exists()


def parse_day(raw: str | None, name: str, *, first: bool) -> dt.date | None:
    """``YYYY-MM-DD``, or ``YYYY-MM`` meaning the month's first (``from``) or last day."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        if len(raw) == 7:
            day = dt.date.fromisoformat(raw + "-01")
            return day if first else _month_last_day(day)
        return dt.date.fromisoformat(raw)
    except ValueError:
        message = _("Enter a date as YYYY-MM-DD or a month as YYYY-MM.")
        raise Invalid(message, code="invalid_date", fields={name: [message]}) from None


def _month_last_day(day: dt.date) -> dt.date:
    nxt = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


def _int(raw: str | None, name: str) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        message = _("Enter a whole number.")
        raise Invalid(message, code="invalid_id", fields={name: [message]})
    return int(raw)


def today() -> dt.date:
    return timezone.localdate()
