"""Create, migrate and fill the bench database up to a scale. Safe to rerun: every step
records itself (bench_progress) or counts what is there, so a rerun skips finished work and
an interrupted run resumes; a larger scale adds to a smaller one."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg

from bench.scales import Scale

ROOT = Path(__file__).resolve().parent.parent


def ensure_database(url: str) -> None:
    """CREATE DATABASE when missing (connecting to the server's ``postgres`` database)."""
    info = psycopg.conninfo.conninfo_to_dict(url)
    name = info.pop("dbname")
    with psycopg.connect(
        psycopg.conninfo.make_conninfo(**info, dbname="postgres"), autocommit=True
    ) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def migrate(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def generate(scale: Scale) -> float:
    """Fill the database up to ``scale``; returns the seconds spent."""
    from bench import gen_catalogue, gen_orders, gen_orgs
    from bench.sqlutil import ensure_bookkeeping, execute

    started = time.perf_counter()
    ensure_bookkeeping()
    execute("SET maintenance_work_mem = '1GB'")
    execute("SET work_mem = '64MB'")
    password = gen_orgs.password_hash()
    gen_orgs.generate_providers(scale.providers, password)
    gen_orgs.generate_firms(scale.firms, password)
    gen_catalogue.generate_instruments(scale.instruments)
    gen_catalogue.refresh_instrument_text()
    gen_catalogue.generate_services(scale.services)
    gen_orders.generate_bookings(scale.instruments, scale.bookings_per_instrument)
    gen_orders.generate_service_requests(scale.service_requests)
    execute("ANALYZE")
    return time.perf_counter() - started


def census() -> dict[str, int]:
    """Row counts the benchmarks run against (estimates from pg_class for the big tables)."""
    from bench.sqlutil import scalar

    exact = {
        "providers": "SELECT count(*) FROM accounts_organisation WHERE kind = 'provider'",
        "firms": "SELECT count(*) FROM accounts_organisation WHERE kind = 'firm'",
        "instruments": "SELECT count(*) FROM facilities_instrument",
        "testing services": "SELECT count(*) FROM facilities_testingservice",
    }
    out = {k: scalar(q) for k, q in exact.items()}
    for label, table in (
        ("bookings", "booking_booking"),
        ("service requests", "booking_servicerequest"),
    ):
        out[label] = int(scalar("SELECT reltuples FROM pg_class WHERE relname = %s", [table]) or 0)
    out["database size (MB)"] = scalar("SELECT pg_database_size(current_database())") // 2**20
    return out
