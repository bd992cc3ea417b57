import pytest

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
    page.wait_for_function(
        "document.querySelectorAll('[data-testid=instrument-card]').length === 2"
    )

    page.select_option("select[name=city]", "330100")
    page.wait_for_function(
        "document.querySelectorAll('[data-testid=instrument-card]').length === 1"
    )
    assert "city=330100" in page.url  # shareable: the filters live in the query string
    cards.first.click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=instrument-name]").inner_text() == "傅里叶变换红外光谱仪"
    assert page.locator("[data-testid=next-free] li").count() >= 1
