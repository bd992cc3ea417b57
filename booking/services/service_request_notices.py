"""Who hears about a testing request's changes, and what they read (in their language).

Uses the shared ``booking.notifications.notify``: an in-app notification now, an
email after commit. New requests and cancellations go to the provider's lab
managers; everything else to the firm member who ordered.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership
from booking.models import ServiceRequest
from booking.notifications import notify

TITLES = {
    "submitted": _("New testing request #%(pk)s: %(service)s"),
    "cancelled": _("Testing request #%(pk)s was cancelled by the firm"),
    "accepted": _("Your testing request #%(pk)s was accepted"),
    "rejected": _("Your testing request #%(pk)s was rejected"),
    "samples_received": _("The lab received the samples of request #%(pk)s"),
    "reported": _("The report for request #%(pk)s is ready"),
    "completed": _("Testing request #%(pk)s is completed"),
}

BODIES = {
    "submitted": _("%(firm)s ordered %(service)s for %(count)s sample(s)."),
    "cancelled": _("%(firm)s cancelled its order of %(service)s."),
    "accepted": _("%(provider)s accepted your order of %(service)s. Due by %(due)s."),
    "rejected": _("%(provider)s rejected your order of %(service)s."),
    "samples_received": _("%(provider)s received your samples for %(service)s. Due by %(due)s."),
    "reported": _("%(provider)s issued report %(number)s for %(service)s; download it online."),
    "completed": _("Your order of %(service)s is completed."),
}

NOTE_LABELS = {
    "rejected": _("Reason: %(note)s"),
    "accepted": _("Note from the lab: %(note)s"),
    "samples_received": _("Condition of the samples: %(note)s"),
}


def lab_managers(sr: ServiceRequest) -> list:
    return [
        m.user
        for m in Membership.objects.filter(
            organisation_id=sr.service.provider_id,
            role=Membership.Role.LAB_MANAGER,
            user__is_active=True,
        ).select_related("user")
    ]


def _renderer(sr: ServiceRequest, event: str, reason: str):
    def render() -> tuple[str, str]:
        values = {
            "pk": sr.pk,
            "service": sr.service.name,
            "firm": sr.firm.name,
            "provider": sr.service.provider.name,
            "count": sr.sample_count,
            "due": sr.due_on.isoformat() if sr.due_on else "—",
            "number": sr.report_number,
        }
        body = str(BODIES[event] % values)
        if reason.strip():
            label = NOTE_LABELS.get(event, NOTE_LABELS["rejected"])
            body += "\n" + str(label % {"note": reason.strip()})
        return str(TITLES[event] % values), body

    return render


def _url(sr: ServiceRequest) -> str:
    return reverse("frontend:service-request-detail", args=[sr.pk])


def notify_managers(sr: ServiceRequest, *, event: str, reason: str = "") -> None:
    notify(
        lab_managers(sr),
        kind=f"service_request.{event}",
        render=_renderer(sr, event, reason),
        url=_url(sr),
    )


def notify_firm(sr: ServiceRequest, *, event: str, reason: str = "") -> None:
    notify(
        [sr.requested_by],
        kind=f"service_request.{event}",
        render=_renderer(sr, event, reason),
        url=_url(sr),
    )
