import pytest
from playwright.sync_api import expect

from accounts.models import Region
from tests.factories.accounts import make_provider
from tests.factories.facilities import InstrumentFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_firm_user_finds_instrument_by_chinese_word_and_city(page):
    hangzhou = make_provider(organisation__region=Region.objects.get(code="330106"))
    ningbo = make_provider(organisation__region=Region.objects.get(code="330206"))
    InstrumentFactory(name="傅里叶变换红外光谱仪", provider=hangzhou)
    InstrumentFactory(name="激光共聚焦拉曼光谱仪", provider=ningbo)
    InstrumentFactory(name="万能材料试验机", provider=hangzhou)

    page.goto("/instruments/")
    page.fill("[data-testid=catalogue-q]", "光谱")
    page.keyboard.press("Enter")
    cards = page.locator("[data-testid=instrument-card]")
    cards.first.wait_for()
    expect(cards).to_have_count(2)  # not wait_for_function: the CSP forbids its eval

    page.select_option("select[name=city]", "330100")
    expect(cards).to_have_count(1)
    assert "city=330100" in page.url  # shareable: the filters live in the query string
    cards.first.click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=instrument-name]").inner_text() == "傅里叶变换红外光谱仪"
    assert page.locator("[data-testid=next-free] li").count() >= 1


def test_lab_manager_imports_a_spreadsheet_with_preview(page, sign_in, tmp_path):
    from openpyxl import Workbook

    from facilities.models import Instrument
    from tests.factories.accounts import PASSWORD, member_of
    from tests.factories.facilities import CategoryFactory

    CategoryFactory(code="0301", name_zh="光谱仪器")
    manager = member_of(make_provider(), email="lab-e2e@example.cn")
    book = Workbook()
    book.active.append(["名称", "型号", "分类代码", "对外价格（元/小时）"])
    book.active.append(["傅里叶变换红外光谱仪", "Nicolet iS20", "0301", 260])
    book.active.append(["写错分类的仪器", "X1", "9999", 100])
    path = tmp_path / "仪器.xlsx"
    book.save(path)

    sign_in(manager.email, PASSWORD)
    page.goto("/lab/import/")
    page.set_input_files("input[name=file]", str(path))
    page.click("[data-testid=upload]")
    page.locator("[data-testid=import-rows]").wait_for()
    assert page.locator("[data-testid=import-rows] .cell-error").count() == 1
    assert not Instrument.objects.exists()  # nothing saved before confirming
    page.click("[data-testid=confirm-import]")
    page.locator("[data-testid=lab-instruments]").wait_for()
    assert list(Instrument.objects.values_list("name", flat=True)) == ["傅里叶变换红外光谱仪"]
