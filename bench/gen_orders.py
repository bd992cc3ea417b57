"""Bookings and service requests by the million, with INSERT … SELECT generate_series.

Bookings never overlap by construction: instrument s's k-th booking sits on day
``base + 4k + s mod 4`` (moved from Sunday to Saturday), 1–3 hours from 08:00–16:00 local,
so two bookings of one instrument are at least three days apart. The exclusion constraint
and the secondary indexes are dropped during the load and rebuilt afterwards (rebuilding
once is much faster than maintaining them row by row), which also proves non-overlap.
"""

from __future__ import annotations

from bench import names
from bench.gen_orgs import _pick
from bench.sqlutil import (
    execute,
    insert_select,
    restore_heavy_ddl,
    save_and_drop_heavy_ddl,
    scalar,
    step,
)

BOOKING_CHUNK = 5_000  # instruments per step: a million bookings
REQUEST_CHUNK = 1_000_000
DAYS_BACK = 740  # with 200 bookings four days apart, the last ones are ~2 months ahead

_DAY = f"(current_date - {DAYS_BACK} + k * 4 + mod(i.seq, 4))"
_LOCAL_DAY = f"(CASE WHEN extract(isodow FROM {_DAY}) = 7 THEN {_DAY} - 1 ELSE {_DAY} END)"
_START = f"(({_LOCAL_DAY})::timestamp + make_interval(hours => 8 + mod(i.seq + k, 9))) AT TIME ZONE 'Asia/Shanghai'"
_HOURS = "(1 + mod(i.seq * k + k, 3))"


def _booking_status() -> str:
    roll = "mod(i.seq * 7 + k * 13, 100)"
    return (
        f"CASE WHEN {_START} < now() THEN (CASE WHEN {roll} < 85 THEN 'completed'"
        f" WHEN {roll} < 90 THEN 'cancelled' WHEN {roll} < 94 THEN 'no_show' ELSE 'rejected' END)"
        f" ELSE (CASE WHEN {roll} < 60 THEN 'approved' WHEN {roll} < 92 THEN 'requested'"
        " ELSE 'cancelled' END) END"
    )


def _insert_bookings(lo: int, hi: int, per_instrument: int, firms: int) -> int:
    start = _START
    status = _booking_status()
    return insert_select(
        "booking_booking",
        {
            "start_at": start,
            "end_at": f"{start} + make_interval(hours => {_HOURS})",
            "purpose": _pick(names.PURPOSES, "i.seq + k"),
            "status": status,
            "client_group": "'external_firm'",
            "rate_per_hour_fen": "i.rate",
            "quote_fen": f"i.rate * {_HOURS}",
            "fee_fen": f"CASE WHEN {status} = 'completed' THEN i.rate * {_HOURS} END",
            "created_at": f"{start} - interval '5 days'",
            "updated_at": start,
            "booked_by_id": "f.user_id",
            "firm_id": "f.org_id",
            "instrument_id": "i.id",
        },
        f"FROM bench_instruments i CROSS JOIN generate_series(0, {per_instrument - 1}) k"
        f" JOIN bench_firms f ON f.seq = 1 + mod(i.seq * 7919 + k * 104729, {firms})"
        f" WHERE i.seq BETWEEN {lo} AND {hi} AND NOT i.bookings_done",
    )


def generate_bookings(instruments: int, per_instrument: int) -> None:
    execute(
        "ALTER TABLE bench_instruments ADD COLUMN IF NOT EXISTS bookings_done boolean NOT NULL DEFAULT false"
    )
    restore_heavy_ddl("booking_booking")  # finish an interrupted earlier load first
    missing = scalar("SELECT count(*) FROM bench_instruments WHERE NOT bookings_done")
    if not missing:
        return
    firms = scalar("SELECT count(*) FROM bench_firms")
    save_and_drop_heavy_ddl("booking_booking")
    execute("SET synchronous_commit = off")
    for lo in range(1, instruments + 1, BOOKING_CHUNK):
        hi = min(lo + BOOKING_CHUNK - 1, instruments)
        if not scalar(
            "SELECT count(*) FROM bench_instruments WHERE seq BETWEEN %s AND %s AND NOT bookings_done",
            [lo, hi],
        ):
            continue
        with step(f"bookings for instruments {lo}-{hi}") as done:
            done["rows"] = _insert_bookings(lo, hi, per_instrument, firms)
            execute(
                "UPDATE bench_instruments SET bookings_done = true WHERE seq BETWEEN %s AND %s",
                [lo, hi],
            )
    print("  rebuilding booking indexes and the exclusion constraint", flush=True)
    restore_heavy_ddl("booking_booking")
    execute("VACUUM ANALYZE booking_booking")


def _request_status() -> str:
    roll = "mod(r * 11, 100)"
    return (
        f"CASE WHEN mod(r * 37, 1000) > 30 THEN (CASE WHEN {roll} < 85 THEN 'completed'"
        f" WHEN {roll} < 90 THEN 'cancelled' WHEN {roll} < 95 THEN 'rejected' ELSE 'reported' END)"
        f" ELSE (CASE WHEN {roll} < 30 THEN 'submitted' WHEN {roll} < 50 THEN 'accepted'"
        f" WHEN {roll} < 70 THEN 'samples_received' ELSE 'testing' END) END"
    )


def _insert_requests(lo: int, hi: int, services: int, firms: int) -> int:
    created = "now() - make_interval(days => mod(r * 37, 1000)::int, hours => mod(r, 24)::int)"
    status = _request_status()
    return insert_select(
        "booking_servicerequest",
        {
            "sample_count": "1 + mod(r, 10)",
            "sample_description": "'送检样品 ' || (1 + mod(r, 10)) || ' 件，常温保存'",
            "standards": "''",
            "delivery": "CASE WHEN mod(r, 3) = 0 THEN 'courier' ELSE 'drop_off' END",
            "tracking_number": "''",
            "status": status,
            "quote_fen": "s.price * (1 + mod(r, 10))",
            "fee_fen": f"CASE WHEN {status} = 'completed' THEN s.price * (1 + mod(r, 10)) END",
            "due_on": f"({created})::date + 10",
            "sample_condition": "''",
            "report_file": "''",
            "report_number": f"CASE WHEN {status} IN ('reported', 'completed') THEN 'BG' || r ELSE '' END",
            "report_accreditation": "''",
            "created_at": created,
            "updated_at": created,
            "firm_id": "f.org_id",
            "requested_by_id": "f.user_id",
            "service_id": "s.id",
        },
        f"FROM generate_series({lo}::bigint, {hi}::bigint) r"
        f" JOIN bench_services s ON s.seq = 1 + mod(r * 7, {services})"
        f" JOIN bench_firms f ON f.seq = 1 + mod(r * 104729, {firms})",
    )


def generate_service_requests(target: int) -> None:
    restore_heavy_ddl("booking_servicerequest")
    have = scalar(
        "SELECT coalesce(max(rows), 0) FROM bench_progress WHERE step = 'service_requests_total'"
    )
    if have >= target:
        return
    services = scalar("SELECT count(*) FROM bench_services")
    firms = scalar("SELECT count(*) FROM bench_firms")
    save_and_drop_heavy_ddl("booking_servicerequest")
    execute("SET synchronous_commit = off")
    for lo in range(have + 1, target + 1, REQUEST_CHUNK):
        hi = min(lo + REQUEST_CHUNK - 1, target)
        with step(f"service requests {lo}-{hi}") as done:
            done["rows"] = _insert_requests(lo, hi, services, firms)
            execute(
                "INSERT INTO bench_progress (step, rows) VALUES ('service_requests_total', %s)"
                " ON CONFLICT (step) DO UPDATE SET rows = EXCLUDED.rows",
                [hi],
            )
    print("  rebuilding service request indexes", flush=True)
    restore_heavy_ddl("booking_servicerequest")
    execute("VACUUM ANALYZE booking_servicerequest")
