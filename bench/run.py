"""Generate LabShare data at a scale, then run named benchmarks against gunicorn.

    .venv/bin/python bench/run.py --scale small --only signin,home
    make bench BENCH_ARGS="--scale national"

The data goes into DATABASE_URL (default: PostgreSQL database labshare_bench for national,
labshare_bench_small / labshare_bench_zhejiang for the others). The app
runs as it would in production: gunicorn, DEBUG off, persistent database connections.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: make the project importable

SERVER = "postgres://postgres@127.0.0.1:5432"


def default_url(scale: str) -> str:
    """labshare_bench holds the national data set that RESULTS.md reports; the smaller scales
    get their own databases so a quick run never measures (or grows) the big one."""
    return f"{SERVER}/labshare_bench" if scale == "national" else f"{SERVER}/labshare_bench_{scale}"


def parse_args(argv=None) -> argparse.Namespace:
    from bench.scales import SCALES

    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--scale", choices=sorted(SCALES), default="small")
    p.add_argument("--only", default="", help="comma-separated benchmark names (default: all)")
    p.add_argument("--generate-only", action="store_true", help="fill the database and stop")
    p.add_argument("--skip-generate", action="store_true", help="use the data as it is")
    p.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    # gthread: while one request waits on PostgreSQL (a commit's WAL flush), another runs;
    # with 32 booking clients this doubled throughput over sync workers here.
    p.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker (1 = sync)")
    p.add_argument("--duration", type=int, default=20, help="seconds of load for booking_create")
    p.add_argument("--clients", type=int, default=32, help="concurrent clients for booking_create")
    p.add_argument("--samples", type=int, default=300, help="requests per latency figure")
    p.add_argument(
        "--rounds", type=int, default=1,
        help="booking_vouchers: this many pairs of a no-voucher and an own-voucher phase, in"
             " alternating order (none, own, own, none, …: use an even number so each side"
             " goes first as often) and report each pair's ratio and the totals'",
    )  # fmt: skip
    return p.parse_args(argv)


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def main(argv=None) -> int:
    args = parse_args(argv)
    url = os.environ.get("DATABASE_URL") or default_url(args.scale)
    from bench.generate import census, ensure_database, generate, migrate
    from bench.scales import SCALES

    print(f"== LabShare bench · scale {args.scale} · {url.rsplit('/', 1)[-1]}", flush=True)
    ensure_database(url)
    migrate(url)
    setup_django(url)
    if not args.skip_generate:
        seconds = generate(SCALES[args.scale])
        print(
            f"generation: {seconds:.1f} s (only checks and ANALYZE if the data was there)",
            flush=True,
        )
    for label, count in census().items():
        print(f"  {label}: {count:,}")
    if args.generate_only:
        return 0
    from bench.benchmarks import run_benchmarks

    started = time.perf_counter()
    run_benchmarks(args, url)
    print(f"benchmarks took {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
