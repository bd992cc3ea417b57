"""Audit samples: at least 5%, reproducible from the seed, different seeds differ; a problem
reverses money through the ledger, shows as a deduction on the provider's next claim, and
can block the firm from the programme."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from config.errors import Conflict, Forbidden, Invalid
from tests.claims.conftest import YUAN, period
from tests.claims.test_claims import assert_totals_match_ledger, build, ready
from tests.vouchers.conftest import department_of, ledger_agrees
from vouchers.models import ClaimDeduction
from vouchers.services import audits
from vouchers.services import claim_review as review


@settings(deadline=None)  # a shared 2-core machine: timing is not what is tested
@given(n=st.integers(min_value=1, max_value=3000), rate=st.integers(min_value=500, max_value=10_000),
       seed=st.integers(min_value=0, max_value=2**48))  # fmt: skip
def test_a_sample_is_at_least_the_rate_and_redraws_the_same_from_its_seed(n, rate, seed):
    population = list(range(10, 10 + n))
    drawn = audits.sample_draw(population, rate_bp=rate, seed=seed)
    assert len(drawn) >= n * rate / 10_000 and len(drawn) >= 1
    assert len(set(drawn)) == len(drawn) and set(drawn) <= set(population)
    assert audits.sample_draw(list(reversed(population)), rate_bp=rate, seed=seed) == drawn


def test_different_seeds_give_different_samples():
    population = list(range(1, 1001))
    samples = {tuple(audits.sample_draw(population, rate_bp=500, seed=s)) for s in range(20)}
    assert len(samples) == 20
    assert all(len(s) == 50 for s in samples)


pytestmark_db = pytest.mark.django_db


@pytestmark_db
def test_draw_records_the_seed_and_one_pending_record_per_sampled_use(completed, later, reviewer):
    completed(4)
    issuer = department_of(reviewer)
    with later():
        sample = audits.audit_sample_draw(actor=reviewer, issuer_id=issuer.pk, seed=42, **period())
        again = audits.audit_sample_draw(actor=reviewer, issuer_id=issuer.pk, seed=42, **period())
        with pytest.raises(Invalid) as info:
            audits.audit_sample_draw(actor=reviewer, issuer_id=issuer.pk, rate_bp=499, **period())
    assert info.value.code == "audit_rate_too_low"
    assert (sample.population, sample.size, sample.seed) == (4, 1, 42)
    ids = list(sample.records.values_list("capture_entry_id", flat=True))
    assert ids == list(again.records.values_list("capture_entry_id", flat=True))
    assert ids == audits.sample_draw(audits.audit_population(issuer_id=issuer.pk, **_p(sample)),
                                     rate_bp=500, seed=42)  # fmt: skip
    assert set(sample.records.values_list("result", flat=True)) == {"pending"}


def _p(sample):
    return {"period_start": sample.period_start, "period_end": sample.period_end}


@pytestmark_db
def test_a_problem_after_payment_is_deducted_from_the_next_claim_and_blocks_the_firm(
    completed, later, manager, provider, reviewer, voucher, book
):
    from tests.claims.conftest import complete

    completed(2)
    issuer = department_of(reviewer)
    with later():
        [claim] = build(manager, provider)
        ready(manager, claim)
        review.claim_approve(actor=reviewer, claim_id=claim.pk)
        review.claim_pay(actor=reviewer, claim_id=claim.pk, paid_on=claim.created_at.date(),
                         payment_reference="P-1")  # fmt: skip
    third = complete(book([voucher], hours=1, start_hour=15), manager)
    with later():
        sample = audits.audit_sample_draw(actor=reviewer, issuer_id=issuer.pk, rate_bp=10_000,
                                          seed=7, **period())  # fmt: skip
        assert sample.size == 3
        record = sample.records.exclude(order_id=third.pk).first()
        with pytest.raises(Invalid):
            audits.audit_record_result(actor=reviewer, record_id=record.pk, result="problem")
        audits.audit_record_result(actor=reviewer, record_id=record.pk, result="problem",
                                   note="实际未使用设备", reverse_fen=record.voucher_fen,
                                   block_firm=True)  # fmt: skip
        with pytest.raises(Conflict):
            audits.audit_record_result(actor=reviewer, record_id=record.pk, result="fine")
        [following] = build(manager, provider)
    record.refresh_from_db()
    assert (record.reverse_entry.kind, record.reverse_entry.amount_fen) == ("reverse", 200 * YUAN)
    ledger_agrees(voucher)
    # The paid claim keeps its figures; the next claim carries what is owed back.
    assert_totals_match_ledger(claim)
    assert following.lines.get().order_id == third.pk
    assert (following.claimed_fen, following.deduction_fen, following.payable_fen) == (
        200 * YUAN, 200 * YUAN, 0)  # fmt: skip
    assert ClaimDeduction.objects.get().claim_id == following.pk
    with pytest.raises(Invalid) as info:
        book([voucher], start_hour=17)
    assert info.value.data["reason"] == "blocked"


@pytestmark_db
def test_only_the_issuers_reviewers_draw_and_check(
    completed, later, reviewer, other_reviewer, manager
):
    completed(1)
    issuer = department_of(reviewer)
    with later():
        with pytest.raises(Forbidden):
            audits.audit_sample_draw(actor=other_reviewer, issuer_id=issuer.pk, **period())
        with pytest.raises(Forbidden):
            audits.audit_sample_draw(actor=manager, issuer_id=issuer.pk, **period())
        sample = audits.audit_sample_draw(actor=reviewer, issuer_id=issuer.pk, **period())
    from config.errors import NotFound

    with pytest.raises(NotFound):
        audits.audit_record_result(
            actor=other_reviewer, record_id=sample.records.get().pk, result="fine"
        )
