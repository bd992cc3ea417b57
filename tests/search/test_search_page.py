"""The search page and API with the thesaurus on: a busy result page reads a fixed number
of queries, the API expands abbreviations too, and the firm's own city ranks first."""

import pytest
from django.test import Client

from accounts.models import Region
from facilities.selectors import CatalogueFilters, instrument_search
from tests.factories.accounts import make_provider
from tests.factories.facilities import InstrumentFactory

pytestmark = pytest.mark.django_db


def test_busy_search_page_reads_a_fixed_number_of_queries(catalogue, django_assert_max_num_queries):
    for n in range(25):
        InstrumentFactory(name=f"扫描电子显微镜{n}", main_uses="形貌观察")
    client = Client()
    client.get("/instruments/", {"q": "电镜"})
    with django_assert_max_num_queries(12):
        resp = client.get("/instruments/", {"q": "电镜"})
    assert (
        resp.status_code == 200
        and resp.content.decode().count('data-testid="instrument-card"') == 20
    )


def test_api_search_expands_abbreviations(catalogue):
    data = Client().get("/api/v1/instruments/", {"search": "XRD"}).json()
    assert {row["name"] for row in data["results"]} == {"X射线衍射仪", "单晶X射线衍射仪"}


def test_an_empty_search_page_reads_a_fixed_number_of_queries(
    catalogue, django_assert_max_num_queries
):
    client = Client()
    client.get("/instruments/", {"q": "pH"})
    with django_assert_max_num_queries(14):
        assert client.get("/instruments/", {"q": "pH"}).status_code == 200


def test_among_equal_matches_the_firms_city_comes_first(catalogue):
    far = make_provider(organisation__region=Region.objects.get(code="331102"))
    near = make_provider(organisation__region=Region.objects.get(code="330106"))
    InstrumentFactory(name="甲 冷冻扫描电镜", provider=far)
    InstrumentFactory(name="乙 冷冻扫描电镜", provider=near)
    names = [
        i.name for i in instrument_search(filters=CatalogueFilters(q="冷冻扫描电镜", near="330110"))
    ]
    assert names[:2] == ["乙 冷冻扫描电镜", "甲 冷冻扫描电镜"]
    names = [
        i.name for i in instrument_search(filters=CatalogueFilters(q="冷冻扫描电镜", near="331102"))
    ]
    assert names[:2] == ["甲 冷冻扫描电镜", "乙 冷冻扫描电镜"]


def test_an_instrument_under_maintenance_comes_after_a_working_one(catalogue):
    InstrumentFactory(name="冷冻扫描电镜 A", status="maintenance")
    InstrumentFactory(name="冷冻扫描电镜 B")
    names = [i.name for i in instrument_search(filters=CatalogueFilters(q="冷冻扫描电镜"))]
    assert names == ["冷冻扫描电镜 B", "冷冻扫描电镜 A"]
