"""Kiosks and interlock boxes: instrument tokens, one-time codes, check-in and out.

A lab manager makes an instrument token for the PC, tablet or interlock box at one
instrument (``instrument_token_create``: the key is returned once, only its SHA-256 digest
is kept) and revokes it when the box is replaced or lost. With it the box checks sessions
of that instrument in and out for the person standing there, who shows either their badge
(``User.badge_number``) or the one-time code from their firm's booking page
(``kiosk_code_issue``). Check-in and check-out go through ``session_moves``, the same
window, bounds and fee as a lab manager's; the person identified is the actor and the
operator of the session, and the StateChange's reason names the kiosk.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, User
from accounts.scoping import Scope
from booking.models import Booking, InstrumentToken, KioskCode
from booking.services import session_moves
from booking.services.bookings import booking_check_in, booking_check_out
from config.errors import Conflict, Forbidden, Invalid, NotFound
from config.text import check_text
from facilities.models import Instrument

B = Booking.Status
TOUCH_SECONDS = 60
CODE_DIGITS = 8


def token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _require_manager(actor: User, provider_id: int) -> None:
    if not Scope.for_user(actor).can_manage_provider(provider_id):
        raise Forbidden(_("Only the instrument's lab managers can do this."), code="not_manager")


def instrument_token_create(
    *, actor: User, instrument: Instrument, name: str
) -> tuple[InstrumentToken, str]:
    """A new token for ``instrument``; returns it and its key (shown once, never again).
    Errors: Forbidden ``not_manager``, Invalid ``name_required``."""
    _require_manager(actor, instrument.provider_id)
    name = (name or "").strip()
    if not name:
        message = _("Give the token a name, e.g. where the box stands.")
        raise Invalid(message, code="name_required", fields={"name": [str(message)]})
    check_text(name=(name, 100))
    key = secrets.token_urlsafe(32)
    token = InstrumentToken.objects.create(
        instrument=instrument, name=name, prefix=key[:8], digest=token_digest(key),
        created_by=actor,
    )  # fmt: skip
    return token, key


def instrument_token_revoke(*, actor: User, token: InstrumentToken) -> InstrumentToken:
    """Revoke at once: the next request with its key gets 401. Errors: Forbidden,
    Conflict ``token_revoked`` (already revoked)."""
    _require_manager(actor, token.instrument.provider_id)
    now = timezone.now()
    if not InstrumentToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=actor
    ):
        raise Conflict(_("This token is already revoked."), code="token_revoked")
    token.revoked_at, token.revoked_by = now, actor
    return token


def instrument_token_authenticate(key: str) -> InstrumentToken | None:
    """The active token with this key (its instrument loaded), else None."""
    token = (
        InstrumentToken.objects.select_related("instrument")
        .filter(digest=token_digest(key), revoked_at__isnull=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > TOUCH_SECONDS:
        InstrumentToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def kiosk_code_issue(*, actor: User, booking: Booking) -> KioskCode:
    """A fresh one-time code for ``booking`` (replacing an unspent one), shown on the firm's
    booking page. It identifies the booking at its own instrument's kiosk until the session
    is checked out, then it is spent. Errors: Forbidden ``not_booker``, Conflict
    ``booking_not_open`` (only approved or checked-in bookings get one)."""
    if not Scope.for_user(actor).can_act_for_firm(booking.firm_id):
        raise Forbidden(_("Only the firm that booked can get its code."), code="not_booker")
    if booking.status not in (B.APPROVED, B.CHECKED_IN):
        raise Conflict(
            _("A kiosk code is given only for approved bookings."), code="booking_not_open"
        )
    for _attempt in range(5):
        code = "".join(secrets.choice("0123456789") for _i in range(CODE_DIGITS))
        try:
            with transaction.atomic():
                found, _created = KioskCode.objects.update_or_create(
                    booking=booking,
                    defaults={"code": code, "issued_by": actor, "created_at": timezone.now(),
                              "used_at": None},
                )  # fmt: skip
                return found
        except IntegrityError:
            continue  # the same code is unspent elsewhere: draw again
    raise Conflict(_("Could not make a code; try again."), code="code_unavailable")


@dataclass(frozen=True)
class Identified:
    """Who stands at the kiosk, and the booking they are there for."""

    person: User
    booking: Booking
    by: str  # "badge" or "code"


def _not_found() -> NotFound:
    return NotFound(
        _("No booking of yours at this instrument was found for this badge or code."),
        code="kiosk_no_booking",
    )


def kiosk_identify(
    *, instrument: Instrument, badge: str = "", code: str = "", checking_out: bool,
    now: dt.datetime | None = None,
) -> Identified:  # fmt: skip
    """The booking a badge or a code stands for at ``instrument``: for check-out the
    checked-in session; for check-in the person's next approved booking that has not yet
    ended (the window itself is checked by ``session_moves``, so an early arrival hears
    when check-in opens). Errors: Invalid ``credential_required``, NotFound
    ``kiosk_no_booking`` (unknown badge or code, or nothing booked here)."""
    badge, code = (badge or "").strip(), (code or "").strip()
    if not badge and not code:
        message = _("Show your badge or type the code from your booking page.")
        raise Invalid(message, code="credential_required", fields={"code": [str(message)]})
    now = now or timezone.now()
    wanted = (B.CHECKED_IN,) if checking_out else (B.APPROVED,)
    bookings = Booking.objects.select_related("instrument", "firm").filter(
        instrument=instrument, status__in=wanted, end_at__gt=now - dt.timedelta(days=1)
    )
    if code:
        found = (
            KioskCode.objects.select_related("issued_by")
            .filter(code=code, used_at__isnull=True, booking__in=bookings)
            .first()
        )
        if found is None:
            raise _not_found()
        return Identified(found.issued_by, bookings.get(pk=found.booking_id), "code")
    person = User.objects.filter(badge_number=badge, is_active=True).first()
    if person is None:
        raise _not_found()
    firms = Membership.objects.filter(user=person).values("organisation_id")
    if not checking_out:
        bookings = bookings.filter(end_at__gt=now)
    booking = bookings.filter(firm_id__in=firms).order_by("start_at").first()
    if booking is None:
        raise _not_found()
    return Identified(person, booking, "badge")


def _reason(kiosk_name: str, by: str) -> str:
    how = gettext("badge") if by == "badge" else gettext("one-time code")
    return gettext("At the kiosk “%(kiosk)s”, by %(how)s") % {"kiosk": kiosk_name, "how": how}


@transaction.atomic
def kiosk_check_in(*, token: InstrumentToken, badge: str = "", code: str = "") -> Booking:
    """approved → checked_in at the token's instrument, for the person identified, who is
    the actor and the operator. Errors: those of ``kiosk_identify``, Invalid
    ``check_in_not_open`` (outside the window), InvalidTransition."""
    who = kiosk_identify(instrument=token.instrument, badge=badge, code=code, checking_out=False)
    return session_moves.session_open(
        who.booking, actor=who.person, operator=who.person, actual_start_at=None, notes="",
        reason=_reason(token.name, who.by),
    )  # fmt: skip


@transaction.atomic
def kiosk_check_out(*, token: InstrumentToken, badge: str = "", code: str = "") -> Booking:
    """checked_in → completed now, fee from actual use; the booking's code is spent."""
    who = kiosk_identify(instrument=token.instrument, badge=badge, code=code, checking_out=True)
    booking = session_moves.session_close(
        who.booking, actor=who.person, actual_end_at=None, operator=None,
        reason=_reason(token.name, who.by),
    )  # fmt: skip
    KioskCode.objects.filter(booking=booking, used_at__isnull=True).update(used_at=timezone.now())
    return booking


def kiosk_now(*, instrument: Instrument, now: dt.datetime | None = None) -> dict:
    """Who may use the instrument now: the checked-in session, else the booking whose
    check-in window is open; and the next booking after it."""
    now = now or timezone.now()
    opens = dt.timedelta(minutes=settings.BOOKING_CHECK_IN_OPENS_MINUTES)
    live = (
        Booking.objects.select_related("firm", "booked_by")
        .filter(instrument=instrument, status__in=(B.APPROVED, B.CHECKED_IN), end_at__gt=now)
        .order_by("start_at")
    )
    current = next(
        (b for b in live[:3] if b.status == B.CHECKED_IN or b.start_at - opens <= now), None
    )
    following = live.exclude(pk=current.pk).first() if current else live.first()
    return {"now": now, "current": current, "next": following}


def kiosk_attended_check_in(
    *, actor: User, instrument: Instrument, badge: str = "", code: str = ""
) -> Booking:
    """The kiosk page, on a lab manager's tablet: find the booking by badge or code, then
    check it in as ``booking_check_in`` does for the manager (the manager is the actor
    and the operator). Errors: Forbidden ``not_manager``, those of ``kiosk_identify`` and
    ``booking_check_in``."""
    _require_manager(actor, instrument.provider_id)
    who = kiosk_identify(instrument=instrument, badge=badge, code=code, checking_out=False)
    return booking_check_in(actor=actor, booking=who.booking)


@transaction.atomic
def kiosk_attended_check_out(
    *, actor: User, instrument: Instrument, badge: str = "", code: str = ""
) -> Booking:
    """As ``kiosk_attended_check_in``, for check-out now; the booking's code is spent."""
    _require_manager(actor, instrument.provider_id)
    who = kiosk_identify(instrument=instrument, badge=badge, code=code, checking_out=True)
    booking = booking_check_out(actor=actor, booking=who.booking)
    KioskCode.objects.filter(booking=booking, used_at__isnull=True).update(used_at=timezone.now())
    return booking
