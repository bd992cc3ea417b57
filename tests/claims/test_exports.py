"""Finance exports (CSV/XLSX with Chinese headers, yuan with two decimals) of claims, lines
and voucher uses, and the audit packs (ZIP): every figure equals the ledger; strangers 404."""

import csv
import io
import zipfile

import openpyxl
import pytest
from django.db.models import Sum
from rest_framework.test import APIClient

from tests.claims.conftest import period
from tests.claims.test_claims import build, ready
from tests.conftest import client_for
from tests.factories.accounts import make_provider, member_of
from vouchers.models import LedgerEntry
from vouchers.services import audits
from vouchers.services import claim_review as review

pytestmark = pytest.mark.django_db


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def sheet(response):
    return list(openpyxl.load_workbook(io.BytesIO(body(response)), read_only=True).active.values)


def csv_rows(response):
    text = body(response).decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads UTF-8 CSV with the BOM
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.fixture
def paid_claim(completed, later, manager, reviewer, provider):
    """Three lines, one rejected, the claim approved and paid."""
    completed(3)
    with later():
        [claim] = build(manager, provider)
        ready(manager, claim)
        first = claim.lines.order_by("pk").first()
        review.claim_lines_decide(actor=reviewer, claim_id=claim.pk, line_ids=[first.pk],
                                  approve=False, reason="无上机记录")  # fmt: skip
        review.claim_approve(actor=reviewer, claim_id=claim.pk)
        review.claim_pay(actor=reviewer, claim_id=claim.pk, paid_on=claim.created_at.date(),
                         payment_reference="ZF-2026-01")  # fmt: skip
    claim.refresh_from_db()
    return claim


def test_a_claims_lines_as_xlsx_and_csv_equal_the_ledger(paid_claim, reviewer, manager):
    for user in (reviewer, manager):
        client = client_for(user)
        xlsx = client.get(f"/claims/{paid_claim.pk}/lines.xlsx")
        assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith(
            "application/vnd.openxmlformats"
        )
        assert int(xlsx["Content-Length"]) > 0
        rows = sheet(xlsx)
        assert rows[0][:3] == ("兑付申请编号", "明细编号", "订单类型")
        assert len(rows) == 1 + 3
        voucher_col, state_col = rows[0].index("创新券支付（元）"), rows[0].index("审核状态")
        approved = sum(float(r[voucher_col]) for r in rows[1:] if r[state_col] == "已批准")
        assert f"{approved:.2f}" == f"{paid_claim.approved_fen / 100:.2f}"
        entries = LedgerEntry.objects.filter(
            claim_lines__claim=paid_claim, claim_lines__state="approved"
        ).aggregate(s=Sum("amount_fen"))["s"]
        assert round(approved * 100) == entries
        assert all(r[voucher_col] == "200.00" for r in rows[1:])
        assert "无上机记录" in [r[rows[0].index("审核意见")] for r in rows[1:]]
        rows = csv_rows(client.get(f"/claims/{paid_claim.pk}/lines.csv?state=approved"))
        assert len(rows) == 1 + 2


def test_claims_lists_export_with_payment(paid_claim, reviewer, manager):
    rows = sheet(client_for(reviewer).get("/department/claims/export.xlsx"))
    header, [row] = rows[0], rows[1:]
    assert row[header.index("兑付申请编号")] == paid_claim.number
    assert row[header.index("状态")] == "已付款"
    assert row[header.index("批准金额（元）")] == "400.00"
    assert row[header.index("付款凭证号")] == "ZF-2026-01"
    rows = csv_rows(client_for(manager).get("/lab/claims/export.csv"))
    assert rows[1][0] == paid_claim.number
    assert client_for(manager).get("/lab/claims/export.pdf").status_code == 404


def test_the_api_exports_the_same_files(paid_claim, reviewer):
    api = APIClient()
    api.force_authenticate(reviewer)
    listed = api.get("/api/v1/claims/?export=xlsx")
    assert listed.status_code == 200 and sheet(listed)[1][0] == paid_claim.number
    lines = api.get(f"/api/v1/claims/{paid_claim.pk}/lines/?export=csv")
    assert len(csv_rows(lines)) == 4
    bad = api.get(f"/api/v1/claims/{paid_claim.pk}/lines/?export=pdf")
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid_export")
    bad = api.get(f"/api/v1/claims/{paid_claim.pk}/lines/?state=nope")
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid_state")


def test_the_claims_audit_pack_holds_summary_ledger_sessions_invoice_and_proofs(
    paid_claim, reviewer
):
    response = client_for(reviewer).get(f"/claims/{paid_claim.pk}/audit-pack.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    pack = zipfile.ZipFile(io.BytesIO(body(response)))
    names = pack.namelist()
    assert {"summary.html", "lines.csv", "ledger.csv", "sessions.csv"} <= set(names)
    assert any(n.startswith("invoice/") for n in names)
    assert any(n.startswith("proofs/") for n in names)
    assert pack.read(next(n for n in names if n.startswith("invoice/"))).startswith(b"%PDF-")
    summary = pack.read("summary.html").decode()
    assert paid_claim.number in summary and "¥400.00" in summary
    ledger = list(csv.reader(io.StringIO(pack.read("ledger.csv").decode()[1:])))
    kinds = [r[2] for r in ledger[1:]]
    assert kinds.count("核销") == 3 and kinds.count("冻结") == 3
    api = APIClient()
    api.force_authenticate(reviewer)
    via_api = api.get(f"/api/v1/claims/{paid_claim.pk}/audit-pack/")
    assert via_api.status_code == 200
    assert set(zipfile.ZipFile(io.BytesIO(body(via_api))).namelist()) == set(names)


def test_a_sampled_uses_audit_pack(paid_claim, reviewer, later):
    issuer = paid_claim.issuer
    with later():
        sample = audits.audit_sample_draw(actor=reviewer, issuer_id=issuer.pk, rate_bp=10_000,
                                          seed=3, **period())  # fmt: skip
    record = sample.records.order_by("pk").first()
    response = client_for(reviewer).get(
        f"/department/audits/{sample.pk}/records/{record.pk}/audit-pack.zip"
    )
    assert response.status_code == 200
    pack = zipfile.ZipFile(io.BytesIO(body(response)))
    assert {"summary.html", "ledger.csv", "sessions.csv"} <= set(pack.namelist())
    assert str(sample.seed) in pack.read("summary.html").decode()
    api = APIClient()
    api.force_authenticate(reviewer)
    assert api.get(f"/api/v1/audits/{sample.pk}/records/{record.pk}/audit-pack/").status_code == 200


def test_strangers_get_404_on_every_export_and_pack(paid_claim, other_reviewer, alice, later):
    stranger = member_of(make_provider())
    for outsider in (stranger, other_reviewer, alice):
        client = client_for(outsider)
        for url in (f"/claims/{paid_claim.pk}/lines.xlsx", f"/claims/{paid_claim.pk}/lines.csv",
                    f"/claims/{paid_claim.pk}/audit-pack.zip"):  # fmt: skip
            assert client.get(url).status_code == 404, (outsider, url)
        api = APIClient()
        api.force_authenticate(outsider)
        assert api.get(f"/api/v1/claims/{paid_claim.pk}/audit-pack/").status_code == 404
        assert api.get(f"/api/v1/claims/{paid_claim.pk}/lines/?export=xlsx").status_code == 404
        listed = api.get("/api/v1/claims/?export=csv")
        assert len(csv_rows(listed)) == 1  # headers only


def test_the_page_offers_the_downloads_with_a_progress_bar(paid_claim, reviewer):
    page = client_for(reviewer).get(f"/claims/{paid_claim.pk}/").content.decode()
    assert (
        f"/claims/{paid_claim.pk}/lines.xlsx" in page and 'data-progress="claim-download"' in page
    )
    assert "download-progress.js" in page and f"/claims/{paid_claim.pk}/audit-pack.zip" in page
