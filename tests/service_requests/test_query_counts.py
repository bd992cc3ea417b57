"""Busy pages issue a fixed number of queries, however many requests they list."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import client_for
from tests.service_requests.conftest import advance

pytestmark = pytest.mark.django_db


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("name", "who"),
    [("frontend:my-service-requests", "alice"), ("frontend:lab-service-queue", "manager")],
)
def test_page_queries_do_not_grow_with_rows(make_request, manager, alice, name, who):
    client = client_for(alice if who == "alice" else manager)
    make_request()
    advance(make_request(), "reported", manager=manager)
    few = count_queries(client, reverse(name))
    for _ in range(6):
        make_request()
    for state in ("accepted", "testing", "reported"):
        advance(make_request(), state, manager=manager)
    many = count_queries(client, reverse(name))
    assert many == few
    # session, user, memberships ×2, scope, unread count, org, rows (+stats), payments
    assert many <= 10


def test_attachment_download_is_checked(make_request, alice, bob, _media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from booking.services.service_requests import service_request_create

    sr0 = make_request()
    sr = service_request_create(
        actor=alice,
        firm=sr0.firm,
        service=sr0.service,
        sample_count=1,
        sample_description="样品",
        attachments=[SimpleUploadedFile("photo.png", b"\x89PNG....", "image/png")],
    )
    attachment = sr.attachments.get()
    url = reverse("frontend:service-request-attachment", args=[sr.pk, attachment.pk])
    r = client_for(alice).get(url)
    assert r.status_code == 200 and b"".join(r.streaming_content) == b"\x89PNG...."
    assert client_for(bob).get(url).status_code == 404
    other = reverse("frontend:service-request-attachment", args=[sr0.pk, attachment.pk])
    assert client_for(alice).get(other).status_code == 404
