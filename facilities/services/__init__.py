"""Writes to the catalogue. Every function is keyword-only, takes ``actor=`` and is atomic.

Locking protocol shared with ``booking``: anything that changes when an instrument can
be booked (blackouts) first takes ``select_for_update()`` on the Instrument row — the
same row bookings lock before checking and inserting — so a blackout and a booking can
never both pass their overlap check.
"""

from facilities.services.blackouts import (
    blackout_create,
    blackout_delete,
    blackouts_import_ics,
)

__all__ = ["blackout_create", "blackout_delete", "blackouts_import_ics"]
