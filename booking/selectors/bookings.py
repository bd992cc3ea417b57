"""Reads of bookings, always through the actor's Scope: what is not yours is not found."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.scoping import Scope
from booking.models import Booking, Notification, StateChange
from config.errors import NotFound
from facilities.models import Instrument

B = Booking.Status


def _visible_q(scope: Scope) -> Q:
    if scope.is_admin:
        return Q()
    return Q(firm_id__in=scope.firm_ids) | Q(instrument__provider_id__in=scope.provider_ids)


def booking_list(*, actor, firm_id: int | None = None, provider_id: int | None = None) -> QuerySet:
    """Bookings the actor may see; narrowed to one firm or one provider (the hat worn)."""
    scope = Scope.for_user(actor)
    qs = Booking.objects.filter(_visible_q(scope))
    if firm_id is not None:
        qs = qs.filter(firm_id=firm_id)
    if provider_id is not None:
        qs = qs.filter(instrument__provider_id=provider_id)
    return qs.select_related("instrument", "instrument__provider", "firm", "booked_by")


def booking_get(*, actor, pk: int) -> Booking:
    """A booking the actor may see (its firm, its provider's managers); NotFound otherwise."""
    scope = Scope.for_user(actor)
    qs = Booking.objects.filter(_visible_q(scope)).select_related(
        "instrument", "instrument__provider", "firm", "booked_by"
    )
    booking = qs.filter(pk=pk).first()
    if booking is None:
        raise NotFound(_("Booking not found."), code="booking_not_found")
    return booking


def my_bookings(*, actor, firm_id: int, when: str = "upcoming", status: str = "") -> QuerySet:
    """A firm's bookings: upcoming (ending after now, soonest first) or past (latest first)."""
    if not Scope.for_user(actor).can_act_for_firm(firm_id):
        return Booking.objects.none()
    now = timezone.now()
    qs = booking_list(actor=actor, firm_id=firm_id)
    if status in B.values:
        qs = qs.filter(status=status)
    if when == "past":
        return qs.filter(end_at__lte=now).order_by("-start_at", "-pk")
    return qs.filter(end_at__gt=now).order_by("start_at", "pk")


def lab_today(*, actor, provider_id: int, day: dt.date | None = None) -> QuerySet:
    """The provider's sessions of one local day, soonest first, with their session logs."""
    if not Scope.for_user(actor).can_manage_provider(provider_id):
        return Booking.objects.none()
    tz = timezone.get_current_timezone()
    day = day or timezone.localdate()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return (
        booking_list(actor=actor, provider_id=provider_id)
        .filter(
            start_at__lt=start + dt.timedelta(days=1),
            end_at__gt=start,
            status__in=[B.APPROVED, B.CHECKED_IN, B.COMPLETED, B.NO_SHOW],
        )
        .select_related("session", "session__operator")
        .order_by("start_at", "pk")
    )


def approvals_queue(*, actor, provider_id: int) -> QuerySet:
    if not Scope.for_user(actor).can_manage_provider(provider_id):
        return Booking.objects.none()
    return (
        booking_list(actor=actor, provider_id=provider_id)
        .filter(status=B.REQUESTED)
        .order_by("start_at", "pk")
    )


def booking_history(*, booking: Booking) -> list[StateChange]:
    return list(booking.history.select_related("actor").order_by("at", "pk"))


def instrument_get_for_booking(*, pk: int) -> Instrument:
    """An instrument anyone may look at to book (active or not: the rules say why not)."""
    instrument = Instrument.objects.select_related("provider").filter(pk=pk).first()
    if instrument is None:
        raise NotFound(_("Instrument not found."), code="instrument_not_found")
    return instrument


def managed_instrument_get(*, actor, pk: int) -> Instrument:
    scope = Scope.for_user(actor)
    instrument = instrument_get_for_booking(pk=pk)
    if not scope.can_manage_provider(instrument.provider_id):
        raise NotFound(_("Instrument not found."), code="instrument_not_found")
    return instrument


def week_bookings(*, instrument: Instrument, start: dt.datetime, end: dt.datetime) -> QuerySet:
    """Live and finished bookings of one instrument in a window (the manager's calendar)."""
    return (
        Booking.objects.filter(instrument=instrument, start_at__lt=end, end_at__gt=start)
        .exclude(status__in=[B.CANCELLED, B.REJECTED])
        .select_related("firm")
        .order_by("start_at")
    )


def notification_list(*, actor) -> QuerySet:
    return Notification.objects.filter(user=actor).order_by("-created_at", "-pk")


def session_operators(*, booking: Booking) -> QuerySet:
    """Who may be named as a session's operator: the active members of the instrument's lab
    (``session_log.session_operator`` enforces it; pages offer only these)."""
    return User.objects.filter(
        is_active=True, memberships__organisation_id=booking.instrument.provider_id
    ).order_by("full_name", "pk")


def move_targets(*, booking: Booking) -> list[Instrument]:
    """Instruments a booking may move to: its provider's active, shared ones."""
    return list(
        Instrument.objects.filter(
            provider_id=booking.instrument.provider_id, status=Instrument.Status.ACTIVE,
            is_shared=True,
        ).order_by("name").only("pk", "name")
    )  # fmt: skip
