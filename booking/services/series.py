"""Recurring series: preview every occurrence, book them in one transaction, cancel one,
this and the following, or all.

Booking a series locks the instrument row once (the same lock a single booking and a
blackout take) and creates each occurrence through ``bookings.create_under_lock``, the
one create path: its rules, overlap probe, price, insert, StateChange, Announcement and
creation event (so vouchers hold per occurrence). PostgreSQL's ``booking_no_overlap`` is
the last line, as for one booking. "All or nothing" lets the first refusal roll the whole
series back; "book the free ones" wraps each occurrence in a savepoint and reports the
refused ones with their reason.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.scoping import Scope
from booking.models import Booking, BookingSeries
from booking.selectors.availability import SlotReads, opening_rows
from booking.services import booking_rules as rules
from booking.services import bookings, lab_actions
from booking.services.booking_insert import bookings_insert_many
from booking.services.series_rules import SeriesRule, occurrences, rrule_text
from booking.services.waitlist_hold import held_error, held_until, open_offers
from booking.training import training_refusals
from config.errors import Conflict, DomainError, Invalid, NotFound
from config.text import SHORT_TEXT, check_text
from facilities.calendars import blackout_windows, local_tz, merge
from facilities.models import Instrument

B = Booking.Status
M = BookingSeries.Mode


@dataclass
class Occurrence:
    start_at: dt.datetime
    end_at: dt.datetime
    quote_fen: int = 0
    problem: str = ""  # "" bookable, "clash" taken by a live booking, "rule" a rule refuses
    code: str = ""
    message: str = ""
    booking: Booking | None = None


@dataclass
class SeriesPreview:
    occurrences: list[Occurrence]
    rate_per_hour_fen: int
    rrule: str

    @property
    def free(self) -> list[Occurrence]:
        return [o for o in self.occurrences if not o.problem]

    @property
    def total_fen(self) -> int:
        return sum(o.quote_fen for o in self.free)


@dataclass
class SeriesResult:
    series: BookingSeries
    booked: list[Booking] = field(default_factory=list)
    skipped: list[Occurrence] = field(default_factory=list)


def _purpose(purpose: str) -> str:
    purpose = (purpose or "").strip()
    if not purpose:
        message = _("Say what the instrument time is for.")
        raise Invalid(message, code="purpose_required", fields={"purpose": [str(message)]})
    check_text(purpose=(purpose, SHORT_TEXT))
    return purpose


def _live_ranges(instrument_id: int, lo: dt.datetime, hi: dt.datetime) -> list[tuple]:
    return list(
        Booking.objects.filter(
            instrument_id=instrument_id, status__in=Booking.LIVE, start_at__lt=hi, end_at__gt=lo
        )
        .order_by("start_at")
        .values_list("start_at", "end_at")
    )


def _overlaps(ranges: list[tuple], start: dt.datetime, end: dt.datetime) -> bool:
    """Whether [start, end) overlaps one of ``ranges`` (merged, so sorted by start and by
    end alike): a binary search, as a year of a busy instrument holds hundreds of them."""
    i = bisect.bisect_left(ranges, (end,))  # the first range starting at or after the end
    return i > 0 and ranges[i - 1][1] > start


def series_preview(*, actor: User, instrument: Instrument, rule: SeriesRule) -> SeriesPreview:
    """Every occurrence with its price, marking those a live booking takes ("clash") and
    those a rule refuses ("rule", with the rule's code and message). Reads the span's
    opening hours, blackouts, live bookings and open waitlist offers once each (≤ 200 ms for a year, bench/).
    Errors: Invalid for a malformed rule."""
    ranges = occurrences(rule)
    lo, hi = ranges[0][0], ranges[-1][1]
    tz = local_tz()
    hours = opening_rows(instrument.pk, lo.astimezone(tz).date(), hi.astimezone(tz).date())
    blackouts = merge(blackout_windows(instrument.pk, lo, hi))
    taken = merge(_live_ranges(instrument.pk, lo, hi))
    rate = rules.rate_for(instrument, rules.client_group(instrument, actor))
    now = timezone.now()
    offers = open_offers(instrument.pk, lo, hi, now)
    untrained = training_refusals(instrument, actor, ranges)  # one query for all
    out = []
    for i, (start, end) in enumerate(ranges):
        occ = Occurrence(start, end, rules.charge_fen(rule.minutes, rate))
        try:
            rules.check_rules(instrument, start, end, now=now)
            if i in untrained:
                raise untrained[i]
            dark = _overlaps(blackouts, start, end)
            rules.check_open(instrument, start, end, hours=hours, blacked_out=dark)
        except Invalid as exc:
            occ.problem, occ.code, occ.message = "rule", exc.code, str(exc.message)
        else:
            if _overlaps(taken, start, end):
                occ.problem, occ.code = "clash", "slot_taken"
                occ.message = str(bookings.slot_taken().message)
            elif until := held_until(offers, firm_id=None, start_at=start, end_at=end):
                occ.problem, occ.code = "clash", "held_for_waitlist"
                occ.message = str(held_error(until).message)
        out.append(occ)
    return SeriesPreview(out, rate, rrule_text(rule))


def series_create(
    *,
    actor: User,
    firm: int,
    instrument: int,
    rule: SeriesRule,
    purpose: str,
    mode: str,
    voucher_ids=(),
) -> SeriesResult:
    """Book every occurrence of ``rule`` for ``firm`` in one transaction.

    ``mode`` "all": the first refused occurrence refuses the series (its error, with the
    occurrence's ``start`` in ``data``); "free": refused occurrences are skipped and
    reported, Conflict ``no_free_occurrences`` if none is left. Errors: NotFound (firm
    not the actor's, instrument unknown), Invalid (the rule, ``purpose_required``,
    ``invalid_mode``), and any error of ``booking_create`` for an occurrence."""
    if not Scope.for_user(actor).can_act_for_firm(firm):
        raise NotFound(_("Firm not found."), code="firm_not_found")
    if mode not in M.values:
        message = _("Choose all or nothing, or the free ones.")
        raise Invalid(message, code="invalid_mode", fields={"mode": [str(message)]})
    purpose = _purpose(purpose)
    ranges = occurrences(rule)
    try:
        with transaction.atomic():
            return _create_locked(actor, firm, instrument, rule, ranges, purpose, mode,
                                  tuple(voucher_ids))  # fmt: skip
    except IntegrityError as exc:
        if "booking_no_overlap" in str(exc):
            raise bookings.slot_taken() from exc
        raise


def _span_reads(instrument_id: int, ranges) -> tuple[list, list, list, list]:
    """The span's opening rows, blackouts, live bookings and open waitlist offers, read once
    under the lock (so nothing can change them before the commit): what ``slot_reads``
    would read per occurrence, in four statements instead of one per occurrence."""
    lo, hi = ranges[0][0], ranges[-1][1]
    tz = local_tz()
    hours = opening_rows(instrument_id, lo.astimezone(tz).date(), hi.astimezone(tz).date())
    return (
        hours,
        merge(blackout_windows(instrument_id, lo, hi)),
        _live_ranges(instrument_id, lo, hi),
        open_offers(instrument_id, lo, hi, timezone.now()),
    )


def _create_locked(actor, firm_id, instrument_id, rule, ranges, purpose, mode, voucher_ids):
    locked = bookings.lock_instrument_for_booking(instrument_id, firm_id)
    series = BookingSeries.objects.create(
        instrument_id=instrument_id, firm_id=firm_id, booked_by=actor, rrule=rrule_text(rule),
        first_start_at=ranges[0][0], minutes=rule.minutes, purpose=purpose, mode=mode,
    )  # fmt: skip
    span = _span_reads(instrument_id, ranges)
    result = SeriesResult(series)
    if voucher_ids:
        _book_paying(locked, actor, firm_id, series, ranges, purpose, mode, voucher_ids,
                     span, result)  # fmt: skip
    else:
        _book_at_once(locked, actor, firm_id, series, ranges, purpose, mode, span, result)
    if not result.booked:
        raise Conflict(
            _("None of the series' dates is free: nothing was booked."),
            code="no_free_occurrences",
            data={"skipped": [o.start_at.isoformat() for o in result.skipped]},
        )
    return result


def _reads(span, start, end, last_end) -> SlotReads:
    """One occurrence's ``SlotReads`` from the span's. Occurrences come in time order and
    last alike, so one overlaps an earlier one of the series exactly when it starts before
    the last booked one ends (``last_end``)."""
    hours, blackouts, taken, offers = span
    own = last_end is not None and last_end > start
    held = any(s < end and start < e for _f, s, e, _x in offers)
    return SlotReads(hours=hours, blacked_out=_overlaps(blackouts, start, end),
                     taken=own or _overlaps(taken, start, end), held=held)  # fmt: skip


def _book_at_once(locked, actor, firm_id, series, ranges, purpose, mode, span, result) -> None:
    """No vouchers: every refusal is decided by the create path's checks before anything is
    written, so the occurrences are checked and priced one by one (``build_under_lock`` on
    the span read once) and inserted together (``bookings_insert_many``)."""
    built = []
    for start, end in ranges:
        try:
            booking = bookings.build_under_lock(
                locked, actor=actor, firm_id=firm_id, start_at=start, end_at=end,
                purpose=purpose, series_id=series.pk,
                reads=_reads(span, start, end, built[-1].end_at if built else None),
                offers=span[3],
            )  # fmt: skip
        except DomainError as exc:
            if mode == M.ALL_OR_NOTHING:
                exc.data = {**exc.data, "start": start.isoformat()}
                raise
            result.skipped.append(Occurrence(start, end, 0, "rule", exc.code, str(exc.message)))
            continue
        built.append(booking)
    if built:
        # The first occurrence is announced; the others ride on it (no year of e-mails).
        events = ["created"] + ["in_series"] * (len(built) - 1)
        bookings_insert_many(built, actor=actor, events=events)
    result.booked.extend(built)


def _book_paying(locked, actor, firm_id, series, ranges, purpose, mode, voucher_ids, span,
                 result) -> None:  # fmt: skip
    """With vouchers: one occurrence at a time through ``create_under_lock``, since the
    vouchers subscriber may refuse an occurrence after its insert; "free" mode undoes that
    occurrence alone with a savepoint."""
    for start, end in ranges:
        last_end = result.booked[-1].end_at if result.booked else None
        try:
            with transaction.atomic(savepoint=mode == M.FREE_ONLY):
                booking = bookings.create_under_lock(
                    locked, actor=actor, firm_id=firm_id, start_at=start, end_at=end,
                    purpose=purpose, voucher_ids=voucher_ids, series_id=series.pk,
                    event="in_series" if result.booked else "created",
                    reads=_reads(span, start, end, last_end), offers=span[3],
                )  # fmt: skip
        except DomainError as exc:
            if mode == M.ALL_OR_NOTHING:
                exc.data = {**exc.data, "start": start.isoformat()}
                raise
            result.skipped.append(Occurrence(start, end, 0, "rule", exc.code, str(exc.message)))
            continue
        result.booked.append(booking)


def series_get(*, actor: User, pk: int) -> BookingSeries:
    """A series the actor may see (its firm's members, the instrument's lab managers)."""
    scope = Scope.for_user(actor)
    series = BookingSeries.objects.select_related("instrument__provider", "firm").filter(pk=pk)
    found = series.first()
    if found is None or not (
        scope.can_act_for_firm(found.firm_id)
        or scope.can_manage_provider(found.instrument.provider_id)
    ):
        raise NotFound(_("Series not found."), code="series_not_found")
    return found


def series_occurrences(series: BookingSeries):
    return (
        Booking.objects.filter(series=series)
        .select_related("instrument", "instrument__provider", "firm", "booked_by")
        .order_by("start_at", "pk")
    )


def series_cancel(
    *, actor: User, series: BookingSeries, reason: str, from_booking: Booking | None = None
) -> dict[str, list[int]]:
    """Cancel the open occurrences (requested or approved) of ``series``, all of them or
    ``from_booking`` and the following ones, each through the booking's own cancel
    service (the firm: before the cut-off; a lab manager: any, with the reason the firm
    reads). One transaction, occurrences in time order; those that cannot be cancelled
    any more (past the cut-off, already started) are kept and listed.
    Returns {"cancelled": ids, "kept": ids}. Errors: Invalid ``reason_required``."""
    reason = bookings.require_reason(reason)
    scope = Scope.for_user(actor)
    as_manager = scope.can_manage_provider(series.instrument.provider_id)
    cancel = lab_actions.booking_cancel_by_manager if as_manager else bookings.booking_cancel
    qs = series_occurrences(series).filter(status__in=[B.REQUESTED, B.APPROVED])
    if from_booking is not None:
        if from_booking.series_id != series.pk:
            raise NotFound(_("Booking not found."), code="booking_not_found")
        qs = qs.filter(start_at__gte=from_booking.start_at)
    done: dict[str, list[int]] = {"cancelled": [], "kept": []}
    with transaction.atomic():
        for booking in qs:
            try:
                with transaction.atomic():
                    cancel(actor=actor, booking=booking, reason=reason)
                done["cancelled"].append(booking.pk)
            except (Invalid, Conflict):
                done["kept"].append(booking.pk)
    return done
