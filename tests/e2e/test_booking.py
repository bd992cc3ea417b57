"""The demo firm user books a free slot on the week calendar in Chromium."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts import demo
from accounts.models import Organisation, User
from booking.models import Booking
from tests.factories.accounts import reference_data
from tests.factories.booking import BookingFactory
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


def _drag(page, *slots):
    """Press on the first slot, move the mouse over the others in turn, release on the last."""
    for i, slot in enumerate(slots):
        box = slot.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=4)
        if i == 0:
            page.mouse.down()
    page.mouse.up()


def _book_page_next_week(page, sign_in):
    reference_data()
    demo.seed()
    provider = Organisation.objects.get(name=demo.DEMO_PROVIDER_NAME)
    instrument = InstrumentFactory(provider=provider)  # open 08:00–20:00, ¥200/h
    week = timezone.localdate() + dt.timedelta(days=7)
    sign_in(demo.FIRM_EMAIL, demo.DEMO_PASSWORD)
    page.goto(f"/instruments/{instrument.pk}/book/?week={week:%Y-%m-%d}")
    day = page.locator("[data-slot]:visible").first.get_attribute("data-day")
    return (
        instrument,
        day,
        lambda hhmm: page.locator(f'[data-slot][data-start^="{day}T{hhmm}"]:visible'),
    )


def test_firm_user_drags_a_range_with_the_mouse_and_sees_the_quote(page, sign_in):
    _, day, slot = _book_page_next_week(page, sign_in)
    _drag(page, slot("09:00"), slot("09:30"), slot("10:00"))
    expect(page.locator("#id_start")).to_have_value(slot("09:00").get_attribute("data-start"))
    expect(page.locator("#id_end")).to_have_value(slot("10:00").get_attribute("data-end"))
    expect(page.get_by_test_id("quote-amount")).to_contain_text("300.00")  # 1.5 h × ¥200
    expect(page.locator(f'td [data-slot][data-day="{day}"].selected')).to_have_count(3)
    expect(page.get_by_test_id("confirm-booking")).to_be_enabled()


def test_dragging_up_over_a_taken_slot_stops_where_the_free_time_ends(page, sign_in):
    from booking.services.bookings import booking_create

    instrument, day, slot = _book_page_next_week(page, sign_in)
    firm_user = User.objects.get(email=demo.FIRM_EMAIL)
    start = dt.datetime.fromisoformat(f"{day}T10:00").replace(
        tzinfo=timezone.get_current_timezone()
    )
    booking_create(
        actor=firm_user, firm=firm_user.memberships.get(organisation__kind="firm").organisation,
        instrument=instrument, start_at=start, end_at=start + dt.timedelta(minutes=30), purpose="e2e",
    )  # fmt: skip
    page.reload()
    _drag(page, slot("11:00"), slot("10:30"), slot("09:30"))  # 10:00 is now taken
    expect(page.locator("#id_start")).to_have_value(slot("10:30").get_attribute("data-start"))
    expect(page.locator("#id_end")).to_have_value(slot("11:00").get_attribute("data-end"))
    expect(page.get_by_test_id("quote-amount")).to_contain_text("200.00")  # 1 h × ¥200


def test_manager_approves_checks_in_and_out_and_the_fee_shows(page, sign_in):
    reference_data()
    demo.seed()
    provider = Organisation.objects.get(name=demo.DEMO_PROVIDER_NAME)
    instrument = InstrumentFactory(provider=provider, requires_approval=True)
    firm_user = User.objects.get(email=demo.FIRM_EMAIL)
    # A session under way: booked for the half hour that has begun (written straight to the
    # table, since the booking rules refuse a start in the past), so check-in is open.
    now = timezone.localtime().replace(second=0, microsecond=0)
    start = now.replace(minute=now.minute // 30 * 30)
    booking = BookingFactory(
        instrument=instrument, firm=firm_user.memberships.get(organisation__kind="firm").organisation,
        booked_by=firm_user, start_at=start, end_at=start + dt.timedelta(hours=1),
        status=Booking.Status.REQUESTED,
    )  # fmt: skip
    sign_in(demo.LAB_EMAIL, demo.DEMO_PASSWORD)
    page.goto("/lab/approvals/")
    page.check(f"input[name=ids][value='{booking.pk}']")
    page.get_by_test_id("bulk-approve").click()
    page.goto(f"/bookings/{booking.pk}/")
    page.fill("input[name=actual_start]", f"{now - dt.timedelta(minutes=20):%Y-%m-%dT%H:%M}")
    page.get_by_test_id("check-in").click()
    page.fill("input[name=actual_end]", f"{now + dt.timedelta(minutes=90):%Y-%m-%dT%H:%M}")
    page.get_by_test_id("check-out").click()
    expect(page.get_by_test_id("session-error")).to_contain_text("未来")  # the future: refused
    page.fill("input[name=actual_end]", f"{now:%Y-%m-%dT%H:%M}")
    page.get_by_test_id("check-out").click()
    expect(page.get_by_test_id("booking-status")).to_contain_text("已完成")
    expect(page.get_by_test_id("booking-fee")).to_contain_text("¥100.00")  # the 30-min minimum
