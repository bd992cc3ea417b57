"""Provider statistics: a lab manager's own provider, the department's region; exports."""

import csv
import io

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.tracker_pages.html import page_tables

pytestmark = pytest.mark.django_db


def _url(provider):
    return reverse("frontend:tracker-provider-statistics", args=[provider.pk])


def test_lab_manager_sees_its_provider_figures(hz_manager, world):
    client = client_for(hz_manager)
    response = client.get(reverse("frontend:tracker-my-statistics"))
    assert response.status_code == 302 and response["Location"] == _url(world["hz"])
    tables = page_tables(client.get(_url(world["hz"])).content.decode())
    ftir = tables["instruments"][0]
    # 6 × 90 min for the provider's own firm... all outside users here: 6×1.5 h + 6×1 h = 15 h.
    assert ftir[0] == "杭州红外光谱仪"
    assert ftir[2] == "15.0" and ftir[3] == "15.0" and ftir[4] == "100.0%"
    assert ftir[6] == "12" and ftir[9] == "2"
    service = tables["services"][0]
    assert service[:5] == ["杭州拉伸试验", "6", "18", "100.0%", "1"]


def test_lab_manager_cannot_see_another_provider(hz_manager, world):
    assert client_for(hz_manager).get(_url(world["nb"])).status_code == 404


def test_city_reviewer_sees_its_citys_providers_only(hangzhou_reviewer, world):
    client = client_for(hangzhou_reviewer)
    html = client.get(reverse("frontend:tracker-providers")).content.decode()
    assert "杭州西湖分析测试中心" in html and "宁波北仑检测院" not in html
    assert client.get(_url(world["hz"])).status_code == 200
    assert client.get(_url(world["nb"])).status_code == 404


def test_export_equals_the_page(province_reviewer, world):
    client = client_for(province_reviewer)
    url = _url(world["nb"])
    tables = page_tables(client.get(url, {"period": "2026"}).content.decode())
    response = client.get(url, {"period": "2026", "export": "instruments", "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["仪器", "型号", "有效工作机时"]
    page = tables["instruments"][0]
    assert rows[1][0] == page[0] and float(rows[1][2]) == float(page[2])
    assert float(rows[1][4]) == float(page[4].rstrip("%"))


def test_a_bad_period_is_a_400(hz_manager, world):
    response = client_for(hz_manager).get(_url(world["hz"]), {"period": "custom", "from": "x"})
    assert response.status_code == 400


def test_firm_member_has_no_statistics(firm_member, world):
    client = client_for(firm_member)
    assert client.get(_url(world["hz"])).status_code == 404
    assert client.get(reverse("frontend:tracker-my-statistics")).status_code == 404
    assert client.get(reverse("frontend:tracker-providers")).status_code == 403
