"""Where a booking's CPU goes: POST /api/v1/bookings/ driven in-process through Django's WSGI
handler (the full middleware stack, as gunicorn calls it), timed per request and optionally
profiled. Complements the wrk figures in bench/run.py, which say how fast, not why.

    .venv/bin/python bench/profile_create.py --scale small -n 500
    .venv/bin/python bench/profile_create.py --scale small -n 500 --profile | head -60
    .venv/bin/python bench/profile_create.py --scale small -n 500 --path /bench/bare-bookings/

Uses the database the bench generated (run ``bench/run.py --scale small --generate-only`` first)
and Redis database 15 as cache and broker, as the bench's gunicorn does.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import default_url  # noqa: E402
from bench.server import server_env  # noqa: E402


def _environ(path: str, body: bytes, token: str) -> dict:
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_AUTHORIZATION": f"Token {token}",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


def _print_plans(connection) -> None:
    with connection.cursor() as c:
        c.execute(
            "SELECT generic_plans, custom_plans, regexp_replace(statement, '\\s+', ' ', 'g')"
            " FROM pg_prepared_statements ORDER BY custom_plans DESC, generic_plans DESC"
        )
        for generic, custom, statement in c.fetchall():
            print(f"  generic {generic:5d} custom {custom:5d}  {statement[:150]}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="small", choices=["small", "zhejiang", "national"])
    parser.add_argument("-n", type=int, default=300, help="measured requests")
    parser.add_argument("--path", default="/api/v1/bookings/")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top entries")
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--dump", help="also write the profile's stats to this file (pstats)")
    parser.add_argument(
        "--plans", action="store_true",
        help="list the statements psycopg prepared on this connection with their generic and"
             " custom plan counts (a statement PostgreSQL keeps planning anew costs it CPU)",
    )  # fmt: skip
    parser.add_argument(
        "--cpu-timer", action="store_true",
        help="profile with this thread's CPU time (time.thread_time), not the wall clock:"
             " waits on PostgreSQL and Redis then cost nothing (the timer inflates ~3 x)",
    )  # fmt: skip
    parser.add_argument(
        "--vouchers", action="store_true",
        help="pay with each firm's own voucher (bench/vouchers_bench.py --phase setup first)",
    )  # fmt: skip
    args = parser.parse_args(argv)

    url = os.environ.get("DATABASE_URL") or default_url(args.scale)
    settings = "bench.settings" if args.path.startswith("/bench/") else "config.settings"
    os.environ.update(server_env(url, settings))
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler

    from bench import fixtures
    from bench.booking_load import _candidate_slots

    users, _ = fixtures.with_tokens("http://127.0.0.1:1", fixtures.firm_users(50))
    slots = _candidate_slots(
        fixtures.random_instruments(200, bookable_only=True, seed=time.time_ns())
    )
    paying = fixtures.own_vouchers([u.firm_id for u in users]) if args.vouchers else {}
    app = WSGIHandler()
    statuses: dict[str, int] = {}

    def post(i: int) -> None:
        pk, s, e = slots[i]
        u = users[i % len(users)]
        body = json.dumps(
            {"instrument": pk, "start": s.isoformat(), "end": e.isoformat(),
             "purpose": "bench load", "firm": u.firm_id,
             **({"vouchers": [paying[u.firm_id]]} if paying else {})}
        ).encode()  # fmt: skip
        response = app(_environ(args.path, body, u.token), lambda status, headers: None)
        b"".join(response)
        response.close()
        code = getattr(response, "status_code", 0)
        statuses[str(code)] = statuses.get(str(code), 0) + 1

    for i in range(50):  # warm-up: connections, caches, imports
        post(i)
    from django.db import connection

    from bench.cpu import _cpu_seconds

    with connection.cursor() as c:  # the one backend this process's requests run on
        c.execute("SELECT pg_backend_pid()")
        backend = c.fetchone()[0]
    db0 = _cpu_seconds(backend)
    timer = (time.thread_time,) if args.cpu_timer else ()
    profiler = cProfile.Profile(*timer) if args.profile else None
    cpu0, wall0 = time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    for i in range(50, 50 + args.n):
        post(i)
    if profiler:
        profiler.disable()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    db = _cpu_seconds(backend) - db0  # clock ticks (10 ms): use a few hundred requests
    print(
        f"{args.path}: {args.n} requests, {cpu * 1000 / args.n:.2f} ms CPU and"
        f" {wall * 1000 / args.n:.2f} ms wall each (this process only; statuses {statuses});"
        f" its PostgreSQL backend {db * 1000 / args.n:.2f} ms CPU each"
    )
    if args.plans:
        _print_plans(connection)
    if profiler:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        if args.dump:
            stats.dump_stats(args.dump)
        stats.sort_stats(args.sort).print_stats(70)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
