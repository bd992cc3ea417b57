"""A hold has no foreign keys of its own (migration 0010, issue 11's speed): its voucher and
rules version are its ledger entry's, written by the same statement, and the entry's
foreign keys and the ledger's append-only trigger refuse what the hold's own would have
refused. These tests would fail if the hold's statement stopped copying them from the
entry, or if the ledger lost a foreign key or its trigger."""

import pytest
from django.db import IntegrityError, InternalError, connection, transaction
from django.utils import timezone

from tests.vouchers.conftest import YUAN, ledger_agrees
from tests.vouchers.test_hold_shapes import hold
from vouchers import ledger
from vouchers.models import LedgerEntry, OrderVoucherHold, ProgrammeVersion, Voucher

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's constraints"),
]


def _foreign_keys(table: str) -> set[str]:
    """The referencing columns of ``table``'s foreign-key constraints."""
    with connection.cursor() as c:
        c.execute(
            "SELECT a.attname FROM pg_constraint k JOIN pg_attribute a"
            " ON a.attrelid = k.conrelid AND a.attnum = ANY(k.conkey)"
            " WHERE k.conrelid = %s::regclass AND k.contype = 'f'",
            [table],
        )
        return {row[0] for row in c.fetchall()}


def test_the_ledger_keeps_its_foreign_keys_and_the_hold_has_none():
    """What the hold relies on: the ledger entry's voucher, version and actor are checked."""
    assert _foreign_keys(LedgerEntry._meta.db_table) == {
        "voucher_id", "programme_version_id", "actor_id"
    }  # fmt: skip
    assert not {"voucher_id", "programme_version_id"} & _foreign_keys(
        OrderVoucherHold._meta.db_table
    )


@pytest.mark.parametrize("one", [True, False])
def test_the_hold_carries_its_entrys_voucher_and_version(issue, firm_a, one):
    voucher = issue(firm_a)
    with transaction.atomic():
        hold(voucher, 9101, 100 * YUAN, one=one)
    entry = LedgerEntry.objects.get(voucher=voucher, kind="hold", order_id=9101)
    h = OrderVoucherHold.objects.get(order_id=9101)
    assert (h.voucher_id, h.programme_version_id, h.held_fen) == (
        entry.voucher_id, entry.programme_version_id, entry.amount_fen
    )  # fmt: skip
    assert h.programme_version_id == voucher.programme.current_version_id
    ledger_agrees(voucher)


@pytest.mark.parametrize("one", [True, False])
def test_a_hold_of_a_version_that_does_not_exist_is_refused(issue, firm_a, one):
    """The version is checked by the entry's foreign key, in the hold's statement; nothing
    of the hold is stored."""
    voucher = issue(firm_a)
    locked = {voucher.pk: voucher}
    shape = ledger._holds_statement
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ledger, "_holds_statement",
                   lambda lines, params, **_kw: shape(lines, params, one=one))  # fmt: skip
        with pytest.raises(IntegrityError), transaction.atomic():
            with connection.cursor() as c:
                c.execute("SET CONSTRAINTS ALL IMMEDIATE")
            ledger.holds_place(locked, [(voucher.pk, 100 * YUAN, [])], order_kind="booking",
                               order_id=9102, version_id=987654321, actor_id=None,
                               at=timezone.now())  # fmt: skip
    assert not OrderVoucherHold.objects.filter(order_id=9102).exists()
    voucher.refresh_from_db()
    assert voucher.held_fen == 0
    ledger_agrees(voucher)


@pytest.mark.parametrize("one", [True, False])
def test_a_hold_of_a_voucher_that_does_not_exist_is_refused(issue, firm_a, one):
    """No voucher row moves, so the statement's own check refuses it before any commit
    (and the entry's foreign key would at the commit)."""
    voucher = issue(firm_a)
    ghost = Voucher(pk=voucher.pk + 10_000, firm_id=firm_a.pk, programme_id=voucher.programme_id,
                    available_fen=1_000 * YUAN, held_fen=0)  # fmt: skip
    with pytest.raises(RuntimeError, match="did not move"), transaction.atomic():
        ledger.holds_place({ghost.pk: ghost}, [(ghost.pk, 100 * YUAN, [])], order_kind="booking",
                           order_id=9103, version_id=voucher.programme.current_version_id,
                           actor_id=None, at=timezone.now())  # fmt: skip
    assert not OrderVoucherHold.objects.filter(order_id=9103).exists()
    assert not LedgerEntry.objects.filter(order_id=9103).exists()


def _delete_refused(table: str, pk: int) -> None:
    """A raw DELETE of the row fails in PostgreSQL (checked at once, not at commit)."""
    refused = pytest.raises((IntegrityError, InternalError))
    with refused, transaction.atomic(), connection.cursor() as c:
        c.execute("SET CONSTRAINTS ALL IMMEDIATE")
        c.execute(f"DELETE FROM {table} WHERE id = %s", [pk])  # noqa: S608


def test_a_held_voucher_and_its_version_cannot_be_deleted(book, voucher):
    """The hold's voucher and version stay: the entry refers to both and is append-only."""
    booking = book([voucher], start_hour=9, hours=1)
    h = OrderVoucherHold.objects.get(order_id=booking.pk)
    _delete_refused(Voucher._meta.db_table, h.voucher_id)
    entry = LedgerEntry.objects.get(voucher_id=h.voucher_id, order_id=booking.pk, kind="hold")
    _delete_refused(LedgerEntry._meta.db_table, entry.pk)  # the trigger
    # an older version, no longer the programme's current one, still priced this hold
    programme = voucher.programme
    newer = ProgrammeVersion.objects.create(programme=programme, number=99,
                                            rules=programme.rules,
                                            created_by_id=ProgrammeVersion.objects.get(
                                                pk=h.programme_version_id).created_by_id)  # fmt: skip
    type(programme).objects.filter(pk=programme.pk).update(current_version=newer)
    _delete_refused(ProgrammeVersion._meta.db_table, h.programme_version_id)
    assert Voucher.objects.filter(pk=h.voucher_id).exists()
    assert ProgrammeVersion.objects.filter(pk=h.programme_version_id).exists()
