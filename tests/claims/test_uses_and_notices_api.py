"""The firm's "uses of my vouchers" (page, API, export) and public notices through the API:
published frozen by the issuer's reviewers, read by anyone, corrected beside."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.claims.conftest import period
from tests.claims.test_claims import build
from tests.claims.test_exports import body, csv_rows, sheet
from tests.conftest import client_for
from tests.factories.accounts import make_firm, member_of
from vouchers.models import LedgerEntry, PublicNotice
from vouchers.services import notices

pytestmark = pytest.mark.django_db


def api(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_the_firm_sees_each_use_with_its_claim_and_what_was_published(
    completed, later, alice, firm_a, manager, provider, reviewer, programme, voucher
):
    orders = completed(2)
    with later():
        [claim] = build(manager, provider)
        notice = notices.notice_publish(actor=reviewer, programme_id=programme.pk, **period())
    captured = LedgerEntry.objects.filter(voucher=voucher, kind="capture")
    page = client_for(alice).get("/vouchers/uses/")
    text = page.content.decode()
    assert page.status_code == 200
    for entry in captured:
        assert f'data-testid="use-{entry.pk}"' in text
    assert page.context["total_fen"] == sum(e.amount_fen for e in captured) == 400_00
    assert claim.number in text and f"/notices/{notice.pk}/" in text
    assert f"/bookings/{orders[0].pk}/" in text
    rows = sheet(client_for(alice).get("/vouchers/uses/export.xlsx"))
    assert rows[0][0] == "账目编号" and len(rows) == 3
    assert {r[rows[0].index("创新券支付（元）")] for r in rows[1:]} == {"200.00"}
    results = api(alice).get("/api/v1/voucher-uses/").json()["results"]
    assert {r["entry_id"] for r in results} == {e.pk for e in captured}
    assert {r["claim_number"] for r in results} == {claim.number}
    assert len(csv_rows(api(alice).get("/api/v1/voucher-uses/?export=csv"))) == 3


def test_another_firm_sees_none_of_it(completed, later, firm_a):
    completed(1)
    other = member_of(make_firm())
    page = client_for(other).get("/vouchers/uses/")
    assert page.status_code == 200 and page.context["count"] == 0
    assert api(other).get(f"/api/v1/voucher-uses/?firm={firm_a.pk}").status_code == 404
    bad = api(other).get("/api/v1/voucher-uses/?firm=x")
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid")


def test_the_department_reads_its_uses_through_the_api(completed, later, reviewer, other_reviewer):
    completed(2)
    assert api(reviewer).get("/api/v1/voucher-uses/").json()["count"] == 2
    assert api(other_reviewer).get("/api/v1/voucher-uses/").json()["count"] == 0


def test_publishing_a_notice_through_the_api(completed, later, reviewer, programme, firm_a):
    completed(2)
    with later():
        bounds = {k: v.isoformat() for k, v in period().items()}
        response = api(reviewer).post("/api/v1/notices/", {"programme": programme.pk, **bounds,
                                                            "notice_days": 10, "audit_seed": 42},
                                      format="json")  # fmt: skip
        assert response.status_code == 201, response.json()
        notice = response.json()
        assert (notice["row_count"], notice["total_fen"], notice["audit_seed"]) == (2, 400_00, 42)
        assert {r["firm"] for r in notice["rows"]} == {firm_a.name}
        assert "firm_id" not in notice["rows"][0]  # kept for the firm's page, never published
        empty = api(reviewer).post("/api/v1/notices/", {"programme": programme.pk,
                                                         "period_start": "2020-01-01",
                                                         "period_end": "2020-01-31"}, format="json")  # fmt: skip
        assert (empty.status_code, empty.json()["code"]) == (409, "nothing_to_publish")
    anyone = api()
    listed = anyone.get("/api/v1/notices/").json()
    assert [n["id"] for n in listed["results"]] == [notice["id"]]
    read = anyone.get(f"/api/v1/notices/{notice['id']}/")
    assert read.status_code == 200 and len(read.json()["rows"]) == 2
    assert anyone.get("/api/v1/notices/999999/").status_code == 404
    fix = api(reviewer).post(f"/api/v1/notices/{notice['id']}/corrections/",
                             {"text": "第 1 行服务机构名称更正"}, format="json")  # fmt: skip
    assert fix.status_code == 201
    again = anyone.get(f"/api/v1/notices/{notice['id']}/").json()
    assert [c["text"] for c in again["corrections"]] == ["第 1 行服务机构名称更正"]
    assert again["rows"] == read.json()["rows"]  # frozen
    assert PublicNotice.objects.count() == 1


def test_only_the_issuers_reviewers_publish_or_correct_through_the_api(
    completed, later, reviewer, programme, other_reviewer, manager, alice
):
    completed(1)
    with later():
        bounds = {k: v.isoformat() for k, v in period().items()}
        notice = notices.notice_publish(actor=reviewer, programme_id=programme.pk, **period())
        for outsider in (other_reviewer, manager, alice):
            refused = api(outsider).post("/api/v1/notices/", {"programme": programme.pk, **bounds},
                                         format="json")  # fmt: skip
            assert refused.status_code == 404
            fix = api(outsider).post(f"/api/v1/notices/{notice.pk}/corrections/", {"text": "x"},
                                     format="json")  # fmt: skip
            assert fix.status_code == 404
        assert api().post("/api/v1/notices/", {"programme": programme.pk, **bounds},
                          format="json").status_code in (401, 403)  # fmt: skip
    assert Client().get(f"/notices/{notice.pk}/").status_code == 200
    assert body(api().get(f"/api/v1/notices/{notice.pk}/"))
