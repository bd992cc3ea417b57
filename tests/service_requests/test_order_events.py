"""A testing request's moves, the system's auto-completion included, publish order events."""

import datetime as dt

import pytest
import time_machine

from booking.models import ServiceRequest
from booking.services import service_requests as sr_services
from booking.tasks import auto_complete_service_requests
from tests.booking.test_order_events import events_fixture, moves, no_voucher_money  # noqa: F401
from tests.service_requests.conftest import advance

pytestmark = pytest.mark.django_db
S = ServiceRequest.Status


@pytest.mark.usefixtures("no_voucher_money")
def test_service_request_life_and_auto_completion_publish(
    events, service, firm_a, alice, manager, make_request
):
    sr = sr_services.service_request_create(
        actor=alice, firm=firm_a, service=service, sample_count=2,
        sample_description="PCB", voucher_ids=[5],
    )  # fmt: skip
    t0 = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)
    with time_machine.travel(t0, tick=False):
        advance(sr, "reported", manager=manager)
    with time_machine.travel(t0 + dt.timedelta(days=30), tick=False):
        assert auto_complete_service_requests.delay().get() == 1
    assert moves(events) == [
        ("", S.SUBMITTED), (S.SUBMITTED, S.ACCEPTED), (S.ACCEPTED, S.SAMPLES_RECEIVED),
        (S.SAMPLES_RECEIVED, S.TESTING), (S.TESTING, S.REPORTED), (S.REPORTED, S.COMPLETED),
    ]  # fmt: skip
    created, completed = events[0][0], events[-1][0]
    assert created.order_kind == "service_request" and created.voucher_ids == (5,)
    assert created.fee_fen == service.quote_fen(2)
    assert completed.actor_id is None and completed.fee_fen == sr.quote_fen
    assert all(inside for _, inside, _ in events)
