"""Catalogue filters as plain values, parsed once from a query string (pages and API)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Accreditation, ProviderProfile
from accounts.scoping import region_prefix
from config.bounds import parse_when
from config.errors import Invalid
from config.money import yuan_to_fen
from facilities.calendars import local_tz
from facilities.models import Category
from facilities.regions import region_code_q
from facilities.search import normalise, text_filter
from facilities.search.rank import field_pattern

SORTS = ("relevance", "name", "price", "-price", "newest")


@dataclass(frozen=True)
class CatalogueFilters:
    q: str = ""
    category: int | None = None
    region: str = ""  # a city or county GB/T 2260 code; a city matches its counties
    provider: int | None = None
    provider_kind: str = ""
    price_min_fen: int | None = None
    price_max_fen: int | None = None
    voucher: bool = False
    accredited: bool = False
    free_from: dt.datetime | None = None
    free_to: dt.datetime | None = None
    sort: str = "relevance"
    near: str = ""  # the firm's region code: its city's items rank first among equals


def category_paths(*, fresh: bool = False) -> dict[int, str]:
    """Every category's path, cached briefly: the tree is small and changes rarely."""
    paths = None if fresh else cache.get("catalogue:category-paths")
    if paths is None:
        paths = dict(Category.objects.values_list("pk", "path"))
        cache.set("catalogue:category-paths", paths, 60)
    return paths


def category_names(*, fresh: bool = False) -> dict[int, tuple[str, str]]:
    """Every category's folded Chinese and English names, cached like the paths."""
    names = None if fresh else cache.get("catalogue:category-names")
    if names is None:
        names = {
            pk: (normalise(zh), normalise(en))
            for pk, zh, en in Category.objects.values_list("pk", "name_zh", "name_en")
        }
        cache.set("catalogue:category-names", names, 60)
    return names


def category_ids_naming(forms) -> list[int]:
    """Categories whose Chinese or English name holds one of ``forms`` (a Latin form as a
    whole word): a search word that names the category ranks its items above mere mentions."""
    pattern = field_pattern(forms, ignore_case=False)  # the names are folded like the forms
    if pattern is None:
        return []
    return [pk for pk, names in category_names().items() if any(map(pattern.search, names))]


def category_q(category_id: int | None, field: str = "category") -> Q:
    """The category and all its sub-categories (``path`` is the code path from the root),
    as a plain id list: no join, and the planner sees the real list."""
    if not category_id:
        return Q()
    paths = category_paths()
    path = paths.get(category_id)
    if path is None:
        paths = category_paths(fresh=True)
        path = paths.get(category_id)
    if path is None:
        return Q(pk__in=[])
    ids = [pk for pk, p in paths.items() if p == path or p.startswith(f"{path}/")]
    return Q(**{f"{field}_id__in": ids})


def _check_region(code: str) -> None:
    if not (code.isdigit() and len(code) == 6):
        raise Invalid(_("A region is a six-digit code."), code="bad_region", fields={"region": []})


def region_q(code: str, field: str = "region__code") -> Q:
    """Organisations in a city (a city code matches its counties by prefix) or county."""
    if not code:
        return Q()
    _check_region(code)
    return Q(**{f"{field}__startswith": region_prefix(code)})


def provider_region_q(code: str) -> Q:
    """Items whose provider lies in the region, on the item's own copy of the provider's
    region code (``facilities.regions``): no join, and one index with the category."""
    if not code:
        return Q()
    _check_region(code)
    return region_code_q(code)


def provider_kind_q(kind: str) -> Q:
    if not kind:
        return Q()
    return Q(provider_id__in=ProviderProfile.objects.filter(kind=kind).values("organisation_id"))


def accredited_exists(provider_field: str = "provider_id") -> Exists:
    """A valid (unexpired) CMA or CNAS accreditation of the row's provider."""
    return Exists(
        Accreditation.objects.filter(
            provider_id=OuterRef(provider_field), expires_on__gte=timezone.localdate()
        )
    )


def _int(value) -> int | None:
    try:
        return int(str(value).strip()) if value not in (None, "") else None
    except ValueError:
        return None


def _fen(params, name: str) -> int | None:
    """``price_min_fen`` (API, fen) or ``price_min`` (pages, yuan)."""
    fen = _int(params.get(f"{name}_fen"))
    if fen is not None:
        return max(fen, 0)
    yuan = params.get(name)
    if yuan in (None, ""):
        return None
    try:
        return max(yuan_to_fen(yuan), 0)
    except ValueError:
        return None


def _when(value: str | None, field: str = "free_from") -> dt.datetime | None:
    """ISO 8601; a time without offset (an HTML datetime-local) is Asia/Shanghai."""
    return parse_when(value, field=field, default_tz=local_tz())


def _region_code(value) -> str:
    code = str(value or "").strip()
    return code if code.isdigit() and len(code) == 6 else ""


def _flag(value) -> bool:
    return str(value or "").lower() in ("1", "true", "yes", "on")


def filters_from_query(params) -> CatalogueFilters:
    """Parse a query string (page or API); unknown or unreadable values are ignored."""
    sort = params.get("sort") or "relevance"
    return CatalogueFilters(
        q=(params.get("q") or params.get("search") or "").strip()[:100],
        category=_int(params.get("category")),
        region=(params.get("county") or params.get("city") or params.get("region") or "").strip(),
        provider=_int(params.get("provider")),
        provider_kind=(params.get("provider_kind") or "").strip(),
        price_min_fen=_fen(params, "price_min"),
        price_max_fen=_fen(params, "price_max"),
        voucher=_flag(params.get("voucher")),
        accredited=_flag(params.get("accredited")),
        free_from=_when(params.get("free_from")),
        free_to=_when(params.get("free_to")),
        sort=sort if sort in SORTS else "relevance",
        near=_region_code(params.get("near")),
    )


def catalogue_filtered(
    qs: QuerySet, f: CatalogueFilters, *, price_field: str, text: bool = True
) -> QuerySet:
    """The filters instruments and testing services share: text (unless ``text=False``: the
    caller runs ``text_search``), category subtree, region, provider and its kind, price
    range on ``price_field``, voucher eligibility."""
    words = text_filter(f.q) if text else None
    if words is not None:
        qs = qs.filter(words)
    qs = qs.filter(
        category_q(f.category), provider_region_q(f.region), provider_kind_q(f.provider_kind)
    )
    if f.provider:
        qs = qs.filter(provider_id=f.provider)
    if f.price_min_fen is not None:
        qs = qs.filter(**{f"{price_field}__gte": f.price_min_fen})
    if f.price_max_fen is not None:
        qs = qs.filter(**{f"{price_field}__lte": f.price_max_fen})
    if f.voucher:
        qs = qs.filter(voucher_eligible=True)
    return qs
