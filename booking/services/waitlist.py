"""The waitlist: join a taken range, be offered it when it frees, claim it first.

Frees are followed through the order events (``waitlist_on_order_event``, subscribed in
``BookingConfig.ready``): a cancellation, rejection or no-show frees a booking's range from
now on; a check-out before the booked end frees the rest. Inside that same transaction
every waiting entry whose whole range is now free is offered it, in the order they joined,
each with ``BOOKING_WAITLIST_CLAIM_MINUTES`` to claim; their notifications are rows of the
same transaction and the e-mails leave after commit (``booking.notifications.notify``).

Claiming books through ``booking_create`` (its instrument lock, rules and exclusion
constraint), so of two firms claiming one range exactly one gets the booking; the others'
offers go back to waiting (they keep their place) and they are told. Locks: the
instrument (booking_create) before any entry; entries of one pass in ascending id.

While its claim window is open, offered time is held for the offered firms: anyone else
booking over it directly is refused with ``held_for_waitlist``
(``booking.services.waitlist_hold``, checked by the create path under the instrument lock).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from accounts.scoping import Scope
from booking.models import Booking, Session, WaitlistEntry
from booking.order_events import OrderEvent, OrderKind
from booking.services import booking_rules as rules
from booking.services import waitlist_notices as notices
from booking.services.bookings import booking_create
from config.errors import Conflict, Invalid, NotFound
from config.text import SHORT_TEXT, check_text
from facilities.models import Instrument

W = WaitlistEntry.Status
B = Booking.Status
FREEING = frozenset({B.CANCELLED, B.REJECTED, B.NO_SHOW, B.COMPLETED})


def _live_overlapping(instrument_id: int, start: dt.datetime, end: dt.datetime):
    return Booking.objects.filter(
        instrument_id=instrument_id, status__in=Booking.LIVE, start_at__lt=end, end_at__gt=start
    )


def waitlist_join(
    *,
    actor: User,
    firm: Organisation | int,
    instrument: Instrument | int,
    start_at: dt.datetime,
    end_at: dt.datetime,
    purpose: str,
) -> WaitlistEntry:
    """Put ``firm`` on the waitlist for ``[start_at, end_at)`` of ``instrument``.

    The range must be one the firm could book (the same rule checks as a booking) and be
    taken by another firm's live booking. Errors: NotFound (firm not the actor's,
    instrument unknown), Invalid (the booking rules' codes, ``purpose_required``),
    Conflict ``slot_free`` (book it instead), ``own_booking``, ``already_waiting``."""
    firm_id = firm if isinstance(firm, int) else firm.pk
    if not Scope.for_user(actor).can_act_for_firm(firm_id):
        raise NotFound(_("Firm not found."), code="firm_not_found")
    instrument_id = instrument if isinstance(instrument, int) else instrument.pk
    found = Instrument.objects.filter(pk=instrument_id).first()
    if found is None:
        raise NotFound(_("Instrument not found."), code="instrument_not_found")
    purpose = (purpose or "").strip()
    if not purpose:
        message = _("Say what the instrument time is for.")
        raise Invalid(message, code="purpose_required", fields={"purpose": [str(message)]})
    check_text(purpose=(purpose, SHORT_TEXT))
    rules.check_range(start_at, end_at)
    rules.check_rules(found, start_at, end_at, now=timezone.now())
    rules.check_training(found, actor, start_at, end_at)
    rules.check_open(found, start_at, end_at)
    taken_by = set(_live_overlapping(found.pk, start_at, end_at).values_list("firm_id", flat=True))
    if not taken_by:
        raise Conflict(_("This time is free: book it directly."), code="slot_free")
    if firm_id in taken_by:
        raise Conflict(_("Your firm has already booked this time."), code="own_booking")
    try:
        with transaction.atomic():
            return WaitlistEntry.objects.create(
                instrument=found, firm_id=firm_id, joined_by=actor,
                start_at=start_at, end_at=end_at, purpose=purpose,
            )  # fmt: skip
    except IntegrityError as exc:
        if "waitlist_open_once" not in str(exc) and "UNIQUE" not in str(exc):
            raise
        raise Conflict(
            _("Your firm is already on the waitlist for this time."), code="already_waiting"
        ) from exc


def _require_firm(actor: User, entry: WaitlistEntry) -> None:
    if not Scope.for_user(actor).can_act_for_firm(entry.firm_id):
        raise NotFound(_("Waitlist entry not found."), code="waitlist_entry_not_found")


@transaction.atomic
def waitlist_leave(*, actor: User, entry: WaitlistEntry) -> WaitlistEntry:
    """waiting/offered → left. Errors: NotFound, Conflict ``not_on_waitlist``."""
    _require_firm(actor, entry)
    now = timezone.now()
    if not WaitlistEntry.objects.filter(pk=entry.pk, status__in=WaitlistEntry.OPEN).update(
        status=W.LEFT, updated_at=now, offer_expires_at=None
    ):
        raise Conflict(_("This entry is no longer on the waitlist."), code="not_on_waitlist")
    entry.status, entry.updated_at, entry.offer_expires_at = W.LEFT, now, None
    return entry


def waitlist_claim(
    *, actor: User, entry: WaitlistEntry, voucher_ids: Sequence[int] = ()
) -> Booking:
    """offered → claimed: book the entry's range through ``booking_create``.

    Errors: NotFound (not the actor's firm), Conflict ``offer_not_open`` (not offered, or
    already claimed), ``offer_expired``, ``slot_taken`` (another firm was first: the offer
    goes back to waiting and the firm keeps its place), and every error of
    ``booking_create`` (a rule that changed meanwhile). Side effects: the booking's own
    (StateChange, announcement, order event); the other offers over the same time go back
    to waiting and their firms are told."""
    _require_firm(actor, entry)
    now = timezone.now()
    if entry.status != W.OFFERED:
        raise Conflict(_("This time is not on offer to your firm."), code="offer_not_open")
    if entry.offer_expires_at <= now:
        raise Conflict(_("The time to claim this offer has passed."), code="offer_expired")
    try:
        with transaction.atomic():
            booking = booking_create(
                actor=actor, firm=entry.firm_id, instrument=entry.instrument_id,
                start_at=entry.start_at, end_at=entry.end_at, purpose=entry.purpose,
                voucher_ids=voucher_ids,
            )  # fmt: skip
            # Compare-and-set after the instrument lock: a claim that raced an expiry or
            # a second click of the same offer loses here, and its booking rolls back.
            if not WaitlistEntry.objects.filter(
                pk=entry.pk, status=W.OFFERED, offer_expires_at__gt=now
            ).update(status=W.CLAIMED, booking=booking, updated_at=now):
                raise Conflict(_("This time is not on offer to your firm."), code="offer_not_open")
            _withdraw_overlapping(booking, now=now)
    except Conflict as exc:
        if exc.code == "slot_taken":
            _withdraw(entry.pk, now=now)
        raise
    entry.status, entry.booking, entry.updated_at = W.CLAIMED, booking, now
    return booking


def _withdraw(entry_id: int, *, now: dt.datetime) -> None:
    """An offer whose time was booked by someone else goes back to waiting."""
    with transaction.atomic():
        entries = list(
            WaitlistEntry.objects.select_for_update().filter(pk=entry_id, status=W.OFFERED)
        )
        _back_to_waiting(entries, now=now)


def _withdraw_overlapping(booking: Booking, *, now: dt.datetime) -> None:
    entries = list(
        WaitlistEntry.objects.select_for_update()
        .filter(
            instrument_id=booking.instrument_id, status=W.OFFERED,
            start_at__lt=booking.end_at, end_at__gt=booking.start_at,
        )
        .order_by("pk")
    )  # fmt: skip
    _back_to_waiting(entries, now=now)


def _back_to_waiting(entries: list[WaitlistEntry], *, now: dt.datetime) -> None:
    if not entries:
        return
    WaitlistEntry.objects.filter(pk__in=[e.pk for e in entries]).update(
        status=W.WAITING, offered_at=None, offer_expires_at=None, updated_at=now
    )
    notices.waitlist_notify(entries, "taken")


def waitlist_on_order_event(event: OrderEvent) -> None:
    """The order-events subscriber: offer a booking's freed range to the waitlist.

    Runs inside the booking's transaction (docs/order-events.md): database work only,
    locks only on waitlist rows, after the booking's. Nothing happens for creations and
    the other moves, which free nothing."""
    if event.order_kind != OrderKind.BOOKING or event.to_status not in FREEING:
        return
    booking = event.order
    start = max(booking.start_at, event.at)
    if start >= booking.end_at:
        return  # over already: nothing left to offer (most check-outs), no query
    if event.to_status == B.COMPLETED:
        # Checked out early: the booked rest of the session frees.
        actual_end = (
            Session.objects.filter(booking_id=booking.pk)
            .values_list("actual_end_at", flat=True)
            .first()
        )
        start = max(start, actual_end or booking.end_at)
    if start < booking.end_at:
        waitlist_offer(instrument_id=booking.instrument_id, start_at=start,
                       end_at=booking.end_at, now=event.at)  # fmt: skip


def waitlist_offer(
    *, instrument_id: int, start_at: dt.datetime, end_at: dt.datetime, now: dt.datetime
) -> list[WaitlistEntry]:
    """Offer ``[start_at, end_at)`` of the instrument to every waiting entry that now
    fits in free time, in the order they joined. Call inside a transaction."""
    waiting = list(
        WaitlistEntry.objects.select_for_update()
        .filter(
            instrument_id=instrument_id, status=W.WAITING, start_at__gt=now,
            start_at__lt=end_at, end_at__gt=start_at,
        )
        .order_by("pk")
    )  # fmt: skip
    if not waiting:
        return []
    low = min(e.start_at for e in waiting)
    high = max(e.end_at for e in waiting)
    taken = list(_live_overlapping(instrument_id, low, high).values_list("start_at", "end_at"))
    free = [e for e in waiting if not any(s < e.end_at and e.start_at < t for s, t in taken)]
    if not free:
        return []
    expires = now + dt.timedelta(minutes=settings.BOOKING_WAITLIST_CLAIM_MINUTES)
    WaitlistEntry.objects.filter(pk__in=[e.pk for e in free]).update(
        status=W.OFFERED, offered_at=now, offer_expires_at=expires, updated_at=now
    )
    for entry in free:
        entry.status, entry.offered_at, entry.offer_expires_at = W.OFFERED, now, expires
    notices.waitlist_notify(free, "offered")
    return free


def waitlist_expire_offers(*, now: dt.datetime | None = None) -> int:
    """The beat task's work: offers whose claim window passed, and waiting entries whose
    time has begun (nothing can be offered any more), → expired. The firms of lapsed
    offers are told; a waiting entry closes quietly (its firm sees it expired on its
    waitlist page). Returns how many entries were closed; a second run finds none."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            WaitlistEntry.objects.select_for_update(skip_locked=True)
            .filter(
                Q(status=W.OFFERED, offer_expires_at__lte=now)
                | Q(status=W.WAITING, start_at__lte=now)
            )
            .order_by("pk")[:500]
        )
        if not due:
            return 0
        # Compare-and-set on the status read (the rows are locked, so it holds).
        for status in (W.OFFERED, W.WAITING):
            ids = [e.pk for e in due if e.status == status]
            if ids:
                WaitlistEntry.objects.filter(pk__in=ids, status=status).update(
                    status=W.EXPIRED, updated_at=now
                )
        offers = [e for e in due if e.status == W.OFFERED]
        if offers:
            notices.waitlist_notify(offers, "expired")
    return len(due)
