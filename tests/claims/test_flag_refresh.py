"""Red flags follow the facts after the build (a related party declared later, a session
corrected) on submit, at review start and when a reviewer opens the claim; their thresholds
are the programme's; the department's flag list reads the lines by their issuer."""

import datetime as dt

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from booking.models import Session
from config.errors import Invalid
from tests.claims.conftest import complete, make_programme, pdf, period, png
from tests.conftest import client_for
from tests.voucher_pages.test_review import programme_post
from vouchers.models import Claim, ClaimLine, Programme, RelatedParty
from vouchers.selectors.claims import flagged_lines
from vouchers.services import claim_flags
from vouchers.services import claim_review as review
from vouchers.services import claims as services

pytestmark = pytest.mark.django_db


def build(manager, provider):
    return services.claim_build(actor=manager, provider_id=provider.pk, **period())


def codes(line):
    line.refresh_from_db()
    return sorted(f["code"] for f in line.flags)


def ready(manager, claim):
    services.claim_invoice_set(actor=manager, claim_id=claim.pk, number="33012345",
                               date=timezone.localdate() - dt.timedelta(days=1),
                               amount_fen=claim.claimed_fen - claim.deduction_fen,
                               invoice_type="special", file=pdf())  # fmt: skip
    services.claim_proof_add(actor=manager, claim_id=claim.pk, file=png())


def declare(org, identifier="330102197001011234", name="王建国"):
    return RelatedParty.objects.create(organisation=org, role="shareholder", name=name,
                                       identifier=identifier)  # fmt: skip


def test_lines_carry_their_claims_issuer(completed, later, manager, provider):
    completed(2)
    with later():
        [claim] = build(manager, provider)
    assert set(claim.lines.values_list("issuer_id", flat=True)) == {claim.issuer_id}


def test_a_related_party_declared_after_the_build_is_flagged_on_submit(
    completed, later, manager, provider, firm_a
):
    completed(1)
    with later():
        [claim] = build(manager, provider)
        line = claim.lines.get()
        assert codes(line) == [] and claim.flagged_count == 0
        declare(firm_a), declare(provider)
        ready(manager, claim)
        services.claim_submit(actor=manager, claim_id=claim.pk)
    assert codes(line) == ["related_party"] and line.flagged
    claim.refresh_from_db()
    assert claim.flagged_count == 1 and claim.flags_checked_at is not None


def test_a_session_corrected_after_submission_is_flagged_when_review_starts(
    book, voucher, manager, reviewer, provider, later
):
    booking = complete(book([voucher], hours=2, start_hour=9), manager)
    with later():
        [claim] = build(manager, provider)
        ready(manager, claim)
        services.claim_submit(actor=manager, claim_id=claim.pk)
        line = claim.lines.get()
        assert codes(line) == []
        Session.objects.filter(booking=booking).update(
            actual_end_at=booking.start_at + dt.timedelta(minutes=30)
        )
        review.claim_review_start(actor=reviewer, claim_id=claim.pk)
    assert codes(line) == ["short_session"]
    assert Claim.objects.get(pk=claim.pk).flagged_count == 1


def test_a_reviewer_opening_the_claim_sees_a_party_declared_since(
    completed, later, manager, reviewer, provider, firm_a, django_assert_max_num_queries
):
    completed(2)
    with later():
        [claim] = build(manager, provider)
        ready(manager, claim)
        services.claim_submit(actor=manager, claim_id=claim.pk)
        claim.refresh_from_db()
        assert not claim_flags.claim_flags_stale(claim)  # just computed: one probe, no work
        dept = client_for(reviewer)
        dept.get(f"/claims/{claim.pk}/")
        with django_assert_max_num_queries(19):
            assert dept.get(f"/claims/{claim.pk}/").status_code == 200
        declare(firm_a), declare(provider)
        claim.refresh_from_db()
        assert claim_flags.claim_flags_stale(claim)
        page = dept.get(f"/claims/{claim.pk}/").content.decode()
    assert {tuple(codes(ln)) for ln in claim.lines.all()} == {("related_party",)}
    assert "王建国" in page
    claim.refresh_from_db()
    assert claim.flagged_count == 2 and not claim_flags.claim_flags_stale(claim)


def test_flags_older_than_the_limit_are_recomputed_and_a_decided_claim_keeps_its_own(
    completed, later, manager, reviewer, provider
):
    completed(1)
    with later():
        [claim] = build(manager, provider)
        ready(manager, claim)
        services.claim_submit(actor=manager, claim_id=claim.pk)
        claim.refresh_from_db()
    with time_machine.travel(claim.flags_checked_at + claim_flags.FLAGS_MAX_AGE * 2):
        assert claim_flags.claim_flags_stale(claim)
        review.claim_approve(actor=reviewer, claim_id=claim.pk)
        claim.refresh_from_db()
        assert not claim_flags.claim_flags_stale(claim)


def test_the_many_orders_threshold_is_the_programmes(
    reviewer, issue, firm_a, book, manager, provider, later
):
    strict = make_programme(reviewer, name="严格券", flag_many_orders=3)
    voucher = issue(firm_a, yuan=5_000, on=strict)
    for hour in (8, 10, 12):
        complete(book([voucher], hours=1, start_hour=hour), manager)
    with later():
        [claim] = build(manager, provider)
    assert claim.flagged_count == 3
    assert {tuple(codes(ln)) for ln in claim.lines.all()} == {("many_orders",)}
    Programme.objects.filter(pk=strict.pk).update(flag_many_orders=4)
    with transaction.atomic():
        claim_flags.claim_flags_refresh(Claim.objects.select_for_update().get(pk=claim.pk))
    assert {tuple(codes(ln)) for ln in claim.lines.all()} == {()}


def test_the_near_cap_and_short_session_thresholds_are_the_programmes(
    reviewer, issue, firm_a, book, manager, provider, later
):
    rules = {"tiers": [{"up_to_fen": None, "ratio_bp": 10_000}], "cap_per_order_fen": 400_00,
             "cap_per_year_fen": 50_000_00, "voucher_valid_days": 90}  # fmt: skip
    loose = make_programme(reviewer, rules=rules, name="宽松券", flag_near_cap_pct=50,
                           flag_short_session_pct=80)  # fmt: skip
    voucher = issue(firm_a, yuan=5_000, on=loose)
    # ¥200 of a ¥400 cap is 50%; 90 of 120 booked minutes is 75% (< 80%).
    complete(book([voucher], hours=1, start_hour=8), manager)
    complete(book([voucher], hours=2, start_hour=12), manager, hours=1.5)
    with later():
        [claim] = build(manager, provider)
    first, second = claim.lines.order_by("completed_at")
    assert codes(first) == ["near_cap"]
    assert "short_session" in codes(second)


@pytest.mark.parametrize(
    ("field", "value"),
    [("flag_many_orders", 1), ("flag_near_cap_pct", 100), ("flag_short_session_pct", 0)],
)
def test_thresholds_out_of_bounds_are_refused(reviewer, field, value):
    with pytest.raises(Invalid) as info:
        make_programme(reviewer, **{field: value})
    assert info.value.code == f"programme_{field}_invalid"
    api = APIClient()
    api.force_authenticate(reviewer)
    response = api.post("/api/v1/programmes/", {
        "region": "330000", "kind": "service", "name": "服务券", "budget_fen": 100_000_00,
        "valid_from": "2026-01-01", "valid_to": "2027-12-31",
        "rules": {"tiers": [{"up_to_fen": None, "ratio_bp": 5_000}]}, field: value},
        format="json")  # fmt: skip
    assert response.status_code == 400 and field in response.json()["fields"]


def test_the_programme_api_and_form_carry_the_thresholds(reviewer):
    api = APIClient()
    api.force_authenticate(reviewer)
    created = api.post("/api/v1/programmes/", {
        "region": "330000", "kind": "service", "name": "服务券", "budget_fen": 100_000_00,
        "valid_from": "2026-01-01", "valid_to": "2027-12-31",
        "rules": {"tiers": [{"up_to_fen": None, "ratio_bp": 5_000}]}, "flag_many_orders": 25},
        format="json")  # fmt: skip
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["flag_many_orders"], body["flag_near_cap_pct"]) == (25, 90)
    changed = api.patch(f"/api/v1/programmes/{body['id']}/", {"flag_short_session_pct": 40},
                        format="json")  # fmt: skip
    assert changed.status_code == 200 and changed.json()["flag_short_session_pct"] == 40
    client = client_for(reviewer)
    assert (
        client.post("/review/programmes/new/", programme_post(flag_many_orders="6")).status_code
        == 302
    )
    programme = Programme.objects.get(name="玉环创新券")
    assert programme.flag_many_orders == 6 and programme.flag_near_cap_pct == 90
    page = client.get(f"/review/programmes/{programme.pk}/edit/")
    assert page.status_code == 200 and 'name="flag_many_orders"' in page.content.decode()
    refused = client.post("/review/programmes/new/", programme_post(flag_many_orders="1"))
    assert refused.status_code == 400


def test_the_departments_flag_list_is_its_own_submitted_claims(
    book, voucher, manager, reviewer, other_reviewer, provider, later
):
    complete(book([voucher], hours=3, start_hour=9), manager, hours=1)
    with later():
        [claim] = build(manager, provider)
    dept = claim.issuer_id
    assert list(flagged_lines(reviewer, issuer_id=dept)) == []  # a draft is the provider's
    Claim.objects.filter(pk=claim.pk).update(status="submitted")
    line = ClaimLine.objects.get(claim=claim)
    assert list(flagged_lines(reviewer, issuer_id=dept)) == [line]
    assert list(flagged_lines(reviewer)) == [line]
    assert list(flagged_lines(reviewer, issuer_id=dept, code="near_cap")) == []
    assert list(flagged_lines(other_reviewer, issuer_id=dept)) == []
    assert list(flagged_lines(other_reviewer)) == []
    assert list(flagged_lines(manager)) == [line]  # the provider sees its own
