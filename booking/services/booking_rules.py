"""The instrument's booking rules and prices, as pure checks the booking service runs.

Each failed rule raises ``Invalid`` with a stable code naming the rule, so the
API's 400 says which rule was broken and pages can show the message as is.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scoping import Scope
from booking.selectors.availability import opening_rows, snap_to_grid
from booking.training import check_training_occurrences
from config.errors import Invalid
from config.money import round_fen
from facilities.calendars import (
    blackout_windows,
    local_tz,
    open_intervals,
    subtract,
)
from facilities.models import Instrument, Price


def _invalid(code: str, message, field: str = "start") -> Invalid:
    return Invalid(message, code=code, fields={field: [str(message)]})


def check_range(start_at: dt.datetime, end_at: dt.datetime) -> None:
    if (
        start_at is None
        or end_at is None
        or timezone.is_naive(start_at)
        or timezone.is_naive(end_at)
    ):
        raise _invalid("invalid_range", _("Give a start and an end with a time zone."))
    if end_at <= start_at:
        raise _invalid("end_before_start", _("The end must be after the start."), "end")


def check_rules(instrument: Instrument, start_at: dt.datetime, end_at: dt.datetime, *, now) -> None:
    """Status, slot grid, length, lead time and horizon (no database access)."""
    if instrument.status != Instrument.Status.ACTIVE or not instrument.is_shared:
        raise _invalid(
            "instrument_unavailable",
            _("This instrument cannot be booked at the moment."),
            "instrument",
        )
    slot = instrument.slot_minutes
    if (
        snap_to_grid(start_at, slot, up=False) != start_at
        or snap_to_grid(end_at, slot, up=False) != end_at
    ):
        raise _invalid(
            "not_aligned",
            _("Bookings start and end on the %(slot)s-minute grid.") % {"slot": slot},
        )
    minutes = (end_at - start_at).total_seconds() / 60
    if minutes < instrument.min_minutes:
        raise _invalid(
            "too_short",
            _("A booking lasts at least %(n)s minutes.") % {"n": instrument.min_minutes},
            "end",
        )
    if minutes > instrument.max_minutes:
        raise _invalid(
            "too_long",
            _("A booking lasts at most %(n)s minutes.") % {"n": instrument.max_minutes},
            "end",
        )
    if start_at < now + dt.timedelta(minutes=instrument.lead_minutes):
        raise _invalid(
            "lead_time",
            _("Book at least %(n)s minutes ahead.") % {"n": instrument.lead_minutes},
        )
    if end_at > now + dt.timedelta(days=instrument.horizon_days):
        raise _invalid(
            "beyond_horizon",
            _("Bookings open %(n)s days ahead at most.") % {"n": instrument.horizon_days},
        )


def check_open(
    instrument: Instrument,
    start_at: dt.datetime,
    end_at: dt.datetime,
    *,
    hours: list[tuple] | None = None,
    blacked_out: bool | None = None,
) -> None:
    """Inside one opening window and outside every blackout (run under the instrument lock,
    since blackouts are added under the same lock). The create path passes the opening rows
    and whether a blackout overlaps, read with its overlap probe (``slot_reads``); else they
    are read here."""
    tz = local_tz()
    if hours is None:
        hours = opening_rows(
            instrument.pk, start_at.astimezone(tz).date(), end_at.astimezone(tz).date()
        )
    whole = [(start_at, end_at)]
    if (
        open_intervals(instrument=instrument, start=start_at, end=end_at, hours=hours, blackouts=[])
        != whole
    ):
        raise _invalid(
            "outside_opening_hours", _("The instrument is not open for all of this time.")
        )
    if blacked_out is None:
        blacked_out = subtract(whole, blackout_windows(instrument.pk, start_at, end_at)) != whole
    if blacked_out:
        raise _invalid(
            "in_blackout", _("The instrument is unavailable (maintenance) during this time.")
        )


def check_training(
    instrument: Instrument, user, start_at: dt.datetime, end_at: dt.datetime
) -> None:
    """A training-gated instrument needs a qualification valid on the session's day (not
    today's): ``booking.training.check_training_occurrences`` for one occurrence."""
    check_training_occurrences(instrument, user, [(start_at, end_at)])


def client_group(instrument: Instrument, actor) -> str:
    """Staff of the instrument's own provider pay the internal rate; everyone else books
    for a firm and pays the outside-firm rate."""
    if instrument.provider_id in Scope.for_user(actor).provider_ids:
        return Price.ClientGroup.INTERNAL
    return Price.ClientGroup.EXTERNAL_FIRM


def rate_for(instrument: Instrument, group: str, rates: dict[str, int] | None = None) -> int:
    """The hourly rate in fen for ``group`` (falling back to the outside-firm rate; 0 if
    unpriced). ``rates`` ({client_group: per_hour_fen}) may be passed when already read."""
    if rates is None:
        rates = dict(instrument.prices.values_list("client_group", "per_hour_fen"))
    return rates.get(group, rates.get(Price.ClientGroup.EXTERNAL_FIRM, 0))


def charge_fen(minutes: int, rate_per_hour_fen: int) -> int:
    """``minutes`` at ``rate_per_hour_fen``, rounded half-up to a whole fen once (config.money)."""
    return round_fen(Decimal(rate_per_hour_fen) * minutes / 60)


def used_minutes(start: dt.datetime, end: dt.datetime) -> int:
    """Actual use in whole minutes. A partial minute counts as a full one; partial *slots*
    are not rounded up — the fee follows the minutes actually used."""
    return max(0, math.ceil((end - start).total_seconds() / 60))
