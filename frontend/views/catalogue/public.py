"""Public catalogue pages: search instruments and services, instrument, service and
provider pages. Browsing needs no sign-in."""

from __future__ import annotations

import dataclasses

from django.core.cache import cache
from django.http import Http404
from django.shortcuts import render
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import time as time_filter
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from config.errors import DomainError, NotFound
from facilities import page_cache, selectors
from facilities.accreditation_scope import covering
from facilities.models import Price
from facilities.pagination import CappedPaginator
from frontend.forms.catalogue import CatalogueFilterForm
from frontend.views.catalogue.helpers import (
    category_choices,
    query_without,
    quick_selects,
    region_choices,
    url_or_none,
)
from frontend.views.catalogue.search_help import search_context

PAGE_SIZE = 20
PRICE_ORDER = (
    Price.ClientGroup.EXTERNAL_FIRM,
    Price.ClientGroup.ACADEMIC,
    Price.ClientGroup.INTERNAL,
)


def _filters(request):
    try:
        filters = selectors.filters_from_query(request.GET)
    except DomainError as exc:
        return selectors.CatalogueFilters(q=request.GET.get("q", "")[:100]), exc.message
    if not filters.near:  # the acting organisation's city ranks first among equals
        acting = getattr(request, "acting", None)
        region = acting.organisation.region_id if acting else None
        if region:
            filters = dataclasses.replace(filters, near=region)
    return filters, None


def _search_page(request, *, search, template: str, partial: str, title_kind: str):
    filters, error = _filters(request)
    try:
        results = search(actor=request.user, filters=filters)
        page = CappedPaginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    except DomainError as exc:
        error, page = exc.message, CappedPaginator([], PAGE_SIZE).get_page(1)
    form = CatalogueFilterForm(
        request.GET or None, categories=category_choices(), regions=region_choices()
    )
    quick_selects(form, "category", "city", "provider_kind", "sort")
    context = {
        "form": form, "page": page, "filters": filters, "error": error, "kind": title_kind,
        "count_capped": page.paginator.count > 1000, "page_query": query_without(request),
        **search_context(request, results=None if error else results, page=page, kind=title_kind),
    }  # fmt: skip
    if request.htmx and not request.htmx.boosted:
        return render(request, partial, context)
    return render(request, template, context)


def instrument_list(request):
    return _search_page(
        request, search=selectors.instrument_search, template="frontend/catalogue/instrument_list.html",
        partial="frontend/catalogue/_instrument_results.html", title_kind="instruments",
    )  # fmt: skip


def service_list(request):
    return _search_page(
        request, search=selectors.service_search, template="frontend/catalogue/service_list.html",
        partial="frontend/catalogue/_service_results.html", title_kind="services",
    )  # fmt: skip


def instrument_detail(request, pk: int):
    try:
        instrument = selectors.instrument_get_for_page(actor=request.user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    # The tokens are read before the rows they cover (prices, hours, provider, category):
    # facilities.page_cache explains why that keeps an edit from being cached over.
    tokens = page_cache.instrument_page_tokens(
        instrument_id=instrument.pk, provider_id=instrument.provider_id
    )
    context = {
        "instrument": instrument,
        "static": _static_parts(instrument, tokens=tokens),
        "next_free": _free_windows(selectors.instrument_next_free(instrument=instrument)),
        "book_url": url_or_none("frontend:booking-create", instrument.pk),
        "can_manage": _can_manage(request, instrument.provider_id),
    }
    return render(request, "frontend/catalogue/instrument_detail.html", context)


STATIC_PARTS = {
    "breadcrumb": "frontend/catalogue/_instrument_breadcrumb.html",
    "main": "frontend/catalogue/_instrument_main.html",
    "prices": "frontend/catalogue/_instrument_prices.html",
    "aside": "frontend/catalogue/_instrument_aside.html",
}


def _static_parts(instrument, *, tokens: str) -> dict[str, str]:
    """Specs, prices, hours and provider: the same for every visitor, so rendered once per
    instrument, language and edit and kept in the cache."""
    key = page_cache.instrument_page_fragment_key(
        instrument_id=instrument.pk, tokens=tokens, updated_at=instrument.updated_at,
        language=get_language(), day=timezone.localdate(),
    )  # fmt: skip
    parts = cache.get(key)
    if parts is None:
        selectors.instrument_page_details_load(instrument=instrument)
        prices = {p.client_group: p for p in instrument.prices.all()}
        context = {
            "instrument": instrument,
            "provider": instrument.provider,
            "profile": instrument.provider.provider,
            "prices": [(Price.ClientGroup(g).label, prices.get(g)) for g in PRICE_ORDER],
            "hours": _hours_by_day(instrument),
        }
        parts = {
            name: mark_safe(render_to_string(template, context))  # noqa: S308 — rendered with autoescape
            for name, template in STATIC_PARTS.items()
        }
        cache.set(key, parts, page_cache.FRAGMENT_TTL)
    return parts


def _free_windows(windows) -> list[str]:
    """``07-03 (Thu) 09:00–12:00``, or with the end's date when it ends on another day;
    formatted here, as the template's filters would, at a fraction of their cost."""
    labels = []
    for start, end in windows:
        start, end = timezone.localtime(start), timezone.localtime(end)
        tail = (
            time_filter(end, "H:i") if start.date() == end.date() else date_filter(end, "m-d H:i")
        )
        labels.append(f"{date_filter(start, 'm-d (D)')} {time_filter(start, 'H:i')}–{tail}")
    return labels


def _can_manage(request, provider_id) -> bool:
    from accounts.scoping import Scope

    return Scope.for_user(request.user).can_manage_provider(provider_id)


def _hours_by_day(instrument) -> list[tuple[int, list]]:
    by_day: dict[int, list] = {d: [] for d in range(7)}
    for row in instrument.opening_hours.all():
        by_day[row.weekday].append(row)
    return list(by_day.items())


def service_detail(request, pk: int):
    try:
        service = selectors.service_get(actor=request.user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    context = {
        "service": service,
        "provider": service.provider,
        "profile": service.provider.provider,
        "standards": [s for s in service.standards.splitlines() if s.strip()],
        # the valid certificates (prefetched) whose scope covers this service
        "covers": covering(
            service,
            on=timezone.localdate(),
            certificates=service.provider.provider.valid_accreditations,
        ),  # fmt: skip
        "order_url": url_or_none("frontend:service-request-create", service.pk),
        "can_manage": _can_manage(request, service.provider_id),
    }
    return render(request, "frontend/catalogue/service_detail.html", context)


def provider_list(request):
    region = (request.GET.get("city") or "").strip()
    try:
        providers = selectors.provider_list(
            actor=request.user, q=request.GET.get("q", "").strip()[:100], region=region,
            kind=request.GET.get("kind", "").strip(),
        )  # fmt: skip
        page = CappedPaginator(providers, PAGE_SIZE).get_page(request.GET.get("page"))
    except DomainError:
        page = CappedPaginator([], PAGE_SIZE).get_page(1)
    form = CatalogueFilterForm(request.GET or None, regions=region_choices())
    return render(request, "frontend/catalogue/provider_list.html",
                  {"page": page, "form": form, "page_query": query_without(request)})  # fmt: skip


def provider_detail(request, pk: int):
    try:
        provider = selectors.provider_get(actor=request.user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    filters = selectors.CatalogueFilters(provider=provider.pk, sort="name")
    instruments = selectors.instrument_search(filters=filters)[:60]
    services = selectors.service_search(filters=filters)[:60]
    return render(request, "frontend/catalogue/provider_detail.html", {
        "provider": provider, "profile": provider.provider,
        "instruments": instruments, "services": services,
    })  # fmt: skip
