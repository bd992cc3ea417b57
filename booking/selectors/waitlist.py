"""Reads of the waitlist and the kiosk tokens, through the actor's scope (not yours: 404)."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from accounts.scoping import Scope
from booking.models import InstrumentToken, WaitlistEntry
from config.errors import NotFound


def waitlist_list(*, actor, firm_id: int | None = None) -> QuerySet:
    """Entries of the actor's firms (or one of them), newest first; a lab manager also sees
    the entries on the provider's instruments."""
    scope = Scope.for_user(actor)
    visible = Q(firm_id__in=scope.firm_ids) | Q(instrument__provider_id__in=scope.provider_ids)
    qs = WaitlistEntry.objects.all() if scope.is_admin else WaitlistEntry.objects.filter(visible)
    if firm_id is not None:
        qs = qs.filter(firm_id=firm_id)
    return qs.select_related("instrument", "firm", "booking").order_by("-created_at", "-pk")


def waitlist_get(*, actor, pk: int) -> WaitlistEntry:
    entry = waitlist_list(actor=actor).filter(pk=pk).first()
    if entry is None:
        raise NotFound(_("Waitlist entry not found."), code="waitlist_entry_not_found")
    return entry


def waitlist_with_place(qs: QuerySet) -> QuerySet:
    """Each entry with ``ahead``: the open entries over an overlapping time of the same
    instrument that joined before it (its place is ``ahead + 1``), in the list's query."""
    ahead = (
        WaitlistEntry.objects.filter(
            instrument_id=OuterRef("instrument_id"), status__in=WaitlistEntry.OPEN,
            start_at__lt=OuterRef("end_at"), end_at__gt=OuterRef("start_at"),
            pk__lt=OuterRef("pk"),
        )
        .order_by()
        .values("instrument_id")
        .annotate(n=Count("pk"))
        .values("n")
    )  # fmt: skip
    return qs.annotate(ahead=Coalesce(Subquery(ahead), 0))


def instrument_token_list(*, actor, instrument_id: int | None = None) -> QuerySet:
    scope = Scope.for_user(actor)
    qs = InstrumentToken.objects.select_related("instrument", "created_by")
    if not scope.is_admin:
        qs = qs.filter(instrument__provider_id__in=scope.provider_ids)
    if instrument_id is not None:
        qs = qs.filter(instrument_id=instrument_id)
    return qs.order_by("-created_at", "-pk")


def instrument_token_get(*, actor, pk: int) -> InstrumentToken:
    token = instrument_token_list(actor=actor).filter(pk=pk).first()
    if token is None:
        raise NotFound(_("Token not found."), code="token_not_found")
    return token
