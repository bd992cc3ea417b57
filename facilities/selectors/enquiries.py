"""Reads of instrument enquiries ("ask providers")."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.scoping import Scope
from facilities.models import Instrument, InstrumentEnquiry
from facilities.selectors.filters import category_paths


def _categories_seen_by(provider_ids) -> list[int]:
    """The categories of the providers' instruments and every ancestor of them: an enquiry
    for 电子显微镜 reaches a provider of SEMs, and one for 分析仪器 too."""
    own = set(
        Instrument.objects.filter(provider_id__in=provider_ids)
        .exclude(status=Instrument.Status.RETIRED)
        .order_by()
        .values_list("category_id", flat=True)
        .distinct()
    )
    paths = category_paths()
    if not own <= paths.keys():  # a category newer than the cached tree
        paths = category_paths(fresh=True)
    ancestors = {p for pk in own for p in _prefixes(paths.get(pk, ""))}
    return [pk for pk, path in paths.items() if pk in own or path in ancestors]


def _prefixes(path: str) -> list[str]:
    parts = path.split("/") if path else []
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def instrument_enquiry_list_for_manager(*, actor, days: int = 90) -> QuerySet[InstrumentEnquiry]:
    """Recent enquiries in the categories of the actor's providers' instruments, and those
    naming no category; newest first."""
    providers = Scope.for_user(actor).provider_ids
    if not providers:
        return InstrumentEnquiry.objects.none()
    seen = _categories_seen_by(providers)
    since = timezone.now() - dt.timedelta(days=days)
    return (
        InstrumentEnquiry.objects.filter(created_at__gte=since)
        .filter(Q(category__isnull=True) | Q(category_id__in=seen))
        .select_related("category", "firm", "created_by")
        .order_by("-created_at", "-pk")
    )
