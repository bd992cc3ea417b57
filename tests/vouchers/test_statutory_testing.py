"""Statutory/mandatory testing (法定/强制性检测) is a flag of its own on the testing
service: set on the lab manager's form, the API and the import file, and honoured by the
programme rule "statutory testing excluded" (no longer read off voucher_eligible)."""

import pytest
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from facilities.imports import dataset, import_confirm, import_preview
from facilities.models import TestingService as Service
from tests.conftest import client_for
from tests.factories.facilities import CategoryFactory, TestingServiceFactory
from tests.vouchers.conftest import RULES, make_programme

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def request_body(service, voucher):
    return {"service": service.pk, "sample_count": 2, "sample_description": "钢板",
            "delivery": "drop_off", "vouchers": [voucher.pk]}  # fmt: skip


def test_statutory_service_is_refused_under_the_exclusion(alice, voucher, provider):
    service = TestingServiceFactory(provider=provider, statutory_testing=True)
    response = api(alice).post("/api/v1/service-requests/", request_body(service, voucher),
                               format="json")  # fmt: skip
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["data"]["reason"]) == (
        "voucher_not_applicable", "statutory_excluded")  # fmt: skip


def test_statutory_service_is_paid_where_the_programme_does_not_exclude_it(
    alice, firm_a, reviewer, provider
):
    from vouchers.services import issuing

    open_programme = make_programme(reviewer, rules={**RULES, "exclude_statutory": False})
    voucher = issuing.voucher_issue(actor=reviewer, programme_id=open_programme.pk,
                                    firm_id=firm_a.pk, amount_fen=100_000)  # fmt: skip
    service = TestingServiceFactory(provider=provider, statutory_testing=True)
    response = api(alice).post("/api/v1/service-requests/", request_body(service, voucher),
                               format="json")  # fmt: skip
    assert response.status_code == 201, response.json()
    assert response.json()["payment"]["voucher_fen"] > 0


def test_not_voucher_eligible_is_its_own_reason_not_statutory(alice, voucher, provider):
    service = TestingServiceFactory(provider=provider, voucher_eligible=False)
    response = api(alice).post("/api/v1/service-requests/", request_body(service, voucher),
                               format="json")  # fmt: skip
    assert response.status_code == 400
    assert response.json()["data"]["reason"] == "item_not_eligible"


def test_the_flag_through_the_api(manager, provider):
    category = CategoryFactory()
    client = client_for(manager)
    response = client.post("/api/v1/services/", {
        "name": "机动车排放检测", "category": category.pk, "standards": "GB 18285-2018",
        "price_fen": 30_000, "statutory_testing": True}, content_type="application/json")  # fmt: skip
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert Service.objects.get(pk=pk).statutory_testing
    assert client.get(f"/api/v1/services/{pk}/").json()["statutory_testing"] is True
    response = client.patch(f"/api/v1/services/{pk}/", {"statutory_testing": False},
                            content_type="application/json")  # fmt: skip
    assert response.status_code == 200
    assert not Service.objects.get(pk=pk).statutory_testing


def test_the_flag_on_the_lab_managers_form(manager, provider):
    service = TestingServiceFactory(provider=provider)
    client = client_for(manager)
    url = reverse("frontend:lab-service-edit", args=[service.pk])
    with translation.override("zh-hans"):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'name="statutory_testing"' in page
    assert "法定/强制性检测" in page
    data = {"name": service.name, "category": service.category_id,
            "standards": service.standards, "price": "300", "price_unit": service.price_unit,
            "turnaround_days": 5, "voucher_eligible": "on", "statutory_testing": "on",
            "is_active": "on"}  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    service.refresh_from_db()
    assert service.statutory_testing


def test_the_flag_in_the_import_template_and_file(manager, provider):
    CategoryFactory(code="0301")
    assert "法定/强制性检测" in dataset("services", [provider.pk], template=True).headers
    text = ("名称,分类代码,检测标准,价格（元）,法定/强制性检测\n"
            "机动车排放检测,0301,GB 18285-2018,300,是\n红外光谱分析,0301,GB/T 6040-2019,200,否\n")  # fmt: skip
    batch = import_preview(actor=manager, provider=provider, kind="services",
                           filename="s.csv", content=text.encode())  # fmt: skip
    assert [row["errors"] for row in batch.rows] == [{}, {}]
    import_confirm(actor=manager, batch=batch)
    flags = dict(Service.objects.values_list("name", "statutory_testing"))
    assert flags == {"机动车排放检测": True, "红外光谱分析": False}
    exported = dataset("services", [provider.pk])
    column = exported.headers.index("法定/强制性检测")
    assert sorted(row[column] for row in exported) == ["否", "是"]
