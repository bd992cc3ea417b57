"""The kiosk page run by the instrument token alone: a lab manager starts it once on the
tablet (signed out of it), the tablet keeps a signed credential for that instrument's
kiosk page only, check-in by one-time code has the firm member as actor, and revoking
the token ends it."""

import pytest
from django.test import Client

from booking.models import Booking, InstrumentToken, StateChange
from booking.services import kiosk as services
from tests.booking.conftest import DAY
from tests.conftest import client_for
from tests.factories.booking import BookingFactory, at
from tests.factories.facilities import InstrumentFactory

pytestmark = pytest.mark.django_db
COOKIE = "labshare_kiosk"


@pytest.fixture
def booking(instrument, alice):
    return BookingFactory(instrument=instrument, firm=alice.memberships.get().organisation,
                          booked_by=alice, start_at=at(DAY, 9), end_at=at(DAY, 11))  # fmt: skip


def start(manager, instrument):
    client = client_for(manager)
    response = client.post(f"/lab/kiosks/{instrument.pk}/start/")
    return client, response


def test_starting_signs_the_manager_out_and_keeps_a_credential_for_this_page_only(
    manager, instrument
):
    client, response = start(manager, instrument)
    station = f"/kiosk/station/{instrument.pk}/"
    assert response.status_code == 302 and response["Location"] == station
    cookie = response.cookies[COOKIE]
    assert cookie["path"] == station and cookie["httponly"] and cookie["samesite"] == "Strict"
    token = InstrumentToken.objects.get()
    assert token.instrument_id == instrument.pk and token.revoked_at is None
    # The device is no longer signed in: the lab's pages and the API are closed to it.
    assert client.get("/lab/kiosks/").status_code == 302
    assert client.get("/api/v1/kiosk/now/").status_code == 401
    page = client.get(station)
    assert page.status_code == 200 and instrument.name in page.content.decode()
    assert 'data-testid="kiosk-station"' in page.content.decode()


def test_the_station_checks_in_by_code_with_the_member_as_actor(frozen, manager, alice,
                                                                booking, instrument):  # fmt: skip
    client, _response = start(manager, instrument)
    code = services.kiosk_code_issue(actor=alice, booking=booking).code
    frozen.move_to(at(DAY, 8, 10))
    station = f"/kiosk/station/{instrument.pk}/"
    early = client.post(station, {"credential": code, "action": "in"})
    assert early.status_code == 400 and 'data-testid="kiosk-error"' in early.content.decode()
    frozen.move_to(at(DAY, 8, 50))
    done = client.post(station, {"credential": code, "action": "in"})
    assert done.status_code == 200 and 'data-testid="kiosk-done"' in done.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CHECKED_IN
    change = StateChange.objects.get(booking=booking, to_status="checked_in")
    assert change.actor == alice and "one-time code" in change.reason


def test_the_credential_opens_only_its_own_instruments_kiosk(manager, provider, instrument):
    client, response = start(manager, instrument)
    value = response.cookies[COOKIE].value
    other = InstrumentFactory(provider=provider)
    stranger = Client()
    stranger.cookies[COOKIE] = value
    assert stranger.get(f"/kiosk/station/{other.pk}/").status_code == 403
    stranger.cookies[COOKIE] = value[:-2] + ("AA" if value[-2:] != "AA" else "BB")
    assert stranger.get(f"/kiosk/station/{instrument.pk}/").status_code == 403
    assert Client().get(f"/kiosk/station/{instrument.pk}/").status_code == 403


def test_revoking_the_token_ends_the_kiosk(manager, instrument):
    client, _response = start(manager, instrument)
    station = f"/kiosk/station/{instrument.pk}/"
    assert client.get(station).status_code == 200
    token = InstrumentToken.objects.get()
    services.instrument_token_revoke(actor=manager, token=token)
    closed = client.get(station)
    assert closed.status_code == 403 and 'data-testid="kiosk-closed"' in closed.content.decode()


def test_only_a_manager_of_the_instrument_starts_a_kiosk(alice, instrument):
    assert client_for(alice).post(f"/lab/kiosks/{instrument.pk}/start/").status_code == 404
    assert not InstrumentToken.objects.exists()
