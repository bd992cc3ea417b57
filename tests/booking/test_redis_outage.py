"""With Redis unreachable the API degrades instead of going down: token sign-in, token
authentication, throttling and the catalogue's cache fall back, bookings commit, and a
task that cannot be queued is logged, not turned into a 500 after the commit."""

from __future__ import annotations

import time

import pytest
from celery import Celery
from django.core.cache import caches
from rest_framework.test import APIClient

from booking.models import Announcement, Booking, Notification
from config.queueing import enqueue
from tests.booking.conftest import DAY
from tests.factories.accounts import PASSWORD
from tests.factories.booking import at

pytestmark = pytest.mark.django_db

# Nothing listens on port 1: every connection is refused at once.
DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
        }
    }
    # The throttles count in Redis too: give them a real rate to count against.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "5/min", "user": "5/min", "token_obtain": "5/min"},
    }
    assert caches["default"].get("anything") is None  # really the dead one


def test_token_sign_in_search_and_booking_work_without_redis(
    redis_down, frozen, alice, instrument, django_capture_on_commit_callbacks
):
    anonymous = APIClient()
    r = anonymous.post("/api/v1/auth/token/",
                       {"email": alice.email, "password": PASSWORD, "name": "lab PC"},
                       format="json")  # fmt: skip
    assert r.status_code in (200, 201), r.content
    key = r.json()["token"]

    client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    for _ in range(7):  # beyond the 5/min rate: counters unreachable = allowed
        assert client.get("/api/v1/instruments/", {"q": instrument.name}).status_code == 200
    assert client.get(f"/api/v1/instruments/{instrument.pk}/").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/api/v1/bookings/", {
            "instrument": instrument.pk, "start": at(DAY, 9).isoformat(),
            "end": at(DAY, 10).isoformat(), "purpose": "XRD"}, format="json")  # fmt: skip
    assert r.status_code == 201, r.content
    booking = Booking.objects.get(pk=r.json()["id"])
    assert booking.status == Booking.Status.APPROVED
    # The outbox delivered it (inline: Celery is eager in tests; in production the beat's
    # sweep delivers what a failed wake-up left once Redis is back).
    assert not Announcement.objects.filter(booking=booking).exists()
    assert Notification.objects.filter(user=alice).exists()


def test_catalogue_pages_render_uncached_without_redis(redis_down, client, instrument):
    assert client.get("/instruments/").status_code == 200
    assert client.get(f"/instruments/{instrument.pk}/").status_code == 200


def test_a_task_that_cannot_be_queued_is_logged_not_raised(caplog):
    # Not the current app: the project's own tasks must keep resolving to config.celery.
    app = Celery("outage", broker=DEAD_REDIS, set_as_current=False)
    app.conf.broker_transport_options = {"socket_connect_timeout": 0.5, "socket_timeout": 1}
    app.conf.task_publish_retry_policy = {"max_retries": 1, "interval_start": 0}

    @app.task(name="outage.ping")
    def ping():
        return "pong"

    started = time.monotonic()
    assert enqueue(ping) is False
    assert time.monotonic() - started < 5
    assert "not queued" in caplog.text
