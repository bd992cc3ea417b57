"""Issuing and invoicing under real concurrency (PostgreSQL, real threads): the month-end
task and managers' "issue now" at once state each order exactly once; two invoice
requests of one statement at once make one."""

from __future__ import annotations

import pytest
from django.db import connection

from config.errors import Conflict
from statements import invoices
from statements.models import InvoiceRequest, Statement, StatementLine
from statements.services import statement_issue, statements_issue_month
from tests.concurrency.test_booking_races import run_together
from tests.statements.conftest import DETAILS, month_of

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


def test_beat_and_managers_at_once_state_each_order_once(completed, later, manager, provider,
                                                         firm_a):  # fmt: skip
    orders = completed(3)
    month = month_of(orders[0])
    with later():
        jobs = [lambda: statement_issue(actor=manager, provider_id=provider.pk,
                                        firm_id=firm_a.pk, month=month)] * 5  # fmt: skip
        jobs.append(lambda: statements_issue_month(month=month))
        results = run_together(jobs)
    made = [r for r in results if isinstance(r, Statement)] + [
        s for r in results if isinstance(r, list) for s in r
    ]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(made) == 1, results
    assert all(r.code == "nothing_to_state" for r in refused)
    assert len(refused) + len(made) + sum(1 for r in results if r == []) == len(jobs)
    assert Statement.objects.count() == 1
    assert StatementLine.objects.filter(kind="order").count() == 3


def test_two_invoice_requests_at_once_make_one(completed, later, issue_now, alice):
    orders = completed(1, vouchers=[], hours=2)
    with later():
        statement = issue_now(month_of(orders[0]))
    results = run_together([lambda: invoices.invoice_request_create(
        actor=alice, statement_id=statement.pk, **DETAILS)] * 4)  # fmt: skip
    assert sum(isinstance(r, InvoiceRequest) for r in results) == 1, results
    assert all(r.code == "invoice_already_requested" for r in results if isinstance(r, Conflict))
    assert InvoiceRequest.objects.count() == 1
