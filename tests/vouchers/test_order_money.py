"""Voucher money follows its order: held on placing, released on reject/cancel/no-show,
captured for the actual fee at completion with the excess released."""

import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction

from booking.models import Booking
from booking.services import bookings as booking_services
from config.errors import Conflict, Invalid, NotFound
from tests.factories.accounts import make_firm
from tests.factories.vouchers import RelatedPartyFactory
from tests.vouchers.conftest import YUAN, ledger_agrees
from vouchers.models import LedgerEntry, OrderVoucherHold
from vouchers.services import programmes
from vouchers.services.order_money import order_capture
from vouchers.tasks import expire_vouchers

pytestmark = pytest.mark.django_db


def test_booking_with_a_voucher_holds_the_tiered_part(book, voucher):
    booking = book([voucher], hours=3)  # ¥600: 100% of ¥500 + 50% of ¥100
    hold = OrderVoucherHold.objects.get(order_kind="booking", order_id=booking.pk)
    assert hold.held_fen == 550 * YUAN
    assert [s["step"] for s in hold.trace] == ["tier", "tier", "coverage"]
    voucher.refresh_from_db()
    assert (voucher.available_fen, voucher.held_fen) == (450 * YUAN, 550 * YUAN)
    ledger_agrees(voucher)


def test_completion_with_shorter_use_captures_the_actual_part_and_releases_the_rest(
    book, voucher, manager
):
    booking = book([voucher], hours=3)
    start = booking.start_at
    with time_machine.travel(start + dt.timedelta(minutes=1), tick=False):
        booking_services.booking_check_in(actor=manager, booking=booking, actual_start_at=start)
        booking_services.booking_check_out(actor=manager, booking=booking,
                                           actual_end_at=start + dt.timedelta(hours=2))  # fmt: skip
    hold = OrderVoucherHold.objects.get(order_id=booking.pk)
    assert (hold.state, hold.captured_fen) == ("captured", 400 * YUAN)  # ¥400 fee, all under ¥500
    voucher.refresh_from_db()
    assert (voucher.available_fen, voucher.held_fen, voucher.captured_fen) == (
        600 * YUAN,
        0,
        400 * YUAN,
    )
    kinds = list(LedgerEntry.objects.filter(voucher=voucher).values_list("kind", "amount_fen"))
    assert kinds == [("issue", 1000 * YUAN), ("hold", 550 * YUAN), ("capture", 400 * YUAN),
                     ("release", 150 * YUAN)]  # fmt: skip
    ledger_agrees(voucher)


def test_a_second_capture_of_one_order_moves_nothing(book, voucher, manager):
    booking = book([voucher], hours=1)
    with time_machine.travel(booking.start_at + dt.timedelta(minutes=1), tick=False):
        booking_services.booking_check_in(actor=manager, booking=booking)
        booking_services.booking_check_out(actor=manager, booking=booking,
                                           actual_end_at=booking.end_at)  # fmt: skip
    from booking.transitions import order_event

    with transaction.atomic():
        order_capture(
            order_event(booking, from_status="checked_in", actor=manager, at=booking.end_at)
        )
    assert LedgerEntry.objects.filter(voucher=voucher, kind="capture").count() == 1
    ledger_agrees(voucher)


def test_ledger_refuses_a_second_capture_entry_for_one_order(book, voucher):
    booking = book([voucher], hours=1)
    entry = {
        "voucher": voucher,
        "kind": "capture",
        "amount_fen": 1,
        "order_kind": "booking",
        "order_id": booking.pk,
    }
    LedgerEntry.objects.create(**entry)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(**entry)


def test_cancel_releases_the_hold(book, voucher, alice):
    booking = book([voucher])
    booking_services.booking_cancel(actor=alice, booking=booking, reason="改期")
    voucher.refresh_from_db()
    assert (voucher.available_fen, voucher.held_fen) == (1000 * YUAN, 0)
    assert OrderVoucherHold.objects.get(order_id=booking.pk).state == "released"
    ledger_agrees(voucher)


def test_exhausted_voucher_refuses_the_booking_with_409_and_places_nothing(book, issue, firm_a):
    small = issue(firm_a, yuan=1)
    booking_services_count = Booking.objects.count()
    book([small], hours=1)  # ¥200 wanted, ¥1 there: pays ¥1
    with pytest.raises(Conflict) as info:
        book([small], hours=1, start_hour=12)
    assert info.value.code == "voucher_exhausted"
    assert info.value.data["reason"] == "no_balance"
    assert Booking.objects.count() == booking_services_count + 1
    ledger_agrees(small)


def test_expired_voucher_refuses_with_voucher_expired(book, voucher):
    voucher.expires_at = voucher.issued_at
    voucher.save(update_fields=["expires_at"])
    with pytest.raises(Conflict) as info:
        book([voucher])
    assert info.value.code == "voucher_expired"
    assert not Booking.objects.exists()


def test_another_firms_voucher_is_not_found(book, issue, firm_b):
    theirs = issue(firm_b)
    with pytest.raises(NotFound) as info:
        book([theirs])
    assert info.value.code == "voucher_not_found"


def test_related_provider_is_not_applicable(book, voucher, firm_a, provider):
    RelatedPartyFactory(organisation=firm_a, identifier="330102198001011234")
    RelatedPartyFactory(organisation=provider, identifier="330102198001011234")
    with pytest.raises(Invalid) as info:
        book([voucher])
    assert (info.value.code, info.value.data["reason"]) == (
        "voucher_not_applicable",
        "related_party",
    )


def test_paused_programme_refuses(book, voucher, reviewer, programme):
    programmes.programme_pause(actor=reviewer, programme_id=programme.pk)
    with pytest.raises(Invalid) as info:
        book([voucher])
    assert info.value.data["reason"] == "programme_paused"


def test_capture_uses_the_version_that_priced_the_hold(book, voucher, manager, reviewer, programme):
    booking = book([voucher], hours=3)  # held ¥550 under v1
    programmes.programme_update(actor=reviewer, programme_id=programme.pk, note="降到 30%",
                                rules={"tiers": [{"up_to_fen": None, "ratio_bp": 3000}]})  # fmt: skip
    programme.refresh_from_db()
    assert programme.version == 2
    with time_machine.travel(booking.start_at + dt.timedelta(minutes=1), tick=False):
        booking_services.booking_check_in(actor=manager, booking=booking,
                                          actual_start_at=booking.start_at)  # fmt: skip
        booking_services.booking_check_out(
            actor=manager, booking=booking, actual_end_at=booking.end_at
        )
    hold = OrderVoucherHold.objects.get(order_id=booking.pk)
    assert hold.programme_version.number == 1
    assert hold.captured_fen == 550 * YUAN


def test_yearly_cap_counts_this_years_use_of_last_years_voucher(
    reviewer, alice, firm_a, instrument
):
    from tests.factories.booking import at
    from tests.vouchers.conftest import RULES, make_programme
    from vouchers.services import issuing

    rules = {**RULES, "cap_per_year_fen": 500 * YUAN}
    with time_machine.travel(dt.datetime(2026, 12, 20, 2, tzinfo=dt.UTC), tick=False):
        programme = make_programme(reviewer, rules=rules)
        december = issuing.voucher_issue(actor=reviewer, programme_id=programme.pk,
                                         firm_id=firm_a.pk, amount_fen=500 * YUAN)  # fmt: skip
    with time_machine.travel(dt.datetime(2027, 1, 5, 2, tzinfo=dt.UTC), tick=False):
        january = issuing.voucher_issue(actor=reviewer, programme_id=programme.pk,
                                        firm_id=firm_a.pk, amount_fen=500 * YUAN)  # fmt: skip
        day = dt.date(2027, 1, 7)
        for voucher, hour in ((january, 9), (december, 12)):
            booking_services.booking_create(
                actor=alice, firm=firm_a, instrument=instrument, start_at=at(day, hour),
                end_at=at(day, hour + 2), purpose="测试", voucher_ids=[voucher.pk],
            )  # fmt: skip
    held = dict(OrderVoucherHold.objects.values_list("voucher_id", "held_fen"))
    assert held == {january.pk: 400 * YUAN, december.pk: 100 * YUAN}
    trace = OrderVoucherHold.objects.get(voucher=december).trace
    assert trace[-1] == {"step": "cap_per_year", "cap_fen": 500 * YUAN, "used_fen": 400 * YUAN,
                         "shared": False, "amount_fen": 100 * YUAN}  # fmt: skip


def test_expiry_expires_the_unused_balance_and_leaves_the_hold(book, voucher):
    booking = book([voucher], hours=1)  # ¥200 held
    with time_machine.travel(voucher.expires_at + dt.timedelta(minutes=1), tick=False):
        assert expire_vouchers() == 1
        assert expire_vouchers() == 0
    voucher.refresh_from_db()
    assert (voucher.available_fen, voucher.held_fen, voucher.expired_fen) == (
        0,
        200 * YUAN,
        800 * YUAN,
    )
    assert OrderVoucherHold.objects.get(order_id=booking.pk).state == "held"
    ledger_agrees(voucher)


def test_ledger_rows_cannot_be_updated_or_deleted_on_postgresql(voucher):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger is PostgreSQL's")
    entry = voucher.ledger.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(amount_fen=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).delete()


def test_a_booking_without_vouchers_is_untouched(book):
    booking = book([])
    assert not OrderVoucherHold.objects.filter(order_id=booking.pk).exists()


def test_vouchers_of_two_programmes_cannot_pay_one_order(book, voucher, issue, reviewer, firm_a):
    from tests.vouchers.conftest import make_programme

    other = issue(firm_a, on=make_programme(reviewer, name="另一个"))
    with pytest.raises(Invalid) as info:
        book([voucher, other])
    assert info.value.data["reason"] == "mixed_programmes"


def test_firm_of_another_region_is_not_issued(issue, reviewer):
    from tests.vouchers.conftest import make_programme

    hz = make_programme(reviewer, region_code="330100")
    with pytest.raises(Invalid) as info:
        issue(make_firm(organisation__region_id="330206"), on=hz)
    assert info.value.code == "firm_outside_region"
