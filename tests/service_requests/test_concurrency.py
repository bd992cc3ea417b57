"""Two lab managers accepting the same request at the same moment: one wins, one gets 409."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from booking.models import ServiceRequest, StateChange
from tests.factories.accounts import UserFactory, join


@pytest.mark.django_db(transaction=True)
def test_two_managers_accepting_at_once_yield_one_transition_and_one_409(
    make_request, provider, manager
):
    if connection.vendor != "postgresql":
        pytest.skip("needs real concurrent connections")
    second = UserFactory(email="second-manager@example.cn")
    join(second, provider)
    sr = make_request()
    barrier = threading.Barrier(2)
    results: list[int] = []

    def accept(user):
        client = APIClient()
        client.force_authenticate(user)
        barrier.wait()
        try:
            response = client.post(f"/api/v1/service-requests/{sr.pk}/accept/", {}, format="json")
            results.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(u,)) for u in (manager, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200, 409]
    assert ServiceRequest.objects.get(pk=sr.pk).status == "accepted"
    assert StateChange.objects.filter(service_request=sr, to_status="accepted").count() == 1
