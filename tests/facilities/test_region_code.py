"""Items carry their provider's region code (facilities.regions) and it stays in step."""

import pytest

from accounts.models import Organisation, Region
from facilities.models import Instrument
from facilities.models import TestingService as Service
from facilities.regions import region_code_q, region_codes_sync
from facilities.selectors import CatalogueFilters, instrument_search, service_search
from tests.factories.accounts import make_provider
from tests.factories.facilities import InstrumentFactory, TestingServiceFactory

pytestmark = pytest.mark.django_db


def provider_in(code: str):
    return make_provider(organisation__region=Region.objects.get(code=code))


def test_saving_an_item_copies_its_providers_region():
    provider = provider_in("330110")
    instrument = InstrumentFactory(provider=provider)
    service = TestingServiceFactory(provider=provider)
    assert Instrument.objects.get(pk=instrument.pk).region_code == "330110"
    assert Service.objects.get(pk=service.pk).region_code == "330110"


def test_a_provider_that_moves_takes_its_items_along():
    provider = provider_in("330106")
    instrument = InstrumentFactory(provider=provider)
    service = TestingServiceFactory(provider=provider)
    other = InstrumentFactory(provider=provider_in("330106"))
    provider.region = Region.objects.get(code="330110")
    provider.save()
    assert Instrument.objects.get(pk=instrument.pk).region_code == "330110"
    assert Service.objects.get(pk=service.pk).region_code == "330110"
    assert Instrument.objects.get(pk=other.pk).region_code == "330106"
    names = {i.name for i in instrument_search(filters=CatalogueFilters(region="330110"))}
    assert names == {instrument.name}
    assert [s.pk for s in service_search(filters=CatalogueFilters(region="330110"))] == [service.pk]


def test_saving_other_fields_of_a_provider_touches_no_item(django_assert_num_queries):
    provider = provider_in("330106")
    InstrumentFactory(provider=provider)
    provider.name = "新名字"
    with django_assert_num_queries(1):
        provider.save(update_fields=["name"])


def test_sync_repairs_rows_moved_behind_the_signals_back():
    provider = provider_in("330106")
    instrument = InstrumentFactory(provider=provider)
    Organisation.objects.filter(pk=provider.pk).update(region_id="330110")
    assert Instrument.objects.get(pk=instrument.pk).region_code == "330106"
    assert region_codes_sync(provider_ids=[provider.pk]) == 1
    assert Instrument.objects.get(pk=instrument.pk).region_code == "330110"
    assert region_codes_sync() == 0


@pytest.mark.parametrize(
    ("code", "inside", "outside"),
    [
        ("330100", "330110", "330203"),
        ("330110", "330110", "330106"),
    ],
)
def test_region_filter_is_a_code_range(code, inside, outside):
    a = InstrumentFactory(provider=provider_in(inside))
    InstrumentFactory(provider=provider_in(outside))
    assert list(Instrument.objects.filter(region_code_q(code)).values_list("pk", flat=True)) == [
        a.pk
    ]


def test_a_province_is_the_range_of_its_two_digit_prefix():
    q = region_code_q("330000")
    assert dict(q.children) == {"region_code__gte": "33", "region_code__lt": "34"}
