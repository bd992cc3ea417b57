"""Issue 16 in Chromium, as a new user would: a weekly series previewed and booked "the
free ones", a firm moving its booking, a waitlist join → the holder cancels → the claim,
and the kiosk started on a tablet checking a session in with the one-time code."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts import demo
from accounts.models import Organisation, User
from booking.models import Booking, BookingSeries, WaitlistEntry
from booking.services.bookings import booking_cancel
from tests.factories.accounts import UserFactory, join, make_firm, reference_data
from tests.factories.booking import BookingFactory, at
from tests.factories.facilities import InstrumentFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _demo():
    reference_data()  # a transactional test before this one may have flushed it
    demo.seed()
    provider = Organisation.objects.get(name=demo.DEMO_PROVIDER_NAME)
    firm_user = User.objects.get(email=demo.FIRM_EMAIL)
    firm = firm_user.memberships.get(organisation__kind="firm").organisation
    return provider, firm_user, firm


def _weekday(days: int, weekday: int | None = None) -> dt.date:
    day = timezone.localdate() + dt.timedelta(days=days)
    while (weekday is not None and day.weekday() != weekday) or day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _second_page(browser, live_server):
    """A second device (the holder's PC, the tablet at the instrument), CSP-checked too."""
    context = browser.new_context(base_url=live_server.url, locale="zh-CN",
                                  viewport={"width": 1024, "height": 768})  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(15000)
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)  # fmt: skip
    return context, page, blocked


def _sign_in(page, email):
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", demo.DEMO_PASSWORD)
    page.locator("form [type=submit]").last.click()
    page.wait_for_load_state("networkidle")


def test_weekly_series_preview_marks_the_clash_and_books_the_free_ones(page, sign_in):
    provider, _user, _firm = _demo()
    instrument = InstrumentFactory(provider=provider, horizon_days=400)
    first = _weekday(7, weekday=1)  # a Tuesday at least a week ahead
    BookingFactory(instrument=instrument, start_at=at(first + dt.timedelta(weeks=2), 9),
                   end_at=at(first + dt.timedelta(weeks=2), 10))  # another firm's  # fmt: skip
    sign_in(demo.FIRM_EMAIL, demo.DEMO_PASSWORD)
    page.goto(f"/instruments/{instrument.pk}/series/")
    page.fill("[name=day]", first.isoformat())
    page.fill("[name=start_time]", "09:00")
    page.fill("[name=end_time]", "11:00")
    page.select_option("[name=frequency]", "weekly")
    page.check("#ends-count")
    page.fill("[name=count]", "6")
    page.fill("[name=purpose]", "每周二上午红外光谱测试")
    page.get_by_test_id("series-preview").click()
    expect(page.locator('[data-problem="clash"]')).to_have_count(1)
    expect(page.locator('[data-problem="free"]')).to_have_count(5)
    page.check("#mode-free")
    page.get_by_test_id("series-book").click()
    page.wait_for_url("**/series/*/")
    series = BookingSeries.objects.get()
    assert Booking.objects.filter(series=series).count() == 5
    expect(page.get_by_test_id("series-occurrences")).to_be_visible()


def test_firm_moves_its_booking_from_the_booking_page(page, sign_in):
    provider, user, firm = _demo()
    instrument = InstrumentFactory(provider=provider)
    day = _weekday(4)
    booking = BookingFactory(instrument=instrument, firm=firm, booked_by=user,
                             start_at=at(day, 9), end_at=at(day, 10))  # fmt: skip
    sign_in(demo.FIRM_EMAIL, demo.DEMO_PASSWORD)
    page.goto(f"/bookings/{booking.pk}/")
    move = page.locator("form[action$='/move/']")
    move.locator("[name=day]").fill(day.isoformat())
    move.locator("[name=start_time]").fill("14:00")
    move.locator("[name=end_time]").fill("15:00")
    move.locator("[name=reason]").fill("样品晚到")
    with page.expect_navigation():
        page.get_by_test_id("move").click()
    expect(page.get_by_test_id("move-error")).to_have_count(0)
    booking.refresh_from_db()
    assert (booking.start_at, booking.end_at) == (at(day, 14), at(day, 15))


def test_waitlist_join_then_the_holder_cancels_then_the_firm_claims(page, sign_in):
    provider, _user, firm = _demo()
    instrument = InstrumentFactory(provider=provider)
    holder_firm = make_firm()
    holder = UserFactory()
    join(holder, holder_firm)
    day = _weekday(5)
    held = BookingFactory(instrument=instrument, firm=holder_firm, booked_by=holder,
                          start_at=at(day, 9), end_at=at(day, 11))  # fmt: skip
    sign_in(demo.FIRM_EMAIL, demo.DEMO_PASSWORD)
    page.goto(f"/instruments/{instrument.pk}/book/?week={day:%Y-%m-%d}")
    form = page.get_by_test_id("waitlist-form")
    form.locator("[name=waitlist-start]").fill(f"{day:%Y-%m-%d}T09:00")
    form.locator("[name=waitlist-end]").fill(f"{day:%Y-%m-%d}T11:00")
    form.locator("[name=waitlist-purpose]").fill("XRD 物相分析（候补）")
    with page.expect_navigation():
        page.get_by_test_id("join-waitlist").click()
    expect(page.get_by_test_id("waitlist-status")).to_have_count(1)
    entry = WaitlistEntry.objects.get(firm=firm)
    assert entry.status == WaitlistEntry.Status.WAITING
    booking_cancel(actor=holder, booking=held, reason="样品未到")  # the holder cancels
    page.goto("/waitlist/")
    page.get_by_test_id("claim").click()
    page.wait_for_url("**/bookings/*/")
    claimed = Booking.objects.get(firm=firm, instrument=instrument)
    assert (claimed.start_at, claimed.end_at) == (at(day, 9), at(day, 11))
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.CLAIMED and entry.booking_id == claimed.pk


def test_kiosk_started_on_a_tablet_checks_in_with_the_one_time_code(page, sign_in, browser,
                                                                    live_server):  # fmt: skip
    provider, user, firm = _demo()
    instrument = InstrumentFactory(provider=provider, name="自助终端演示仪器")
    start = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(minutes=10)
    booking = BookingFactory(instrument=instrument, firm=firm, booked_by=user, start_at=start,
                             end_at=start + dt.timedelta(hours=1))  # fmt: skip
    sign_in(demo.FIRM_EMAIL, demo.DEMO_PASSWORD)
    page.goto(f"/bookings/{booking.pk}/")
    with page.expect_navigation():
        page.get_by_test_id("issue-kiosk-code").click()
    code = page.get_by_test_id("kiosk-code").inner_text().strip()
    assert len(code) == 8 and code.isdigit()

    context, tablet, blocked = _second_page(browser, live_server)
    try:
        _sign_in(tablet, demo.LAB_EMAIL)
        tablet.goto("/lab/kiosks/")
        tablet.once("dialog", lambda dialog: dialog.accept())
        row = tablet.locator(".list-group-item", has_text="自助终端演示仪器")
        row.get_by_test_id("start-kiosk").click()
        tablet.wait_for_url(f"**/kiosk/station/{instrument.pk}/")
        expect(tablet.get_by_test_id("kiosk-instrument")).to_have_text("自助终端演示仪器")
        tablet.fill("[name=credential]", code)
        tablet.get_by_test_id("kiosk-check-in").click()
        expect(tablet.get_by_test_id("kiosk-done")).to_be_visible()
        booking.refresh_from_db()
        assert booking.status == Booking.Status.CHECKED_IN
        # The tablet is signed out: the lab's pages ask for a sign-in.
        tablet.goto("/lab/kiosks/")
        assert "/accounts/login/" in tablet.url
    finally:
        context.close()
    assert not blocked, blocked
