"""Demo waitlist entries and a kiosk token, so a new user sees both (seed_demo).

- Another firm waits for one of the demo firm's approved bookings: when firm@ cancels it,
  that firm is offered the time (the waitlist as it works).
- The demo firm has one offer open on the waitlist page (a range that freed): its claim
  window is a day long here rather than the setting's hour, so the offer is still there
  when someone looks after seeding; while open, the time is held for the firm.
- A kiosk token for the demo lab's first instrument; its key is returned once, for
  seed_demo to print (only the digest is stored).
Idempotent: nothing is added once the demo firm has a waitlist entry.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.demo import FIRM_EMAIL, LAB_EMAIL
from accounts.models import Organisation, User
from booking.models import Booking, WaitlistEntry
from booking.services.kiosk import instrument_token_create

W = WaitlistEntry.Status
DEMO_OFFER_HOURS = 24


def _free_range(instrument, start: dt.datetime, hours: int) -> tuple[dt.datetime, dt.datetime]:
    """The first weekday slot at ``start``'s hour, from ``start`` on, with no live booking."""
    while True:
        end = start + dt.timedelta(hours=hours)
        clash = Booking.objects.filter(instrument=instrument, status__in=Booking.LIVE,
                                       start_at__lt=end, end_at__gt=start)  # fmt: skip
        if start.weekday() < 5 and not clash.exists():
            return start, end
        start += dt.timedelta(days=1)


def seed(provider: Organisation) -> list[str]:
    """Returns the lines seed_demo prints (the kiosk key), empty when already seeded."""
    booker = User.objects.filter(email=FIRM_EMAIL).first()
    manager = User.objects.filter(email=LAB_EMAIL).first()
    instruments = list(provider.instruments.filter(status="active").order_by("pk")[:3])
    if not (booker and manager and instruments):
        return []
    firm = booker.memberships.filter(organisation__kind="firm").first().organisation
    if WaitlistEntry.objects.filter(firm=firm).exists():
        return []
    now = timezone.now()
    taken = (
        Booking.objects.filter(firm=firm, status=Booking.Status.APPROVED, start_at__gt=now)
        .order_by("start_at")
        .first()
    )
    other = Organisation.objects.filter(kind="firm").exclude(pk=firm.pk).first()
    member = other.memberships.select_related("user").first() if other else None
    if taken and member:
        WaitlistEntry.objects.create(
            instrument=taken.instrument, firm=other, joined_by=member.user,
            start_at=taken.start_at, end_at=taken.end_at, purpose="等待同一时段做 XRD 物相分析",
        )  # fmt: skip
    tz = timezone.get_current_timezone()
    day = timezone.localdate(now) + dt.timedelta(days=2)
    start, end = _free_range(instruments[0], dt.datetime.combine(day, dt.time(15), tzinfo=tz), 1)
    WaitlistEntry.objects.create(
        instrument=instruments[0], firm=firm, joined_by=booker, start_at=start, end_at=end,
        purpose="原位红外测试（候补）", status=W.OFFERED, offered_at=now,
        offer_expires_at=now + dt.timedelta(hours=DEMO_OFFER_HOURS),
    )  # fmt: skip
    _token, key = instrument_token_create(actor=manager, instrument=instruments[0],
                                          name="演示平板（仪器旁）")  # fmt: skip
    return [f"Kiosk token for {instruments[0].name} (shown once): {key}"]
