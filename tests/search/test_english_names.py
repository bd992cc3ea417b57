"""The instrument's English name (issue 15): searched as a word, ranked as a name, marked
on the results page, shown first on the English pages, and carried by the API, the lab
manager's form and the import/export sheets."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from facilities.imports import dataset, import_confirm, import_preview, render
from facilities.models import Instrument
from facilities.search import tokens_of
from facilities.selectors import CatalogueFilters, instrument_search
from tests.conftest import client_for
from tests.factories.facilities import CategoryFactory, InstrumentFactory

pytestmark = pytest.mark.django_db


def chinese() -> Client:
    client = Client(headers={"accept-language": "zh-hans"})
    client.cookies["django_language"] = "zh-hans"
    return client


def test_the_english_name_goes_into_the_search_tokens():
    instrument = InstrumentFactory(name="激光粒度仪", name_en="Laser particle size analyser")
    tokens = instrument.search_tokens.split()
    assert {"laser", "particle", "size", "analyser"} <= set(tokens)
    assert set(tokens_of("激光粒度仪")) <= set(tokens)


def test_an_english_name_finds_the_instrument_as_words():
    wanted = InstrumentFactory(name="激光粒度仪", name_en="Laser particle size analyser")
    InstrumentFactory(name="马尔文粒径仪", name_en="Particlesizer")  # not the word "particle"
    names = [i.name for i in instrument_search(filters=CatalogueFilters(q="particle size"))]
    assert names == [wanted.name]


def test_a_match_in_the_english_name_ranks_above_one_in_the_uses():
    InstrumentFactory(name="甲 通用仪器", main_uses="laser particle measurement")
    InstrumentFactory(name="乙 激光粒度仪", name_en="Laser particle size analyser")
    names = [i.name for i in instrument_search(filters=CatalogueFilters(q="laser particle"))]
    assert names == ["乙 激光粒度仪", "甲 通用仪器"]


def test_the_results_page_marks_the_english_name(catalogue):
    InstrumentFactory(name="激光粒度仪", name_en="Laser particle size analyser")
    html = chinese().get("/instruments/", {"q": "particle"}).content.decode()
    assert '<mark class="search-hit">particle</mark>' in html
    assert "激光粒度仪" in html


def test_the_english_page_shows_the_english_name_first():
    instrument = InstrumentFactory(name="激光粒度仪", name_en="Laser particle size analyser")
    url = reverse("frontend:instrument-detail", args=[instrument.pk])
    english = Client().get(url).content.decode()
    assert (
        '<h1 class="h3 mb-1" data-testid="instrument-name" lang="en">Laser particle size' in english
    )
    assert "激光粒度仪" in english
    html = chinese().get(url).content.decode()
    assert '<h1 class="h3 mb-1" data-testid="instrument-name">激光粒度仪</h1>' in html
    listing = Client().get("/instruments/", {"q": "激光粒度仪"}).content.decode()
    assert 'lang="en">Laser particle size analyser</h2>' in listing


def test_the_api_reads_and_writes_the_english_name(manager):
    category = CategoryFactory()
    client = client_for(manager)
    resp = client.post("/api/v1/instruments/",
                       {"name": "X射线衍射仪", "name_en": "X-ray diffractometer",
                        "category": category.pk}, content_type="application/json")  # fmt: skip
    assert resp.status_code == 201, resp.json()
    pk = resp.json()["id"]
    assert Instrument.objects.get(pk=pk).name_en == "X-ray diffractometer"
    assert client.get(f"/api/v1/instruments/{pk}/").json()["name_en"] == "X-ray diffractometer"
    rows = Client().get("/api/v1/instruments/", {"search": "diffractometer"}).json()["results"]
    assert [r["name_en"] for r in rows] == ["X-ray diffractometer"]


def test_the_lab_managers_form_has_the_english_name(manager, provider):
    instrument = InstrumentFactory(provider=provider, name_en="FTIR spectrometer")
    html = client_for(manager).get(reverse("frontend:lab-instrument-edit", args=[instrument.pk]))
    assert 'name="name_en"' in html.content.decode()
    assert 'value="FTIR spectrometer"' in html.content.decode()


def _sheet(rows) -> bytes:
    book = Workbook()
    book.active.append(["名称", "英文名称", "分类代码"])
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_import_sheet_takes_and_exports_the_english_name(manager, provider):
    CategoryFactory(code="0301")
    content = _sheet([["显微红外光谱仪", "FTIR spectrometer", "0301"]])
    batch = import_preview(actor=manager, provider=provider, kind="instruments",
                           filename="a.xlsx", content=content)  # fmt: skip
    assert batch.rows[0]["errors"] == {}
    import_confirm(actor=manager, batch=batch)
    saved = Instrument.objects.get(provider=provider)
    assert saved.name_en == "FTIR spectrometer"
    assert "spectrometer" in saved.search_tokens.split()
    data = dataset("instruments", [provider.pk])
    assert "英文名称" in data.headers
    assert data.dict[0]["英文名称"] == "FTIR spectrometer"
    again = import_preview(actor=manager, provider=provider, kind="instruments",
                           filename="b.xlsx", content=render(data, "xlsx"))  # fmt: skip
    assert again.rows[0]["errors"] == {} and again.rows[0]["action"] == "update"


def test_the_booking_pages_name_the_instrument_in_the_readers_language(alice):
    instrument = InstrumentFactory(name="激光粒度仪", name_en="Laser particle size analyser")
    client = client_for(alice)
    for url in (f"/instruments/{instrument.pk}/book/", f"/instruments/{instrument.pk}/series/"):
        client.cookies["django_language"] = "en"
        english = client.get(url).content.decode()
        assert "Laser particle size analyser" in english.split("</title>")[0], url
        assert '<h1 class="h3 mb-0">激光粒度仪' not in english
        client.cookies["django_language"] = "zh-hans"
        html = client.get(url).content.decode()
        assert "激光粒度仪" in html.split("</title>")[0] and "Laser particle" not in html, url
