"""The hold on the booking hot path costs one statement of its own (issue 11's speed
target): the chosen vouchers are locked with their programme and the order's facts inside
the booking's INSERT (the creation read, ``booking.order_events.creation_read``), and the
vouchers' UPDATE + ledger INSERT + holds INSERT go as one CTE; a yearly cap adds its
spending lock and the facts read again after it, with the year's spending. Without the
creation read the hold locks for itself, one statement more, to the same result."""

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


@pytest.mark.parametrize(("rules", "extra"), [(NO_YEARLY_CAP, 1), (RULES, 3)])
def test_a_voucher_adds_one_statement_to_a_booking(book, reviewer, firm_a, rules, extra):
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


@pytest.fixture
def without_creation_read():
    """No creation reader registered: the hold locks its vouchers itself."""
    from booking.order_events import creation_read_register
    from vouchers.services.order_money import hold_read

    creation_read_register(None)
    yield
    creation_read_register(hold_read)


def _hold_of(booking):
    hold = OrderVoucherHold.objects.get(order_id=booking.pk)
    entry = LedgerEntry.objects.get(order_id=booking.pk, kind="hold")
    return hold.held_fen, hold.trace, hold.programme_version_id, entry.amount_fen


@pytest.mark.parametrize("rules", [NO_YEARLY_CAP, RULES])
def test_the_hold_is_the_same_with_or_without_the_creation_read(
    book, reviewer, firm_a, rules, request
):
    programme = make_programme(reviewer, rules=rules)
    voucher = issuing.voucher_issue(actor=reviewer, programme_id=programme.pk,
                                    firm_id=firm_a.pk, amount_fen=3_000 * YUAN)  # fmt: skip
    book(start_hour=8, hours=1)  # warm caches
    folded = []
    folded_statements = statements(lambda: folded.append(book([voucher], start_hour=10, hours=3)))
    request.getfixturevalue("without_creation_read")
    own = []
    own_statements = statements(lambda: own.append(book([voucher], start_hour=14, hours=3)))
    assert _hold_of(own[0]) == _hold_of(folded[0])
    assert own_statements == folded_statements + 1
    ledger_agrees(voucher)
