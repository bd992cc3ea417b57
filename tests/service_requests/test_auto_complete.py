"""Reports the firm does not confirm complete by themselves after the configured days."""

import datetime as dt

import pytest
import time_machine

from booking.models import ServiceRequest, StateChange
from booking.tasks import auto_complete_service_requests
from tests.service_requests.conftest import advance

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def reported(make_request, manager):
    with time_machine.travel(T0, tick=False):
        return advance(make_request(), "reported", manager=manager)


def test_task_is_registered_under_the_beat_name():
    from config.celery import app

    assert "booking.tasks.auto_complete_service_requests" in app.tasks
    schedule = app.conf.beat_schedule["service-requests-auto-complete"]
    assert schedule["task"] == auto_complete_service_requests.name


def test_not_completed_before_the_days_pass(reported, settings):
    settings.SERVICE_REQUEST_AUTO_COMPLETE_DAYS = 7
    with time_machine.travel(T0 + dt.timedelta(days=6, hours=23), tick=False):
        assert auto_complete_service_requests.delay().get() == 0
    reported.refresh_from_db()
    assert reported.status == ServiceRequest.Status.REPORTED


def test_completed_by_the_system_after_seven_days_once(
    reported, mailoutbox, django_capture_on_commit_callbacks
):
    with time_machine.travel(T0 + dt.timedelta(days=7, minutes=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert auto_complete_service_requests.delay().get() == 1
        assert auto_complete_service_requests.delay().get() == 0  # idempotent rerun
    reported.refresh_from_db()
    assert reported.status == ServiceRequest.Status.COMPLETED
    change = StateChange.objects.filter(service_request=reported).last()
    assert change.actor is None
    assert "automatically" in change.reason and "7" in change.reason
    assert change.at == T0 + dt.timedelta(days=7, minutes=1)
    assert StateChange.objects.filter(service_request=reported, to_status="completed").count() == 1
    assert mailoutbox[-1].to == [reported.requested_by.email]


def test_confirmed_requests_are_left_alone(reported, alice):
    from booking.services.service_requests import service_request_confirm

    service_request_confirm(actor=alice, sr=reported)
    with time_machine.travel(T0 + dt.timedelta(days=30), tick=False):
        assert auto_complete_service_requests.delay().get() == 0
    assert StateChange.objects.filter(service_request=reported, to_status="completed").count() == 1
