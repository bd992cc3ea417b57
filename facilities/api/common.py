"""Helpers shared by the catalogue API views."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter
from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.acting import acting_organisation_id
from accounts.models import Organisation
from accounts.scoping import Scope
from config.errors import NotFound


class ReadAnyoneWriteSignedIn(BasePermission):
    """Browsing the catalogue needs no sign-in; changes need one (services check the scope)."""

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or bool(
            request.user and request.user.is_authenticated
        )


def provider_for_write(request, provider_id: int | None) -> Organisation:
    """The provider a new item is listed under: the one the manager acts for
    (accounts.acting: the ``provider`` field, the X-Acting-Organisation header, or their
    only one). A site administrator names any provider."""
    scope = Scope.for_user(request.user)
    if not (scope.is_admin and provider_id is not None):
        provider_id = acting_organisation_id(
            request, kind=Organisation.Kind.PROVIDER, given=provider_id
        )
    if provider_id is None:
        raise NotFound(code="provider_not_found")
    provider = Organisation.objects.filter(pk=provider_id, kind=Organisation.Kind.PROVIDER).first()
    if provider is None:
        raise NotFound(code="provider_not_found")
    return provider


FILTER_PARAMETERS = [
    OpenApiParameter("search", str, description="Free text; Chinese works (e.g. 光谱). Alias: q"),
    OpenApiParameter("category", int, description="Category id; includes its sub-categories"),
    OpenApiParameter("city", str, description="GB/T 2260 city code; matches its counties"),
    OpenApiParameter("county", str, description="GB/T 2260 county code"),
    OpenApiParameter("provider", int, description="Provider organisation id"),
    OpenApiParameter("provider_kind", str, description="research_platform, university_lab, …"),
    OpenApiParameter("price_min_fen", int, description="Minimum price (fen)"),
    OpenApiParameter("price_max_fen", int, description="Maximum price (fen)"),
    OpenApiParameter("voucher", bool, description="Only voucher-eligible items"),
    OpenApiParameter("accredited", bool, description="Only providers with valid CMA/CNAS"),
    OpenApiParameter("sort", str, enum=["relevance", "name", "price", "-price", "newest"]),
]
FREE_PARAMETERS = [
    OpenApiParameter("free_from", str, description="ISO 8601; with free_to: free in that window"),
    OpenApiParameter("free_to", str, description="ISO 8601, same local day as free_from"),
]
