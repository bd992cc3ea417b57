"""/api/v1/statements/ and /api/v1/invoice-requests/: scoped lists, the downloads, issue
now, and the invoice flow, with the errors' shape."""

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.conftest import client_for
from tests.statements.conftest import DETAILS, month_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def orders(completed):
    return [*completed(2, hours=3), *completed(1, vouchers=[], hours=1, start_hour_from=15)]


def test_manager_issues_now_and_the_firm_sees_it_but_another_firm_does_not(
    orders, later, manager, alice, bob, firm_a
):
    with later():
        response = client_for(manager).post("/api/v1/statements/issue/", {
            "firm": firm_a.pk, "month": month_of(orders[0]).isoformat()},
            content_type="application/json")  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["fee_fen"], body["voucher_fen"], body["firm_fen"]) == (1400_00, 1000_00, 400_00)
    assert len(body["lines"]) == 3 and sum(x["fee_fen"] for x in body["lines"]) == body["fee_fen"]
    mine = client_for(alice).get("/api/v1/statements/").json()
    assert [s["id"] for s in mine["results"]] == [body["id"]]
    assert client_for(bob).get("/api/v1/statements/").json()["results"] == []
    assert client_for(bob).get(f"/api/v1/statements/{body['id']}/").status_code == 404
    assert client_for(bob).get(f"/api/v1/statements/{body['id']}/pdf/").status_code == 404


def test_issue_errors_have_the_shape(orders, later, manager, alice, firm_a):
    with later():
        response = client_for(alice).post("/api/v1/statements/issue/", {
            "firm": firm_a.pk, "month": month_of(orders[0]).isoformat()},
            content_type="application/json")  # fmt: skip
        assert response.status_code == 400 and response.json()["code"] == "provider_required"
        client = client_for(manager)
        payload = {"firm": firm_a.pk, "month": month_of(orders[0]).isoformat()}
        assert client.post("/api/v1/statements/issue/", payload,
                           content_type="application/json").status_code == 201  # fmt: skip
        again = client.post("/api/v1/statements/issue/", payload, content_type="application/json")
        assert again.status_code == 409 and again.json()["code"] == "nothing_to_state"
        future = client.post("/api/v1/statements/issue/", payload | {"month": "2099-01-01"},
                             content_type="application/json")  # fmt: skip
        assert future.status_code == 400 and "month" in future.json()["fields"]
    bad = client_for(alice).get("/api/v1/statements/?month=soon")
    assert bad.status_code == 400 and bad.json()["code"] == "bad_filter"


def test_pdf_and_xlsx_open_and_carry_the_numbers(orders, later, issue_now, alice):
    with later():
        statement = issue_now(month_of(orders[0]))
    client = client_for(alice)
    pdf = client.get(f"/api/v1/statements/{statement.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    text = "".join(page.extract_text() for page in reader.pages)
    for amount in ("¥1,400.00", "¥1,000.00", "¥400.00", "¥600.00", "¥200.00"):
        assert amount.lstrip("¥") in text, amount
    fonts = {str(f) for page in reader.pages for f in page["/Resources"]["/Font"].values()
             for f in [f.get_object()["/BaseFont"]]}  # fmt: skip
    assert "/STSong-Light" in fonts  # the Chinese is set in a CJK font, not dropped
    xlsx = client.get(f"/api/v1/statements/{statement.pk}/xlsx/")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    total = rows[-1]
    assert total[4:7] == (1400.0, 1000.0, 400.0)
    line_rows = rows[6:-1]
    assert len(line_rows) == 3
    assert sum(r[4] for r in line_rows) == 1400.0 and sum(r[6] for r in line_rows) == 400.0
    assert orders[0].instrument.name in {r[1] for r in line_rows}


def test_invoice_flow_through_the_api(orders, later, issue_now, alice, bob, manager):
    with later():
        statement = issue_now(month_of(orders[0]))
    made = client_for(alice).post("/api/v1/invoice-requests/", DETAILS | {"statement": statement.pk},
                                  content_type="application/json")  # fmt: skip
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    assert made.json()["amount_fen"] == 400_00
    assert client_for(bob).get(f"/api/v1/invoice-requests/{pk}/").status_code == 404
    assert client_for(bob).get("/api/v1/invoice-requests/").json()["results"] == []
    assert [
        r["id"] for r in client_for(alice).get("/api/v1/invoice-requests/").json()["results"]
    ] == [pk]
    assert [
        r["id"] for r in client_for(manager).get("/api/v1/invoice-requests/").json()["results"]
    ] == [pk]
    refused = client_for(alice).post(f"/api/v1/invoice-requests/{pk}/issue/",
                                     {"invoice_number": "X"}, content_type="application/json")  # fmt: skip
    assert refused.status_code == 403
    empty = client_for(manager).post(f"/api/v1/invoice-requests/{pk}/issue/", {},
                                     content_type="application/json")  # fmt: skip
    assert empty.status_code == 400 and "invoice_number" in empty.json()["fields"]
    issued = client_for(manager).post(f"/api/v1/invoice-requests/{pk}/issue/",
                                      {"invoice_number": "33001234"}, content_type="application/json")  # fmt: skip
    assert issued.status_code == 200
    assert (issued.json()["status"], issued.json()["invoice_number"]) == ("issued", "33001234")
    assert [c["to_status"] for c in issued.json()["changes"]] == ["requested", "issued"]
    listed = client_for(alice).get("/api/v1/statements/").json()["results"][0]
    assert listed["invoice_status"] == "issued"
    twice = client_for(manager).post(f"/api/v1/invoice-requests/{pk}/reject/", {"reason": "x"},
                                     content_type="application/json")  # fmt: skip
    assert twice.status_code == 409 and twice.json()["code"] == "invalid_transition"


def test_a_configured_truetype_font_is_embedded(orders, later, issue_now, alice, settings):
    import reportlab

    settings.STATEMENT_PDF_FONT = str(Path(reportlab.__file__).parent / "fonts" / "Vera.ttf")
    with later():
        statement = issue_now(month_of(orders[0]))
    pdf = client_for(alice).get(f"/api/v1/statements/{statement.pk}/pdf/")
    reader = PdfReader(io.BytesIO(pdf.content))
    fonts = [f.get_object() for page in reader.pages for f in page["/Resources"]["/Font"].values()]
    embedded = [f for f in fonts if "/FontDescriptor" in f and "/FontFile2" in f["/FontDescriptor"]]
    assert embedded, [str(f["/BaseFont"]) for f in fonts]  # the TrueType file travels inside
    assert "/STSong-Light" not in {str(f["/BaseFont"]) for f in fonts}
