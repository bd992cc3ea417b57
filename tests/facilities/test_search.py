import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Accreditation, Region
from booking.models import Booking
from facilities.models import Blackout, Instrument
from facilities.selectors import CatalogueFilters, instrument_search, service_search
from tests.factories.accounts import ProviderProfileFactory, make_provider
from tests.factories.facilities import CategoryFactory, InstrumentFactory, TestingServiceFactory

pytestmark = pytest.mark.django_db
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def names(**filters) -> set[str]:
    return {i.name for i in instrument_search(filters=CatalogueFilters(**filters))}


def provider_in(code: str):
    return make_provider(organisation__region=Region.objects.get(code=code))


def test_two_character_chinese_word_finds_name_and_description():
    InstrumentFactory(name="傅里叶变换红外光谱仪")
    InstrumentFactory(name="紫外可见分光光度计", main_uses="测定溶液的吸收光谱与浓度")
    InstrumentFactory(name="场发射扫描电子显微镜", main_uses="表面形貌观察")
    assert names(q="光谱") == {"傅里叶变换红外光谱仪", "紫外可见分光光度计"}


def test_longer_chinese_term_and_latin_model_match():
    InstrumentFactory(name="傅里叶变换红外光谱仪", model_number="Nicolet iS50")
    InstrumentFactory(name="红外热像仪", model_number="FLIR T540")
    assert names(q="红外光谱") == {"傅里叶变换红外光谱仪"}
    assert names(q="nicolet") == {"傅里叶变换红外光谱仪"}
    assert names(q="红外 flir") == {"红外热像仪"}


def test_bigrams_in_different_places_do_not_match_a_phrase():
    # 光谱 and 谱仪 both occur, but not the phrase 光谱仪: the substring re-check drops it.
    InstrumentFactory(name="光谱分析系统", main_uses="族谱仪式")
    assert names(q="光谱仪") == set()


def test_category_includes_subcategories():
    root = CategoryFactory(code="T01", name_zh="分析仪器")
    child = CategoryFactory(code="T0101", name_zh="光谱仪器", parent=root)
    other = CategoryFactory(code="T02", name_zh="力学")
    InstrumentFactory(name="甲", category=root)
    InstrumentFactory(name="乙", category=child)
    InstrumentFactory(name="丙", category=other)
    assert names(category=root.pk) == {"甲", "乙"}
    assert names(category=child.pk) == {"乙"}


def test_city_matches_its_counties_and_county_only_itself():
    InstrumentFactory(name="西湖", provider=provider_in("330106"))
    InstrumentFactory(name="余杭", provider=provider_in("330110"))
    InstrumentFactory(name="宁波", provider=provider_in("330203"))
    assert names(region="330100") == {"西湖", "余杭"}
    assert names(region="330110") == {"余杭"}


def test_price_range_uses_outside_firm_hourly_price():
    cheap = InstrumentFactory(name="便宜")  # factory: ¥200/h for firms
    dear = InstrumentFactory(name="昂贵")
    dear.prices.filter(client_group="external_firm").update(per_hour_fen=900_00)
    from facilities.models import sync_external_price

    sync_external_price(dear.pk)
    assert names(price_max_fen=300_00) == {cheap.name}
    assert names(price_min_fen=500_00) == {dear.name}


def test_voucher_and_accredited_filters():
    accredited = ProviderProfileFactory()
    Accreditation.objects.create(
        provider=accredited,
        type="cma",
        certificate_no="X1",
        expires_on=timezone.localdate() + dt.timedelta(days=30),
    )
    InstrumentFactory(name="有资质", provider=accredited.organisation)
    InstrumentFactory(name="无券", voucher_eligible=False)
    assert names(accredited=True) == {"有资质"}
    assert "无券" not in names(voucher=True)


def test_retired_and_unshared_instruments_are_not_listed():
    InstrumentFactory(name="在用")
    InstrumentFactory(name="报废", status=Instrument.Status.RETIRED)
    InstrumentFactory(name="内部", is_shared=False)
    assert names() == {"在用"}


def test_free_between_excludes_booked_blacked_out_and_closed(alice, firm_a):
    day = timezone.localdate() + dt.timedelta(days=3)
    start = dt.datetime.combine(day, dt.time(10), SHANGHAI)
    end = start + dt.timedelta(hours=2)
    InstrumentFactory(name="空闲")
    booked = InstrumentFactory(name="已约")
    Booking.objects.create(instrument=booked, firm=firm_a, booked_by=alice, purpose="x",
                           start_at=start + dt.timedelta(hours=1), end_at=end + dt.timedelta(hours=1),
                           status=Booking.Status.REQUESTED)  # fmt: skip
    blocked = InstrumentFactory(name="维护")
    Blackout.objects.create(instrument=blocked, start_at=start, end_at=end)
    InstrumentFactory(name="晚班", hours=(dt.time(13), dt.time(22)))
    cancelled = InstrumentFactory(name="取消的")
    Booking.objects.create(instrument=cancelled, firm=firm_a, booked_by=alice, purpose="x",
                           start_at=start, end_at=end, status=Booking.Status.CANCELLED)  # fmt: skip
    assert names(free_from=start, free_to=end) == {"空闲", "取消的"}


def test_service_search_finds_standard_number_and_chinese():
    TestingServiceFactory(name="金属拉伸试验", standards="GB/T 228.1-2021")
    TestingServiceFactory(name="水质 pH 测定", standards="GB/T 6920-1986")
    found = {s.name for s in service_search(filters=CatalogueFilters(q="228.1"))}
    assert found == {"金属拉伸试验"}
    found = {s.name for s in service_search(filters=CatalogueFilters(q="水质"))}
    assert found == {"水质 pH 测定"}


def test_instruments_bulk_created_together_keep_their_search_tokens():
    from facilities.search import build as build_search

    provider = provider_in("330106")
    rows = [
        InstrumentFactory.build(provider=provider, category=CategoryFactory(), name=name)
        for name in ("液相色谱仪", "气相色谱质谱联用仪", "原子吸收光谱仪")
    ]
    for row in rows:  # bulk_create skips save(), which fills these
        row.search_text, row.search_tokens = build_search(*row.searchable_parts())
    Instrument.objects.bulk_create(rows)
    assert names(q="色谱") == {"液相色谱仪", "气相色谱质谱联用仪"}
