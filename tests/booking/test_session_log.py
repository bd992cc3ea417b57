"""The session log cannot bill nonsense: check-in window, bounds on actual times, minimum
charge, the operator a member of the lab; through the service, the API and the page."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from booking.models import Booking, Session
from booking.services import bookings as services
from config.errors import Invalid
from facilities.models import Instrument
from tests.booking.conftest import DAY
from tests.conftest import client_for
from tests.factories.accounts import UserFactory, join, make_provider
from tests.factories.booking import BookingFactory, at

pytestmark = pytest.mark.django_db
B = Booking.Status


@pytest.fixture
def booking(instrument):
    """Approved, DAY 09:00–11:00 at ¥200/h."""
    return BookingFactory(instrument=instrument, start_at=at(DAY, 9), end_at=at(DAY, 11))


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def refused(code, **kwargs):
    with pytest.raises(Invalid) as caught:
        kwargs.pop("service")(**kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


def checked_in(frozen, manager, booking, start=None):
    frozen.move_to(start or at(DAY, 9))
    services.booking_check_in(actor=manager, booking=booking)
    return booking


def test_check_in_the_day_before_is_refused(frozen, manager, booking):
    error = refused("check_in_not_open", service=services.booking_check_in, actor=manager,
                    booking=booking)  # fmt: skip
    assert "08:30" in str(error.message)
    booking.refresh_from_db()
    assert booking.status == B.APPROVED and not Session.objects.exists()


def test_check_in_opens_the_set_minutes_before_the_start(frozen, settings, manager, booking):
    settings.BOOKING_CHECK_IN_OPENS_MINUTES = 15
    frozen.move_to(at(DAY, 8, 44))
    refused("check_in_not_open", service=services.booking_check_in, actor=manager, booking=booking)
    frozen.move_to(at(DAY, 8, 45))
    services.booking_check_in(actor=manager, booking=booking)
    assert booking.session.actual_start_at == at(DAY, 8, 45)


def test_actual_start_before_the_window_is_refused(frozen, manager, booking):
    frozen.move_to(at(DAY, 9, 10))
    for when in (at(DAY, 8, 29), dt.datetime(1, 1, 1, tzinfo=dt.UTC)):
        refused("actual_before_check_in", service=services.booking_check_in, actor=manager,
                booking=booking, actual_start_at=when)  # fmt: skip


def test_actual_start_in_the_future_is_refused(frozen, manager, booking):
    frozen.move_to(at(DAY, 9))
    refused("actual_in_future", service=services.booking_check_in, actor=manager,
            booking=booking, actual_start_at=at(DAY, 9, 1))  # fmt: skip


def test_actual_end_in_the_future_is_refused(frozen, manager, booking):
    checked_in(frozen, manager, booking)
    frozen.move_to(at(DAY, 10))
    refused("actual_in_future", service=services.booking_check_out, actor=manager,
            booking=booking, actual_end_at=at(DAY, 10, 30))  # fmt: skip
    booking.refresh_from_db()
    assert booking.status == B.CHECKED_IN and booking.fee_fen is None


def test_zero_minute_session_is_refused(frozen, manager, booking):
    checked_in(frozen, manager, booking)
    refused("end_before_start", service=services.booking_check_out, actor=manager,
            booking=booking, actual_end_at=at(DAY, 9))  # fmt: skip
    frozen.move_to(at(DAY, 9) + dt.timedelta(seconds=30))
    refused("empty_session", service=services.booking_check_out, actor=manager, booking=booking)


def test_fee_is_at_least_the_instruments_minimum(frozen, manager, instrument, booking):
    Instrument.objects.filter(pk=instrument.pk).update(min_minutes=60)
    booking.instrument.refresh_from_db()
    checked_in(frozen, manager, booking)
    frozen.move_to(at(DAY, 9, 10))
    services.booking_check_out(actor=manager, booking=booking)
    assert booking.fee_fen == 200_00  # 10 minutes used, billed the 60-minute minimum


def test_fee_above_the_minimum_follows_actual_use(frozen, manager, booking):
    checked_in(frozen, manager, booking)
    frozen.move_to(at(DAY, 10, 15))
    services.booking_check_out(actor=manager, booking=booking)
    assert booking.fee_fen == 250_00  # 75 minutes at ¥200/h


def test_operator_outside_the_lab_is_refused(frozen, manager, alice, booking):
    frozen.move_to(at(DAY, 9))
    for operator in (alice, alice.pk, 987654):
        refused("operator_not_member", service=services.booking_check_in, actor=manager,
                booking=booking, operator=operator)  # fmt: skip


def test_operator_of_the_lab_is_recorded(frozen, manager, provider, booking):
    colleague = UserFactory()
    join(colleague, provider)
    frozen.move_to(at(DAY, 9))
    services.booking_check_in(actor=manager, booking=booking, operator=colleague.pk)
    assert booking.session.operator == colleague


def test_operator_of_another_lab_is_refused(frozen, manager, booking):
    stranger = UserFactory()
    join(stranger, make_provider())
    frozen.move_to(at(DAY, 9))
    refused("operator_not_member", service=services.booking_check_in, actor=manager,
            booking=booking, operator=stranger)  # fmt: skip


# --- the API ---------------------------------------------------------------------------


def test_api_check_in_at_year_0001_is_400_not_a_fee(frozen, manager, booking):
    frozen.move_to(at(DAY, 9))
    r = api(manager).post(
        f"/api/v1/bookings/{booking.pk}/check-in/", {"actual_start": "0001-01-01T00:00:00Z"}
    )
    assert r.status_code == 400, r.content
    # Refused already by the API's date bounds (config.bounds), before the service's window.
    assert "actual_start" in r.json()["fields"]


def test_api_unknown_operator_is_400_not_the_caller(frozen, manager, booking):
    frozen.move_to(at(DAY, 9))
    r = api(manager).post(f"/api/v1/bookings/{booking.pk}/check-in/", {"operator": 999999})
    assert r.status_code == 400
    assert r.json()["code"] == "operator_not_member"
    assert not Session.objects.exists()


def test_api_check_in_before_the_window_is_400(frozen, manager, booking):
    r = api(manager).post(f"/api/v1/bookings/{booking.pk}/check-in/", {})
    assert r.status_code == 400 and r.json()["code"] == "check_in_not_open"


def test_api_check_out_in_the_future_is_400(frozen, manager, booking):
    checked_in(frozen, manager, booking)
    r = api(manager).post(
        f"/api/v1/bookings/{booking.pk}/check-out/", {"actual_end": at(DAY, 12).isoformat()}
    )
    assert r.status_code == 400 and r.json()["code"] == "actual_in_future"


def test_api_overlong_notes_are_400(frozen, manager, booking):
    frozen.move_to(at(DAY, 9))
    r = api(manager).post(f"/api/v1/bookings/{booking.pk}/check-in/", {"notes": "x" * 2001})
    assert r.status_code == 400 and "notes" in r.json()["fields"]


# --- the pages -------------------------------------------------------------------------


def post_action(user, booking, action, **data):
    return client_for(user).post(f"/bookings/{booking.pk}/{action}/", data)


def test_page_check_out_without_an_end_is_refused_and_keeps_the_notes(frozen, manager, booking):
    checked_in(frozen, manager, booking)
    frozen.move_to(at(DAY, 10))
    r = post_action(manager, booking, "check-out", actual_end="", notes="laser warm-up 10 min")
    assert r.status_code == 400
    assert b"laser warm-up 10 min" in r.content
    booking.refresh_from_db()
    assert booking.status == B.CHECKED_IN


def test_page_check_in_in_the_future_keeps_what_was_typed(frozen, manager, booking):
    frozen.move_to(at(DAY, 9))
    r = post_action(manager, booking, "check-in", actual_start="2026-12-01T09:40", notes="ok")
    assert r.status_code == 400
    assert b'value="2026-12-01T09:40"' in r.content
    assert b"future" in r.content
    assert not Session.objects.exists()


def test_page_check_in_and_out_bill_actual_use(frozen, manager, booking):
    frozen.move_to(at(DAY, 11))
    r = post_action(manager, booking, "check-in", actual_start="2026-12-01T09:05")
    assert r.status_code == 302
    r = post_action(manager, booking, "check-out", actual_end="2026-12-01T10:20")
    assert r.status_code == 302
    booking.refresh_from_db()
    assert (booking.status, booking.fee_fen) == (B.COMPLETED, 250_00)


def test_today_shows_when_check_in_opens(frozen, manager, booking):
    r = client_for(manager).get("/lab/today/", {"day": DAY.isoformat()})
    assert r.status_code == 200
    assert b'data-testid="check-in-opens"' in r.content and b"08:30" in r.content
    assert f"/bookings/{booking.pk}/check-in/".encode() not in r.content


def test_today_quick_check_in_too_early_says_why(frozen, manager, booking):
    r = post_action(manager, booking, "check-in", quick="1", next="/lab/today/")
    assert r.status_code == 302 and r["Location"] == "/lab/today/"
    booking.refresh_from_db()
    assert booking.status == B.APPROVED


def test_completed_booking_shows_no_empty_action_card(frozen, manager, booking):
    checked_in(frozen, manager, booking)
    frozen.move_to(at(DAY, 10))
    services.booking_check_out(actor=manager, booking=booking)
    r = client_for(manager).get(f"/bookings/{booking.pk}/")
    assert r.status_code == 200 and b"Actions" not in r.content
