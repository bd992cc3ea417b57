"""The demo firm pays a booking partly with a voucher in Chromium; the split the pages show
is the ledger's."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts import demo
from accounts.models import Organisation, User
from booking.models import Booking
from config.money import format_fen
from tests.factories.accounts import reference_data
from tests.factories.facilities import InstrumentFactory
from vouchers.models import LedgerEntry, Voucher
from vouchers.services import issuing, programmes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# 100% of a fee up to ¥500 and 50% of the part above, at most ¥2,000 per order.
RULES = {
    "tiers": [{"up_to_fen": 500_00, "ratio_bp": 10_000}, {"up_to_fen": None, "ratio_bp": 5_000}],
    "cap_per_order_fen": 2_000_00,
}


def _demo_voucher() -> Voucher:
    reviewer = User.objects.get(email=demo.DEPT_EMAIL)
    department = reviewer.memberships.get().organisation
    today = timezone.localdate()
    programme = programmes.programme_create(
        actor=reviewer, issuer_id=department.pk, region_code="330000", kind="innovation",
        name="端到端测试创新券", budget_fen=100_000_00, valid_from=today,
        valid_to=today + dt.timedelta(days=365), rules=RULES,
    )  # fmt: skip
    programmes.programme_publish(actor=reviewer, programme_id=programme.pk)
    firm = Organisation.objects.get(name=demo.DEMO_FIRM_NAME)
    return issuing.voucher_issue(
        actor=reviewer, programme_id=programme.pk, firm_id=firm.pk, amount_fen=1_000_00
    )


def test_firm_pays_a_booking_with_a_voucher_and_sees_the_ledgers_split(page, sign_in):
    reference_data()
    demo.seed()
    voucher = _demo_voucher()
    provider = Organisation.objects.get(name=demo.DEMO_PROVIDER_NAME)
    instrument = InstrumentFactory(provider=provider)  # ¥200/h, 30-minute slots
    week = timezone.localdate() + dt.timedelta(days=7)
    sign_in(demo.FIRM_EMAIL, demo.DEMO_PASSWORD)
    page.goto(f"/instruments/{instrument.pk}/book/?week={week:%Y-%m-%d}")
    first = page.locator("[data-slot]:visible").first
    day = first.get_attribute("data-day")
    first.click()
    page.locator(f'[data-slot][data-day="{day}"]:visible').nth(5).click()  # 3 hours: ¥600
    expect(page.get_by_test_id("quote-amount")).to_contain_text("600.00")
    page.get_by_test_id(f"voucher-{voucher.pk}").check()
    expect(page.get_by_test_id("split-voucher")).to_contain_text("550.00")  # ¥500 + ½ × ¥100
    expect(page.get_by_test_id("split-firm")).to_contain_text("50.00")
    expect(page.get_by_test_id("split-trace").first).to_contain_text("100%")
    page.fill("#id_purpose", "红外光谱测试，使用创新券")
    page.get_by_test_id("confirm-booking").click()
    page.get_by_test_id("booking-status").wait_for()

    booking = Booking.objects.get(instrument=instrument)
    hold = LedgerEntry.objects.get(voucher=voucher, kind="hold")
    assert hold.order_kind == "booking" and hold.order_id == booking.pk
    shown_voucher = page.get_by_test_id("payment-voucher").inner_text()
    shown_firm = page.get_by_test_id("payment-firm").inner_text()
    assert shown_voucher == f"−{format_fen(hold.amount_fen)}"
    assert shown_firm == format_fen(booking.quote_fen - hold.amount_fen)

    # The wallet loads a card's ledger when it is opened: the hold is there, for this order.
    page.goto("/vouchers/")
    card = page.locator(f"#voucher-{voucher.pk}")
    card.get_by_test_id("ledger-lazy").locator("summary").click()
    expect(card.locator('[data-kind="hold"]')).to_contain_text(format_fen(hold.amount_fen))
    expect(card.locator('[data-kind="hold"]')).to_contain_text(f"#{booking.pk}")

    page.goto(f"/vouchers/{voucher.pk}/")
    voucher.refresh_from_db()
    expect(page.get_by_test_id("held")).to_have_text(format_fen(voucher.held_fen))
    expect(page.get_by_test_id("available")).to_have_text(format_fen(voucher.available_fen))
    assert voucher.held_fen == hold.amount_fen
