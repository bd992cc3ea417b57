import pytest
from rest_framework.test import APIClient

from booking.services import service_requests as services
from tests.factories.accounts import UserFactory, join, make_provider
from tests.factories.facilities import TestingServiceFactory
from tests.factories.service_requests import ServiceRequestFactory, pdf_upload


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Every test stores files in its own folder, so 'no orphan file' can be checked."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return settings.MEDIA_ROOT


@pytest.fixture
def service(provider):
    return TestingServiceFactory(provider=provider, price_fen=300_00, turnaround_days=5)


@pytest.fixture
def other_manager(db):
    """A lab manager of some other provider."""
    user = UserFactory(email="other-manager@example.cn")
    join(user, make_provider(), admin=True)
    return user


@pytest.fixture
def make_request(service, firm_a, alice):
    def _make(**kwargs):
        return ServiceRequestFactory(service=service, firm=firm_a, requested_by=alice, **kwargs)

    return _make


@pytest.fixture
def api():
    def _api(user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return _api


def advance(sr, to: str, *, manager, firm_user=None):
    """Move ``sr`` through the real services up to state ``to``."""
    steps = [
        ("accepted", lambda: services.service_request_accept(actor=manager, sr=sr)),
        (
            "samples_received",
            lambda: services.service_request_receive_samples(actor=manager, sr=sr, condition="ok"),
        ),
        ("testing", lambda: services.service_request_start_testing(actor=manager, sr=sr)),
        (
            "reported",
            lambda: services.service_request_report(
                actor=manager, sr=sr, report_number=f"R-{sr.pk}", report_file=pdf_upload()
            ),
        ),
        (
            "completed",
            lambda: services.service_request_confirm(actor=firm_user, sr=sr),
        ),
    ]
    for state, step in steps:
        step()
        if state == to:
            return sr
    raise AssertionError(to)
