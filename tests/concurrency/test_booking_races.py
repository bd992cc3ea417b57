"""Invariant 1 under real concurrency: PostgreSQL, real threads, one connection each."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from booking.models import Booking
from booking.services.bookings import booking_create
from config.errors import Conflict, DomainError
from facilities.models import Blackout
from tests.factories.accounts import UserFactory, join, make_firm, make_provider, reference_data
from tests.factories.booking import at
from tests.factories.facilities import InstrumentFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]
THREADS = 50
DAY = dt.datetime.now(tz=dt.UTC).date() + dt.timedelta(days=3)


def run_together(jobs):
    """Start every job at once (barrier); collect each one's result or DomainError."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def worker(i, job):
        try:
            barrier.wait()
            results[i] = job()
        except DomainError as exc:
            results[i] = exc
        except Exception as exc:  # noqa: BLE001 — a 500-style failure is what we look for
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, j)) for i, j in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


@pytest.fixture
def setup(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    reference_data()
    provider = make_provider()
    instrument = InstrumentFactory(provider=provider, max_minutes=600)
    users = []
    for _ in range(THREADS):
        firm = make_firm()
        user = UserFactory()
        join(user, firm)
        users.append((user, firm))
    return instrument, users


def _job(user, firm, instrument, start, end):
    return lambda: booking_create(
        actor=user, firm=firm, instrument=instrument.pk, start_at=start, end_at=end, purpose="race"
    )


def assert_no_overlaps(instrument):
    live = list(
        Booking.objects.filter(instrument=instrument, status__in=Booking.LIVE)
        .order_by("start_at")
        .values_list("start_at", "end_at")
    )
    for (_s1, e1), (s2, _e2) in zip(live, live[1:], strict=False):
        assert e1 <= s2


def test_fifty_threads_same_range_make_exactly_one_booking(setup):
    instrument, users = setup
    start, end = at(DAY, 9), at(DAY, 11)
    results = run_together([_job(u, f, instrument, start, end) for u, f in users])
    won = [r for r in results if isinstance(r, Booking)]
    lost = [r for r in results if not isinstance(r, Booking)]
    assert len(won) == 1
    assert len(lost) == THREADS - 1
    assert all(isinstance(r, Conflict) and r.code == "slot_taken" for r in lost), lost[:3]
    assert Booking.objects.filter(instrument=instrument).count() == 1


def test_fifty_threads_overlapping_ranges_never_overlap(setup):
    instrument, users = setup
    jobs = []
    for i, (u, f) in enumerate(users):
        start = at(DAY, 8) + dt.timedelta(minutes=30 * (i % 16))
        jobs.append(_job(u, f, instrument, start, start + dt.timedelta(minutes=30 * (2 + i % 5))))
    results = run_together(jobs)
    failures = [r for r in results if not isinstance(r, Booking)]
    assert all(isinstance(r, Conflict) and r.code == "slot_taken" for r in failures), failures[:3]
    assert len(failures) < THREADS
    assert_no_overlaps(instrument)


def test_booking_racing_a_blackout_never_both(setup):
    from facilities.services.blackouts import blackout_create

    instrument, users = setup
    manager = UserFactory()
    join(manager, instrument.provider)
    for round_ in range(10):
        day = DAY + dt.timedelta(days=round_)
        user, firm = users[round_]
        results = run_together(
            [
                _job(user, firm, instrument, at(day, 9), at(day, 11)),
                lambda day=day: blackout_create(
                    actor=manager,
                    instrument=instrument.pk,
                    start_at=at(day, 10),
                    end_at=at(day, 12),
                ),
            ]
        )
        booked = Booking.objects.filter(instrument=instrument, start_at=at(day, 9)).exists()
        blocked = Blackout.objects.filter(instrument=instrument, start_at=at(day, 10)).exists()
        assert booked != blocked, results
        assert all(isinstance(r, Booking | Blackout | DomainError) for r in results), results


def test_api_race_answers_one_201_and_clean_409s(setup):
    from rest_framework.test import APIClient

    instrument, users = setup
    payload = {
        "instrument": instrument.pk,
        "start": at(DAY, 13).isoformat(),
        "end": at(DAY, 14).isoformat(),
        "purpose": "race via the API",
    }

    def job(user):
        def post():
            client = APIClient()
            client.force_authenticate(user)
            response = client.post("/api/v1/bookings/", payload, format="json")
            return response.status_code, response.json()

        return post

    results = run_together([job(u) for u, _f in users[:20]])
    codes = sorted(code for code, _body in results)
    assert codes == [201] + [409] * 19, results
    assert all(body["code"] == "slot_taken" for code, body in results if code == 409)
    assert Booking.objects.filter(instrument=instrument).count() == 1


def test_same_idempotency_key_raced_gives_one_booking(setup):
    from rest_framework.test import APIClient

    instrument, users = setup
    user, _firm = users[0]
    payload = {
        "instrument": instrument.pk,
        "start": at(DAY, 15).isoformat(),
        "end": at(DAY, 16).isoformat(),
        "purpose": "retry storm",
    }

    def post():
        client = APIClient()
        client.force_authenticate(user)
        r = client.post("/api/v1/bookings/", payload, format="json", HTTP_IDEMPOTENCY_KEY="same")
        return r.status_code, r.json()

    results = run_together([post for _ in range(10)])
    created = {body["id"] for code, body in results if code == 201}
    assert len(created) == 1, results
    assert all(code in (201, 409) for code, _b in results)
    assert Booking.objects.filter(instrument=instrument).count() == 1
