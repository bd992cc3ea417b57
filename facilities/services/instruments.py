"""Instruments: create, edit, retire; their opening hours and prices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from config.errors import Invalid
from facilities.models import Instrument, OpeningException, OpeningHours, Price
from facilities.page_cache import instrument_page_invalidate
from facilities.services._guards import (
    clean_or_invalid,
    ensure_manages,
    ensure_provider,
    lock_instrument,
)

EDITABLE_FIELDS = (
    "name", "name_en", "model_number", "manufacturer", "country_of_origin",
    "original_value_fen", "category", "start_of_use", "specifications", "main_uses",
    "service_content", "reference_fees", "location", "contact_name", "contact_phone", "contact_email", "photo",
    "is_shared", "status", "voucher_eligible", "requires_approval", "requires_training",
    "slot_minutes", "min_minutes", "max_minutes", "lead_minutes", "horizon_days",
    "cancel_cutoff_hours",
)  # fmt: skip


def _assign(instrument: Instrument, fields: dict) -> None:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise Invalid(_("Unknown fields."), code="unknown_fields", fields={k: [] for k in unknown})
    for name, value in fields.items():
        setattr(instrument, name, value)


@transaction.atomic
def instrument_create(*, actor, provider, **fields) -> Instrument:
    """List a new instrument for ``provider`` (the actor must manage it; else NotFound)."""
    ensure_manages(actor=actor, provider_id=provider.pk)
    ensure_provider(provider)
    instrument = Instrument(provider=provider)
    _assign(instrument, fields)
    clean_or_invalid(instrument, exclude=["provider"])
    instrument.save()
    return instrument


@transaction.atomic
def instrument_update(*, actor, instrument: Instrument, **fields) -> Instrument:
    """Change an instrument's listing and rules; bookings already made keep their terms."""
    locked = lock_instrument(actor=actor, instrument=instrument)
    _assign(locked, fields)
    clean_or_invalid(locked, exclude=["provider"])
    locked.save()
    return locked


@transaction.atomic
def instrument_retire(*, actor, instrument: Instrument) -> Instrument:
    """Take an instrument out of the catalogue; its history (bookings, counts) stays."""
    locked = lock_instrument(actor=actor, instrument=instrument)
    locked.status = Instrument.Status.RETIRED
    locked.is_shared = False
    locked.save(update_fields=["status", "is_shared", "updated_at", "search_text", "search_tokens"])
    return locked


@transaction.atomic
def prices_set(*, actor, instrument: Instrument, prices: dict[str, int | None]) -> None:
    """Set the hourly price per client group in fen; ``None`` removes a group's price."""
    locked = lock_instrument(actor=actor, instrument=instrument)
    for group, fen in prices.items():
        if group not in Price.ClientGroup.values:
            raise Invalid(_("Unknown client group."), code="unknown_client_group")
        if fen is None:
            Price.objects.filter(instrument=locked, client_group=group).delete()
            continue
        if int(fen) < 0:
            raise Invalid(
                _("A price cannot be negative."), code="negative_price", fields={group: []}
            )
        Price.objects.update_or_create(
            instrument=locked, client_group=group, defaults={"per_hour_fen": int(fen)}
        )


def _check_window(opens: dt.time, closes: dt.time) -> None:
    if opens is None or closes is None or closes <= opens:
        raise Invalid(_("Closing time must be after opening time."), code="closes_before_opens")


@transaction.atomic
def opening_hours_set(
    *, actor, instrument: Instrument, weekly: Iterable[tuple[int, dt.time, dt.time]]
) -> list[OpeningHours]:
    """Replace the weekly pattern: ``(weekday 0=Mon…6=Sun, opens, closes)`` in local time.

    Windows of one day must not overlap. Locks the instrument row, as bookings do.
    """
    locked = lock_instrument(actor=actor, instrument=instrument)
    rows = sorted(weekly)
    for i, (day, opens, closes) in enumerate(rows):
        if not 0 <= int(day) <= 6:
            raise Invalid(_("Weekday must be 0 (Monday) to 6 (Sunday)."), code="bad_weekday")
        _check_window(opens, closes)
        if i and rows[i - 1][0] == day and rows[i - 1][2] > opens:
            raise Invalid(_("Opening windows of one day overlap."), code="hours_overlap")
    OpeningHours.objects.filter(instrument=locked).delete()
    instrument_page_invalidate(instrument_ids=[locked.pk])  # bulk_create sends no signal
    return OpeningHours.objects.bulk_create(
        OpeningHours(instrument=locked, weekday=d, opens_at=o, closes_at=c) for d, o, c in rows
    )


@transaction.atomic
def opening_exception_set(
    *, actor, instrument: Instrument, date: dt.date, is_closed: bool = True,
    opens_at: dt.time | None = None, closes_at: dt.time | None = None, note: str = "",
) -> OpeningException:  # fmt: skip
    """Close a date (holiday) or give it special hours; replaces that date's exception."""
    locked = lock_instrument(actor=actor, instrument=instrument)
    if not is_closed:
        _check_window(opens_at, closes_at)
    else:
        opens_at = closes_at = None
    try:
        exception, _created = OpeningException.objects.update_or_create(
            instrument=locked,
            date=date,
            defaults={"is_closed": is_closed, "opens_at": opens_at, "closes_at": closes_at,
                      "note": (note or "")[:200]},
        )  # fmt: skip
    except IntegrityError as exc:
        raise Invalid(_("This date already has an exception."), code="duplicate_date") from exc
    return exception


@transaction.atomic
def opening_exception_delete(*, actor, exception: OpeningException) -> None:
    lock_instrument(actor=actor, instrument=exception.instrument_id)
    OpeningException.objects.filter(pk=exception.pk).delete()
