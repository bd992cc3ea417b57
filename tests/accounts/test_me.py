import pytest

from tests.accounts.conftest import api_for

pytestmark = pytest.mark.django_db


def test_me_lists_memberships_with_organisation_and_role(alice, firm_a):
    body = api_for(alice).get("/api/v1/me/").json()
    assert body["email"] == "alice@example.cn"
    assert body["memberships"] == [
        {
            "id": alice.memberships.get().pk,
            "organisation": {"id": firm_a.pk, "name": firm_a.name, "kind": "firm"},
            "role": "firm_member",
            "is_admin": True,
        }
    ]


def test_patch_me_updates_profile(alice):
    response = api_for(alice).patch(
        "/api/v1/me/",
        {"full_name": "爱丽丝", "phone": "13800000000", "language": "en"},
        format="json",
    )
    assert response.status_code == 200
    alice.refresh_from_db()
    assert (alice.full_name, alice.phone, alice.language) == ("爱丽丝", "13800000000", "en")


def test_patch_me_cannot_change_email_and_rejects_unknown_language(alice):
    client = api_for(alice)
    response = client.patch("/api/v1/me/", {"language": "fr"}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"]["language"][0]["code"] == "invalid_choice"
    client.patch("/api/v1/me/", {"email": "evil@example.cn"}, format="json")
    alice.refresh_from_db()
    assert alice.email == "alice@example.cn"


def test_malformed_json_is_a_400_not_a_500(alice):
    response = api_for(alice).generic(
        "PATCH", "/api/v1/me/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_anonymous_me_is_refused_with_the_error_shape(api):
    response = api.get("/api/v1/me/")
    assert response.status_code in (401, 403)
    assert set(response.json()) == {"code", "detail", "fields"}
