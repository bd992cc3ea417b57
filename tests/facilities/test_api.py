import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from facilities.models import Blackout, Instrument
from facilities.models import TestingService as Service
from tests.conftest import client_for
from tests.factories.accounts import make_provider, member_of
from tests.factories.facilities import CategoryFactory, InstrumentFactory, TestingServiceFactory

pytestmark = pytest.mark.django_db


def test_anonymous_searches_instruments_in_chinese():
    InstrumentFactory(name="傅里叶变换红外光谱仪")
    InstrumentFactory(name="紫外可见分光光度计", main_uses="吸收光谱测定")
    InstrumentFactory(name="万能材料试验机")
    body = Client().get("/api/v1/instruments/", {"search": "光谱"}).json()
    assert body["count"] == 2
    assert {r["name"] for r in body["results"]} == {"傅里叶变换红外光谱仪", "紫外可见分光光度计"}


def test_instrument_list_query_count_is_flat(django_assert_max_num_queries):
    for _ in range(25):
        InstrumentFactory()
    with django_assert_max_num_queries(4):
        body = Client().get("/api/v1/instruments/", {"city": "330100", "sort": "price"}).json()
    assert len(body["results"]) == 20


def test_manager_creates_and_updates_instrument(manager, provider):
    category = CategoryFactory()
    client = client_for(manager)
    resp = client.post(
        "/api/v1/instruments/",
        {"name": "X射线衍射仪", "model_number": "D8 Advance", "category": category.pk},
        content_type="application/json",
    )
    assert resp.status_code == 201, resp.json()
    pk = resp.json()["id"]
    resp = client.patch(f"/api/v1/instruments/{pk}/", {"requires_training": True},
                        content_type="application/json")  # fmt: skip
    assert resp.status_code == 200
    assert Instrument.objects.get(pk=pk).requires_training


def test_other_providers_manager_gets_404_on_writes(provider):
    instrument = InstrumentFactory(provider=provider)
    service = TestingServiceFactory(provider=provider)
    stranger = client_for(member_of(make_provider()))
    start = timezone.now() + dt.timedelta(days=1)
    assert stranger.patch(f"/api/v1/instruments/{instrument.pk}/", {"name": "x"},
                          content_type="application/json").status_code == 404  # fmt: skip
    assert stranger.post(f"/api/v1/instruments/{instrument.pk}/retire/").status_code == 404
    resp = stranger.post(
        f"/api/v1/instruments/{instrument.pk}/blackouts/",
        {"start_at": start.isoformat(), "end_at": (start + dt.timedelta(hours=1)).isoformat()},
        content_type="application/json",
    )
    assert resp.status_code == 404
    assert stranger.patch(f"/api/v1/services/{service.pk}/", {"name": "x"},
                          content_type="application/json").status_code == 404  # fmt: skip
    assert not Blackout.objects.exists()


def test_anonymous_cannot_write():
    resp = Client().post("/api/v1/instruments/", {}, content_type="application/json")
    assert resp.status_code in (401, 403)


def test_manager_sets_prices_and_hours(manager, provider):
    instrument = InstrumentFactory(provider=provider)
    client = client_for(manager)
    resp = client.put(f"/api/v1/instruments/{instrument.pk}/prices/",
                      {"prices": {"external_firm": 35000, "academic": 20000}},
                      content_type="application/json")  # fmt: skip
    assert resp.status_code == 200
    assert Instrument.objects.get(pk=instrument.pk).external_price_fen == 35000
    resp = client.put(
        f"/api/v1/instruments/{instrument.pk}/opening-hours/",
        {"weekly": [{"weekday": 0, "opens_at": "09:00", "closes_at": "12:00"},
                    {"weekday": 0, "opens_at": "11:00", "closes_at": "17:00"}]},
        content_type="application/json",
    )  # fmt: skip
    assert resp.status_code == 400
    assert resp.json()["code"] == "hours_overlap"


def test_services_and_providers_lists(provider):
    TestingServiceFactory(provider=provider, name="金属材料拉伸试验")
    TestingServiceFactory(provider=provider, name="水质检测", is_active=False)
    body = Client().get("/api/v1/services/", {"search": "拉伸"}).json()
    assert [r["name"] for r in body["results"]] == ["金属材料拉伸试验"]
    body = Client().get("/api/v1/providers/", {"city": "330100"}).json()
    row = next(r for r in body["results"] if r["id"] == provider.pk)
    assert row["service_count"] == 1
    assert Service.objects.count() == 2


def test_bad_filters_are_400_not_500():
    resp = Client().get("/api/v1/instruments/", {"city": "hangzhou"})
    assert resp.status_code == 400
    resp = Client().get("/api/v1/instruments/", {"free_from": "nonsense", "free_to": "x"})
    assert resp.status_code == 400


def test_manager_sets_a_holiday_through_the_api(manager, provider):
    instrument = InstrumentFactory(provider=provider)
    client = client_for(manager)
    url = f"/api/v1/instruments/{instrument.pk}/opening-exceptions/"
    resp = client.post(url, {"date": "2026-10-01", "is_closed": True, "note": "国庆"},
                       content_type="application/json")  # fmt: skip
    assert resp.status_code == 201, resp.json()
    resp = client.post(url, {"date": "2026-10-01", "is_closed": False, "opens_at": "09:00",
                             "closes_at": "12:00"}, content_type="application/json")  # fmt: skip
    assert resp.status_code == 201
    assert [(e["date"], e["is_closed"]) for e in client.get(url).json()] == [("2026-10-01", False)]
