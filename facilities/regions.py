"""The provider's region code copied onto its instruments and testing services.

The catalogue filters by city on every search; with the region only on the organisation
PostgreSQL had to fetch every text-and-category match and join the provider to drop the
other cities. A copy on the item lets one index (``region_code, category``) narrow city and
category before the heap is touched. ``save()`` of an item sets it; a provider that moves
updates its items here (post_save of Organisation, connected in ``apps.ready``).
``QuerySet.update()`` on organisations bypasses the signal: call ``region_codes_sync``.
"""

from __future__ import annotations

from django.db.models import OuterRef, Q, Subquery

from accounts.models import Organisation
from accounts.scoping import region_prefix


def _next_prefix(prefix: str) -> str:
    """``3301`` → ``3302``: the exclusive upper bound of a code prefix (digits only)."""
    return str(int(prefix) + 1).zfill(len(prefix))


def region_code_q(code: str, field: str = "region_code") -> Q:
    """Items in a province, city (its counties too) or county, as a range on the code —
    a btree serves a range in any collation, where ``LIKE 'prefix%'`` needs C or a
    pattern opclass. The code is checked (six digits) by the caller."""
    if not code:
        return Q()
    prefix = region_prefix(code)
    if len(prefix) == 6:
        return Q(**{field: prefix})
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": _next_prefix(prefix)})


def _models():
    from facilities.models import Instrument, TestingService

    return (Instrument, TestingService)


def region_codes_sync(*, provider_ids=None) -> int:
    """Set-based: copy each provider's region onto its items where it differs (all
    providers when ``provider_ids`` is None). Returns the rows changed."""
    changed = 0
    for model in _models():
        region = Organisation.objects.filter(pk=OuterRef("provider_id")).values("region_id")[:1]
        rows = model.objects.all()
        if provider_ids is not None:
            rows = rows.filter(provider_id__in=list(provider_ids))
        changed += rows.exclude(region_code=Subquery(region)).update(region_code=Subquery(region))
    return changed


def provider_saved(sender, instance: Organisation, raw=False, **kwargs) -> None:
    """A provider's region may have changed: its items follow (a no-op UPDATE otherwise)."""
    update_fields = kwargs.get("update_fields")
    if raw or instance.kind != Organisation.Kind.PROVIDER:
        return
    if update_fields is not None and not {"region", "region_id"} & set(update_fields):
        return
    for model in _models():
        model.objects.filter(provider_id=instance.pk).exclude(
            region_code=instance.region_id
        ).update(region_code=instance.region_id)
