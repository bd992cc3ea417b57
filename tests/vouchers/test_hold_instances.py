"""The hold builds its voucher and programme instances from the lock statement's row
without ``Model.__init__`` (vouchers.ledger._from_row, issue 11's speed): they must be the
instances ``from_db`` would have built, deferred fields and all."""

import datetime as dt

import pytest
from django.db.models import signals

from vouchers import ledger
from vouchers.models import Programme, Voucher
from vouchers.rules import trace_text, trace_texts
from vouchers.selectors.payments import trace_out

AT = dt.datetime(2026, 12, 3, 9, tzinfo=dt.UTC)


def _row() -> tuple:
    voucher_fields, _ = ledger._lock_columns(True)
    sample = {"id": 7, "firm_id": 3, "programme_id": 2, "code": "V-7", "face_fen": 1000,
              "available_fen": 900, "held_fen": 100, "captured_fen": 0, "expired_fen": 0,
              "expires_at": AT}  # fmt: skip
    return voucher_fields, tuple(sample[name] for name in voucher_fields)


def test_an_instance_from_the_row_is_the_one_from_db_builds():
    fields, values = _row()
    fast = ledger._from_row(Voucher, "default", fields, values)
    slow = Voucher.from_db("default", fields, values)
    assert type(fast) is Voucher
    assert fast.get_deferred_fields() == slow.get_deferred_fields() == {"application_id",
                                                                        "issued_at"}  # fmt: skip
    for name in fields:
        assert getattr(fast, name) == getattr(slow, name), name
    assert (fast._state.adding, fast._state.db) == (slow._state.adding, slow._state.db)
    assert (fast._state.adding, fast._state.db) == (False, "default")
    assert fast.pk == 7 and fast == slow


def test_a_programme_from_the_row_defers_what_the_hold_does_not_read():
    _, programme_fields = ledger._lock_columns(True)
    values = [2 if n == "id" else None for n in programme_fields]
    fast = ledger._from_row(Programme, "default", programme_fields, values)
    slow = Programme.from_db("default", programme_fields, values)
    assert fast.get_deferred_fields() == slow.get_deferred_fields()
    assert "description" in fast.get_deferred_fields()


def test_a_listening_receiver_still_sees_the_instance_built():
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    signals.post_init.connect(receiver, sender=Voucher)
    try:
        voucher = ledger._from_row(Voucher, "default", *_row())
    finally:
        signals.post_init.disconnect(receiver, sender=Voucher)
    assert seen == [voucher]
    assert voucher.get_deferred_fields() == {"application_id", "issued_at"}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_trace_reads_the_same_with_its_templates_looked_up_once(language):
    from django.utils import translation

    trace = [{"step": "tier", "from_fen": 0, "to_fen": 1_000_000, "ratio_bp": 10_000,
              "portion_fen": 40_000},
             {"step": "tier", "from_fen": 1_000_000, "to_fen": None, "ratio_bp": 5_000,
              "portion_fen": 20_000},
             {"step": "coverage", "amount_fen": 50_000},
             {"step": "balance", "available_fen": 300, "amount_fen": 300}]  # fmt: skip
    with translation.override(language):
        assert trace_out(trace, trace_texts()) == trace_out(trace)
        assert [s["text"] for s in trace_out(trace)] == [trace_text(s) for s in trace]
