"""Demo vouchers: the three real schemes, configured through the same services the pages
use, and the demo firm's vouchers in several states with their history. Idempotent: a
second run finds what the first made and adds nothing.

Call ``seed_vouchers_demo()`` after the accounts, catalogue and booking demos.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from unittest import mock

from django.db import transaction
from django.utils import timezone

from accounts.demo import (
    DEMO_DEPARTMENT_NAME,
    DEMO_FIRM_NAME,
    DEMO_PROVIDER_NAME,
    LAB_EMAIL,
    demo_user,
    member,
    organisation,
)
from accounts.models import DepartmentProfile, Organisation, Region, User
from booking.models import Booking
from booking.services import bookings as booking_services
from config.errors import DomainError
from facilities.models import Instrument
from vouchers.models import Programme, Voucher, VoucherApplication
from vouchers.services import applications, balances, issuing, programmes

YUAN = 100
YUHUAN_DEPT_EMAIL = "yh-dept@demo.labshare.cn"
HUZHOU_DEPT_EMAIL = "huz-dept@demo.labshare.cn"

# Yuhuan 2023 (玉环市科技创新券): 100% to ¥10,000, 50% above; ¥20,000 per order, ¥50,000
# held, ¥100,000 a year; 3 months; testing and R&D at carriers in or outside Zhejiang;
# statutory testing and related parties excluded.
YUHUAN = {
    "tiers": [{"up_to_fen": 10_000 * YUAN, "ratio_bp": 10_000}, {"up_to_fen": None, "ratio_bp": 5_000}],
    "cap_per_order_fen": 20_000 * YUAN, "cap_held_fen": 50_000 * YUAN,
    "cap_per_year_fen": 100_000 * YUAN, "cap_per_controller": True, "voucher_valid_days": 92,
    "order_kinds": ["booking", "service_request"], "exclude_statutory": True,
    "providers": "all", "outside_province": True,
}  # fmt: skip
# Huzhou service vouchers (湖州市服务券): at most 50%, ¥10,000 per firm per year, testing.
HUZHOU = {
    "tiers": [{"up_to_fen": None, "ratio_bp": 5_000}], "cap_per_year_fen": 10_000 * YUAN,
    "voucher_valid_days": 365, "order_kinds": ["service_request"], "exclude_statutory": True,
    "providers": "all",
}  # fmt: skip
# Changping-style (昌平模式): the share depends on where the provider is relative to the firm.
TIERED = {
    "tiers": [{"up_to_fen": None, "ratio_bp": 5_000}],
    "location_ratio_bp": {"same_county": 5_000, "same_city": 4_000, "same_province": 3_000,
                          "elsewhere": 2_000},
    "cap_per_year_fen": 200_000 * YUAN, "voucher_valid_days": 180,
    "order_kinds": ["booking", "service_request"], "providers": "all", "outside_province": True,
}  # fmt: skip


def _department(name: str, region_code: str, email: str, person: str) -> tuple[Organisation, User]:
    user = demo_user(email, person)
    dept = organisation(Organisation.Kind.DEPARTMENT, name, region_code)
    DepartmentProfile.objects.get_or_create(
        organisation=dept, defaults={"region_scope": Region.objects.get(code=region_code)}
    )
    member(user, dept)
    return dept, user


def _programme(reviewer: User, issuer: Organisation, *, name: str, region: str, kind: str,
               budget_yuan: int, rules: dict, valid_from: dt.date, valid_to: dt.date,
               description: str) -> Programme:  # fmt: skip
    existing = Programme.objects.filter(issuer=issuer, name=name).first()
    if existing:
        return existing
    programme = programmes.programme_create(
        actor=reviewer, issuer_id=issuer.pk, region_code=region, kind=kind, name=name,
        budget_fen=budget_yuan * YUAN, valid_from=valid_from, valid_to=valid_to, rules=rules,
        description=description,
    )  # fmt: skip
    return programmes.programme_publish(actor=reviewer, programme_id=programme.pk)


def _free_booking(
    actor: User, firm: Organisation, voucher: Voucher, hours: int, days=range(7, 30)
) -> Booking:
    """A booking paid with ``voucher`` in the first free slot of the demo provider's
    instruments, from a week ahead (the booking demo fills the days before)."""
    instruments = Instrument.objects.filter(
        provider__name=DEMO_PROVIDER_NAME, status=Instrument.Status.ACTIVE, is_shared=True,
        requires_training=False,
    ).order_by("pk")  # fmt: skip
    tz = timezone.get_current_timezone()
    for offset in days:
        day = timezone.localdate() + dt.timedelta(days=offset)
        for instrument in instruments:
            for hour in (9, 13, 15):
                start = dt.datetime.combine(day, dt.time(hour), tzinfo=tz)
                try:
                    return booking_services.booking_create(
                        actor=actor, firm=firm, instrument=instrument, start_at=start,
                        end_at=start + dt.timedelta(hours=hours), purpose="新材料样品表征（创新券支付）",
                        voucher_ids=[voucher.pk],
                    )  # fmt: skip
                except DomainError:
                    continue
    raise RuntimeError("no free slot for the demo's voucher bookings")


def _firm_history(
    reviewer: User, programme: Programme, firm: Organisation, firm_user: User
) -> None:
    """An approved application, a hold on an open booking, a capture on a completed one."""
    if VoucherApplication.objects.filter(programme=programme, firm=firm).exists():
        return
    # The firm's past, lived at its own time (demo only): applied and approved a week ago,
    # a booking used and paid in the days after, so nothing done lies in the future and no
    # session breaks the check-in window or "no actual time in the future".
    with _clock_at(timezone.now() - dt.timedelta(days=7)):
        application = applications.application_submit(
            actor=firm_user, programme_id=programme.pk, firm_id=firm.pk,
            amount_fen=60_000 * YUAN, purpose="高分子薄膜材料的成分分析与力学性能检测，支撑新产品研发。",
        )  # fmt: skip
        applications.application_approve(actor=reviewer, application_id=application.pk,
                                         amount_fen=50_000 * YUAN, reason="按年度预算核定 5 万元")  # fmt: skip
        voucher = VoucherApplication.objects.get(pk=application.pk).voucher
        lab = User.objects.get(email=LAB_EMAIL)
        done = _free_booking(firm_user, firm, voucher, hours=3, days=range(1, 6))
        if done.status == Booking.Status.REQUESTED:
            booking_services.booking_approve(actor=lab, booking=done)
    with _clock_at(done.start_at + dt.timedelta(minutes=1)):
        booking_services.booking_check_in(actor=lab, booking=done, actual_start_at=done.start_at)
    # Shorter actual use than booked: the capture is smaller and the excess released.
    end = done.start_at + dt.timedelta(hours=2)
    with _clock_at(end + dt.timedelta(minutes=1)):
        booking_services.booking_check_out(actor=lab, booking=done, actual_end_at=end)
    _free_booking(firm_user, firm, voucher, hours=2)  # stays open: its part is held


@contextlib.contextmanager
def _clock_at(moment: dt.datetime):
    with mock.patch.object(timezone, "now", return_value=moment):
        yield


def _expired_voucher(reviewer: User, issuer: Organisation, firm: Organisation) -> None:
    """Last year's programme: its voucher lapsed unused at the year's end."""
    year = timezone.localdate().year - 1
    old = _programme(reviewer, issuer, name=f"浙江省科技服务券（{year} 年度）", region="330000",
                     kind=Programme.Kind.SERVICE, budget_yuan=1_000_000, rules={**HUZHOU, "providers": "all"},
                     valid_from=dt.date(year, 1, 1), valid_to=dt.date(year, 12, 31),
                     description="上一年度的服务券，年底未使用余额自动失效。")  # fmt: skip
    if not Voucher.objects.filter(programme=old, firm=firm).exists():
        voucher = issuing.voucher_issue(actor=reviewer, programme_id=old.pk, firm_id=firm.pk,
                                        amount_fen=5_000 * YUAN, note="年度服务券")  # fmt: skip
        balances.voucher_expire(voucher_id=voucher.pk)
    if old.status != Programme.Status.CLOSED:
        programmes.programme_close(actor=reviewer, programme_id=old.pk, reason="年度结束")


@transaction.atomic
def seed_vouchers_demo() -> dict[str, object]:
    today = timezone.localdate()
    year_end = dt.date(today.year, 12, 31)
    province = Organisation.objects.get(
        kind=Organisation.Kind.DEPARTMENT, name=DEMO_DEPARTMENT_NAME
    )
    reviewer = province.memberships.order_by("pk").first().user
    yuhuan, yuhuan_user = _department("玉环市科学技术局", "331083", YUHUAN_DEPT_EMAIL, "叶文涛")
    huzhou, huzhou_user = _department("湖州市科学技术局", "330500", HUZHOU_DEPT_EMAIL, "钱雅芳")
    schemes = [
        _programme(yuhuan_user, yuhuan, name="玉环市科技创新券（2023 年办法）", region="331083",
                   kind=Programme.Kind.INNOVATION, budget_yuan=5_000_000, rules=YUHUAN,
                   valid_from=dt.date(today.year, 1, 1), valid_to=year_end,
                   description="按《玉环市科技创新券管理办法（2023）》：1 万元以内全额、超出部分 50% 抵扣。"),
        _programme(huzhou_user, huzhou, name="湖州市科技服务券", region="330500",
                   kind=Programme.Kind.SERVICE, budget_yuan=3_000_000, rules=HUZHOU,
                   valid_from=dt.date(today.year, 1, 1), valid_to=year_end,
                   description="检验检测服务最高抵扣 50%，每家企业每年不超过 1 万元。"),
        _programme(reviewer, province, name="浙江省科技创新券（分级补助）", region="330000",
                   kind=Programme.Kind.INNOVATION, budget_yuan=20_000_000, rules=TIERED,
                   valid_from=dt.date(today.year, 1, 1), valid_to=year_end + dt.timedelta(days=365),
                   description="按服务机构与企业所在地分级补助：同县 50%、同市 40%、省内 30%、省外 20%。"),
    ]  # fmt: skip
    firm = Organisation.objects.get(kind=Organisation.Kind.FIRM, name=DEMO_FIRM_NAME)
    firm_user = firm.memberships.order_by("pk").first().user
    _firm_history(reviewer, schemes[2], firm, firm_user)
    _last_months_orders(reviewer, schemes[2], firm, firm_user)
    _expired_voucher(reviewer, province, firm)
    _waiting_application(schemes[2])
    return {"programmes": schemes, "yuhuan_department": yuhuan, "huzhou_department": huzhou}


LAST_MONTH_NOTE = "上月订单演示券"


def _last_months_orders(
    reviewer: User, programme: Programme, firm: Organisation, firm_user: User
) -> None:
    """Four bookings paid partly with a voucher and completed last month, lived at their
    own time, so the demo lab manager has last month's voucher amounts to claim (issue 12).
    One session ends well before its booked end: the claim's red flag shows on it."""
    first = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    first = first.replace(day=1)
    if (
        first < programme.valid_from
        or Voucher.objects.filter(
            firm=firm, programme=programme, ledger__note=LAST_MONTH_NOTE
        ).exists()
    ):
        return
    tz = timezone.get_current_timezone()
    lab = User.objects.get(email=LAB_EMAIL)
    with _clock_at(dt.datetime.combine(first, dt.time(8), tzinfo=tz)):
        voucher = issuing.voucher_issue(actor=reviewer, programme_id=programme.pk, firm_id=firm.pk,
                                        amount_fen=20_000 * YUAN, note=LAST_MONTH_NOTE)  # fmt: skip
        bookings = [_free_booking(firm_user, firm, voucher, hours=2, days=range(2, 20))
                    for _ in range(4)]  # fmt: skip
        for booking in bookings:
            if booking.status == Booking.Status.REQUESTED:
                booking_services.booking_approve(actor=lab, booking=booking)
    for i, booking in enumerate(bookings):
        with _clock_at(booking.start_at + dt.timedelta(minutes=1)):
            booking_services.booking_check_in(actor=lab, booking=booking,
                                              actual_start_at=booking.start_at)  # fmt: skip
        end = booking.start_at + dt.timedelta(minutes=40) if i == 0 else booking.end_at
        with _clock_at(end + dt.timedelta(minutes=1)):
            booking_services.booking_check_out(actor=lab, booking=booking, actual_end_at=end)


def _waiting_application(programme: Programme) -> None:
    """A verified firm elsewhere in the province waits in the reviewers' queue."""
    firm = Organisation.objects.filter(
        kind=Organisation.Kind.FIRM, name="宁波甬芯微电子有限公司"
    ).first()
    if firm is None or VoucherApplication.objects.filter(programme=programme, firm=firm).exists():
        return
    applications.application_submit(
        actor=firm.memberships.order_by("pk").first().user, programme_id=programme.pk,
        firm_id=firm.pk, amount_fen=30_000 * YUAN, purpose="芯片封装材料可靠性检测。",
    )  # fmt: skip
