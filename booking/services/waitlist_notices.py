"""What a waitlisted firm hears: an offer, an offer taken by another firm, an offer expired.

Called inside the change's transaction: the notifications are rows of it, the e-mails
leave after commit (``booking.notifications.notify`` queues them on commit)."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.models import WaitlistEntry
from booking.notifications import notify

_TITLES = {
    "offered": lambda: _("Waitlisted time is free"),
    "taken": lambda: _("Another firm claimed the waitlisted time"),
    "expired": lambda: _("Waitlist offer expired"),
}


def _when(entry: WaitlistEntry) -> str:
    start = timezone.localtime(entry.start_at)
    end = timezone.localtime(entry.end_at)
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"


def _render(event: str, entry: WaitlistEntry):
    def render():
        lines = [
            _("Instrument: %(instrument)s") % {"instrument": entry.instrument.name},
            _("Time: %(when)s (Beijing time)") % {"when": _when(entry)},
        ]
        if event == "offered":
            until = timezone.localtime(entry.offer_expires_at)
            lines.append(
                _("Claim it before %(until)s; the first firm to claim it gets the booking.")
                % {"until": f"{until:%Y-%m-%d %H:%M}"}
            )
        elif event == "taken":
            lines.append(_("You stay on the waitlist in your place."))
        else:
            lines.append(_("You did not claim it in time and have left the waitlist."))
        # The same whole-line msgid as the booking notices (a Chinese title takes "：").
        title = _("%(event)s: %(instrument)s") % {
            "event": _TITLES[event](),
            "instrument": entry.instrument.name,
        }
        return title, "\n".join(lines)

    return render


def waitlist_notify(entries: Iterable[WaitlistEntry], event: str) -> int:
    """Tell each entry's member who joined about ``event`` (offered, taken, expired)."""
    ids = [e.pk for e in entries]
    loaded = WaitlistEntry.objects.select_related("instrument", "joined_by").in_bulk(ids)
    url = reverse("frontend:waitlist")
    sent = 0
    for pk in ids:
        entry = loaded[pk]
        sent += len(
            notify([entry.joined_by], kind=f"waitlist_{event}", render=_render(event, entry),
                   url=url)
        )  # fmt: skip
    return sent
