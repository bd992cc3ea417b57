"""Reads for accounts, always through ``Scope``: what is not visible is NotFound (404)."""

from __future__ import annotations

from django.db.models import F, Prefetch, Q, QuerySet

from accounts.models import (
    ApiToken,
    FirmProfile,
    FirmVerificationChange,
    Membership,
    Organisation,
    User,
)
from accounts.scoping import Scope
from config.errors import NotFound


def _member_org_ids(scope: Scope) -> frozenset[int]:
    return scope.firm_ids | scope.provider_ids | scope.department_ids


def organisation_list(*, actor: User) -> QuerySet[Organisation]:
    """The organisations ``actor`` belongs to (an administrator too: "mine" means mine)."""
    scope = Scope.for_user(actor)
    return (
        Organisation.objects.filter(pk__in=_member_org_ids(scope), is_active=True)
        .select_related("region")
        .order_by("name", "pk")
    )


def organisation_get(*, actor: User, organisation_id: int) -> Organisation:
    """One of the actor's organisations; a site administrator may open any."""
    scope = Scope.for_user(actor)
    qs = Organisation.objects.select_related("region")
    if not scope.is_admin:
        qs = qs.filter(pk__in=_member_org_ids(scope))
    org = qs.filter(pk=organisation_id).first()
    if org is None:
        raise NotFound()
    return org


def _firm_base() -> QuerySet[FirmProfile]:
    return FirmProfile.objects.select_related(
        "organisation", "organisation__region__parent", "industry", "verified_by"
    )


def firm_list(*, actor: User, verification: str | None = None) -> QuerySet[FirmProfile]:
    """The actor's own firms, plus (for a reviewer) every firm in the reviewer's regions."""
    scope = Scope.for_user(actor)
    visible = Q(pk__in=scope.firm_ids)
    if scope.is_admin or scope.is_reviewer:
        visible |= scope.in_region_q("organisation__region__code")
    qs = _firm_base().filter(visible)
    if verification:
        qs = qs.filter(verification=verification)
    return qs.order_by("-organisation__created_at", "-pk")


def firm_get(*, actor: User, firm_id: int) -> FirmProfile:
    firm = firm_list(actor=actor).filter(pk=firm_id).first()
    if firm is None:
        raise NotFound()
    return firm


def firm_is_administered_by(*, actor: User, firm_id: int) -> bool:
    """Whether ``actor`` is an administrator of the firm (may correct its registration)."""
    return Membership.objects.filter(
        user=actor,
        organisation_id=firm_id,
        organisation__kind=Organisation.Kind.FIRM,
        role=Membership.Role.FIRM_MEMBER,
        is_admin=True,
    ).exists()


def firm_verification_queue(*, actor: User) -> QuerySet[FirmProfile]:
    """Pending firms in the reviewer's regions, oldest first; empty for anyone else."""
    scope = Scope.for_user(actor)
    if not (scope.is_reviewer or scope.is_admin):
        return FirmProfile.objects.none()
    return (
        _firm_base()
        .filter(scope.in_region_q("organisation__region__code"))
        .filter(verification=FirmProfile.Verification.PENDING)
        .prefetch_related(_history_prefetch())
        .order_by("organisation__created_at", "pk")
    )


def _history_prefetch() -> Prefetch:
    return Prefetch(
        "verification_history",
        queryset=FirmVerificationChange.objects.select_related("actor").order_by("at", "pk"),
    )


def firm_verification_history(*, actor: User, firm_id: int) -> list[FirmVerificationChange]:
    """Who registered, verified, rejected or resubmitted the firm, when and why, oldest
    first; NotFound for a firm the actor may not see (``firm_get``)."""
    firm = firm_get(actor=actor, firm_id=firm_id)
    return list(
        FirmVerificationChange.objects.filter(firm=firm)
        .select_related("actor")
        .order_by("at", "pk")
    )


def firm_pending_count(*, actor: User) -> int:
    return firm_verification_queue(actor=actor).count()


def api_token_list(*, actor: User) -> QuerySet[ApiToken]:
    """The actor's own tokens, live first."""
    return ApiToken.objects.filter(user=actor).order_by(
        F("revoked_at").asc(nulls_first=True), "-created_at", "-pk"
    )


def api_token_get(*, actor: User, token_id: int) -> ApiToken:
    token = api_token_list(actor=actor).filter(pk=token_id).first()
    if token is None:
        raise NotFound()
    return token
