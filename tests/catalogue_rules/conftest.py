import pytest
from rest_framework.test import APIClient

from tests.conftest import client_for


@pytest.fixture
def api_client():
    def _api(user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return _api


@pytest.fixture
def client_of():
    return client_for
