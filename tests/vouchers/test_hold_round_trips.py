"""The hold on the booking hot path costs two statements (issue 11's speed target): the
chosen vouchers locked with their programme and the order's facts, and the vouchers'
UPDATE + ledger INSERT + holds INSERT as one CTE; a yearly cap adds its spending lock and
the facts read again after it, with the year's spending."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.vouchers.conftest import RULES, YUAN, ledger_agrees, make_programme
from vouchers.models import LedgerEntry, OrderVoucherHold
from vouchers.services import issuing

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the CTE is PostgreSQL's"),
]
NO_YEARLY_CAP = {k: v for k, v in RULES.items() if k != "cap_per_year_fen"}


def statements(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


@pytest.mark.parametrize(("rules", "extra"), [(NO_YEARLY_CAP, 2), (RULES, 4)])
def test_a_voucher_adds_two_statements_to_a_booking(book, reviewer, firm_a, rules, extra):
    programme = make_programme(reviewer, rules=rules)
    voucher = issuing.voucher_issue(actor=reviewer, programme_id=programme.pk,
                                    firm_id=firm_a.pk, amount_fen=1_000 * YUAN)  # fmt: skip
    book(start_hour=8, hours=1)  # warm caches
    without = statements(lambda: book(start_hour=10, hours=1))
    with_voucher = statements(lambda: book([voucher], start_hour=12, hours=3))
    assert with_voucher - without == extra
    hold = OrderVoucherHold.objects.get(voucher=voucher)
    assert hold.held_fen == 550 * YUAN
    assert [step["step"] for step in hold.trace][:2] == ["tier", "tier"]
    entry = LedgerEntry.objects.get(voucher=voucher, kind="hold")
    assert (entry.order_id, entry.amount_fen) == (hold.order_id, 550 * YUAN)
    ledger_agrees(voucher)
