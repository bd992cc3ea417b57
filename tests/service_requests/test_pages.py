"""The HTML pages: order with live quote, My testing requests, detail, lab queue."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from booking.models import ServiceRequest
from tests.conftest import client_for
from tests.factories.service_requests import ServiceRequestFactory, pdf_upload
from tests.service_requests.conftest import advance

pytestmark = pytest.mark.django_db


def test_order_page_shows_the_quote_and_places_the_order(service, alice):
    client = client_for(alice)
    url = reverse("frontend:service-request-create", args=[service.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "¥300.00" in page.content.decode()
    quote = client.get(
        reverse("frontend:service-request-quote", args=[service.pk]), {"sample_count": 3}
    )
    assert "¥900.00" in quote.content.decode()
    r = client.post(
        url, {"sample_count": 3, "sample_description": "三件钢板", "delivery": "drop_off"}
    )
    sr = ServiceRequest.objects.get()
    assert r.status_code == 302 and r.url == reverse(
        "frontend:service-request-detail", args=[sr.pk]
    )
    assert sr.quote_fen == 900_00 and sr.firm_id == alice.memberships.get().organisation_id


def test_order_form_keeps_input_and_explains_errors(service, alice):
    url = reverse("frontend:service-request-create", args=[service.pk])
    r = client_for(alice).post(
        url, {"sample_count": 2, "sample_description": "水样", "delivery": "courier"}
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "tracking number" in html and "水样" in html
    assert ServiceRequest.objects.count() == 0


def test_my_requests_lists_only_my_firms_with_bounded_queries(
    make_request, alice, firm_b, django_assert_max_num_queries
):
    for _ in range(8):
        make_request()
    ServiceRequestFactory(firm=firm_b, sample_description="别家的样品")
    client = client_for(alice)
    with django_assert_max_num_queries(12):
        r = client.get(reverse("frontend:my-service-requests"))
    html = r.content.decode()
    assert r.status_code == 200 and html.count("/testing-requests/") >= 8
    assert "别家的样品" not in html


def test_detail_shows_timeline_actions_and_download(make_request, manager, alice):
    sr = advance(make_request(), "reported", manager=manager)
    html = (
        client_for(alice)
        .get(reverse("frontend:service-request-detail", args=[sr.pk]))
        .content.decode()
    )
    assert 'data-testid="timeline"' in html and html.count("timeline-dot") == 5
    assert reverse("frontend:service-request-report", args=[sr.pk]) in html
    assert 'data-testid="action-confirm"' in html
    assert 'data-testid="action-accept"' not in html


def test_other_firm_and_other_provider_get_404_on_pages(make_request, bob, other_manager):
    sr = make_request()
    for user in (bob, other_manager):
        client = client_for(user)
        assert (
            client.get(reverse("frontend:service-request-detail", args=[sr.pk])).status_code == 404
        )
        r = client.post(reverse("frontend:service-request-action", args=[sr.pk, "cancel"]))
        assert r.status_code == 404
    sr.refresh_from_db()
    assert sr.status == "submitted"


def test_buttons_move_the_request(make_request, manager, alice):
    sr = make_request()
    lab = client_for(manager)
    r = lab.post(reverse("frontend:service-request-action", args=[sr.pk, "accept"]), {"reason": ""})
    assert r.status_code == 302
    lab.post(
        reverse("frontend:service-request-action", args=[sr.pk, "receive-samples"]),
        {"condition": "完好"},
    )
    lab.post(reverse("frontend:service-request-action", args=[sr.pk, "start-testing"]))
    r = lab.post(
        reverse("frontend:service-request-action", args=[sr.pk, "report"]),
        {"report_number": "R-55", "report_file": pdf_upload()},
    )
    assert r.status_code == 302
    client_for(alice).post(reverse("frontend:service-request-action", args=[sr.pk, "confirm"]))
    sr.refresh_from_db()
    assert sr.status == "completed" and sr.report_number == "R-55"


def test_illegal_button_shows_why_with_409(make_request, alice, manager):
    sr = advance(make_request(), "samples_received", manager=manager)
    r = client_for(alice).post(reverse("frontend:service-request-action", args=[sr.pk, "cancel"]))
    assert r.status_code == 409
    assert 'data-testid="action-error"' in r.content.decode()


def test_bad_report_upload_re_renders_with_the_number_kept(make_request, manager):
    from django.core.files.uploadedfile import SimpleUploadedFile

    sr = advance(make_request(), "testing", manager=manager)
    fake = SimpleUploadedFile("r.pdf", b"GIF89a", "application/pdf")
    r = client_for(manager).post(
        reverse("frontend:service-request-action", args=[sr.pk, "report"]),
        {"report_number": "R-77", "report_file": fake},
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "not a real PDF" in html and 'value="R-77"' in html
    sr.refresh_from_db()
    assert sr.status == "testing"


def test_lab_queue_groups_by_state_overdue_first_with_bounded_queries(
    make_request, manager, django_assert_max_num_queries
):
    late = advance(make_request(), "testing", manager=manager)
    fresh = advance(make_request(), "testing", manager=manager)
    ServiceRequest.objects.filter(pk=late.pk).update(
        due_on=timezone.localdate() - dt.timedelta(days=2)
    )
    for _ in range(5):
        make_request()
    done = advance(make_request(), "reported", manager=manager)
    ServiceRequest.objects.filter(pk=done.pk).update(
        samples_received_at=timezone.now() - dt.timedelta(days=4)
    )
    client = client_for(manager)
    with django_assert_max_num_queries(12):
        r = client.get(reverse("frontend:lab-service-queue"))
    assert r.status_code == 200
    groups = dict(r.context["groups"])
    testing = groups[ServiceRequest.Status.TESTING]
    assert [sr.pk for sr in testing] == [late.pk, fresh.pk]
    assert testing[0].is_overdue and not testing[1].is_overdue
    assert len(groups[ServiceRequest.Status.SUBMITTED]) == 5
    assert r.context["overdue_count"] == 1
    assert r.context["stats"][0]["reports"] == 1


def test_lab_queue_is_404_for_a_firm_member(alice):
    assert client_for(alice).get(reverse("frontend:lab-service-queue")).status_code == 404


def test_anonymous_is_sent_to_sign_in(make_request, client):
    sr = make_request()
    r = client.get(reverse("frontend:service-request-detail", args=[sr.pk]))
    assert r.status_code == 302 and "login" in r.url


def test_order_form_takes_several_attachments(service, alice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    files = [
        SimpleUploadedFile("a.jpg", b"\xff\xd8\xff1", "image/jpeg"),
        SimpleUploadedFile("b.pdf", b"%PDF-1.4 x", "application/pdf"),
    ]
    r = client_for(alice).post(
        reverse("frontend:service-request-create", args=[service.pk]),
        {
            "sample_count": 1,
            "sample_description": "x",
            "delivery": "drop_off",
            "attachments": files,
        },
    )
    assert r.status_code == 302
    sr = ServiceRequest.objects.get()
    assert sorted(a.name for a in sr.attachments.all()) == ["a.jpg", "b.pdf"]


def test_accepting_from_the_queue_returns_to_the_queue(make_request, manager):
    sr = make_request()
    client = client_for(manager)
    assert (
        f'data-testid="queue-accept-{sr.pk}"'
        in client.get(reverse("frontend:lab-service-queue")).content.decode()
    )
    r = client.post(
        reverse("frontend:service-request-action", args=[sr.pk, "accept"]), {"back": "queue"}
    )
    assert r.status_code == 302 and r.url == reverse("frontend:lab-service-queue")
    sr.refresh_from_db()
    assert sr.status == "accepted"
