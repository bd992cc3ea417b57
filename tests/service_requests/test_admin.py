"""Site administrators read testing requests and their history in the admin."""

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.factories.accounts import UserFactory
from tests.service_requests.conftest import advance

pytestmark = pytest.mark.django_db


def test_admin_shows_the_request_and_its_history_read_only(make_request, manager):
    sr = advance(make_request(), "reported", manager=manager)
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = client_for(admin)
    assert client.get(reverse("admin:booking_servicerequest_changelist")).status_code == 200
    page = client.get(reverse("admin:booking_servicerequest_change", args=[sr.pk]))
    assert page.status_code == 200
    assert sr.report_number in page.content.decode()
    assert client.get(reverse("admin:booking_servicerequest_add")).status_code == 403
