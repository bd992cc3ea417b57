"""A statement equals the sum of its orders, and its voucher part equals the ledger."""

import datetime as dt

import pytest
import time_machine
from django.db.models import Sum
from django.utils import timezone

from config.errors import Conflict, Forbidden
from statements import services, tasks
from statements.models import Statement, StatementLine
from statements.services import statement_issue, statements_issue_month
from tests.statements.conftest import month_of
from vouchers.models import LedgerEntry, OrderVoucherHold
from vouchers.services.balances import capture_reverse

pytestmark = pytest.mark.django_db


def ledger_voucher_part(order_ids) -> int:
    """Captures less reversals of these bookings, straight from the append-only ledger."""
    sums = dict(LedgerEntry.objects.filter(order_kind="booking", order_id__in=order_ids,
                                           kind__in=["capture", "reverse"])
                .values_list("kind").annotate(s=Sum("amount_fen")))  # fmt: skip
    return sums.get("capture", 0) - sums.get("reverse", 0)


def test_statement_totals_are_the_sum_of_its_orders_and_the_voucher_part_is_the_ledgers(
    completed, book, manager, later, issue_now
):
    paid = completed(2, hours=3)  # ¥600 each: ¥550 covered, but the ¥1,000 voucher runs out
    own = completed(1, vouchers=[], hours=1, start_hour_from=15)  # ¥200, no voucher
    orders = [*paid, *own]
    with later():
        statement = issue_now(month_of(orders[0]))
    lines = list(statement.lines.all())
    assert sorted(line.order_id for line in lines) == sorted(o.pk for o in orders)
    assert statement.line_count == 3
    assert statement.fee_fen == sum(o.fee_fen for o in orders) == 1400_00
    assert statement.fee_fen == sum(line.fee_fen for line in lines)
    assert statement.voucher_fen == sum(line.voucher_fen for line in lines)
    assert statement.firm_fen == sum(line.firm_fen for line in lines)
    assert statement.voucher_fen == ledger_voucher_part([o.pk for o in orders]) == 1000_00
    assert statement.firm_fen == statement.fee_fen - statement.voucher_fen == 400_00
    by_order = {line.order_id: line for line in lines}
    assert by_order[own[0].pk].voucher_fen == 0
    assert by_order[own[0].pk].minutes == 60
    assert by_order[own[0].pk].item_name == own[0].instrument.name


def test_an_order_is_stated_once_and_a_second_issue_finds_nothing(completed, later, issue_now):
    orders = completed(2)
    with later():
        issue_now(month_of(orders[0]))
        with pytest.raises(Conflict) as err:
            issue_now(month_of(orders[0]))
    assert err.value.code == "nothing_to_state"
    assert StatementLine.objects.filter(kind="order").count() == 2


def test_a_reversal_after_issue_is_a_correction_on_the_next_statement(
    completed, later, issue_now, reviewer
):
    orders = completed(1, hours=3)
    with later():
        first = issue_now(month_of(orders[0]))
        hold = OrderVoucherHold.objects.get(order_kind="booking", order_id=orders[0].pk)
        capture_reverse(actor=reviewer, hold_id=hold.pk, amount_fen=100_00, reason="审计发现超额")
        second = issue_now(month_of(orders[0]))
    first.refresh_from_db()
    assert first.voucher_fen == 550_00  # frozen: the first statement never changes
    correction = second.lines.get()
    assert correction.kind == "correction" and correction.order_id == orders[0].pk
    assert (correction.fee_fen, correction.voucher_fen, correction.firm_fen) == (0, -100_00, 100_00)
    total_voucher = first.voucher_fen + second.voucher_fen
    assert total_voucher == ledger_voucher_part([orders[0].pk]) == 450_00


def test_month_end_run_issues_one_statement_per_pair_and_is_idempotent(
    completed, later, firm_a, provider, alice
):
    orders = completed(2)
    with later():
        issued = statements_issue_month(month=month_of(orders[0]))
        assert statements_issue_month(month=month_of(orders[0])) == []
    assert [(s.provider_id, s.firm_id, s.line_count, s.issued_by) for s in issued] == [
        (provider.pk, firm_a.pk, 2, None)
    ]
    note = alice.notifications.get(kind="statement.issued")
    assert issued[0].number in note.title


def test_only_the_providers_managers_issue(completed, later, alice, provider, firm_a):
    orders = completed(1)
    with later(), pytest.raises(Forbidden):
        statement_issue(actor=alice, provider_id=provider.pk, firm_id=firm_a.pk,
                        month=month_of(orders[0]))  # fmt: skip
    assert not Statement.objects.exists()


def test_month_end_run_carries_a_reversal_as_a_correction(completed, later, issue_now, reviewer):
    orders = completed(1, hours=3)
    with later():
        issue_now(month_of(orders[0]))
        hold = OrderVoucherHold.objects.get(order_kind="booking", order_id=orders[0].pk)
        capture_reverse(actor=reviewer, hold_id=hold.pk, amount_fen=50_00, reason="复核调整")
        this_month = timezone.localdate().replace(day=1)
        [correction] = statements_issue_month(month=this_month)
    assert correction.issued_by is None
    assert [(x.kind, x.voucher_fen, x.firm_fen) for x in correction.lines.all()] == [
        ("correction", -50_00, 50_00)
    ]


def test_the_beat_task_issues_last_months_statements(completed, firm_a):
    orders = completed(2)
    first_of_next = services.next_month(month_of(orders[0]))
    with time_machine.travel(
        timezone.make_aware(dt.datetime.combine(first_of_next, dt.time(0, 30)))
    ):
        assert tasks.issue_monthly_statements() == 1
        assert tasks.issue_monthly_statements() == 0  # a re-run finds them issued
    statement = Statement.objects.get()
    assert (statement.firm_id, statement.month, statement.line_count) == (
        firm_a.pk, month_of(orders[0]), 2)  # fmt: skip


def test_the_beat_schedule_runs_it_on_the_first():
    from config.celery import app

    entry = app.conf.beat_schedule["statements-issue-monthly"]
    assert entry["task"] == "statements.tasks.issue_monthly_statements"
    assert entry["schedule"].day_of_month == {1}
