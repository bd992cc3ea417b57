"""Firm verification keeps its history: who registered, verified, rejected or resubmitted
the firm, when and why (accounts.verification)."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from accounts.models import FirmProfile, FirmVerificationChange, Region
from accounts.services import firm_register, firm_reject, firm_resubmit, firm_verify
from accounts.verification import verification_move
from config.errors import InvalidTransition
from tests.accounts.conftest import api_for
from tests.conftest import client_for
from tests.factories.accounts import (
    FirmProfileFactory,
    UserFactory,
    firm_payload,
    join,
    make_firm,
)

pytestmark = pytest.mark.django_db
V = FirmProfile.Verification


def moves(firm) -> list[tuple]:
    return list(
        FirmVerificationChange.objects.filter(firm=firm)
        .order_by("at", "pk")
        .values_list("from_status", "to_status", "actor_id", "reason")
    )


@pytest.fixture
def registered(db):
    """A Hangzhou firm just registered by its administrator."""
    admin = UserFactory(email="founder@example.cn")
    firm = firm_register(actor=admin, **firm_payload(region_code="330106")).firm
    firm.admin = admin
    return firm


def test_registration_starts_the_history(registered):
    assert moves(registered) == [("", V.PENDING, registered.admin.pk, "")]


def test_a_resubmission_keeps_the_rejection_it_answers(registered, province_reviewer):
    payload = firm_payload(region_code="330106", uscc=registered.uscc, employees=40)
    firm_reject(actor=province_reviewer, firm_id=registered.pk, note="从业人数与社保记录不符")
    firm_resubmit(actor=registered.admin, firm_id=registered.pk, note="已按社保记录更正", **payload)
    firm_verify(actor=province_reviewer, firm_id=registered.pk, note="材料齐全")
    reviewer, admin = province_reviewer.pk, registered.admin.pk
    assert moves(registered) == [
        ("", V.PENDING, admin, ""),
        (V.PENDING, V.REJECTED, reviewer, "从业人数与社保记录不符"),
        (V.REJECTED, V.PENDING, admin, "已按社保记录更正"),
        (V.PENDING, V.VERIFIED, reviewer, "材料齐全"),
    ]
    registered.refresh_from_db()
    assert (registered.verification, registered.verified_by, registered.employees) == (
        V.VERIFIED,
        province_reviewer,
        40,
    )


def test_a_move_not_in_the_table_is_refused_and_leaves_no_row():
    firm = FirmProfileFactory(verification=V.VERIFIED)
    with pytest.raises(InvalidTransition) as refused:
        verification_move(firm, to=V.PENDING, actor=None)
    assert refused.value.code == "invalid_transition"
    assert not FirmVerificationChange.objects.exists()


def test_a_stale_firm_loses_the_compare_and_set(province_reviewer):
    firm = FirmProfileFactory(verification=V.PENDING)
    FirmProfile.objects.filter(pk=firm.pk).update(verification=V.REJECTED)  # moved meanwhile
    with pytest.raises(InvalidTransition) as lost:
        verification_move(firm, to=V.VERIFIED, actor=province_reviewer)
    assert lost.value.code == "state_changed"
    assert FirmProfile.objects.get(pk=firm.pk).verification == V.REJECTED
    assert not FirmVerificationChange.objects.exists()


def test_api_shows_the_history_to_the_firm_and_its_reviewer_only(registered, province_reviewer):
    url = f"/api/v1/firms/{registered.pk}/verification-history/"
    firm_reject(actor=province_reviewer, firm_id=registered.pk, note="资料不全")
    body = api_for(registered.admin).get(url).json()
    assert [(c["from_status"], c["to_status"]) for c in body] == [
        ("", "pending"),
        ("pending", "rejected"),
    ]
    assert body[1]["reason"] == "资料不全" and body[1]["actor"]
    assert api_for(province_reviewer).get(url).status_code == 200
    stranger = UserFactory()
    join(stranger, make_firm())
    assert api_for(stranger).get(url).status_code == 404


def test_api_resubmission_records_what_was_corrected(registered, province_reviewer):
    firm_reject(actor=province_reviewer, firm_id=registered.pk, note="营业收入有误")
    payload = {**firm_payload(region_code="330106", uscc=registered.uscc), "note": "更正营业收入"}
    r = api_for(registered.admin).post(
        f"/api/v1/firms/{registered.pk}/resubmit/", payload, format="json"
    )
    assert r.status_code == 200, r.json()
    assert moves(registered)[-1] == (V.REJECTED, V.PENDING, registered.admin.pk, "更正营业收入")


def test_firm_page_shows_the_timeline_with_the_rejection(registered, province_reviewer):
    firm_reject(actor=province_reviewer, firm_id=registered.pk, note="营业执照副本不清晰")
    page = client_for(registered.admin).get(reverse("frontend:firm-show", args=[registered.pk]))
    html = page.content.decode()
    assert 'data-testid="verification-timeline"' in html
    assert html.count('data-testid="verification-change"') == 2
    assert "营业执照副本不清晰" in html


def test_resubmit_page_takes_a_note(registered, province_reviewer):
    firm_reject(actor=province_reviewer, firm_id=registered.pk, note="营业收入有误")
    form = {**firm_payload(region_code="330106", uscc=registered.uscc), "note": "已更正"}
    form["revenue_yuan"] = str(form.pop("revenue_fen") // 100)
    r = client_for(registered.admin).post(
        reverse("frontend:firm-resubmit", args=[registered.pk]), form
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    assert moves(registered)[-1][3] == "已更正"


def test_queue_shows_earlier_decisions_without_a_query_per_firm(
    province_reviewer, django_assert_max_num_queries
):
    hangzhou = Region.objects.get(code="330106")
    for n in range(12):
        firm = FirmProfileFactory(organisation__region=hangzhou, verification=V.PENDING)
        firm_reject(actor=province_reviewer, firm_id=firm.pk, note=f"第{n}家：资料不全")
        firm.refresh_from_db()
        verification_move(firm, to=V.PENDING, actor=None, reason="已补充")
    client = client_for(province_reviewer)
    client.get(reverse("frontend:firm-verification-queue"))  # warm the session and caches
    with django_assert_max_num_queries(12):
        page = client.get(reverse("frontend:firm-verification-queue"))
    html = page.content.decode()
    assert html.count('data-testid="queue-history"') == 12 and "第11家：资料不全" in html


def test_migration_turns_the_decision_on_record_into_history(province_reviewer):
    decided = FirmProfileFactory(
        verification=V.REJECTED, verified_by=province_reviewer, verification_note="资料不全"
    )
    pending = FirmProfileFactory(verification=V.PENDING)
    FirmProfile.objects.filter(pk=decided.pk).update(verified_at=decided.organisation.created_at)
    migration = importlib.import_module(
        "accounts.migrations.0004_firm_verification_history_from_decisions"
    )
    migration.forward(apps, None)
    assert moves(pending) == [("", V.PENDING, None, "")]
    assert moves(decided) == [
        ("", V.PENDING, None, ""),
        (V.PENDING, V.REJECTED, province_reviewer.pk, "资料不全"),
    ]
