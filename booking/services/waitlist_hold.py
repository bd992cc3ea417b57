"""Time offered to a waitlisted firm is held for it while its claim window is open.

When a range frees, ``waitlist.waitlist_offer`` offers it to the firms waiting for it;
until the claim window closes (``offer_expires_at``) nobody else may book over it: the
create path, a series and a move refuse with ``held_for_waitlist``, naming when the time
frees. An offered firm books it normally (its claim, or its own booking over its own
offered range); when several firms were offered overlapping time, each may claim and the
first wins (the others go back to waiting, ``waitlist_claim``).

The check runs under the instrument lock that every create path and a move take, and a
claim takes the same lock, so a direct booking racing a claim either sees the open offer
(refused) or the claimed booking (``slot_taken``): never both booked
(tests/concurrency/test_waitlist_hold_race.py). The create path learns of an open offer
from a flag of its one ``slot_reads`` round trip and only then runs this query.
"""

from __future__ import annotations

import datetime as dt

from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from booking.models import WaitlistEntry
from config.errors import Conflict

W = WaitlistEntry.Status


def open_offers(instrument_id: int, start_at: dt.datetime, end_at: dt.datetime, now):
    """Offers of the instrument overlapping the range whose claim window is still open:
    ``[(firm_id, start_at, end_at, offer_expires_at)]``."""
    return list(
        WaitlistEntry.objects.filter(
            instrument_id=instrument_id, status=W.OFFERED, offer_expires_at__gt=now,
            start_at__lt=end_at, end_at__gt=start_at,
        ).values_list("firm_id", "start_at", "end_at", "offer_expires_at")
    )  # fmt: skip


def held_until(offers, *, firm_id: int | None, start_at, end_at) -> dt.datetime | None:
    """When the range stops being held against ``firm_id`` (None: it is not held for it).

    Not held when the firm holds an offer covering the whole range itself (it is claiming
    or booking its own offered time); otherwise held by every other firm's offer over it,
    until the last of their claim windows closes."""
    if any(f == firm_id and s <= start_at and end_at <= e for f, s, e, _x in offers):
        return None
    others = [x for f, s, e, x in offers if f != firm_id and s < end_at and start_at < e]
    return max(others) if others else None


def held_error(until: dt.datetime) -> Conflict:
    when = formats.date_format(timezone.localtime(until), "DATETIME_FORMAT")
    message = _(
        "This time is offered to a firm on the waitlist until %(time)s; if it is not "
        "claimed by then, it frees and you can book it."
    ) % {"time": when}
    return Conflict(message, code="held_for_waitlist", data={"held_until": until.isoformat()})


def check_offer_hold(
    *, instrument_id: int, firm_id: int | None, start_at, end_at, now, offers=None
) -> None:
    """Raise Conflict ``held_for_waitlist`` (its ``held_until`` in ``data``) when an open
    waitlist offer of another firm holds part of the range. Call under the instrument lock.
    ``offers`` (from ``open_offers``) may be given when a caller read a span's at once."""
    if offers is None:
        offers = open_offers(instrument_id, start_at, end_at, now)
    until = held_until(offers, firm_id=firm_id, start_at=start_at, end_at=end_at)
    if until is not None:
        raise held_error(until)
