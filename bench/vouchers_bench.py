"""Vouchers, in process (no HTTP server): GET /api/v1/vouchers/ latency, booking creation
with a voucher against without one under N threads, and N threads spending one hot
voucher; then the proof: no negative balance, every voucher row equal to its ledger.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/labshare_bench_vouchers \
        .venv/bin/python bench/vouchers_bench.py --threads 32 --seconds 10

It migrates and fills an empty database of its own (drop it to start again). The figures
are a same-run comparison (with vs without a voucher), not the gunicorn figures of
bench/booking_load.py; see bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/labshare_bench_vouchers")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")


def setup(threads: int):
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.utils import timezone

    from tests.factories.accounts import (
        make_firm,
        make_provider,
        make_reviewer,
        member_of,
        reference_data,
    )
    from tests.factories.facilities import InstrumentFactory
    from vouchers.services import issuing, programmes

    reference_data()
    reviewer = make_reviewer("330000")
    dept = reviewer.memberships.get().organisation
    today = timezone.localdate()
    rules = {"tiers": [{"up_to_fen": None, "ratio_bp": 5000}], "voucher_valid_days": 365}
    programme = programmes.programme_create(
        actor=reviewer, issuer_id=dept.pk, region_code="330000", kind="innovation", name="bench",
        budget_fen=10**13, valid_from=today, valid_to=today + dt.timedelta(days=400), rules=rules,
    )  # fmt: skip
    programmes.programme_publish(actor=reviewer, programme_id=programme.pk)
    provider = make_provider()
    people = []
    for _ in range(threads):
        firm = make_firm()
        user = member_of(firm)
        vouchers = [issuing.voucher_issue(actor=reviewer, programme_id=programme.pk, firm_id=firm.pk,
                                          amount_fen=10**9) for _ in range(20)]  # fmt: skip
        people.append((user, firm, vouchers, InstrumentFactory(provider=provider, max_minutes=600),
                       InstrumentFactory(provider=provider, max_minutes=600)))  # fmt: skip
    hot = issuing.voucher_issue(actor=reviewer, programme_id=programme.pk, firm_id=people[0][1].pk,
                                amount_fen=10**9)  # fmt: skip
    return people, hot


def slots(start_day: int):
    from django.utils import timezone

    tz = timezone.get_default_timezone()
    for d in range(start_day, start_day + 55):
        day = timezone.localdate() + dt.timedelta(days=d)
        for hour in range(8, 20):
            start = dt.datetime.combine(day, dt.time(hour), tzinfo=tz)
            yield start, start + dt.timedelta(hours=1)


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] * 1000


def voucher_list_latency(user, samples: int) -> str:
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    times = []
    for _ in range(samples):
        t = time.perf_counter()
        assert client.get("/api/v1/vouchers/").status_code == 200
        times.append(time.perf_counter() - t)
    return f"GET /api/v1/vouchers/ (20 vouchers): p50 {pct(times, 0.5):.1f} ms, p95 {pct(times, 0.95):.1f} ms"


def run_threads(jobs, seconds: float) -> tuple[int, dict[str, int]]:
    """Each job is called repeatedly until ``seconds`` pass; count successes and errors."""
    from django.db import connections

    from config.errors import DomainError

    done, errors, lock = [0], {}, threading.Lock()
    stop = time.perf_counter() + seconds
    barrier = threading.Barrier(len(jobs))

    def worker(job):
        barrier.wait()
        try:
            while time.perf_counter() < stop:
                try:
                    job()
                    with lock:
                        done[0] += 1
                except (DomainError, StopIteration) as exc:
                    with lock:
                        key = getattr(exc, "code", "slots_used_up")
                        errors[key] = errors.get(key, 0) + 1
                    if isinstance(exc, StopIteration):
                        return
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(j,)) for j in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done[0], errors


def booking_job(user, firm, instrument, voucher_ids, start_day):
    from booking.services.bookings import booking_create

    it = slots(start_day)

    def job():
        start, end = next(it)
        booking_create(actor=user, firm=firm, instrument=instrument, start_at=start, end_at=end,
                       purpose="bench", voucher_ids=voucher_ids)  # fmt: skip

    return job


def proof() -> str:
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM vouchers_voucher WHERE least(available_fen, held_fen,"
                  " captured_fen, expired_fen) < 0")  # fmt: skip
        negative = c.fetchone()[0]
        c.execute("""
            SELECT count(*) FROM vouchers_voucher v LEFT JOIN (
              SELECT voucher_id,
                sum(CASE WHEN kind='hold' THEN amount_fen WHEN kind IN ('release','capture') THEN -amount_fen
                    ELSE 0 END) AS held
              FROM vouchers_ledgerentry GROUP BY voucher_id) l ON l.voucher_id = v.id
            WHERE v.held_fen <> coalesce(l.held, 0)""")  # fmt: skip
        mismatched = c.fetchone()[0]
        c.execute("SELECT count(*) FROM vouchers_ledgerentry")
        entries = c.fetchone()[0]
    return f"negative balances: {negative}; vouchers whose held ≠ ledger: {mismatched}; ledger entries: {entries}"


def main() -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--threads", type=int, default=32)
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--samples", type=int, default=200)
    args = p.parse_args()
    people, hot = setup(args.threads)
    print(voucher_list_latency(people[0][0], args.samples))
    without = [booking_job(u, f, i1, [], 3) for u, f, _v, i1, _i2 in people]
    n, errors = run_threads(without, args.seconds)
    base = n / args.seconds
    print(f"booking without a voucher, {args.threads} threads: {base:.0f}/s {errors or ''}")
    with_voucher = [booking_job(u, f, i2, [v[0].pk], 3) for u, f, v, _i1, i2 in people]
    n, errors = run_threads(with_voucher, args.seconds)
    rate = n / args.seconds
    print(
        f"booking with a voucher, {args.threads} threads: {rate:.0f}/s ({rate / base:.2f}x) {errors or ''}"
    )
    user, firm, _v, i1, _i2 = people[0]
    from tests.factories.facilities import InstrumentFactory

    hot_jobs = [booking_job(user, firm, InstrumentFactory(provider=i1.provider, max_minutes=600), [hot.pk], 3)
                for _ in range(args.threads)]  # fmt: skip
    n, errors = run_threads(hot_jobs, args.seconds)
    print(f"one hot voucher, {args.threads} threads: {n / args.seconds:.0f}/s {errors or ''}")
    print(proof())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
