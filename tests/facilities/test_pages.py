import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from facilities.models import ImportBatch, Instrument
from tests.conftest import client_for
from tests.factories.accounts import make_provider, member_of
from tests.factories.facilities import CategoryFactory, InstrumentFactory, TestingServiceFactory

pytestmark = pytest.mark.django_db


def test_catalogue_page_filters_by_chinese_word_anonymously():
    InstrumentFactory(name="傅里叶变换红外光谱仪")
    InstrumentFactory(name="万能材料试验机")
    resp = Client().get("/instruments/", {"q": "光谱"})
    assert resp.status_code == 200
    html = re.sub(r"</?mark[^>]*>", "", resp.content.decode())  # matched words are marked
    assert "傅里叶变换红外光谱仪" in html
    assert "万能材料试验机" not in html


def test_htmx_request_gets_only_the_results_partial():
    InstrumentFactory(name="傅里叶变换红外光谱仪")
    resp = Client().get("/instruments/", {"q": "光谱"}, HTTP_HX_REQUEST="true")
    html = resp.content.decode()
    assert 'data-testid="instrument-results"' in html
    assert "<html" not in html


def test_catalogue_page_query_count_is_flat(django_assert_max_num_queries):
    for _ in range(25):
        InstrumentFactory()
    with django_assert_max_num_queries(6):
        resp = Client().get("/instruments/", {"city": "330100", "sort": "price"})
    assert resp.content.decode().count('data-testid="instrument-card"') == 20


def test_instrument_page_query_count(django_assert_max_num_queries):
    instrument = InstrumentFactory()
    with django_assert_max_num_queries(12):
        resp = Client().get(reverse("frontend:instrument-detail", args=[instrument.pk]))
    assert resp.status_code == 200
    assert "¥200.00" in resp.content.decode()


def test_bad_filter_value_shows_message_not_500():
    resp = Client().get("/instruments/", {"city": "hz", "free_from": "x"})
    assert resp.status_code == 200


def test_retired_instrument_page_is_404_for_public():
    instrument = InstrumentFactory(status=Instrument.Status.RETIRED)
    assert (
        Client().get(reverse("frontend:instrument-detail", args=[instrument.pk])).status_code == 404
    )


def test_service_and_provider_pages(provider):
    service = TestingServiceFactory(provider=provider, standards="GB/T 228.1-2021\nGB/T 229-2020")
    html = Client().get(reverse("frontend:service-detail", args=[service.pk])).content.decode()
    assert "GB/T 229-2020" in html
    assert Client().get(reverse("frontend:provider-detail", args=[provider.pk])).status_code == 200
    assert Client().get(reverse("frontend:provider-list")).status_code == 200
    assert Client().get(reverse("frontend:service-list"), {"q": "拉伸"}).status_code == 200


@pytest.mark.parametrize("name", ["lab-instrument-edit", "lab-instrument-prices", "lab-instrument-hours",
                                  "lab-instrument-blackouts", "lab-instrument-qualifications"])  # fmt: skip
def test_other_providers_manager_gets_404_on_edit_pages(provider, name):
    instrument = InstrumentFactory(provider=provider)
    stranger = client_for(member_of(make_provider()))
    url = reverse(f"frontend:{name}", args=[instrument.pk])
    assert stranger.get(url).status_code == 404
    assert stranger.post(url, {}).status_code == 404


def test_manager_edit_pages_render(manager, provider):
    instrument = InstrumentFactory(provider=provider)
    client = client_for(manager)
    for name in ("lab-instrument-edit", "lab-instrument-prices", "lab-instrument-hours",
                 "lab-instrument-blackouts", "lab-instrument-qualifications"):  # fmt: skip
        assert client.get(reverse(f"frontend:{name}", args=[instrument.pk])).status_code == 200
    for name in (
        "lab-instruments",
        "lab-services",
        "lab-import",
        "lab-instrument-create",
        "lab-service-create",
    ):
        assert client.get(reverse(f"frontend:{name}")).status_code == 200


def test_firm_member_gets_404_on_lab_pages(alice):
    assert client_for(alice).get(reverse("frontend:lab-instruments")).status_code == 404


def test_manager_sets_weekly_hours_through_the_page(manager, provider):
    instrument = InstrumentFactory(provider=provider)
    data = {
        "w-d0_opens1": "08:30",
        "w-d0_closes1": "12:00",
        "w-d0_opens2": "13:30",
        "w-d0_closes2": "17:30",
    }
    resp = client_for(manager).post(
        reverse("frontend:lab-instrument-hours", args=[instrument.pk]), data
    )
    assert resp.status_code == 302
    assert instrument.opening_hours.count() == 2


def test_overlapping_hours_rerender_with_message(manager, provider):
    instrument = InstrumentFactory(provider=provider)
    data = {
        "w-d0_opens1": "08:30",
        "w-d0_closes1": "14:00",
        "w-d0_opens2": "13:30",
        "w-d0_closes2": "17:30",
    }
    resp = client_for(manager).post(
        reverse("frontend:lab-instrument-hours", args=[instrument.pk]), data
    )
    assert resp.status_code == 200
    assert 'data-testid="form-error"' in resp.content.decode()
    assert instrument.opening_hours.count() == 7  # unchanged factory hours


def test_import_page_previews_then_confirm_saves_good_rows(manager, provider):
    CategoryFactory(code="0301")
    book = Workbook()
    book.active.append(["名称", "分类代码", "对外价格（元/小时）"])
    book.active.append(["红外光谱仪", "0301", 300])
    book.active.append(["坏行", "0301", "很贵"])
    out = io.BytesIO()
    book.save(out)
    upload = io.BytesIO(out.getvalue())
    upload.name = "仪器.xlsx"
    client = client_for(manager)
    resp = client.post(reverse("frontend:lab-import"), {"kind": "instruments", "file": upload})
    assert resp.status_code == 302
    batch = ImportBatch.objects.get()
    preview = client.get(resp["Location"]).content.decode()
    assert "坏行" in preview and 'data-testid="confirm-import"' in preview
    assert not Instrument.objects.exists()
    client.post(reverse("frontend:lab-import-confirm", args=[batch.pk]))
    assert list(Instrument.objects.values_list("name", flat=True)) == ["红外光谱仪"]


def test_template_download_is_a_workbook(manager):
    resp = client_for(manager).get(
        reverse("frontend:lab-import-template", args=["instruments", "xlsx"])
    )
    assert resp.status_code == 200
    assert resp.content[:2] == b"PK"
