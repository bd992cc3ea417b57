"""A rejected firm corrects its registration and sends it back for verification."""

import pytest

from accounts.models import FirmProfile, Region
from accounts.services import firm_reject
from tests.accounts.conftest import api_for
from tests.conftest import client_for
from tests.factories.accounts import (
    FirmProfileFactory,
    UserFactory,
    firm_payload,
    join,
    uscc_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def rejected(province_reviewer):
    firm = FirmProfileFactory(
        organisation__region=Region.objects.get(code="330106"),
        verification=FirmProfile.Verification.PENDING,
    )
    firm_reject(actor=province_reviewer, firm_id=firm.pk, note="营业收入与年报不符")
    firm.refresh_from_db()
    return firm


@pytest.fixture
def firm_admin(rejected):
    user = UserFactory()
    join(user, rejected.organisation, admin=True)
    return user


def _url(firm, action="resubmit"):
    return f"/api/v1/firms/{firm.pk}/{action}/"


def test_admin_corrects_and_the_firm_is_pending_again(rejected, firm_admin, province_reviewer):
    payload = firm_payload(uscc=rejected.uscc, name="杭州更正科技有限公司", revenue_fen=380_0000_00)
    response = api_for(firm_admin).post(_url(rejected), payload, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["verification"] == "pending"
    rejected.refresh_from_db()
    assert rejected.organisation.name == "杭州更正科技有限公司"
    assert rejected.revenue_fen == 380_0000_00
    assert (rejected.verification_note, rejected.verified_by, rejected.verified_at) == (
        "",
        None,
        None,
    )
    # Back in the reviewer's queue, and the reviewer can decide again.
    verify = api_for(province_reviewer).post(_url(rejected, "verify"), {}, format="json")
    assert verify.status_code == 200
    assert verify.json()["verification"] == "verified"


def test_bad_corrections_are_refused_and_nothing_changes(rejected, firm_admin):
    payload = firm_payload(uscc=rejected.uscc, employees=5000, revenue_fen=5_0000_0000_00)
    response = api_for(firm_admin).post(_url(rejected), payload, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "firm_not_small_or_micro"
    rejected.refresh_from_db()
    assert rejected.verification == "rejected"
    assert rejected.employees == 30


def test_another_firms_code_is_refused(rejected, firm_admin):
    other = FirmProfileFactory(uscc=uscc_for(990777))
    payload = firm_payload(uscc=other.uscc)
    response = api_for(firm_admin).post(_url(rejected), payload, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "uscc_already_registered"


def test_only_a_rejected_firm_can_resubmit(rejected, firm_admin, province_reviewer):
    client = api_for(firm_admin)
    payload = firm_payload(uscc=rejected.uscc)
    assert client.post(_url(rejected), payload, format="json").status_code == 200
    again = client.post(_url(rejected), payload, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "firm_not_rejected"


def test_members_who_are_not_admins_and_strangers_get_404(rejected):
    member = UserFactory()
    join(member, rejected.organisation, admin=False)
    payload = firm_payload(uscc=rejected.uscc)
    for user in (member, UserFactory()):
        response = api_for(user).post(_url(rejected), payload, format="json")
        assert response.status_code == 404
    rejected.refresh_from_db()
    assert rejected.verification == "rejected"


def test_page_shows_the_note_prefilled_and_sends_it_again(rejected, firm_admin):
    client = client_for(firm_admin)
    detail = client.get(f"/firms/{rejected.pk}/").content.decode()
    assert f"/firms/{rejected.pk}/resubmit/" in detail
    page = client.get(f"/firms/{rejected.pk}/resubmit/")
    html = page.content.decode()
    assert "营业收入与年报不符" in html
    assert rejected.uscc in html and rejected.organisation.name in html
    form = {
        "name": "杭州更正科技有限公司",
        "uscc": rejected.uscc,
        "region_code": "330106",
        "industry_code": "industry",
        "employees": "30",
        "revenue_yuan": "3,800,000",
        "legal_representative": "李四",
    }
    response = client.post(f"/firms/{rejected.pk}/resubmit/", form)
    assert response.status_code == 302
    rejected.refresh_from_db()
    assert rejected.verification == "pending"
    assert rejected.revenue_fen == 380_0000_00
    assert rejected.legal_representative == "李四"


def test_page_keeps_the_input_and_names_the_error(rejected, firm_admin):
    client = client_for(firm_admin)
    form = {"name": "改名公司", "uscc": rejected.uscc, "region_code": "330106",
            "industry_code": "industry", "employees": "5000", "revenue_yuan": "100000000"}  # fmt: skip
    response = client.post(f"/firms/{rejected.pk}/resubmit/", form)
    assert response.status_code == 200
    html = response.content.decode()
    assert "改名公司" in html and "is-invalid" in html
    rejected.refresh_from_db()
    assert rejected.verification == "rejected"


def test_page_is_not_offered_to_a_member_or_for_a_pending_firm(rejected, firm_admin):
    member = UserFactory()
    join(member, rejected.organisation, admin=False)
    member_client = client_for(member)
    assert (
        f"/firms/{rejected.pk}/resubmit/"
        not in member_client.get(f"/firms/{rejected.pk}/").content.decode()
    )
    assert member_client.get(f"/firms/{rejected.pk}/resubmit/").status_code == 404
    admin_client = client_for(firm_admin)
    FirmProfile.objects.filter(pk=rejected.pk).update(verification="pending")
    response = admin_client.get(f"/firms/{rejected.pk}/resubmit/")
    assert response.status_code == 302
