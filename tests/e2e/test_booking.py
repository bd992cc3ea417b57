"""The demo firm user books a free slot on the week calendar in Chromium."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts import demo
from accounts.models import Organisation
from booking.models import Booking
from tests.factories.booking import reference_data
from tests.factories.facilities import InstrumentFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_firm_user_picks_a_slot_sees_the_quote_and_books(page, sign_in):
    reference_data()  # a transactional test before this one may have flushed it
    demo.seed()
    provider = Organisation.objects.get(name=demo.DEMO_PROVIDER_NAME)
    instrument = InstrumentFactory(provider=provider, requires_approval=True)
    week = timezone.localdate() + dt.timedelta(days=7)
    sign_in(demo.FIRM_EMAIL, demo.DEMO_PASSWORD)
    page.goto(f"/instruments/{instrument.pk}/book/?week={week:%Y-%m-%d}")
    first = page.locator("[data-slot]:visible").first
    day = first.get_attribute("data-day")
    first.click()
    page.locator(f'[data-slot][data-day="{day}"]:visible').nth(3).click()  # extend to 2 hours
    expect(page.get_by_test_id("quote-amount")).to_contain_text("400.00")  # 2 h × ¥200
    page.fill("#id_purpose", "红外光谱测试 6 个样品")
    page.get_by_test_id("confirm-booking").click()
    page.get_by_test_id("booking-status").wait_for()
    booking = Booking.objects.get(instrument=instrument)
    assert booking.status == Booking.Status.REQUESTED
    assert booking.end_at - booking.start_at == dt.timedelta(hours=2)
    assert page.url.endswith(f"/bookings/{booking.pk}/")
