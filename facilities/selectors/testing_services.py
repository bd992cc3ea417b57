"""Reads of testing services: catalogue search, public page, the manager's list."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from accounts.models import Accreditation
from accounts.scoping import Scope
from config.errors import NotFound
from facilities.models import TestingService
from facilities.pagination import COUNT_CAP
from facilities.search import text_filter
from facilities.selectors.filters import (
    CatalogueFilters,
    accredited_exists,
    catalogue_filtered,
)
from facilities.selectors.text_search import text_search

LIST_DEFER = ("description", "sample_requirements", "search_text", "search_tokens")


def service_search(*, actor=None, filters: CatalogueFilters) -> QuerySet[TestingService]:
    f = filters
    qs = catalogue_filtered(
        TestingService.objects.filter(is_active=True), f, price_field="price_fen", text=False
    )
    if f.accredited:
        qs = qs.filter(accredited_exists(), in_accredited_scope=True)
    qs, matches, outcome = text_search(qs, f.q, count_cap=COUNT_CAP)
    plain = qs
    qs = qs.select_related("provider__region__parent", "provider__provider", "category").defer(
        *LIST_DEFER
    )
    qs = qs.annotate(accredited=accredited_exists())
    order = {"price": ("price_fen", "pk"), "-price": ("-price_fen", "pk"),
             "newest": ("-created_at", "-pk")}.get(f.sort, ("name", "pk"))  # fmt: skip
    rows = qs.order_by(*order)
    rows.count_source = plain
    rows.capped_count = matches
    rows.search = outcome
    return rows


def _detail_qs() -> QuerySet[TestingService]:
    return TestingService.objects.select_related(
        "provider__region__parent", "provider__provider", "category"
    ).prefetch_related(
        Prefetch(
            "provider__provider__accreditations",
            queryset=Accreditation.objects.filter(expires_on__gte=timezone.localdate()),
            to_attr="valid_accreditations",
        )
    )


def service_get(*, actor=None, pk) -> TestingService:
    service = _detail_qs().filter(pk=pk).first()
    if service is None:
        raise NotFound(code="service_not_found")
    if not service.is_active and not Scope.for_user(actor).can_manage_provider(service.provider_id):
        raise NotFound(code="service_not_found")
    return service


def service_get_for_manage(*, actor, pk) -> TestingService:
    service = _detail_qs().filter(pk=pk).first()
    if service is None or not Scope.for_user(actor).can_manage_provider(service.provider_id):
        raise NotFound(code="service_not_found")
    return service


def service_list_for_manager(*, actor, q: str = "") -> QuerySet[TestingService]:
    qs = TestingService.objects.filter(provider_id__in=Scope.for_user(actor).provider_ids)
    text = text_filter(q)
    if text is not None:
        qs = qs.filter(text)
    return (
        qs.select_related("category", "provider").defer(*LIST_DEFER).order_by("-is_active", "name")
    )
