"""The tracker pages' small Zhejiang, for page tests and the browser test alike."""

import datetime as dt

from accounts.models import Region
from tests.factories.accounts import make_firm, make_provider
from tests.factories.facilities import CategoryFactory, InstrumentFactory, TestingServiceFactory
from tests.tracker_pages.usage import record_batch, record_use
from tracker.services.targets import plan_targets_ensure


def build_world() -> dict:
    """Providers in Hangzhou and Ningbo, their items, two firms, and 2026's usage."""
    plan_targets_ensure()
    spectra = CategoryFactory(code="T01", name_zh="光谱仪器", name_en="Spectrometers")
    metals = CategoryFactory(code="T02", name_zh="金属材料检测", name_en="Metal testing")
    hz = make_provider(
        organisation__name="杭州西湖分析测试中心",
        organisation__region=Region.objects.get(code="330106"),
    )
    nb = make_provider(
        organisation__name="宁波北仑检测院", organisation__region=Region.objects.get(code="330206")
    )
    hz_ftir = InstrumentFactory(provider=hz, name="杭州红外光谱仪", category=spectra)
    nb_ftir = InstrumentFactory(provider=nb, name="宁波红外光谱仪", category=spectra)
    hz_tensile = TestingServiceFactory(provider=hz, name="杭州拉伸试验", category=metals)
    nb_tensile = TestingServiceFactory(provider=nb, name="宁波拉伸试验", category=metals)
    firm_hz = make_firm(organisation__name="杭州小微科技有限公司")
    firm_nb = make_firm(
        organisation__name="宁波小微制造有限公司",
        organisation__region=Region.objects.get(code="330206"),
    )
    for month in (1, 2, 3, 4, 5, 6):
        day = dt.date(2026, month, 10)
        record_use(instrument=hz_ftir, firm=firm_hz, day=day, minutes=90)
        record_use(instrument=hz_ftir, firm=firm_nb, day=day, minutes=60, voucher_fen=100_00)
        record_use(instrument=nb_ftir, firm=firm_nb, day=day)
        record_batch(service=hz_tensile, firm=firm_hz, day=day)
        record_batch(service=nb_tensile, firm=firm_nb, day=day, samples=5)
    record_use(instrument=nb_ftir, firm=firm_nb, day=dt.date(2019, 5, 5))
    return {
        "hz": hz, "nb": nb, "hz_ftir": hz_ftir, "nb_ftir": nb_ftir, "hz_tensile": hz_tensile,
        "nb_tensile": nb_tensile, "firm_hz": firm_hz, "firm_nb": firm_nb, "spectra": spectra,
        "metals": metals,
    }  # fmt: skip
