import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.authentication import token_digest
from accounts.models import ApiToken
from tests.accounts.conftest import api_for
from tests.conftest import client_for
from tests.factories.accounts import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
OBTAIN = "/api/v1/auth/token/"


def obtain(email, password):
    return APIClient().post(OBTAIN, {"email": email, "password": password}, format="json")


def with_token(key) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_token_from_the_endpoint_works_on_me(alice):
    response = obtain("ALICE@example.cn", PASSWORD)
    assert response.status_code == 200, response.json()
    key = response.json()["token"]
    me = with_token(key).get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["email"] == "alice@example.cn"
    stored = ApiToken.objects.get(user=alice)
    assert stored.digest == token_digest(key) and stored.prefix == key[:8]
    assert key not in (stored.digest, stored.name)


def test_wrong_password_is_400_invalid_credentials(alice):
    response = obtain("alice@example.cn", "nope")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"


def test_unknown_email_is_the_same_400():
    response = obtain("nobody@example.cn", "whatever")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"


def test_missing_fields_are_400_with_field_errors():
    response = APIClient().post(OBTAIN, {"email": "not-an-email"}, format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"email", "password"}


def test_unverified_email_gets_no_token():
    user = UserFactory(email="new@example.cn")
    user.emailaddress_set.update(verified=False)
    response = obtain("new@example.cn", PASSWORD)
    assert response.status_code == 400
    assert response.json()["code"] == "email_unverified"


def test_created_key_is_shown_once_and_revoke_stops_it(alice):
    response = api_for(alice).post("/api/v1/tokens/", {"name": "ERP"}, format="json")
    assert response.status_code == 201
    key, token_id = response.json()["key"], response.json()["id"]
    client = with_token(key)
    assert client.get("/api/v1/me/").status_code == 200
    listed = client.get("/api/v1/tokens/").json()["results"]
    assert all("key" not in row for row in listed)
    assert client.post(f"/api/v1/tokens/{token_id}/revoke/").status_code == 200
    after = client.get("/api/v1/me/")
    assert after.status_code in (401, 403)
    assert after.json()["code"] == "authentication_failed"


def test_someone_elses_token_cannot_be_revoked(alice, bob):
    response = api_for(bob).post("/api/v1/tokens/", {"name": "bob"}, format="json")
    token_id = response.json()["id"]
    assert api_for(alice).post(f"/api/v1/tokens/{token_id}/revoke/").status_code == 404
    assert api_for(alice).get(f"/api/v1/tokens/{token_id}/").status_code == 404
    assert ApiToken.objects.get(pk=token_id).revoked_at is None


def test_tokens_page_shows_the_key_once_then_only_the_prefix(alice):
    client = client_for(alice)
    url = reverse("frontend:api-tokens")
    response = client.post(url, {"name": "实验室 LIMS"})
    html = response.content.decode()
    token = ApiToken.objects.get(user=alice)
    assert 'data-testid="new-token-key"' in html
    again = client.get(url).content.decode()
    assert "new-token-key" not in again and token.prefix in again and "实验室 LIMS" in again


def test_tokens_page_revokes(alice):
    client = client_for(alice)
    client.post(reverse("frontend:api-tokens"), {"name": "x"})
    token = ApiToken.objects.get(user=alice)
    response = client.post(reverse("frontend:api-token-revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_empty_token_name_is_shown_on_the_page(alice):
    response = client_for(alice).post(reverse("frontend:api-tokens"), {"name": ""})
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_tokens_cached_scope_follows_membership_changes_at_once(
    alice, django_capture_on_commit_callbacks
):
    from tests.factories.booking import BookingFactory

    firm = alice.memberships.get().organisation
    BookingFactory(firm=firm, booked_by=alice)
    client = with_token(obtain("alice@example.cn", PASSWORD).json()["token"])
    assert client.get("/api/v1/bookings/").json()["count"] == 1  # scope now cached with the token
    with django_capture_on_commit_callbacks(execute=True):
        alice.memberships.get().delete()
    assert client.get("/api/v1/bookings/").json()["count"] == 0


def test_deactivating_an_organisation_drops_its_members_cached_scopes(
    alice, django_capture_on_commit_callbacks
):
    from tests.factories.booking import BookingFactory

    firm = alice.memberships.get().organisation
    BookingFactory(firm=firm, booked_by=alice)
    client = with_token(obtain("alice@example.cn", PASSWORD).json()["token"])
    assert client.get("/api/v1/bookings/").json()["count"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        firm.is_active = False
        firm.save()
    assert client.get("/api/v1/bookings/").json()["count"] == 0
