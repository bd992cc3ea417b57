"""A provider builds claims from its captured, unclaimed voucher amounts, documents and
submits them; the department reviews line by line and pays. Totals equal the ledger."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from config.errors import Conflict, Forbidden, Invalid, NotFound
from tests.claims.conftest import YUAN, make_programme, pdf, period, png
from tests.factories.accounts import make_provider, member_of
from vouchers.models import Claim, ClaimChange, ClaimLine, LedgerEntry
from vouchers.selectors.claims import claim_get
from vouchers.services import claim_review as review
from vouchers.services import claims as services
from vouchers.services import issuing

pytestmark = pytest.mark.django_db


def build(manager, provider, **kw):
    return services.claim_build(actor=manager, provider_id=provider.pk, **{**period(), **kw})


def ready(manager, claim):
    """Invoice and one proof on the draft, then submit."""
    services.claim_invoice_set(actor=manager, claim_id=claim.pk, number="33012345",
                               date=timezone.localdate() - dt.timedelta(days=1),
                               amount_fen=claim.claimed_fen - claim.deduction_fen,
                               invoice_type="special", file=pdf())  # fmt: skip
    services.claim_proof_add(actor=manager, claim_id=claim.pk, file=png())
    return services.claim_submit(actor=manager, claim_id=claim.pk)


def assert_totals_match_ledger(claim):
    claim.refresh_from_db()
    lines = claim.lines.all()
    assert claim.claimed_fen == sum(line.voucher_fen for line in lines)
    approved = [line for line in lines if line.state == "approved"]
    assert claim.approved_fen == sum(line.voucher_fen for line in approved)
    entries = LedgerEntry.objects.filter(pk__in=[line.capture_entry_id for line in approved])
    assert claim.approved_fen == (entries.aggregate(s=Sum("amount_fen"))["s"] or 0)
    for line in lines:
        assert line.voucher_fen == line.capture_entry.amount_fen
        assert line.capture_entry.kind == "capture"


def test_build_takes_every_captured_amount_once_with_the_order_figures(
    completed, later, manager, provider, firm_a
):
    orders = completed(3)
    with later():
        [claim] = build(manager, provider)
        with pytest.raises(Conflict) as info:
            build(manager, provider)
    assert info.value.code == "nothing_to_claim"
    assert claim.status == "draft"
    assert (claim.line_count, claim.claimed_fen) == (3, 3 * 200 * YUAN)
    line = claim.lines.order_by("pk").first()
    assert (line.firm_id, line.order_kind, line.order_id) == (firm_a.pk, "booking", orders[0].pk)
    assert (line.fee_fen, line.voucher_fen, line.firm_fen) == (200 * YUAN, 200 * YUAN, 0)
    assert ClaimChange.objects.filter(claim=claim, to_status="draft").count() == 1
    assert_totals_match_ledger(claim)


def test_the_firms_own_part_is_the_fee_less_the_voucher_part(completed, later, manager, provider):
    completed(1, hours=3)  # ¥600: the voucher pays 100% of ¥500 and 50% of ¥100
    with later():
        [claim] = build(manager, provider)
    line = claim.lines.get()
    assert (line.fee_fen, line.voucher_fen, line.firm_fen) == (600 * YUAN, 550 * YUAN, 50 * YUAN)


def test_one_claim_per_issuing_department(completed, later, manager, provider, firm_a):
    from tests.factories.accounts import make_reviewer

    second = make_reviewer("330000", email="second-dept@example.cn")
    other = make_programme(second, name="另一部门服务券")
    theirs = issuing.voucher_issue(actor=second, programme_id=other.pk, firm_id=firm_a.pk,
                                   amount_fen=1000 * YUAN)  # fmt: skip
    completed(2)
    completed(1, vouchers=[theirs], start_hour_from=14)
    with later():
        claims = build(manager, provider)
    assert sorted((c.issuer_id, c.line_count) for c in claims) == sorted(
        [(programme_issuer(firm_a, exclude=other.issuer_id), 2), (other.issuer_id, 1)]
    )


def programme_issuer(firm, *, exclude):
    from vouchers.models import Voucher

    return (
        Voucher.objects.filter(firm=firm)
        .exclude(programme__issuer_id=exclude)
        .values_list("programme__issuer_id", flat=True)
        .first()
    )


def test_orders_outside_the_period_or_of_another_provider_are_not_claimed(
    completed, later, manager, provider
):
    completed(2)
    stranger = member_of(make_provider())
    with later():
        with pytest.raises(Conflict):
            build(
                manager, provider, period_start=dt.date(2020, 1, 1), period_end=dt.date(2020, 1, 31)
            )
        with pytest.raises(Forbidden):
            build(stranger, provider)
        with pytest.raises(Invalid) as info:
            build(manager, provider, period_end=timezone.localdate() + dt.timedelta(days=30))
    assert info.value.code == "period_in_future"


def test_a_capture_sits_in_one_live_line_only_by_constraint(completed, later, manager, provider):
    completed(1)
    with later():
        [claim] = build(manager, provider)
    line = claim.lines.get()
    copy = {f: getattr(line, f) for f in ("capture_entry_id", "hold_id", "firm_id", "order_kind",
                                          "order_id", "completed_at", "fee_fen", "voucher_fen", "firm_fen")}  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimLine.objects.create(claim=claim, issuer_id=claim.issuer_id, **copy)
    ClaimLine.objects.filter(pk=line.pk).update(state="rejected")
    ClaimLine.objects.create(
        claim=claim, issuer_id=claim.issuer_id, **copy
    )  # after a rejection it may be claimed anew


def test_a_reversed_capture_cannot_be_claimed(completed, later, manager, provider, reviewer):
    from vouchers.models import OrderVoucherHold
    from vouchers.services.balances import capture_reverse

    [booking, _second] = completed(2)
    hold = OrderVoucherHold.objects.get(order_id=booking.pk)
    capture_reverse(actor=reviewer, hold_id=hold.pk, amount_fen=1 * YUAN, reason="审计发现问题")
    with later():
        [claim] = build(manager, provider)
    assert claim.line_count == 1
    assert claim.lines.get().order_id != booking.pk


def test_submit_needs_the_invoice_and_a_proof(completed, later, manager, provider):
    completed(1, hours=3)
    with later():
        [claim] = build(manager, provider)
        with pytest.raises(Invalid) as info:
            services.claim_submit(actor=manager, claim_id=claim.pk)
        assert info.value.code == "invoice_missing"
        with pytest.raises(Invalid) as info:
            services.claim_invoice_set(actor=manager, claim_id=claim.pk, number="1",
                                       date=timezone.localdate(), amount_fen=1, invoice_type="special",
                                       file=pdf())  # fmt: skip
        assert info.value.code == "invoice_amount_mismatch"
        services.claim_invoice_set(actor=manager, claim_id=claim.pk, number="1",
                                   date=timezone.localdate(), amount_fen=claim.claimed_fen,
                                   invoice_type="general", file=pdf())  # fmt: skip
        with pytest.raises(Invalid) as info:
            services.claim_submit(actor=manager, claim_id=claim.pk)
        assert info.value.code == "proof_missing"  # the firm paid ¥50 itself
        services.claim_proof_add(actor=manager, claim_id=claim.pk, file=png(),
                                 line_id=claim.lines.get().pk)  # fmt: skip
        services.claim_submit(actor=manager, claim_id=claim.pk)
    claim.refresh_from_db()
    assert claim.status == "submitted"
    with pytest.raises(Conflict) as info:
        services.claim_proof_add(actor=manager, claim_id=claim.pk, file=png())
    assert info.value.code == "claim_not_draft"


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [("fake.pdf", b"MZ\x90\0 not a pdf", "file_type"), ("x.exe", b"%PDF-1.4", "file_type"),
     ("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "file_too_large")],
)  # fmt: skip
def test_a_bad_upload_is_refused_by_its_content(
    completed, later, manager, provider, name, content, code
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    completed(1)
    with later():
        [claim] = build(manager, provider)
    with pytest.raises(Invalid) as info:
        services.claim_proof_add(actor=manager, claim_id=claim.pk,
                                 file=SimpleUploadedFile(name, content))  # fmt: skip
    assert info.value.code == code
    assert not claim.proofs.exists()


def test_review_line_by_line_then_approve_and_pay(completed, later, manager, provider, reviewer):
    completed(3)
    with later():
        [claim] = build(manager, provider)
        ready(manager, claim)
        first, second, third = claim.lines.order_by("pk")
        review.claim_lines_decide(
            actor=reviewer, claim_id=claim.pk, line_ids=[first.pk], approve=True
        )
        with pytest.raises(Invalid) as info:
            review.claim_lines_decide(actor=reviewer, claim_id=claim.pk, line_ids=[second.pk],
                                      approve=False)  # fmt: skip
        assert info.value.code == "reason_required"
        review.claim_lines_decide(actor=reviewer, claim_id=claim.pk, line_ids=[second.pk],
                                  approve=False, reason="缺少使用记录")  # fmt: skip
        claim.refresh_from_db()
        assert claim.status == "under_review"
        assert_totals_match_ledger(claim)
        review.claim_approve(actor=reviewer, claim_id=claim.pk)
        claim.refresh_from_db()
        assert (claim.status, claim.approved_fen) == ("partly_approved", 2 * 200 * YUAN)
        assert_totals_match_ledger(claim)
        # The rejected line's amount is claimable again, in a new claim, with its history.
        [again] = build(manager, provider)
        assert again.lines.get().capture_entry_id == second.capture_entry_id
        assert ClaimLine.objects.filter(capture_entry_id=second.capture_entry_id).count() == 2
        review.claim_pay(actor=reviewer, claim_id=claim.pk, paid_on=timezone.localdate(),
                         payment_reference="ZJ-2026-001")  # fmt: skip
    claim.refresh_from_db()
    assert (claim.status, claim.payment_reference, claim.payable_fen) == (
        "paid",
        "ZJ-2026-001",
        400 * YUAN,
    )
    moves = list(claim.history.values_list("from_status", "to_status"))
    assert moves == [("", "draft"), ("draft", "submitted"), ("submitted", "under_review"),
                     ("under_review", "partly_approved"), ("partly_approved", "paid")]  # fmt: skip
    assert all(c.actor_id for c in claim.history.all())


def test_rejecting_the_whole_claim_frees_every_line(completed, later, manager, provider, reviewer):
    completed(2)
    with later():
        [claim] = build(manager, provider)
        ready(manager, claim)
        review.claim_reject(actor=reviewer, claim_id=claim.pk, reason="发票抬头错误")
        claim.refresh_from_db()
        assert (claim.status, claim.approved_fen) == ("rejected", 0)
        assert set(claim.lines.values_list("state", flat=True)) == {"rejected"}
        [again] = build(manager, provider)
    assert again.line_count == 2
    with pytest.raises(Conflict):
        review.claim_pay(actor=reviewer, claim_id=claim.pk, paid_on=timezone.localdate(),
                         payment_reference="x")  # fmt: skip


def test_each_side_acts_only_on_its_own_part(completed, later, manager, provider, reviewer,
                                             other_reviewer, alice):  # fmt: skip
    completed(1)
    with later():
        [claim] = build(manager, provider)
    stranger = member_of(make_provider())
    for outsider in (stranger, other_reviewer, alice):
        with pytest.raises(NotFound):
            claim_get(outsider, claim.pk)
    with pytest.raises(NotFound):  # a draft is not the department's business yet
        review.claim_approve(actor=reviewer, claim_id=claim.pk)
    with pytest.raises(Forbidden):
        review.claim_approve(actor=manager, claim_id=claim.pk)
    with pytest.raises(NotFound):
        review.claim_approve(actor=other_reviewer, claim_id=claim.pk)
    assert Claim.objects.get(pk=claim.pk).status == "draft"
    with later():
        ready(manager, claim)
    with pytest.raises(Forbidden):
        services.claim_invoice_set(actor=reviewer, claim_id=claim.pk, number="x",
                                   date=timezone.localdate(), amount_fen=1, invoice_type="general")  # fmt: skip
