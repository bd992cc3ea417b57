"""Per-statement client CPU of a booking without and with the firm's own voucher: POST
/api/v1/bookings/ in process through Django's WSGI handler (as bench/profile_create.py),
the two kinds alternated, each statement timed through ``connection.execute_wrapper`` with
this thread's CPU clock (which counts the kernel's socket work of a round trip).

    .venv/bin/python bench/profile_statements.py 300     # 300 pairs, after vouchers_bench setup

Uses the database in DATABASE_URL (the bench's national data with its voucher fixtures).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.profile_create import _environ  # noqa: E402
from bench.server import server_env  # noqa: E402


def main(argv: list[str]) -> int:
    pairs = int(argv[1]) if len(argv) > 1 else 300
    os.environ.update(server_env(os.environ["DATABASE_URL"], "config.settings"))
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    from bench import fixtures
    from bench.booking_load import _candidate_slots

    users, _ = fixtures.with_tokens("http://127.0.0.1:1", fixtures.firm_users(50))
    slots = _candidate_slots(
        fixtures.random_instruments(400, bookable_only=True, seed=time.time_ns())
    )
    paying = fixtures.own_vouchers([u.firm_id for u in users])
    app = WSGIHandler()
    log: list[tuple[str, float]] = []

    def timed(execute, sql, params, many, context):
        t0 = time.thread_time()
        try:
            return execute(sql, params, many, context)
        finally:
            log.append((sql, time.thread_time() - t0))

    def post(i: int, voucher: bool) -> None:
        pk, s, e = slots[i]
        u = users[i % len(users)]
        body = json.dumps(
            {"instrument": pk, "start": s.isoformat(), "end": e.isoformat(),
             "purpose": "bench load", "firm": u.firm_id,
             **({"vouchers": [paying[u.firm_id]]} if voucher else {})}
        ).encode()  # fmt: skip
        response = app(_environ("/api/v1/bookings/", body, u.token), lambda status, headers: None)
        b"".join(response)
        response.close()

    for i in range(40):  # warm-up: connections, caches, prepared statements
        post(i, bool(i % 2))
    cpu = {False: 0.0, True: 0.0}
    statements: dict[bool, dict[str, list]] = {False: {}, True: {}}
    i = 40
    for _ in range(pairs):
        for voucher in (False, True):
            log.clear()
            with connection.execute_wrapper(timed):
                t0 = time.thread_time()
                post(i, voucher)
                cpu[voucher] += time.thread_time() - t0
            i += 1
            for sql, seconds in log:
                entry = statements[voucher].setdefault(" ".join(sql.split())[:110], [0, 0.0])
                entry[0] += 1
                entry[1] += seconds
    for voucher in (False, True):
        print(f"voucher={int(voucher)}: {cpu[voucher] * 1000 / pairs:.3f} ms CPU a request")
        for sql, (count, seconds) in statements[voucher].items():
            print(f"  {count / pairs:4.1f}x  {seconds * 1e6 / pairs:7.1f} us  {sql}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
