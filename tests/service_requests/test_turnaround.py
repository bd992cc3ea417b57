"""Turnaround statistics per service come from one aggregate query."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.scoping import Scope
from booking.models import ServiceRequest
from booking.selectors.service_requests import turnaround_stats
from tests.service_requests.conftest import advance

pytestmark = pytest.mark.django_db


def _reported(make_request, manager, *, took_days, late):
    sr = advance(make_request(), "reported", manager=manager)
    reported = timezone.now()
    ServiceRequest.objects.filter(pk=sr.pk).update(
        samples_received_at=reported - dt.timedelta(days=took_days),
        due_on=timezone.localdate() + dt.timedelta(days=-1 if late else 1),
    )
    return sr


def test_median_and_on_time_share(make_request, manager, provider, django_assert_num_queries):
    _reported(make_request, manager, took_days=2, late=False)
    _reported(make_request, manager, took_days=4, late=False)
    _reported(make_request, manager, took_days=9, late=True)
    scope = Scope.for_user(manager)
    with django_assert_num_queries(1):
        rows = turnaround_stats(scope=scope, provider_ids={provider.pk})
    assert len(rows) == 1
    row = rows[0]
    assert row["reports"] == 3
    assert row["median_days"] == 4.0
    assert row["on_time_share"] == pytest.approx(2 / 3)


def test_other_providers_stats_are_not_visible(make_request, manager, provider, other_manager):
    _reported(make_request, manager, took_days=2, late=False)
    assert turnaround_stats(scope=Scope.for_user(other_manager), provider_ids={provider.pk}) == []
