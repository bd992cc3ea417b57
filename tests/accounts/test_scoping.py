"""Firm A cannot read firm B; a lab manager sees only their own provider (404, never 403)."""

import pytest
from django.urls import reverse

from accounts.models import Organisation
from tests.accounts.conftest import api_for
from tests.conftest import client_for
from tests.factories.accounts import UserFactory, join, make_provider

pytestmark = pytest.mark.django_db


def test_firm_a_cannot_read_firm_b_through_the_api(alice, firm_b):
    client = api_for(alice)
    assert client.get(f"/api/v1/firms/{firm_b.pk}/").status_code == 404
    assert client.get(f"/api/v1/organisations/{firm_b.pk}/").status_code == 404
    assert client.get("/api/v1/organisations/nonsense/").status_code == 404


def test_firm_a_lists_only_itself(alice, firm_a, firm_b):
    firms = api_for(alice).get("/api/v1/firms/").json()["results"]
    assert [row["id"] for row in firms] == [firm_a.pk]
    orgs = api_for(alice).get("/api/v1/organisations/").json()["results"]
    assert [row["id"] for row in orgs] == [firm_a.pk]


def test_firm_a_cannot_open_firm_b_page(alice, firm_a, firm_b):
    client = client_for(alice)
    assert client.get(reverse("frontend:firm-show", args=[firm_b.pk])).status_code == 404
    own = client.get(reverse("frontend:firm-show", args=[firm_a.pk]))
    assert own.status_code == 200 and firm_a.name in own.content.decode()


def test_lab_manager_sees_only_their_own_provider(manager, provider, firm_a):
    other = make_provider()
    client = api_for(manager)
    orgs = client.get("/api/v1/organisations/").json()["results"]
    assert [row["id"] for row in orgs] == [provider.pk]
    assert client.get(f"/api/v1/organisations/{other.pk}/").status_code == 404
    assert client.get(f"/api/v1/firms/{firm_a.pk}/").status_code == 404
    assert client.get("/api/v1/firms/").json()["results"] == []


def test_one_person_in_two_organisations_sees_both(alice, firm_a, provider):
    join(alice, provider)
    orgs = api_for(alice).get("/api/v1/organisations/").json()["results"]
    assert {row["id"] for row in orgs} == {firm_a.pk, provider.pk}
    kinds = {row["kind"] for row in orgs}
    assert kinds == {Organisation.Kind.FIRM, Organisation.Kind.PROVIDER}


def test_my_firm_page_without_a_firm_leads_to_registration():
    response = client_for(UserFactory()).get(reverse("frontend:firm-detail"))
    assert response.status_code == 302
    assert response.url == reverse("frontend:firm-register")
