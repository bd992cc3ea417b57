"""iCalendar (RFC 5545 / iTIP RFC 5546) for bookings: one event per booking, feeds per user
and per instrument behind a secret token, and the .ics attached to notification emails.

Times are written in UTC (``...Z``), so no VTIMEZONE is needed and every calendar
application places them right; UIDs are stable (``booking-<id>@labshare``) so a
re-fetched feed updates events instead of duplicating them.

Calendar applications act on an e-mailed .ics only when it is an iTIP message: METHOD
REQUEST (add or update) or CANCEL (remove), an ORGANIZER, the same UID as before and a
SEQUENCE higher than the copy they hold. The sequence is the number of state changes the
booking has had since it was made (one StateChange row each), so it only grows, and the
feed and the e-mails agree on it.
"""

from __future__ import annotations

import datetime as dt
import secrets
from email.utils import parseaddr

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from accounts.models import Membership, Organisation
from booking.models import Booking, FeedToken
from config.links import site_link
from facilities.models import Blackout

FEED_WINDOW_DAYS = 365  # how far back a feed reaches; upcoming bookings are all included
_CANCELLED = {Booking.Status.CANCELLED, Booking.Status.REJECTED}
_STATUS = {Booking.Status.REQUESTED: "TENTATIVE"}
METHOD_REQUEST, METHOD_CANCEL = "REQUEST", "CANCEL"


def _calendar(name: str, method: str = "PUBLISH") -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//LabShare//Instrument bookings//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    cal.add("x-wr-calname", name)
    return cal


def booking_sequence(booking: Booking) -> int:
    """How many times the booking changed since it was made (its SEQUENCE): its state
    changes after the first and its moves (a move keeps the status but changes the time,
    which a calendar must take as an update). Feeds annotate ``history_count`` and
    ``move_count`` for the whole list; a single booking counts its rows."""
    count = getattr(booking, "history_count", None)
    if count is None:
        count = booking.history.count()
    moves = getattr(booking, "move_count", None)
    if moves is None:
        moves = booking.moves.count()
    return max(count - 1, 0) + moves


def _organizer(booking: Booking) -> vCalAddress:
    """The platform's sender address: replies to an iTIP message go to its organizer, and
    the booking is organised through LabShare on the provider's behalf."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "noreply@labshare.cn"
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["cn"] = vText(booking.instrument.provider.name)
    return organizer


def _person(booking: Booking) -> str:
    user = booking.booked_by
    name = user.full_name or user.email
    return " ".join(filter(None, [name, user.phone]))


def booking_event(
    booking: Booking, *, stamp: dt.datetime | None = None, for_managers: bool = False
) -> Event:
    """One booking as a VEVENT. ``for_managers``: the instrument's own calendar, whose
    readers need to know whom to expect (firm and booker), unlike the firm's own feed."""
    event = Event()
    event.add("uid", f"booking-{booking.pk}@labshare")
    event.add("dtstamp", (stamp or timezone.now()).astimezone(dt.UTC))
    event.add("sequence", booking_sequence(booking))
    event.add("dtstart", booking.start_at.astimezone(dt.UTC))
    event.add("dtend", booking.end_at.astimezone(dt.UTC))
    if for_managers:
        summary = f"{booking.firm.name} · {_person(booking)} · {booking.get_status_display()}"
        description = "\n".join(
            filter(
                None,
                [
                    _("Firm: %(firm)s") % {"firm": booking.firm.name},
                    _("Booked by: %(person)s <%(email)s>")
                    % {"person": _person(booking), "email": booking.booked_by.email},
                    booking.purpose,
                ],
            )
        )
    else:
        summary = f"{booking.instrument.name} · {booking.get_status_display()}"
        description = booking.purpose
    event.add("summary", summary)
    event.add("location", booking.instrument.location or str(booking.instrument.provider))
    event.add("description", description)
    event.add(
        "status",
        "CANCELLED" if booking.status in _CANCELLED else _STATUS.get(booking.status, "CONFIRMED"),
    )
    event.add("transp", "TRANSPARENT" if booking.status in _CANCELLED else "OPAQUE")
    event.add("last-modified", booking.updated_at.astimezone(dt.UTC))
    event.add("url", site_link(reverse("frontend:booking-detail", args=[booking.pk])))
    return event


def booking_ics(booking: Booking, *, method: str = METHOD_REQUEST, attendee=None) -> str:
    """One booking as an iTIP .ics for an e-mail: REQUEST adds or updates the event in the
    recipient's calendar, CANCEL removes it (same UID, the sequence of the cancelling
    change, so it is higher than any REQUEST sent before)."""
    cal = _calendar(str(booking.instrument), method=method)
    event = booking_event(booking)
    event.add("organizer", _organizer(booking))
    if attendee is not None:
        address = vCalAddress(f"mailto:{attendee.email}")
        address.params["cn"] = vText(attendee.full_name or attendee.email)
        address.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", address)
    if method == METHOD_CANCEL:
        event["status"] = vText("CANCELLED")
    cal.add_component(event)
    return cal.to_ical().decode()


def blackout_event(blackout: Blackout, *, stamp: dt.datetime) -> Event:
    """A blackout window as busy time in the instrument's calendar."""
    event = Event()
    event.add("uid", f"blackout-{blackout.pk}@labshare")
    event.add("dtstamp", stamp.astimezone(dt.UTC))
    event.add("dtstart", blackout.start_at.astimezone(dt.UTC))
    event.add("dtend", blackout.end_at.astimezone(dt.UTC))
    label = blackout.get_kind_display()
    event.add("summary", f"{label} · {blackout.reason}" if blackout.reason else str(label))
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def feed_ics(name: str, bookings, *, blackouts=(), for_managers: bool = False) -> bytes:
    cal = _calendar(name)
    stamp = timezone.now()
    for booking in bookings:
        cal.add_component(booking_event(booking, stamp=stamp, for_managers=for_managers))
    for blackout in blackouts:
        cal.add_component(blackout_event(blackout, stamp=stamp))
    return cal.to_ical()


def _since() -> dt.datetime:
    return timezone.now() - dt.timedelta(days=FEED_WINDOW_DAYS)


def feed_bookings(token: FeedToken):
    """The bookings a feed shows: the user's firms' bookings (whoever made them: a lab
    manager books for a firm on the phone), or one instrument's."""
    qs = (
        Booking.objects.filter(start_at__gte=_since())
        .select_related("instrument__provider", "firm", "booked_by")
        .annotate(
            history_count=Count("history", distinct=True), move_count=Count("moves", distinct=True)
        )
    )
    if token.instrument_id:
        return qs.filter(instrument_id=token.instrument_id).order_by("start_at")
    firms = Membership.objects.filter(
        user_id=token.user_id, organisation__kind=Organisation.Kind.FIRM
    ).values("organisation_id")
    return qs.filter(firm_id__in=firms).order_by("start_at")


def feed_blackouts(token: FeedToken):
    """An instrument feed's blackout and maintenance windows (a user's feed has none)."""
    if not token.instrument_id:
        return Blackout.objects.none()
    return Blackout.objects.filter(
        instrument_id=token.instrument_id, end_at__gte=_since()
    ).order_by("start_at")


def feed_token_get_or_create(*, user, instrument=None) -> FeedToken:
    existing = FeedToken.objects.filter(user=user, instrument=instrument).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            return FeedToken.objects.create(
                user=user, instrument=instrument, token=secrets.token_urlsafe(32)
            )
    except IntegrityError:
        return FeedToken.objects.get(user=user, instrument=instrument)


def feed_token_reset(*, user, instrument=None) -> FeedToken:
    """A new secret; the old URL stops working at once."""
    token = feed_token_get_or_create(user=user, instrument=instrument)
    token.token = secrets.token_urlsafe(32)
    token.created_at = timezone.now()
    token.save(update_fields=["token", "created_at"])
    return token
