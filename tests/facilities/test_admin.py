import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.factories.accounts import UserFactory
from tests.factories.facilities import InstrumentFactory, TestingServiceFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["category", "instrument", "testingservice", "blackout",
                                   "qualification", "importbatch"])  # fmt: skip
def test_admin_pages_render(model):
    admin = UserFactory(is_staff=True, is_superuser=True)
    instrument = InstrumentFactory()
    TestingServiceFactory()
    client = client_for(admin)
    assert client.get(reverse(f"admin:facilities_{model}_changelist")).status_code == 200
    if model == "instrument":
        url = reverse("admin:facilities_instrument_change", args=[instrument.pk])
        assert client.get(url).status_code == 200
