import pytest
from rest_framework.test import APIClient

from tests.factories.accounts import make_reviewer


@pytest.fixture
def api():
    return APIClient()


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def province_reviewer(db):
    return make_reviewer("330000", email="province@example.cn")


@pytest.fixture
def hangzhou_reviewer(db):
    return make_reviewer("330100", email="hangzhou@example.cn")


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    """Throttle counters live in the cache; each test gets an empty private one. (Never
    clear the configured cache: under REDIS_URL that would flush a shared Redis database.)"""
    from django.core.cache import cache

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "accounts-tests",
        }
    }
    cache.clear()
    yield
    cache.clear()
