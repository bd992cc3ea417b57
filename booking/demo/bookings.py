"""Demo bookings: every state, some today, for the demo firm and other firms. Idempotent.

Times are placed relative to the moment of seeding: what is completed, checked in or a
no-show lies in the past, what awaits approval or check-in lies ahead, and every step of
a booking's history happens after its creation and before now. The rows are inserted
directly (the booking rules refuse a start in the past), then move through
``booking.transitions`` with the time each step happened, so their history and order
events are the ones a real life would have produced.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.demo import DEMO_PROVIDER_NAME, FIRM_EMAIL, LAB_EMAIL
from accounts.models import Organisation, User
from booking import transitions
from booking.models import Booking, Session
from booking.services.booking_rules import charge_fen, used_minutes
from booking.services.session_log import billed_minutes
from facilities.models import Category, Instrument, OpeningHours, Price

B = Booking.Status
PATHS = {
    B.REQUESTED: [B.REQUESTED],
    B.APPROVED: [B.REQUESTED, B.APPROVED],
    B.REJECTED: [B.REQUESTED, B.REJECTED],
    B.CANCELLED: [B.REQUESTED, B.APPROVED, B.CANCELLED],
    B.CHECKED_IN: [B.REQUESTED, B.APPROVED, B.CHECKED_IN],
    B.COMPLETED: [B.REQUESTED, B.APPROVED, B.CHECKED_IN, B.COMPLETED],
    B.NO_SHOW: [B.REQUESTED, B.APPROVED, B.NO_SHOW],
}
REASONS = {B.REJECTED: "样品不适用于该仪器，建议改用 ICP-MS", B.CANCELLED: "样品未按时到货"}
# (day offset, hour, hours, status, purpose)
PLAN = [
    (0, 9, 2, B.COMPLETED, "高分子薄膜红外光谱表征"),
    (0, 11, 2, B.CHECKED_IN, "锂电池正极材料物相分析"),
    (0, 14, 2, B.APPROVED, "陶瓷粉体晶型鉴定"),
    (0, 16, 1, B.APPROVED, "催化剂样品比表面测试前预处理"),
    (1, 9, 3, B.REQUESTED, "新型涂层材料成分分析"),
    (2, 10, 2, B.REQUESTED, "不锈钢焊缝组织观察"),
    (3, 13, 2, B.APPROVED, "PCB 镀层厚度测量"),
    (5, 9, 2, B.CANCELLED, "塑料改性料热稳定性测试"),
    (4, 14, 1, B.REJECTED, "食品包装材料迁移量检测"),
    (-1, 9, 2, B.NO_SHOW, "纳米粉体粒径测试"),
    (-3, 10, 3, B.COMPLETED, "铝合金断口形貌分析"),
    (-7, 14, 2, B.COMPLETED, "药用辅料晶型筛查"),
]


def _fallback_instruments(provider: Organisation) -> list[Instrument]:
    """Only when the catalogue demo has not given the provider any instrument."""
    category, _ = Category.objects.get_or_create(
        code="DEMO-ANA", defaults={"name_zh": "分析仪器", "name_en": "Analytical instruments"}
    )
    made = []
    for name, model, rate in [
        ("X射线衍射仪", "D8 Advance", 300_00),
        ("傅里叶变换红外光谱仪", "Nicolet iS50", 180_00),
        ("扫描电子显微镜", "Sigma 300", 450_00),
    ]:
        instrument = Instrument.objects.create(
            provider=provider, name=name, model_number=model, category=category,
            location="杭州市西湖区学院路 77 号 3 号楼", contact_name="陈立华",
            contact_email=LAB_EMAIL, requires_approval=True, lead_minutes=60,
        )  # fmt: skip
        OpeningHours.objects.bulk_create(
            OpeningHours(instrument=instrument, weekday=d, opens_at=dt.time(8, 30), closes_at=dt.time(17, 30))
            for d in range(6)
        )  # fmt: skip
        Price.objects.create(instrument=instrument, client_group="external_firm", per_hour_fen=rate)
        Price.objects.create(instrument=instrument, client_group="internal", per_hour_fen=rate // 2)
        made.append(instrument)
    return made


def _history_start(start: dt.datetime, now: dt.datetime) -> dt.datetime:
    """Booked two days ahead, and at least half a day before now (so every later step
    of its history, three hours apart, still lies in the past)."""
    return min(start - dt.timedelta(days=2), now - dt.timedelta(hours=12))


def _write(instrument, firm, booker, manager, start, hours, status, purpose, now) -> None:
    end = start + dt.timedelta(hours=hours)
    rate = dict(instrument.prices.values_list("client_group", "per_hour_fen")).get(
        "external_firm", 0
    )
    created = _history_start(start, now)
    booking = Booking.objects.create(
        instrument=instrument, firm=firm, booked_by=booker, start_at=start, end_at=end,
        purpose=purpose, status=B.REQUESTED, rate_per_hour_fen=rate,
        quote_fen=charge_fen(hours * 60, rate), created_at=created, updated_at=created,
    )  # fmt: skip
    transitions.record_creation(booking, actor=booker)
    at = created
    for step in PATHS[status][1:]:
        at += dt.timedelta(hours=3)
        actor, changes = (booker if step == B.CANCELLED else manager), {}
        if step == B.NO_SHOW:
            actor, at = None, start + dt.timedelta(minutes=35)
        elif step == B.CHECKED_IN:
            at = start + dt.timedelta(minutes=5)
            Session.objects.create(
                booking=booking, actual_start_at=at, operator=manager, notes="样品 6 件，仪器状态正常"
            )  # fmt: skip
        elif step == B.COMPLETED:
            at = end - dt.timedelta(minutes=10)
            Session.objects.filter(booking=booking).update(actual_end_at=at)
            used = used_minutes(start + dt.timedelta(minutes=5), at)
            minutes = billed_minutes(used, min_minutes=instrument.min_minutes)
            changes["fee_fen"] = charge_fen(minutes, rate)
        transitions.transition(
            booking, to=step, actor=actor, reason=REASONS.get(step, ""), at=at, **changes
        )


def _holds(status: str, start: dt.datetime, hours: int, now: dt.datetime) -> bool:
    """Whether a booking of ``status`` starting at ``start`` is believable at ``now``."""
    if status == B.COMPLETED:
        return start + dt.timedelta(hours=hours) <= now
    if status == B.CHECKED_IN:
        return start + dt.timedelta(minutes=5) <= now
    if status == B.NO_SHOW:
        return start + dt.timedelta(minutes=35) <= now
    if status in (B.REQUESTED, B.APPROVED):
        return start >= now + dt.timedelta(hours=1)
    return True  # rejected or cancelled: decided before now, whenever it was for


def _place(start, hours: int, status: str, now, taken: list) -> dt.datetime:
    """``start`` moved by whole weekdays (back for what is done, ahead for what waits)
    until ``status`` is true of it at ``now`` and it overlaps nothing in ``taken`` (the
    instrument's other demo bookings: one instrument, one session at a time)."""
    step = -1 if status in (B.COMPLETED, B.CHECKED_IN, B.NO_SHOW) else 1
    length = dt.timedelta(hours=hours)
    while not _holds(status, start, hours, now) or any(
        start < end and other < start + length for other, end in taken
    ):
        start = _moved(start, step)
    taken.append((start, start + length))
    return start


def _moved(start: dt.datetime, step: int) -> dt.datetime:
    day = _weekday(start.date(), step)
    return dt.datetime.combine(day, start.timetz())


def _weekday(today: dt.date, offset: int) -> dt.date:
    """``today + offset`` moved off the weekend, where demo instruments are closed."""
    day = today + dt.timedelta(days=offset)
    step = -1 if offset < 0 else 1
    while day.weekday() >= 5:
        day += dt.timedelta(days=step)
    return day


def seed() -> None:
    provider = Organisation.objects.filter(name=DEMO_PROVIDER_NAME).first()
    booker = User.objects.filter(email=FIRM_EMAIL).first()
    manager = User.objects.filter(email=LAB_EMAIL).first()
    if not (provider and booker and manager):
        return
    if Booking.objects.filter(instrument__provider=provider).exists():
        return  # already seeded
    instruments = list(provider.instruments.filter(status="active")[:3]) or _fallback_instruments(
        provider
    )
    firm = booker.memberships.filter(organisation__kind="firm").first().organisation
    others = list(Organisation.objects.filter(kind="firm").exclude(pk=firm.pk)[:3]) or [firm]
    now = timezone.now()
    today = timezone.localdate(now)
    tz = timezone.get_current_timezone()
    taken: dict[int, list] = {}
    for i, (offset, hour, hours, status, purpose) in enumerate(PLAN):
        instrument = instruments[i % len(instruments)]
        who = firm if i % 3 != 2 else others[i % len(others)]
        start = dt.datetime.combine(_weekday(today, offset), dt.time(hour), tzinfo=tz)
        start = _place(
            start, hours, status, timezone.localtime(now), taken.setdefault(instrument.pk, [])
        )
        who_books = (
            booker
            if who == firm
            else (who.memberships.first().user if who.memberships.exists() else booker)
        )
        _write(instrument, who, who_books, manager, start, hours, status, purpose, now)
