"""Why a catalogue search path is slow, in process: each path of the bench's search mixes
run through the whole Django stack (test client), several rounds on one connection as a
gunicorn thread would, with the SQL of every request timed.

    DATABASE_URL=postgres://…/labshare_bench_search .venv/bin/python bench/profile_search.py \
        [--mix words|terms|all] [--rounds 4] [--api|--page] [--top 15] [--sql]

Prints the wall-clock and CPU (this process plus its PostgreSQL backend: the steadier figure
on a shared machine) percentiles, then per path the median and worst wall time over the
rounds, its median CPU and the SQL time of the slowest round; with ``--sql`` the slowest
paths' statements. Read-only.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("API_ANON_RATE", "10000000/min")
os.environ.setdefault("API_USER_RATE", "10000000/min")
os.environ.setdefault("LOG_LEVEL", "ERROR")


def _paths(mix: str, prefix: str, param: str) -> list[str]:
    from bench.benchmarks import _search_paths, _thesaurus_paths

    fixed, terms = _search_paths(prefix, param)
    words = _thesaurus_paths(prefix, param)
    return {"words": words, "terms": terms, "fixed": [fixed], "all": [fixed, *terms, *words]}[mix]


def _cpu_ms(backend_pid: int) -> float:
    """CPU of this process and of its database backend, in ms (``bench.cpu``)."""
    from bench.cpu import _cpu_seconds

    return (time.process_time() + _cpu_seconds(backend_pid)) * 1000


class SqlTimer:
    def __init__(self):
        self.rows: list[tuple[float, str]] = []

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.rows.append(((time.perf_counter() - start) * 1000, sql))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mix", default="words", choices=("words", "terms", "fixed", "all"))
    p.add_argument("--rounds", type=int, default=4)
    p.add_argument("--page", action="store_true", help="the HTML page instead of the API")
    p.add_argument("--top", type=int, default=15)
    p.add_argument("--sql", action="store_true", help="print the slowest paths' statements")
    args = p.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    prefix, param = ("/instruments/", "q") if args.page else ("/api/v1/instruments/", "search")
    paths = _paths(args.mix, prefix, param)
    client = Client()
    client.get(paths[0])  # warm: imports, thesaurus, vocabulary
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    times: dict[str, list[float]] = {p: [] for p in paths}
    cpus: dict[str, list[float]] = {p: [] for p in paths}
    worst_sql: dict[str, list[tuple[float, str]]] = {}
    for _ in range(args.rounds):
        for path in paths:
            timer = SqlTimer()
            with connection.execute_wrapper(timer):
                start, cpu = time.perf_counter(), _cpu_ms(backend)
                r = client.get(path)
                ms = (time.perf_counter() - start) * 1000
                cpus[path].append(_cpu_ms(backend) - cpu)
            assert r.status_code == 200, (path, r.status_code)
            if not times[path] or ms > max(times[path]):
                worst_sql[path] = timer.rows
            times[path].append(ms)
    for label, series in (("wall", times), ("CPU", cpus)):
        every = sorted(t for ts in series.values() for t in ts)
        n = len(every)
        print(f"{n} requests, {label}: p50 {every[n // 2]:.1f} · p95 {every[int(n * 0.95)]:.1f}"
              f" · p99 {every[min(n - 1, int(n * 0.99))]:.1f} ms · load {os.getloadavg()[0]:.1f}")  # fmt: skip
    ranked = sorted(paths, key=lambda p: max(times[p]), reverse=True)
    for path in ranked[: args.top]:
        sql_ms = sum(t for t, _ in worst_sql[path])
        from urllib.parse import unquote

        print(f"  median {statistics.median(times[path]):6.1f} · worst {max(times[path]):6.1f} ms"
              f" · CPU {statistics.median(cpus[path]):5.1f}"
              f" · its SQL {sql_ms:5.1f} ms in {len(worst_sql[path])} · {unquote(path)}")  # fmt: skip
        if args.sql:
            for t, sql in sorted(worst_sql[path], reverse=True)[:4]:
                print(f"      {t:6.1f} ms  {sql[:300]}")


if __name__ == "__main__":
    main()
