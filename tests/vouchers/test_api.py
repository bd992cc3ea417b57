"""The vouchers API: scoped (another firm's voucher is 404), errors as {code, detail,
fields}, orders take "vouchers" and show their "payment"."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from tests.factories.booking import at
from tests.factories.facilities import TestingServiceFactory
from tests.vouchers.conftest import RULES, YUAN, day_after_tomorrow, department_of, ledger_agrees
from vouchers.models import Voucher

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def booking_body(instrument, voucher_ids, hours=3):
    start = at(day_after_tomorrow(), 9)
    return {"instrument": instrument.pk, "start": start.isoformat(),
            "end": (start + dt.timedelta(hours=hours)).isoformat(), "purpose": "XRD",
            "vouchers": voucher_ids}  # fmt: skip


def test_firm_sees_its_own_vouchers_and_another_firms_is_404(alice, bob, voucher, issue, firm_b):
    theirs = issue(firm_b)
    listed = api(alice).get("/api/v1/vouchers/").json()
    assert [v["id"] for v in listed["results"]] == [voucher.pk]
    assert listed["results"][0]["available_fen"] == 1000 * YUAN
    response = api(alice).get(f"/api/v1/vouchers/{theirs.pk}/")
    assert response.status_code == 404
    assert response.json()["code"] == "voucher_not_found"
    assert api(alice).get(f"/api/v1/vouchers/{theirs.pk}/ledger/").status_code == 404


def test_ledger_lists_the_movements(alice, voucher):
    body = api(alice).get(f"/api/v1/vouchers/{voucher.pk}/ledger/").json()
    assert [(e["kind"], e["amount_fen"], e["programme_version"]) for e in body["results"]] == [
        ("issue", 1000 * YUAN, 1)
    ]


def test_booking_with_vouchers_shows_its_payment(alice, voucher, instrument):
    response = api(alice).post(
        "/api/v1/bookings/", booking_body(instrument, [voucher.pk]), format="json"
    )
    assert response.status_code == 201, response.json()
    payment = response.json()["payment"]
    assert (payment["fee_fen"], payment["voucher_fen"], payment["firm_fen"]) == (
        600 * YUAN,
        550 * YUAN,
        50 * YUAN,
    )
    line = payment["lines"][0]
    assert (line["voucher"], line["amount_fen"], line["state"]) == (voucher.pk, 550 * YUAN, "held")
    assert [step["text"] for step in line["trace"]][
        0
    ] == "100% of the part from ¥0.00 to ¥500.00 (¥500.00)"
    listed = api(alice).get("/api/v1/bookings/").json()["results"]
    assert listed[0]["payment"] == payment
    ledger_agrees(voucher)


def test_booking_with_an_exhausted_voucher_is_a_clean_409(alice, issue, firm_a, instrument):
    empty = issue(firm_a, yuan=1)
    api(alice).post(
        "/api/v1/bookings/", booking_body(instrument, [empty.pk], hours=1), format="json"
    )
    body = booking_body(instrument, [empty.pk], hours=1)
    body["start"] = at(day_after_tomorrow(), 14).isoformat()
    body["end"] = at(day_after_tomorrow(), 15).isoformat()
    response = api(alice).post("/api/v1/bookings/", body, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "voucher_exhausted"
    assert response.json()["fields"]["vouchers"]


def test_booking_with_another_firms_voucher_is_404(alice, issue, firm_b, instrument):
    theirs = issue(firm_b)
    response = api(alice).post(
        "/api/v1/bookings/", booking_body(instrument, [theirs.pk]), format="json"
    )
    assert response.status_code == 404


def test_service_request_statutory_service_is_400(alice, voucher, provider):
    service = TestingServiceFactory(provider=provider, statutory_testing=True)
    response = api(alice).post("/api/v1/service-requests/", {
        "service": service.pk, "sample_count": 2, "sample_description": "钢板", "delivery": "drop_off",
        "vouchers": [voucher.pk]}, format="json")  # fmt: skip
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["data"]["reason"]) == (
        "voucher_not_applicable", "statutory_excluded")  # fmt: skip


def test_service_request_with_a_voucher_and_its_cancel(alice, voucher, provider):
    service = TestingServiceFactory(provider=provider, price_fen=300 * YUAN)
    response = api(alice).post("/api/v1/service-requests/", {
        "service": service.pk, "sample_count": 2, "sample_description": "钢板", "delivery": "drop_off",
        "vouchers": [voucher.pk]}, format="json")  # fmt: skip
    assert response.status_code == 201, response.json()
    assert response.json()["payment"]["voucher_fen"] == 550 * YUAN
    sr = response.json()["id"]
    assert api(alice).post(f"/api/v1/service-requests/{sr}/cancel/", {"reason": "不需要了"},
                           format="json").status_code == 200  # fmt: skip
    voucher.refresh_from_db()
    assert (voucher.available_fen, voucher.held_fen) == (1000 * YUAN, 0)
    assert api(alice).get(f"/api/v1/service-requests/{sr}/").json()["payment"]["voucher_fen"] == 0


def test_quote_says_what_and_why(alice, voucher, instrument):
    start = at(day_after_tomorrow(), 9)
    response = api(alice).post("/api/v1/voucher-quote/", {
        "order_kind": "booking", "instrument": instrument.pk, "start": start.isoformat(),
        "end": (start + dt.timedelta(hours=3)).isoformat(), "vouchers": [voucher.pk]}, format="json")  # fmt: skip
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["fee_fen"], body["voucher_fen"], body["firm_fen"]) == (
        600 * YUAN,
        550 * YUAN,
        50 * YUAN,
    )
    assert Voucher.objects.get(pk=voucher.pk).held_fen == 0  # a quote holds nothing


def test_quote_missing_fields_are_400(alice):
    response = api(alice).post(
        "/api/v1/voucher-quote/", {"order_kind": "booking", "vouchers": []}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"instrument", "start", "end"}


def test_programme_api_create_publish_and_figures(reviewer, alice):
    client = api(reviewer)
    response = client.post("/api/v1/programmes/", {
        "region": "330000", "kind": "service", "name": "服务券", "budget_fen": 100_000 * YUAN,
        "valid_from": "2026-01-01", "valid_to": "2027-12-31", "rules": RULES}, format="json")  # fmt: skip
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert api(alice).get(f"/api/v1/programmes/{pk}/").status_code == 404  # a draft
    assert (
        client.post(f"/api/v1/programmes/{pk}/publish/", {}, format="json").json()["status"]
        == "published"
    )
    body = api(alice).get(f"/api/v1/programmes/{pk}/").json()
    assert body["figures"]["left_fen"] == 100_000 * YUAN
    assert client.post(f"/api/v1/programmes/{pk}/publish/", {}, format="json").status_code == 409
    assert api(alice).post(f"/api/v1/programmes/{pk}/pause/", {}, format="json").status_code == 404


def test_programme_bad_rules_are_400_with_fields(reviewer):
    response = api(reviewer).post("/api/v1/programmes/", {
        "region": "330000", "kind": "service", "name": "x", "budget_fen": 100,
        "valid_from": "2026-01-01", "valid_to": "2027-12-31", "rules": {"tiers": []}}, format="json")  # fmt: skip
    assert response.status_code == 400
    assert response.json()["code"] == "programme_rules_invalid"
    assert "tiers" in response.json()["fields"]


def test_application_flow_over_the_api(reviewer, programme, alice, bob):
    created = api(alice).post("/api/v1/voucher-applications/", {
        "programme": programme.pk, "amount_fen": 2000 * YUAN, "purpose": "检测"}, format="json")  # fmt: skip
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert api(bob).get(f"/api/v1/voucher-applications/{pk}/").status_code == 404
    assert (
        api(alice)
        .post(f"/api/v1/voucher-applications/{pk}/approve/", {}, format="json")
        .status_code
        == 404
    )
    approved = api(reviewer).post(f"/api/v1/voucher-applications/{pk}/approve/", {"amount_fen": 1500 * YUAN},
                                  format="json")  # fmt: skip
    assert approved.status_code == 200, approved.json()
    assert approved.json()["status"] == "approved"
    assert Voucher.objects.get(pk=approved.json()["voucher"]).face_fen == 1500 * YUAN


def test_bulk_issue_preview_then_confirm(reviewer, programme, firm_a):
    content = f"uscc,amount\n{firm_a.firm.uscc},800\n".encode()
    client = api(reviewer)
    preview = client.post("/api/v1/vouchers/bulk-issue/", {
        "programme": programme.pk, "file": SimpleUploadedFile("a.csv", content)}, format="multipart")  # fmt: skip
    assert preview.status_code == 200, preview.json()
    assert preview.json()["ok"] and not Voucher.objects.exists()
    done = client.post("/api/v1/vouchers/bulk-issue/", {
        "programme": programme.pk, "confirm": "true", "file": SimpleUploadedFile("a.csv", content)},
        format="multipart")  # fmt: skip
    assert done.status_code == 201
    assert Voucher.objects.get(pk=done.json()["issued"][0]).face_fen == 800 * YUAN


def test_department_sees_only_the_vouchers_it_issued(reviewer, voucher):
    from tests.factories.accounts import make_reviewer

    assert [v["id"] for v in api(reviewer).get("/api/v1/vouchers/").json()["results"]] == [
        voucher.pk
    ]
    assert api(make_reviewer("330000")).get("/api/v1/vouchers/").json()["results"] == []
    assert department_of(reviewer).pk == voucher.programme.issuer_id


def test_busy_lists_read_in_a_fixed_number_of_queries(
    alice, issue, firm_a, instrument, django_assert_num_queries
):
    vouchers = [issue(firm_a, yuan=300) for _ in range(4)]
    for i, v in enumerate(vouchers):
        body = booking_body(instrument, [v.pk], hours=1)
        body["start"] = at(day_after_tomorrow(), 9 + i).isoformat()
        body["end"] = at(day_after_tomorrow(), 10 + i).isoformat()
        assert api(alice).post("/api/v1/bookings/", body, format="json").status_code == 201
    client = api(alice)
    with django_assert_num_queries(3):  # count, page, payments
        assert len(client.get("/api/v1/bookings/").json()["results"]) == 4
    for i in range(4, 8):
        body = booking_body(instrument, [vouchers[i - 4].pk], hours=1)
        body["start"] = at(day_after_tomorrow(), 9 + i).isoformat()
        body["end"] = at(day_after_tomorrow(), 10 + i).isoformat()
        assert api(alice).post("/api/v1/bookings/", body, format="json").status_code == 201
    with django_assert_num_queries(3):  # twice the orders, the same queries
        assert len(client.get("/api/v1/bookings/").json()["results"]) == 8
    with django_assert_num_queries(2):
        assert len(client.get("/api/v1/vouchers/").json()["results"]) == 4


def test_related_parties_declared_make_the_quote_say_why(
    alice, manager, voucher, instrument, bob, firm_a
):
    for user, org in ((alice, firm_a), (manager, instrument.provider)):
        response = api(user).post("/api/v1/related-parties/", {
            "organisation": org.pk, "role": "actual_controller", "name": "王大伟",
            "identifier": "330102198001011234"}, format="json")  # fmt: skip
        assert response.status_code == 201, response.json()
    assert api(bob).post("/api/v1/related-parties/", {
        "organisation": firm_a.pk, "role": "shareholder", "name": "x", "identifier": "330102198001019999"},
        format="json").status_code == 404  # fmt: skip
    start = at(day_after_tomorrow(), 9)
    body = api(alice).post("/api/v1/voucher-quote/", {
        "order_kind": "booking", "instrument": instrument.pk, "start": start.isoformat(),
        "end": (start + dt.timedelta(hours=1)).isoformat(), "vouchers": [voucher.pk]}, format="json").json()  # fmt: skip
    assert body["voucher_fen"] == 0
    assert body["refusals"][0]["reason"] == "related_party"
    assert "related party" in body["refusals"][0]["detail"]
    party = api(alice).get("/api/v1/related-parties/").json()["results"][0]["id"]
    assert api(bob).delete(f"/api/v1/related-parties/{party}/").status_code == 404
    assert api(alice).delete(f"/api/v1/related-parties/{party}/").status_code == 204
