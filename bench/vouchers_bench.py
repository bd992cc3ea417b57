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
import tempfile
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
    return people, hot, programme


def slots(start_day: int):
    from django.utils import timezone

    tz = timezone.get_default_timezone()
    for d in range(start_day, start_day + 55):
        day = timezone.localdate() + dt.timedelta(days=d)
        for hour in range(8, 20):
            start = dt.datetime.combine(day, dt.time(hour), tzinfo=tz)
            yield start, start + dt.timedelta(hours=1)


BULK_SQL = [
    # 5 vouchers for each generated firm (200,000 at national scale: 1,000,000 vouchers) …
    """INSERT INTO vouchers_voucher (firm_id, programme_id, application_id, code, face_fen,
           available_fen, held_fen, captured_fen, expired_fen, issued_at, expires_at)
       SELECT f.id, %(programme)s, NULL, 'BK-' || f.id || '-' || g, 10000000, 9999900, 100, 0, 0,
              now() - (f.id %% 300) * interval '1 day', now() + (g * 60) * interval '1 day'
         FROM (SELECT id FROM accounts_organisation WHERE kind = 'firm'
                AND NOT EXISTS (SELECT 1 FROM vouchers_voucher v WHERE v.firm_id = accounts_organisation.id)
                ORDER BY id LIMIT %(firms)s) f
        CROSS JOIN generate_series(1, 5) g""",
    # … each with ten ledger entries (issue, four holds released, one hold still held):
    # 10,000,000 entries whose sums equal the rows above.
    """INSERT INTO vouchers_ledgerentry (voucher_id, kind, amount_fen, order_kind, order_id,
           programme_version_id, actor_id, note, at)
       SELECT v.id, e.kind, CASE WHEN e.kind = 'issue' THEN v.face_fen ELSE 100 END, e.ok,
              CASE WHEN e.kind = 'issue' THEN NULL ELSE -e.oid END, %(version)s, NULL, '',
              v.issued_at + e.n * interval '1 hour'
         FROM vouchers_voucher v CROSS JOIN (VALUES
              (0, 'issue', '', 0), (1, 'hold', 'booking', 1), (2, 'release', 'booking', 1),
              (3, 'hold', 'booking', 2), (4, 'release', 'booking', 2), (5, 'hold', 'booking', 3),
              (6, 'release', 'booking', 3), (7, 'hold', 'booking', 4), (8, 'release', 'booking', 4),
              (9, 'hold', 'booking', 5)) e(n, kind, ok, oid)
        WHERE v.programme_id = %(programme)s AND v.code LIKE 'BK-%%'""",
    "ANALYZE vouchers_voucher",
    "ANALYZE vouchers_ledgerentry",
]


def bulk(programme, firms: int) -> None:
    """Add ``firms`` × 5 vouchers and 10 ledger entries each, set-based (seconds printed)."""
    from django.db import connection, transaction

    for sql in BULK_SQL:
        t = time.perf_counter()
        with transaction.atomic(), connection.cursor() as c:
            c.execute(sql, {"programme": programme.pk, "version": programme.current_version_id,
                            "firms": firms})  # fmt: skip
            n = c.rowcount
        print(f"  {sql.split()[0]} {sql.split()[2] if sql.startswith('INSERT') else sql.split()[1]}: "
              f"{n:,} rows in {time.perf_counter() - t:.1f} s", flush=True)  # fmt: skip


def wallet_latency(user, samples: int) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    times = []
    for _ in range(samples):
        t = time.perf_counter()
        assert client.get("/vouchers/").status_code == 200
        times.append(time.perf_counter() - t)
    return f"wallet page /vouchers/ (20 vouchers): p50 {pct(times, 0.5):.1f} ms, p95 {pct(times, 0.95):.1f} ms"


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


STATE = Path(tempfile.gettempdir()) / "vouchers_bench_state.json"


def _save(people, hot) -> None:
    import json

    STATE.write_text(json.dumps({"people": [[u.pk, f.pk, [v.pk for v in vs], i1.pk, i2.pk]
                                            for u, f, vs, i1, i2 in people], "hot": hot.pk}))  # fmt: skip


def _load():
    import json

    import django

    django.setup()
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from accounts.models import Organisation, User
    from facilities.models import Instrument
    from vouchers.models import Voucher

    state = json.loads(STATE.read_text())
    people = [(User.objects.get(pk=u), Organisation.objects.get(pk=f),
               list(Voucher.objects.filter(pk__in=vs).order_by("pk")),
               Instrument.objects.get(pk=i1), Instrument.objects.get(pk=i2))
              for u, f, vs, i1, i2 in state["people"]]  # fmt: skip
    return people, Voucher.objects.get(pk=state["hot"])


def main() -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--threads", type=int, default=32)
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--samples", type=int, default=200)
    p.add_argument(
        "--bulk-firms",
        type=int,
        default=0,
        help="add 5 vouchers × 10 ledger entries for this many firms without any",
    )
    p.add_argument("--phase", choices=["setup", "measure", "all"], default="all",
                   help="setup: fixtures and bulk (run under cpu shared); measure: time the"
                        " fixtures of the last setup (run under cpu bench)")  # fmt: skip
    args = p.parse_args()
    if args.phase in ("setup", "all"):
        people, hot, programme = setup(args.threads)
        if args.bulk_firms:
            bulk(programme, args.bulk_firms)
        _save(people, hot)
        if args.phase == "setup":
            print(proof())
            return 0
    else:
        people, hot = _load()
    print(voucher_list_latency(people[0][0], args.samples))
    print(wallet_latency(people[0][0], args.samples))
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
