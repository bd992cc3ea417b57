"""Every move of DESIGN.md's service-request machine through its POST action, and the
illegal ones answering 409."""

import pytest

from booking.models import ServiceRequest, StateChange
from tests.service_requests.conftest import advance

pytestmark = pytest.mark.django_db
S = ServiceRequest.Status


def url(sr, action):
    return f"/api/v1/service-requests/{sr.pk}/{action}/"


def test_full_lifecycle_records_who_when_and_why(
    make_request, manager, alice, api, mailoutbox, django_capture_on_commit_callbacks
):
    sr = make_request()
    lab, firm = api(manager), api(alice)
    with django_capture_on_commit_callbacks(execute=True):
        r = lab.post(url(sr, "accept"), {"reason": "OK"}, format="json")
        assert r.status_code == 200 and r.json()["status"] == S.ACCEPTED
        assert r.json()["due_on"]
        r = lab.post(url(sr, "receive-samples"), {"condition": "3 件，完好"}, format="json")
        assert r.json()["status"] == S.SAMPLES_RECEIVED
        assert r.json()["sample_condition"] == "3 件，完好"
        assert lab.post(url(sr, "start-testing"), {}, format="json").json()["status"] == S.TESTING
        from tests.factories.service_requests import pdf_upload

        r = lab.post(
            url(sr, "report"),
            {"report_number": "R-001", "report_file": pdf_upload()},
            format="multipart",
        )
        assert r.status_code == 200, r.json()
        assert r.json()["status"] == S.REPORTED and r.json()["has_report"]
        r = firm.post(url(sr, "confirm"), {}, format="json")
        assert r.json()["status"] == S.COMPLETED
    history = list(
        StateChange.objects.filter(service_request=sr).values_list(
            "from_status", "to_status", "actor_id"
        )
    )
    assert history == [
        ("", S.SUBMITTED, alice.pk),
        (S.SUBMITTED, S.ACCEPTED, manager.pk),
        (S.ACCEPTED, S.SAMPLES_RECEIVED, manager.pk),
        (S.SAMPLES_RECEIVED, S.TESTING, manager.pk),
        (S.TESTING, S.REPORTED, manager.pk),
        (S.REPORTED, S.COMPLETED, alice.pk),
    ]
    # accepted, received, reported, completed → the requester
    assert [m.to for m in mailoutbox] == [[alice.email]] * 4
    r = firm.get(f"/api/v1/service-requests/{sr.pk}/history/")
    assert [h["to_status"] for h in r.json()][-1] == S.COMPLETED


def test_reject_needs_a_reason_and_keeps_it(make_request, manager, api):
    sr = make_request()
    r = api(manager).post(url(sr, "reject"), {"reason": ""}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "reason_required"
    r = api(manager).post(url(sr, "reject"), {"reason": "超出检测能力"}, format="json")
    assert r.json()["status"] == S.REJECTED
    assert StateChange.objects.filter(service_request=sr).last().reason == "超出检测能力"


def test_refusing_unfit_samples_rejects_with_the_reason(make_request, manager, api):
    sr = advance(make_request(), "accepted", manager=manager)
    r = api(manager).post(url(sr, "refuse-samples"), {"reason": "样品渗漏"}, format="json")
    assert r.json()["status"] == S.REJECTED
    assert r.json()["sample_condition"] == "样品渗漏"


def test_firm_cancels_before_samples_arrive(make_request, manager, alice, api):
    sr = advance(make_request(), "accepted", manager=manager)
    r = api(alice).post(url(sr, "cancel"), {"reason": "下错单"}, format="json")
    assert r.json()["status"] == S.CANCELLED


def test_cancel_after_samples_arrived_gets_409(make_request, manager, alice, api):
    sr = advance(make_request(), "samples_received", manager=manager)
    r = api(alice).post(url(sr, "cancel"), {}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"
    sr.refresh_from_db()
    assert sr.status == S.SAMPLES_RECEIVED


@pytest.mark.parametrize(
    ("state", "action"),
    [
        ("submitted", "receive-samples"),
        ("submitted", "start-testing"),
        ("submitted", "confirm"),
        ("submitted", "refuse-samples"),
        ("accepted", "accept"),
        ("accepted", "start-testing"),
        ("samples_received", "reject"),
        ("testing", "accept"),
        ("reported", "cancel"),
        ("completed", "confirm"),
    ],
)
def test_illegal_change_gets_409(make_request, manager, alice, api, state, action):
    sr = make_request()
    if state != "submitted":
        advance(sr, state, manager=manager, firm_user=alice)
    actor = alice if action in {"confirm", "cancel"} else manager
    r = api(actor).post(url(sr, action), {"reason": "x"}, format="json")
    assert r.status_code == 409, r.json()
    sr.refresh_from_db()
    assert sr.status == state


def test_report_on_a_submitted_request_gets_409_and_stores_nothing(
    make_request, manager, api, _media
):
    from tests.factories.service_requests import pdf_upload

    sr = make_request()
    r = api(manager).post(
        url(sr, "report"), {"report_number": "R-9", "report_file": pdf_upload()}, format="multipart"
    )
    assert r.status_code == 409
    assert not any(p.is_file() for p in _media.rglob("*"))


def test_firm_member_cannot_accept_its_own_request(make_request, alice, api):
    r = api(alice).post(url(make_request(), "accept"), {}, format="json")
    assert r.status_code == 403


def test_manager_cannot_confirm_for_the_firm(make_request, manager, alice, api):
    sr = advance(make_request(), "reported", manager=manager)
    assert api(manager).post(url(sr, "confirm"), {}, format="json").status_code == 403


@pytest.mark.parametrize("action", ["accept", "reject", "cancel", "confirm"])
def test_other_firm_gets_404_on_actions(make_request, bob, api, action):
    sr = make_request()
    assert api(bob).post(url(sr, action), {"reason": "x"}, format="json").status_code == 404


def test_other_providers_manager_gets_404(make_request, other_manager, api):
    sr = make_request()
    client = api(other_manager)
    assert client.get(f"/api/v1/service-requests/{sr.pk}/").status_code == 404
    assert client.post(url(sr, "accept"), {}, format="json").status_code == 404
    assert client.get("/api/v1/service-requests/").json()["count"] == 0


def test_list_shows_own_firms_requests_only(make_request, alice, bob, manager, api):
    sr = make_request()
    assert [r["id"] for r in api(alice).get("/api/v1/service-requests/").json()["results"]] == [
        sr.pk
    ]
    assert api(bob).get("/api/v1/service-requests/").json()["count"] == 0
    assert api(bob).get(f"/api/v1/service-requests/{sr.pk}/").status_code == 404
    assert api(manager).get("/api/v1/service-requests/").json()["count"] == 1


def test_list_filters_by_status(make_request, manager, alice, api):
    advance(make_request(), "accepted", manager=manager)
    make_request()
    r = api(alice).get("/api/v1/service-requests/", {"status": "accepted"})
    assert [row["status"] for row in r.json()["results"]] == ["accepted"]
