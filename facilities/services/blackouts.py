"""Blackout and maintenance windows by hand (imported calendars: ``blackout_calendars``)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.errors import Conflict, Invalid, NotFound
from facilities.models import Blackout, Instrument
from facilities.occupancy import live_intervals
from facilities.services._guards import lock_instrument


def live_booking_clashes(instrument_id: int, windows: list[tuple[dt.datetime, dt.datetime]]):
    """Live bookings of the instrument overlapping any of ``windows`` (read under the row
    lock), as ``facilities.occupancy`` reports them."""
    if not windows:
        return []
    lo = min(s for s, _e in windows)
    hi = max(e for _s, e in windows)
    rows = live_intervals(instrument_id, lo, hi)
    return [(s, e) for s, e in rows if any(s < we and e > ws for ws, we in windows)]


def refuse_over_bookings(instrument_id: int, windows) -> None:
    """Conflict ``blackout_overlaps_bookings`` when a live booking overlaps a window."""
    clashes = live_booking_clashes(instrument_id, windows)
    if not clashes:
        return
    tz = timezone.get_current_timezone()
    dates = sorted({timezone.localtime(s, tz).date().isoformat() for s, _e in clashes})
    raise Conflict(
        _("This window overlaps %(count)s live booking(s) on %(dates)s. Cancel or move them first.")
        % {"count": len(clashes), "dates": ", ".join(dates[:10])},
        code="blackout_overlaps_bookings",
        data={"count": len(clashes), "dates": dates},
    )


def _check_window(start_at: dt.datetime, end_at: dt.datetime) -> None:
    if (
        start_at is None
        or end_at is None
        or timezone.is_naive(start_at)
        or timezone.is_naive(end_at)
    ):
        raise Invalid(_("Give a start and an end with a time zone."), code="invalid_window")
    if end_at <= start_at:
        raise Invalid(
            _("The end must be after the start."),
            code="end_before_start",
            fields={"end_at": [_("The end must be after the start.")]},
        )


@transaction.atomic
def blackout_create(
    *,
    actor,
    instrument: Instrument | int,
    start_at: dt.datetime,
    end_at: dt.datetime,
    kind: str = Blackout.Kind.MAINTENANCE,
    reason: str = "",
) -> Blackout:
    """Block ``[start_at, end_at)`` on the instrument.

    Locks the Instrument row first (the booking services lock it too), then refuses with
    Conflict ``blackout_overlaps_bookings`` if a live booking overlaps the window.
    Errors: NotFound (not the actor's provider), Invalid (bad window), Conflict.
    """
    _check_window(start_at, end_at)
    if kind not in Blackout.Kind.values:
        raise Invalid(_("Unknown kind of window."), code="invalid_kind")
    locked = lock_instrument(actor=actor, instrument=instrument)
    refuse_over_bookings(locked.pk, [(start_at, end_at)])
    return Blackout.objects.create(
        instrument=locked,
        kind=kind,
        start_at=start_at,
        end_at=end_at,
        reason=(reason or "")[:200],
        source=Blackout.Source.MANUAL,
        created_by=actor,
    )


@transaction.atomic
def blackout_delete(*, actor, blackout: Blackout | int) -> None:
    """Remove a window; the instrument becomes bookable there again."""
    pk = blackout.pk if isinstance(blackout, Blackout) else blackout
    instrument_id = Blackout.objects.filter(pk=pk).values_list("instrument_id", flat=True).first()
    if instrument_id is None:
        raise NotFound(_("Not found."), code="not_found")
    lock_instrument(actor=actor, instrument=instrument_id)
    Blackout.objects.filter(pk=pk).delete()
