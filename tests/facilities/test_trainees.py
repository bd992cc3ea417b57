"""A lab manager cannot walk user ids to read other organisations' people: by id only the
lab's own members and its clients' members can be qualified; by e-mail, the typed address
(held by the address unless it is one of those people's)."""

import pytest
from rest_framework.test import APIClient

from config.errors import Invalid
from facilities.models import Qualification
from facilities.services import qualification_grant
from tests.factories.accounts import make_firm, member_of
from tests.factories.booking import BookingFactory
from tests.factories.facilities import InstrumentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def gated(provider):
    return InstrumentFactory(provider=provider, requires_training=True)


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_by_id_a_clients_member_is_qualified(manager, gated, alice):
    BookingFactory(instrument=gated, firm=alice.memberships.get().organisation)
    r = _api(manager).post(f"/api/v1/instruments/{gated.pk}/qualifications/",
                           {"user": alice.pk}, format="json")  # fmt: skip
    assert r.status_code == 201, r.json()
    assert r.json()["user_email"] == alice.email


def test_by_id_a_stranger_answers_like_an_unknown_id(manager, gated):
    stranger = member_of(make_firm(), email="stranger@elsewhere.cn")
    seen = _api(manager).post(f"/api/v1/instruments/{gated.pk}/qualifications/",
                              {"user": stranger.pk}, format="json")  # fmt: skip
    unknown = _api(manager).post(f"/api/v1/instruments/{gated.pk}/qualifications/",
                                 {"user": 99_999_999}, format="json")  # fmt: skip
    assert seen.status_code == unknown.status_code == 404
    assert seen.json() == unknown.json()
    assert "stranger@elsewhere.cn" not in seen.content.decode()
    assert not Qualification.objects.exists()


def test_by_email_a_first_time_user_is_qualified_by_address(manager, gated):
    member_of(make_firm(), email="newcomer@firm.cn")
    q = qualification_grant(actor=manager, instrument=gated, email="Newcomer@firm.cn")
    # Not a client yet: held by the address, exactly as for an address with no account.
    assert (q.user, q.email) == (None, "newcomer@firm.cn")


def test_by_email_a_clients_member_is_matched_to_the_account(manager, gated, alice):
    BookingFactory(instrument=gated, firm=alice.memberships.get().organisation)
    q = qualification_grant(actor=manager, instrument=gated, email=alice.email.upper())
    assert q.user == alice


def test_the_providers_own_staff_can_be_qualified_by_id(manager, gated, provider):
    colleague = member_of(provider)
    assert qualification_grant(actor=manager, instrument=gated, user=colleague.pk).user == colleague


def test_neither_id_nor_email_is_refused(manager, gated):
    r = _api(manager).post(f"/api/v1/instruments/{gated.pk}/qualifications/", {}, format="json")
    assert r.status_code == 400
    with pytest.raises(Invalid):
        qualification_grant(actor=manager, instrument=gated)
