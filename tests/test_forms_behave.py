"""Forms that behave: a booking without a slot is a 400 that says so, bulk approval with
nothing ticked says so, free text has a length limit everywhere, a testing-request page
sent twice places one order, and ``next`` never leads off the site."""

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from booking.models import Booking, ServiceRequest
from booking.services.bookings import booking_create
from booking.services.service_requests import service_request_create
from config.errors import Invalid
from config.text import LONG_TEXT
from facilities.services.instruments import instrument_update
from tests.booking.conftest import DAY, NOW
from tests.conftest import client_for
from tests.factories.booking import BookingFactory, at
from tests.factories.facilities import InstrumentFactory, TestingServiceFactory

pytestmark = pytest.mark.django_db
HUGE = "样" * 100_000


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def instrument(provider):
    return InstrumentFactory(provider=provider)


@pytest.fixture
def service(provider):
    return TestingServiceFactory(provider=provider, price_fen=300_00)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_booking_without_a_slot_is_400_and_says_so(frozen, alice, instrument):
    r = client_for(alice).post(f"/instruments/{instrument.pk}/book/", {"purpose": "XRD"})
    assert r.status_code == 400
    assert "Pick a time on the calendar first" in r.content.decode()
    assert "XRD" in r.content.decode()  # what was typed stays
    assert not Booking.objects.exists()


def test_booking_with_an_unreadable_time_is_400(frozen, alice, instrument):
    data = {"start": "soon", "end": "later", "purpose": "XRD"}
    r = client_for(alice).post(f"/instruments/{instrument.pk}/book/", data)
    assert r.status_code == 400 and "could not be read" in r.content.decode()


def test_booking_refused_by_a_rule_is_400_with_the_rule(frozen, alice, instrument):
    data = {"start": at(DAY, 6).isoformat(), "end": at(DAY, 7).isoformat(), "purpose": "XRD"}
    r = client_for(alice).post(f"/instruments/{instrument.pk}/book/", data)
    assert r.status_code == 400 and 'data-testid="booking-error"' in r.content.decode()


def test_booking_taken_slot_is_409(frozen, alice, instrument):
    BookingFactory(instrument=instrument, start_at=at(DAY, 9), end_at=at(DAY, 10))
    data = {"start": at(DAY, 9).isoformat(), "end": at(DAY, 10).isoformat(), "purpose": "XRD"}
    r = client_for(alice).post(f"/instruments/{instrument.pk}/book/", data)
    assert r.status_code == 409


def test_approve_selected_with_nothing_ticked_says_so(manager):
    r = client_for(manager).post("/lab/approvals/", {}, follow=True)
    assert "none was selected" in r.content.decode()


def test_huge_booking_purpose_is_refused_by_the_service(frozen, alice, instrument):
    with pytest.raises(Invalid) as caught:
        booking_create(actor=alice, firm=alice.memberships.get().organisation_id,
                       instrument=instrument, start_at=at(DAY, 9), end_at=at(DAY, 10),
                       purpose=HUGE)  # fmt: skip
    assert caught.value.code == "text_too_long" and "purpose" in caught.value.fields


def test_huge_sample_description_is_refused_on_the_page_and_the_api(alice, service):
    page = client_for(alice).post(
        reverse("frontend:service-request-create", args=[service.pk]),
        {"sample_count": 1, "sample_description": HUGE, "delivery": "drop_off"},
    )
    assert page.status_code == 400
    r = api(alice).post(
        "/api/v1/service-requests/",
        {"service": service.pk, "sample_count": 1, "sample_description": HUGE},
        format="json",
    )
    assert r.status_code == 400 and "sample_description" in r.json()["fields"]
    assert not ServiceRequest.objects.exists()


def test_service_refuses_a_huge_sample_description(alice, service):
    with pytest.raises(Invalid) as caught:
        service_request_create(actor=alice, firm=alice.memberships.get().organisation,
                               service=service, sample_count=1,
                               sample_description="x" * (LONG_TEXT + 1))  # fmt: skip
    assert "sample_description" in caught.value.fields


def test_huge_reason_is_refused_through_the_api(frozen, alice, manager, instrument):
    booking = BookingFactory(instrument=instrument, status=Booking.Status.REQUESTED)
    r = api(manager).post(f"/api/v1/bookings/{booking.pk}/reject/", {"reason": HUGE})
    assert r.status_code == 400
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REQUESTED


def test_huge_instrument_specifications_are_refused(manager, instrument):
    with pytest.raises(Invalid) as caught:
        instrument_update(actor=manager, instrument=instrument, specifications=HUGE)
    assert "specifications" in caught.value.fields


def test_testing_request_page_sent_twice_places_one_order(alice, service):
    client = client_for(alice)
    url = reverse("frontend:service-request-create", args=[service.pk])
    page = client.get(url).content.decode()
    key = page.split('name="idempotency_key" value="')[1].split('"')[0]
    data = {"sample_count": 2, "sample_description": "两件钢板", "delivery": "drop_off",
            "idempotency_key": key}  # fmt: skip
    first = client.post(url, data)
    again = client.post(url, data)  # browser back, submit again
    assert ServiceRequest.objects.count() == 1
    assert first.status_code == again.status_code == 302 and first.url == again.url
    assert "sent already" in client.get(again.url).content.decode()
    fresh = client.get(url).content.decode()
    assert key not in fresh  # a new page, a new order


def test_a_refused_order_can_be_corrected_and_sent_with_the_same_key(alice, service):
    client = client_for(alice)
    url = reverse("frontend:service-request-create", args=[service.pk])
    data = {"sample_count": 2, "sample_description": "水样", "delivery": "courier",
            "idempotency_key": "k-1"}  # fmt: skip
    assert client.post(url, data).status_code == 400  # no tracking number
    r = client.post(url, data | {"tracking_number": "SF123"})
    assert r.status_code == 302 and ServiceRequest.objects.count() == 1


@pytest.mark.parametrize(
    "target", ["https://evil.example.com/", "//evil.example.com/x", "javascript:alert(1)"]
)
def test_next_never_leads_off_the_site(frozen, manager, instrument, target):
    booking = BookingFactory(instrument=instrument, status=Booking.Status.REQUESTED)
    r = client_for(manager).post(f"/bookings/{booking.pk}/approve/", {"next": target})
    assert r.status_code == 302 and r["Location"] == f"/bookings/{booking.pk}/"


def test_next_inside_the_site_is_followed(frozen, manager, instrument):
    booking = BookingFactory(instrument=instrument, status=Booking.Status.REQUESTED)
    r = client_for(manager).post(f"/bookings/{booking.pk}/approve/", {"next": "/lab/today/"})
    assert r["Location"] == "/lab/today/"
