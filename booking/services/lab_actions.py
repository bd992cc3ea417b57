"""A lab manager acting for firms: booking on a firm's behalf (phone or walk-in), cancelling
any open booking with a reason the firm reads, and a blackout over existing bookings that
cancels them and offers each firm the nearest free alternatives.

All of it goes through the one create path (``bookings.create_under_lock``) and the one
state helper (``booking.transitions``), so order events (voucher holds and releases, the
waitlist's offers) see these changes as any other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Membership, Organisation, User
from accounts.scoping import Scope
from booking import transitions
from booking.models import Booking
from booking.selectors.availability import free_intervals
from booking.services import bookings
from config.errors import Invalid, NotFound
from facilities.models import Blackout, Instrument, Price
from facilities.services import blackout_create
from facilities.services._guards import lock_instrument

B = Booking.Status
ALTERNATIVES = 3  # how many free ranges a firm is offered when the lab cancels
ALTERNATIVE_DAYS = 14  # how far from the cancelled start they are looked for


def _provider_of(instrument_id: int) -> int:
    provider_id = (
        Instrument.objects.filter(pk=instrument_id).values_list("provider_id", flat=True).first()
    )
    if provider_id is None:
        raise NotFound(gettext_lazy("Instrument not found."), code="instrument_not_found")
    return provider_id


def _firm_member(firm_id: int, member: User | int | None) -> User | None:
    if member is None:
        return None
    member_id = member if isinstance(member, int) else member.pk
    membership = (
        Membership.objects.filter(
            organisation_id=firm_id, user_id=member_id, role=Membership.Role.FIRM_MEMBER
        )
        .select_related("user")
        .first()
    )
    if membership is None:
        message = gettext_lazy("This person is not a member of the firm.")
        raise Invalid(message, code="member_not_in_firm", fields={"member": [str(message)]})
    return membership.user


def booking_create_for_firm(
    *,
    actor: User,
    firm: int,
    instrument: int,
    start_at: dt.datetime,
    end_at: dt.datetime,
    purpose: str,
    member: User | int | None = None,
    voucher_ids=(),
) -> Booking:
    """A lab manager books the instrument for ``firm`` (a phone or walk-in request).

    The booking is the firm's, at the outside-firm rate (the manager's own internal rate
    does not apply); ``member`` (a member of the firm) is who will use the instrument, and
    the training rule checks that person. ``voucher_ids`` are vouchers of the firm's own
    wallet the firm asked to pay with: they ride on the creation event exactly as on the
    firm's own booking (the vouchers app holds their part or refuses the booking; a
    voucher of another firm is ``voucher_not_found``). Errors: NotFound (instrument not
    the actor's provider's, firm unknown), Invalid ``member_not_in_firm`` and every code
    of ``booking_create`` and of the voucher hold, Conflict ``slot_taken``."""
    if not Scope.for_user(actor).can_manage_provider(_provider_of(instrument)):
        raise NotFound(gettext_lazy("Instrument not found."), code="instrument_not_found")
    if not Organisation.objects.filter(pk=firm, kind=Organisation.Kind.FIRM).exists():
        raise NotFound(gettext_lazy("Firm not found."), code="firm_not_found")
    trained = _firm_member(firm, member)
    purpose = (purpose or "").strip()
    if not purpose:
        message = gettext_lazy("Say what the instrument time is for.")
        raise Invalid(message, code="purpose_required", fields={"purpose": [str(message)]})
    bookings.rules.check_range(start_at, end_at)
    if trained is None and Instrument.objects.filter(pk=instrument, requires_training=True):
        message = gettext_lazy("Name the trained firm member who will use the instrument.")
        raise Invalid(message, code="training_required", fields={"member": [str(message)]})
    try:
        with transaction.atomic():
            locked = bookings.lock_instrument_for_booking(instrument, firm)
            return bookings.create_under_lock(
                locked, actor=actor, firm_id=firm, start_at=start_at, end_at=end_at,
                purpose=purpose, group=Price.ClientGroup.EXTERNAL_FIRM, trained=trained,
                voucher_ids=tuple(voucher_ids),
            )  # fmt: skip
    except IntegrityError as exc:
        if "booking_no_overlap" in str(exc):
            raise bookings.slot_taken() from exc
        raise


def booking_quote_for_firm(
    *,
    actor: User,
    firm: int,
    instrument: int,
    start_at: dt.datetime,
    end_at: dt.datetime,
    member: User | int | None = None,
) -> dict:
    """What ``booking_create_for_firm`` would charge the firm (the outside-firm rate), with
    the same rule checks except the overlap: the step before confirming, where the page
    shows what the firm's vouchers would pay of it. Errors: as ``booking_create_for_firm``
    without ``slot_taken``."""
    if not Scope.for_user(actor).can_manage_provider(_provider_of(instrument)):
        raise NotFound(gettext_lazy("Instrument not found."), code="instrument_not_found")
    if not Organisation.objects.filter(pk=firm, kind=Organisation.Kind.FIRM).exists():
        raise NotFound(gettext_lazy("Firm not found."), code="firm_not_found")
    trained = _firm_member(firm, member)
    found = Instrument.objects.get(pk=instrument)
    bookings.rules.check_range(start_at, end_at)
    bookings.rules.check_rules(found, start_at, end_at, now=timezone.now())
    if trained is not None:
        bookings.rules.check_training(found, trained, start_at, end_at)
    bookings.rules.check_open(found, start_at, end_at)
    group = Price.ClientGroup.EXTERNAL_FIRM
    rate = bookings.rules.rate_for(found, group)
    minutes = int((end_at - start_at).total_seconds() // 60)
    return {"minutes": minutes, "client_group": group, "rate_per_hour_fen": rate,
            "quote_fen": bookings.rules.charge_fen(minutes, rate)}  # fmt: skip


@transaction.atomic
def booking_cancel_by_manager(*, actor: User, booking: Booking, reason: str) -> Booking:
    """requested/approved → cancelled by a lab manager of the instrument's provider, at any
    time before the session starts being used (no cut-off: the lab's own reasons, such as
    a breakdown). The reason is required; the firm's members read it. Errors: Forbidden
    ``not_manager``, Invalid ``reason_required``, InvalidTransition."""
    bookings.require_manager(actor, booking)
    reason = bookings.require_reason(reason)
    transitions.transition(booking, to=B.CANCELLED, actor=actor, reason=reason)
    bookings.announce(booking, "cancelled_by_lab", reason)
    return booking


@dataclass(frozen=True)
class Affected:
    """A live booking a new blackout would cancel, and what the firm is offered instead."""

    booking: Booking
    alternatives: tuple[tuple[dt.datetime, dt.datetime], ...] = ()


def blackout_affected(
    *, actor: User, instrument: Instrument, start_at: dt.datetime, end_at: dt.datetime
) -> list[Booking]:
    """The live bookings a blackout over [start_at, end_at) would cancel (the preview)."""
    if not Scope.for_user(actor).can_manage_provider(instrument.provider_id):
        raise NotFound(gettext_lazy("Instrument not found."), code="instrument_not_found")
    return list(
        Booking.objects.filter(
            instrument=instrument, status__in=Booking.LIVE, start_at__lt=end_at,
            end_at__gt=start_at,
        )
        .select_related("firm", "booked_by", "instrument")
        .order_by("start_at", "pk")
    )  # fmt: skip


def _nearest_free(instrument: Instrument, booking: Booking) -> tuple:
    """Up to ALTERNATIVES free ranges of the booking's length, nearest its start first."""
    length = booking.end_at - booking.start_at
    lo = max(booking.start_at - dt.timedelta(days=ALTERNATIVE_DAYS), timezone.now())
    hi = booking.start_at + dt.timedelta(days=ALTERNATIVE_DAYS)
    candidates = []
    for start, end in free_intervals(instrument=instrument, start=lo, end=hi):
        if end - start >= length:
            # The free range's own start, or as close to the old start as it allows.
            best = min(max(booking.start_at, start), end - length)
            candidates.append((best, best + length))
    candidates.sort(key=lambda r: abs((r[0] - booking.start_at).total_seconds()))
    return tuple(candidates[:ALTERNATIVES])


def _offer_text(reason: str, alternatives) -> str:
    if not alternatives:
        return reason
    when = "; ".join(
        f"{timezone.localtime(s):%Y-%m-%d %H:%M}–{timezone.localtime(e):%H:%M}"
        for s, e in alternatives
    )
    return _("%(reason)s — Nearest free times: %(when)s") % {"reason": reason, "when": when}


@transaction.atomic
def blackout_create_over_bookings(
    *,
    actor: User,
    instrument: Instrument | int,
    start_at: dt.datetime,
    end_at: dt.datetime,
    reason: str,
    kind: str = Blackout.Kind.MAINTENANCE,
) -> tuple[Blackout, list[Affected]]:
    """Add the blackout and cancel every live booking under it, with ``reason``, offering
    each firm the nearest free alternatives (in the cancellation's notification). One
    transaction under the instrument lock: a booking made meanwhile waits for the lock
    and then sees the blackout. A checked-in session cannot be cancelled: it refuses the
    whole change (InvalidTransition). Errors: those of ``blackout_create``, Invalid
    ``reason_required``."""
    reason = bookings.require_reason(reason)
    locked = lock_instrument(actor=actor, instrument=instrument)
    affected = blackout_affected(actor=actor, instrument=locked, start_at=start_at, end_at=end_at)
    for booking in affected:
        transitions.transition(booking, to=B.CANCELLED, actor=actor, reason=reason)
    blackout = blackout_create(
        actor=actor, instrument=locked, start_at=start_at, end_at=end_at, kind=kind, reason=reason
    )
    out = []
    for booking in affected:
        alternatives = _nearest_free(locked, booking)
        bookings.announce(booking, "cancelled_by_lab", _offer_text(reason, alternatives))
        out.append(Affected(booking, alternatives))
    return blackout, out


def firm_id_for_code(code: str) -> int:
    """The firm with this unified social credit code (how a lab manager names the firm
    that phoned). Errors: NotFound ``firm_not_found``."""
    firm_id = (
        Organisation.objects.filter(kind=Organisation.Kind.FIRM, firm__uscc=(code or "").upper())
        .values_list("pk", flat=True)
        .first()
    )
    if firm_id is None:
        message = gettext_lazy("No firm has this credit code.")
        raise NotFound(message, code="firm_not_found", fields={"firm_code": [str(message)]})
    return firm_id


def member_id_for_email(firm_id: int, email: str) -> int | None:
    """The firm member with this e-mail, None if none given. Errors: Invalid."""
    if not email:
        return None
    membership = Membership.objects.filter(
        organisation_id=firm_id, role=Membership.Role.FIRM_MEMBER, user__email__iexact=email
    ).first()
    if membership is None:
        message = gettext_lazy("This person is not a member of the firm.")
        raise Invalid(message, code="member_not_in_firm", fields={"member_email": [str(message)]})
    return membership.user_id
