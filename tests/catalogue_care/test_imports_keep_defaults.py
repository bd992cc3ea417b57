"""Imports keep the model's defaults, say what each row will get, never import the
template's example, take opening hours, and export numbers and dates as such."""

import datetime as dt
import io

import pytest
from django.test import Client
from openpyxl import Workbook, load_workbook

from facilities.imports import dataset, import_confirm, import_preview, render, template_book
from facilities.imports.hours import format_hours, parse_hours
from facilities.models import Instrument
from facilities.models import TestingService as Service
from tests.factories.facilities import CategoryFactory, InstrumentFactory

pytestmark = pytest.mark.django_db

HEADERS = ["名称", "分类代码", "需要审核", "可用创新券", "需要培训", "开放时间"]


def xlsx(rows, headers=HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def category():
    return CategoryFactory(code="0301", name_zh="光谱仪器")


def _preview(manager, provider, content, kind="instruments", filename="仪器.xlsx"):
    return import_preview(actor=manager, provider=provider, kind=kind, filename=filename,
                          content=content)  # fmt: skip


def test_blank_yes_no_cells_take_the_model_defaults_and_the_preview_says_so(
    manager, provider, category
):
    batch = _preview(manager, provider, xlsx([["红外光谱仪", "0301", "", "", "", ""],
                                              ["电镜", "0301", "否", "否", "是", ""]]))  # fmt: skip
    blank, filled = batch.rows
    assert blank["errors"] == {} and filled["errors"] == {}
    assert blank["resolved"] == {"requires_approval": "yes", "voucher_eligible": "yes",
                                 "requires_training": "no"}  # fmt: skip
    assert filled["resolved"] == {}
    assert import_confirm(actor=manager, batch=batch) == 2
    kept = Instrument.objects.get(name="红外光谱仪")
    assert kept.requires_approval is True and kept.voucher_eligible is True
    assert kept.requires_training is False
    chosen = Instrument.objects.get(name="电镜")
    assert chosen.requires_approval is False and chosen.voucher_eligible is False
    assert chosen.requires_training is True


def test_a_blank_cell_keeps_an_updated_instruments_value(manager, provider, category):
    existing = InstrumentFactory(provider=provider, category=category, requires_approval=True,
                                 requires_training=True)  # fmt: skip
    batch = _preview(manager, provider, xlsx([[existing.pk, "改名", "0301", "", "", "", ""]],
                                             headers=["编号", *HEADERS]))  # fmt: skip
    assert batch.rows[0]["action"] == "update"
    assert batch.rows[0]["resolved"]["requires_training"] == "yes"
    import_confirm(actor=manager, batch=batch)
    existing.refresh_from_db()
    assert existing.name == "改名" and existing.requires_training is True


def test_the_templates_example_row_is_shown_and_never_imported(manager, provider, category):
    template = render(template_book("instruments"), "xlsx")
    book = load_workbook(io.BytesIO(template))
    assert len(book.worksheets) == 2  # columns, then the category codes
    codes = [row[0] for row in book.worksheets[1].iter_rows(min_row=2, values_only=True)]
    assert "0301" in codes
    batch = _preview(manager, provider, template)
    assert [r["action"] for r in batch.rows] == ["example"]
    assert import_confirm(actor=manager, batch=batch) == 0
    assert not Instrument.objects.exists()
    # the example as typed into a CSV, without the marker, is recognised too
    services = render(template_book("services"), "csv").decode("utf-8-sig")
    unmarked = services.replace("示例（不导入）", "")
    batch = _preview(manager, provider, unmarked.encode(), kind="services", filename="s.csv")
    assert [r["action"] for r in batch.rows] == ["example"]
    import_confirm(actor=manager, batch=batch)
    assert not Service.objects.exists()


def test_a_row_typed_over_the_example_imports_even_with_the_marker(manager, provider, category):
    book = load_workbook(io.BytesIO(render(template_book("instruments"), "xlsx")))
    sheet = book.worksheets[0]
    sheet.cell(row=2, column=2, value="激光粒度仪")  # 名称, the ID cell still says 示例
    out = io.BytesIO()
    book.save(out)
    batch = _preview(manager, provider, out.getvalue())
    assert [r["action"] for r in batch.rows] == ["create"] and batch.rows[0]["errors"] == {}
    assert import_confirm(actor=manager, batch=batch) == 1
    assert Instrument.objects.get().name == "激光粒度仪"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("周一至周五 08:30-17:30", [(d, "08:30", "17:30") for d in range(5)]),
        ("Mon-Fri 08:30-17:30; Sat 09:00-12:00",
         [*((d, "08:30", "17:30") for d in range(5)), (5, "09:00", "12:00")]),
        ("每天 08:00-12:00, 13:00-17:00",
         [w for d in range(7) for w in ((d, "08:00", "12:00"), (d, "13:00", "17:00"))]),
        ("周二、周四 9:00～11:30", [(1, "09:00", "11:30"), (3, "09:00", "11:30")]),
    ],
)  # fmt: skip
def test_opening_hours_patterns(cell, expected):
    windows = [tuple(w) for w in parse_hours(cell)]
    assert windows == expected
    assert [tuple(w) for w in parse_hours(format_hours(windows))] == expected  # round trip


def test_opening_hours_column_sets_the_weekly_pattern(manager, provider, category):
    batch = _preview(manager, provider, xlsx([["红外光谱仪", "0301", "", "", "", "周一至周五 08:30-17:30"],
                                              ["坏时间", "0301", "", "", "", "周一 18:00-09:00"]]))  # fmt: skip
    good, bad = batch.rows
    assert good["errors"] == {} and good["warnings"] == []
    assert "opening_hours" in bad["errors"]
    import_confirm(actor=manager, batch=batch)
    saved = Instrument.objects.get()
    hours = list(saved.opening_hours.values_list("weekday", "opens_at", "closes_at"))
    assert hours == [(d, dt.time(8, 30), dt.time(17, 30)) for d in range(5)]


def test_instrument_without_hours_is_flagged_in_preview_and_on_the_managers_list(
    manager, provider, category, client
):
    batch = _preview(manager, provider, xlsx([["无时间仪器", "0301", "", "", "", ""]]))
    assert batch.rows[0]["warnings"] and batch.rows[0]["errors"] == {}
    client.force_login(manager)
    page = client.get(f"/lab/import/{batch.pk}/").content.decode()
    assert 'data-testid="import-no-hours"' in page and 'data-testid="row-warning"' in page
    assert 'data-testid="cell-default"' in page  # blank yes/no cells show their default
    import_confirm(actor=manager, batch=batch)
    InstrumentFactory(provider=provider, category=category, name="有时间仪器")
    listing = client.get("/lab/instruments/").content.decode()
    assert listing.count('data-testid="no-hours"') == 1
    row = listing.split("无时间仪器")[1].split("</tr>")[0]
    assert 'data-testid="no-hours"' in row


def test_manager_list_reads_hours_without_a_query_per_row(
    manager, provider, category, client, django_assert_max_num_queries
):
    for _ in range(15):
        InstrumentFactory(provider=provider, category=category)
    client.force_login(manager)
    client.get("/lab/instruments/")
    with django_assert_max_num_queries(15):
        assert client.get("/lab/instruments/").status_code == 200


def test_category_codes_page_lists_the_codes(manager, category, client):
    CategoryFactory(code="0302", name_zh="色谱仪器", parent=category)
    client.force_login(manager)
    page = client.get("/lab/categories/").content.decode()
    assert "0301" in page and "0302" in page and "└" in page  # a child under its parent
    assert Client().get("/lab/categories/").status_code == 302  # sign in first


def test_xlsx_export_writes_numbers_and_dates(manager, provider, category):
    InstrumentFactory(provider=provider, category=category, original_value_fen=850000_50,
                      start_of_use=dt.date(2019, 6, 1))  # fmt: skip
    sheet = load_workbook(io.BytesIO(render(dataset("instruments", [provider.pk]), "xlsx"))).active
    headers = [c.value for c in sheet[1]]
    row = dict(zip(headers, sheet[2], strict=True))
    assert row["原值（元）"].data_type == "n" and float(row["原值（元）"].value) == 850000.50
    assert row["启用日期"].is_date and row["启用日期"].value.date() == dt.date(2019, 6, 1)
    assert row["预约粒度（分钟）"].value == 30
    assert row["对外价格（元/小时）"].value == 200
    assert row["开放时间"].value == "每天 08:00-20:00"
    # and it reads back as the same instrument
    again = _preview(manager, provider, render(dataset("instruments", [provider.pk]), "xlsx"))
    assert again.rows[0]["errors"] == {} and again.rows[0]["action"] == "update"
