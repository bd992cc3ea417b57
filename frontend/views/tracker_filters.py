"""The dashboard's filter bar: query parameters in, the tracker's ``UsageFilters`` out.

The URL keeps every choice (shareable): ``period`` (this_month, this_year,
last_12_months, a year such as ``2019``, ``all`` or ``custom`` with ``from``/``to``),
``region`` (a city or county code), ``kind``, ``category``, ``provider``. Checking
belongs to ``tracker.selectors.usage_filters_parse``; this module only turns a named
period into its dates and lists the choices the bar offers.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass

from django.db.models import Q
from django.http import QueryDict
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation
from accounts.scoping import Scope, region_prefix
from config.errors import Invalid
from tracker.models import UsageKind
from tracker.selectors import filter_choices
from tracker.selectors.filters import UsageFilters, prefix_q, usage_filters_parse

FIRST_YEAR = 2018
DEFAULT_PERIOD = "this_year"
NAMED_PERIODS = {
    "this_month": gettext_lazy("This month"),
    "this_year": gettext_lazy("This year"),
    "last_12_months": gettext_lazy("Last 12 months"),
    "all": gettext_lazy("All time"),
}


@dataclass(frozen=True)
class FilterBar:
    filters: UsageFilters
    period: str
    start: dt.date | None
    end: dt.date | None
    params: dict[str, str]  # what the reader chose, as typed, to fill the bar back in


def period_dates(period: str, *, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """A named period's first and last day; ``Invalid`` for a name we do not know."""
    if period == "this_month":
        return today.replace(day=1), today
    if period == "this_year":
        return today.replace(month=1, day=1), today
    if period == "last_12_months":
        first = today.replace(day=1)
        first = first.replace(year=first.year - 1) + dt.timedelta(days=31)
        return first.replace(day=1), today
    if period == "all":
        return None, None
    if period.isdigit() and FIRST_YEAR <= int(period) <= today.year:
        year = int(period)
        return dt.date(year, 1, 1), min(dt.date(year, 12, 31), today)
    message = _("Choose a period from the list.")
    raise Invalid(message, code="invalid_period", fields={"period": [message]})


def filter_bar_parse(*, actor, query: QueryDict, today: dt.date) -> FilterBar:
    """The bar's choices checked by the tracker: 400 ``Invalid``, 404 ``NotFound``."""
    period = (query.get("period") or DEFAULT_PERIOD).strip()
    params = {k: (query.get(k) or "").strip() for k in ("region", "kind", "category", "provider")}
    if period == "custom":
        params["from"] = (query.get("from") or "").strip()
        params["to"] = (query.get("to") or "").strip()
        raw = dict(params)
    else:
        start, end = period_dates(period, today=today)
        raw = {
            **params,
            "from": start.isoformat() if start else "",
            "to": end.isoformat() if end else "",
        }
    filters = usage_filters_parse(actor=actor, params=raw)
    return FilterBar(filters, period, filters.start, filters.end, {"period": period, **params})


def period_choices(*, today: dt.date) -> list[tuple[str, str]]:
    years = [(str(y), str(y)) for y in range(today.year, FIRST_YEAR - 1, -1)]
    named = [(k, str(v)) for k, v in NAMED_PERIODS.items()]
    return [*named[:3], *years, named[3], ("custom", _("Custom dates"))]


def kind_choices() -> list[tuple[str, str]]:
    return [(k, str(label)) for k, label in UsageKind.choices]


def provider_choices(scope: Scope) -> list[tuple[str, str]]:
    return [(str(pk), name) for pk, name in filter_choices.provider_names(scope)]


def _providers(scope: Scope):
    rows = Organisation.objects.filter(kind=Organisation.Kind.PROVIDER, is_active=True)
    if not scope.is_admin:
        q = Q(pk__in=[])
        for prefix in scope.region_prefixes:
            q |= prefix_q(prefix, "region_id")
        rows = rows.filter(q)
    return rows.order_by("name", "pk")


# A region with more providers than a list can sensibly offer (the province has
# thousands) gets a search box beside the list, which then holds the matches only.
PROVIDER_LIST_MAX = 200
PROVIDER_MATCHES = 50


@dataclass(frozen=True)
class ProviderPicker:
    options: str  # the <option> elements after "All", the chosen provider selected
    searchable: bool
    search: str
    more: bool  # more providers match than are listed: type more of the name


def provider_picker(scope: Scope, *, chosen: str, search: str = "") -> ProviderPicker:
    """The provider filter's choices: every provider of the reader's region when there
    are few, else those whose name contains ``search`` (none before a search), the chosen
    provider always among them so the bar shows what the page is filtered by."""
    rows = _providers(scope)
    search = search.strip()[:100]
    if not search:
        if not filter_choices.provider_count_above(scope, PROVIDER_LIST_MAX):
            listed = filter_choices.provider_names(scope)
            return ProviderPicker(_options(listed, chosen), False, "", False)
        listed = []
    else:
        listed = list(
            rows.filter(name__icontains=search).values_list("pk", "name")[: PROVIDER_MATCHES + 1]
        )
    more = len(listed) > PROVIDER_MATCHES
    listed = listed[:PROVIDER_MATCHES]
    if chosen.isdigit() and all(str(pk) != chosen for pk, _name in listed):
        listed = list(rows.filter(pk=int(chosen)).values_list("pk", "name")) + listed
    return ProviderPicker(_options(listed, chosen), True, search, more)


def _options(rows: list[tuple[int, str]], chosen: str) -> str:
    return options_html([(str(pk), name) for pk, name in rows], chosen)


def options_html(choices: list[tuple[str, str]], chosen: str) -> str:
    """``<option>`` elements for a long list (5,000 providers at national scale), every
    value and label escaped: joined in plain Python, where the template loop (and
    ``format_html_join``) spent ~30 µs an option, 60–190 ms of the page."""
    return mark_safe(  # noqa: S308 - every value and label goes through html.escape
        "".join(
            f'<option value="{html.escape(value)}"{" selected" if value == chosen else ""}>'
            f"{html.escape(label)}</option>"
            for value, label in choices
        )
    )


def region_level(code: str) -> str:
    return {2: "province", 4: "city"}.get(len(region_prefix(code)), "county")
