"""iCalendar (RFC 5545) for bookings: one event per booking, feeds per user and per
instrument behind a secret token, and the .ics attached to notification emails.

Times are written in UTC (``...Z``), so no VTIMEZONE is needed and every calendar
application places them right; UIDs are stable (``booking-<id>@labshare``) so a
re-fetched feed updates events instead of duplicating them.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from booking.models import Booking, FeedToken
from config.links import site_link

FEED_WINDOW_DAYS = 365  # how far back a feed reaches; upcoming bookings are all included
_CANCELLED = {Booking.Status.CANCELLED, Booking.Status.REJECTED}
_STATUS = {Booking.Status.REQUESTED: "TENTATIVE"}


def _calendar(name: str, method: str = "PUBLISH") -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//LabShare//Instrument bookings//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    cal.add("x-wr-calname", name)
    return cal


def booking_event(booking: Booking, *, stamp: dt.datetime | None = None) -> Event:
    event = Event()
    event.add("uid", f"booking-{booking.pk}@labshare")
    event.add("dtstamp", (stamp or timezone.now()).astimezone(dt.UTC))
    event.add("dtstart", booking.start_at.astimezone(dt.UTC))
    event.add("dtend", booking.end_at.astimezone(dt.UTC))
    event.add("summary", f"{booking.instrument.name} · {booking.get_status_display()}")
    event.add("location", booking.instrument.location or str(booking.instrument.provider))
    event.add("description", booking.purpose)
    event.add(
        "status",
        "CANCELLED" if booking.status in _CANCELLED else _STATUS.get(booking.status, "CONFIRMED"),
    )
    event.add("last-modified", booking.updated_at.astimezone(dt.UTC))
    event.add("url", site_link(reverse("frontend:booking-detail", args=[booking.pk])))
    return event


def booking_ics(booking: Booking) -> str:
    """One booking as an .ics attachment."""
    cal = _calendar(str(booking.instrument))
    cal.add_component(booking_event(booking))
    return cal.to_ical().decode()


def feed_ics(name: str, bookings) -> bytes:
    cal = _calendar(name)
    stamp = timezone.now()
    for booking in bookings:
        cal.add_component(booking_event(booking, stamp=stamp))
    return cal.to_ical()


def feed_bookings(token: FeedToken):
    """The bookings a feed shows: the user's firms' bookings, or one instrument's."""
    since = timezone.now() - dt.timedelta(days=FEED_WINDOW_DAYS)
    qs = Booking.objects.filter(start_at__gte=since).select_related("instrument__provider")
    if token.instrument_id:
        return qs.filter(instrument_id=token.instrument_id).order_by("start_at")
    return qs.filter(booked_by_id=token.user_id).order_by("start_at")


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
