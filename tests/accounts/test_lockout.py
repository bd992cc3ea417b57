"""django-axes: five failed sign-ins lock the address out, on the form and the token endpoint."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5


def test_sign_in_form_locks_out_after_five_failures(client, alice, axes_on):
    url = reverse("account_login")
    for _ in range(5):
        client.post(url, {"login": alice.email, "password": "wrong"})
    locked = client.post(url, {"login": alice.email, "password": PASSWORD})
    assert locked.status_code == 429
    assert 'data-testid="lockout"' in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_four_failures_then_the_right_password_still_works(client, alice, axes_on):
    url = reverse("account_login")
    for _ in range(4):
        client.post(url, {"login": alice.email, "password": "wrong"})
    response = client.post(url, {"login": alice.email, "password": PASSWORD})
    assert response.status_code == 302


def test_token_endpoint_locks_out_with_json(alice, axes_on):
    api = APIClient()
    url = "/api/v1/auth/token/"
    for _ in range(4):
        response = api.post(url, {"email": alice.email, "password": "wrong"}, format="json")
        assert response.status_code == 400
    fifth = api.post(url, {"email": alice.email, "password": "wrong"}, format="json")
    assert fifth.status_code == 429  # the fifth failure locks at once
    locked = api.post(url, {"email": alice.email, "password": PASSWORD}, format="json")
    assert locked.status_code == 429
    assert locked.json()["code"] == "locked_out"
