"""Tracker benchmark: usage events at scale, the dashboard's queries, reconciliation, and
what the tracker adds to a check-out.

    .venv/bin/python bench/tracker_bench.py --events 3000000          # generate + measure
    .venv/bin/python bench/tracker_bench.py --skip-generate            # measure again

Uses its own PostgreSQL database (``labshare_tracker_bench`` unless DATABASE_URL says
otherwise). Events are generated set-based (INSERT … SELECT generate_series, two uses to
one batch as DESIGN.md's 10 M bookings : 5 M requests, a growing rollout 2018–2026 over
5,000 providers and 200,000 firms in Zhejiang's 90 counties); instrument and service ids
are synthetic, which the event table allows (its references are not enforced since
migration 0010; a database generated before it had them dropped here).
The counters are then built from the events by reconciliation's own rebuild, and every
figure below is measured against them. Results go to bench/RESULTS.md by hand.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/labshare_tracker_bench"
CHUNK = 500_000


def _database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(
        f"migrate: {time.perf_counter() - t:.1f} s (an upgrade fills the new tables from the events)"
    )


def _sql(sql: str, params=None):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall() if cur.description else cur.rowcount


def _generate(events: int, providers: int, firms: int) -> None:
    from django.db import transaction

    from tracker.demo import _categories

    _categories()
    t = time.perf_counter()
    with transaction.atomic():
        for kind, n in (("provider", providers), ("firm", firms)):
            _sql(
                "INSERT INTO accounts_organisation (kind, name, region_id, is_active, created_at)"
                " SELECT %s, %s || g, c.codes[1 + g %% array_length(c.codes, 1)], true, now()"
                " FROM generate_series(1, %s) g, (SELECT array_agg(code ORDER BY code) codes"
                " FROM accounts_region WHERE level = 'county') c",
                [kind, f"bench {kind} ", n],
            )
    print(f"organisations: {time.perf_counter() - t:.1f} s")
    _sql("DROP TABLE IF EXISTS bench_p")
    _sql("CREATE TABLE bench_p AS SELECT row_number() OVER (ORDER BY id) - 1 AS i, id,"
         " region_id AS county FROM accounts_organisation WHERE kind = 'provider'"
         " AND name LIKE 'bench%%'")  # fmt: skip
    _sql("CREATE UNIQUE INDEX ON bench_p (i)")
    _sql("DROP TABLE IF EXISTS bench_f")
    _sql("CREATE TABLE bench_f AS SELECT row_number() OVER (ORDER BY id) - 1 AS i, id,"
         " region_id AS county FROM accounts_organisation WHERE kind = 'firm'"
         " AND name LIKE 'bench%%'")  # fmt: skip
    _sql("CREATE UNIQUE INDEX ON bench_f (i)")
    cats = [c for (c,) in _sql("SELECT id FROM facilities_category WHERE parent_id IS NOT NULL")]
    _sql("SELECT setseed(0.42)")
    t = time.perf_counter()
    for lo in range(1, events + 1, CHUNK):
        hi = min(events, lo + CHUNK - 1)
        with transaction.atomic():
            _sql(_EVENTS_SQL, {"lo": lo, "hi": hi, "np": providers, "nf": firms,
                               "cats": cats})  # fmt: skip
        print(f"  events {hi:,} ({time.perf_counter() - t:.0f} s)", flush=True)
    _sql("ANALYZE tracker_usageevent")
    print(f"events: {events:,} in {time.perf_counter() - t:.1f} s")


def _build_counters() -> None:
    """Every counter still empty (the migration fills the tables it adds) from the events,
    by reconciliation's set-based rebuild."""
    from tracker.counters import COUNTERS, FIRMS_SERVED_TALLIES
    from tracker.services.reconciliation import _firms_served_rebuild, _rebuild

    _sql("SET work_mem = '256MB'")  # the big GROUP BYs hash in memory instead of sorting
    for spec in COUNTERS:
        if _sql(f"SELECT EXISTS (SELECT 1 FROM {spec.table})")[0][0]:  # noqa: S608
            print(f"counter {spec.table}: already built")
            continue
        t = time.perf_counter()
        _rebuild(spec, None, None)
        rows = _sql(f"SELECT count(*) FROM {spec.table}")[0][0]  # noqa: S608
        print(f"counter {spec.table}: {rows:,} rows built in {time.perf_counter() - t:.1f} s")
    # Counted from FirmYear and FirmCityYear, so after them (as counters_rebuild does).
    t = time.perf_counter()
    _firms_served_rebuild()
    print(f"firms-served tallies: rebuilt in {time.perf_counter() - t:.1f} s")
    # As autovacuum would in time: statistics, and the visibility map that lets a count of
    # FirmYear rows be an index-only scan (the migration's tables too).
    for spec in (*COUNTERS, *FIRMS_SERVED_TALLIES):
        t = time.perf_counter()
        _sql(f"VACUUM (ANALYZE) {spec.table}")
        print(f"vacuum {spec.table}: {time.perf_counter() - t:.1f} s")


# Day of completion: sqrt(random) gives a rollout that grows over 2018-01-01 … 2026-11-30.
# Firm, provider and instrument are drawn apart (random(), not from g), so a firm is served
# by many providers in several cities and a provider's ten instruments and five services
# are all used; the firm's county is its own, not the provider's. An instrument or service
# has one category, as real ones do.
_EVENTS_SQL = """
INSERT INTO tracker_usageevent (order_kind, order_id, kind, completed_at, completed_on, month,
  provider_id, provider_county, provider_city, firm_id, firm_county, firm_city, instrument_id,
  service_id, category_id, firm_size, is_outside, minutes, samples, on_time, fee_fen,
  voucher_fen, recorded_at)
SELECT CASE WHEN b THEN 'service_request' ELSE 'booking' END, g,
  CASE WHEN b THEN 'batch' ELSE 'use' END,
  d + time '10:00' AT TIME ZONE 'Asia/Shanghai', d, date_trunc('month', d)::date,
  p.id, p.county, substr(p.county, 1, 4) || '00', f.id,
  f.county, substr(f.county, 1, 4) || '00',
  CASE WHEN b THEN NULL ELSE p.i * 10 + s.ii %% 10 END, CASE WHEN b THEN p.i * 5 + s.ii %% 5 END,
  (%(cats)s::bigint[])[1 + (CASE WHEN b THEN 7 + p.i * 5 + s.ii %% 5 ELSE p.i * 10 + s.ii %% 10 END)
                      %% array_length(%(cats)s::bigint[], 1)],
  CASE WHEN f.i %% 3 = 0 THEN 'micro' ELSE 'small' END, g %% 7 <> 0,
  CASE WHEN b THEN 0 ELSE 60 + g %% 180 END, CASE WHEN b THEN 1 + g %% 8 ELSE 0 END,
  CASE WHEN b THEN g %% 11 <> 0 END, 10000 + g %% 90000, 0, now()
FROM (SELECT g, g %% 3 = 0 AS b,
             date '2018-01-01' + floor(3255 * sqrt(random()))::int AS d,
             (g * 104729) %% %(np)s AS pi, floor(random() * %(nf)s)::int AS fi,
             floor(random() * 30)::int AS ii
      FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) g) s
JOIN bench_p p ON p.i = s.pi
JOIN bench_f f ON f.i = s.fi
"""


def _timed(label: str, fn, runs: int = 15) -> float:
    from tracker.selectors.plans import custom_plans

    # As the pages and API views read: plans made for each call's values. Without it the
    # sixth call on the connection gets PostgreSQL's generic plan (tracker/selectors/plans.py).
    fn = custom_plans()(fn)
    fn()  # warm
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    p95 = sorted(times)[max(0, int(len(times) * 0.95) - 1)]
    print(f"| {label} | {statistics.median(times):.1f} | {p95:.1f} |")
    return p95


def _reviewer(region: str):
    from accounts.models import DepartmentProfile, Membership, Organisation, User

    user, _ = User.objects.get_or_create(email=f"bench-{region}@example.cn")
    org, _ = Organisation.objects.get_or_create(kind="department", name=f"bench dept {region}",
                                                defaults={"region_id": region})  # fmt: skip
    DepartmentProfile.objects.get_or_create(organisation=org, defaults={"region_scope_id": region})
    Membership.objects.get_or_create(user=user, organisation=org, defaults={"role": "reviewer"})
    return user


def _measure(only: str | None = None) -> None:
    import datetime as dt

    from django.test import Client

    from booking.models import Booking, ServiceRequest
    from tracker.models import UsageEvent
    from tracker.selectors.filters import usage_filters_for
    from tracker.selectors.progress import target_progress_list
    from tracker.selectors.public import _summary
    from tracker.selectors.usage import (
        firms_served,
        usage_breakdown,
        usage_headline,
        usage_series,  # fmt: skip
        usage_top_items,
        usage_top_providers,
        usage_totals,
    )
    from tracker.services.reconciliation import _orphans, counters_compare

    print(f"events: {UsageEvent.objects.count():,}")
    province, city = _reviewer("330000"), _reviewer("330100")
    year = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    f = usage_filters_for(actor=province)
    fy = usage_filters_for(actor=province, start=year[0], end=year[1])
    provider = UsageEvent.objects.values_list("provider_id", flat=True).first()
    cat = UsageEvent.objects.values_list("category_id", flat=True).first()
    single = {
        "none": {},
        "kind=use": {"kind": "use"},
        "region=330100": {"region": "330100"},
        "provider": {"provider": str(provider)},
        "category": {"category": str(cat)},
        "from=2025-01&to=2025-12": {"from": "2025-01", "to": "2025-12"},
    }
    if only in (None, "queries"):
        print("| query | p50 ms | p95 ms |\n|---|---|---|")
        _timed("progress (all targets, province)", lambda: target_progress_list(actor=province))
        _timed("progress (city reviewer)", lambda: target_progress_list(actor=city))
        _timed("usage by county, one year", lambda: usage_breakdown(filters=fy, by="county"))
        _timed("usage by city, all time", lambda: usage_breakdown(filters=f, by="city"))
        _timed("top providers, one year", lambda: usage_top_providers(filters=fy))
        _timed("top instruments, one year", lambda: usage_top_items(filters=fy, kind="use"))
        _timed("by category, one year", lambda: usage_breakdown(filters=fy, by="category"))
        _timed("totals, filter provider", lambda: usage_totals(
            filters=usage_filters_for(actor=province, provider_id=provider)))  # fmt: skip
        _timed("by city, filter category", lambda: usage_breakdown(
            filters=usage_filters_for(actor=province, category_id=cat), by="city"))  # fmt: skip
        _timed("by county, filter city 330100", lambda: usage_breakdown(
            filters=usage_filters_for(actor=province, region="330100"), by="county"))  # fmt: skip
        _timed("series by month, all time", lambda: usage_series(filters=f))
        _timed(
            "headline (month/year/12 months)",
            lambda: usage_headline(filters=f, on=dt.date(2026, 11, 30)),
        )
        _timed("firms served + new, all time", lambda: firms_served(filters=f), runs=5)
        _timed("firms served + new, one year", lambda: firms_served(filters=fy), runs=5)
        _timed("firms served + new, one year, city 330100", lambda: firms_served(
            filters=usage_filters_for(actor=province, region="330100", start=year[0], end=year[1])))  # fmt: skip
        _timed("firms served + new, one year, kind use", lambda: firms_served(
            filters=usage_filters_for(actor=province, kind="use", start=year[0], end=year[1])))  # fmt: skip
        _timed("firms served + new, one year, provider", lambda: firms_served(
            filters=usage_filters_for(actor=province, provider_id=provider, start=year[0],
                                      end=year[1])))  # fmt: skip
        _timed("firms served + new, one year, category", lambda: firms_served(
            filters=usage_filters_for(actor=province, category_id=cat, start=year[0],
                                      end=year[1])))  # fmt: skip
        last12 = usage_filters_for(
            actor=province, start=dt.date(2025, 12, 1), end=dt.date(2026, 11, 30)
        )
        _timed("top providers, Dec 2025–Nov 2026 (year + edge month)",
               lambda: usage_top_providers(filters=last12))  # fmt: skip
        _timed(
            "top instruments, Dec 2025–Nov 2026",
            lambda: usage_top_items(filters=last12, kind="use"),
        )
        _timed("public summary (uncached)", _summary, runs=5)
    if only in (None, "pages"):
        client = Client()
        client.force_login(province)
        print("| request (province reviewer) | filter | p50 ms | p95 ms |\n|---|---|---|---|")
        from django.urls import reverse

        # The page takes its period as ``period`` (this year unless told; from/to only
        # with period=custom), the API as from/to.
        page = {k: v for k, v in single.items() if not k.startswith("from=")}
        page |= {"period=2025": {"period": "2025"},
                 "period=last_12_months": {"period": "last_12_months"}}  # fmt: skip
        for url, filters in (("/api/v1/tracker/progress/", single),
                             (reverse("frontend:tracker-dashboard"), page)):  # fmt: skip
            for name, params in filters.items():

                def get(url=url, params=params):
                    response = client.get(url, params)
                    assert response.status_code == 200, response.status_code

                _timed(f"GET {url} | {name}", get)
    if only in (None, "reconcile"):
        t = time.perf_counter()
        counters, buckets = counters_compare(None, None, "default")
        counters_s = time.perf_counter() - t
        t = time.perf_counter()
        orphans = sum(_orphans(m, k, None, None, "default").count()
                      for k, m in (("booking", Booking), ("service_request", ServiceRequest)))  # fmt: skip
        orders_s = time.perf_counter() - t
        print(
            f"reconciliation, counters vs events per month (every table, all time): "
            f"{counters_s:.1f} s, {sum(counters.values())} differences"
        )
        print(
            f"reconciliation, events vs orders anti-join: {orders_s:.1f} s ({orphans:,} orphans:"
            " the bench has events without orders)"
        )


def _checkout_overhead(n: int, rounds: int = 5) -> None:
    """Check-outs through the real service with and without the tracker subscribed."""
    import datetime as dt

    # A rerun on the same database: the factories' sequences start at 0 again, and the
    # last run's e-mail addresses and credit codes are taken.
    import factory
    from celery import current_app
    from django.utils import timezone

    from booking.order_events import order_events_subscribe, order_events_unsubscribe
    from booking.services import bookings as booking_services
    from tests.factories import accounts, booking, facilities
    from tests.factories.accounts import make_firm, make_provider, member_of
    from tests.factories.booking import BookingFactory
    from tests.factories.facilities import InstrumentFactory
    from tracker.services.fold import counters_fold_all
    from tracker.services.usage import on_order_event
    from tracker.usage_trigger import TRIGGERS

    # As in production: a completion queues its event for the fold task (a message to the
    # broker, at most one a second) instead of folding inline as eager Celery does.
    current_app.conf.task_always_eager = False
    counters_fold_all()
    # The generated events took order ids 1 … N: new bookings start above them, or most
    # check-outs would find "their" event there and insert nothing.
    _sql(
        "SELECT setval(pg_get_serial_sequence('booking_booking', 'id'),"
        " GREATEST((SELECT MAX(order_id) FROM tracker_usageevent), (SELECT last_value"
        " FROM booking_booking_id_seq)))"
    )
    start = time.time_ns() // 1000 % 10**9
    for module in (accounts, booking, facilities):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, factory.django.DjangoModelFactory):
                value.reset_sequence(start)
    provider = make_provider()
    manager = member_of(provider)
    firm = make_firm()
    booker = member_of(firm)

    def batch(count: int) -> list:
        inst = InstrumentFactory(provider=provider)
        start = timezone.now() - dt.timedelta(days=400)
        rows = []
        for i in range(count):
            s = start + dt.timedelta(hours=2 * i)
            b = BookingFactory(instrument=inst, firm=firm, booked_by=booker, start_at=s,
                               end_at=s + dt.timedelta(hours=1))  # fmt: skip
            booking_services.booking_check_in(actor=manager, booking=b, actual_start_at=s)
            rows.append(b)
        return rows

    def backend_cpu() -> float:
        """CPU seconds this connection's PostgreSQL backend has used (same machine)."""
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def run(rows, cpu: list) -> float:
        db, app = backend_cpu(), time.process_time()
        t = time.perf_counter()
        for b in rows:
            booking_services.booking_check_out(actor=manager, booking=b,
                                               actual_end_at=b.start_at + dt.timedelta(minutes=50))  # fmt: skip
        # The folded counters' share: what the fold task spends on these completions,
        # timed here as part of them (with the tracker unsubscribed it folds nothing).
        f = time.perf_counter()
        counters_fold_all()
        folds.append((time.perf_counter() - f) * 1000 / len(rows))
        elapsed = (time.perf_counter() - t) * 1000 / len(rows)
        used = time.process_time() - app + backend_cpu() - db
        cpu.append(used * 1000 / len(rows))
        return elapsed

    folds: list[float] = []

    inside = {"wall": 0.0, "calls": 1e-9}

    def timed_subscriber(event):
        t = time.perf_counter()
        on_order_event(event)
        # Per completion: the check-ins of the next batch reach the subscriber too, and
        # counting them (session 8) halved the figure.
        if event.to_status == "completed":
            inside["wall"] += time.perf_counter() - t
            inside["calls"] += 1

    results = {"with": [], "without": []}
    cpu = {"with": [], "without": []}

    def tracker(on: bool) -> None:
        """The tracker on or off: its subscriber, and its completion triggers (which write
        the event at COMMIT, tracker.usage_trigger)."""
        if on:
            order_events_subscribe("tracker.usage", timed_subscriber)
        else:
            order_events_unsubscribe("tracker.usage")
        for table, name in TRIGGERS.values():
            _sql(f"ALTER TABLE {table} {'ENABLE' if on else 'DISABLE'} TRIGGER {name}")

    for _ in range(rounds):  # alternate, so the machine's load is shared fairly
        without = batch(n)
        tracker(False)
        results["without"].append(run(without, cpu["without"]))
        with_ = batch(n)
        tracker(not os.environ.get("BENCH_AA"))  # BENCH_AA=1: both arms without (the bias)
        results["with"].append(run(with_, cpu["with"]))
    tracker(True)
    w, wo = statistics.median(results["with"]), statistics.median(results["without"])
    cw, cwo = statistics.median(cpu["with"]), statistics.median(cpu["without"])
    print(
        f"check-out, median of {rounds} alternating rounds × {n}:\n"
        f"  wall {wo:.2f} ms without the tracker, {w:.2f} ms with ({(w / wo - 1) * 100:+.1f}%)\n"
        f"  CPU (app + PostgreSQL backend) {cwo:.2f} ms without, {cw:.2f} ms with"
        f" ({(cw / cwo - 1) * 100:+.1f}%)\n"
        f"  inside the tracker's subscriber {inside['wall'] * 1000 / inside['calls']:.3f} ms wall"
        f" per completion ({(inside['wall'] * 1000 / inside['calls']) / wo * 100:.1f}% of a"
        " check-out without it); the fold"
        f" {statistics.median(folds[1::2]):.3f} ms wall per completion\n"
        f"  rounds wall without {[round(x, 2) for x in results['without']]},"
        f" with {[round(x, 2) for x in results['with']]}\n"
        # Each round's with against its own without (run back to back): a slow moment of
        # the machine falls on one pair, not on one side of the medians.
        f"  paired: median of the rounds' with/without"
        f" {(statistics.median(a / b for a, b in zip(results['with'], results['without'], strict=True)) - 1) * 100:+.1f}%"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=3_000_000)
    parser.add_argument("--providers", type=int, default=5_000)
    parser.add_argument("--firms", type=int, default=200_000)
    parser.add_argument("--skip-generate", action="store_true")
    parser.add_argument("--checkouts", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5, help="check-out: alternating rounds")
    parser.add_argument(
        "--only",
        choices=["events", "counters", "measure", "queries", "pages", "reconcile", "checkout"],
        help="one step (generate under `cpu shared`, time under `cpu bench`)",
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_DB)
    _database(url)
    _setup(url)
    from tracker.models import UsageEvent

    steps = {args.only} if args.only else {"events", "counters", "measure", "checkout"}
    if args.skip_generate:
        steps -= {"events", "counters"}
    if "events" in steps and not UsageEvent.objects.exists():
        _generate(args.events, args.providers, args.firms)
    if "counters" in steps:
        _build_counters()
    if steps & {"measure", "queries", "pages", "reconcile"}:
        _measure(None if "measure" in steps else args.only)
    if "checkout" in steps:
        _checkout_overhead(args.checkouts, args.rounds)


if __name__ == "__main__":
    main()
