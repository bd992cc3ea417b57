"""Writes to the catalogue. Every function is keyword-only, takes ``actor=`` and is atomic.

Locking protocol shared with ``booking``: anything that changes when an instrument can
be booked (blackouts, opening hours, rules) first takes ``select_for_update()`` on the
Instrument row — the same row bookings lock before checking and inserting — so a
blackout and a booking can never both pass their overlap check.
A lab manager changes only their own provider's items; anything else is NotFound (404).
"""

from facilities.services.accreditations import (
    accreditation_create,
    accreditation_delete,
    accreditation_update,
    services_scope_refresh,
)
from facilities.services.blackout_calendars import (
    blackouts_import_ics,
    calendar_delete,
    calendar_dry_run,
    calendar_preview,
    calendar_sync,
    calendar_upload_confirm,
)
from facilities.services.blackouts import blackout_create, blackout_delete
from facilities.services.instruments import (
    instrument_create,
    instrument_retire,
    instrument_update,
    opening_exception_delete,
    opening_exception_set,
    opening_hours_set,
    prices_set,
)
from facilities.services.qualifications import qualification_grant, qualification_revoke
from facilities.services.testing_services import service_create, service_update, service_withdraw

__all__ = [
    "accreditation_create",
    "accreditation_delete",
    "accreditation_update",
    "services_scope_refresh",
    "blackout_create",
    "blackout_delete",
    "blackouts_import_ics",
    "calendar_delete",
    "calendar_dry_run",
    "calendar_preview",
    "calendar_sync",
    "calendar_upload_confirm",
    "instrument_create",
    "instrument_retire",
    "instrument_update",
    "opening_exception_delete",
    "opening_exception_set",
    "opening_hours_set",
    "prices_set",
    "qualification_grant",
    "qualification_revoke",
    "service_create",
    "service_update",
    "service_withdraw",
]
