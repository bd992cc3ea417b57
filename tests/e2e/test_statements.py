"""At the month's end the demo firm downloads its statement as PDF and Excel and asks for
an invoice; the lab manager marks it issued with the invoice number. In Chromium."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from accounts import demo
from accounts.models import Organisation, User
from booking.services import bookings as booking_services
from statements.models import InvoiceRequest
from statements.services import statements_issue_month
from tests.factories.accounts import reference_data
from tests.factories.booking import at
from tests.factories.facilities import InstrumentFactory
from tests.statements.conftest import DETAILS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _completed_booking():
    """A two-hour booking (¥400) of the demo firm at the demo provider, used in full."""
    firm_user, lab_user = (User.objects.get(email=e) for e in (demo.FIRM_EMAIL, demo.LAB_EMAIL))
    firm = Organisation.objects.get(name=demo.DEMO_FIRM_NAME)
    provider = Organisation.objects.get(name=demo.DEMO_PROVIDER_NAME)
    instrument = InstrumentFactory(provider=provider)
    start = at(timezone.localdate() + dt.timedelta(days=2), 9)
    booking = booking_services.booking_create(
        actor=firm_user, firm=firm, instrument=instrument, start_at=start,
        end_at=start + dt.timedelta(hours=2), purpose="对账单测试",
    )  # fmt: skip
    with time_machine.travel(start + dt.timedelta(minutes=1), tick=False):
        booking_services.booking_check_in(actor=lab_user, booking=booking, actual_start_at=start)
    end = start + dt.timedelta(hours=2)
    with time_machine.travel(end, tick=False):
        booking_services.booking_check_out(actor=lab_user, booking=booking, actual_end_at=end)
    return booking


def test_firm_downloads_its_statement_and_gets_its_invoice(page, sign_in):
    reference_data()
    demo.seed()
    booking = _completed_booking()
    month = timezone.localtime(booking.start_at).date().replace(day=1)
    first_of_next = (month + dt.timedelta(days=32)).replace(day=1)
    with time_machine.travel(timezone.make_aware(dt.datetime.combine(first_of_next, dt.time(8))),
                             tick=True):  # fmt: skip
        [statement] = statements_issue_month(month=month)
        sign_in(demo.FIRM_EMAIL, demo.DEMO_PASSWORD)
        page.goto("/statements/")
        page.locator("[data-testid=statements] a").first.click()
        expect(page.get_by_test_id("total-firm")).to_contain_text("400.00")
        for label, suffix in (("PDF", ".pdf"), ("Excel", ".xlsx")):
            with page.expect_download() as download:
                page.get_by_test_id("downloads").get_by_text(label).click()
            assert download.value.suggested_filename == f"{statement.number}{suffix}"
        form = page.get_by_test_id("request-invoice")
        for name in ("title", "tax_number", "address", "bank"):
            form.locator(f"[name={name}]").fill(DETAILS[name])
        page.get_by_test_id("request-invoice-button").click()
        expect(page.get_by_test_id("invoice")).to_contain_text("已申请开票")
        page.context.clear_cookies()
        sign_in(demo.LAB_EMAIL, demo.DEMO_PASSWORD)
        page.goto(f"/statements/{statement.pk}/")
        page.get_by_test_id("issue-invoice").locator("[name=invoice_number]").fill("33002612")
        page.get_by_test_id("issue-invoice").get_by_role("button").click()
        expect(page.get_by_test_id("invoice-number")).to_have_text("33002612")
    request = InvoiceRequest.objects.get(statement=statement)
    assert (request.status, request.amount_fen) == ("issued", 400_00)
