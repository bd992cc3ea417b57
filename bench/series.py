"""A 52-week recurring series: preview and book it through the API, in-process (Django's full
middleware stack, as gunicorn calls it), on the data set ``bench/run.py`` generated.

    .venv/bin/python bench/run.py --scale zhejiang --generate-only
    .venv/bin/python bench/series.py --scale zhejiang -n 20

Targets (issue 16): a 52-week series previews in ≤ 200 ms and books in ≤ 1 s. Each round
takes a different bookable instrument, a firm member of the generated firms, and a weekly
09:00–11:00 series of 52 occurrences starting next week; the generated bookings reach about
two months ahead, so the first weeks clash (the preview marks them) and "book the free
ones" books the rest: ~45 occurrences per series, each through the one create path.
The chosen instruments' horizon is widened to 400 days first (generated instruments open
60–90 days ahead, which would refuse most of a year at the horizon rule).

``--prewarm`` first reads the booking table and its indexes into the operating system's
cache (pg_prewarm, mode ``read``), as on a server whose database fits in memory; without
it, each round's instrument is read from disk the first time (the worst case, on a cache
other databases have just churned).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import default_url  # noqa: E402
from bench.server import server_env  # noqa: E402

WEEKS = 52


def _pick_instruments(n: int) -> list[int]:
    from booking.models import BookingSeries
    from facilities.models import Instrument

    # Instruments no earlier run of this bench booked a series on, so every run is alike.
    ids = list(
        Instrument.objects.exclude(pk__in=BookingSeries.objects.values("instrument_id")).filter(
            status=Instrument.Status.ACTIVE, is_shared=True, requires_training=False,
            min_minutes__lte=120, max_minutes__gte=120, slot_minutes__in=[15, 30, 60],
        ).order_by("?").values_list("pk", flat=True)[:n]
    )  # fmt: skip
    Instrument.objects.filter(pk__in=ids).update(horizon_days=400, lead_minutes=0)
    return ids


def _prewarm() -> str:
    """Read booking_booking and every index of it into the OS page cache."""
    from django.db import connection

    t0 = time.perf_counter()
    with connection.cursor() as c:
        c.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        c.execute(
            "SELECT sum(pg_prewarm(oid, 'read')) FROM pg_class WHERE oid = 'booking_booking'::regclass"
            " OR oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = 'booking_booking'::regclass)"
        )
        blocks = c.fetchone()[0]
    return f"prewarmed {blocks:,} blocks of bookings in {time.perf_counter() - t0:.1f} s"


def _summary(name: str, times: list[float]) -> str:
    ms = sorted(t * 1000 for t in times)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    return (f"{name}: n={len(ms)} median {statistics.median(ms):.0f} ms, p95 {p95:.0f} ms,"
            f" max {ms[-1]:.0f} ms")  # fmt: skip


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="zhejiang", choices=["small", "zhejiang", "national"])
    parser.add_argument("-n", type=int, default=20, help="series (one instrument each)")
    parser.add_argument("--prewarm", action="store_true", help="bookings in the OS cache first")
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL") or default_url(args.scale)
    os.environ.update(server_env(url, "config.settings"))
    import django

    django.setup()
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from bench import fixtures

    if args.prewarm:
        print(_prewarm())
    users = fixtures.firm_users(args.n)
    instruments = _pick_instruments(args.n)
    today = timezone.localdate()
    first = today + dt.timedelta(days=7 + (1 - today.weekday()) % 7)  # a Tuesday next week
    tz = timezone.get_current_timezone()
    previews, books, booked, clashes = [], [], [], []
    load = os.getloadavg()[0]
    for user, instrument in zip(users, instruments, strict=False):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(User.objects.get(pk=user.user_id))
        client.get("/api/v1/booking-series/")  # warm-up: the session's and scope's first reads
        start = dt.datetime.combine(first, dt.time(9), tzinfo=tz)
        rule = {"instrument": instrument, "start": start.isoformat(),
                "end": (start + dt.timedelta(hours=2)).isoformat(), "frequency": "weekly",
                "count": WEEKS}  # fmt: skip
        body = json.dumps(rule)
        t0 = time.perf_counter()
        r = client.post("/api/v1/booking-series/preview/", body, content_type="application/json")
        previews.append(time.perf_counter() - t0)
        assert r.status_code == 200, r.content
        clashes.append(sum(1 for o in r.json()["occurrences"] if o["problem"]))
        body = json.dumps({**rule, "purpose": "bench series", "mode": "free",
                           "firm": user.firm_id})  # fmt: skip
        t0 = time.perf_counter()
        r = client.post("/api/v1/booking-series/", body, content_type="application/json")
        books.append(time.perf_counter() - t0)
        assert r.status_code == 201, r.content
        booked.append(len(r.json()["booked"]))
    print(f"scale {args.scale}, {len(previews)} series of {WEEKS} weeks, load average at start"
          f" {load:.1f}, now {os.getloadavg()[0]:.1f}")  # fmt: skip
    print(_summary("preview", previews))
    print(_summary("book", books))
    print(f"occurrences booked per series: median {statistics.median(booked):.0f}"
          f" (refused in the preview: median {statistics.median(clashes):.0f})")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
