"""Reads of providers (organisations of kind provider with their profile)."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Accreditation, Organisation
from config.errors import NotFound
from facilities.models import Instrument
from facilities.selectors.filters import region_q


def _providers() -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        kind=Organisation.Kind.PROVIDER, is_active=True, provider__isnull=False
    )


def _with_accreditations(qs):
    return qs.prefetch_related(
        Prefetch(
            "provider__accreditations",
            queryset=Accreditation.objects.filter(expires_on__gte=timezone.localdate()),
            to_attr="valid_accreditations",
        )
    )


def _count(qs) -> Subquery:
    rows = qs.filter(provider=OuterRef("pk")).order_by().values("provider")
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")[:1]), 0)


def provider_list(*, actor=None, q: str = "", region: str = "", kind: str = "") -> QuerySet:
    qs = _providers().filter(region_q(region, "region__code"))
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(provider__description__icontains=q))
    if kind:
        qs = qs.filter(provider__kind=kind)
    shared = Q(instruments__is_shared=True) & ~Q(instruments__status=Instrument.Status.RETIRED)
    qs = qs.annotate(
        instrument_count=Count("instruments", filter=shared, distinct=True),
        service_count=Count(
            "testing_services", filter=Q(testing_services__is_active=True), distinct=True
        ),
    )
    return _with_accreditations(qs.select_related("provider", "region__parent")).order_by(
        "name", "pk"
    )


def provider_get(*, actor=None, pk) -> Organisation:
    provider = (
        _with_accreditations(_providers().select_related("provider", "region__parent"))
        .filter(pk=pk)
        .first()
    )
    if provider is None:
        raise NotFound(code="provider_not_found")
    return provider
