"""Reimbursement claims at scale (issue 12, "Speed"): with a million completed
voucher-paid orders, build a ~5,000-line claim, open the department's queue and the claim
page, read the lines through the API, and export the claim to XLSX (and CSV).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/labshare_bench_claims \
        .venv/bin/python bench/claims.py --orders 1000000

(``--fill-only`` generates the data and stops: generate under ``cpu shared``, then time
under ``cpu bench``.)

It creates, migrates and fills a database of its own on the first run (drop it to start
again); the orders, their captured holds and capture entries are written with
INSERT … SELECT generate_series. Provider 1's ten instruments carry 504 one-hour bookings
each in the 21-day claim period (5,040 lines); the other 99 providers' orders fill the
ledger around them. Pages are timed in process through Django's test client (no HTTP
server), each after one warm-up request.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/labshare_bench_claims")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")

PROVIDERS, INSTRUMENTS_EACH, FIRMS = 100, 10, 200
PERIOD_DAYS = 21  # 504 hours: 504 bookings per instrument, 5,040 lines for provider 1


def _base_day() -> dt.date:
    from django.utils import timezone

    return timezone.localdate() - dt.timedelta(days=60)


def fill(orders: int) -> None:
    from django.db import transaction

    from bench.sqlutil import (
        ensure_bookkeeping,
        execute,
        insert_select,
        is_done,
        restore_heavy_ddl,
        save_and_drop_heavy_ddl,
        scalar,
        step,
    )
    from tests.factories.accounts import (
        make_firm,
        make_provider,
        make_reviewer,
        member_of,
        reference_data,
    )
    from tests.factories.facilities import InstrumentFactory
    from vouchers.models import ProgrammeVersion
    from vouchers.services import issuing, programmes

    ensure_bookkeeping()
    if is_done("claims_orders"):
        return
    with transaction.atomic():
        reference_data()
        reviewer = make_reviewer("330000", email="bench-reviewer@example.cn")
        dept = reviewer.memberships.get().organisation
        base = _base_day()
        programme = programmes.programme_create(
            actor=reviewer, issuer_id=dept.pk, region_code="330000", kind="innovation",
            name="兑付压测创新券", budget_fen=10**14, valid_from=base - dt.timedelta(days=30),
            valid_to=base + dt.timedelta(days=400),
            rules={"tiers": [{"up_to_fen": None, "ratio_bp": 5000}], "voucher_valid_days": 365},
        )  # fmt: skip
        programmes.programme_publish(actor=reviewer, programme_id=programme.pk)
        version = ProgrammeVersion.objects.filter(programme=programme).latest("pk").pk
        execute(
            "CREATE TABLE bench_claim_instruments (seq int PRIMARY KEY, id bigint, provider_id bigint)"
        )
        execute("CREATE TABLE bench_claim_firms (seq int PRIMARY KEY, org_id bigint, user_id bigint, voucher_id bigint)")  # fmt: skip
        execute("CREATE TABLE bench_claim_people (role text PRIMARY KEY, user_id bigint, org_id bigint)")  # fmt: skip
        execute(
            "INSERT INTO bench_claim_people VALUES ('reviewer', %s, %s)", [reviewer.pk, dept.pk]
        )
        seq = 0
        for p in range(PROVIDERS):
            provider = make_provider()
            if p == 0:
                manager = member_of(provider, email="bench-manager@example.cn")
                execute("INSERT INTO bench_claim_people VALUES ('manager', %s, %s)",
                        [manager.pk, provider.pk])  # fmt: skip
            for _ in range(INSTRUMENTS_EACH):
                seq += 1
                instrument = InstrumentFactory(provider=provider, max_minutes=600)
                execute("INSERT INTO bench_claim_instruments VALUES (%s, %s, %s)",
                        [seq, instrument.pk, provider.pk])  # fmt: skip
        for f in range(1, FIRMS + 1):
            firm = make_firm()
            user = member_of(firm)
            voucher = issuing.voucher_issue(actor=reviewer, programme_id=programme.pk,
                                            firm_id=firm.pk, amount_fen=10**11)  # fmt: skip
            execute("INSERT INTO bench_claim_firms VALUES (%s, %s, %s, %s)",
                    [f, firm.pk, user.pk, voucher.pk])  # fmt: skip
    instruments = PROVIDERS * INSTRUMENTS_EACH
    per_instrument = orders // instruments
    start = f"(TIMESTAMP '{_base_day().isoformat()} 00:00' AT TIME ZONE 'Asia/Shanghai' + make_interval(hours => k))"  # fmt: skip
    save_and_drop_heavy_ddl("booking_booking")
    with step("claims_bookings") as counter:
        counter["rows"] = insert_select(
            "booking_booking",
            {"start_at": start, "end_at": f"{start} + interval '1 hour'", "purpose": "'压测'",
             "status": "'completed'", "client_group": "'external_firm'",
             "rate_per_hour_fen": "20000", "quote_fen": "20000", "fee_fen": "20000",
             "created_at": f"{start} - interval '5 days'", "updated_at": start,
             "booked_by_id": "f.user_id", "firm_id": "f.org_id", "instrument_id": "i.id"},
            f"FROM bench_claim_instruments i CROSS JOIN generate_series(0, {per_instrument - 1}) k"
            f" JOIN bench_claim_firms f ON f.seq = 1 + mod(i.seq * 7 + k, {FIRMS})",
        )  # fmt: skip
    restore_heavy_ddl("booking_booking")
    with step("claims_holds") as counter:
        counter["rows"] = insert_select(
            "vouchers_ordervoucherhold",
            {"order_kind": "'booking'", "order_id": "b.id", "voucher_id": "f.voucher_id",
             "programme_version_id": str(version), "held_fen": "10000", "captured_fen": "10000",
             "reversed_fen": "0", "state": "'captured'", "trace": "'[]'::jsonb",
             "created_at": "b.created_at", "settled_at": "b.end_at"},
            "FROM booking_booking b JOIN bench_claim_firms f ON f.org_id = b.firm_id",
        )  # fmt: skip
    with step("claims_orders") as counter:
        counter["rows"] = insert_select(
            "vouchers_ledgerentry",
            {"voucher_id": "f.voucher_id", "kind": "'capture'", "amount_fen": "10000",
             "order_kind": "'booking'", "order_id": "b.id",
             "programme_version_id": str(version), "note": "''", "at": "b.end_at"},
            "FROM booking_booking b JOIN bench_claim_firms f ON f.org_id = b.firm_id",
        )  # fmt: skip
    execute("ANALYZE")
    print(f"  {scalar('SELECT count(*) FROM vouchers_ledgerentry WHERE kind = %s', ['capture']):,}"
          " capture entries", flush=True)  # fmt: skip


def _p95(samples: list[float]) -> float:
    return sorted(samples)[max(0, int(len(samples) * 0.95) - 1)]


def _timed(label: str, fn, n: int) -> None:
    fn()  # warm-up
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    print(f"| {label} | {statistics.median(samples):.1f} | {_p95(samples):.1f} | {n} |", flush=True)


def measure(requests: int) -> None:
    from django.db import connection, transaction
    from django.test import Client

    from accounts.models import User
    from bench.sqlutil import rows
    from vouchers.models import Claim, ClaimChange, ClaimDeduction, ClaimLine
    from vouchers.services import claims as services

    people = {r: (u, o) for r, u, o in rows("SELECT role, user_id, org_id FROM bench_claim_people")}
    manager = User.objects.get(pk=people["manager"][0])
    reviewer = User.objects.get(pk=people["reviewer"][0])
    provider_id = people["manager"][1]
    start = _base_day()
    end = start + dt.timedelta(days=PERIOD_DAYS - 1)

    def wipe():
        with transaction.atomic():
            ClaimDeduction.objects.update(claim=None)
            ClaimLine.objects.all().delete()
            ClaimChange.objects.all().delete()
            Claim.objects.all().delete()

    print("\n| build a claim (s) | lines | flagged |\n|---|---|---|")
    for _ in range(3):
        wipe()
        started = time.perf_counter()
        [claim] = services.claim_build(actor=manager, provider_id=provider_id,
                                       period_start=start, period_end=end)  # fmt: skip
        print(f"| {time.perf_counter() - started:.2f} | {claim.line_count:,} | "
              f"{claim.flagged_count:,} |", flush=True)  # fmt: skip
    from vouchers.services.claim_flags import claim_flags_refresh

    print("\n| recompute the flags of the claim (s): submit, review start, stale open |\n|---|")
    for _ in range(3):
        started = time.perf_counter()
        with transaction.atomic():
            claim_flags_refresh(Claim.objects.select_for_update().get(pk=claim.pk))
        print(f"| {time.perf_counter() - started:.2f} |", flush=True)
    # Other providers' claims fill the queue: one day each.
    others = [pid for (pid,) in rows("SELECT DISTINCT provider_id FROM bench_claim_instruments"
                                     " WHERE provider_id <> %s ORDER BY 1 LIMIT 60", [provider_id])]  # fmt: skip
    from accounts.models import Organisation
    from tests.factories.accounts import member_of

    for pid in others:
        email = f"bench-manager-{pid}@example.cn"  # a rerun finds the managers it made
        other = User.objects.filter(email=email).first() or member_of(
            Organisation.objects.get(pk=pid), email=email
        )
        services.claim_build(actor=other, provider_id=pid, period_start=start, period_end=start)
    Claim.objects.update(status="submitted")
    dept = Client()
    dept.force_login(reviewer)
    with connection.cursor() as cur:
        cur.execute("ANALYZE vouchers_claimline; ANALYZE vouchers_claim")
    print(f"\nqueue: {Claim.objects.count()} claims; the big claim has {claim.line_count:,} lines")
    print("\n| page | median ms | p95 ms | requests |\n|---|---|---|---|")

    def ok(url):
        def get():
            response = dept.get(url)
            assert response.status_code == 200, (url, response.status_code)
            if response.streaming:
                b"".join(response.streaming_content)

        return get

    _timed("department claims queue", ok("/department/claims/"), requests)
    _timed("claim page, 5,040 lines (page 1 of 101)", ok(f"/claims/{claim.pk}/"), requests)
    _timed("claim page, last page", ok(f"/claims/{claim.pk}/?page=101"), requests)
    _timed("claim page, flagged lines", ok(f"/claims/{claim.pk}/?flagged=1"), requests)
    _timed("API claims list", ok("/api/v1/claims/"), requests)
    _timed("API lines, page 1", ok(f"/api/v1/claims/{claim.pk}/lines/"), requests)
    _timed("API lines, page 100", ok(f"/api/v1/claims/{claim.pk}/lines/?page=100"), requests)
    _timed("department red-flag list", ok("/department/claims/flags/"), requests)
    _timed("department red-flag list, ?code=many_orders",
           ok("/department/claims/flags/?code=many_orders"), requests)  # fmt: skip
    _timed("API flagged lines", ok("/api/v1/claims/flagged-lines/"), requests)
    print("\n| export | seconds | bytes |\n|---|---|---|")
    for fmt in ("xlsx", "csv"):
        started = time.perf_counter()
        response = dept.get(f"/claims/{claim.pk}/lines.{fmt}")
        body = b"".join(response.streaming_content) if response.streaming else response.content
        print(f"| {fmt}, {claim.line_count:,} lines | {time.perf_counter() - started:.2f} | "
              f"{len(body):,} |", flush=True)  # fmt: skip
    started = time.perf_counter()
    response = dept.get(f"/claims/{claim.pk}/audit-pack.zip")
    body = b"".join(response.streaming_content)
    print(f"| audit pack (ZIP) | {time.perf_counter() - started:.2f} | {len(body):,} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument(
        "--fill-only",
        action="store_true",
        help="generate the data and stop (run under cpu shared; time under cpu bench)",
    )
    args = parser.parse_args()
    from bench.generate import ensure_database, migrate

    ensure_database(os.environ["DATABASE_URL"])
    migrate(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    started = time.perf_counter()
    fill(args.orders)
    print(f"data ready in {time.perf_counter() - started:.0f} s", flush=True)
    if not args.fill_only:
        measure(args.requests)


if __name__ == "__main__":
    main()
