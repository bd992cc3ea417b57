"""Booking instrument time and moving a booking through its life.

Locking (docs/locking.md: "lock late, briefly, in a fixed order"): creating a
booking locks the Instrument row first inside the transaction; the catalogue's
``blackout_create`` takes the same lock, so a booking and a blackout over the
same time can never both commit. Check-out locks the booking's Session row.
PostgreSQL's exclusion constraint ``booking_no_overlap`` is the last line: its
violation becomes the same 409. Status changes go through
``booking.transitions.transition`` (compare-and-set). Announcements are written to
the outbox in the change's own transaction and delivered after commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import cache

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from accounts.scoping import Scope
from booking import transitions
from booking.models import Booking
from booking.selectors.availability import SlotReads, slot_reads
from booking.services import booking_rules as rules
from booking.services import session_log, session_moves
from booking.services.announcements import announcement_queue
from booking.services.booking_insert import booking_insert
from booking.services.waitlist_hold import check_offer_hold
from config.errors import Conflict, Forbidden, Invalid, NotFound
from config.text import SHORT_TEXT, check_text
from facilities.models import Instrument, Price

B = Booking.Status


def slot_taken() -> Conflict:
    return Conflict(
        _("This time slot has just been taken by someone else. Please pick another time."),
        code="slot_taken",
    )


def announce(booking: Booking, event: str, reason: str = "") -> None:
    announcement_queue(booking_id=booking.pk, event=event, reason=reason)


def require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(
            _("Please give a reason."),
            code="reason_required",
            fields={"reason": [str(_("Please give a reason."))]},
        )
    return reason


def booking_create(
    *,
    actor,
    firm: Organisation | int,
    instrument: Instrument | int,
    start_at: dt.datetime,
    end_at: dt.datetime,
    purpose: str,
    voucher_ids: Sequence[int] = (),
) -> Booking:
    """Book ``[start_at, end_at)`` of ``instrument`` for ``firm``, paying with
    ``voucher_ids`` (carried by the creation event; the vouchers app holds their part or
    refuses the booking, which then is not placed).

    Errors: NotFound (firm not the actor's, instrument unknown), Invalid with the
    broken rule's code (``outside_opening_hours``, ``in_blackout``, ``not_aligned``,
    ``too_short``, ``too_long``, ``lead_time``, ``beyond_horizon``,
    ``instrument_unavailable``, ``training_required``), Conflict ``slot_taken``.
    Side effects: a StateChange and an Announcement (notifications follow the commit).
    """
    firm_id = firm if isinstance(firm, int) else firm.pk
    if not Scope.for_user(actor).can_act_for_firm(firm_id):
        raise NotFound(_("Firm not found."), code="firm_not_found")
    instrument_id = instrument if isinstance(instrument, int) else instrument.pk
    purpose = (purpose or "").strip()
    if not purpose:
        raise Invalid(
            _("Say what the instrument time is for."),
            code="purpose_required",
            fields={"purpose": [str(_("Say what the instrument time is for."))]},
        )
    check_text(purpose=(purpose, SHORT_TEXT))
    rules.check_range(start_at, end_at)
    try:
        with transaction.atomic():
            booking = _create_locked(
                actor, firm_id, instrument_id, start_at, end_at, purpose, tuple(voucher_ids)
            )
    except IntegrityError as exc:
        if "booking_no_overlap" in str(exc):
            raise slot_taken() from exc
        raise
    return booking


# What the create path reads of the locked instrument (its rules, the response's name, the
# training message's contact): the wide catalogue text columns stay in the table.
_LOCKED_FIELDS = (
    "id", "provider_id", "name", "status", "is_shared", "requires_approval",
    "requires_training", "slot_minutes", "min_minutes", "max_minutes", "lead_minutes",
    "horizon_days", "cancel_cutoff_hours", "contact_name", "contact_email",
)  # fmt: skip


@cache
def _locked_fields() -> tuple[str, ...]:
    # In the model's field order: Model.from_db fills deferred fields by that order.
    return tuple(f.attname for f in Instrument._meta.concrete_fields if f.attname in _LOCKED_FIELDS)


def _lock_sql() -> str:
    return _lock_sql_for(connection.vendor)


@cache
def _lock_sql_for(vendor: str) -> str:
    """Plain SQL, portable (the lock clause only where the database has one): the ORM spent
    ~1.8 ms of CPU compiling this statement with its subqueries on every booking, the
    statement itself ~0.1 ms."""
    # Only table and column names are interpolated; every value is a parameter.
    rate = (
        f"(SELECT per_hour_fen FROM {Price._meta.db_table} p"  # noqa: S608
        " WHERE p.instrument_id = i.id AND p.client_group = %s LIMIT 1)"
    )
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    columns = ", ".join(f"i.{name}" for name in _locked_fields())
    return (
        f"SELECT {columns}, {rate}, {rate},"  # noqa: S608
        f" (SELECT name FROM {Organisation._meta.db_table} WHERE id = %s)"
        f" FROM {Instrument._meta.db_table} i WHERE i.id = %s{lock}"
    )


def lock_instrument_for_booking(
    instrument_id: int, firm_id: int
) -> tuple[Instrument, dict[str, int], str]:
    """The instrument row, locked, with its hourly rates ({client group: fen}) and the firm's
    name (for the response), in one statement. Only those: what another transaction may
    change under the same lock (blackouts, bookings) is read after the lock is granted."""
    internal, external = Price.ClientGroup.INTERNAL, Price.ClientGroup.EXTERNAL_FIRM
    with connection.cursor() as cursor:
        cursor.execute(_lock_sql(), [internal, external, firm_id, instrument_id])
        row = cursor.fetchone()
    if row is None:
        raise NotFound(_("Instrument not found."), code="instrument_not_found")
    fields = _locked_fields()
    n = len(fields)
    # from_db: a deferred instance like .only() would give (other fields load on access).
    locked = Instrument.from_db(connection.alias, fields, row[:n])
    rates = {
        g: fen
        for g, fen in zip((internal, external), row[n : n + 2], strict=True)
        if fen is not None
    }
    return locked, rates, row[n + 2]


def _create_locked(
    actor, firm_id, instrument_id, start_at, end_at, purpose, voucher_ids
) -> Booking:
    locked = lock_instrument_for_booking(instrument_id, firm_id)
    return create_under_lock(
        locked, actor=actor, firm_id=firm_id, start_at=start_at, end_at=end_at,
        purpose=purpose, voucher_ids=voucher_ids,
    )  # fmt: skip


def create_under_lock(
    locked: tuple[Instrument, dict[str, int], str],
    *,
    actor,
    firm_id: int,
    start_at: dt.datetime,
    end_at: dt.datetime,
    purpose: str,
    voucher_ids=(),
    series_id: int | None = None,
    group: str | None = None,
    trained=None,
    event: str = "created",
    reads: SlotReads | None = None,
    offers=None,
) -> Booking:
    """The create path once the instrument is locked (``lock_instrument_for_booking``):
    ``build_under_lock`` (every check, the price), then the insert and its creation event.
    ``event`` is the announcement; ``voucher_ids`` ride on the creation event."""
    booking = build_under_lock(
        locked, actor=actor, firm_id=firm_id, start_at=start_at, end_at=end_at,
        purpose=purpose, series_id=series_id, group=group, trained=trained, reads=reads,
        offers=offers,
    )  # fmt: skip
    booking_insert(booking, actor=actor, event=event, voucher_ids=voucher_ids)
    return booking


def build_under_lock(
    locked: tuple[Instrument, dict[str, int], str],
    *,
    actor,
    firm_id: int,
    start_at: dt.datetime,
    end_at: dt.datetime,
    purpose: str,
    series_id: int | None = None,
    group: str | None = None,
    trained=None,
    reads: SlotReads | None = None,
    offers=None,
) -> Booking:
    """The new booking, checked and priced but not saved: rules, training, opening hours,
    blackouts, overlap probe (``check_under_lock``), client group and quote. A lab manager
    booking for a firm passes the firm's client ``group`` and the firm member who will use
    the instrument as ``trained`` (whose qualification the training rule checks); a series
    passes ``reads``, its span read once under the same lock."""
    locked, rates, firm_name = locked
    now = timezone.now()
    check_under_lock(locked, actor=trained or actor, start_at=start_at, end_at=end_at,
                     reads=reads, now=now, firm_id=firm_id, offers=offers)  # fmt: skip
    group = group or rules.client_group(locked, actor)
    rate = rules.rate_for(locked, group, rates)
    minutes = int((end_at - start_at).total_seconds() // 60)
    booking = Booking(
        instrument=locked,
        firm_id=firm_id,
        booked_by=actor,
        start_at=start_at,
        end_at=end_at,
        purpose=purpose,
        status=B.REQUESTED if locked.requires_approval else B.APPROVED,
        client_group=group,
        rate_per_hour_fen=rate,
        quote_fen=rules.charge_fen(minutes, rate),
        created_at=now,
        updated_at=now,
        series_id=series_id,
    )
    # The response names the firm; its name came with the lock, so no query reads it again.
    booking.firm = Organisation(pk=firm_id, name=firm_name, kind=Organisation.Kind.FIRM)
    return booking


def check_under_lock(
    locked: Instrument,
    *,
    actor,
    start_at,
    end_at,
    reads: SlotReads | None = None,
    now,
    firm_id: int | None = None,
    offers=None,
) -> None:
    """Every check of the create path, in its order, on the locked instrument: rules,
    training (of ``actor``), opening hours, blackouts, overlap, and a waitlist offer
    holding the time for another firm than ``firm_id`` (``held_for_waitlist``,
    booking.services.waitlist_hold). Reads the range (``slot_reads``) unless ``reads``
    (and the span's ``offers``) are given. Raises the create path's errors; writes
    nothing, so a caller may run it to decide whether to book."""
    rules.check_rules(locked, start_at, end_at, now=now)
    rules.check_training(locked, actor, start_at, end_at)
    if reads is None:
        reach = max(locked.max_minutes, 24 * 60)
        reads = slot_reads(locked.pk, start_at, end_at, reach_minutes=reach, now=now)
    rules.check_open(locked, start_at, end_at, hours=reads.hours, blacked_out=reads.blacked_out)
    if reads.taken:
        raise slot_taken()
    if reads.held:
        check_offer_hold(instrument_id=locked.pk, firm_id=firm_id, start_at=start_at,
                         end_at=end_at, now=now, offers=offers)  # fmt: skip


def booking_quote(*, actor, instrument: Instrument, start_at, end_at) -> dict:
    """What a booking would cost, without booking (the page's preview step).
    Runs the same rule checks as ``booking_create`` except the overlap check."""
    rules.check_range(start_at, end_at)
    rules.check_rules(instrument, start_at, end_at, now=timezone.now())
    rules.check_training(instrument, actor, start_at, end_at)
    rules.check_open(instrument, start_at, end_at)
    group = rules.client_group(instrument, actor)
    rate = rules.rate_for(instrument, group)
    minutes = int((end_at - start_at).total_seconds() // 60)
    return {
        "minutes": minutes,
        "client_group": group,
        "rate_per_hour_fen": rate,
        "quote_fen": rules.charge_fen(minutes, rate),
    }


def require_manager(actor, booking: Booking) -> None:
    if not Scope.for_user(actor).can_manage_provider(booking.instrument.provider_id):
        raise Forbidden(_("Only the instrument's lab managers can do this."), code="not_manager")


@transaction.atomic
def booking_approve(*, actor, booking: Booking, reason: str = "") -> Booking:
    """requested → approved, by a lab manager of the instrument's provider."""
    require_manager(actor, booking)
    transitions.transition(booking, to=B.APPROVED, actor=actor, reason=(reason or "").strip())
    announce(booking, "approved", reason)
    return booking


@transaction.atomic
def booking_reject(*, actor, booking: Booking, reason: str) -> Booking:
    """requested → rejected, with a reason the firm will read."""
    require_manager(actor, booking)
    reason = require_reason(reason)
    transitions.transition(booking, to=B.REJECTED, actor=actor, reason=reason)
    announce(booking, "rejected", reason)
    return booking


@transaction.atomic
def booking_cancel(*, actor, booking: Booking, reason: str) -> Booking:
    """requested/approved → cancelled by the firm; an approved booking only before the
    instrument's cancellation cut-off. Errors: Forbidden, Invalid ``reason_required`` /
    ``cancel_cutoff_passed``, InvalidTransition."""
    if not Scope.for_user(actor).can_act_for_firm(booking.firm_id):
        raise Forbidden(_("Only the firm that booked can cancel."), code="not_booker")
    reason = require_reason(reason)
    cutoff = booking.start_at - dt.timedelta(hours=booking.instrument.cancel_cutoff_hours)
    if booking.status == B.APPROVED and timezone.now() > cutoff:
        raise Invalid(
            _("Too late to cancel: cancellations close %(n)s hours before the start.")
            % {"n": booking.instrument.cancel_cutoff_hours},
            code="cancel_cutoff_passed",
        )
    transitions.transition(booking, to=B.CANCELLED, actor=actor, reason=reason)
    announce(booking, "cancelled", reason)
    return booking


@transaction.atomic
def booking_check_in(
    *,
    actor: User,
    booking: Booking,
    actual_start_at: dt.datetime | None = None,
    operator: User | int | None = None,
    notes: str = "",
) -> Booking:
    """approved → checked_in; opens the session log (actual start, operator, notes).

    Check-in opens BOOKING_CHECK_IN_OPENS_MINUTES before the booked start; the actual
    start (default now) lies between that moment and now; the operator (default the
    actor) is a member of the instrument's provider. Errors: Forbidden ``not_manager``,
    Invalid ``check_in_not_open`` / ``actual_before_check_in`` / ``actual_in_future`` /
    ``operator_not_member``, InvalidTransition."""
    require_manager(actor, booking)
    check_text(notes=(notes, SHORT_TEXT))
    operator = session_log.session_operator(booking=booking, operator=operator, actor=actor)
    return session_moves.session_open(
        booking, actor=actor, operator=operator, actual_start_at=actual_start_at, notes=notes
    )


@transaction.atomic
def booking_check_out(
    *,
    actor: User,
    booking: Booking,
    actual_end_at: dt.datetime | None = None,
    actual_start_at: dt.datetime | None = None,
    operator: User | int | None = None,
    notes: str = "",
) -> Booking:
    """checked_in → completed; closes the session log and sets the fee from actual use.

    The actual end (default now) and a corrected start lie between check-in's opening
    and now, at least a minute apart. The fee is the used minutes (a partial minute
    counts whole, slots are not rounded up), at least the instrument's minimum length,
    × the booked hourly rate, rounded half-up to the fen once. Errors: Forbidden,
    Invalid (the bounds' codes, ``end_before_start``, ``empty_session``,
    ``operator_not_member``), InvalidTransition ``not_checked_in``."""
    require_manager(actor, booking)
    check_text(notes=(notes, SHORT_TEXT))
    if operator is not None:
        operator = session_log.session_operator(booking=booking, operator=operator, actor=actor)
    return session_moves.session_close(
        booking, actor=actor, actual_end_at=actual_end_at, actual_start_at=actual_start_at,
        operator=operator, notes=notes,
    )  # fmt: skip


@transaction.atomic
def booking_mark_no_show(*, actor, booking: Booking, reason: str = "") -> Booking:
    """approved → no_show, once the booked start has passed; ``actor`` None = the system
    (the beat task, after the grace period)."""
    if actor is not None:
        require_manager(actor, booking)
    if timezone.now() < booking.start_at:
        raise Invalid(_("A no-show can be marked only after the start time."), code="not_started")
    transitions.transition(booking, to=B.NO_SHOW, actor=actor, reason=(reason or "").strip())
    announce(booking, "no_show", (reason or "").strip())
    return booking


def bookings_bulk_approve(*, actor, bookings: list[Booking]) -> dict[str, list[int]]:
    """Approve each; one failure (moved meanwhile, not ours) does not stop the others."""
    done, failed = [], []
    for booking in bookings:
        try:
            booking_approve(actor=actor, booking=booking)
            done.append(booking.pk)
        except (Conflict, Forbidden):
            failed.append(booking.pk)
    return {"approved": done, "failed": failed}


def bookings_mark_no_shows(*, now=None) -> int:
    """The beat task's work: approved bookings whose start passed the grace period."""
    now = now or timezone.now()
    due = now - dt.timedelta(minutes=settings.BOOKING_NO_SHOW_GRACE_MINUTES)
    count = 0
    for booking in Booking.objects.filter(status=B.APPROVED, start_at__lte=due).select_related(
        "instrument"
    )[:500]:
        try:
            booking_mark_no_show(
                actor=None, booking=booking, reason=str(_("Not checked in in time."))
            )
            count += 1
        except Conflict:
            continue  # checked in or cancelled meanwhile
    return count


def bookings_send_reminders(*, now=None) -> int:
    """Remind the booker of approved sessions starting within BOOKING_REMINDER_HOURS.
    Each booking is claimed with a compare-and-set on ``reminder_sent_at``: never twice."""
    now = now or timezone.now()
    soon = now + dt.timedelta(hours=settings.BOOKING_REMINDER_HOURS)
    ids = list(
        Booking.objects.filter(
            status=B.APPROVED, reminder_sent_at__isnull=True, start_at__gt=now, start_at__lte=soon
        ).values_list("pk", flat=True)[:500]
    )
    sent = 0
    for pk in ids:
        with transaction.atomic():
            if Booking.objects.filter(pk=pk, reminder_sent_at__isnull=True).update(
                reminder_sent_at=now
            ):
                announce(Booking(pk=pk), "reminder")
                sent += 1
    return sent
