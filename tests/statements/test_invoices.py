"""A firm asks for an invoice of its own part; the provider issues it with its number or
refuses it with a reason; every move is recorded with who, when and why."""

import pytest

from config.errors import Conflict, Forbidden, Invalid, InvalidTransition, NotFound
from statements import invoices
from statements.models import InvoiceRequest
from tests.statements.conftest import DETAILS, month_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def statement(completed, later, issue_now):
    orders = completed(1, vouchers=[], hours=2)  # ¥400, all the firm's
    with later():
        return issue_now(month_of(orders[0]))


def test_the_firm_requests_and_the_provider_issues_with_the_number(statement, alice, manager):
    request = invoices.invoice_request_create(actor=alice, statement_id=statement.pk, **DETAILS)
    assert (request.status, request.amount_fen) == ("requested", 400_00)
    assert manager.notifications.filter(kind="invoice.requested").count() == 1
    invoices.invoice_issue(actor=manager, request_id=request.pk, invoice_number="No.33001234",
                           reason="电子发票已发送")  # fmt: skip
    request.refresh_from_db()
    assert (request.status, request.invoice_number) == ("issued", "No.33001234")
    history = [(c.from_status, c.to_status, c.actor_id, c.reason) for c in request.changes.all()]
    assert history == [("", "requested", alice.pk, ""),
                       ("requested", "issued", manager.pk, "电子发票已发送")]  # fmt: skip
    assert alice.notifications.filter(kind="invoice.issued").count() == 1


def test_a_second_request_waits_until_the_first_is_refused(statement, alice, manager):
    first = invoices.invoice_request_create(actor=alice, statement_id=statement.pk, **DETAILS)
    with pytest.raises(Conflict) as err:
        invoices.invoice_request_create(actor=alice, statement_id=statement.pk, **DETAILS)
    assert err.value.code == "invoice_already_requested"
    with pytest.raises(Invalid) as err:
        invoices.invoice_reject(actor=manager, request_id=first.pk, reason="  ")
    assert err.value.code == "reason_required"
    invoices.invoice_reject(actor=manager, request_id=first.pk, reason="抬头与税号不符")
    again = invoices.invoice_request_create(actor=alice, statement_id=statement.pk, **DETAILS)
    assert again.status == "requested"
    with pytest.raises(InvalidTransition):
        invoices.invoice_issue(actor=manager, request_id=first.pk, invoice_number="X1")


def test_bad_tax_number_and_missing_details_are_refused_with_the_field(statement, alice):
    with pytest.raises(Invalid) as err:
        invoices.invoice_request_create(actor=alice, statement_id=statement.pk,
                                        **(DETAILS | {"tax_number": "91330100799655058C"}))  # fmt: skip
    assert err.value.code == "tax_number_invalid" and "tax_number" in err.value.fields
    with pytest.raises(Invalid) as err:
        invoices.invoice_request_create(actor=alice, statement_id=statement.pk,
                                        **(DETAILS | {"bank": ""}))  # fmt: skip
    assert err.value.code == "invoice_details_missing" and "bank" in err.value.fields
    assert not InvoiceRequest.objects.exists()


def test_sides_are_kept(statement, alice, bob, manager):
    with pytest.raises(NotFound):
        invoices.invoice_request_create(actor=bob, statement_id=statement.pk, **DETAILS)
    with pytest.raises(Forbidden):
        invoices.invoice_request_create(actor=manager, statement_id=statement.pk, **DETAILS)
    request = invoices.invoice_request_create(actor=alice, statement_id=statement.pk, **DETAILS)
    with pytest.raises(Forbidden):
        invoices.invoice_issue(actor=alice, request_id=request.pk, invoice_number="X1")
    with pytest.raises(NotFound):
        invoices.invoice_withdraw(actor=bob, request_id=request.pk)
    invoices.invoice_withdraw(actor=alice, request_id=request.pk, reason="改开专票")
    request.refresh_from_db()
    assert request.status == "withdrawn"


def test_nothing_to_invoice_when_the_vouchers_paid_everything(completed, later, issue_now, alice):
    orders = completed(1, hours=1)  # ¥200, all covered
    with later():
        statement = issue_now(month_of(orders[0]))
    assert statement.firm_fen == 0
    with pytest.raises(Invalid) as err:
        invoices.invoice_request_create(actor=alice, statement_id=statement.pk, **DETAILS)
    assert err.value.code == "nothing_to_invoice"
