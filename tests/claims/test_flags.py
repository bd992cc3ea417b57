"""Red flags for the reviewer: each fires on its pattern, says why, is stored on the line at
build, shown on the claim page and in the department's list, and read through the API."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from booking.models import ServiceRequest
from tests.claims.conftest import complete, make_programme, period
from tests.conftest import client_for
from tests.factories.facilities import TestingServiceFactory
from vouchers import flags
from vouchers.models import Claim, ClaimLine, RelatedParty
from vouchers.services import claims as services

pytestmark = pytest.mark.django_db

# 100% of the fee, at most ¥210 an order: a ¥200 booking is just under the cap.
NEAR_CAP_RULES = {"tiers": [{"up_to_fen": None, "ratio_bp": 10_000}],
                  "cap_per_order_fen": 210_00, "cap_per_year_fen": 50_000_00,
                  "voucher_valid_days": 90}  # fmt: skip


def build(manager, provider):
    return services.claim_build(actor=manager, provider_id=provider.pk, **period())


def codes(line):
    return sorted(f["code"] for f in line.flags)


def test_orders_just_under_the_cap_and_many_between_one_firm_and_provider(
    reviewer, issue, firm_a, book, manager, provider, later
):
    near = make_programme(reviewer, rules=NEAR_CAP_RULES, name="封顶测试券")
    voucher = issue(firm_a, yuan=5_000, on=near)
    for hour in range(8, 8 + flags.DEFAULTS["many_orders"]):
        complete(book([voucher], hours=1, start_hour=hour), manager)
    with later():
        [claim] = build(manager, provider)
    lines = list(claim.lines.all())
    assert claim.flagged_count == len(lines) == flags.DEFAULTS["many_orders"]
    for line in lines:
        assert codes(line) == ["many_orders", "near_cap"] and line.flagged
    texts = [t["detail"] for t in flags.with_texts(lines[0].flags)]
    assert any("210.00" in t and "200.00" in t for t in texts)
    assert any(str(flags.DEFAULTS["many_orders"]) in t for t in texts)


def test_a_few_orders_well_under_the_cap_raise_no_flag(completed, later, manager, provider):
    completed(2)  # ¥200 each under a ¥2,000 cap
    with later():
        [claim] = build(manager, provider)
    assert claim.flagged_count == 0
    assert all(line.flags == [] and not line.flagged for line in claim.lines.all())


def test_a_session_much_shorter_than_booked(book, voucher, manager, provider, later):
    complete(book([voucher], hours=3, start_hour=9), manager, hours=1)
    complete(book([voucher], hours=2, start_hour=14), manager)
    with later():
        [claim] = build(manager, provider)
    short, full = claim.lines.order_by("completed_at")
    assert codes(short) == ["short_session"] and full.flags == []
    assert short.flags[0]["used_minutes"] == 60 and short.flags[0]["booked_minutes"] == 180
    assert "60" in flags.flag_text(short.flags[0]) and "180" in flags.flag_text(short.flags[0])


def test_a_related_party_declared_after_the_order(completed, later, manager, provider, firm_a):
    completed(1)
    for org in (firm_a, provider):
        RelatedParty.objects.create(organisation=org, role="shareholder", name="王建国",
                                    identifier="330102197001011234")  # fmt: skip
    RelatedParty.objects.create(organisation=firm_a, role="legal_rep", name="李四",
                                identifier="330102198001011234")  # fmt: skip
    with later():
        [claim] = build(manager, provider)
    line = claim.lines.get()
    assert codes(line) == ["related_party"] and line.flags[0]["names"] == ["王建国"]
    assert "王建国" in flags.flag_text(line.flags[0])


def test_a_report_issued_before_the_samples_arrived(firm_a, alice, provider):
    service = TestingServiceFactory(provider=provider)
    now = timezone.now()

    def request(received, reported):
        return ServiceRequest.objects.create(
            service=service, firm=firm_a, requested_by=alice, sample_count=1,
            sample_description="样品", samples_received_at=received, reported_at=reported,
        )  # fmt: skip

    early = request(now, now - dt.timedelta(hours=5))
    none = request(None, now)
    fine = request(now - dt.timedelta(days=2), now)
    lines = [ClaimLine(order_kind="service_request", order_id=r.pk, firm_id=firm_a.pk,
                       hold_id=0, voucher_fen=100, fee_fen=100, firm_fen=0)
             for r in (early, none, fine)]  # fmt: skip
    flags._reports_before_samples(lines)
    assert [codes(line) for line in lines] == [["report_before_samples"]] * 2 + [[]]
    assert "之前" in flags.flag_text(lines[0].flags[0]) or "before" in flags.flag_text(
        lines[0].flags[0]
    )


def test_flags_on_the_claim_page_the_department_list_and_the_api(
    book, voucher, manager, reviewer, provider, later
):
    complete(book([voucher], hours=3, start_hour=9), manager, hours=1)
    complete(book([voucher], hours=1, start_hour=14), manager)
    with later():
        [claim] = build(manager, provider)
    Claim.objects.filter(pk=claim.pk).update(status="submitted")
    short = claim.lines.get(flagged=True)
    dept = client_for(reviewer)
    page = dept.get(f"/claims/{claim.pk}/").content.decode()
    assert f'data-testid="flags-{short.pk}"' in page
    only = dept.get(f"/claims/{claim.pk}/?flagged=1").content.decode()
    assert f'data-testid="line-{short.pk}"' in only
    assert only.count('data-testid="line-') == 1
    queue = dept.get("/department/claims/").content.decode()
    assert f'data-testid="flag-count-{claim.pk}"' in queue
    listed = dept.get("/department/claims/flags/?code=short_session")
    assert (
        listed.status_code == 200 and f'data-testid="flagged-{short.pk}"' in listed.content.decode()
    )
    assert (
        f"flagged-{short.pk}"
        not in dept.get("/department/claims/flags/?code=near_cap").content.decode()
    )
    api = APIClient()
    api.force_authenticate(reviewer)
    lines = api.get(f"/api/v1/claims/{claim.pk}/lines/?flagged=true").json()["results"]
    assert [ln["id"] for ln in lines] == [short.pk]
    assert lines[0]["flags"][0]["code"] == "short_session" and lines[0]["flags"][0]["detail"]
    assert api.get(f"/api/v1/claims/{claim.pk}/").json()["flagged_count"] == 1
    listed = api.get("/api/v1/claims/flagged-lines/?code=short_session").json()
    assert [ln["id"] for ln in listed["results"]] == [short.pk]
    assert listed["results"][0]["claim_number"] == claim.number
    bad = api.get("/api/v1/claims/flagged-lines/?code=nope")
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid_flag")


def test_the_flag_list_and_the_uses_page_do_not_grow_with_rows(
    book, voucher, manager, reviewer, provider, alice, later, django_assert_max_num_queries
):
    for hour in (8, 12, 16):
        complete(book([voucher], hours=2, start_hour=hour), manager, hours=0.5)
    with later():
        [claim] = build(manager, provider)
    Claim.objects.filter(pk=claim.pk).update(status="submitted")
    assert claim.flagged_count == 3
    dept, firm = client_for(reviewer), client_for(alice)
    dept.get("/department/claims/flags/")
    firm.get("/vouchers/uses/")
    with django_assert_max_num_queries(12):
        assert dept.get("/department/claims/flags/").status_code == 200
    with django_assert_max_num_queries(16):
        assert firm.get("/vouchers/uses/").status_code == 200
    with django_assert_max_num_queries(18):
        assert dept.get(f"/claims/{claim.pk}/?flagged=1").status_code == 200
