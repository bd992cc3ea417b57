"""One acting organisation for every page and endpoint (accounts.acting).

Carol is in two firms; Dave is in one firm and manages a lab. Each order belongs to
the firm chosen, never to one guessed; an ambiguous request is refused with a clear
400 (API) or answered with the chooser (pages).
"""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from booking.models import Booking, ServiceRequest
from facilities.models import Instrument
from tests.conftest import client_for
from tests.factories.accounts import UserFactory, join, make_firm, make_provider
from tests.factories.booking import at
from tests.factories.facilities import CategoryFactory, InstrumentFactory, TestingServiceFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 12, 1)  # a Tuesday; "now" is the Monday before, at noon


@pytest.fixture
def frozen():
    with time_machine.travel(at(DAY - dt.timedelta(days=1), 12), tick=False):
        yield


@pytest.fixture
def carol(firm_a, firm_b):
    """A member of firm A and of firm B."""
    user = UserFactory(email="carol@example.cn")
    join(user, firm_a)
    join(user, firm_b)
    return user


@pytest.fixture
def dave(provider):
    """A member of one firm who also manages ``provider``."""
    user = UserFactory(email="dave@example.cn")
    user.dave_firm = make_firm()
    join(user, user.dave_firm)
    join(user, provider, admin=True)
    return user


@pytest.fixture
def instrument(provider):
    return InstrumentFactory(provider=provider)


@pytest.fixture
def service(provider):
    return TestingServiceFactory(provider=provider, price_fen=300_00)


def api(user, **headers) -> APIClient:
    client = APIClient(headers=headers)
    client.force_authenticate(user)
    return client


def booking_body(instrument, **extra):
    return {"instrument": instrument.pk, "start": at(DAY, 9).isoformat(),
            "end": at(DAY, 10).isoformat(), "purpose": "XRD", **extra}  # fmt: skip


def order_body(service, **extra):
    return {"service": service.pk, "sample_count": 2, "sample_description": "钢板",
            "delivery": "drop_off", **extra}  # fmt: skip


def switch(client, user, org):
    membership = user.memberships.get(organisation=org)
    client.post(reverse("frontend:switch-acting-as"), {"membership": membership.pk})


# --- API -------------------------------------------------------------------------------


def test_api_refuses_a_member_of_two_firms_who_names_none(frozen, carol, instrument, service):
    r = api(carol).post("/api/v1/bookings/", booking_body(instrument), format="json")
    assert (r.status_code, r.json()["code"]) == (400, "acting_organisation_required")
    assert "firm" in r.json()["fields"]
    r = api(carol).post("/api/v1/service-requests/", order_body(service), format="json")
    assert (r.status_code, r.json()["code"]) == (400, "acting_organisation_required")
    assert not Booking.objects.exists() and not ServiceRequest.objects.exists()


def test_api_books_for_one_firm_and_orders_a_test_for_the_other(
    frozen, carol, firm_a, firm_b, instrument, service
):
    r = api(carol).post(
        "/api/v1/bookings/", booking_body(instrument, firm=firm_a.pk), format="json"
    )
    assert r.status_code == 201, r.json()
    assert Booking.objects.get(pk=r.json()["id"]).firm == firm_a
    r = api(carol, **{"X-Acting-Organisation": str(firm_b.pk)}).post(
        "/api/v1/service-requests/", order_body(service), format="json"
    )
    assert r.status_code == 201, r.json()
    assert ServiceRequest.objects.get(pk=r.json()["id"]).firm == firm_b


def test_api_refuses_a_firm_the_caller_is_not_in(frozen, carol, instrument):
    stranger = make_firm()
    r = api(carol).post(
        "/api/v1/bookings/", booking_body(instrument, firm=stranger.pk), format="json"
    )
    assert (r.status_code, r.json()["code"]) == (400, "acting_organisation_invalid")


def test_api_refuses_field_and_header_that_disagree(frozen, carol, firm_a, firm_b, instrument):
    client = api(carol, **{"X-Acting-Organisation": str(firm_b.pk)})
    r = client.post("/api/v1/bookings/", booking_body(instrument, firm=firm_a.pk), format="json")
    assert (r.status_code, r.json()["code"]) == (400, "acting_organisation_invalid")
    r = api(carol, **{"X-Acting-Organisation": "firm-a"}).post(
        "/api/v1/bookings/", booking_body(instrument), format="json"
    )
    assert (r.status_code, r.json()["code"]) == (400, "acting_organisation_invalid")


def test_api_needs_no_choice_from_a_firm_member_who_also_manages_a_lab(
    frozen, dave, instrument, service
):
    r = api(dave).post("/api/v1/bookings/", booking_body(instrument), format="json")
    assert r.status_code == 201, r.json()
    assert Booking.objects.get().firm == dave.dave_firm
    r = api(dave).post("/api/v1/service-requests/", order_body(service), format="json")
    assert ServiceRequest.objects.get().firm == dave.dave_firm


def test_api_refuses_the_lab_as_the_firm_to_order_for(frozen, dave, provider, instrument):
    client = api(dave, **{"X-Acting-Organisation": str(provider.pk)})
    r = client.post("/api/v1/bookings/", booking_body(instrument), format="json")
    assert (r.status_code, r.json()["code"]) == (400, "acting_organisation_invalid")


def test_api_for_a_lab_manager_of_two_labs_needs_the_lab_named(provider, manager):
    second = make_provider()
    join(manager, second, admin=True)
    payload = {"name": "拉曼光谱仪", "model_number": "LabRAM", "category": CategoryFactory().pk}
    r = api(manager).post("/api/v1/instruments/", payload, format="json")
    assert (r.status_code, r.json()["code"]) == (400, "acting_organisation_required")
    client = api(manager, **{"X-Acting-Organisation": str(second.pk)})
    r = client.post("/api/v1/instruments/", payload, format="json")
    assert r.status_code == 201, r.json()
    assert Instrument.objects.get().provider == second


def test_schema_documents_the_header_and_the_firm_field(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path in ("/api/v1/bookings/", "/api/v1/service-requests/"):
        names = [p["name"] for p in schema["paths"][path]["post"]["parameters"]]
        assert "X-Acting-Organisation" in names
    body = schema["components"]["schemas"]["BookingCreateRequest"]["properties"]["firm"]
    assert "several firms" in body["description"]


# --- pages -----------------------------------------------------------------------------


def test_pages_book_for_the_firm_chosen_and_order_for_the_other(
    frozen, carol, firm_a, firm_b, instrument, service
):
    client = client_for(carol)
    switch(client, carol, firm_b)
    q = {"start": at(DAY, 9).isoformat(), "end": at(DAY, 10).isoformat(), "purpose": "XRD"}
    r = client.post(f"/instruments/{instrument.pk}/book/", q)
    assert r.status_code == 302
    switch(client, carol, firm_a)
    r = client.post(
        reverse("frontend:service-request-create", args=[service.pk]),
        {"sample_count": 2, "sample_description": "钢板", "delivery": "drop_off"},
    )
    assert r.status_code == 302
    assert Booking.objects.get().firm == firm_b
    assert ServiceRequest.objects.get().firm == firm_a
    r = client.get(reverse("frontend:my-bookings"))
    assert r.status_code == 200 and list(r.context["page"].object_list) == []  # firm A's


def test_pages_of_a_firm_member_wearing_the_lab_hat_act_for_the_one_firm(
    frozen, dave, provider, instrument
):
    client = client_for(dave)
    switch(client, dave, provider)
    q = {"start": at(DAY, 9).isoformat(), "end": at(DAY, 10).isoformat(), "purpose": "XRD"}
    assert client.post(f"/instruments/{instrument.pk}/book/", q).status_code == 302
    assert Booking.objects.get().firm == dave.dave_firm
    assert client.get(reverse("frontend:lab-today")).status_code == 200


def test_a_page_that_cannot_tell_the_firm_shows_the_chooser(
    frozen, carol, firm_a, firm_b, provider
):
    join(carol, provider)
    client = client_for(carol)
    switch(client, carol, provider)  # the hat is the lab's: which firm's bookings?
    r = client.get(reverse("frontend:my-bookings"))
    assert r.status_code == 400
    assert b'data-testid="acting-required"' in r.content
    assert r.content.count(b'data-testid="choose-acting"') == 2  # the two firms, not the lab
    membership = carol.memberships.get(organisation=firm_b)
    r = client.post(
        reverse("frontend:switch-acting-as"),
        {"membership": membership.pk, "next": reverse("frontend:my-bookings")},
    )
    assert r.url == reverse("frontend:my-bookings")
    assert client.get(r.url).status_code == 200


def test_the_switch_does_not_follow_a_next_to_another_site(carol, firm_b):
    client = client_for(carol)
    membership = carol.memberships.get(organisation=firm_b)
    r = client.post(
        reverse("frontend:switch-acting-as"),
        {"membership": membership.pk, "next": "https://evil.example.com/"},
    )
    assert r.url == reverse("frontend:home")
