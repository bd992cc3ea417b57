"""A small Zhejiang for the tracker pages: providers in Hangzhou and Ningbo, their
instruments and services, firms, and usage recorded through the tracker's counters.
Time stands still on 2026-06-15 (Asia/Shanghai) so periods and projections are fixed."""

import datetime as dt
import zoneinfo

import pytest
import time_machine

from accounts.models import Region
from tests.factories.accounts import UserFactory, join, make_firm, make_provider, make_reviewer
from tests.factories.facilities import CategoryFactory, InstrumentFactory, TestingServiceFactory
from tests.tracker_pages.usage import record_batch, record_use
from tracker.services.targets import plan_targets_ensure

NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(db):
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


@pytest.fixture
def province_reviewer(world):
    return make_reviewer("330000", email="dept@example.cn")


@pytest.fixture
def hangzhou_reviewer(world):
    return make_reviewer("330100", email="hz-dept@example.cn")


@pytest.fixture
def hz_manager(world):
    user = UserFactory(email="hz-lab@example.cn")
    join(user, world["hz"], admin=True)
    return user


@pytest.fixture
def firm_member(world):
    user = UserFactory(email="firm-member@example.cn")
    join(user, world["firm_hz"], admin=True)
    return user
