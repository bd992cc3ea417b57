"""A small Zhejiang for the tracker pages: providers in Hangzhou and Ningbo, their
instruments and services, firms, and usage recorded through the tracker's counters.
Time stands still on 2026-06-15 (Asia/Shanghai) so periods and projections are fixed."""

import datetime as dt
import zoneinfo

import pytest
import time_machine

from tests.factories.accounts import UserFactory, join, make_reviewer
from tests.tracker_pages.world import build_world

NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(db):
    return build_world()


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
