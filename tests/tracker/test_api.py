"""/api/v1/tracker/: scoped, filtered, exportable, in the schema; bad input is a 4xx."""

import io

import openpyxl
import pytest
from django.core.cache import cache
from django.core.management import call_command
from rest_framework.test import APIClient

from accounts.models import Region
from tests.factories.accounts import make_provider, make_reviewer, member_of
from tests.factories.facilities import InstrumentFactory
from tracker.models import Target

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def history(complete_booking):
    complete_booking(minutes=60)
    complete_booking(minutes=120)
    ningbo = make_provider(organisation__region=Region.objects.get(code="330203"))
    complete_booking(inst=InstrumentFactory(provider=ningbo), by=member_of(ningbo))


def test_progress_lists_the_plans_targets_with_projection(history):
    response = api(make_reviewer("330000")).get("/api/v1/tracker/progress/")
    assert response.status_code == 200
    plan = [r for r in response.json()["results"] if r["target"]["target_count"] == 50_000]
    assert plan[0]["status"] == "missed" and plan[0]["percent_elapsed"] == 100.0
    assert "last_reconciliation" in response.json()


def test_usage_by_city_is_scoped_and_filtered(history):
    province = api(make_reviewer("330000")).get("/api/v1/tracker/usage/?by=city&kind=use")
    assert {r["key"]: r["count"] for r in province.json()["rows"]} == {"330100": 2, "330200": 1}
    assert province.json()["totals"]["use"]["count"] == 3
    city = api(make_reviewer("330100")).get("/api/v1/tracker/usage/?by=county")
    assert [(r["key"], r["count"]) for r in city.json()["rows"]] == [("330106", 2)]
    assert (
        api(make_reviewer("330100")).get("/api/v1/tracker/usage/?region=330200").status_code == 404
    )


@pytest.mark.parametrize(
    "query, code",
    [("from=2024-13", "invalid_date"), ("by=colour", "invalid_breakdown"),
     ("kind=cars", "invalid_kind"), ("provider=abc", "invalid_id"),
     ("export=pdf", "invalid_export")],
)  # fmt: skip
def test_bad_input_is_a_400_with_a_code(history, query, code):
    response = api(make_reviewer("330000")).get(f"/api/v1/tracker/usage/?{query}")
    assert response.status_code == 400 and response.json()["code"] == code


def test_firm_members_get_403_and_anonymous_401(history, alice):
    assert api(alice).get("/api/v1/tracker/usage/").status_code == 403
    assert APIClient().get("/api/v1/tracker/progress/").status_code in (401, 403)


def test_xlsx_export_has_chinese_headers_and_the_pages_numbers(history):
    response = api(make_reviewer("330000")).get("/api/v1/tracker/usage/?by=city&export=xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][0] == "城市" and rows[0][3] == "数量"
    assert {(r[1], r[3]) for r in rows[1:]} == {("330100", 2), ("330200", 1)}
    csv = api(make_reviewer("330000")).get("/api/v1/tracker/progress/?export=csv")
    assert csv["Content-Type"].startswith("text/csv") and "目标".encode() in csv.content


def test_provider_statistics_for_its_manager_and_its_region_only(history, provider, manager):
    url = f"/api/v1/tracker/providers/{provider.pk}/statistics/"
    response = api(manager).get(url)
    assert response.status_code == 200
    assert response.json()["instruments"][0]["effective_hours"] == 3.0
    assert api(make_reviewer("330100")).get(url).status_code == 200
    assert api(make_reviewer("330200")).get(url).status_code == 404
    xlsx = api(manager).get(url + "?export=xlsx")
    assert openpyxl.load_workbook(io.BytesIO(xlsx.content)).sheetnames == ["仪器共享", "检测服务"]


def test_a_city_department_manages_its_own_targets_only(db):
    reviewer = make_reviewer("330100")
    body = {"name": "杭州 2027", "kind": "use", "region": "330106", "starts_on": "2027-01-01",
            "ends_on": "2027-12-31", "target_count": 300}  # fmt: skip
    created = api(reviewer).post("/api/v1/tracker/targets/", body, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert api(reviewer).patch(f"/api/v1/tracker/targets/{pk}/", {"target_count": 320},
                               format="json").json()["target_count"] == 320  # fmt: skip
    outside = api(reviewer).post("/api/v1/tracker/targets/", {**body, "region": "330200"},
                                 format="json")  # fmt: skip
    assert outside.status_code == 404
    plan = Target.objects.get(kind="use", target_count=50_000)
    assert api(reviewer).get(f"/api/v1/tracker/targets/{plan.pk}/").status_code == 404
    assert (
        api(make_reviewer("330000")).delete(f"/api/v1/tracker/targets/{plan.pk}/").status_code
        == 403
    )
    reversed_ = api(reviewer).post("/api/v1/tracker/targets/", {**body, "ends_on": "2026-01-01"},
                                   format="json")  # fmt: skip
    assert reversed_.status_code == 400 and "ends_on" in reversed_.json()["fields"]
    assert api(reviewer).delete(f"/api/v1/tracker/targets/{pk}/").status_code == 204


def test_public_summary_needs_no_sign_in(history):
    cache.clear()
    response = APIClient().get("/api/v1/tracker/public/")
    assert response.status_code == 200
    assert len(response.json()["targets"][0]["cities"]) == 11


def test_busy_usage_list_has_a_fixed_number_of_queries(history, django_assert_max_num_queries):
    client = api(make_reviewer("330000"))
    for _ in range(5):  # more rows must not mean more queries
        make_provider()
    with django_assert_max_num_queries(12):
        assert client.get("/api/v1/tracker/usage/?by=provider").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/api/v1/tracker/progress/").status_code == 200


def test_tracker_endpoints_are_in_the_schema(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(target))
    text = target.read_text(encoding="utf-8")
    for path in ("progress/", "usage/", "providers/{id}/statistics/", "targets/", "targets/{id}/"):
        assert f"/api/v1/tracker/{path}:" in text, path
