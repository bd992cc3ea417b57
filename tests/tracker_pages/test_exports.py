"""Every dashboard table exports to CSV and XLSX with Chinese headers and the page's numbers."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from frontend.views.tracker_dashboard import SECTIONS
from tests.conftest import client_for
from tests.tracker_pages.html import page_tables

pytestmark = pytest.mark.django_db
URL = reverse("frontend:tracker-dashboard")
EXPORT = reverse("frontend:tracker-export")


def _number(text: str):
    """A page cell as the spreadsheet holds it: ¥1,234.50 → 1234.50, 12.5% → 12.5."""
    cleaned = text.replace("¥", "").replace(",", "").replace("%", "")
    try:
        return Decimal(cleaned)
    except ArithmeticError:
        return text


def _same(page_cell: str, export_cell) -> bool:
    if page_cell == "–":
        return export_cell in ("", None)
    if isinstance(export_cell, (int, float, Decimal)):
        return _number(page_cell) == Decimal(str(export_cell))
    number = _number(page_cell)
    if isinstance(number, Decimal) and str(export_cell).replace(".", "", 1).isdigit():
        return number == Decimal(str(export_cell))
    return page_cell == str(export_cell)


def _csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _xlsx_rows(content: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [[c if c is not None else "" for c in row] for row in sheet.iter_rows(values_only=True)]


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_table_exports_what_the_page_shows(province_reviewer, fmt):
    client = client_for(province_reviewer)
    params = {"period": "2026"}
    tables = page_tables(client.get(URL, params).content.decode())
    assert set(SECTIONS) <= set(tables)
    for slug in SECTIONS:
        response = client.get(EXPORT, {**params, "table": slug, "format": fmt})
        assert response.status_code == 200, slug
        assert f"labshare-{slug}-" in response["Content-Disposition"]
        rows = _csv_rows(response.content) if fmt == "csv" else _xlsx_rows(response.content)
        header, body = rows[0], rows[1:]
        assert all(_has_chinese(str(h)) for h in header), (slug, header)
        assert len(body) == len(tables[slug]), slug
        for page_row, export_row in zip(tables[slug], body, strict=True):
            assert len(page_row) == len(export_row), slug
            for page_cell, export_cell in zip(page_row, export_row, strict=True):
                assert _same(page_cell, export_cell), (slug, page_cell, export_cell)


def test_xlsx_holds_numbers_not_text(province_reviewer):
    response = client_for(province_reviewer).get(
        EXPORT, {"table": "regions", "format": "xlsx", "period": "2026"}
    )
    rows = _xlsx_rows(response.content)
    assert rows[0] == ["市", "仪器使用（台次）", "检测服务（批次）", "费用", "创新券支付部分"]
    by_city = {row[0]: row for row in rows[1:]}
    assert by_city["Hangzhou"][1] == 12 and by_city["Hangzhou"][2] == 6
    assert by_city["Hangzhou"][3] == pytest.approx(12 * 400 + 6 * 900)


def test_export_honours_the_filters_and_the_reader_scope(hangzhou_reviewer, world):
    client = client_for(hangzhou_reviewer)
    rows = _csv_rows(client.get(EXPORT, {"table": "providers", "format": "csv"}).content)
    assert [r[0] for r in rows[1:]] == ["杭州西湖分析测试中心"]
    assert (
        client.get(EXPORT, {"table": "providers", "format": "csv", "region": "330200"}).status_code
        == 404
    )


@pytest.mark.parametrize(
    "params",
    [
        {"table": "nope", "format": "csv"},
        {"table": "regions", "format": "pdf"},
        {"table": "regions", "format": "csv", "period": "1900"},
    ],
)
def test_a_bad_export_request_is_a_400(province_reviewer, params):
    assert client_for(province_reviewer).get(EXPORT, params).status_code == 400


def test_a_table_hidden_by_the_kind_filter_is_not_exported(province_reviewer):
    response = client_for(province_reviewer).get(
        EXPORT, {"table": "top-instruments", "format": "csv", "kind": "batch"}
    )
    assert response.status_code == 404
