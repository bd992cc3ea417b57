"""Issue 14's story, in order, with a real Redis connection cut and restored: while the
cache and the broker point at a port where nothing listens, a firm member gets an API
token, searches the catalogue and books; then Redis is back, beat's sweep reaches a real
Celery worker, and the booking's notification arrives (the outbox drains).

Nothing about the failure is mocked: the platform's own django-redis cache and Celery app
(not eager, as in production) are pointed at 127.0.0.1:1 and then at the test's own Redis
database again, as tests/test_database_outage.py does for PostgreSQL.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from booking.models import Announcement, Booking, Notification
from booking.services import announcements
from config.celery import app as celery_app
from tests.factories.accounts import PASSWORD
from tests.factories.booking import at
from tests.test_celery_worker import ROOT, TIMEOUT, stop_worker

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"),
        reason="needs PostgreSQL and a Redis the platform is configured with",
    ),
]

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: refused at once


def _redis_url() -> str:
    """This test process's Redis database (config.env shifts it per xdist worker)."""
    return settings.CACHES["default"]["LOCATION"]


def _cache_at(url: str) -> dict:
    return {"default": {**settings.CACHES["default"], "LOCATION": url}}


def _broker_at(url: str) -> None:
    """The Celery app publishes to ``url`` from now on, through fresh connections (as a
    process does after a fork)."""
    celery_app.conf.broker_url = url
    celery_app.conf.task_always_eager = False
    celery_app._after_fork()


@contextlib.contextmanager
def redis_unreachable():
    live = _redis_url()
    with override_settings(CACHES=_cache_at(DEAD_REDIS)):
        _broker_at(DEAD_REDIS)
        try:
            yield
        finally:
            _broker_at(live)


@pytest.fixture
def real_celery():
    """The platform's Celery app as production runs it; eager again afterwards."""
    saved = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    _broker_at(_redis_url())
    yield
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = saved
    celery_app._after_fork()


def _test_database_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


def _start_worker(log_path) -> subprocess.Popen:
    """A worker on this test's Redis database and PostgreSQL database."""
    env = {**os.environ, "REDIS_URL": _redis_url(), "DATABASE_URL": _test_database_url(),
           "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
           "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}  # fmt: skip
    env.pop("PYTEST_XDIST_WORKER", None)  # REDIS_URL is already this worker's database
    celery = os.path.join(os.path.dirname(sys.executable), "celery")
    cmd = [celery, "-A", "config", "worker", "--pool=solo", "-Q",
           settings.CELERY_TASK_DEFAULT_QUEUE, "--loglevel=INFO"]  # fmt: skip
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log_path.open("wb"),
                            stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip


def test_a_firm_books_while_redis_is_down_and_is_notified_when_it_is_back(
    real_celery, alice, instrument, tmp_path, caplog, monkeypatch
):
    caplog.set_level(logging.WARNING)
    # An earlier test's wake-up on this worker must not swallow this one (the courier is
    # woken at most once per interval).
    monkeypatch.setattr(announcements, "_last_wake", 0.0)
    day = timezone.localdate() + dt.timedelta(days=3)
    client = APIClient()

    with redis_unreachable():
        assert caches["default"].get("anything") is None  # really the dead address
        r = client.post("/api/v1/auth/token/",
                        {"email": alice.email, "password": PASSWORD, "name": "lab PC"},
                        format="json")  # fmt: skip
        assert r.status_code in (200, 201), r.content
        client.credentials(HTTP_AUTHORIZATION=f"Token {r.json()['token']}")

        found = client.get("/api/v1/instruments/", {"q": instrument.name})
        assert found.status_code == 200, found.content
        assert instrument.pk in [i["id"] for i in found.json()["results"]]

        booked = client.post("/api/v1/bookings/", {
            "instrument": instrument.pk, "start": at(day, 9).isoformat(),
            "end": at(day, 10).isoformat(), "purpose": "XRD"}, format="json")  # fmt: skip
        assert booked.status_code == 201, booked.content
        booking = Booking.objects.get(pk=booked.json()["id"])
        # Committed, its announcement waits in the outbox: the courier could not be woken.
        assert booking.status == Booking.Status.APPROVED
        assert Announcement.objects.filter(booking=booking).exists()
        assert not Notification.objects.filter(user=alice).exists()
        # (That the failed wake-up is logged is tests/booking/test_announcements.py's; in
        # the whole suite a courier wake-up may already be on its way and skip the call.)

    # Redis is back: the cache answers again and beat's sweep reaches a worker.
    caches["default"].set("redis-is-back", 1, 30)
    assert caches["default"].get("redis-is-back") == 1
    worker = _start_worker(tmp_path / "worker.log")
    try:
        celery_app.send_task("booking.tasks.deliver_announcements")  # what beat sends
        deadline = time.monotonic() + TIMEOUT
        while Announcement.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        log = (tmp_path / "worker.log").read_text(errors="replace")
        assert not Announcement.objects.exists(), log
        assert Notification.objects.filter(user=alice, kind="booking_booked").exists(), log
    finally:
        stop_worker(worker)
    # And the token made during the outage keeps working with the cache back.
    assert client.get("/api/v1/bookings/").status_code == 200
