"""The statement pages: the firm's list (by provider and month), the lab's list with issue
now, the statement page with downloads and the invoice flow; strangers get 404; the lists
keep their query count whatever their length."""

import datetime as dt

import pytest
from django.test import Client

from statements.models import InvoiceRequest, Statement
from tests.conftest import client_for
from tests.factories.accounts import make_provider
from tests.statements.conftest import DETAILS, month_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def statement(completed, later, issue_now):
    orders = completed(1, vouchers=[], hours=2)
    with later():
        return issue_now(month_of(orders[0]))


def test_the_firm_sees_its_statements_and_requests_the_invoice(statement, alice, manager):
    client = client_for(alice)
    page = client.get("/statements/")
    assert page.status_code == 200 and statement.number in page.content.decode()
    detail = client.get(f"/statements/{statement.pk}/").content.decode()
    assert "¥400.00" in detail and 'data-testid="request-invoice"' in detail
    assert client.get(f"/statements/{statement.pk}/pdf/")["Content-Type"] == "application/pdf"
    refused = client.post(f"/statements/{statement.pk}/invoice/",
                          DETAILS | {"tax_number": "123"})  # fmt: skip
    assert refused.status_code == 400
    assert "123" in refused.content.decode()  # the input is kept
    assert not InvoiceRequest.objects.exists()
    done = client.post(f"/statements/{statement.pk}/invoice/", DETAILS)
    assert done.status_code == 302
    request = InvoiceRequest.objects.get()
    lab = client_for(manager)
    assert statement.firm.name in lab.get("/lab/statements/").content.decode()
    issued = lab.post(f"/invoice-requests/{request.pk}/issue/", {"invoice_number": "33001234"})
    assert issued.status_code == 302
    request.refresh_from_db()
    assert request.status == "issued"
    assert "33001234" in client.get(f"/statements/{statement.pk}/").content.decode()


def test_lab_issues_now_from_the_page(completed, later, manager, firm_a):
    orders = completed(1)
    client = client_for(manager)
    with later():
        page = client.get("/lab/statements/").content.decode()
        assert firm_a.name in page
        month = month_of(orders[0]).strftime("%Y-%m")
        done = client.post("/lab/statements/issue/", {"firm": firm_a.pk, "month": month})
        assert done.status_code == 302
        again = client.post("/lab/statements/issue/", {"firm": firm_a.pk, "month": month})
    assert again.status_code == 409 and 'data-testid="issue-error"' in again.content.decode()
    assert Statement.objects.count() == 1


def test_strangers_get_404(statement, bob):
    client = client_for(bob)
    for url in (f"/statements/{statement.pk}/", f"/statements/{statement.pk}/xlsx/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/statements/{statement.pk}/invoice/", DETAILS).status_code == 404
    assert statement.number not in client.get("/statements/").content.decode()
    assert Client().get("/statements/").status_code == 302  # sign in first


def _many(firm, provider, n):
    """n statements of ``firm``, from n providers of their own, half with an invoice asked."""
    for i in range(n):
        source = provider if i == 0 else make_provider()
        s = Statement.objects.create(number=f"ST-{firm.pk}-{i}", provider=source, firm=firm,
                                     month=dt.date(2026, 1 + i % 12, 1), line_count=1,
                                     fee_fen=100, voucher_fen=40, firm_fen=60)  # fmt: skip
        if i % 2:
            InvoiceRequest.objects.create(statement=s, amount_fen=60, requested_by=firm_user(firm),
                                          **DETAILS)  # fmt: skip


def firm_user(firm):
    return firm.memberships.first().user


@pytest.mark.parametrize("n", [2, 12])
def test_statement_lists_do_not_grow_queries(n, alice, firm_a, manager, provider,
                                             django_assert_max_num_queries):  # fmt: skip
    _many(firm_a, provider, n)
    for user, url in ((alice, "/statements/"), (alice, "/api/v1/statements/"),
                      (manager, "/lab/statements/"), (manager, "/api/v1/statements/")):  # fmt: skip
        client = client_for(user)
        client.get(url)  # warm the session and caches
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200


def test_the_firm_filters_its_statements_by_provider(alice, firm_a, provider):
    _many(firm_a, provider, 3)
    client = client_for(alice)
    everything = client.get("/statements/").content.decode()
    assert all(f"ST-{firm_a.pk}-{i}" in everything for i in range(3))
    one = client.get(f"/statements/?provider={provider.pk}").content.decode()
    assert f"ST-{firm_a.pk}-0" in one and f"ST-{firm_a.pk}-1" not in one
    assert "data-autosubmit" in one  # no inline script: behaviours.js sends the filter
