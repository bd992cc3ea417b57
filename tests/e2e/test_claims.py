"""The reimbursement story of issue 12, in Chromium, as the demo people live it: the lab
manager claims last month's voucher-paid orders with invoice and proof; the department
approves all lines but one, pays and exports to Excel; draws this year's 5% audit sample,
finds a problem on one paid use, and the reversal is deducted from the provider's next
claim; the public notice shows the period's uses to someone not signed in. Every amount
checked against the ledger."""

import datetime as dt

import openpyxl
import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from accounts import demo
from accounts.models import Organisation, User
from booking.services import bookings as booking_services
from config.money import format_fen
from tests.e2e.conftest import CHROMIUM  # noqa: F401  (the browser fixtures' Chromium)
from tests.factories.accounts import reference_data
from tests.factories.booking import at
from tests.factories.facilities import InstrumentFactory
from vouchers.models import Claim, LedgerEntry, PublicNotice
from vouchers.services import issuing, programmes
from vouchers.services.audits import audit_population, sample_draw

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

RULES = {"tiers": [{"up_to_fen": None, "ratio_bp": 10_000}], "cap_per_order_fen": 2_000_00}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def _last_month() -> tuple[dt.date, dt.date]:
    end = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


def _last_months_voucher_orders(n: int = 3):
    """``n`` one-hour bookings (¥200, all paid by a voucher) completed on a day last
    month, lived at their own time."""
    reviewer = User.objects.get(email=demo.DEPT_EMAIL)
    department = reviewer.memberships.get().organisation
    firm = Organisation.objects.get(name=demo.DEMO_FIRM_NAME)
    firm_user = User.objects.get(email=demo.FIRM_EMAIL)
    lab = User.objects.get(email=demo.LAB_EMAIL)
    instrument = InstrumentFactory(provider=Organisation.objects.get(name=demo.DEMO_PROVIDER_NAME))
    start, _ = _last_month()
    day = start + dt.timedelta(days=9)
    with time_machine.travel(at(day - dt.timedelta(days=2), 10), tick=False):
        programme = programmes.programme_create(
            actor=reviewer, issuer_id=department.pk, region_code="330000", kind="innovation",
            name="兑付演示创新券", budget_fen=100_000_00, valid_from=day - dt.timedelta(days=5),
            valid_to=day + dt.timedelta(days=365), rules=RULES,
        )  # fmt: skip
        programmes.programme_publish(actor=reviewer, programme_id=programme.pk)
        voucher = issuing.voucher_issue(actor=reviewer, programme_id=programme.pk,
                                        firm_id=firm.pk, amount_fen=5_000_00)  # fmt: skip
        bookings = [booking_services.booking_create(
            actor=firm_user, firm=firm, instrument=instrument, start_at=at(day, 9 + i),
            end_at=at(day, 10 + i), purpose="材料表征（创新券）", voucher_ids=[voucher.pk],
        ) for i in range(n)]  # fmt: skip
    for b in bookings:
        with time_machine.travel(b.start_at + dt.timedelta(minutes=1), tick=False):
            booking_services.booking_check_in(actor=lab, booking=b, actual_start_at=b.start_at)
        with time_machine.travel(b.end_at, tick=False):
            booking_services.booking_check_out(actor=lab, booking=b, actual_end_at=b.end_at)
    return programme, department


def _as(browser, live_server, email=None):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN",
                                  viewport={"width": 1280, "height": 900}, accept_downloads=True)  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(20000)
    if email:
        page.goto("/accounts/login/")
        page.fill("input[name=login]", email)
        page.fill("input[name=password]", demo.DEMO_PASSWORD)
        page.locator("form [type=submit]").last.click()
        page.wait_for_load_state("networkidle")
    return page


def test_claim_review_payment_export_audit_and_public_notice(browser, live_server):
    reference_data()
    demo.seed()
    programme, department = _last_months_voucher_orders(3)
    start, end = _last_month()

    # The lab manager builds last month's claim, documents and submits it.
    lab = _as(browser, live_server, demo.LAB_EMAIL)
    lab.goto("/lab/claims/")
    expect(lab.locator("#id_period_start")).to_have_value(start.isoformat())
    lab.get_by_test_id("build-claim").click()
    lab.get_by_test_id("invoice-form").wait_for()
    claim = Claim.objects.get()
    assert (claim.line_count, claim.claimed_fen) == (3, 600_00)
    lab.fill("#id_invoice_number", "33019876")
    lab.fill("#id_invoice_date", timezone.localdate().isoformat())
    lab.set_input_files("#id_invoice_file", {"name": "发票.pdf", "mimeType": "application/pdf",
                                             "buffer": PDF})  # fmt: skip
    lab.get_by_test_id("save-invoice").click()
    lab.get_by_test_id("proof-form").wait_for()
    lab.set_input_files("[data-testid=proof-form] input[type=file]",
                        {"name": "转账凭证.png", "mimeType": "image/png", "buffer": PNG})  # fmt: skip
    lab.locator("[data-testid=proof-form] button").click()
    expect(lab.get_by_test_id("proofs-card")).to_contain_text("转账凭证.png")
    lab.get_by_test_id("submit-claim").click()
    expect(lab.get_by_test_id("status")).to_contain_text("已提交")

    # The reviewer rejects one line with a reason, approves the rest, pays, exports.
    dept = _as(browser, live_server, demo.DEPT_EMAIL)
    dept.goto("/department/claims/")
    dept.get_by_role("link", name=claim.number).click()
    rejected = claim.lines.order_by("pk").first()
    dept.locator(f"[data-testid=line-{rejected.pk}] input[name=lines]").check()
    dept.fill("#decide-form input[name=reason]", "上机记录与预约不符")
    dept.get_by_test_id("reject-lines").click()
    expect(dept.get_by_test_id(f"line-{rejected.pk}")).to_contain_text("上机记录与预约不符")
    dept.get_by_test_id("approve-claim").click()
    expect(dept.get_by_test_id("approved")).to_have_text(format_fen(400_00))
    dept.fill("#id_paid_on", timezone.localdate().isoformat())
    dept.fill("#id_payment_reference", "GK-2026-0012")
    dept.get_by_test_id("pay").click()
    expect(dept.get_by_test_id("status")).to_contain_text("已付款")
    claim.refresh_from_db()
    approved_entries = LedgerEntry.objects.filter(claim_lines__claim=claim,
                                                  claim_lines__state="approved")  # fmt: skip
    assert claim.approved_fen == sum(e.amount_fen for e in approved_entries) == 400_00
    with dept.expect_download() as info:
        dept.get_by_test_id("export-xlsx").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    with open(download.path(), "rb") as file:
        rows = list(openpyxl.load_workbook(file, read_only=True).active.values)
    header = rows[0]
    states = [r[header.index("审核状态")] for r in rows[1:]]
    assert sorted(states) == ["已批准", "已批准", "已拒绝"]
    assert {r[header.index("创新券支付（元）")] for r in rows[1:]} == {"200.00"}

    # This year's 5% sample, drawn with a seed that picks one of the paid uses.
    population = audit_population(issuer_id=department.pk,
                                  period_start=timezone.localdate().replace(month=1, day=1),
                                  period_end=timezone.localdate())  # fmt: skip
    paid = {e.pk for e in approved_entries}
    seed = next(
        s for s in range(1, 500) if set(sample_draw(population, rate_bp=500, seed=s)) <= paid
    )
    dept.goto("/department/audits/")
    expect(dept.locator("#id_rate_percent")).to_have_value("5")
    dept.fill("#id_seed", str(seed))
    dept.get_by_test_id("draw").click()
    expect(dept.get_by_test_id("sample-summary")).to_contain_text(str(seed))
    record = dept.locator("[data-testid^=record-]").first
    record.locator("select[name=result]").select_option("problem")
    record.locator("input[name=note]").fill("实际未使用仪器")
    record.locator("input[name=reverse_amount]").fill("200")
    record.locator("[data-testid^=check-]").click()
    expect(dept.locator("[data-testid^=record-]").first).to_contain_text("实际未使用仪器")
    reversal = LedgerEntry.objects.get(kind="reverse")
    assert reversal.amount_fen == 200_00

    # The provider's next claim takes the rejected line again and owes the reversal back.
    lab.goto("/lab/claims/")
    lab.get_by_test_id("build-claim").click()
    lab.get_by_test_id("deduction").wait_for()
    following = Claim.objects.exclude(pk=claim.pk).get()
    assert following.lines.get().capture_entry_id == rejected.capture_entry_id
    assert (following.claimed_fen, following.deduction_fen, following.payable_fen) == (
        200_00, 200_00, 0)  # fmt: skip
    expect(lab.get_by_test_id("deduction")).to_have_text("−" + format_fen(200_00))
    expect(lab.get_by_test_id("deductions")).to_contain_text("实际未使用仪器")

    # The department publishes last month's uses; anyone reads them without signing in.
    dept.goto("/department/notices/")
    dept.select_option("#n-programme", str(programme.pk))
    dept.fill("#n-start", start.isoformat())
    dept.fill("#n-end", end.isoformat())
    dept.locator("#n-end").evaluate("e => e.form.requestSubmit()")
    dept.get_by_test_id("notice-rows").wait_for()
    notice = PublicNotice.objects.get()
    anonymous = _as(browser, live_server)
    anonymous.goto(f"/notices/{notice.pk}/")
    rows = anonymous.locator("[data-testid=notice-rows] tbody tr")
    expect(rows).to_have_count(3)
    expect(anonymous.get_by_test_id("notice-rows")).to_contain_text(demo.DEMO_FIRM_NAME)
    assert notice.total_fen == 600_00
