"""The department's dashboard: who may open it, what each reviewer sees, the filters."""

import json
import re

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.tracker_pages.html import page_tables

pytestmark = pytest.mark.django_db
URL = reverse("frontend:tracker-dashboard")


def _chart(html: str, element_id: str) -> dict:
    match = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S
    )
    assert match, element_id
    return json.loads(match.group(1))


def test_province_reviewer_sees_targets_figures_map_and_breakdowns(province_reviewer):
    response = client_for(province_reviewer).get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "三年成长计划：仪器设备开放 5 万台次" in html and "15 万批次" in html
    assert "示意图" in html  # the map is labelled a schematic
    tables = page_tables(html)
    # This year (2026-01-01 .. 2026-06-15): 18 uses, 12 batches; the 2019 use is outside.
    headline = {row[0]: row for row in tables["headline"]}
    assert headline["Instrument uses"][4] == "18" and headline["Service batches"][4] == "12"
    regions = {row[0]: row for row in tables["regions"]}
    assert set(regions) == {"Hangzhou", "Ningbo"}
    assert regions["Hangzhou"][1:3] == ["12", "6"] and regions["Ningbo"][1:3] == ["6", "6"]
    chart = _chart(html, "chart-regions")
    assert chart["map_name"] == "330000" and chart["geojson_url"].endswith("maps/zhejiang.json")
    assert {r["code"]: r["value"] for r in chart["regions"]} == {"330100": 12, "330200": 6}
    assert [r[0] for r in tables["top-instruments"]] == ["杭州红外光谱仪", "宁波红外光谱仪"]
    assert tables["providers"][0][0] == "杭州西湖分析测试中心"


def test_target_card_shows_progress_and_projection(province_reviewer):
    html = client_for(province_reviewer).get(URL).content.decode()
    targets = {row[0]: row for row in page_tables(html)["targets"]}
    uses = targets["三年成长计划：仪器设备开放 5 万台次"]
    # Only the 2019 use falls in the plan's period, which is over: missed, 49,999 short.
    assert uses[4] == "1" and uses[5] == "50,000" and uses[7] == "100.0%"
    assert uses[11] == "49,999" and uses[12] == "Missed"
    lines = [_chart(html, f"line-{pk}") for pk in re.findall(r'id="line-(\d+)"', html)]
    assert sorted(line["series"][1]["values"][-1] for line in lines) == [50_000, 150_000]
    line = next(line for line in lines if line["series"][1]["values"][-1] == 50_000)
    assert line["labels"][0] == "2018-01" and line["labels"][-1] == "2020-12"
    # The cumulative count reaches 1 in May 2019 and stays there.
    assert line["series"][0]["values"][16] == 1 and line["series"][0]["values"][-1] == 1


def test_city_reviewer_sees_only_its_city(hangzhou_reviewer, world):
    client = client_for(hangzhou_reviewer)
    html = client.get(URL).content.decode()
    tables = page_tables(html)
    # Drilled into Hangzhou's counties; Ningbo appears nowhere.
    assert [row[0] for row in tables["regions"]] == ["西湖区"]
    chart = _chart(html, "chart-regions")
    assert chart["map_name"] == "330100" and chart["geojson_url"].endswith("maps/330100.json")
    assert "宁波" not in html
    assert {row[0] for row in tables["headline"]} == {"Instrument uses", "Service batches"}
    assert tables["headline"][0][4] == "12"
    # The province's plan targets are not its own region's.
    assert "5 万台次" not in html


def test_city_reviewer_cannot_reach_another_city_or_its_provider(hangzhou_reviewer, world):
    client = client_for(hangzhou_reviewer)
    assert client.get(URL, {"region": "330200"}).status_code == 404
    assert client.get(URL, {"provider": world["nb"].pk}).status_code == 404


@pytest.mark.parametrize("who", ["firm_member", "hz_manager"])
def test_firms_and_lab_managers_cannot_open_the_dashboard(who, request):
    user = request.getfixturevalue(who)
    assert client_for(user).get(URL).status_code == 403
    assert (
        client_for(user)
        .get(reverse("frontend:tracker-export"), {"table": "regions", "format": "csv"})
        .status_code
        == 403
    )


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"period": "1999"}, "Choose a period from the list."),
        (
            {"period": "custom", "from": "2026-05-01", "to": "2026-04-01"},
            "The end of the period is before its start.",
        ),
        ({"period": "custom", "from": "yesterday"}, "Enter a date as YYYY-MM-DD"),
        ({"kind": "rocket"}, "Unknown kind."),
        ({"provider": "abc"}, "Enter a whole number."),
    ],
)
def test_a_bad_filter_is_a_400_with_a_message_and_the_bar_kept(province_reviewer, params, message):
    response = client_for(province_reviewer).get(URL, params)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert 'data-testid="filters"' in html


def test_kind_filter_is_honoured_by_every_table(province_reviewer):
    html = client_for(province_reviewer).get(URL, {"kind": "batch"}).content.decode()
    tables = page_tables(html)
    assert "top-instruments" not in tables and "instrument-categories" not in tables
    assert [row[0] for row in tables["headline"]] == ["Service batches"]
    assert {row[0]: row[1] for row in tables["regions"]} == {"Hangzhou": "0", "Ningbo": "0"}
    assert {row[0]: row[2] for row in tables["regions"]} == {"Hangzhou": "6", "Ningbo": "6"}
    assert [row[0] for row in tables["targets"]] == ["三年成长计划：检验检测服务 15 万批次"]
    assert sum(int(row[1]) for row in tables["trend"]) == 12


def test_provider_and_period_filters_are_honoured(province_reviewer, world):
    client = client_for(province_reviewer)
    html = client.get(URL, {"provider": world["nb"].pk, "period": "this_month"}).content.decode()
    tables = page_tables(html)
    assert {row[0] for row in tables["regions"]} == {"Ningbo"}
    assert [row[0] for row in tables["providers"]] == ["宁波北仑检测院"]
    headline = {row[0]: row[4] for row in tables["headline"]}
    assert headline == {"Instrument uses": "1", "Service batches": "1"}
    assert [row[0] for row in tables["trend"]] == ["2026-06"]


def test_links_keep_the_filters(province_reviewer, world):
    html = (
        client_for(province_reviewer).get(URL, {"kind": "use", "period": "2026"}).content.decode()
    )
    chart = _chart(html, "chart-regions")
    hangzhou = next(r for r in chart["regions"] if r["code"] == "330100")
    assert (
        "region=330100" in hangzhou["url"]
        and "kind=use" in hangzhou["url"]
        and "period=2026" in hangzhou["url"]
    )
    assert "format=xlsx" in html and "table=regions" in html


def test_clicking_a_city_drills_into_its_counties(province_reviewer):
    html = client_for(province_reviewer).get(URL, {"region": "330100"}).content.decode()
    chart = _chart(html, "chart-regions")
    assert chart["map_name"] == "330100"
    assert [r["code"] for r in chart["regions"]] == ["330106"]
    assert "Back up one level" in html


def test_last_reconciliation_is_shown(province_reviewer):
    from django.utils import timezone

    from tracker.models import ReconciliationRun

    ReconciliationRun.objects.create(finished_at=timezone.now(), differences=0)
    html = client_for(province_reviewer).get(URL).content.decode()
    assert "Last reconciled: 2026-06-15 10:00, 0 differences" in html


def test_all_time_reads_year_by_year(province_reviewer):
    html = client_for(province_reviewer).get(URL, {"period": "all"}).content.decode()
    trend = {row[0]: row[1:] for row in page_tables(html)["trend"]}
    assert trend == {"2019": ["1", "0"], "2026": ["18", "12"]}
