"""Kiosk and interlock: instrument tokens (shown once, stored hashed, revocable), check-in
and out by one-time code or badge through the same window and fee, who may use the
instrument now; the API's 401s, the firm's code on its booking page, the kiosk page."""

import hashlib

import pytest
from rest_framework.test import APIClient

from accounts.services import api_token_create, user_profile_update
from booking.models import Booking, InstrumentToken, KioskCode, StateChange
from booking.services import kiosk as services
from config.errors import Conflict, Forbidden
from tests.booking.conftest import DAY
from tests.conftest import client_for
from tests.factories.booking import BookingFactory, at
from tests.factories.facilities import InstrumentFactory

pytestmark = pytest.mark.django_db
B = Booking.Status


@pytest.fixture
def booking(instrument, alice):
    """Alice's firm's approved booking, DAY 09:00–11:00 at ¥200/h."""
    return BookingFactory(instrument=instrument, firm=alice.memberships.get().organisation,
                          booked_by=alice, start_at=at(DAY, 9), end_at=at(DAY, 11))  # fmt: skip


@pytest.fixture
def key(manager, instrument):
    _token, key = services.instrument_token_create(
        actor=manager, instrument=instrument, name="PC beside the FTIR"
    )
    return key


def box(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Instrument {key}")
    return client


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def code_for(alice, booking) -> str:
    return services.kiosk_code_issue(actor=alice, booking=booking).code


def test_a_token_is_shown_once_and_stored_as_its_digest(manager, instrument):
    response = api(manager).post("/api/v1/instrument-tokens/",
                                 {"instrument": instrument.pk, "name": "Interlock 1"},
                                 format="json")  # fmt: skip
    assert response.status_code == 201, response.json()
    key = response.json()["key"]
    token = InstrumentToken.objects.get()
    assert token.digest == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {token.prefix, token.digest} and token.prefix == key[:8]
    listed = api(manager).get("/api/v1/instrument-tokens/").json()["results"]
    assert listed[0]["prefix"] == key[:8] and "key" not in listed[0]


def test_only_the_instruments_lab_makes_or_sees_tokens(alice, manager, instrument, key):
    with pytest.raises(Forbidden):
        services.instrument_token_create(actor=alice, instrument=instrument, name="x")
    response = api(alice).post(
        "/api/v1/instrument-tokens/", {"instrument": instrument.pk, "name": "x"}, format="json"
    )
    assert response.status_code == 404
    assert api(alice).get("/api/v1/instrument-tokens/").json()["results"] == []


def test_check_in_and_out_by_code_through_the_session_rules(frozen, alice, booking, key):
    code = code_for(alice, booking)
    frozen.move_to(at(DAY, 8, 50))
    response = box(key).post("/api/v1/kiosk/check-in/", {"code": code}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "checked_in"
    booking.refresh_from_db()
    change = StateChange.objects.get(booking=booking, to_status=B.CHECKED_IN)
    assert change.actor == alice and "PC beside the FTIR" in change.reason
    assert booking.session.operator == alice
    frozen.move_to(at(DAY, 10))
    response = box(key).post("/api/v1/kiosk/check-out/", {"code": code}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "completed"
    assert response.json()["fee_fen"] == 200_00 * 70 // 60  # 08:50–10:00 at ¥200/h
    assert KioskCode.objects.get(booking=booking).used_at is not None
    spent = box(key).post("/api/v1/kiosk/check-out/", {"code": code}, format="json")
    assert spent.status_code == 404 and spent.json()["code"] == "kiosk_no_booking"


def test_kiosk_check_in_outside_the_window_is_refused(frozen, alice, booking, key):
    code = code_for(alice, booking)
    frozen.move_to(at(DAY, 8, 29))  # check-in opens 30 minutes before 09:00
    response = box(key).post("/api/v1/kiosk/check-in/", {"code": code}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "check_in_not_open"
    booking.refresh_from_db()
    assert booking.status == B.APPROVED


def test_check_in_by_badge(frozen, alice, booking, key):
    user_profile_update(actor=alice, badge_number="ZJU-0042")
    frozen.move_to(at(DAY, 9, 5))
    response = box(key).post("/api/v1/kiosk/check-in/", {"badge": "ZJU-0042"}, format="json")
    assert response.status_code == 200 and response.json()["id"] == booking.pk
    unknown = box(key).post("/api/v1/kiosk/check-in/", {"badge": "NOPE"}, format="json")
    assert unknown.status_code == 404 and unknown.json()["code"] == "kiosk_no_booking"
    empty = box(key).post("/api/v1/kiosk/check-in/", {}, format="json")
    assert empty.status_code == 400 and empty.json()["code"] == "credential_required"


def test_a_badge_number_belongs_to_one_person(alice, bob):
    user_profile_update(actor=alice, badge_number="B-1")
    with pytest.raises(Conflict) as caught:
        user_profile_update(actor=bob, badge_number="B-1")
    assert caught.value.code == "badge_taken"
    response = api(bob).patch("/api/v1/me/", {"badge_number": "B-1"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "badge_taken"


def test_a_token_works_only_at_its_own_instrument(frozen, alice, manager, provider, booking):
    other = InstrumentFactory(provider=provider)
    _t, other_key = services.instrument_token_create(actor=manager, instrument=other, name="B")
    code = code_for(alice, booking)
    frozen.move_to(at(DAY, 9))
    response = box(other_key).post("/api/v1/kiosk/check-in/", {"code": code}, format="json")
    assert response.status_code == 404
    booking.refresh_from_db()
    assert booking.status == B.APPROVED


def test_revocation_works_at_once(manager, key):
    assert box(key).get("/api/v1/kiosk/now/").status_code == 200
    token = InstrumentToken.objects.get()
    response = api(manager).post(f"/api/v1/instrument-tokens/{token.pk}/revoke/")
    assert response.status_code == 200 and response.json()["revoked_at"]
    assert box(key).get("/api/v1/kiosk/now/").status_code == 401
    again = api(manager).post(f"/api/v1/instrument-tokens/{token.pk}/revoke/")
    assert again.status_code == 409 and again.json()["code"] == "token_revoked"


def test_wrong_missing_or_other_tokens_are_refused(alice, key):
    assert box("not-a-key").post("/api/v1/kiosk/check-in/", {"code": "1"}).status_code == 401
    assert APIClient().get("/api/v1/kiosk/now/").status_code == 401
    _t, user_key = api_token_create(actor=alice, name="ERP")
    user_client = APIClient()
    user_client.credentials(HTTP_AUTHORIZATION=f"Token {user_key}")
    assert user_client.get("/api/v1/kiosk/now/").status_code == 401  # a person's token
    assert box(key).get("/api/v1/bookings/").status_code in (401, 403)  # opens nothing else


def test_now_says_who_may_use_the_instrument(frozen, alice, booking, key):
    frozen.move_to(at(DAY, 8))
    early = box(key).get("/api/v1/kiosk/now/").json()
    assert early["current"] is None and early["next"]["booking"] == booking.pk
    frozen.move_to(at(DAY, 8, 40))
    now = box(key).get("/api/v1/kiosk/now/").json()
    assert now["current"]["booking"] == booking.pk
    assert now["current"]["firm_name"] == booking.firm.name


def test_the_firm_gets_its_code_on_its_booking_page(alice, bob, booking):
    client = client_for(alice)
    page = client.get(f"/bookings/{booking.pk}/").content.decode()
    assert 'data-testid="issue-kiosk-code"' in page and 'data-testid="kiosk-code"' not in page
    assert client.post(f"/kiosk/bookings/{booking.pk}/code/").status_code == 302
    code = KioskCode.objects.get(booking=booking).code
    assert code in client.get(f"/bookings/{booking.pk}/").content.decode()
    assert client_for(bob).post(f"/kiosk/bookings/{booking.pk}/code/").status_code == 404
    api_code = api(alice).post(f"/api/v1/bookings/{booking.pk}/kiosk-code/")
    assert api_code.status_code == 201 and api_code.json()["code"] != code  # a fresh one


def test_the_kiosk_page_checks_in_with_the_code(frozen, alice, manager, booking, instrument):
    code = code_for(alice, booking)
    client = client_for(manager)
    frozen.move_to(at(DAY, 8, 10))
    early = client.post(f"/lab/kiosks/{instrument.pk}/", {"credential": code, "action": "in"})
    assert early.status_code == 400 and "Check-in opens at" in early.content.decode()
    frozen.move_to(at(DAY, 8, 45))
    response = client.post(f"/lab/kiosks/{instrument.pk}/", {"credential": code, "action": "in"})
    assert response.status_code == 200 and 'data-testid="kiosk-done"' in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == B.CHECKED_IN
    assert client_for(alice).get(f"/lab/kiosks/{instrument.pk}/").status_code == 404


def test_the_kiosks_page_shows_a_new_key_once_and_revokes(manager, instrument, provider):
    client = client_for(manager)
    response = client.post("/lab/kiosks/", {"instrument": instrument.pk, "name": "Tablet"})
    assert response.status_code == 200
    token = InstrumentToken.objects.get()
    body = response.content.decode()
    assert 'data-testid="token-key"' in body
    assert 'data-testid="token-key"' not in client.get("/lab/kiosks/").content.decode()
    assert client.post(f"/lab/kiosks/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == manager


def test_the_profile_page_sets_and_refuses_a_badge_number(alice, bob):
    user_profile_update(actor=bob, badge_number="B-7")
    client = client_for(alice)
    form = {"full_name": "Alice", "phone": "", "language": "en"}
    taken = client.post("/account/profile/", form | {"badge_number": "B-7"})
    assert taken.status_code == 200 and "belongs to someone else" in taken.content.decode()
    assert client.post("/account/profile/", form | {"badge_number": "ZJU-1"}).status_code == 302
    alice.refresh_from_db()
    assert alice.badge_number == "ZJU-1"
    client.post("/account/profile/", form | {"badge_number": ""})
    alice.refresh_from_db()
    assert alice.badge_number is None
