"""Firm A cannot read firm B; a lab manager sees only their own provider (404, never 403)."""

import pytest
from django.urls import reverse

from accounts.models import Organisation
from tests.accounts.conftest import api_for
from tests.conftest import client_for
from tests.factories.accounts import (
    UserFactory,
    join,
    make_department,
    make_firm,
    make_provider,
)

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


def test_a_pages_scope_from_its_navbar_memberships_is_the_scope_from_the_database():
    """A page builds the scope from the memberships it reads for its navbar
    (accounts.acting.user_memberships); the API reads the rows itself. Both say the same,
    inactive organisations and department regions included."""
    from django.test import RequestFactory

    from accounts.acting import user_memberships
    from accounts.models import User
    from accounts.scoping import Scope

    person = UserFactory()
    closed = make_firm()
    Organisation.objects.filter(pk=closed.pk).update(is_active=False)
    for org in (make_firm(), make_provider(), make_department("330200"), closed):
        join(person, org)
    request = RequestFactory().get("/")
    request.user = User.objects.get(pk=person.pk)
    user_memberships(request)
    from_navbar = request.user._labshare_scope
    from_database = Scope.for_user(User.objects.get(pk=person.pk))
    assert from_navbar == from_database
    assert closed.pk not in from_navbar.firm_ids and from_navbar.region_prefixes == ("3302",)


def test_a_page_reads_its_memberships_once(alice, firm_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(alice)
    client.get("/vouchers/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/vouchers/").status_code == 200
    reads = [q["sql"] for q in queries.captured_queries if "accounts_membership" in q["sql"]]
    assert len(reads) == 1, reads
