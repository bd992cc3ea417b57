"""Who hears about a booking event, and what they read (in their own language)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, User
from booking.feeds import METHOD_CANCEL, METHOD_REQUEST, booking_ics
from booking.models import Booking
from booking.notifications import notify


@dataclass(frozen=True)
class Audience:
    """What announcing a batch of booking events reads, in two queries for the whole batch
    (the courier spent half its time on two ORM queries per announcement)."""

    bookings: dict[int, Booking]
    managers: dict[int, list[User]] = field(default_factory=dict)  # provider id → lab managers


def audience_for(booking_ids: Iterable[int]) -> Audience:
    bookings = Booking.objects.select_related("instrument__provider", "firm", "booked_by").in_bulk(
        set(booking_ids)
    )
    managers: dict[int, list[User]] = defaultdict(list)
    memberships = Membership.objects.filter(
        organisation_id__in={b.instrument.provider_id for b in bookings.values()},
        role=Membership.Role.LAB_MANAGER,
        user__is_active=True,
    ).select_related("user")
    for membership in memberships.order_by("pk"):
        managers[membership.organisation_id].append(membership.user)
    return Audience(bookings, dict(managers))


def _when(booking: Booking) -> str:
    start = timezone.localtime(booking.start_at)
    end = timezone.localtime(booking.end_at)
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"


_TITLES = {
    "created": lambda: _("New booking request"),
    # An instrument without approval books straight to approved: nothing to decide.
    "created_instant": lambda: _("New booking (confirmed automatically)"),
    "booked": lambda: _("Booking confirmed"),
    "approved": lambda: _("Booking approved"),
    "rejected": lambda: _("Booking rejected"),
    "cancelled": lambda: _("Booking cancelled"),
    "reminder": lambda: _("Reminder: your instrument session"),
    "no_show": lambda: _("Booking marked as a no-show"),
    "cancelled_by_lab": lambda: _("Booking cancelled by the lab"),
    "moved": lambda: _("Booking moved"),
}

# The notification kind, where one kind reads two ways.
_KIND = {"created_instant": "created"}

# Which iTIP method an e-mail's .ics carries, by what it tells (None: no attachment; a
# no-show lies in the past and changes nothing in anyone's calendar).
_METHOD = {
    "created": METHOD_REQUEST,
    "created_instant": METHOD_REQUEST,
    "booked": METHOD_REQUEST,
    "approved": METHOD_REQUEST,
    "reminder": METHOD_REQUEST,
    "moved": METHOD_REQUEST,
    "rejected": METHOD_CANCEL,
    "cancelled": METHOD_CANCEL,
    "cancelled_by_lab": METHOD_CANCEL,
    "no_show": None,
}


def _firm_people(booking: Booking) -> list[User]:
    """The firm's members and whoever booked: a booking the lab made on the firm's behalf
    was booked by a lab manager, and the firm must still read what happened to it."""
    people = {booking.booked_by_id: booking.booked_by}
    for membership in Membership.objects.filter(
        organisation_id=booking.firm_id, role=Membership.Role.FIRM_MEMBER, user__is_active=True
    ).select_related("user"):
        people.setdefault(membership.user_id, membership.user)
    return list(people.values())


def _render(event: str, booking: Booking, reason: str):
    # Whole lines as msgids (xgettext does not read gettext calls inside f-strings, and a
    # Chinese label takes a full-width colon).
    def render():
        title = _("%(event)s: %(instrument)s") % {
            "event": _TITLES[event](),
            "instrument": booking.instrument.name,
        }
        lines = [
            _("Instrument: %(instrument)s") % {"instrument": booking.instrument},
            _("Time: %(when)s (Beijing time)") % {"when": _when(booking)},
            _("Firm: %(firm)s") % {"firm": booking.firm.name},
            _("Status: %(status)s") % {"status": booking.get_status_display()},
        ]
        if booking.series_id:
            lines.append(_("Part of recurring booking #%(n)s") % {"n": booking.series_id})
        if reason:
            lines.append(_("Reason: %(reason)s") % {"reason": reason})
        return title, "\n".join(lines)

    return render


def announce(
    booking_id: int, event: str, reason: str = "", *, audience: Audience | None = None
) -> int:
    """Send the notifications for ``event`` of a booking; returns how many went out.
    ``audience`` is what ``audience_for`` read for a batch that includes this booking."""
    audience = audience or audience_for([booking_id])
    booking = audience.bookings.get(booking_id)
    if booking is None:
        return 0
    if event == "in_series":
        return 0  # a later occurrence of a series: its first occurrence was announced
    recipients = _recipients(
        event, booking, audience.managers.get(booking.instrument.provider_id, [])
    )
    url = reverse("frontend:booking-detail", args=[booking.pk])
    sent = 0
    for users, kind in recipients:
        method = _METHOD[kind]
        sent += len(
            notify(
                users,
                kind=f"booking_{_KIND.get(kind, kind)}",
                render=_render(kind, booking, reason),
                url=url,
                ics=_ics(booking, method) if method else None,
            )
        )
    return sent


def _recipients(event: str, booking: Booking, managers: list[User]) -> list[tuple[list, str]]:
    if event == "created":
        # Delivered after commit, maybe after later moves: the instrument's rule says
        # whether the booking was instant, the current status only whether it is pending.
        if booking.status == Booking.Status.REQUESTED or booking.instrument.requires_approval:
            return [(managers, "created")]
        return [(managers, "created_instant"), ([booking.booked_by], "booked")]
    if event in ("cancelled", "no_show"):
        return [([booking.booked_by], event), (managers, event)]
    if event in ("cancelled_by_lab", "moved"):
        return [(_firm_people(booking), event), (managers, event)]
    return [([booking.booked_by], event)]


def _ics(booking: Booking, method: str):
    def render(user: User | None = None) -> str:
        return booking_ics(booking, method=method, attendee=user)

    return render
