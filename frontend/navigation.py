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
        (_("My vouchers"), "frontend:voucher-wallet"),
        (_("Statements"), "frontend:statement-list"),
        (_("Uses of my vouchers"), "frontend:voucher-uses"),
        (_("My firm"), "frontend:firm-detail"),
        (_("Waitlist"), "frontend:waitlist"),
    ],
    Membership.Role.LAB_MANAGER: [
        (_("Today"), "frontend:lab-today"),
        (_("Approvals"), "frontend:lab-approvals"),
        (_("Testing queue"), "frontend:lab-service-queue"),
        (_("My instruments"), "frontend:lab-instruments"),
        (_("My services"), "frontend:lab-services"),
        (_("Reimbursement claims"), "frontend:lab-claims"),
        (_("Statements to firms"), "frontend:lab-statements"),
        (_("Sharing statistics"), "frontend:tracker-my-statistics"),
        (_("Kiosks"), "frontend:lab-kiosks"),
    ],
    Membership.Role.REVIEWER: [
        (_("Usage dashboard"), "frontend:tracker-dashboard"),
        (_("Firm verification"), "frontend:firm-verification-queue"),
        (_("Voucher programmes"), "frontend:programme-list"),
        (_("Quota applications"), "frontend:voucher-application-queue"),
        (_("Claims to review"), "frontend:dept-claims"),
        (_("Audit samples"), "frontend:audit-list"),
        (_("Public notices"), "frontend:notice-list"),
        (_("Targets"), "frontend:tracker-targets"),
        (_("Provider statistics"), "frontend:tracker-providers"),
    ],
}


INLINE = 3  # with the bell, the acting chooser and the language switch, 4 overflowed 1280 px


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
    items = _resolve(BY_ROLE.get(role, []))
    # The first few of a hat's pages stay in the bar; the rest go under "More", so the bar
    # fits one line at desktop width whatever the number of pages.
    return {
        "public": _resolve(PUBLIC),
        "role": items[:INLINE],
        "more": items[INLINE:],
    }
