"""The claim pages as each side uses them, 404 for outsiders, and pinned query counts."""

import pytest
from django.utils import timezone

from tests.claims.conftest import pdf, period, png
from tests.conftest import client_for
from tests.factories.accounts import make_provider, member_of
from vouchers.models import Claim

pytestmark = pytest.mark.django_db


def test_provider_builds_documents_and_submits_then_department_reviews_and_pays(
    completed, later, manager, reviewer, provider
):
    completed(3)
    lab, dept = client_for(manager), client_for(reviewer)
    with later():
        assert lab.get("/lab/claims/").status_code == 200
        bounds = {k: v.isoformat() for k, v in period().items()}
        response = lab.post("/lab/claims/build/", bounds)
        claim = Claim.objects.get()
        assert response.status_code == 302 and response.url == f"/claims/{claim.pk}/"
        page = lab.get(f"/claims/{claim.pk}/")
        assert page.status_code == 200 and claim.number in page.content.decode()
        invoice = {"invoice_number": "A-1", "invoice_date": timezone.localdate().isoformat(),
                   "invoice_amount": "600.00", "invoice_type": "general", "invoice_file": pdf()}  # fmt: skip
        assert lab.post(f"/claims/{claim.pk}/invoice/", invoice).status_code == 302
        assert lab.post(f"/claims/{claim.pk}/proof/", {"file": png()}).status_code == 302
        assert lab.post(f"/claims/{claim.pk}/submit/").status_code == 302
        assert claim.number in dept.get("/department/claims/").content.decode()
        line = claim.lines.order_by("pk").first()
        refused = dept.post(
            f"/claims/{claim.pk}/decide/", {"lines": [line.pk], "decision": "reject"}
        )
        assert refused.status_code == 400 and "reason" in refused.content.decode().lower()
        dept.post(f"/claims/{claim.pk}/decide/",
                  {"lines": [line.pk], "decision": "reject", "reason": "无使用记录"})  # fmt: skip
        assert dept.post(f"/claims/{claim.pk}/approve/").status_code == 302
        pay = {"paid_on": timezone.localdate().isoformat(), "payment_reference": "ZJ-1"}
        assert dept.post(f"/claims/{claim.pk}/pay/", pay).status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.approved_fen) == ("paid", 400_00)


def test_a_bad_invoice_file_is_refused_on_the_page_not_500(completed, later, manager, provider):
    from django.core.files.uploadedfile import SimpleUploadedFile

    completed(1)
    lab = client_for(manager)
    with later():
        lab.post("/lab/claims/build/", {k: v.isoformat() for k, v in period().items()})
    claim = Claim.objects.get()
    fake = SimpleUploadedFile("invoice.pdf", b"GIF89a not a pdf")
    response = lab.post(f"/claims/{claim.pk}/proof/", {"file": fake})
    assert response.status_code == 400
    assert "PDF, PNG or JPEG" in response.content.decode()
    nothing = lab.post(
        "/lab/claims/build/", {"period_start": "2020-01-01", "period_end": "2020-01-31"}
    )
    assert nothing.status_code == 409


def test_outsiders_get_404_on_every_claim_page(
    completed, later, manager, provider, other_reviewer, alice
):
    completed(1)
    with later():
        client_for(manager).post(
            "/lab/claims/build/", {k: v.isoformat() for k, v in period().items()}
        )
    claim = Claim.objects.get()
    stranger = member_of(make_provider())
    for outsider in (stranger, other_reviewer, alice):
        client = client_for(outsider)
        for path in ("", "invoice-file/"):
            assert client.get(f"/claims/{claim.pk}/{path}").status_code == 404
        for action in ("submit", "approve", "reject", "pay", "decide", "invoice", "proof"):
            assert client.post(f"/claims/{claim.pk}/{action}/").status_code == 404


def test_queue_and_claim_page_queries_do_not_grow_with_lines(
    completed, later, manager, reviewer, provider, django_assert_max_num_queries
):
    completed(4)
    with later():
        client_for(manager).post(
            "/lab/claims/build/", {k: v.isoformat() for k, v in period().items()}
        )
    claim = Claim.objects.get()
    Claim.objects.filter(pk=claim.pk).update(status="submitted")
    dept = client_for(reviewer)
    dept.get("/department/claims/")
    with django_assert_max_num_queries(12):
        assert dept.get("/department/claims/").status_code == 200
    with django_assert_max_num_queries(18):
        assert dept.get(f"/claims/{claim.pk}/").status_code == 200


def test_department_draws_a_sample_and_records_a_problem_on_the_page(
    completed, later, reviewer, other_reviewer
):
    completed(2)
    dept = client_for(reviewer)
    with later():
        assert dept.get("/department/audits/").status_code == 200
        bounds = {k: v.isoformat() for k, v in period().items()}
        low = dept.post("/department/audits/draw/", {**bounds, "rate_percent": "1"})
        assert low.status_code == 400
        response = dept.post(
            "/department/audits/draw/", {**bounds, "rate_percent": "50", "seed": "5"}
        )
    from vouchers.models import AuditSample

    sample = AuditSample.objects.get()
    assert response.status_code == 302 and (sample.seed, sample.size) == (5, 1)
    page = dept.get(f"/department/audits/{sample.pk}/")
    assert page.status_code == 200
    record = sample.records.get()
    bad = dept.post(f"/department/audits/{sample.pk}/records/{record.pk}/", {"result": "problem"})
    assert bad.status_code == 400
    done = dept.post(f"/department/audits/{sample.pk}/records/{record.pk}/",
                     {"result": "problem", "note": "无签到记录", "reverse_amount": "50.00"})  # fmt: skip
    assert done.status_code == 302
    record.refresh_from_db()
    assert (record.result, record.reverse_entry.amount_fen) == ("problem", 50_00)
    assert client_for(other_reviewer).get(f"/department/audits/{sample.pk}/").status_code == 404
