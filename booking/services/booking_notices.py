"""Who hears about a booking event, and what they read (in their own language)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, User
from booking.feeds import booking_ics
from booking.models import Booking
from booking.notifications import notify


def _managers(booking: Booking):
    return User.objects.filter(
        memberships__organisation_id=booking.instrument.provider_id,
        memberships__role=Membership.Role.LAB_MANAGER,
        is_active=True,
    ).distinct()


def _when(booking: Booking) -> str:
    start = timezone.localtime(booking.start_at)
    end = timezone.localtime(booking.end_at)
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"


_TITLES = {
    "created": lambda: _("New booking request"),
    "booked": lambda: _("Booking confirmed"),
    "approved": lambda: _("Booking approved"),
    "rejected": lambda: _("Booking rejected"),
    "cancelled": lambda: _("Booking cancelled"),
    "reminder": lambda: _("Reminder: your instrument session"),
}


def _render(event: str, booking: Booking, reason: str):
    def render():
        title = f"{_TITLES[event]()}: {booking.instrument.name}"
        lines = [
            f"{_('Instrument')}: {booking.instrument}",
            f"{_('Time')}: {_when(booking)} ({_('Beijing time')})",
            f"{_('Firm')}: {booking.firm.name}",
            f"{_('Status')}: {booking.get_status_display()}",
        ]
        if reason:
            lines.append(f"{_('Reason')}: {reason}")
        return title, "\n".join(lines)

    return render


def announce(booking_id: int, event: str, reason: str = "") -> int:
    """Send the notifications for ``event`` of a booking; returns how many went out."""
    booking = (
        Booking.objects.select_related("instrument__provider", "firm", "booked_by")
        .filter(pk=booking_id)
        .first()
    )
    if booking is None:
        return 0
    if event == "created":
        recipients = [(list(_managers(booking)), "created")]
        if booking.status == Booking.Status.APPROVED:
            recipients.append(([booking.booked_by], "booked"))
    elif event == "cancelled":
        recipients = [([booking.booked_by], "cancelled"), (list(_managers(booking)), "cancelled")]
    else:
        recipients = [([booking.booked_by], event)]
    url = reverse("frontend:booking-detail", args=[booking.pk])
    sent = 0
    for users, kind in recipients:
        sent += len(
            notify(
                users,
                kind=f"booking_{kind}",
                render=_render(kind, booking, reason),
                url=url,
                ics=lambda: booking_ics(booking),
            )
        )
    return sent
