"""``/api/v1/claims/``: the whole life of a claim through the API, and 404 for outsiders."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tests.claims.conftest import pdf, period, png
from tests.factories.accounts import make_provider, member_of

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def iso(day: dt.date) -> str:
    return day.isoformat()


def test_claim_life_through_the_api(completed, later, manager, reviewer, provider):
    completed(3)
    lab, dept = api(manager), api(reviewer)
    with later():
        bounds = {k: iso(v) for k, v in period().items()}
        response = lab.post("/api/v1/claims/", bounds, format="json")
        assert response.status_code == 201, response.json()
        [claim] = response.json()
        pk = claim["id"]
        assert (claim["line_count"], claim["claimed_fen"], claim["status"]) == (3, 60000, "draft")
        invoice = {"invoice_number": "No.0001", "invoice_date": iso(timezone.localdate()),
                   "invoice_amount_fen": 60000, "invoice_type": "special", "invoice_file": pdf()}  # fmt: skip
        assert (
            lab.post(f"/api/v1/claims/{pk}/invoice/", invoice, format="multipart").status_code
            == 200
        )
        proof = lab.post(f"/api/v1/claims/{pk}/proofs/", {"file": png()}, format="multipart")
        assert proof.status_code == 201
        assert (
            lab.post(f"/api/v1/claims/{pk}/submit/", {}, format="json").json()["status"]
            == "submitted"
        )
        lines = dept.get(f"/api/v1/claims/{pk}/lines/?page_size=2").json()
        assert lines["count"] == 3 and len(lines["results"]) == 2
        one = lines["results"][0]["id"]
        refused = dept.post(f"/api/v1/claims/{pk}/lines/decide/",
                            {"lines": [one], "decision": "reject"}, format="json")  # fmt: skip
        assert (refused.status_code, refused.json()["code"]) == (400, "reason_required")
        decided = dept.post(f"/api/v1/claims/{pk}/lines/decide/",
                            {"lines": [one], "decision": "reject", "reason": "无记录"}, format="json")  # fmt: skip
        assert decided.json()["status"] == "under_review"
        approved = dept.post(f"/api/v1/claims/{pk}/approve/", {}, format="json").json()
        assert (approved["status"], approved["approved_fen"]) == ("partly_approved", 40000)
        paid = dept.post(f"/api/v1/claims/{pk}/pay/",
                         {"paid_on": iso(timezone.localdate()), "payment_reference": "P-1"}, format="json")  # fmt: skip
        assert paid.json()["status"] == "paid"
        again = dept.post(f"/api/v1/claims/{pk}/pay/",
                          {"paid_on": iso(timezone.localdate()), "payment_reference": "P-1"}, format="json")  # fmt: skip
        assert (again.status_code, again.json()["code"]) == (409, "invalid_transition")
        invoice_file = lab.get(f"/api/v1/claims/{pk}/invoice-file/")
        assert invoice_file.status_code == 200
        assert b"".join(invoice_file.streaming_content).startswith(b"%PDF-")
        proof_file = dept.get(f"/api/v1/claims/{pk}/proofs/{proof.json()['id']}/file/")
        assert proof_file.status_code == 200


def test_outsiders_get_404_on_every_claim_endpoint(
    completed, later, manager, provider, other_reviewer, alice
):
    completed(1)
    with later():
        bounds = {k: iso(v) for k, v in period().items()}
        pk = api(manager).post("/api/v1/claims/", bounds, format="json").json()[0]["id"]
    stranger = member_of(make_provider())
    for outsider in (stranger, other_reviewer, alice):
        client = api(outsider)
        assert client.get("/api/v1/claims/").json()["count"] == 0
        for path in ("", "lines/", "invoice-file/"):
            assert client.get(f"/api/v1/claims/{pk}/{path}").status_code == 404
        for path in ("submit/", "approve/", "reject/", "review/"):
            assert (
                client.post(
                    f"/api/v1/claims/{pk}/{path}", {"reason": "x"}, format="json"
                ).status_code
                == 404
            )
        assert client.post(f"/api/v1/claims/{pk}/pay/", {"paid_on": "2026-01-01", "payment_reference": "x"},
                           format="json").status_code == 404  # fmt: skip


def test_bad_input_gets_a_clear_400(completed, later, manager):
    lab = api(manager)
    response = lab.post("/api/v1/claims/", {"period_start": "nope"}, format="json")
    assert response.status_code == 400
    response = lab.post("/api/v1/claims/", {"period_start": "2026-02-01", "period_end": "2026-01-01"},
                        format="json")  # fmt: skip
    assert (response.status_code, response.json()["code"]) == (400, "period_invalid")
    assert api(manager).get("/api/v1/claims/abc/").status_code == 404


def test_audits_api_draws_reads_and_records(completed, later, reviewer, other_reviewer, manager):
    completed(2)
    dept = api(reviewer)
    with later():
        bounds = {k: iso(v) for k, v in period().items()}
        low = dept.post("/api/v1/audits/", {**bounds, "rate_bp": 100}, format="json")
        assert (low.status_code, low.json()["code"]) == (400, "audit_rate_too_low")
        response = dept.post("/api/v1/audits/", {**bounds, "seed": 99}, format="json")
    assert response.status_code == 201, response.json()
    sample = response.json()
    assert (sample["seed"], sample["population"], sample["size"]) == (99, 2, 1)
    records = dept.get(f"/api/v1/audits/{sample['id']}/records/").json()["results"]
    rid = records[0]["id"]
    done = dept.post(f"/api/v1/audits/{sample['id']}/records/{rid}/result/",
                     {"result": "fine", "note": "记录齐全"}, format="json")  # fmt: skip
    assert done.status_code == 200 and done.json()["result"] == "fine"
    for outsider in (other_reviewer, manager):
        client = api(outsider)
        assert client.get("/api/v1/audits/").json()["count"] == 0
        assert client.get(f"/api/v1/audits/{sample['id']}/").status_code == 404
        assert client.get(f"/api/v1/audits/{sample['id']}/records/").status_code == 404
        assert client.post(f"/api/v1/audits/{sample['id']}/records/{rid}/result/",
                           {"result": "fine"}, format="json").status_code == 404  # fmt: skip
