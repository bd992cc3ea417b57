"""booking_create: POST /api/v1/bookings/ under 32 concurrent clients, beside a bare DRF
insert endpoint and a raw SQL insert loop on the same table, then a proof of no overlap, then
how fast one courier delivers the notifications those bookings queued."""

from __future__ import annotations

import datetime as dt
import os
import random
import tempfile
import threading
import time

import psycopg

from bench import fixtures
from bench.load import wrk
from bench.server import Server, free_port, gunicorn
from bench.sqlutil import _unknown_required, rows, scalar

BARE_PORTS = (8106, 8108)
LIVE = ("requested", "approved", "checked_in")


def _candidate_slots(instruments: list[int]) -> list[tuple[int, dt.datetime, dt.datetime]]:
    """One-hour slots 09:00–19:00 local, Monday–Saturday, 3–80 days ahead (inside the
    generated opening hours, lead time and 90-day horizon), minus any live booking."""
    from bench.benchmarks import SHANGHAI

    today = dt.datetime.now(SHANGHAI).replace(hour=0, minute=0, second=0, microsecond=0)
    slots = []
    for d in range(3, 81):
        day = today + dt.timedelta(days=d)
        if day.weekday() == 6:
            continue
        for hour in range(9, 19):
            start = day.replace(hour=hour)
            slots.extend((pk, start, start + dt.timedelta(hours=1)) for pk in instruments)
    taken = {}
    for pk, s, e in rows(
        "SELECT instrument_id, start_at, end_at FROM booking_booking WHERE instrument_id = ANY(%s)"
        " AND status = ANY(%s) AND end_at > now()",
        [instruments, list(LIVE)],
    ):
        taken.setdefault(pk, []).append((s, e))
    free = [x for x in slots if not any(s < x[2] and x[1] < e for s, e in taken.get(x[0], ()))]
    random.Random(time.time_ns()).shuffle(
        free
    )  # a fresh order each run: earlier runs' slots are taken
    return free


def _slot_file(slots) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as f:
        for pk, s, e in slots:
            f.write(f"{pk}\t{s.isoformat()}\t{e.isoformat()}\n")
    return f.name


def _token_file(users) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as f:
        for u in users:
            f.write(f"{u.token}\t{u.firm_id}\n")
    return f.name


def _wrk_bookings(server: Server, path: str, slots, tokens: str, ctx, seconds: int) -> dict:
    slot_path = _slot_file(slots)
    try:
        env = {"BENCH_SLOTS": slot_path, "BENCH_TOKENS": tokens, "BENCH_PATH": path}
        return wrk(
            server.base, "post_bookings.lua", seconds=seconds, connections=ctx.args.clients, env=env
        )
    finally:
        os.unlink(slot_path)


def _http_phase(server: Server, path: str, slots, tokens: str, ctx) -> dict:
    """Two seconds of warm-up on slots of its own (each gunicorn thread opens its database
    connection and fills its caches), then the measured run with its CPU time."""
    warm, measured = slots[-3000:], slots[:-3000]
    _wrk_bookings(server, path, warm, tokens, ctx, 2)
    meter = ctx.meter(server)
    result = _wrk_bookings(server, path, measured, tokens, ctx, ctx.args.duration)
    result["cpu_ms"] = meter.stop() * 1000 / max(1, result["requests"])
    result["db_cpu_ms"] = meter.db_seconds * 1000 / max(1, result["requests"])
    print(f"    of which PostgreSQL backends {result['db_cpu_ms']:.1f} ms/request", flush=True)
    return result


def _raw_sql_phase(url: str, slots, users, seconds: int, clients: int) -> dict:
    """``clients`` threads, each on its own connection inserting one row per transaction."""
    known = {
        "instrument_id": "%s", "firm_id": "%s", "booked_by_id": "%s", "start_at": "%s",
        "end_at": "%s", "purpose": "'bench raw'", "status": "'requested'",
        "client_group": "'external_firm'", "rate_per_hour_fen": "0", "quote_fen": "0",
        "created_at": "now()", "updated_at": "now()",
    }  # fmt: skip
    extra = _unknown_required("booking_booking", set(known))
    cols = [*known, *(c for c, _ in extra)]
    vals = [*known.values(), *(v for _, v in extra)]
    sql = f"INSERT INTO booking_booking ({', '.join(cols)}) VALUES ({', '.join(vals)})"
    counts = {"201": 0, "409": 0}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(t: int) -> None:
        ok = bad = 0
        with psycopg.connect(url, autocommit=True) as conn:
            for i in range(t, len(slots), clients):
                if time.monotonic() >= deadline:
                    break
                pk, s, e = slots[i]
                u = users[i % len(users)]
                try:
                    conn.execute(sql, [pk, u.firm_id, u.user_id, s, e])
                    ok += 1
                except psycopg.errors.ExclusionViolation:
                    bad += 1
        with lock:
            counts["201"] += ok
            counts["409"] += bad

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(t,)) for t in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.monotonic() - started
    done = counts["201"] + counts["409"]
    return {"requests": done, "seconds": elapsed, "rate": done / elapsed, "statuses": counts}


def overlaps_since(first_id: int) -> int:
    """Pairs of live bookings of one instrument that overlap, at least one made in this run."""
    return scalar(
        "SELECT count(*) FROM booking_booking a JOIN booking_booking b"
        " ON b.instrument_id = a.instrument_id AND b.id <> a.id"
        " AND b.start_at < a.end_at AND a.start_at < b.end_at"
        " WHERE a.id > %s AND a.status = ANY(%s) AND b.status = ANY(%s)",
        [first_id, list(LIVE), list(LIVE)],
    )


def _created(result: dict) -> float:
    return result["statuses"].get("201", 0) / result["seconds"]


def _http_phases(ctx, api_slots, bare_slots) -> tuple[dict, dict]:
    """The real endpoint on the running app, then the bare one on a bench-only gunicorn."""
    tokens = _token_file(ctx.users)
    try:
        api = _http_phase(ctx.server, "/api/v1/bookings/", api_slots, tokens, ctx)
        ctx.record_load("booking_create API POST /api/v1/bookings/", api)
        with gunicorn(ctx.url, port=free_port(BARE_PORTS), workers=ctx.args.workers, threads=ctx.args.threads,
                      settings="bench.settings") as bare_server:  # fmt: skip
            bare = _http_phase(bare_server, "/bench/bare-bookings/", bare_slots, tokens, ctx)
        ctx.record_load("booking_create bare DRF insert endpoint", bare)
    finally:
        os.unlink(tokens)
    return api, bare


def _report_ratios(ctx, api: dict, bare: dict, raw: dict) -> None:
    a, b, r = _created(api), _created(bare), _created(raw)
    ctx.results["booking_create ratios"] = {
        "api_per_s": a,
        "bare_per_s": b,
        "raw_per_s": r,
        "api/bare": a / b,
        "api/raw": a / r,
        "bare/raw": b / r,
    }
    print(f"  created/s: API {a:.0f} · bare DRF {b:.0f} · raw SQL {r:.0f}"
          f" → API/bare {a / b:.2f} · API/raw {a / r:.2f} · bare/raw {b / r:.2f}")  # fmt: skip


COURIER_SECONDS = 10


def _courier_phase(seconds: float) -> dict:
    """Drain the booking outbox the API phase filled with one in-process courier, for up to
    ``seconds``: the managers' in-app notifications written, and their e-mails rendered with
    the .ics attachment and sent to Django's in-memory outbox (Celery eager here, so the
    e-mail work is counted rather than queued to a broker nobody reads in the bench)."""
    from django.core import mail
    from django.test.utils import override_settings

    from booking.models import Announcement
    from booking.services.announcements import announcements_deliver
    from config.celery import app

    queued = Announcement.objects.count()
    eager, app.conf.task_always_eager = app.conf.task_always_eager, True
    delivered, started = 0, time.perf_counter()
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            while time.perf_counter() - started < seconds:
                n = announcements_deliver()
                if not n:
                    break
                delivered += n
                mail.outbox = []  # keep memory flat; the e-mails were built and "sent"
    finally:
        app.conf.task_always_eager = eager
    elapsed = time.perf_counter() - started
    return {"queued": queued, "delivered": delivered, "seconds": elapsed,
            "rate": delivered / elapsed if elapsed else 0.0}  # fmt: skip


def booking_create(ctx) -> None:
    clients, seconds = ctx.args.clients, ctx.args.duration
    slots = _candidate_slots(
        fixtures.random_instruments(1000, bookable_only=True, seed=time.time_ns())
    )
    third = len(slots) // 3  # disjoint thirds: no phase asks for another's slots
    print(
        f"  {len(slots):,} free one-hour slots prepared; wrk, {clients} connections, {seconds} s each",
        flush=True,
    )
    first_id = scalar("SELECT coalesce(max(id), 0) FROM booking_booking")
    api, bare = _http_phases(ctx, slots[:third], slots[third : 2 * third])
    raw = _raw_sql_phase(ctx.url, slots[2 * third :], ctx.users, seconds, clients)
    print(
        f"  booking_create raw SQL inserts ({clients} connections): {raw['rate']:.0f} rows/s {raw['statuses']}"
    )
    ctx.results["booking_create raw SQL"] = raw
    _report_ratios(ctx, api, bare, raw)
    n = overlaps_since(first_id)
    ctx.results["booking_create overlaps"] = n
    made = scalar("SELECT count(*) FROM booking_booking WHERE id > %s", [first_id])
    print(
        f"  overlap check (self-join over the {made:,} bookings made in this run): {n} overlapping pairs"
    )
    courier = _courier_phase(COURIER_SECONDS)
    ctx.results["booking_create courier"] = courier
    print(
        f"  courier (one process): {courier['delivered']:,} of {courier['queued']:,} queued"
        f" announcements delivered in {courier['seconds']:.1f} s: {courier['rate']:.0f}/s"
        " (notifications + e-mails with .ics)"
    )
