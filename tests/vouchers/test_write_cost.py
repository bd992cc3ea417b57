"""What a movement writes besides its rows (issue 11's speed, vouchers session 12): the
voucher's UPDATE is a HOT update (it changes only unindexed balance columns, and the table
keeps room on its pages: fillfactor 85, migration 0011), and the ledger keeps only the
indexes something reads (migration 0012). These tests fail if a balance column gets an
index, the fillfactor goes, or an index comes back on the ledger without a reader."""

import pytest
from django.db import connection, transaction

from tests.vouchers.conftest import YUAN
from tests.vouchers.test_hold_shapes import hold
from vouchers.models import LedgerEntry, Voucher

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's catalogue"),
]

BALANCES = {"available_fen", "held_fen", "captured_fen", "expired_fen"}


def _indexes(table: str) -> dict[str, tuple[str, ...]]:
    """Index name → its key columns, in order."""
    with connection.cursor() as c:
        c.execute(
            "SELECT i.relname, array_agg(a.attname ORDER BY k.n)"
            " FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
            " CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, n)"
            " JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum"
            " WHERE x.indrelid = %s::regclass GROUP BY i.relname",
            [table],
        )
        return {name: tuple(columns) for name, columns in c.fetchall()}


def test_the_ledger_has_only_the_indexes_something_reads():
    """By id, by voucher (its list, ordered by time; once per order) and by order. No index
    on the actor nor on the rules version: nothing reads the ledger by either."""
    assert sorted(_indexes(LedgerEntry._meta.db_table).values()) == sorted([
        ("id",),
        ("voucher_id", "at"),
        ("order_kind", "order_id"),
        ("voucher_id", "order_kind", "order_id", "kind"),  # ledger_once_per_order
    ])  # fmt: skip


def test_no_voucher_index_covers_a_balance_and_the_table_keeps_room():
    columns = {c for cols in _indexes(Voucher._meta.db_table).values() for c in cols}
    assert columns, "the voucher table's indexes were not found"
    assert not columns & BALANCES
    with connection.cursor() as c:
        c.execute("SELECT reloptions FROM pg_class WHERE oid = %s::regclass",
                  [Voucher._meta.db_table])  # fmt: skip
        assert "fillfactor=85" in (c.fetchone()[0] or [])


@pytest.mark.parametrize("one", [True, False])
def test_a_hold_updates_its_voucher_hot(issue, firm_a, one):
    """This transaction's own counters: the hold's UPDATE of the voucher was HOT (no new
    index entry), in both shapes of the hold statement."""
    voucher = issue(firm_a)
    query = ("SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables"
             " WHERE relid = %s::regclass")  # fmt: skip
    with transaction.atomic(), connection.cursor() as c:
        c.execute(query, [Voucher._meta.db_table])
        upd, hot = c.fetchone()
        hold(voucher, 9201, 100 * YUAN, one=one)
        c.execute(query, [Voucher._meta.db_table])
        assert c.fetchone() == (upd + 1, hot + 1)
