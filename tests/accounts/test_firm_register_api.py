import pytest

from accounts.models import FirmProfile, Membership
from tests.accounts.conftest import api_for
from tests.factories.accounts import (
    UserFactory,
    firm_payload,
    uscc_for,
    with_bad_check_character,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/firms/"


def test_valid_code_registers_a_pending_firm_with_the_user_as_admin():
    user = UserFactory()
    response = api_for(user).post(URL, firm_payload(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["verification"] == "pending"
    assert body["size_class"] == "small"
    assert "20" in body["size_reason"]
    firm = FirmProfile.objects.get(pk=body["id"])
    membership = Membership.objects.get(user=user, organisation=firm.organisation)
    assert membership.role == Membership.Role.FIRM_MEMBER and membership.is_admin


def test_lowercase_code_with_spaces_is_normalised():
    code = uscc_for(990002)
    response = api_for(UserFactory()).post(
        URL, firm_payload(uscc=f"  {code.lower()} "), format="json"
    )
    assert response.status_code == 201
    assert response.json()["uscc"] == code


def test_wrong_check_character_is_refused_saying_so():
    bad = with_bad_check_character(uscc_for(990003))
    response = api_for(UserFactory()).post(URL, firm_payload(uscc=bad), format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "uscc_check_character"
    assert "check character" in body["detail"]
    assert uscc_for(990003)[17] in body["detail"]  # says which character it should be
    assert "uscc" in body["fields"]
    assert not FirmProfile.objects.exists()


def test_medium_firm_is_refused_with_the_rule_that_decided():
    payload = firm_payload(employees=500, revenue_fen=3_000_0000_00)
    response = api_for(UserFactory()).post(URL, payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "firm_not_small_or_micro"
    assert "300" in body["detail"] and "medium" in body["detail"]
    assert not FirmProfile.objects.exists()


def test_duplicate_code_gets_409():
    api_for(UserFactory()).post(URL, firm_payload(), format="json")
    response = api_for(UserFactory()).post(URL, firm_payload(name="另一家"), format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "uscc_already_registered"


def test_micro_firm_is_registered_as_micro():
    payload = firm_payload(employees=8, revenue_fen=120_0000_00)
    response = api_for(UserFactory()).post(URL, payload, format="json")
    assert response.status_code == 201
    assert response.json()["size_class"] == "micro"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"region_code": "999999"}, "unknown_region"),
        ({"region_code": "330000"}, "unknown_region"),
        ({"industry_code": "mining"}, "unknown_industry"),
        ({"uscc": "123"}, "uscc_length"),
        ({"uscc": "91330100799655O58B"}, "uscc_charset"),
        ({"employees": -1}, "invalid"),
        ({"employees": "many"}, "invalid"),
        ({"revenue_fen": 10**30}, "invalid"),
        ({"name": ""}, "invalid"),
    ],
)
def test_bad_input_is_a_400_with_a_code_never_a_500(change, code):
    response = api_for(UserFactory()).post(URL, firm_payload(**change), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert set(response.json()) >= {"code", "detail", "fields"}


def test_non_admin_cannot_use_the_override():
    bad = with_bad_check_character(uscc_for(990004))
    payload = firm_payload(uscc=bad, override_reason="trust me")
    response = api_for(UserFactory()).post(URL, payload, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "uscc_check_character"


def test_superuser_override_is_recorded():
    bad = with_bad_check_character(uscc_for(990005))
    admin = UserFactory(is_superuser=True, is_staff=True)
    payload = firm_payload(uscc=bad, override_reason="营业执照原件核实，代码为历史遗留")
    response = api_for(admin).post(URL, payload, format="json")
    assert response.status_code == 201
    firm = FirmProfile.objects.get(uscc=bad)
    assert firm.uscc_override_reason == "营业执照原件核实，代码为历史遗留"


def test_anonymous_cannot_register():
    from rest_framework.test import APIClient

    response = APIClient().post(URL, firm_payload(), format="json")
    assert response.status_code in (401, 403)
    assert "code" in response.json()
