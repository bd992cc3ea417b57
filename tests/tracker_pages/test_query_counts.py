"""Busy pages read a fixed number of queries, however many providers, items and firms."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Region
from tests.conftest import client_for
from tests.factories.accounts import make_firm, make_provider
from tests.factories.facilities import CategoryFactory, InstrumentFactory, TestingServiceFactory
from tests.tracker_pages.usage import record_batch, record_use

pytestmark = pytest.mark.django_db


def _grow(n: int) -> None:
    """n more providers in n counties, each with its own category, instrument, service and firm."""
    counties = list(Region.objects.filter(level="county").order_by("code")[:n])
    for i, county in enumerate(counties):
        provider = make_provider(organisation__region=county)
        category = CategoryFactory(code=f"Q{i:02d}")
        instrument = InstrumentFactory(provider=provider, category=category)
        service = TestingServiceFactory(provider=provider, category=category)
        firm = make_firm(organisation__region=county)
        record_use(instrument=instrument, firm=firm, day=dt.date(2026, 3, 1 + i % 20))
        record_batch(service=service, firm=firm, day=dt.date(2026, 4, 1 + i % 20))


def _count(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("params", [{}, {"region": "330100"}, {"kind": "use", "period": "all"}])
def test_dashboard_queries_do_not_grow_with_the_data(province_reviewer, params):
    client = client_for(province_reviewer)
    url = reverse("frontend:tracker-dashboard")
    _count(client, url, params)  # warm: content types, sessions
    before = _count(client, url, params)
    _grow(15)
    assert _count(client, url, params) == before
    # Each of the three rankings (providers, instruments, services) reads its winners by
    # count first and then their measures: two queries where it was one (session 9).
    assert before <= 48


def test_provider_statistics_queries_do_not_grow(province_reviewer, world):
    client = client_for(province_reviewer)
    url = reverse("frontend:tracker-provider-statistics", args=[world["hz"].pk])
    _count(client, url)
    before = _count(client, url)
    for i in range(10):
        instrument = InstrumentFactory(provider=world["hz"], category=world["spectra"])
        record_use(instrument=instrument, firm=world["firm_nb"], day=dt.date(2026, 5, 1 + i))
        TestingServiceFactory(provider=world["hz"], category=world["metals"])
    assert _count(client, url) == before
    assert before <= 18  # 15 reads, and the savepoint and SET LOCAL of custom plans


def test_targets_and_providers_lists_have_fixed_queries(
    province_reviewer, django_assert_max_num_queries
):
    client = client_for(province_reviewer)
    _grow(10)
    with django_assert_max_num_queries(20):
        client.get(reverse("frontend:tracker-targets"))
    with django_assert_max_num_queries(12):
        client.get(reverse("frontend:tracker-providers"))
