"""The menu per hat. Entries whose page does not exist yet are skipped."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership

PUBLIC = [
    (_("Instruments"), "frontend:instrument-list"),
    (_("Testing services"), "frontend:service-list"),
    (_("Providers"), "frontend:provider-list"),
]

BY_ROLE = {
    Membership.Role.FIRM_MEMBER: [
        (_("My bookings"), "frontend:my-bookings"),
        (_("My testing requests"), "frontend:my-service-requests"),
        (_("My firm"), "frontend:firm-detail"),
    ],
    Membership.Role.LAB_MANAGER: [
        (_("Today"), "frontend:lab-today"),
        (_("Approvals"), "frontend:lab-approvals"),
        (_("Testing queue"), "frontend:lab-service-queue"),
        (_("My instruments"), "frontend:lab-instruments"),
        (_("My services"), "frontend:lab-services"),
        (_("Sharing statistics"), "frontend:tracker-my-statistics"),
    ],
    Membership.Role.REVIEWER: [
        (_("Firm verification"), "frontend:firm-verification-queue"),
        (_("Usage dashboard"), "frontend:tracker-dashboard"),
        (_("Targets"), "frontend:tracker-targets"),
        (_("Provider statistics"), "frontend:tracker-providers"),
    ],
}


def _resolve(entries):
    items = []
    for label, name in entries:
        try:
            items.append({"label": label, "url": reverse(name), "name": name})
        except NoReverseMatch:
            continue
    return items


def menu_for(request) -> dict:
    acting = getattr(request, "acting", None)
    role = acting.role if acting else None
    return {
        "public": _resolve(PUBLIC),
        "role": _resolve(BY_ROLE.get(role, [])),
    }
