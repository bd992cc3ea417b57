import io

import pytest
from openpyxl import Workbook

from config.errors import Conflict, Invalid, NotFound
from facilities.imports import dataset, import_confirm, import_preview, render
from facilities.models import ImportBatch, Instrument, Price
from facilities.models import TestingService as Service
from tests.factories.accounts import make_provider, member_of
from tests.factories.facilities import CategoryFactory

pytestmark = pytest.mark.django_db

HEADERS = ["名称", "型号", "分类代码", "原值（元）", "需要培训", "对外价格（元/小时）"]


def xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def category():
    return CategoryFactory(code="0301", name_zh="光谱仪器")


def test_bad_row_reported_and_nothing_saved_before_confirm(manager, provider, category):
    content = xlsx([
        ["傅里叶变换红外光谱仪", "Nicolet iS20", "0301", 850000, "否", 300],  # not the example
        ["没有分类的仪器", "X1", "9999", 1000, "否", 100],
        ["价格写错", "X2", "0301", 1000, "也许", "三百"],
    ])  # fmt: skip
    batch = import_preview(actor=manager, provider=provider, kind="instruments",
                           filename="仪器.xlsx", content=content)  # fmt: skip
    errors = [row["errors"] for row in batch.rows]
    assert errors[0] == {}
    assert "category" in errors[1]
    assert set(errors[2]) == {"requires_training", "price_external_firm"}
    assert [row["line"] for row in batch.rows] == [2, 3, 4]
    assert not Instrument.objects.exists()

    assert import_confirm(actor=manager, batch=batch) == 1
    saved = Instrument.objects.get()
    assert saved.name == "傅里叶变换红外光谱仪"
    assert saved.original_value_fen == 850000_00
    assert saved.prices.get(client_group=Price.ClientGroup.EXTERNAL_FIRM).per_hour_fen == 300_00
    assert saved.external_price_fen == 300_00


def test_confirm_twice_is_refused(manager, provider, category):
    batch = import_preview(actor=manager, provider=provider, kind="instruments",
                           filename="a.xlsx", content=xlsx([["仪器", "", "0301", 1, "否", 1]]))  # fmt: skip
    import_confirm(actor=manager, batch=batch)
    with pytest.raises(Conflict):
        import_confirm(actor=manager, batch=batch)
    assert Instrument.objects.count() == 1


def test_csv_services_in_gbk(manager, provider, category):
    text = "名称,分类代码,检测标准,价格（元）,计价方式\n红外光谱分析,0301,GB/T 6040-2019；GB/T 21186-2007,200,每样\n"
    batch = import_preview(actor=manager, provider=provider, kind="services",
                           filename="s.csv", content=text.encode("gb18030"))  # fmt: skip
    assert batch.rows[0]["errors"] == {}
    import_confirm(actor=manager, batch=batch)
    assert Service.objects.get().standards == "GB/T 6040-2019\nGB/T 21186-2007"


def test_unreadable_file_is_invalid(manager, provider):
    with pytest.raises(Invalid) as err:
        import_preview(actor=manager, provider=provider, kind="instruments",
                       filename="x.xlsx", content=b"not a workbook")  # fmt: skip
    assert err.value.code == "import_bad_xlsx"
    assert not ImportBatch.objects.exists()


def test_other_manager_cannot_import_or_confirm(manager, provider, category):
    stranger = member_of(make_provider())
    with pytest.raises(NotFound):
        import_preview(actor=stranger, provider=provider, kind="instruments",
                       filename="a.xlsx", content=xlsx([]))  # fmt: skip
    batch = import_preview(actor=manager, provider=provider, kind="instruments",
                           filename="a.xlsx", content=xlsx([["仪器", "", "0301", 1, "否", 1]]))  # fmt: skip
    with pytest.raises(NotFound):
        import_confirm(actor=stranger, batch=batch)
    assert not Instrument.objects.exists()


def test_export_round_trips_through_import(manager, provider, category):
    batch = import_preview(actor=manager, provider=provider, kind="instruments",
                           filename="a.xlsx", content=xlsx([["仪器甲", "M1", "0301", 1, "是", 50]]))  # fmt: skip
    import_confirm(actor=manager, batch=batch)
    exported = render(dataset("instruments", [provider.pk]), "xlsx")
    again = import_preview(actor=manager, provider=provider, kind="instruments",
                           filename="back.xlsx", content=exported)  # fmt: skip
    assert again.rows[0]["errors"] == {}
    assert again.rows[0]["action"] == "update"
    import_confirm(actor=manager, batch=again)
    assert Instrument.objects.count() == 1
